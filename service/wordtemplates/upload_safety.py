"""Checks an uploaded .docx before anything parses it as a document.

Templates come from conveners' laptops and are untrusted. Everything here works on the zip
directory and on raw bytes, so a zip bomb, an XML entity bomb or an external reference is
refused before python-docx, lxml or LibreOffice ever see it.
"""

from __future__ import annotations

import io
import re
import zipfile

from lxml import etree

from schemas.i18n import Msg, translate

MAX_UPLOAD_BYTES = 5 * 1024 * 1024  # a template with a logo is well under 1 MB


def allow_template_upload(request) -> None:
    """Raise the request body limit for a template upload route only (Flask 3.1+)."""
    request.max_content_length = MAX_UPLOAD_BYTES + 256 * 1024  # multipart overhead, a case JSON
MAX_MEMBERS = 200
MAX_MEMBER_BYTES = 20 * 1024 * 1024
MAX_TOTAL_BYTES = 50 * 1024 * 1024
MAX_RATIO = 100  # XML compresses ~10x; 100x and more is a bomb

DOCX_MAIN = "application/vnd.openxmlformats-officedocument.wordprocessingml.document.main+xml"
MACRO_TYPES = ("macroEnabled", "vbaProject", "vbaData", "activeX", "oleObject")
ALLOWED_EXTERNAL = ("https://", "mailto:")
HYPERLINK_REL = "http://schemas.openxmlformats.org/officeDocument/2006/relationships/hyperlink"
FIELD_CODES = ("INCLUDEPICTURE", "INCLUDETEXT", "INCLUDE", "LINK", "DDE", "DDEAUTO", "IMPORT", "AUTOTEXTLIST")



class UnsafeTemplate(ValueError):
    """The upload is refused; ``messages`` says why, in the reader's language, one line per reason."""

    def __init__(self, messages: list[str]):
        self.messages = [translate(m) for m in messages]
        super().__init__("; ".join(self.messages))


def check_upload(data: bytes) -> None:
    """Raise UnsafeTemplate with every reason the file cannot be taken as a template."""
    if len(data) > MAX_UPLOAD_BYTES:
        raise UnsafeTemplate([Msg("Tiedosto on liian suuri (yli {megabytes} Mt).").format(megabytes=MAX_UPLOAD_BYTES // (1024 * 1024))])
    if not data.startswith(b"PK\x03\x04"):
        raise UnsafeTemplate([Msg("Tiedosto ei ole Word-asiakirja (.docx): se ei ole zip-paketti.")])
    try:
        package = zipfile.ZipFile(io.BytesIO(data))
        infos = package.infolist()
    except (zipfile.BadZipFile, ValueError, OSError):
        raise UnsafeTemplate([Msg("Tiedosto on vioittunut: zip-hakemistoa ei voi lukea.")]) from None

    problems: list[str] = []
    problems += _check_directory(infos)
    if problems:
        raise UnsafeTemplate(problems)  # nothing is decompressed from a suspicious archive

    names = {info.filename for info in infos}
    if "[Content_Types].xml" not in names or "word/document.xml" not in names:
        raise UnsafeTemplate([Msg("Tiedosto ei ole Word-asiakirja (.docx): asiakirjan osat puuttuvat.")])

    xml_parts = _xml_parts(package)
    for info in infos:
        lower = info.filename.lower()
        if lower.endswith("vbaproject.bin") or lower.endswith("vbadata.xml"):
            problems.append(Msg("Asiakirjassa on makroja (VBA). Tallenna pohja .docx-muodossa ilman makroja."))
        elif lower.startswith("word/activex/"):
            problems.append(Msg("Asiakirjassa on ActiveX-ohjausobjekti ({part}). Poista se.").format(part=info.filename))
        elif lower.startswith("word/embeddings/"):
            problems.append(Msg("Asiakirjassa on upotettu objekti ({part}). Poista upotetut objektit.").format(part=info.filename))
        try:
            content = package.read(info)
        except (zipfile.BadZipFile, NotImplementedError, OSError, RuntimeError):
            problems.append(Msg("Osaa {part} ei voi lukea (vioittunut tai salattu).").format(part=info.filename))
            continue
        if _is_xml(info.filename, content, xml_parts):
            problems += _check_xml(info.filename, content)

    content_types = package.read("[Content_Types].xml")
    if DOCX_MAIN.encode() not in content_types:
        if b"macroEnabled" in content_types:
            problems.append(Msg("Tiedosto on makroja sisältävä .docm-asiakirja. Tallenna se .docx-muodossa."))
        else:
            problems.append(Msg("Tiedosto ei ole Word-asiakirja (.docx)."))
    if not problems:
        for marker in MACRO_TYPES:
            if marker.encode() in content_types:
                problems.append(Msg("Asiakirjassa on kiellettyä sisältöä ({marker}).").format(marker=marker))
    if problems:
        raise UnsafeTemplate(_unique(problems))


ODT_MIMETYPE = "application/vnd.oasis.opendocument.text"


def is_odt(data: bytes) -> bool:
    """An OpenDocument text: its first zip member is ``mimetype`` with the ODT type, stored."""
    return data.startswith(b"PK\x03\x04") and data[30:38] == b"mimetype" and ODT_MIMETYPE.encode() in data[38:120]


def check_odt_upload(data: bytes) -> None:
    """The zip-level checks for an .odt before LibreOffice converts it to .docx; the .docx that
    comes out is then checked like any other upload."""
    if len(data) > MAX_UPLOAD_BYTES:
        raise UnsafeTemplate([Msg("Tiedosto on liian suuri (yli {megabytes} Mt).").format(megabytes=MAX_UPLOAD_BYTES // (1024 * 1024))])
    try:
        package = zipfile.ZipFile(io.BytesIO(data))
        infos = package.infolist()
    except (zipfile.BadZipFile, ValueError, OSError):
        raise UnsafeTemplate([Msg("Tiedosto on vioittunut: zip-hakemistoa ei voi lukea.")]) from None
    problems = _check_directory(infos)
    if problems:
        raise UnsafeTemplate(problems)
    for info in infos:
        lower = info.filename.lower()
        if lower.startswith(("basic/", "scripts/")) or lower.endswith(".bin"):
            problems.append(Msg("Asiakirjassa on makroja tai upotettuja objekteja. Tallenna pohja ilman niitä."))
        else:
            content = package.read(info)
            if _is_xml(info.filename, content, set()):
                problems += _check_xml(info.filename, content)
    if problems:
        raise UnsafeTemplate(_unique(problems))


def _check_directory(infos) -> list[str]:
    problems: list[str] = []
    if len(infos) > MAX_MEMBERS:
        return [Msg("Paketissa on liikaa osia ({count}, enintään {max}).").format(count=len(infos), max=MAX_MEMBERS)]
    seen = set()
    total = 0
    for info in infos:
        name = info.filename
        if (name.startswith(("/", "\\")) or "\\" in name or "\x00" in name or ".." in name.split("/")
                or re.match(r"^[A-Za-z]:", name)):
            problems.append(Msg("Paketissa on osa, jonka nimi ei kelpaa (polku paketin ulkopuolelle)."))
        if name in seen:
            problems.append(Msg("Paketissa on sama osa kahdesti."))
        seen.add(name)
        if info.flag_bits & 0x1:
            problems.append(Msg("Paketti on salattu; tallenna pohja ilman salasanaa."))
        if info.file_size > MAX_MEMBER_BYTES:
            problems.append(Msg("Osa {part} on purettuna liian suuri.").format(part=name))
        if info.compress_size and info.file_size / info.compress_size > MAX_RATIO and info.file_size > 1024 * 1024:
            problems.append(Msg("Osa {part} pakkautuu epäilyttävän tiiviisti (zip-pommi?).").format(part=name))
        total += info.file_size
    if total > MAX_TOTAL_BYTES:
        problems.append(Msg("Paketti on purettuna liian suuri (zip-pommi?)."))
    return _unique(problems)


# Every part that is XML is parsed (whatever its name or encoding) and its parsed values checked:
# a quote style, a character reference, CDATA or another namespace prefix changes nothing.
_PARSER = etree.XMLParser(resolve_entities=False, no_network=True, load_dtd=False, huge_tree=False,
                          remove_comments=True)
_XML_TYPES = ("xml",)
# Relationship types that pull content in from elsewhere when they are external.
_PULLING = ("attachedTemplate", "subDocument", "frame", "oleObject", "package", "image", "aFChunk", "externalLink",
            "hyperlink")
_LINK_ATTRIBUTES = {"href", "src", "link", "target", "action", "url"}
_URL_RE = re.compile(r"^\s*(?:[a-z][a-z0-9+.-]*:|\\\\|//)", re.IGNORECASE)


def _xml_parts(package: zipfile.ZipFile) -> set[str]:
    """The parts [Content_Types].xml declares as XML, by name or by extension."""
    try:
        root = etree.fromstring(package.read("[Content_Types].xml"), _PARSER)
    except (KeyError, etree.XMLSyntaxError, ValueError):
        return set()
    by_extension = {e.get("Extension", "").lower() for e in root if _local(e) == "Default"
                    and "xml" in (e.get("ContentType") or "").lower()}
    overrides = {(e.get("PartName") or "").lstrip("/") for e in root if _local(e) == "Override"
                 and "xml" in (e.get("ContentType") or "").lower()}
    return overrides | {f"*.{ext}" for ext in by_extension}


def _is_xml(name: str, content: bytes, declared: set[str]) -> bool:
    """XML by its declared content type or by its content, whatever the part is called."""
    if name in declared or f"*.{name.rsplit('.', 1)[-1].lower()}" in declared:
        return True
    head = content[:64]
    for bom in (b"\xef\xbb\xbf", b"\xff\xfe\x00\x00", b"\x00\x00\xfe\xff", b"\xff\xfe", b"\xfe\xff"):
        if head.startswith(bom):
            return True
    stripped = head.lstrip()
    return stripped.startswith(b"<") or b"\x00<" in head[:8] or b"<\x00" in head[:8]


def _local(element) -> str:
    tag = element.tag if isinstance(element.tag, str) else ""
    return tag.rsplit("}", 1)[-1]


def _allowed_link(value: str) -> bool:
    return value.strip().lower().startswith(ALLOWED_EXTERNAL)


def _check_xml(name: str, content: bytes) -> list[str]:
    problems: list[str] = []
    if re.search(rb"<!DOCTYPE|<!ENTITY", content, re.IGNORECASE) or re.search(
            rb"<\x00!\x00D\x00O\x00C|<\x00\x00\x00!\x00\x00\x00D|\x00<\x00!\x00D", content):
        return [Msg("Osassa {part} on DOCTYPE- tai ENTITY-määrittely, jota ei sallita.").format(part=name)]
    try:
        root = etree.fromstring(content, _PARSER)
    except (etree.XMLSyntaxError, ValueError):
        return [Msg("Osaa {part} ei voi lukea (vioittunut tai salattu).").format(part=name)]
    docinfo = root.getroottree().docinfo
    if docinfo.doctype or docinfo.internalDTD is not None:
        return [Msg("Osassa {part} on DOCTYPE- tai ENTITY-määrittely, jota ei sallita.").format(part=name)]
    instructions = []
    for element in root.iter():
        local = _local(element)
        if local == "Relationship":
            problems += _check_relationship(element)
        elif local == "instrText":
            instructions.append(element.text or "")
        for attribute, value in element.attrib.items():
            attribute_local = attribute.rsplit("}", 1)[-1]
            if attribute_local == "instr":
                instructions.append(value)
            elif local != "Relationship" and attribute_local.lower() in _LINK_ATTRIBUTES \
                    and _URL_RE.match(value) and not _allowed_link(value):
                problems.append(Msg("Asiakirjassa on ulkoinen viittaus, jota ei sallita. Vain https- ja mailto-linkit "
                                    "ovat sallittuja."))
    # Word may split one field code over several instrText runs: read them joined.
    joined = " ".join(instructions).upper()
    for code in FIELD_CODES:
        if re.search(rf"(?<![A-Z]){code}(?![A-Z])", joined):
            problems.append(Msg("Asiakirjassa on kenttäkoodi {code}, joka hakee sisältöä muualta. Poista kenttä.").format(
                code=code))
    return problems


def _check_relationship(element) -> list[str]:
    kind = (element.get("Type") or "").rsplit("/", 1)[-1]
    target = element.get("Target") or ""
    external = (element.get("TargetMode") or "").strip().lower() == "external"
    if kind == "aFChunk":
        return [Msg("Asiakirjassa on ulkoinen viittaus ({kind}), jota ei sallita. Vain https- ja mailto-linkit ovat "
                    "sallittuja.").format(kind=kind)]
    if not external and not _URL_RE.match(target):
        return []
    if kind == "hyperlink" and _allowed_link(target):
        return []
    return [Msg("Asiakirjassa on ulkoinen viittaus ({kind}), jota ei sallita. Vain https- ja mailto-linkit ovat "
                "sallittuja.").format(kind=kind or "?")]


def _unique(items: list[str]) -> list[str]:
    return list(dict.fromkeys(items))
