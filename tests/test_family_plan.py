"""The family plan: its three templates with their examples and a minimal plan, every rule of its
schema as a 422 naming the field, no identity code and no address anywhere, the questions opened
into its form, the next version started from the previous one, a long plan whose task rows never
split over a page in the PDF, and the follow-up meeting's outcome in the follow-up summary."""

from __future__ import annotations

import copy
import io
import json
import re
import subprocess
import zipfile

import pytest
from docx import Document
from docx.oxml.ns import qn
from lxml import html as lxml_html
from pypdf import PdfReader
from werkzeug.datastructures import MultiDict

from schemas.hetu import HETU_LIKE_RE
from schemas.i18n import gettext
from service.pages.formdata import to_form
from service.registry import CONTEXT_EXTRAS, DOCUMENT_TYPES, TEMPLATES_DIR
from service.rendering import formatting
from service.rendering.docx_template import load_template, render
from tests.converted import compact
from tests.docxtext import all_text, string_values
from tests.expectations import shown_values
from tests.template_wording import TEXTS

PLAN = DOCUMENT_TYPES["family-plan"]
QUESTIONS = DOCUMENT_TYPES["questions"]
FOLLOW_UP = DOCUMENT_TYPES["follow-up-summary"]
LANGS = ("fi", "sv", "en")
TOKEN_RE = re.compile(r'name="csrf_token" value="([^"]+)"')
POSTAL_CODE_AND_TOWN = re.compile(r"(?<!\d)\d{5}\s+[A-ZÅÄÖ][a-zåäö]+")


def example(lang: str = "fi") -> dict:
    return PLAN.example(lang)


def post(client, payload: dict, type_id: str = "family-plan", lang: str | None = None, **query):
    headers = {"Accept-Language": lang} if lang else {}
    return client.post(f"/api/v1/documents/{type_id}", data=json.dumps(payload), content_type="application/json",
                       headers=headers, query_string=query)


def errors(response) -> dict[str, str]:
    assert response.status_code == 422, response.get_data(as_text=True)[:500]
    return {e["path"]: e["message"] for e in response.get_json()["errors"]}


def minimal(lang: str) -> dict:
    """Only what the plan requires, in ``lang``: one child, one participant, one answer without
    tasks, no bottom lines, the follow-up meeting by its month."""
    full = example(lang)
    child = full["children"][0]
    return {
        "case_ref": full["case_ref"], "language": lang, "document_date": full["document_date"],
        "children": [child],
        "meeting": {"date": full["meeting"]["date"], "place": full["meeting"]["place"]},
        "coordinator": full["coordinator"],
        "participants": [{"name": full["participants"][0]["name"], "relation_or_role": "x",
                          "present_in": {"private_time": True}}],
        "child_views": [{"child": child["first_name"], "views": full["child_views"][0]["views"],
                         "how_obtained": "not_obtainable"}],
        "answers": [{"question": full["answers"][0]["question"], "answer": full["answers"][0]["answer"]}],
        "monitoring": full["monitoring"], "contingency": full["contingency"],
        "distribution": full["distribution"][:1],
        "follow_up": {"month": {"fi": "maaliskuu 2027", "sv": "mars 2027", "en": "March 2027"}[lang],
                      "invitees": full["follow_up"]["invitees"][:1]},
        "approval": {"decision": "approved", "approved_by": full["approval"]["approved_by"],
                     "date": full["approval"]["date"]},
        "signatures": {"place": full["signatures"]["place"]},
    }


def in_process(payload: dict, template: bytes | None = None) -> bytes:
    """The built-in template of the payload's language (or ``template``), filled in process."""
    lang = payload["language"]
    name = PLAN.template(lang)
    loaded = load_template(name, template or (TEMPLATES_DIR / name).read_bytes(), PLAN.fields, CONTEXT_EXTRAS,
                           language=lang)
    return render(loaded, PLAN.context(PLAN.schema().load(payload)))


WORDS = {
    "fi": {"title": "Läheisneuvonpidon suunnitelma", "and": " ja ", "no_tasks": "Tähän kysymykseen ei sovittu tehtäviä.",
           "no_support": "Työntekijöiltä tarvittavaa tukea ei ole kirjattu.", "bottom": "Reunaehtojen täyttyminen",
           "replaces": "Versio 2 – korvaa version 1 ({date})", "not_approved": "Perhe voi muuttaa suunnitelmaa",
           "header": "LÄHEISNEUVONPIDON SUUNNITELMA", "stem": "suunnitelma", "who_checks": "Kuka seuraa"},
    "sv": {"title": "Familjerådslagets plan", "and": " och ", "no_tasks": "Inga uppgifter avtalades för den här frågan.",
           "no_support": "Inget stöd av anställda har antecknats.", "bottom": "Hur ramvillkoren uppfylls",
           "replaces": "Version 2 – ersätter version 1 ({date})", "not_approved": "Familjen kan ändra planen",
           "header": "FAMILJERÅDSLAGETS PLAN", "stem": "plan", "who_checks": "Vem följer upp"},
    "en": {"title": "Family plan", "and": " and ", "no_tasks": "No tasks were agreed for this question.",
           "no_support": "No support from professionals has been recorded.",
           "bottom": "How the plan meets the bottom lines", "replaces": "Version 2 – replaces version 1 ({date})",
           "not_approved": "The family can change the plan", "header": "FAMILY PLAN", "stem": "family_plan",
           "who_checks": "Who checks"},
}


# --- each language: its own example and a minimal plan ------------------------------------------

@pytest.mark.parametrize("lang", LANGS)
def test_each_language_renders_its_own_example(client, lang):
    payload = example(lang)
    response = post(client, payload)
    assert response.status_code == 200, response.get_json()
    assert response.headers["Content-Disposition"] == \
        f'attachment; filename="{WORDS[lang]["stem"]}_{payload["case_ref"]}_v1.docx"'
    text = all_text(response.data)
    missing = [(path, value) for path, value in shown_values(PLAN.fields, payload, lang=lang) if value not in text]
    assert not missing
    w = WORDS[lang]
    lines = text.split("\n")
    names = w["and"].join(c["first_name"] for c in payload["children"])
    assert w["title"] in lines
    assert f"{names} – {formatting.date(payload['meeting']['date'], lang)}" in lines  # the child's name and the date
    doc = Document(io.BytesIO(response.data))
    headings = [p.text for p in doc.paragraphs if p.style.name == "Heading 2"]
    for number, answer in enumerate(payload["answers"], start=1):  # numbered sections, in order
        assert f"{number}. {answer['question']}" in headings
    decision = formatting.label(payload["approval"]["decision"], lang)
    boxed = [t for t in doc.tables if len(t.columns) == 1 and decision in t.cell(0, 0).text]
    assert boxed, "the decision stands in its own box"
    header = "\n".join(cell.text for s in doc.sections for row in s.header.tables[0].rows for cell in row.cells)
    assert w["header"] in header


@pytest.mark.parametrize("lang", LANGS)
def test_a_minimal_plan_renders(client, lang):
    payload = minimal(lang)
    response = post(client, payload)
    assert response.status_code == 200, response.get_json()
    text = all_text(response.data)
    assert not [(p, v) for p, v in shown_values(PLAN.fields, payload, lang=lang) if v not in text]
    w = WORDS[lang]
    assert w["no_tasks"] in text and w["no_support"] in text and payload["follow_up"]["month"] in text
    assert w["bottom"] not in text  # no bottom lines were set
    assert f"{payload['children'][0]['first_name']} – " in text
    # The five standard questions, left out, are written in the plan's own language.
    for key, question in zip(("worker_support", "monitoring", "if_problems", "distribution", "follow_up_meeting"),
                             QUESTIONS.schema().load(QUESTIONS.example(lang))["standard_questions"]):
        assert question["key"] == key and question["text"] in text


@pytest.mark.parametrize("lang", LANGS)
def test_version_two_says_which_version_it_replaces(client, lang):
    payload = example(lang)
    payload["version"] = 2
    payload["supersedes"] = {"version": 1, "date": payload["meeting"]["date"]}
    response = post(client, payload)
    assert response.status_code == 200, response.get_json()
    assert response.headers["Content-Disposition"].endswith(f'_{payload["case_ref"]}_v2.docx"')
    replaces = WORDS[lang]["replaces"].format(date=formatting.date(payload["meeting"]["date"], lang))
    assert replaces in all_text(response.data).split("\n")
    assert replaces not in all_text(post(client, example(lang)).data)


@pytest.mark.parametrize("lang", LANGS)
def test_a_plan_not_approved_needs_its_reasons_and_says_what_the_family_can_do(client, lang):
    payload = example(lang)
    payload["approval"]["decision"] = "not_approved"
    del payload["approval"]["reasons"]
    refused = errors(post(client, payload, lang=lang))
    assert list(refused) == ["approval.reasons"]
    assert refused["approval.reasons"] == gettext(
        "Kun suunnitelmaa ei hyväksytä, perustelut kirjataan, jotta perhe tietää miksi ja voi muuttaa suunnitelmaa.",
        lang)
    payload["approval"]["reasons"] = example(lang)["approval"]["reasons"]
    response = post(client, payload)
    assert response.status_code == 200
    text = all_text(response.data)
    assert WORDS[lang]["not_approved"] in text and formatting.label("not_approved", lang) in text


# The sentences the plan used to print, which claimed what no one had said.
NO_NEED_CLAIM = {"fi": "Perhe ei tarvitse nyt työntekijöiden tukea.",
                 "sv": "Familjen behöver för närvarande inget stöd av anställda.",
                 "en": "The family does not need support from professionals at the moment."}


@pytest.mark.parametrize("lang", LANGS)
@pytest.mark.parametrize("left_out", [True, False])
def test_support_left_out_is_said_to_be_unrecorded_not_unneeded(lang, left_out):
    payload = example(lang)
    if left_out:
        del payload["worker_support"]
    else:
        payload["worker_support"] = []
    text = all_text(in_process(payload))
    assert TEXTS[lang]["plan.support.none"] in text
    assert NO_NEED_CLAIM[lang] not in text


@pytest.mark.parametrize("lang", LANGS)
def test_participants_of_a_plan_not_approved_sign_that_they_took_part_not_that_they_commit(lang):
    T = TEXTS[lang]
    approved = all_text(in_process(example(lang)))
    assert T["plan.acceptance"] in approved and T["plan.acceptance.intro"] in approved
    assert T["plan.acceptance.not_approved.intro"] not in approved
    payload = example(lang)
    payload["approval"]["decision"] = "not_approved"
    payload["approval"]["reasons"] = example(lang)["approval"]["reasons"]
    text = all_text(in_process(payload))
    assert T["plan.acceptance.not_approved"] in text and T["plan.acceptance.not_approved.intro"] in text
    assert T["plan.acceptance"] not in text and T["plan.acceptance.intro"] not in text
    assert T["plan.col.signature"] in text  # the participants still sign


@pytest.mark.parametrize("lang", LANGS)
@pytest.mark.parametrize("participant_lines", [True, False])
def test_the_closing_sentence_keeps_the_signatures_before_it_on_its_page(lang, participant_lines):
    payload = example(lang)
    payload["signatures"]["participant_lines"] = participant_lines
    body = Document(io.BytesIO(in_process(payload))).element.body
    elements = [e for e in body if e.tag in (qn("w:p"), qn("w:tbl"))]
    closing = elements[-1]
    assert "".join(t.text for t in closing.iter(qn("w:t"))) == TEXTS[lang]["plan.closing"]
    before = elements[-2]
    assert before.tag == qn("w:tbl")
    last_row = before.findall(qn("w:tr"))[-1]
    assert all(p.find(f"{qn('w:pPr')}/{qn('w:keepNext')}") is not None for p in last_row.iter(qn("w:p")))


ANSWER_COUNTS = {
    "fi": ("nyt on {q} kysymystä ja 1 vastaus.", "nyt on 1 kysymys ja 2 vastausta."),
    "sv": ("nu finns det {q} frågor och 1 svar.", "nu finns det 1 fråga och 2 svar."),
    "en": ("the plan now has {q} questions and 1 answer.", "the plan now has 1 question and 2 answers."),
}


@pytest.mark.parametrize("lang", LANGS)
def test_the_answer_count_message_puts_each_number_in_its_plural_form(client, lang):
    payload = example(lang)
    assert len(payload["case_questions"]) > 1
    payload["answers"] = payload["answers"][:1]
    message = errors(post(client, payload, lang=lang))["answers"]
    assert message.endswith(ANSWER_COUNTS[lang][0].format(q=len(payload["case_questions"]))), message
    payload = example(lang)
    payload["case_questions"] = payload["case_questions"][:1]
    payload["answers"] = payload["answers"][:2]
    message = errors(post(client, payload, lang=lang))["answers"]
    assert message.endswith(ANSWER_COUNTS[lang][1]), message


# --- every rule: a 422 naming its field, all at once ---------------------------------------------

def _set(path: str, value):
    def change(p):
        *head, last = path.split(".")
        node = p
        for step in head:
            node = node[int(step)] if step.isdigit() else node[step]
        node[int(last) if last.isdigit() else last] = value
    return change


def _delete(path: str):
    def change(p):
        *head, last = path.split(".")
        node = p
        for step in head:
            node = node[int(step)] if step.isdigit() else node[step]
        del node[int(last) if last.isdigit() else last]
    return change


RULES = [
    ("version 2 without what it replaces", [_set("version", 2)], "supersedes"),
    ("version 1 replacing something", [_set("supersedes", {"version": 1, "date": "2026-10-01"})], "supersedes"),
    ("replacing a later version", [_set("version", 2), _set("supersedes", {"version": 2, "date": "2026-10-01"})],
     "supersedes.version"),
    ("replacing a plan dated after this meeting", [_set("version", 2),
                                                    _set("supersedes", {"version": 1, "date": "2026-12-01"})],
     "supersedes.date"),
    ("a meeting that ends before it starts", [_set("meeting.end_time", "12:00")], "meeting.end_time"),
    ("a time that is no time", [_set("meeting.start_time", "13.00")], "meeting.start_time"),
    ("a participant in no phase", [_set("participants.0.present_in", {})], "participants[0].present_in"),
    ("a child's views under a name that is no child's", [_set("child_views.1.child", "Kalle")], "child_views[1].child"),
    ("a child's views twice", [_set("child_views.1.child", "Elle")], "child_views[1].child"),
    ("a child without views", [lambda p: p["child_views"].pop()], "child_views"),
    ("an agreed answer without its words", [_delete("answers.0.answer")], "answers[0].answer"),
    ("a case question without its answer", [lambda p: p["answers"].pop()], "answers"),
    ("an answer to another question", [_set("answers.2.question", "Mikä muu?")], "answers[2].question"),
    ("a task without who checks it", [_delete("answers.0.actions.1.who_checks")], "answers[0].actions[1].who_checks"),
    ("bottom lines set but not checked", [_set("bottom_lines_check", [])], "bottom_lines_check"),
    ("a bottom line left unchecked", [lambda p: p["bottom_lines_check"].pop()], "bottom_lines_check"),
    ("a check of a bottom line never set", [_set("bottom_lines_check.0.bottom_line", "Muu ehto.")],
     ("bottom_lines_check[0].bottom_line", "bottom_lines_check")),  # and the line it should have been, by its words
    ("a follow-up meeting with no date or month", [_delete("follow_up.date")], "follow_up.date"),
    ("a follow-up meeting before the meeting", [_set("follow_up.date", "2026-10-01")], "follow_up.date"),
    ("no one invited to the follow-up meeting", [_set("follow_up.invitees", [])], "follow_up.invitees"),
    ("not approved without reasons", [_set("approval.decision", "not_approved"), _delete("approval.reasons")],
     "approval.reasons"),
    ("approved with conditions that are not written", [_delete("approval.conditions")], "approval.conditions"),
    ("a decision the list does not have", [_set("approval.decision", "maybe")], "approval.decision"),
    ("approved before the meeting", [_set("approval.date", "2026-10-01")], "approval.date"),
    ("an identity code in a text", [_set("contingency", "Soita, jos 010516B903X on sairas.")], "contingency"),
    ("a postal address in a task", [_set("answers.1.actions.0.who", "Máret, Kallvikintie 28 B 14, 00980 Helsinki")],
     "answers[1].actions[0].who"),
    ("a distribution channel the list does not have", [_set("distribution.0.channel", "fax")],
     "distribution[0].channel"),
    ("an absent person's way of taking part the list does not have", [_set("absent_contributors.0.how", "dove")],
     "absent_contributors[0].how"),
    ("no signing place", [_delete("signatures.place")], "signatures.place"),
]


@pytest.mark.parametrize("changes, path", [(c, p) for _name, c, p in RULES], ids=[name for name, _c, _p in RULES])
def test_every_rule_gives_a_422_naming_its_field(client, changes, path):
    payload = example()
    for change in changes:
        change(payload)
    found = errors(post(client, payload))
    paths = path if isinstance(path, tuple) else (path,)
    assert sorted(found) == sorted(paths), found
    assert all(found[p] for p in paths)


def test_every_rule_at_once():
    """The same rules broken together are reported together, each at its own field."""
    payload = example()
    seen = set()
    for _name, changes, path in RULES:
        if isinstance(path, tuple) or path in seen or path in ("supersedes", "supersedes.version", "supersedes.date", "bottom_lines_check",
                                    "child_views", "answers", "approval.reasons", "approval.conditions",
                                    "follow_up.date", "meeting.end_time"):
            continue  # these rules exclude one another; each is checked on its own above
        seen.add(path)
        for change in changes:
            change(payload)
    from service.problems import ApiError
    from service.validation import validate

    with pytest.raises(ApiError) as refused:
        validate(PLAN, payload)
    assert {e["path"] for e in refused.value.errors} == seen


def test_each_required_field_is_named_in_the_readers_language(client):
    payload = example()
    del payload["approval"]["approved_by"]
    del payload["meeting"]
    for lang in LANGS:
        response = post(client, payload, lang=lang)
        body = response.get_json()
        assert {e["path"] for e in body["errors"]} == {"approval.approved_by", "meeting"}
        assert {e["message"] for e in body["errors"]} == {gettext("Pakollinen tieto puuttuu.", lang)}
        labels = {e["label"] for e in body["errors"]}
        assert labels == {gettext("Kokous", lang), gettext("Arvioinut sosiaalityöntekijä", lang)}


# --- no identity code, no address ---------------------------------------------------------------

def test_the_plan_has_no_field_for_an_identity_code_or_an_address():
    leaves = dict(PLAN.fields.walk())
    assert not [path for path, leaf in leaves.items() if leaf.widget == "hetu" or leaf.contact]
    assert not [path for path in leaves if re.search(r"hetu|address|street|postal", path)]


def questions_with_identity_codes_and_an_address(lang: str = "fi") -> dict:
    """A questions file as a hand-edited or other system's JSON might be: a child's identity code,
    a guardian's postal address, an identity code typed into a question."""
    payload = QUESTIONS.example(lang)
    payload["children"][1]["hetu"] = "010516B903X"
    payload["guardians"] = [{"given_names": "Amal", "surname": "Al-Rubaie", "postal_address": {
        "street": "Kallvikintie 28 B 14", "postal_code": "00980", "post_office": "Helsinki"}}]
    payload["case_questions"][2]["text"] += " (Iisak 010516B903X)"
    return payload


def csrf(client) -> str:
    return TOKEN_RE.search(client.get("/lomakkeet/family-plan").get_data(as_text=True)).group(1)


def open_in_form(client, payload: dict, **extra) -> tuple[int, lxml_html.HtmlElement, str]:
    response = client.post("/lomakkeet/family-plan/avaa",
                           data={"csrf_token": csrf(client), "json": json.dumps(payload), **extra})
    page = response.get_data(as_text=True)
    return response.status_code, lxml_html.fromstring(page), page


def form_value(tree, name: str) -> str | None:
    found = tree.xpath(f'//*[@name="{name}"]')
    if not found:
        return None
    element = found[0]
    if element.tag == "textarea":  # a browser drops the newline right after <textarea>, as HTML says
        text = element.text or ""
        return text[1:] if text.startswith("\n") else text
    if element.tag == "select":
        chosen = element.xpath("option[@selected]")
        return chosen[0].get("value") if chosen else None
    return element.get("value")


def test_opened_questions_bring_no_identity_code_and_no_address_into_the_plan(client):
    status, tree, page = open_in_form(client, questions_with_identity_codes_and_an_address())
    assert status == 200
    assert not HETU_LIKE_RE.search(page)
    assert "Kallvikintie" not in page and "00980" not in page
    question = form_value(tree, "answers[2].question")
    assert question.endswith("(Iisak (henkilötunnus poistettu))")
    assert form_value(tree, "case_questions[2].text") == question  # the same words on both sides
    # What the user is told was left out names the identity codes.
    assert "henkilötunnukset" in tree.xpath('string(//*[@id="notice"])')


def test_a_plan_made_from_such_questions_holds_none(client):
    """The plan's document itself: no identity code and no address, in any of its parts."""
    for lang in LANGS:
        content = post(client, example(lang)).data
        with zipfile.ZipFile(io.BytesIO(content)) as package:
            xml = " ".join(package.read(name).decode("utf-8") for name in package.namelist() if name.endswith(".xml"))
        text = re.sub(r"<[^>]+>", "", xml)
        assert not HETU_LIKE_RE.search(text)
        assert not POSTAL_CODE_AND_TOWN.search(text)


# --- from the questions to the plan --------------------------------------------------------------

@pytest.mark.parametrize("lang", LANGS)
def test_opened_questions_list_every_question_waiting_for_its_answer(client, lang):
    questions = QUESTIONS.example(lang)
    status, tree, _page = open_in_form(client, questions)
    assert status == 200
    for index, question in enumerate(questions["case_questions"]):
        assert form_value(tree, f"answers[{index}].question") == question["text"]
        assert form_value(tree, f"answers[{index}].theme") == question["theme"]
        assert form_value(tree, f"answers[{index}].answer") == ""  # waiting for the family's words
    assert form_value(tree, f"answers[{len(questions['case_questions'])}].question") is None
    for index, question in enumerate(questions["standard_questions"]):
        assert form_value(tree, f"standard_questions[{index}].text") == question["text"]
    lines = questions["must_include"] + questions["not_acceptable"]
    assert [form_value(tree, f"bottom_lines_check[{i}].bottom_line") for i in range(len(lines))] == lines
    assert form_value(tree, "children[1].first_name") == questions["children"][1]["first_name"]
    assert form_value(tree, "case_ref") == questions["case_ref"]


def test_the_api_takes_the_questions_block_as_the_questions_document_has_it(client):
    """The questions document's own blocks, sent with the plan as they are, and each case question
    answered: the plan is made; one question left unanswered is named."""
    questions = QUESTIONS.example()
    payload = example()
    for name in ("case_questions", "standard_questions", "must_include", "not_acceptable"):
        assert payload[name] == questions[name]
    assert post(client, payload).status_code == 200
    payload["case_questions"].append({"text": "Miten Iisak pääsee uimakouluun?"})
    assert list(errors(post(client, payload))) == ["answers"]


# --- the next version ----------------------------------------------------------------------------

def test_the_next_version_starts_from_the_previous_ones_saved_data(client):
    previous = example()
    status, tree, _page = open_in_form(client, previous, next_version="true")
    assert status == 200
    assert form_value(tree, "version") == "2"
    assert form_value(tree, "supersedes.version") == "1"
    assert form_value(tree, "supersedes.date") == previous["meeting"]["date"]
    # The follow-up meeting that was agreed is this version's meeting.
    assert form_value(tree, "meeting.date") == previous["follow_up"]["date"]
    assert form_value(tree, "meeting.place") == previous["follow_up"]["place"]
    assert form_value(tree, "approval.decision") in (None, "")
    assert form_value(tree, "approval.approved_by.surname") == previous["approval"]["approved_by"]["surname"]
    assert form_value(tree, "answers[0].actions[1].who") == previous["answers"][0]["actions"][1]["who"]
    assert form_value(tree, "follow_up.date") in (None, "")

    # Filled in after the follow-up meeting, it is version 2 and says so.
    revised = copy.deepcopy(previous)
    revised.update(version=2, supersedes={"version": 1, "date": previous["meeting"]["date"]},
                   meeting={"date": "2027-03-17", "place": previous["follow_up"]["place"]})
    revised["follow_up"] = {"month": "syyskuu 2027", "invitees": ["Amal ja läheiset"]}
    revised["approval"]["date"] = "2027-03-17"
    form = MultiDict(to_form(PLAN.fields, revised))
    form.update({"csrf_token": csrf(client), "action": "produce"})
    response = client.post("/lomakkeet/family-plan", data=form)
    assert response.status_code == 200, response.get_data(as_text=True)[:300]
    assert response.headers["Content-Disposition"] == 'attachment; filename="suunnitelma_LNP-2026-0042_v2.docx"'
    assert "Versio 2 – korvaa version 1 (28.10.2026)" in all_text(response.data)


def test_the_next_version_only_from_a_plan(client):
    status, tree, _page = open_in_form(client, QUESTIONS.example(), next_version="true")
    assert status == 422
    assert "Seuraavan version voi aloittaa vain" in tree.xpath('string(//*[@id="page-problem"])')


@pytest.mark.parametrize("lang, outcome, words", [
    ("fi", "process_ends", "Seurantakokouksessa sovittiin: läheisneuvonpito päättyy"),
    ("sv", "new_follow_up", "Vid uppföljningsmötet kom man överens om: ett nytt uppföljningsmöte hålls"),
    ("en", "continue_plan", "At the follow-up meeting it was agreed: continue with the plan"),
])
def test_the_follow_up_summary_says_the_outcome_of_the_follow_up_meeting(client, lang, outcome, words):
    payload = FOLLOW_UP.example(lang)
    assert words not in all_text(post(client, payload, "follow-up-summary").data)
    payload["outcome"] = outcome
    response = post(client, payload, "follow-up-summary")
    assert response.status_code == 200
    assert words in all_text(response.data).split("\n")
    payload["outcome"] = "maybe"
    assert list(errors(post(client, payload, "follow-up-summary"))) == ["outcome"]


# --- a long plan in PDF: no task row split over two pages -----------------------------------------

def long_plan(answers: int = 12, tasks: int = 40) -> dict:
    """``answers`` answers with ``tasks`` tasks between them, each task row several lines tall and
    every cell marked at its start and end (T07a … T07h), so that a row split over two pages shows."""
    payload = example()
    for name in ("case_questions", "must_include", "not_acceptable", "bottom_lines_check"):
        payload.pop(name)
    words = "Sovitaan yhdessä, kuka hoitaa tämän ja miten siitä kerrotaan muille läheisille. "
    # The first answer has a table over several pages; the rest share the other tasks.
    first, rest = 14, tasks - 14
    spread = [first] + [rest // (answers - 1) + (1 if i < rest % (answers - 1) else 0) for i in range(answers - 1)]
    counter = iter(range(1, tasks + 1))
    payload["answers"] = []
    for number, count in enumerate(spread, start=1):
        actions = []
        for _ in range(count):
            k = next(counter)
            actions.append({"what": f"T{k:02d}a {words * 3}T{k:02d}b", "who": f"T{k:02d}c Jamila ja Máret T{k:02d}d",
                            "by_when": f"T{k:02d}e joka toinen viikko tiistaisin T{k:02d}f",
                            "who_checks": f"T{k:02d}g Katja Lehtonen ja Amal T{k:02d}h"})
        payload["answers"].append({"question": f"Kysymys {number}: miten arki sujuu lasten parhaaksi?",
                                   "answer": words * 2, "actions": actions})
    return payload


def task_pages(pdf: bytes, tasks: int) -> dict[int, set[int]]:
    """For each task, the pages its cells' marks are printed on."""
    pages = [compact(page.extract_text()) for page in PdfReader(io.BytesIO(pdf)).pages]
    found = {}
    for k in range(1, tasks + 1):
        marks = [f"T{k:02d}{c}" for c in "abcdefgh"]
        found[k] = {number for number, text in enumerate(pages, start=1) for mark in marks if mark in text}
        assert all(any(mark in text for text in pages) for mark in marks), f"task {k} not all printed"
    return found


def test_a_plan_of_12_answers_and_40_tasks_splits_no_task_over_pages(client):
    payload = long_plan()
    assert sum(len(a["actions"]) for a in payload["answers"]) == 40 and len(payload["answers"]) == 12
    response = post(client, payload, format="pdf")
    assert response.status_code == 200, response.get_data(as_text=True)[:300]
    assert response.mimetype == "application/pdf"
    pages = task_pages(response.data, 40)
    assert len({page for found in pages.values() for page in found}) >= 4  # a long plan, over several pages
    split = {k: found for k, found in pages.items() if len(found) != 1}
    assert not split, f"task rows split over pages: {split}"
    # The first answer's table goes on over pages, and every page of it starts with its header row.
    texts = [compact(p.extract_text()) for p in PdfReader(io.BytesIO(response.data)).pages]
    first_table = sorted({page for k in range(1, 15) for page in pages[k]})
    assert len(first_table) >= 2
    for page in first_table:
        assert compact(WORDS["fi"]["who_checks"]) in texts[page - 1], page
        assert page == first_table[0] or "Kysymys1:" not in texts[page - 1]  # a page the table goes on to


def test_the_split_check_sees_a_split_row(tmp_path):
    """The same plan with the rows allowed to split (cantSplit taken out of the rendered document:
    the renderer marks every row): the check above finds rows over two pages, so it does look at
    what it says it does."""
    rendered = in_process(long_plan(), (TEMPLATES_DIR / PLAN.template("fi")).read_bytes())
    with zipfile.ZipFile(io.BytesIO(rendered)) as package:
        members = {info: package.read(info.filename) for info in package.infolist()}
    out = io.BytesIO()
    with zipfile.ZipFile(out, "w") as package:
        for info, data in members.items():
            if info.filename == "word/document.xml":
                data = data.replace(b"<w:cantSplit/>", b"")
            package.writestr(info, data)
    source = tmp_path / "plan.docx"
    source.write_bytes(out.getvalue())
    subprocess.run(["soffice", f"-env:UserInstallation=file://{tmp_path}/profile", "--headless", "--convert-to",
                    "pdf", "--outdir", str(tmp_path), str(source)], check=True, capture_output=True, timeout=180)
    pages = task_pages((tmp_path / "plan.pdf").read_bytes(), 40)
    assert [k for k, found in pages.items() if len(found) > 1]


# --- the examples fit the case -------------------------------------------------------------------

@pytest.mark.parametrize("lang", LANGS)
def test_the_example_answers_its_languages_questions(lang):
    plan, questions = example(lang), QUESTIONS.example(lang)
    assert plan["case_ref"] == questions["case_ref"] and plan["children"] == questions["children"]
    assert [a["question"] for a in plan["answers"]] == [q["text"] for q in questions["case_questions"]]
    assert not [v for _p, v in string_values(plan) if HETU_LIKE_RE.search(v) or POSTAL_CODE_AND_TOWN.search(v)]


def test_the_form_path_of_a_saved_plan_file_is_named_by_its_version(client):
    form = MultiDict(to_form(PLAN.fields, example()))
    form.update({"csrf_token": csrf(client), "action": "save"})
    response = client.post("/lomakkeet/family-plan", data=form)
    assert response.headers["Content-Disposition"] == 'attachment; filename="suunnitelma_LNP-2026-0042_v1.json"'
    assert json.loads(response.data)["version"] == 1
