"""The case as the unit of work: one case file from which every document is made, the
cross-document rules of the domain spec §8, and the case API (status, documents, bundle,
per-document JSON taken into a case)."""

from __future__ import annotations

import copy
import io
import json
import zipfile

import pytest
from pypdf import PdfReader

from service.cases.compose import case_from_document, case_schema, check_shape, document_payload, merge
from service.cases.rules import BLOCKED, INCOMPLETE, NOT_STARTED, READY, assess
from service.problems import ApiError
from service.registry import DOCUMENT_TYPES, EXAMPLES_DIR
from tests.conftest import client_with_token
from tests.docxtext import all_text

LANGS = ("fi", "sv", "en")
TYPE_IDS = list(DOCUMENT_TYPES)


def example_case(lang: str = "fi") -> dict:
    return json.loads((EXAMPLES_DIR / lang / "case.json").read_text(encoding="utf-8"))


def post_case(client, path: str, case, **params):
    query = "&".join(f"{k}={v}" for k, v in params.items())
    return client.post(f"/api/v1/cases/{path}" + (f"?{query}" if query else ""), data=json.dumps(case),
                       content_type="application/json")


@pytest.fixture(scope="module")
def worker(app):
    return client_with_token(app, "worker")


# --- the case file ----------------------------------------------------------------------------

@pytest.mark.parametrize("lang", LANGS)
@pytest.mark.parametrize("type_id", TYPE_IDS)
def test_each_document_of_the_example_case_is_its_own_example(lang, type_id):
    """The case names the people once; each document made from it is exactly the per-document
    example of that language (so the case loses nothing)."""
    doc_type = DOCUMENT_TYPES[type_id]
    schema = doc_type.schema()
    assert schema.load(document_payload(example_case(lang), doc_type)) == schema.load(doc_type.example(lang))


@pytest.mark.parametrize("lang", LANGS)
def test_the_example_case_is_valid_and_every_document_ready(lang):
    case = example_case(lang)
    case_schema()().load(case)  # the whole shape, nothing missing
    report = assess(case)
    assert {t: report.status(t) for t in TYPE_IDS} == dict.fromkeys(TYPE_IDS, READY)
    assert [f for f in report.findings if f.severity == "error"] == []


@pytest.mark.parametrize("type_id", TYPE_IDS)
def test_a_per_document_json_opens_into_a_case(type_id):
    """Files saved by the per-document forms still open: the document made from the case they
    become is the same document."""
    doc_type = DOCUMENT_TYPES[type_id]
    case = case_from_document(doc_type, doc_type.example())
    check_shape(case)
    schema = doc_type.schema()
    assert schema.load(document_payload(case, doc_type)) == schema.load(doc_type.example())
    assert assess(case).status(type_id) == READY


def test_a_case_file_round_trip_loses_nothing():
    case = example_case()
    again = json.loads(json.dumps(case, ensure_ascii=False))
    assert again == case
    for doc_type in DOCUMENT_TYPES.values():
        assert document_payload(again, doc_type) == document_payload(case, doc_type)


def test_merging_a_document_into_a_case_keeps_the_cases_people():
    case = example_case()
    case["people"]["children"][0]["school_or_daycare"] = "Oma koulu"
    summary = DOCUMENT_TYPES["summary"]
    merged = merge(case, case_from_document(summary, summary.example()))
    assert merged["people"] == case["people"]
    own = {k: v for k, v in summary.example().items() if k not in ("case_ref", "language", "children", "author")}
    assert merged["documents"]["summary"] == own  # its author is the case's social worker


def test_a_document_by_another_worker_keeps_its_author():
    case = example_case()
    summary = DOCUMENT_TYPES["summary"]
    other = {**summary.example(), "author": {**summary.example()["author"], "given_names": "Toinen"}}
    merged = merge(case, case_from_document(summary, other))
    assert merged["documents"]["summary"]["author"]["given_names"] == "Toinen"
    assert document_payload(merged, summary)["author"]["given_names"] == "Toinen"
    assert set(merged["documents"]) == set(case["documents"])


def test_states_not_started_incomplete_ready():
    case = example_case()
    del case["documents"]["questions"]
    del case["documents"]["summary"]["current_situation"]
    report = assess(case)
    assert report.status("questions") == NOT_STARTED
    assert report.status("summary") == INCOMPLETE
    missing = report.documents["summary"].errors
    assert [e["path"] for e in missing] == ["documents.summary.current_situation"]
    assert report.status("mandate-agreement") == READY


def test_what_is_missing_in_the_people_is_named_where_it_is_in_the_case():
    case = example_case()
    del case["people"]["children"][1]["surname"]
    report = assess(case)
    assert report.status("mandate-agreement") == INCOMPLETE
    assert "people.children[1].surname" in [e["path"] for e in report.documents["mandate-agreement"].errors]
    assert report.status("summary") == READY  # the relatives' documents print the first name only


def test_a_blended_family_three_guardians_each_related_to_named_children():
    case = example_case()
    people = case["people"]
    first = people["guardians"][0]
    people["guardians"] = [
        {**first, "id": "aiti", "children": ["lapsi1", "lapsi2"]},
        {**first, "id": "isa1", "given_names": "Mikko", "calling_name": "Mikko", "relation_to_child": "father",
         "children": ["lapsi1"]},
        {**first, "id": "isa2", "given_names": "Juho", "calling_name": "Juho", "relation_to_child": "father",
         "children": ["lapsi2"]},
    ]
    check_shape(case)
    assert assess(case).status("mandate-agreement") == READY
    people["guardians"][2]["children"] = ["lapsi9"]
    with pytest.raises(ApiError) as refused:
        check_shape(case)
    assert refused.value.errors[0]["path"] == "people.guardians[2].children"


def test_person_ids_are_unique_in_a_case():
    case = example_case()
    case["people"]["guardians"][0]["id"] = case["people"]["children"][0]["id"]
    with pytest.raises(ApiError) as refused:
        check_shape(case)
    assert [e["path"] for e in refused.value.errors] == ["people.guardians[0].id"]


def test_a_malformed_case_is_a_422_naming_the_field_but_missing_parts_are_not():
    check_shape({"case_ref": "LNP-1", "documents": {"summary": {}}})  # started, nothing filled: fine
    with pytest.raises(ApiError) as refused:
        check_shape({"case_ref": "LNP-1", "documents": {"summary": {"current_situation": 5}}, "extra": 1})
    assert {e["path"] for e in refused.value.errors} == {"documents.summary.current_situation", "extra"}


# --- the cross-document rules (spec §8) --------------------------------------------------------

def test_a_question_theme_must_be_among_the_agreements_themes():
    case = example_case()
    case["documents"]["questions"]["case_questions"][0]["theme"] = "Jotain aivan muuta"
    report = assess(case)
    [finding] = [f for f in report.findings if f.severity == "error"]
    assert finding.path == "documents.questions.case_questions[0].theme"
    assert finding.related == ["documents.mandate-agreement.themes"]
    assert report.status("questions") == BLOCKED
    assert report.status("mandate-agreement") == READY


def test_no_relatives_copy_without_the_agreements_consent_to_share():
    case = example_case()
    case["documents"]["mandate-agreement"]["consent"]["to_network"] = False
    report = assess(case)
    errors = [f for f in report.findings if f.severity == "error"]
    assert {f.path for f in errors} == {"documents.summary.sharing.approved_for_network",
                                       "documents.follow-up-summary.sharing.approved_for_network"}
    assert all(f.related == ["documents.mandate-agreement.consent.to_network"] for f in errors)
    assert report.status("summary") == READY  # the family's copy is still made
    assert report.blocked("summary", "network")


def test_the_plan_answers_the_questions_documents_questions():
    """The case holds the questions once (in the questions document); the plan made from the case
    answers them: a question changed there is a plan answering another question."""
    case = example_case()
    assert "case_questions" not in case["documents"]["family-plan"]  # never twice in a case file
    assert assess(case).status("family-plan") == READY
    case["documents"]["questions"]["case_questions"][1]["text"] = "Kuka hakee Iisakin harrastuksista?"
    report = assess(case)
    assert report.status("family-plan") == INCOMPLETE
    assert [e["path"] for e in report.documents["family-plan"].errors] == ["documents.family-plan.answers[1].question"]
    assert report.status("questions") == READY


def test_a_question_without_an_answer_in_the_plan():
    case = example_case()
    case["documents"]["questions"]["case_questions"].append({"text": "Miten Iisak pääsee uimakouluun?"})
    report = assess(case)
    assert report.status("family-plan") == INCOMPLETE
    [error] = report.documents["family-plan"].errors
    assert error["path"] == "documents.family-plan.answers" and "nyt on 7 kysymystä ja 6 vastausta." in error["message"]


def test_a_bottom_line_needs_its_check_in_the_plan():
    case = example_case()
    case["documents"]["questions"]["must_include"].append("Elle ei ole yksin kotona yöllä.")
    report = assess(case)
    assert report.status("family-plan") == INCOMPLETE
    errors = report.documents["family-plan"].errors
    assert [e["path"] for e in errors] == ["documents.family-plan.bottom_lines_check"]
    assert "Elle ei ole yksin kotona yöllä." in errors[0]["message"]
    plan = case["documents"]["family-plan"]
    plan["bottom_lines_check"].append({"bottom_line": "Elle ei ole yksin kotona yöllä.",
                                       "how_met": "Amal tai Jamila on aina kotona yöllä."})
    assert assess(case).status("family-plan") == READY


def test_a_plan_carrying_other_questions_than_the_questions_document_is_blocked():
    case = example_case()
    plan, questions = case["documents"]["family-plan"], case["documents"]["questions"]
    plan["case_questions"] = copy.deepcopy(questions["case_questions"])
    assert assess(case).status("family-plan") == READY  # the same questions: nothing to say
    plan["case_questions"][0]["text"] = plan["answers"][0]["question"] = "Toinen kysymys?"
    report = assess(case)
    [finding] = [f for f in report.findings if f.severity == "error"]
    assert (finding.path, finding.related, finding.blocks) == (
        "documents.family-plan.case_questions", ["documents.questions.case_questions"], ["family-plan"])
    assert report.status("family-plan") == BLOCKED


@pytest.mark.parametrize("type_id, path, meeting", [
    ("family-plan", "meeting.date", "conference"),
    ("family-plan", "follow_up.date", "follow_up"),
    ("invitation", "meeting_date", "conference"),
])
def test_a_documents_meeting_is_the_cases_meeting(type_id, path, meeting):
    case = example_case()
    part = case["documents"][type_id]
    head, _, leaf = path.rpartition(".")
    (part[head] if head else part)[leaf] = "2026-10-27" if meeting == "conference" else "2027-03-24"
    report = assess(case)
    [finding] = [f for f in report.findings if f.severity == "error"]
    assert (finding.path, finding.related, finding.blocks) == (
        f"documents.{type_id}.{path}", [f"meetings.{meeting}.date"], [type_id])
    assert case["meetings"][meeting]["date"] in finding.message
    assert report.status(type_id) == BLOCKED


@pytest.mark.parametrize("date, expected", [
    ("2027-01-28", "warning"),  # 3 months: fine
    ("2027-04-28", None),  # 6 months: fine
    ("2026-12-20", "warning"),  # under 2 months
    ("2027-06-01", "warning"),  # over 7 months
    ("2026-10-01", "error"),  # before the conference
])
def test_the_follow_up_meeting_3_to_6_months_after_the_conference(date, expected):
    case = example_case()
    case["meetings"]["follow_up"]["date"] = date
    findings = [f for f in assess(case).findings if f.path == "meetings.follow_up.date"]
    if date == "2027-01-28":
        assert findings == []
        return
    assert [f.severity for f in findings] == ([expected] if expected else [])
    if expected:
        assert findings[0].related == ["meetings.conference.date"]


# --- the case API -------------------------------------------------------------------------------

def test_status_over_http(worker):
    case = example_case()
    del case["documents"]["questions"]
    response = post_case(worker, "status", case)
    assert response.status_code == 200
    states = {d["type"]: d["status"] for d in response.get_json()["documents"]}
    assert states == {**dict.fromkeys(TYPE_IDS, READY), "questions": NOT_STARTED}


def test_one_document_of_a_case(worker):
    response = post_case(worker, "documents", example_case(), types="summary")
    assert response.status_code == 200, response.get_json()
    assert response.headers["Content-Disposition"] == 'attachment; filename="yhteenveto_LNP-2026-0042.docx"'
    assert "Elle" in all_text(response.data)


@pytest.mark.parametrize("type_id", ["network-map", "invitation"])
def test_a_guardians_non_disclosure_holds_where_the_map_and_the_letters_name_her_again(worker, type_id):
    """Amal is a guardian with turvakielto in the case's people; the map names her again ("Amal")
    with her contact details, and a letter goes to her: none of them is printed. Ánde, without
    the marking, keeps his."""
    case = example_case()
    case["people"]["guardians"][0]["non_disclosure"] = True
    members = case["documents"]["network-map"]["members"]
    amal = next(m for m in members if m["name"] == "Amal")
    amal.update(email="amal.secret@example.com", postal_address={
        "street": "Salainen tie 7", "postal_code": "00990", "post_office": "Helsinki"})
    case["documents"]["invitation"]["invitees"].append(
        {"name": "Amal Al-Rubaie", "email": "amal.other@example.com", "language": "fi"})
    if type_id == "invitation":  # her letters: the one from the map and the one named directly
        del case["documents"]["invitation"]["invitees"][0]
    response = post_case(worker, "documents", case, types=type_id)
    assert response.status_code == 200, response.get_json()
    text = all_text(response.data)
    assert "Amal" in text
    for secret in ("712 3456", "amal.secret", "Salainen tie", "amal.other"):
        assert secret not in text, secret
    assert "ande.saijets@example.com" in text or type_id == "invitation"


def test_the_zip_holds_exactly_the_ready_documents(worker):
    case = example_case()
    del case["documents"]["questions"]
    del case["documents"]["follow-up-summary"]["cooperation"]
    response = post_case(worker, "documents", case, bundle="zip")
    assert response.status_code == 200, response.get_json()
    assert response.mimetype == "application/zip"
    with zipfile.ZipFile(io.BytesIO(response.data)) as archive:
        names = sorted(archive.namelist())
        assert names == ["kutsukirjeet_LNP-2026-0042.docx", "suunnitelma_LNP-2026-0042_v1.docx",
                         "toimeksiantosopimus_LNP-2026-0042.docx",
                         "verkostokartta_LNP-2026-0042.docx", "yhteenveto_LNP-2026-0042.docx",
                         "yhteenveto_laheisille_LNP-2026-0042.docx"]
        for name in names:
            assert "LNP-2026-0042" in all_text(archive.read(name))


def test_a_blocked_document_is_refused_with_the_rule(worker):
    case = example_case()
    case["documents"]["questions"]["case_questions"][0]["theme"] = "Jotain aivan muuta"
    response = post_case(worker, "documents", case, types="questions")
    assert response.status_code == 422
    assert response.get_json()["errors"][0]["path"] == "documents.questions.case_questions[0].theme"


def test_an_incomplete_document_is_a_422_naming_the_case_field(worker):
    case = example_case()
    del case["documents"]["summary"]["lead_in"]
    response = post_case(worker, "documents", case, types="summary")
    assert response.status_code == 422
    assert [e["path"] for e in response.get_json()["errors"]] == ["documents.summary.lead_in"]


def test_all_ready_documents_as_one_pdf(worker, app):
    pool = app.extensions["lnp.converter"]
    pool.start()
    assert pool.wait_ready(120)  # a bound for a busy machine, not a measurement
    response = post_case(worker, "documents", example_case(), types="mandate-agreement,summary",
                         format="pdf", bundle="single")
    assert response.status_code == 200, response.get_json()
    assert response.mimetype == "application/pdf"
    text = "\n".join(page.extract_text() for page in PdfReader(io.BytesIO(response.data)).pages)
    assert "Toimeksiantosopimus" in text and "Yhteenveto" in text


def test_one_file_is_a_pdf(worker):
    response = post_case(worker, "documents", example_case(), bundle="single", format="docx")
    assert response.status_code == 400
    assert "format=pdf" in response.get_json()["message"]


def test_unknown_types_and_bundles_are_refused_clearly(worker):
    assert post_case(worker, "documents", example_case(), types="nope").status_code == 400
    assert post_case(worker, "documents", example_case(), types="questions:network").status_code == 400
    assert post_case(worker, "documents", example_case(), bundle="tar").status_code == 400


def test_a_per_document_json_becomes_a_case_over_http(worker):
    summary = DOCUMENT_TYPES["summary"].example()
    response = worker.post("/api/v1/cases/from-document/summary", data=json.dumps(summary),
                           content_type="application/json")
    assert response.status_code == 200
    case = response.get_json()
    assert case["people"]["children"][0] == {"id": "lapsi1", "given_names": "Elle", "birth_date": "2013-03-07"}
    assert "children" not in case["documents"]["summary"]
    again = copy.deepcopy(case)
    assert post_case(worker, "status", again).get_json()["documents"][1]["status"] == READY


def test_the_case_api_is_for_signed_in_workers_only(app):
    anonymous = app.test_client()
    for path in ("status", "documents", "from-document/summary"):
        assert post_case(anonymous, path, example_case()).status_code == 401


def test_letters_in_another_language_warn_that_typed_texts_print_as_typed(worker):
    """The Finnish example's mailing has a Swedish letter: its fixed texts are Swedish, what the
    convener typed is not. Said as a warning that blocks nothing; a mailing in one language has
    none."""
    case = example_case()
    response = post_case(worker, "status", case)
    warnings = [f for f in response.get_json()["findings"] if f["path"] == "documents.invitation.invited_on_behalf_of"]
    assert [w["severity"] for w in warnings] == ["warning"] and "ruotsi" in warnings[0]["message"]
    assert warnings[0]["blocks"] == []
    for recipient in [*case["documents"]["invitation"]["invitees"], *case["documents"]["network-map"]["members"]]:
        recipient.pop("language", None)
    findings = post_case(worker, "status", case).get_json()["findings"]
    assert not [f for f in findings if f["path"] == "documents.invitation.invited_on_behalf_of"]
