"""The case form's server side: pages generated from the case's schemas, the case carried in the
page (never stored), every page posted back without losing a value, the overview's states, and
documents, bundles and the case file made from the pages."""

from __future__ import annotations

import html
import io
import json
import re
import zipfile

import pytest
from werkzeug.datastructures import MultiDict

from service.cases.compose import document_payload
from service.pages.case_form import COMMON, OVERVIEW, section
from service.pages.formdata import to_form
from service.registry import DOCUMENT_TYPES
from tests.conftest import signed_in
from tests.docxtext import all_text
from tests.test_cases import example_case

TOKEN_RE = re.compile(r'name="csrf_token" value="([^"]+)"')
CASE_RE = re.compile(r'name="case" value="([^"]*)"')
SECTIONS = [COMMON, *DOCUMENT_TYPES]


@pytest.fixture(scope="module")
def browser_user(app):
    return signed_in(app, "worker")


def page_case(response) -> dict:
    """The case JSON a page carries."""
    return json.loads(html.unescape(CASE_RE.search(response.get_data(as_text=True)).group(1)))


def post_page(client, case: dict, section_id: str, fields: MultiDict | None = None, action: str = "goto:yleiskuva"):
    token = TOKEN_RE.search(client.get("/tapaus").get_data(as_text=True)).group(1)
    form = MultiDict(fields or {})
    form.update({"csrf_token": token, "case": json.dumps(case), "section": section_id, "action": action})
    return client.post("/tapaus", data=form)


def section_values(case: dict, section_id: str) -> dict:
    if section_id == COMMON:
        return {k: case[k] for k in ("case_ref", "language", "people", "meetings") if k in case}
    return case["documents"][section_id]


def test_a_new_case_starts_on_the_shared_page(browser_user):
    response = browser_user.get("/tapaus")
    assert response.status_code == 200
    text = response.get_data(as_text=True)
    assert 'name="people.children[0].given_names"' in text
    assert 'name="meetings.conference.date"' in text
    assert page_case(response) == {"language": "fi", "people": {"children": [{}], "guardians": [{}]}}


@pytest.mark.parametrize("section_id", SECTIONS)
def test_posting_a_page_back_loses_nothing(browser_user, section_id):
    """What the browser posts for a page of the example case gives back the same case."""
    case = example_case()
    fields = to_form(section(section_id).fields, section_values(case, section_id))
    response = post_page(browser_user, case, section_id, fields)
    assert response.status_code == 200
    again = page_case(response)
    for doc_type in DOCUMENT_TYPES.values():
        schema = doc_type.schema()
        assert schema.load(document_payload(again, doc_type)) == schema.load(document_payload(case, doc_type))


def test_moving_between_pages_keeps_what_was_typed(browser_user):
    case = example_case()
    fields = to_form(section("summary").fields, case["documents"]["summary"])
    fields["current_situation"] = "Uusi kuvaus tilanteesta."
    response = post_page(browser_user, case, "summary", fields, action="goto:questions")
    assert page_case(response)["documents"]["summary"]["current_situation"] == "Uusi kuvaus tilanteesta."
    assert 'name="case_questions[0].text"' in response.get_data(as_text=True)


def test_opening_a_documents_page_does_not_start_it(browser_user):
    case = example_case()
    del case["documents"]["questions"]
    page = browser_user.post("/tapaus", data={
        "csrf_token": TOKEN_RE.search(browser_user.get("/tapaus").get_data(as_text=True)).group(1),
        "case": json.dumps(case), "section": OVERVIEW, "action": "goto:questions"})
    text = page.get_data(as_text=True)
    assert 'name="standard_questions[4].text"' in text  # the five standard questions, ready
    assert "questions" not in page_case(page).get("documents", {})


def test_a_new_documents_date_is_today(browser_user):
    import datetime as dt

    case = example_case()
    del case["documents"]["summary"]
    page = post_page(browser_user, case, OVERVIEW, action="goto:summary")
    assert f'value="{dt.date.today().isoformat()}"' in page.get_data(as_text=True)


def test_the_overview_shows_each_state_and_what_is_missing(browser_user):
    case = example_case()
    del case["documents"]["questions"]
    del case["documents"]["summary"]["lead_in"]
    case["meetings"]["follow_up"]["date"] = "2027-09-30"
    text = post_page(browser_user, case, OVERVIEW).get_data(as_text=True)
    # agreement, summary, questions, plan (its follow-up meeting is no longer the case's), follow-up
    # summary, network map, letters
    assert re.findall(r"lnp-status--(\w+)", text) == ["ready", "incomplete", "not_started", "blocked", "ready",
                                                      "ready", "ready"]
    assert "Johdanto kysymyksiin" in text  # what is missing, by its label
    assert "3–6 kuukauden" in text  # the follow-up warning


def test_a_document_from_its_page(browser_user):
    case = example_case()
    fields = to_form(section("summary").fields, case["documents"]["summary"])
    response = post_page(browser_user, case, "summary", fields, action="produce:summary")
    assert response.status_code == 200
    assert response.headers["Content-Disposition"] == 'attachment; filename="yhteenveto_LNP-2026-0042.docx"'
    assert "Elle" in all_text(response.data)


def test_an_incomplete_document_comes_back_with_its_errors_on_its_page(browser_user):
    case = example_case()
    fields = to_form(section("summary").fields, case["documents"]["summary"])
    del fields["lead_in"]
    response = post_page(browser_user, case, "summary", fields, action="produce:summary")
    assert response.status_code == 422
    text = response.get_data(as_text=True)
    assert 'id="error-summary"' in text and 'href="#f-lead_in"' in text
    assert page_case(response)["documents"]["summary"]["current_situation"] == case["documents"]["summary"][
        "current_situation"]


def test_all_ready_documents_as_a_zip_from_the_overview(browser_user):
    response = post_page(browser_user, example_case(), OVERVIEW, action="bundle:zip")
    assert response.status_code == 200
    with zipfile.ZipFile(io.BytesIO(response.data)) as archive:
        assert len(archive.namelist()) == 9  # seven documents and the two relatives' copies


def test_the_case_file_is_named_by_the_case_reference_only(browser_user):
    response = post_page(browser_user, example_case(), OVERVIEW, action="save")
    assert response.headers["Content-Disposition"] == 'attachment; filename="tapaus_LNP-2026-0042.json"'
    assert json.loads(response.data) == example_case()


def test_a_per_document_file_opens_into_the_case(browser_user):
    token = TOKEN_RE.search(browser_user.get("/tapaus").get_data(as_text=True)).group(1)
    summary = DOCUMENT_TYPES["summary"].example()
    response = browser_user.post("/tapaus/avaa", data={
        "csrf_token": token, "case": "", "json": json.dumps(summary)})
    assert response.status_code == 200
    case = page_case(response)
    assert case["people"]["children"][0]["given_names"] == "Elle"
    assert case["documents"]["summary"]["current_situation"] == summary["current_situation"]


def test_a_tampered_case_field_is_refused(browser_user):
    token = TOKEN_RE.search(browser_user.get("/tapaus").get_data(as_text=True)).group(1)
    response = browser_user.post("/tapaus", data={"csrf_token": token, "case": "[1,", "section": OVERVIEW,
                                                 "action": "goto:yleiskuva"})
    assert response.status_code == 400
    response = browser_user.post("/tapaus", data={"csrf_token": token, "case": "{}", "section": "nope",
                                                 "action": "goto:yleiskuva"})
    assert response.status_code == 400


# --- the worker's own details -------------------------------------------------------------------

OWN = {"given_names": "Sari", "surname": "Virtanen", "title": "sosiaalityöntekijä", "organisation": "Helsingin kaupunki",
       "unit": "Lastensuojelu, Itä", "work_phone": "+358 9 310 12345", "work_email": "sari.virtanen@hel.fi"}


def test_own_details_are_kept_in_the_account_and_filled_in_for_the_worker(app):
    import datetime as dt

    user = signed_in(app, "worker", name="sari")
    token = TOKEN_RE.search(user.get("/auth/account").get_data(as_text=True)).group(1)
    bad = {**OWN, "work_email": "ei-osoite", "work_phone": "soita"}
    response = user.post("/auth/account", data={"csrf_token": token, **bad})
    assert response.status_code == 422
    text = response.get_data(as_text=True)
    assert text.count('class="hds-text-input__error-text lnp-error"') == 2  # both errors at once
    assert 'value="Sari"' in text  # nothing typed is lost
    response = user.post("/auth/account", data={"csrf_token": token, **OWN})
    assert response.status_code == 302
    assert app.extensions["lnp.accounts"].profile("sari") == OWN
    summary_form = user.get("/lomakkeet/summary").get_data(as_text=True)
    assert re.search(r'value="sari\.virtanen@hel\.fi" id="f-author-work_email"', summary_form)
    assert re.search(rf'value="{dt.date.today().isoformat()}" id="f-document_date"', summary_form)
    case = page_case(user.get("/tapaus"))
    assert case["people"]["social_worker"] == OWN


def test_an_api_token_has_no_own_details_page(app):
    tokened = app.test_client()
    tokened.environ_base["HTTP_AUTHORIZATION"] = "Bearer " + app.extensions["lnp.accounts"].create_token(
        "t", "worker")[1]
    assert tokened.post("/auth/account", data=OWN).status_code == 404
