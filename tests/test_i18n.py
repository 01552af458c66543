"""Messages in fi, sv and en — the catalogues, Accept-Language, validation messages,
the template checker and the field catalogue in the reader's language."""

from __future__ import annotations

import io
import re
import sys
from pathlib import Path

import pytest
from docx import Document

from schemas.fields import REQUIRED
from schemas.i18n import LANGUAGES, Msg, check_catalogues, gettext, language
from service.registry import DOCUMENT_TYPES, TEMPLATES_DIR
from service.wordtemplates.checker import check
from tests.conftest import TYPE_IDS, post_json

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT / "tools"))
import messages  # noqa: E402  (tools/messages.py)

OTHER = ("sv", "en")
PLACEHOLDER = re.compile(r"\{[a-z_]*\}|%\([a-z_]+\)s")


@pytest.fixture(scope="module")
def collected():
    return messages.collect()


# --- the catalogues ------------------------------------------------------------------------------

@pytest.mark.parametrize("lang", OTHER)
def test_no_catalogue_has_a_missing_or_fuzzy_translation(collected, lang):
    """Every message the service can show — code, page templates and every schema label, help
    text, list label and document name — is translated, and nothing is fuzzy."""
    assert messages.problems(lang, collected) == []


@pytest.mark.parametrize("lang", OTHER)
def test_translations_keep_their_placeholders_and_quotes(lang):
    catalog = messages.read(lang)
    wrong = []
    for message in catalog:
        if not message.id or not message.string:
            continue
        ids = message.id if isinstance(message.id, tuple) else (message.id,)
        strings = message.string if isinstance(message.string, tuple) else (message.string,)
        for string in strings:
            original = ids[-1] if len(ids) > 1 and string is not strings[0] else ids[0]
            if set(PLACEHOLDER.findall(original)) != set(PLACEHOLDER.findall(string)):
                wrong.append((original, string))
            # the checker finds the field named in a message by its «» quotes
            if original.count("«") != string.count("«"):
                wrong.append((original, string))
    assert wrong == []


def test_compiled_catalogues_are_current():
    check_catalogues()  # raises when a .mo is missing or older than its .po


def test_translations_are_not_copies_of_the_finnish(collected):
    """A catalogue that "translates" by copying the Finnish would pass the completeness check."""
    for lang in OTHER:
        catalog = messages.read(lang)
        same = [m.id for m in catalog if m.id and m.string == m.id and re.search(r"[äöÄÖ]", m.id)]
        assert same == [], lang


# --- Msg ----------------------------------------------------------------------------------------

def test_a_message_follows_the_language_it_is_used_in():
    message = Msg("Arvon on oltava välillä {min}–{max}.")
    with language("fi"):
        assert message.format(min=1, max=5) == "Arvon on oltava välillä 1–5."
    for lang in OTHER:
        with language(lang):
            text = message.format(min=1, max=5)
        assert "5" in text and "Arvon" not in text
        assert text.msgid == str.__str__(message)


# --- the API: Accept-Language ---------------------------------------------------------------------

@pytest.mark.parametrize("header, expected", [
    (None, "fi"),
    ("sv", "sv"),
    ("sv-FI,sv;q=0.9,fi;q=0.8", "sv"),
    ("en-GB,en;q=0.9", "en"),
    ("de-DE,de;q=0.9", "fi"),
    ("de;q=1.0,en;q=0.5", "en"),
    ("fi;q=0.3,sv;q=0.7", "sv"),
])
def test_the_api_answers_in_the_accept_language(client, example, header, expected):
    payload = example("summary")
    del payload["document_date"]
    headers = {"Accept-Language": header} if header else {}
    response = post_json(client, "summary", payload, headers=headers)
    assert response.status_code == 422
    assert response.headers["Content-Language"] == expected
    assert "Accept-Language" in response.headers["Vary"]
    body = response.get_json()
    error = next(e for e in body["errors"] if e["path"] == "document_date")
    assert error["message"] == gettext(REQUIRED, expected)
    assert error["label"] == gettext("Päiväys", expected)
    assert body["message"] == gettext("Tiedoissa on virheitä. Korjaa alla luetellut kentät.", expected)
    assert "msgid" not in error


@pytest.mark.parametrize("lang, words", [
    ("fi", ["Pakollinen tieto puuttuu", "Päivämäärä ei ole kelvollinen", "Sallitut arvot"]),
    ("sv", ["saknas", "datum", "Tillåtna värden"]),
    ("en", ["missing", "date", "Allowed values"]),
])
def test_a_422_in_each_language(client, example, lang, words):
    """Three kinds of problem in one request, each message in the caller's language; the API's
    document language (``language`` in the payload) does not decide the message language."""
    payload = example("mandate-agreement")
    payload["language"] = "fi"
    del payload["place"]
    payload["document_date"] = "2026-02-30"
    payload["guardians"][0]["relation_to_child"] = "aunt"
    response = post_json(client, "mandate-agreement", payload, headers={"Accept-Language": lang})
    assert response.status_code == 422
    text = " ".join(e["message"] for e in response.get_json()["errors"])
    for word in words:
        assert word.lower() in text.lower(), (lang, word, text)
    if lang != "fi":
        assert "puuttuu" not in text and "kelvollinen" not in text


def test_errors_outside_validation_are_translated_too(client):
    for lang in LANGUAGES:
        response = client.post("/api/v1/documents/summary", data=b"{not json", content_type="application/json",
                               headers={"Accept-Language": lang})
        assert response.status_code == 400
        assert response.get_json()["message"] == gettext("Pyynnön sisältö ei ole kelvollista JSONia.", lang)
        response = client.get("/api/v1/no-such-thing", headers={"Accept-Language": lang})
        assert response.get_json()["message"] == gettext("Resurssia ei löydy.", lang)


def test_an_unknown_key_is_reported_in_the_callers_language(client, example):
    """marshmallow stores the unknown-key message without formatting it: it is still translated."""
    payload = example("questions")
    payload["extra_field"] = "x"
    for lang in OTHER:
        response = post_json(client, "questions", payload, headers={"Accept-Language": lang})
        error = next(e for e in response.get_json()["errors"] if e["path"] == "extra_field")
        assert error["message"] == gettext("Tuntematon kenttä. Tarkista kentän nimi.", lang)
        assert "Tuntematon" not in error["message"]


# --- documents: what the payload's language changes ------------------------------------------------

@pytest.mark.parametrize("lang", LANGUAGES)
def test_left_out_standard_questions_are_written_in_the_documents_language(lang):
    from schemas.questions import STANDARD_QUESTIONS, QuestionsSchema
    from tests.conftest import load_example

    payload = load_example("questions")
    payload["language"] = lang
    del payload["standard_questions"]
    data = QuestionsSchema().load(payload)
    assert [q["text"] for q in data["standard_questions"]] == [gettext(t, lang) for t in STANDARD_QUESTIONS.values()]
    if lang == "sv":
        assert data["standard_questions"][3]["text"] == "Vem får planen?"
    if lang == "en":
        assert data["standard_questions"][3]["text"] == "Who will receive a copy of the plan?"


def test_the_document_language_is_validated(client, example):
    payload = example("summary")
    payload["language"] = "de"
    response = post_json(client, "summary", payload, headers={"Accept-Language": "en"})
    assert response.status_code == 422
    error = next(e for e in response.get_json()["errors"] if e["path"] == "language")
    assert "fi, sv, en" in error["message"]


# --- the checker and the field catalogue in the convener's language -------------------------------

def _broken_template() -> bytes:
    """The Finnish summary template with a misspelt field and an unknown filter in its body."""
    data = (TEMPLATES_DIR / "fi" / "summary.docx").read_bytes()
    document = Document(io.BytesIO(data))
    document.add_paragraph("{{ children[0].frist_name }} {{ document_date|pvm }}")
    out = io.BytesIO()
    document.save(out)
    return out.getvalue()


@pytest.mark.parametrize("lang", LANGUAGES)
def test_checker_reports_in_the_conveners_language(lang):
    data = _broken_template()
    with language(lang):
        report = check(data, DOCUMENT_TYPES["summary"])
    messages_ = [f.message for f in report.findings if f.severity == "virhe"]
    assert len(messages_) == 2
    unknown_field = next(m for m in messages_ if "frist_name" in m)
    unknown_filter = next(m for m in messages_ if "pvm" in m)
    assert "«first_name»" in unknown_field  # the suggestion survives translation
    locations = {f.location for f in report.findings if f.severity == "virhe"}
    if lang == "fi":
        assert unknown_field.startswith("Tuntematon kenttä")
        # "leipäteksti, kappale 3", or under the heading above it: "leipäteksti, otsikon «…» alla, kappale 2"
        assert all(loc.startswith("leipäteksti, ") and "kappale" in loc for loc in locations)
    else:
        assert "Tuntematon" not in unknown_field + unknown_filter
        assert not any("leipäteksti" in loc or "kappale" in loc for loc in locations)
        with language(lang):
            assert all(loc.startswith(gettext("leipäteksti")) for loc in locations)


@pytest.mark.parametrize("lang", OTHER)
def test_template_check_api_answers_in_the_accept_language(app, lang):
    from tests.conftest import client_with_token

    convener = client_with_token(app, "convener")
    response = convener.post("/api/v1/templates/summary/check", data=_broken_template(),
                             content_type="application/vnd.openxmlformats-officedocument.wordprocessingml.document",
                             headers={"Accept-Language": lang})
    assert response.status_code in (200, 422), response.get_json()
    findings = response.get_json()["findings"]
    assert findings and not any("Tuntematon" in f["message"] for f in findings)


@pytest.mark.parametrize("lang", LANGUAGES)
def test_field_catalogue_in_the_readers_language(client, lang):
    response = client.get("/api/v1/document-types/summary/fields", headers={"Accept-Language": lang})
    assert response.status_code == 200
    body = response.get_json()
    assert body["language"] == lang
    row = next(r for r in body["fields"] if r["path"] == "document_date")
    assert row["label"] == gettext("Päiväys", lang)
    status = next(r for r in body["fields"] if r["path"] == "services[].status")
    assert status["choices"]["in_use"] == gettext("käytössä", lang)
    date_filter = next(f for f in body["filters"] if f["name"] == "date")
    assert date_filter["result"] == {"fi": "25.1.2022", "sv": "25.1.2022", "en": "25 January 2022"}[lang]
    if lang != "fi":
        assert row["label"] != "Päiväys"


@pytest.mark.parametrize("type_id", TYPE_IDS)
def test_field_guide_docx_in_swedish(type_id):
    from service.wordtemplates import field_guide

    with language("sv"):
        data = field_guide.as_docx(DOCUMENT_TYPES[type_id])
        title = DOCUMENT_TYPES[type_id].title()
        name = field_guide.file_name(DOCUMENT_TYPES[type_id])
    document = Document(io.BytesIO(data))
    text = "\n".join(p.text for p in document.paragraphs)
    assert title in text and "Kenttäopas" not in text
    assert name.isascii() and not name.startswith("kenttaopas")


def test_document_types_are_named_in_the_callers_language(client):
    for lang in LANGUAGES:
        listing = client.get("/api/v1/document-types", headers={"Accept-Language": lang}).get_json()
        summary = next(t for t in listing if t["id"] == "summary")
        assert summary["label"] == gettext("Yhteenveto", lang)
        assert summary["languages"] == ["fi", "sv", "en"]
    assert summary["label"] == "Summary"


@pytest.mark.parametrize("lang", LANGUAGES)
def test_example_in_each_language(client, lang):
    example = client.get(f"/api/v1/document-types/questions/example?language={lang}").get_json()
    assert example["language"] == lang
    assert client.get("/api/v1/document-types/questions/example?language=de").status_code == 400


def test_a_document_says_its_own_language_and_an_error_the_readers(client):
    from tests.conftest import load_example

    response = post_json(client, "summary", load_example("summary", "sv"), headers={"Accept-Language": "en"})
    assert response.status_code == 200
    assert response.headers["Content-Language"] == "sv"
    assert response.headers["Content-Disposition"].startswith('attachment; filename="sammanfattning_')
