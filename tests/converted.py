"""Read the text of an .odt (odfpy) and of a PDF's pages (pypdf) the way a reader sees it."""

from __future__ import annotations

import io
import re
import unicodedata

from odf import teletype
from odf.namespaces import TEXTNS
from odf.opendocument import load
from pypdf import PdfReader


def odt_text(content: bytes) -> str:
    """Every paragraph and heading in document order: the body, then the page styles
    (headers and footers)."""
    doc = load(io.BytesIO(content))
    wanted = ((TEXTNS, "p"), (TEXTNS, "h"))
    lines: list[str] = []

    def walk(node):
        if node.qname in wanted:  # a zero-width space (a break point in an address) prints nothing
            lines.append(teletype.extractText(node).replace("\u200b", ""))
            return
        for child in node.childNodes:
            if child.nodeType == child.ELEMENT_NODE:
                walk(child)

    walk(doc.body)
    walk(doc.masterstyles)
    return "\n".join(lines)


def normalise(value: str) -> str:
    """One form for comparing printed text: compatibility forms folded (a PDF may carry
    ligatures or no-break spaces) and every run of whitespace one space."""
    return re.sub(r"\s+", " ", unicodedata.normalize("NFKC", value).replace("\u200b", "")).strip()


def compact(value: str) -> str:
    """Printed text without any whitespace, for comparing with a PDF's text.

    A PDF holds glyphs at positions, not spaces: pypdf infers them, and where the layout
    breaks a line after a dash (2026–<break>2027) or inside right-to-left text it places them
    differently from the data. Every other character still has to be there, in order.
    """
    return re.sub(r"[\s\u200b]+", "", unicodedata.normalize("NFKC", value))


def without_symbols(value: str) -> tuple[str, set[str]]:
    """(the text without symbol characters such as ⚽, the symbols). LibreOffice draws a
    symbol that the text font lacks with a fallback font, in a text run of its own written
    after the line: in the PDF's text it turns up later than where it is printed, in the
    middle of other words. Text and symbols are therefore checked apart."""
    symbols = {c for c in value if unicodedata.category(c) == "So"}
    return "".join(c for c in value if c not in symbols), symbols


def pdf_body_text(content: bytes, page_height: float, top_margin: float, bottom_margin: float) -> list[str]:
    """The body text of each page, without the running header and footer.

    A value that flows over a page break is then one run of text again; with the header and
    footer in between it would be split. The body is the band between the margins, in PDF
    points from the bottom of the page.
    """
    pages = []
    for page in PdfReader(io.BytesIO(content)).pages:
        parts: list[str] = []

        def visit(chunk, cm, tm, font, size, parts=parts):
            if not chunk.strip():
                parts.append(chunk)
                return
            y = tm[4] * cm[1] + tm[5] * cm[3] + cm[5]
            if bottom_margin <= y <= page_height - top_margin:
                parts.append(chunk)

        page.extract_text(visitor_text=visit)
        pages.append("".join(parts))
    return pages


def pdf_page_texts(content: bytes) -> list[str]:
    return [page.extract_text() for page in PdfReader(io.BytesIO(content)).pages]


def docx_text_with_field_codes(content: bytes) -> str:
    """The text of a .docx with each field (page number, page count) as its code, ``{PAGE}``,
    instead of the result Word or LibreOffice last cached in it: a template saved again
    caches different page numbers, but it prints the same."""
    from docx.oxml.ns import qn

    from tests.docxtext import document_parts

    _, parts = document_parts(content)
    lines = []
    for element in parts.values():
        for paragraph in element.iter(qn("w:p")):
            pieces, in_result = [], False
            for node in paragraph.iter():
                if node.tag == qn("w:fldChar"):
                    in_result = node.get(qn("w:fldCharType")) == "separate"
                elif node.tag == qn("w:instrText") and (node.text or "").strip():
                    pieces.append(f"{{{node.text.split()[0].upper()}}}")
                elif node.tag == qn("w:fldSimple"):
                    pieces.append("{{{}}}".format(node.get(qn("w:instr")).split()[0].upper()))
                elif node.tag == qn("w:t") and not in_result and not any(
                        a.tag == qn("w:fldSimple") for a in node.iterancestors()):
                    pieces.append(node.text or "")
                elif node.tag == qn("w:br"):
                    pieces.append("\n")
                elif node.tag == qn("w:tab"):
                    pieces.append("\t")
            lines.append("".join(pieces))
    return "\n".join(lines)
