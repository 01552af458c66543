"""Read every piece of text out of a .docx the way a reader sees it: body, tables (nested
ones included), headers and footers, in document order."""

from __future__ import annotations

import io

from docx import Document
from docx.oxml.ns import qn

# A zero-width space prints nothing: the documents put one where an e-mail or web address may
# break (service/rendering/formatting.py).
ZERO_WIDTH = "\u200b"


def _paragraph_text(p_element) -> str:
    parts = []
    for node in p_element.iter():
        if node.tag == qn("w:t"):
            parts.append((node.text or "").replace(ZERO_WIDTH, ""))
        elif node.tag == qn("w:br"):
            parts.append("\n")
        elif node.tag == qn("w:tab"):
            parts.append("\t")
    return "".join(parts)


def paragraphs(element) -> list[str]:
    return [_paragraph_text(p) for p in element.iter(qn("w:p"))]


def document_parts(content: bytes):
    doc = Document(io.BytesIO(content))
    parts = {"body": doc.element.body}
    for index, section in enumerate(doc.sections):
        for kind in ("header", "first_page_header", "even_page_header", "footer", "first_page_footer", "even_page_footer"):
            hf = getattr(section, kind)
            if not hf.is_linked_to_previous:
                parts[f"{kind}{index}"] = hf._element
    return doc, parts


def all_text(content: bytes) -> str:
    _, parts = document_parts(content)
    return "\n".join("\n".join(paragraphs(el)) for el in parts.values())


def header_footer_text(content: bytes) -> str:
    _, parts = document_parts(content)
    return "\n".join("\n".join(paragraphs(el)) for name, el in parts.items() if name != "body")


def string_values(data, path=""):
    """Every string leaf of a JSON document, with its path."""
    if isinstance(data, dict):
        for key, value in data.items():
            yield from string_values(value, f"{path}.{key}" if path else key)
    elif isinstance(data, list):
        for index, value in enumerate(data):
            yield from string_values(value, f"{path}[{index}]")
    elif isinstance(data, str):
        yield path, data
