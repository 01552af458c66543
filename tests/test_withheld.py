"""What a document must not show is not in its template's context at all: the contact details of
a person with a non-disclosure marking (turvakielto) in every type, rendition, language and format,
and what the family did not want shared in the relatives' copy, even when a convener's template
prints it."""

from __future__ import annotations

import copy
import io

import pytest
from docx import Document
from pypdf import PdfReader

from service.conversion.pool import ConverterPool
from service.pipeline import produce
from service.registry import DOCUMENT_TYPES, NETWORK, TEMPLATES_DIR
from service.wordtemplates.store import TemplateStore
from tests.conftest import cli_auditor
from tests.docxtext import all_text, header_footer_text

LANGS = ("fi", "sv", "en")
STREET, PHONE, EMAIL, SCHOOL = "Salaisentie 99 B 7", "+358 40 999 8877", "piilossa@example.org", "Salainen koulu"
NOTICE = {"fi": "Yhteystiedot eivät näy asiakirjassa.", "sv": "Kontaktuppgifterna visas inte i dokumentet.",
          "en": "The contact details are not shown in this document."}
SENTINELS = (STREET, PHONE, EMAIL, SCHOOL, "00990")


def protected(payload: dict) -> dict:
    """Every guardian and child of ``payload`` protected, each with the sentinel contact details."""
    payload = copy.deepcopy(payload)
    for guardian in payload.get("guardians", []):
        guardian.update(non_disclosure=True, phone=PHONE, email=EMAIL,
                        postal_address={"street": STREET, "postal_code": "00990", "post_office": "Helsinki"})
    for child in payload.get("children", []):
        if "given_names" in child:
            child.update(non_disclosure=True, school_or_daycare=SCHOOL)
    return payload


def text_of(content: bytes, fmt: str) -> str:
    if fmt == "pdf":
        return "\n".join(page.extract_text() for page in PdfReader(io.BytesIO(content)).pages)
    return all_text(content) + header_footer_text(content)


CASES = [(t, lang, r) for t in DOCUMENT_TYPES for lang in LANGS for r in DOCUMENT_TYPES[t].renditions]


@pytest.mark.parametrize("type_id, lang, rendition", CASES)
def test_a_protected_persons_contact_details_are_in_no_document(type_id, lang, rendition):
    doc_type = DOCUMENT_TYPES[type_id]
    payload = protected(doc_type.example(lang))
    text = text_of(produce(TemplateStore(), doc_type, payload, rendition, audit=cli_auditor()).content, "docx")
    assert not [s for s in SENTINELS if s in text]
    if payload.get("guardians"):
        assert NOTICE[lang] in text  # the neutral line in the phone's place
        assert payload["guardians"][0]["surname"] in text  # the name and role are still there


@pytest.fixture(scope="module")
def pool():
    pool = ConverterPool(size=1, timeout=60, start_timeout=120, wait_timeout=120)
    yield pool
    pool.shutdown()


@pytest.mark.parametrize("lang", LANGS)
def test_nor_in_the_pdf(pool, lang):
    doc_type = DOCUMENT_TYPES["mandate-agreement"]
    payload = protected(doc_type.example(lang))
    pdf = produce(TemplateStore(), doc_type, payload, output_format="pdf", converter=pool, audit=cli_auditor()).content
    text = text_of(pdf, "pdf")
    assert not [s for s in SENTINELS if s in text]
    assert NOTICE[lang].split()[0] in text


def test_an_unprotected_persons_details_are_printed():
    """The test above can fail: without the marking the same details are in the document."""
    doc_type = DOCUMENT_TYPES["mandate-agreement"]
    payload = protected(doc_type.example())
    for guardian in payload["guardians"]:
        guardian["non_disclosure"] = False
    text = all_text(produce(TemplateStore(), doc_type, payload, audit=cli_auditor()).content)
    assert PHONE in text and EMAIL in text and STREET in text


def test_a_template_that_prints_what_is_not_shared_leaks_nothing_into_the_relatives_copy(tmp_path, pool):
    """A convener's summary template that prints sharing.not_to_be_shared everywhere: the family's
    copy shows it, the relatives' copy cannot (docx and pdf)."""
    folder = tmp_path / "templates"
    for lang in LANGS:
        (folder / lang).mkdir(parents=True)
        for path in (TEMPLATES_DIR / lang).glob("*.docx"):
            (folder / lang / path.name).write_bytes(path.read_bytes())
    document = Document(str(TEMPLATES_DIR / "fi" / "summary.docx"))
    document.add_paragraph("Ei jaeta: {{ sharing.not_to_be_shared }}")
    document.save(str(folder / "fi" / "summary.docx"))
    store = TemplateStore(builtin_dir=folder)
    doc_type = DOCUMENT_TYPES["summary"]
    payload = doc_type.example()
    secret = payload["sharing"]["not_to_be_shared"]
    family = produce(store, doc_type, payload, audit=cli_auditor()).content
    assert secret in all_text(family)
    for fmt in ("docx", "pdf"):
        network = produce(store, doc_type, payload, NETWORK, fmt, pool, audit=cli_auditor()).content
        assert secret not in text_of(network, fmt)


@pytest.mark.parametrize("lang", LANGS)
def test_a_protected_childs_school_cell_says_why_it_is_empty(lang):
    """The agreement's children table: a protected child's school cell holds the neutral line,
    as a guardian's phone does, not a blank that reads as forgotten."""
    doc_type = DOCUMENT_TYPES["mandate-agreement"]
    payload = doc_type.example(lang)
    payload["children"][0].update(non_disclosure=True, school_or_daycare=SCHOOL)
    document = Document(io.BytesIO(produce(TemplateStore(), doc_type, payload, audit=cli_auditor()).content))
    rows = [[cell.text for cell in row.cells] for table in document.tables for row in table.rows]
    [row] = [r for r in rows if any(payload["children"][0]["surname"] in c for c in r) and any(NOTICE[lang] in c
                                                                                              for c in r)]
    assert not any(SCHOOL in c for c in row)
