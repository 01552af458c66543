"""Values print exactly as sent: docxtpl's brace escape ("{_{" → "{{") is for template text, not
for data, and a tag in the document properties is escaped once (by python-docx), not twice."""

from __future__ import annotations

import io

from docx import Document

from service.registry import CONTEXT_EXTRAS, DOCUMENT_TYPES, TEMPLATES_DIR
from service.rendering.docx_template import load_template, render
from tests.conftest import load_example
from tests.docxtext import all_text

ODD = "T{_{X}_}Y{_%Z%_}W"


def rendered(template_bytes: bytes, payload: dict) -> bytes:
    doc_type = DOCUMENT_TYPES["summary"]
    template = load_template("summary", template_bytes, doc_type.fields, CONTEXT_EXTRAS)
    return render(template, doc_type.context(doc_type.schema().load(payload)))


def test_braces_and_underscores_print_as_sent():
    payload = load_example("summary")
    payload["current_situation"] = ODD
    content = rendered((TEMPLATES_DIR / "fi" / "summary.docx").read_bytes(), payload)
    assert ODD in all_text(content)


def test_the_template_escape_still_prints_a_literal_tag():
    document = Document()
    document.add_paragraph("Kirjoita {_{ nimi }_} itse: {{ case_ref }}")
    out = io.BytesIO()
    document.save(out)
    content = rendered(out.getvalue(), load_example("summary"))
    assert "Kirjoita {{ nimi }} itse: LNP-2026-0042" in all_text(content)


def test_a_tag_in_the_document_title_is_escaped_once():
    document = Document(str(TEMPLATES_DIR / "fi" / "summary.docx"))
    document.core_properties.title = "{{ author|full_name }} – {{ current_situation }}"
    out = io.BytesIO()
    document.save(out)
    payload = load_example("summary")
    payload["author"]["surname"] = "O'Brien & <Co>"
    payload["current_situation"] = ODD
    content = rendered(out.getvalue(), payload)
    title = Document(io.BytesIO(content)).core_properties.title
    assert "O'Brien & <Co>" in title and ODD in title
