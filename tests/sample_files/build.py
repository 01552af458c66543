"""Builds the corpus of broken and unsafe templates the checker tests use.

    .venv/bin/python tests/sample_files/build.py

Each file is a small .docx made with python-docx (then edited at the zip level where a
construct cannot be made otherwise). EXPECTED below says what the checker must report for
each: severity, a piece of the Word location and a piece of the message. The files are
committed so that the tests read the same bytes every run; rebuild after changing this script.
"""

from __future__ import annotations

import io
import zipfile
from pathlib import Path

from docx import Document
from docx.shared import Pt

HERE = Path(__file__).resolve().parent

# file → list of (severity, location contains, message contains)
EXPECTED: dict[str, list[tuple[str, str, str]]] = {
    "syntax_body.docx": [("virhe", "leipäteksti, kappale 2", "syntaksivirhe")],
    "syntax_table.docx": [("virhe", "taulukko 1, rivi 2, solu 2", "syntaksivirhe")],
    "syntax_footer.docx": [("virhe", "alatunniste", "syntaksivirhe")],
    "misspelled.docx": [("virhe", "leipäteksti, kappale 3", "Tarkoititko «current_situation»")],
    "misspelled_in_loop.docx": [("virhe", "taulukko 1, rivi 3, solu 1", "Tarkoititko «first_name»")],
    "split_runs.docx": [("korjattu", "leipäteksti, kappale 2", "jakanut tagin")],
    "sandbox.docx": [("virhe", "leipäteksti, kappale 1", "«__class__»"),
                     ("virhe", "leipäteksti, kappale 1", "«__mro__»")],
    "unclosed_tag.docx": [("virhe", "leipäteksti, kappale 2", "ei sulkeudu"),
                          ("virhe", "leipäteksti, kappale 2", "syntaksivirhe")],
    "five_errors.docx": [
        ("virhe", "leipäteksti, kappale 1", "syntaksivirhe"),
        ("virhe", "leipäteksti, kappale 3", "Tarkoititko «first_name»"),
        ("virhe", "taulukko 1, rivi 1, solu 2", "Tarkoititko «author»"),
        ("virhe", "ylätunniste", "suodatin"),
        ("virhe", "alatunniste", "Alaviivalla"),
    ],
    "doctype.docx": [("virhe", "tiedosto", "DOCTYPE")],
    "macro.docm": [("virhe", "tiedosto", "makro")],
    "activex.docx": [("virhe", "tiedosto", "ActiveX")],
    "ole_embedding.docx": [("virhe", "tiedosto", "upotettu objekti")],
    "attached_template.docx": [("virhe", "tiedosto", "ulkoinen viittaus (attachedTemplate)")],
    "remote_image.docx": [("virhe", "tiedosto", "ulkoinen viittaus (image)")],
    "frame.docx": [("virhe", "tiedosto", "ulkoinen viittaus (frame)")],
    "subdocument.docx": [("virhe", "tiedosto", "ulkoinen viittaus (subDocument)")],
    "includepicture.docx": [("virhe", "tiedosto", "INCLUDEPICTURE")],
    "includetext.docx": [("virhe", "tiedosto", "INCLUDETEXT")],
    "link_field.docx": [("virhe", "tiedosto", "kenttäkoodi LINK")],
    "dde_field.docx": [("virhe", "tiedosto", "kenttäkoodi DDE")],
    "zip_bomb.docx": [("virhe", "tiedosto", "zip-pommi")],
    "path_traversal.docx": [("virhe", "tiedosto", "polku paketin ulkopuolelle")],
    "not_a_docx.docx": [("virhe", "tiedosto", "ei ole zip-paketti")],
}


def save(doc) -> bytes:
    out = io.BytesIO()
    doc.save(out)
    return out.getvalue()


def base(*paragraphs: str) -> Document:
    doc = Document()
    for text in paragraphs:
        doc.add_paragraph(text)
    return doc


def rezip(data: bytes, replace: dict[str, bytes] | None = None, add: dict[str, bytes] | None = None,
          compression=zipfile.ZIP_DEFLATED) -> bytes:
    out = io.BytesIO()
    with zipfile.ZipFile(io.BytesIO(data)) as source, zipfile.ZipFile(out, "w", compression) as target:
        for info in source.infolist():
            content = (replace or {}).get(info.filename, source.read(info))
            target.writestr(info.filename, content)
        for name, content in (add or {}).items():
            target.writestr(name, content)
    return out.getvalue()


def edit(data: bytes, name: str, old: bytes, new: bytes) -> bytes:
    with zipfile.ZipFile(io.BytesIO(data)) as source:
        content = source.read(name)
    assert old in content, (name, old)
    return rezip(data, replace={name: content.replace(old, new, 1)})


def with_rel(data: bytes, rels_name: str, rel_type: str, target: str) -> bytes:
    rel = (f'<Relationship Id="rIdX1" Type="http://schemas.openxmlformats.org/officeDocument/2006/'
           f'relationships/{rel_type}" Target="{target}" TargetMode="External"/>').encode()
    with zipfile.ZipFile(io.BytesIO(data)) as source:
        if rels_name in source.namelist():
            content = source.read(rels_name).replace(b"</Relationships>", rel + b"</Relationships>")
            return rezip(data, replace={rels_name: content})
    content = (b'<?xml version="1.0" encoding="UTF-8" standalone="yes"?>\n<Relationships xmlns="http://schemas.'
               b'openxmlformats.org/package/2006/relationships">' + rel + b"</Relationships>")
    return rezip(data, add={rels_name: content})


def with_field(data: bytes, instruction: str) -> bytes:
    field = (f'<w:p><w:r><w:fldChar w:fldCharType="begin"/></w:r><w:r><w:instrText xml:space="preserve"> '
             f'{instruction} </w:instrText></w:r><w:r><w:fldChar w:fldCharType="end"/></w:r></w:p>').encode()
    return edit(data, "word/document.xml", b"<w:sectPr", field + b"<w:sectPr")


def build() -> dict[str, bytes]:
    files: dict[str, bytes] = {}
    files["syntax_body.docx"] = save(base("Yhteenveto {{ case_ref }}", "Laatija {{ author.surname | }}", "Loppu"))

    doc = base("Taulukko:")
    table = doc.add_table(rows=2, cols=2)
    table.cell(0, 0).text, table.cell(0, 1).text = "Laatija", "Päiväys"
    table.cell(1, 0).text, table.cell(1, 1).text = "{{ author|full_name }}", "{{ document_date|date( }}"
    files["syntax_table.docx"] = save(doc)

    doc = base("Runko {{ case_ref }}")
    doc.sections[0].footer.paragraphs[0].text = "Asiaviite {{ case_ref ) }}"
    files["syntax_footer.docx"] = save(doc)

    files["misspelled.docx"] = save(base("Tilanne", "Alla nykytilanne:", "{{ curent_situation }}"))

    doc = base("Lapset")
    table = doc.add_table(rows=4, cols=1)
    table.cell(0, 0).text = "Nimi"
    table.cell(1, 0).text = "{%tr for c in children %}"
    table.cell(2, 0).text = "{{ c.frist_name }}"
    table.cell(3, 0).text = "{%tr endfor %}"
    files["misspelled_in_loop.docx"] = save(doc)

    doc = base("Alku")
    paragraph = doc.add_paragraph("Asiaviite: ")
    paragraph.add_run("{{ case")
    run = paragraph.add_run("_ref }}")
    run.bold = True
    run.font.size = Pt(12)
    files["split_runs.docx"] = save(doc)

    files["sandbox.docx"] = save(base("{{ case_ref.__class__.__mro__ }}"))
    files["unclosed_tag.docx"] = save(base("Alku", "{% if other_support %}Muu tuki: {% endif", "Loppu {{ case_ref }}"))

    doc = base("Alku {{ case_ref | }}", "Lapset:", "{{ children[0].frist_name }}")
    table = doc.add_table(rows=1, cols=2)
    table.cell(0, 0).text, table.cell(0, 1).text = "Laatija", "{{ autor|full_name }}"
    doc.sections[0].header.paragraphs[0].text = "{{ document_date|pvm }}"
    doc.sections[0].footer.paragraphs[0].text = "{{ case_ref.__class__ }}"
    files["five_errors.docx"] = save(doc)

    plain = save(base("Yhteenveto {{ case_ref }}"))
    files["doctype.docx"] = edit(plain, "word/document.xml", b"?>",
                                 b'?>\n<!DOCTYPE w:document [<!ENTITY lol "lol">]>')
    macro = rezip(plain, add={"word/vbaProject.bin": b"\xd0\xcf\x11\xe0" + b"\x00" * 512})
    files["macro.docm"] = edit(macro, "[Content_Types].xml",
                               b"application/vnd.openxmlformats-officedocument.wordprocessingml.document.main+xml",
                               b"application/vnd.ms-word.document.macroEnabled.main+xml")
    files["activex.docx"] = rezip(plain, add={"word/activeX/activeX1.xml": b'<?xml version="1.0"?><ax:ocx '
                                              b'xmlns:ax="http://schemas.microsoft.com/office/2006/activeX"/>'})
    files["ole_embedding.docx"] = rezip(plain, add={"word/embeddings/oleObject1.bin": b"\xd0\xcf\x11\xe0" + b"\x00" * 64})
    files["attached_template.docx"] = with_rel(plain, "word/_rels/settings.xml.rels", "attachedTemplate",
                                               "file:///C:/Templates/Normal.dotm")
    files["remote_image.docx"] = with_rel(plain, "word/_rels/document.xml.rels", "image",
                                          "http://example.invalid/pixel.png")
    files["frame.docx"] = with_rel(plain, "word/_rels/document.xml.rels", "frame", "https://example.invalid/")
    files["subdocument.docx"] = with_rel(plain, "word/_rels/document.xml.rels", "subDocument",
                                         "file:///server/share/osa.docx")
    files["includepicture.docx"] = with_field(plain, 'INCLUDEPICTURE "http://example.invalid/a.png" \\d')
    files["includetext.docx"] = with_field(plain, 'INCLUDETEXT "C:\\\\salaiset\\\\muistio.docx"')
    files["link_field.docx"] = with_field(plain, 'LINK Excel.Sheet.8 "C:\\\\data.xls" "Sheet1!R1C1"')
    files["dde_field.docx"] = with_field(plain, 'DDE cmd "/c calc" "x"')
    files["zip_bomb.docx"] = rezip(plain, add={"word/media/filler.xml": b"\x00" * (60 * 1024 * 1024)})
    files["path_traversal.docx"] = rezip(plain, add={"../../evil.xml": b"<x/>"})
    files["not_a_docx.docx"] = "Tämä ei ole Word-asiakirja vaan tekstiä.\n".encode()
    return files


if __name__ == "__main__":
    for name, content in build().items():
        (HERE / name).write_bytes(content)
        print(f"{name}: {len(content)} bytes")
