"""What a rendered document is made into (service/rendering/finishing.py and the templates): an
age in months for an infant, addresses that break only at sensible points, a value's lines as
paragraphs and bullets, copies that promise nothing the data forbids, properties that are the
document's own, no empty contact rows, notices as visible as the confidentiality mark.

The page-level checks (headings, rows and signature blocks over pages) are in tests/test_layout.py.
"""

from __future__ import annotations

import datetime as dt
import io
import re
import zipfile

import pytest
from docx import Document
from docx.oxml.ns import qn
from lxml import etree

from schemas.i18n import LANGUAGES
from service.pipeline import produce
from service.registry import DOCUMENT_TYPES, FAMILY
from service.rendering.formatting import BREAK, age_text, breakable_addresses
from service.wordtemplates.store import TemplateStore
from tests.conftest import cli_auditor, load_example
from tests.converted import pdf_page_texts
from tests.docxtext import all_text
from tests.layout_cases import stress
from tests.template_wording import TEXTS


def render(type_id: str, payload: dict, rendition: str = FAMILY) -> bytes:
    return produce(TemplateStore(), DOCUMENT_TYPES[type_id], payload, rendition, audit=cli_auditor()).content


def raw_texts(docx: bytes) -> list[str]:
    """Each paragraph's text as stored (zero-width spaces kept)."""
    body = Document(io.BytesIO(docx)).element.body
    return ["".join(t.text or "" for t in p.iter(qn("w:t"))) for p in body.iter(qn("w:p"))]


# --- an infant's age ------------------------------------------------------------------------------

@pytest.mark.parametrize("lang, infant, one_month, newborn, child", [
    ("fi", "4 kk", "1 kk", "alle 1 kk", "13 v."),
    ("sv", "4 mån.", "1 mån.", "under 1 mån.", "13 år"),
    ("en", "4 months", "1 month", "under 1 month", "13 years"),
])
def test_an_age_under_one_year_is_in_months(lang, infant, one_month, newborn, child):
    on = dt.date(2026, 10, 5)
    assert age_text(dt.date(2026, 6, 1), on, lang) == infant
    assert age_text(dt.date(2026, 9, 5), on, lang) == one_month
    assert age_text(dt.date(2026, 9, 20), on, lang) == newborn
    assert age_text(dt.date(2013, 3, 7), on, lang) == child


@pytest.mark.parametrize("lang", LANGUAGES)
def test_an_infant_in_a_summary_is_months_old_not_zero_years(lang):
    payload = load_example("summary", lang)
    payload["children"][1]["birth_date"] = "2026-06-01"  # four months before the document date
    payload["document_date"] = "2026-10-05"
    text = all_text(render("summary", payload))
    assert age_text(dt.date(2026, 6, 1), dt.date(2026, 10, 5), lang) in text
    assert not re.search(r"\b0 (v\.|år|years)", text)


# --- addresses --------------------------------------------------------------------------------------

def test_an_address_breaks_after_the_at_sign_and_before_dots_and_slashes_only():
    assert breakable_addresses("maret.saijets@example.com") == f"maret{BREAK}.saijets@{BREAK}example{BREAK}.com"
    assert breakable_addresses("https://www.hel.fi/fi/sosiaali") == (
        f"https://{BREAK}www{BREAK}.hel{BREAK}.fi{BREAK}/fi{BREAK}/sosiaali")
    assert breakable_addresses("Soita 040 123 4567.") == "Soita 040 123 4567."  # not an address


@pytest.mark.parametrize("lang", LANGUAGES)
def test_the_agreements_addresses_carry_break_points_and_nothing_else_does(lang):
    payload = load_example("mandate-agreement", lang)
    payload["guardians"][0]["email"] = "amal.alrubaie-saijets.perhe@example-posti.com"
    texts = raw_texts(render("mandate-agreement", payload))
    with_breaks = [t for t in texts if BREAK in t]
    assert any("@" + BREAK in t for t in with_breaks)
    for text in with_breaks:  # each break point is at a dot, a slash or just after "@" or "//"
        for index in (i for i, c in enumerate(text) if c == BREAK):
            after, before = text[index + 1:index + 2], text[index - 1:index]
            assert after in "./?#&=" or before in "@/", text
    assert "amal.alrubaie-saijets.perhe@example-posti.com" in all_text(render("mandate-agreement", payload))


# --- paragraphs and bullets -------------------------------------------------------------------------

def test_a_values_lines_become_paragraphs_and_its_dash_lines_a_bulleted_list():
    payload = load_example("summary")
    payload["current_situation"] = ("Ensimmäinen kappale tilanteesta.\nToinen kappale tilanteesta.\n"
                                    "- Elle käy koulua.\n• Iisak käy harrastuksissa.")
    document = Document(io.BytesIO(render("summary", payload)))
    paragraphs = {p.text: p for p in document.paragraphs}
    assert "Ensimmäinen kappale tilanteesta." in paragraphs and "Toinen kappale tilanteesta." in paragraphs
    for item in ("Elle käy koulua.", "Iisak käy harrastuksissa."):
        paragraph = paragraphs[item]  # the marker is gone: the list gives the bullet
        numbered = paragraph._p.find(f"{qn('w:pPr')}/{qn('w:numPr')}") is not None
        assert numbered or "List" in (paragraph.style.name or ""), item
    assert not any(text.startswith(("- ", "• ")) for text in paragraphs)


# --- copies and notices -----------------------------------------------------------------------------

@pytest.mark.parametrize("lang", LANGUAGES)
def test_the_family_copy_promises_no_relatives_copy_the_family_did_not_approve(lang):
    payload = load_example("summary", lang)
    T = TEXTS[lang]
    assert T["copy.family.note"] in all_text(render("summary", payload))
    payload["sharing"]["approved_for_network"] = False
    text = all_text(render("summary", payload))
    assert T["copy.family.note"] not in text and T["copy.family.not_shared"] in text


@pytest.mark.parametrize("lang", LANGUAGES)
def test_an_empty_list_gets_a_neutral_sentence(lang):
    payload = load_example("follow-up-summary", lang)
    payload["worked_well"] = []
    text = all_text(render("follow-up-summary", payload))
    assert TEXTS[lang]["follow_up.worked_well.none"] in text


@pytest.mark.parametrize("lang", LANGUAGES)
def test_an_agreement_without_any_consent_says_the_conference_cannot_go_ahead(lang):
    payload = load_example("mandate-agreement", lang)
    T = TEXTS[lang]
    assert T["mandate.no_consent"] not in all_text(render("mandate-agreement", payload))
    payload["consent"]["to_coordinator"] = payload["consent"]["to_network"] = False
    text = all_text(render("mandate-agreement", payload))
    assert T["mandate.no_consent"] in text and T["mandate.consent.none.clause"] in text


@pytest.mark.parametrize("lang", LANGUAGES)
def test_the_acute_marker_is_as_visible_as_the_confidentiality_mark(lang):
    payload = load_example("mandate-agreement", lang)
    payload["is_acute"] = True
    document = Document(io.BytesIO(render("mandate-agreement", payload)))
    [marker] = [p for p in document.paragraphs if p.text.startswith(TEXTS[lang]["mandate.acute"])]
    assert all(run.bold or (run.style is not None and run.style.font.bold) for run in marker.runs
               if run.text.startswith(TEXTS[lang]["mandate.acute"]))
    borders = marker._p.find(f"{qn('w:pPr')}/{qn('w:pBdr')}")
    assert borders is not None  # a rule above and below, as the notices have


@pytest.mark.parametrize("lang", LANGUAGES)
def test_a_guardian_without_contact_details_has_no_empty_contact_row(lang):
    payload = load_example("mandate-agreement", lang)
    for name in ("phone", "email", "postal_address"):
        payload["guardians"][1].pop(name, None)
    document = Document(io.BytesIO(render("mandate-agreement", payload)))
    contact_rows = [row for table in document.tables for row in table.rows
                    if payload["guardians"][0]["surname"] in row.cells[0].text or
                    payload["guardians"][1]["surname"] in row.cells[0].text]
    for row in contact_rows:  # every row that names a guardian has something in it besides the name
        assert any(cell.text.strip() for cell in row.cells[1:]), [c.text for c in row.cells]


# --- properties ---------------------------------------------------------------------------------

@pytest.mark.parametrize("type_id", sorted(DOCUMENT_TYPES))
def test_the_document_properties_are_the_documents_own(type_id):
    payload = load_example(type_id, "sv")
    before = dt.datetime.now(dt.UTC).replace(microsecond=0)
    content = render(type_id, payload)
    with zipfile.ZipFile(io.BytesIO(content)) as package:
        core = etree.fromstring(package.read("docProps/core.xml"))
        app = package.read("docProps/app.xml").decode("utf-8")
    values = {etree.QName(e).localname: (e.text or "") for e in core}
    assert values["title"] == DOCUMENT_TYPES[type_id].title("sv")
    assert values["language"] == "sv-FI"
    created = dt.datetime.fromisoformat(values["created"].replace("Z", "+00:00"))
    assert before - dt.timedelta(seconds=1) <= created <= dt.datetime.now(dt.UTC) + dt.timedelta(seconds=1)
    everything = " ".join(values.values()) + app
    for leftover in ("Asiakirjapohja", "Dokumentmall", "build_templates", "Microsoft", "Macintosh"):
        assert leftover not in everything
    assert "<Application>lnp-docs</Application>" in app


# --- the header -----------------------------------------------------------------------------------

@pytest.mark.parametrize("lang", LANGUAGES)
@pytest.mark.parametrize("type_id", sorted(DOCUMENT_TYPES))
def test_the_confidentiality_mark_fits_on_one_header_line(client, type_id, lang):
    payload = load_example(type_id, lang)
    response = client.post(f"/api/v1/documents/{type_id}?format=pdf", json=payload)
    assert response.status_code == 200
    lines = pdf_page_texts(response.data)[0].splitlines()
    assert any(TEXTS[lang]["confidential"] in line for line in lines), lines[:4]


# --- a heading's short note keeps with the text it introduces -------------------------------------

NOTES = [("summary", "sharing.not_shared.note"), ("follow-up-summary", "sharing.not_shared.note"),
         ("follow-up-summary", "follow_up.bottom_lines.intro"), ("questions", "questions.bottom_lines.intro"),
         ("mandate-agreement", "mandate.safety.note")]


@pytest.mark.parametrize("lang", LANGUAGES)
@pytest.mark.parametrize("type_id, key", NOTES)
def test_a_headings_note_keeps_with_the_text_it_introduces(type_id, key, lang):
    """A heading and its note never stand at a page's foot without the text after them: the note
    keeps with the next paragraph as the heading keeps with the note."""
    body = Document(io.BytesIO(render(type_id, load_example(type_id, lang)))).element.body
    notes = [p for p in body.iter(qn("w:p")) if "".join(t.text or "" for t in p.iter(qn("w:t"))) == TEXTS[lang][key]]
    assert len(notes) == 1
    assert notes[0].find(f"{qn('w:pPr')}/{qn('w:keepNext')}") is not None


# --- a tall table breaks between its rows ---------------------------------------------------------

@pytest.mark.parametrize("lang", LANGUAGES)
def test_a_tall_contact_table_breaks_between_rows_with_its_header_repeated(lang):
    """The agreement's contact table of eight guardians with long addresses is taller than a third
    of a page: kept whole it would move to the next page and leave most of its page empty. Its rows
    stay whole (cantSplit) and its header row repeats (tblHeader) and keeps with the first row,
    but no other row keeps with the next except the one before the last."""
    body = Document(io.BytesIO(render("mandate-agreement", stress("mandate-agreement", lang)))).element.body
    table = next(t for t in body.iter(qn("w:tbl")) if "aino-maria" in "".join(x.text or "" for x in t.iter(qn("w:t"))))
    rows = table.findall(qn("w:tr"))
    assert len(rows) == 9  # the header and eight guardians

    def keeps(row):
        return all(p.find(f"{qn('w:pPr')}/{qn('w:keepNext')}") is not None for p in row.iter(qn("w:p")))

    assert all(row.find(f"{qn('w:trPr')}/{qn('w:cantSplit')}") is not None for row in rows)
    assert rows[0].find(f"{qn('w:trPr')}/{qn('w:tblHeader')}") is not None and keeps(rows[0])
    assert [keeps(row) for row in rows[1:]] == [False] * 6 + [True, False]
