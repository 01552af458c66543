"""Words a person reads: agreement with the field's label, plural forms where a count is printed
(Babel's plural rules through the catalogues), help texts without code, examples that fit the
field."""

from __future__ import annotations

import io
import re
from pathlib import Path

import pytest
from docx import Document

from schemas.i18n import LANGUAGES, language
from service.pages.case_form import COMMON, section
from service.pages.formerrors import friendly
from service.registry import DOCUMENT_TYPES, TEMPLATES_DIR
from service.wordtemplates.checker import check
from tests.conftest import lnp, load_example, post_json

AGREEMENT = DOCUMENT_TYPES["mandate-agreement"]
QUESTIONS = DOCUMENT_TYPES["questions"]
REQUIRED = "Pakollinen tieto puuttuu."


@pytest.mark.parametrize("lang, plural, singular", [
    ("fi", "Etunimet puuttuvat", "Sukunimi puuttuu"),
    ("sv", "Förnamn saknas", "Efternamn saknas"),
    ("en", "First names are missing", "Surname is missing"),
])
def test_a_missing_field_agrees_with_its_label(lang, plural, singular):
    with language(lang):
        assert friendly(AGREEMENT.fields, "children[0].given_names", REQUIRED) == plural
        assert friendly(AGREEMENT.fields, "children[0].surname", REQUIRED) == singular


@pytest.mark.parametrize("lang, words", [
    ("fi", "Etunimet ovat liian pitkät: enintään 100 merkkiä"),
    ("en", "First names are too long: at most 100 characters"),
])
def test_a_too_long_plural_label_agrees(client, lang, words):
    payload = load_example("mandate-agreement")
    payload["children"][0]["given_names"] = "E" * 101
    response = post_json(client, "mandate-agreement", payload, headers={"Accept-Language": lang})
    message = next(e["message"] for e in response.get_json()["errors"] if e["path"] == "children[0].given_names")
    with language(lang):
        assert friendly(AGREEMENT.fields, "children[0].given_names", message) == words


@pytest.mark.parametrize("lang, api, form", [
    ("fi", "Luettelossa on oltava tasan 5 kohtaa.", "Yleiset kysymykset: oltava tasan 5 kohtaa"),
    ("sv", "Listan ska ha exakt 5 punkter.", "Allmänna frågor: exakt 5 punkter"),
    ("en", "The list must have exactly 5 items.", "Standard questions: exactly 5 items"),
])
def test_a_list_of_a_fixed_length_says_exactly(client, lang, api, form):
    payload = load_example("questions")
    payload["standard_questions"] = payload.get("standard_questions") or []
    del payload["standard_questions"][4:]
    response = post_json(client, "questions", payload, headers={"Accept-Language": lang})
    errors = {e["path"]: e["message"] for e in response.get_json()["errors"]}
    assert errors["standard_questions"] == api
    assert "5–5" not in api
    with language(lang):
        assert friendly(QUESTIONS.fields, "standard_questions", api) == form


@pytest.mark.parametrize("lang, one, many", [
    ("fi", "Lapset: enintään 1 kohta", "Lapset: enintään 10 kohtaa"),
    ("sv", "Barn: högst 1 punkt", "Barn: högst 10 punkter"),
    ("en", "Children: at most 1 item", "Children: at most 10 items"),
])
def test_counts_take_the_plural_form_of_the_language(lang, one, many):
    from schemas.fields import _items

    with language(lang):
        for maximum, expected in ((1, one), (10, many)):
            try:
                _items(0, maximum)(["a"] * (maximum + 1))
            except Exception as exc:  # marshmallow's ValidationError
                message = exc.messages[0]
            assert friendly(AGREEMENT.fields, "children", message) == expected


def _template_with(tags: list[str]) -> bytes:
    document = Document(str(TEMPLATES_DIR / "fi" / "summary.docx"))
    for tag in tags:
        document.add_paragraph(tag)
    out = io.BytesIO()
    document.save(out)
    return out.getvalue()


def test_the_checker_names_an_unknown_filter_in_the_nominative():
    report = check(_template_with(["{{ document_date|pvm }}"]), DOCUMENT_TYPES["summary"])
    assert any(f.message == "Tuntematon suodatin «pvm»." for f in report.findings), [str(f) for f in report.findings]


def test_one_error_and_one_warning_in_the_singular(tmp_path):
    path = tmp_path / "pohja.docx"
    data = _template_with(["{{ document_date|pvm }}"])
    document = Document(io.BytesIO(data))
    for paragraph in document.paragraphs:  # one required field left unused: one warning
        if paragraph.text == "{{ current_situation }}":
            paragraph.text = ""
    document.save(path)
    printed = lnp("check-template", str(path), "--type", "summary", check=False).stdout.decode()
    assert "1 virhe, 1 varoitus" in printed, printed


def _texts(node):
    for child in node.children.values():
        yield child.label, child.help
        if child.kind == "object":
            yield from _texts(child)
        elif child.kind == "list" and child.item.kind == "object":
            yield from _texts(child.item)


CODE_SPEAK = re.compile(r"\b[a-z]+_[a-z_]+\b|=|\btrue\b|\bfalse\b|ISO 639|JSON")


def test_help_texts_speak_without_code():
    roots = [t.fields for t in DOCUMENT_TYPES.values()] + [section(COMMON).fields]
    found = {text for root in roots for pair in _texts(root) for text in pair if text and CODE_SPEAK.search(text)}
    assert not found, found


@pytest.mark.parametrize("lang", LANGUAGES)
def test_the_email_example_fits_the_field(lang):
    bad = "Sähköpostiosoite ei ole kelvollinen."
    with language(lang):
        guardian = friendly(AGREEMENT.fields, "guardians[0].email", bad)
        worker = friendly(AGREEMENT.fields, "social_worker.work_email", bad)
    assert "hel.fi" not in guardian and "@" in guardian
    assert "hel.fi" in worker


ROOT = Path(__file__).resolve().parent.parent
ISSUE_NUMBER = re.compile(r"(?<![&\w])#\d+\b|\bissues? ?#?\d", re.IGNORECASE)


def test_the_readme_and_the_code_speak_of_the_project_not_of_issue_numbers():
    files = [ROOT / "README.md", *ROOT.glob("*.md")]
    for folder in ("service", "schemas", "tests", "tools", "bench"):
        for pattern in ("**/*.py", "**/*.html", "**/*.js", "**/*.md"):
            files += [p for p in (ROOT / folder).glob(pattern) if "vendor" not in p.parts]
    found = [f"{path.relative_to(ROOT)}:{number}" for path in sorted(set(files))
             for number, line in enumerate(path.read_text(encoding="utf-8").splitlines(), start=1)
             if ISSUE_NUMBER.search(line)]
    assert not found, found
