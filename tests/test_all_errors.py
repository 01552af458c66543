"""Every error at once: a field's own rule and the rules across fields are reported together, in
the API's 422 and in the form, whatever else in the case is wrong."""

from __future__ import annotations

import copy
import re

import pytest
from werkzeug.datastructures import MultiDict

from service.pages.formdata import to_form
from service.registry import DOCUMENT_TYPES
from tests.conftest import TYPE_IDS, load_example, post_json

TOKEN_RE = re.compile(r'name="csrf_token" value="([^"]+)"')
AGREEMENT = "mandate-agreement"


def api_errors(client, type_id, payload, **kwargs) -> dict[str, str]:
    response = post_json(client, type_id, payload, **kwargs)
    assert response.status_code == 422, response.get_data(as_text=True)
    found: dict[str, str] = {}
    for error in response.get_json()["errors"]:
        found[error["path"]] = (found.get(error["path"], "") + " " + error["message"]).strip()
    return found


def fourteen_year_old_without_consent(payload):
    """Elle (born 7.3.2013) is 14 on the agreement's date and has not given her own consent."""
    payload["document_date"] = "2027-06-01"
    del payload["children"][0]["own_consent"]
    return payload


def test_bad_identity_code_and_missing_own_consent_together(client):
    payload = fourteen_year_old_without_consent(load_example(AGREEMENT))
    payload["children"][0]["hetu"] = "070313A9999"  # a wrong check character
    errors = api_errors(client, AGREEMENT, payload)
    assert "tarkistusmerkki" in errors["children[0].hetu"]
    assert "LSL 21" in errors["children[0].own_consent"]


def test_invalid_email_and_missing_consent_together(client):
    payload = fourteen_year_old_without_consent(load_example(AGREEMENT))
    payload["guardians"][1]["email"] = "ande.saijets@"
    errors = api_errors(client, AGREEMENT, payload)
    assert errors["guardians[1].email"] == "Sähköpostiosoite ei ole kelvollinen."
    assert "LSL 21" in errors["children[0].own_consent"]


def test_every_rule_of_the_agreement_with_field_errors_elsewhere(client):
    payload = fourteen_year_old_without_consent(load_example(AGREEMENT))
    payload["file_copy"] = False  # Iisak's identity code may then not be printed
    for guardian in payload["guardians"]:
        guardian["is_guardian"] = False
    payload["guardians"][0]["phone"] = "soita"
    payload["children"][1]["calling_name"] = "Ilmari"  # not one of his given names
    payload["reason"] = ""
    errors = api_errors(client, AGREEMENT, payload)
    assert set(errors) >= {"children[0].own_consent", "children[1].hetu", "children[1].calling_name",
                           "guardians", "guardians[0].phone", "reason"}


def test_rules_inside_a_block_report_with_its_field_errors(client):
    payload = load_example(AGREEMENT)
    payload["children"][1]["hetu"] = "010516B903X"
    payload["children"][1]["birth_date"] = "2016-05-02"  # does not match the identity code
    payload["children"][1]["school_or_daycare"] = "x" * 201
    payload["target_window"] = {"start": "2026-10-10", "end": "2026-10-01"}
    payload["target_window"]["extra"] = 1
    errors = api_errors(client, AGREEMENT, payload)
    assert "eivät täsmää" in errors["children[1].hetu"]
    assert "liian pitkä" in errors["children[1].school_or_daycare"]
    assert "ennen alkamispäivää" in errors["target_window.end"]
    assert "Tuntematon kenttä" in errors["target_window.extra"]


def test_the_relatives_copy_refusal_comes_with_the_field_errors(client):
    payload = load_example("summary")
    payload["sharing"]["approved_for_network"] = False
    payload["author"]["work_email"] = "ei osoite"
    errors = api_errors(client, "summary", payload, query_string={"rendition": "network"})
    assert "Perhe ei ole hyväksynyt" in errors["sharing.approved_for_network"]
    assert "Sähköpostiosoite" in errors["author.work_email"]


# Whatever is missing or of the wrong shape, the rules across fields answer with errors, never a 500.
BREAKAGES = [
    ("children", None), ("children", [None, "lapsi"]), ("children", [{}]), ("children", [{"birth_date": "x"}]),
    ("children", [{"birth_date": "2013-02-30", "hetu": "abc"}]), ("guardians", [{}]), ("guardians", "x"),
    ("document_date", "huomenna"), ("file_copy", "yes"), ("target_window", {"end": "2026-01-01"}),
    ("target_window", {"start": "x", "end": "2026-01-01"}), ("standard_questions", [{"key": "x"}]),
    ("standard_questions", None), ("sharing", {"approved_for_network": "yes"}), ("sharing", None),
]


@pytest.mark.parametrize("type_id", TYPE_IDS)
@pytest.mark.parametrize("key, value", BREAKAGES)
def test_rules_across_fields_survive_any_broken_part(client, type_id, key, value):
    payload = load_example(type_id)
    if key not in DOCUMENT_TYPES[type_id].fields.children:
        return
    payload[key] = value
    assert api_errors(client, type_id, payload)
    for rendition in DOCUMENT_TYPES[type_id].renditions:
        response = post_json(client, type_id, payload, query_string={"rendition": rendition})
        assert response.status_code == 422


def test_the_form_shows_every_error_at_once(client):
    payload = fourteen_year_old_without_consent(copy.deepcopy(load_example(AGREEMENT)))
    payload["guardians"][1]["email"] = "ande.saijets@"
    payload["children"][1]["hetu"] = "010516B903Y"
    form = MultiDict(to_form(DOCUMENT_TYPES[AGREEMENT].fields, payload))
    form["csrf_token"] = TOKEN_RE.search(client.get(f"/lomakkeet/{AGREEMENT}").get_data(as_text=True)).group(1)
    form["action"] = "produce"
    response = client.post(f"/lomakkeet/{AGREEMENT}", data=form)
    assert response.status_code == 422
    html = response.get_data(as_text=True)
    summary = html[html.index('id="error-summary"'):html.index("</ul>", html.index('id="error-summary"'))]
    for target in ("f-guardians-1-email", "f-children-1-hetu", "f-children-0-own_consent"):
        assert f'href="#{target}' in summary
    assert "Tiedoissa on 3 virhettä" in html
