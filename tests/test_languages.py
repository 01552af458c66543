"""Every document type in every language (fi, sv, en) renders from its own example: the text
holds every value of the case as that language prints it, the language's own headings and
page chrome (tests/template_wording.py) and none of the Finnish ones, dates in the language's
format, yes/no in the language's words, and a download name in the language.

Each check runs twice: in-process on the built-in template of the language (the template and
filters alone), and through the real HTTP API (template store, validation, file name).
"""

from __future__ import annotations

import functools
import importlib.util
import re

import pytest

from schemas.hetu import HETU_LIKE_RE
from service.registry import CONTEXT_EXTRAS, DOCUMENT_TYPES, NETWORK, ROOT, TEMPLATES_DIR
from service.rendering import formatting
from service.rendering.docx_template import load_template, render
from tests.conftest import TYPE_IDS, post_json
from tests.docxtext import all_text, header_footer_text, string_values
from tests.expectations import shown_values

LANGS = ("fi", "sv", "en")
TWINS = ("sv", "en")

# The DVV's fictitious test persons (domain spec §5.3): the only identity codes an example may hold.
DVV_TEST_CODES = {
    "010594Y9021", "010594Y9032", "020594X903P", "020594X902N", "030594W903B", "030694W9024", "040594V9030",
    "040594V902Y", "050594U903M", "050594U902L", "010516B903X", "010516B902W", "020516C903K", "020516C902J",
    "030516D9037", "030516D9026", "010501E9032", "020502E902X", "020503F9037", "020504A902E", "020504B904H",
}

# The five standard questions in the wording of the domain spec §4.3.
STANDARD_QUESTIONS = {
    "sv": {
        "worker_support": "Om ni behöver hjälp eller stöd av anställda, av vem och till vad?",
        "monitoring": "Hur följs genomförandet av planen upp?",
        "if_problems": "Vad gör ni om det uppstår problem?",
        "distribution": "Vem får planen?",
        "follow_up_meeting": "När hålls uppföljningsmötet och vem bjuds in?",
    },
    "en": {
        "worker_support": "If you need help or support from professionals, from whom and for what?",
        "monitoring": "How will you check that the plan is being carried out?",
        "if_problems": "What happens if there are problems?",
        "distribution": "Who will receive a copy of the plan?",
        "follow_up_meeting": "When is the follow-up meeting and who will be invited?",
    },
}

# The key prefix of each type's own texts in tests/template_wording.py.
PREFIX = {"mandate-agreement": "mandate", "summary": "summary", "questions": "questions",
          "follow-up-summary": "follow_up", "family-plan": "plan"}

ENGLISH_MONTHS = ("January", "February", "March", "April", "May", "June", "July", "August", "September",
                  "October", "November", "December")
D_M_YYYY = re.compile(r"(?<![\d.])\d{1,2}\.\d{1,2}\.\d{4}(?!\d)")
ISO_DATE = re.compile(r"\b\d{4}-\d{2}-\d{2}\b")
PLACEHOLDER = re.compile(r"\{[a-z_]+\}")


def _template_texts():
    spec = importlib.util.spec_from_file_location("template_texts", ROOT / "tests" / "template_wording.py")
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    return module.TEXTS


TEXTS = _template_texts()


def renditions(type_id: str):
    return DOCUMENT_TYPES[type_id].renditions


# The network map and the letters have their own language tests (tests/test_network_map.py,
# tests/test_invitation.py): a map is mostly a picture and a table of codes, a mailing is a letter
# per recipient, each in the recipient's language.
OWN_LANGUAGE_TESTS = ("network-map", "invitation")
CASES = [(type_id, lang, rendition) for type_id in TYPE_IDS if type_id not in OWN_LANGUAGE_TESTS
         for lang in LANGS for rendition in renditions(type_id)]
CASE_IDS = [f"{t}-{lang}-{r}" for t, lang, r in CASES]


def example(type_id: str, lang: str) -> dict:
    """A fresh copy of the type's example in ``lang`` (examples/<lang>/<type>.json)."""
    return DOCUMENT_TYPES[type_id].example(lang)


def render_in_process(type_id: str, lang: str, payload: dict, rendition: str) -> bytes:
    """The built-in template of ``lang`` loaded for ``lang`` and filled, as the store will do."""
    doc_type = DOCUMENT_TYPES[type_id]
    name = doc_type.template(lang)
    template = load_template(name, (TEMPLATES_DIR / name).read_bytes(), doc_type.fields, CONTEXT_EXTRAS,
                             language=lang)
    return render(template, doc_type.context(doc_type.schema().load(payload), rendition))


# --- the language's own texts ---------------------------------------------------------------

def _fragments(text: str, shortest: int = 1) -> list[str]:
    """The literal parts of a template text around its ``{placeholders}``."""
    return [part.strip() for part in PLACEHOLDER.split(text) if len(part.strip()) >= shortest]


def _pattern(fragment: str) -> re.Pattern:
    """The fragment as a whole word (or words): "Versio" does not match inside "Version"."""
    start = r"(?<!\w)" if fragment[0].isalnum() else ""
    end = r"(?!\w)" if fragment[-1].isalnum() else ""
    return re.compile(start + re.escape(fragment) + end)


def _shows(text: str, template_text: str, shortest: int = 1) -> bool:
    fragments = _fragments(template_text, shortest)
    return bool(fragments) and all(_pattern(f).search(text) for f in fragments)


def without_case_text(text: str, payload: dict) -> str:
    """The document's text with the case's own phrases blanked out: what the template wrote.
    Single words ("fi", "sosiaalityöntekijä") are left: they occur inside the template's words."""
    values = {value for _, value in string_values(payload) if len(value.split()) > 1}
    for value in sorted(values, key=len, reverse=True):
        text = text.replace(value, "\0")
    return text


OWN_KEYS = {"mandate-agreement": ("mandate.", "sign."), "summary": ("summary.",), "questions": ("questions.",),
            "follow-up-summary": ("follow_up.",), "family-plan": ("plan.",)}
TYPE_KEYS = tuple(prefix for prefixes in OWN_KEYS.values() for prefix in prefixes)


@functools.cache
def shown_keys(type_id: str, rendition: str) -> tuple[str, ...]:
    """The template texts (shared ones and the type's own) the Finnish example shows in this type
    and rendition. The sv and en examples fill the same fields (test_example_has_the_finnish_shape),
    so their documents show the same texts, in their own language."""
    payload = example(type_id, "fi")
    text = without_case_text(all_text(render_in_process(type_id, "fi", payload, rendition)), payload)
    return tuple(key for key, fi_text in TEXTS["fi"].items()
                 if not key.startswith(("props.", "style."))
                 and (key.startswith(OWN_KEYS[type_id]) or not key.startswith(TYPE_KEYS))
                 and _shows(text, fi_text, shortest=4))


# --- what every rendered document must show -------------------------------------------------

def _lines(text: str) -> list[str]:
    return text.split("\n")


def _has_run(lines: list[str], run: list[str]) -> bool:
    """``run`` appears as consecutive lines (table cells are one paragraph each)."""
    return any(lines[i:i + len(run)] == run for i in range(len(lines) - len(run) + 1))


def yes_no_runs(type_id: str, lang: str, payload: dict) -> list[list[str]]:
    """Where each yes/no the template prints stands, with the neighbours that identify it."""
    T, yn = TEXTS[lang], functools.partial(formatting.yes_no, lang=lang)
    if type_id in ("summary", "follow-up-summary"):
        return [[T["sharing.approved"], yn(payload["sharing"]["approved_for_network"])]]
    if type_id != "mandate-agreement":
        return []
    runs = [[formatting.full_name(g), g["calling_name"], formatting.label(g["relation_to_child"], lang),
             yn(g["is_guardian"]), formatting.language_name(g["language"], lang), yn(g["interpreter_needed"])]
            for g in payload["guardians"]]
    runs.append([T["mandate.child.assistant"], yn(payload["child_participation"]["needs_assistant"])])
    runs.append([T["mandate.impartiality"], T["mandate.impartiality.value"].format(
        confirmed=yn(payload["coordinator"]["impartiality_confirmed"]))])
    runs += [[T["mandate.consent.child"] + T["mandate.consent.child.value"].format(
        name=formatting.calling_name(c), consent=yn(c["own_consent"]))]
        for c in payload["children"] if "own_consent" in c]
    return runs


def check_document(content: bytes, type_id: str, lang: str, payload: dict, rendition: str) -> None:
    doc_type = DOCUMENT_TYPES[type_id]
    T, prefix = TEXTS[lang], PREFIX[type_id]
    text, chrome = all_text(content), header_footer_text(content)
    lines = _lines(text)

    # Every value of the case, as this language prints it; the network copy leaves out what the
    # family did not want shared.
    secret = "sharing.not_to_be_shared"
    expected = [(path, value) for path, value in shown_values(doc_type.fields, payload, lang=lang)
                if not (rendition == NETWORK and path == secret)]
    missing = [(path, value) for path, value in expected if value not in text]
    assert not missing, f"values missing from the {lang} {type_id}: {missing}"
    if rendition == NETWORK:
        assert payload["sharing"]["not_to_be_shared"] not in text
    assert formatting.label(payload["language"], lang) in lines  # "Asiakirjan kieli" / "Dokumentets språk"

    # The language's title, header, confidentiality mark and footer.
    assert T[f"{prefix}.title"] in lines
    # The plan's title names the process itself ("Läheisneuvonpidon suunnitelma"); the others say it below.
    assert T["process"] in lines or type_id == "family-plan"
    for chrome_text in (T["city"], T["confidential"], T[f"{prefix}.header"], T["footer.page"].strip(),
                        T["footer.case_ref"].format(case_ref=payload["case_ref"]),
                        T["footer.date"].format(date=formatting.date(payload["document_date"], lang)),
                        T["footer.version"].format(version=payload["version"])):
        assert chrome_text in chrome, f"{chrome_text!r} not in the header or footer"
    assert (T["header.network_copy"] in chrome) == (rendition == NETWORK)

    # Every heading and label the document shows is the language's own, and (sv, en) no Finnish
    # template text is left. The case's own words may contain any word.
    keys = shown_keys(type_id, rendition)
    assert f"{prefix}.title" in keys and "confidential" in keys
    not_shown = [key for key in keys if not _shows(text, T[key])]
    assert not not_shown, f"{lang} template texts missing: {[(k, T[k]) for k in not_shown]}"
    template_text = without_case_text(text, payload)
    if lang != "fi":
        finnish = [fragment for key in keys if TEXTS["fi"][key] != T[key]
                   for fragment in _fragments(TEXTS["fi"][key], shortest=4)
                   if not _pattern(fragment).search(T[key]) and _pattern(fragment).search(template_text)]
        assert not finnish, f"Finnish template text in the {lang} {type_id}: {finnish}"

    # Dates in the language's format, never ISO.
    assert formatting.date(payload["document_date"], lang) in text
    assert not ISO_DATE.search(text)
    if lang == "en":
        assert re.fullmatch(r"\d{1,2} [A-Z][a-z]+ \d{4}", formatting.date(payload["document_date"], "en"))
        assert not D_M_YYYY.search(text), "a d.M.yyyy date in an English document"
    else:
        assert D_M_YYYY.fullmatch(formatting.date(payload["document_date"], lang))
        assert not [month for month in ENGLISH_MONTHS if month in template_text]

    # Yes and no in the language's words, where the template prints them.
    runs = yes_no_runs(type_id, lang, payload)
    assert all(_has_run(lines, run) for run in runs), [run for run in runs if not _has_run(lines, run)]


# --- the examples -------------------------------------------------------------------------------

def _shape(data, path="") -> set[str]:
    """Every key path of a JSON document, list positions left out."""
    if isinstance(data, dict):
        return {path} | {p for key, value in data.items() for p in _shape(value, f"{path}.{key}")}
    if isinstance(data, list):
        return {path} | {p for value in data for p in _shape(value, f"{path}[]")}
    return {path}


@pytest.mark.parametrize("lang", LANGS)
@pytest.mark.parametrize("type_id", TYPE_IDS)
def test_example_is_valid_and_in_its_language(type_id, lang):
    doc_type = DOCUMENT_TYPES[type_id]
    payload = example(type_id, lang)
    assert doc_type.example_path(lang) == ROOT / "examples" / lang / f"{type_id}.json"
    assert payload["language"] == lang
    data = doc_type.schema().load(payload)  # the schema also checks each hetu against the birth date
    for path, value in string_values(payload):
        for code in HETU_LIKE_RE.findall(value):
            assert code in DVV_TEST_CODES, f"{path}: only DVV test identity codes in the examples"
    if type_id == "questions" and lang in STANDARD_QUESTIONS:
        assert {q["key"]: q["text"] for q in data["standard_questions"]} == STANDARD_QUESTIONS[lang]


@pytest.mark.parametrize("lang", TWINS)
@pytest.mark.parametrize("type_id", TYPE_IDS)
def test_example_has_the_finnish_shape(type_id, lang):
    """The sv and en examples fill the same fields and optional blocks as the Finnish one, so
    they exercise the same parts of their templates."""
    assert _shape(example(type_id, lang)) == _shape(example(type_id, "fi"))


@pytest.mark.parametrize("lang", TWINS)
@pytest.mark.parametrize("type_id", TYPE_IDS)
def test_example_is_a_different_family(type_id, lang):
    """Each language has its own case: no name or free text copied from the Finnish example."""
    finnish = {value for _, value in string_values(example(type_id, "fi")) if " " in value}  # not codes
    assert not finnish & {value for _, value in string_values(example(type_id, lang))}


# --- rendering ------------------------------------------------------------------------------

@pytest.mark.parametrize("type_id, lang, rendition", CASES, ids=CASE_IDS)
def test_template_renders_the_example_in_its_language(type_id, lang, rendition):
    """The built-in template of the language, filled with the language's example."""
    payload = example(type_id, lang)
    check_document(render_in_process(type_id, lang, payload, rendition), type_id, lang, payload, rendition)


@pytest.mark.parametrize("type_id, lang, rendition", CASES, ids=CASE_IDS)
def test_api_renders_the_example_in_its_language(client, type_id, lang, rendition):
    """The same through the HTTP API: the store picks the template of the payload's language
    and the download is named in that language."""
    doc_type = DOCUMENT_TYPES[type_id]
    payload = example(type_id, lang)
    response = post_json(client, type_id, payload, query_string={"rendition": rendition})
    assert response.status_code == 200, response.get_json()
    check_document(response.data, type_id, lang, payload, rendition)
    file_name = doc_type.file_name(payload["case_ref"], rendition, "docx", lang, version=payload["version"])
    assert response.headers["Content-Disposition"] == f'attachment; filename="{file_name}"'


@pytest.mark.parametrize("lang", TWINS)
@pytest.mark.parametrize("type_id", TYPE_IDS)
def test_file_name_is_in_the_document_language(type_id, lang):
    """The download name's stem is translated (the catalogue), and stays plain ASCII with only
    the type name and the case reference in it."""
    doc_type = DOCUMENT_TYPES[type_id]
    for rendition in doc_type.renditions:
        name = doc_type.file_name("LNP-2026-0042", rendition, "docx", lang, version=2)
        finnish = doc_type.file_name("LNP-2026-0042", rendition, "docx", "fi", version=2)
        assert name != finnish, f"{finnish}: the file name stem has no {lang} translation"
        assert re.fullmatch(r"[a-z0-9_-]+_LNP-2026-0042(_v2)?\.docx", name), f"{name}: not a plain ASCII stem"
        assert name.endswith("_v2.docx") == doc_type.versioned  # the plan's name says its version
