"""The forms' server side through Flask's test client: form ⇄ JSON, messages, carry-over,
CSRF, headers and the no-storage rules. The browser tests (test_forms_browser.py) do the rest."""

from __future__ import annotations

import io
import json
import re

import pytest
from werkzeug.datastructures import MultiDict

from service.pages import carryover, forms
from service.pages.formdata import apply_action, blank, field_id, from_form, to_form
from service.pages.formerrors import friendly
from service.registry import DOCUMENT_TYPES
from tests.conftest import HTTPS, TYPE_IDS, load_example, signed_in

TOKEN_RE = re.compile(r'name="csrf_token" value="([^"]+)"')


def csrf_token(client, type_id="summary") -> str:
    return TOKEN_RE.search(client.get(f"/lomakkeet/{type_id}").get_data(as_text=True)).group(1)


def post_form(client, type_id, form: MultiDict, action="produce"):
    form = MultiDict(form)
    form["csrf_token"] = csrf_token(client, type_id)
    form["action"] = action
    return client.post(f"/lomakkeet/{type_id}", data=form)


# --- form ⇄ JSON -----------------------------------------------------------------------------

@pytest.mark.parametrize("type_id", TYPE_IDS)
def test_form_of_the_example_gives_back_the_example(type_id):
    doc_type = DOCUMENT_TYPES[type_id]
    example = load_example(type_id)
    data = from_form(doc_type.fields, to_form(doc_type.fields, example))
    schema = doc_type.schema()
    assert schema.load(data) == schema.load(example)


def test_empty_optional_blocks_are_absent_and_checkboxes_are_booleans():
    root = DOCUMENT_TYPES["mandate-agreement"].fields
    form = MultiDict({
        "coordinator.given_names": "", "coordinator.surname": "  ",
        "accessibility.meeting_language": "fi",  # the preselected default is not a value given
        "target_window.start": "", "children.__count": "1", "children[0].given_names": "Elle",
        "children[0].own_consent": "", "guardians[0].is_guardian": "true",
        "guardians[0].postal_address.street": "", "version": "2", "document_date": "14.9.2026",
        "reason": "rivi\r\ntoinen",
    })
    data = from_form(root, form)
    for absent in ("coordinator", "accessibility", "target_window"):
        assert absent not in data
    assert data["file_copy"] is False and data["is_acute"] is False  # unticked = false, never absent
    assert data["children"] == [{"given_names": "Elle", "non_disclosure": False}]  # an unmarked yes/no is absent
    assert data["guardians"] == [{"is_guardian": True, "interpreter_needed": False, "non_disclosure": False}]
    assert data["version"] == 2
    assert data["document_date"] == "2026-09-14"
    assert data["reason"] == "rivi\ntoinen"


def test_a_value_the_schema_refuses_is_kept_as_typed():
    root = DOCUMENT_TYPES["summary"].fields
    data = from_form(root, MultiDict({"version": "kaksi", "document_date": "31.2.2026", "case_ref": "x"}))
    assert data["version"] == "kaksi" and data["document_date"] == "31.2.2026"


def test_list_actions():
    root = DOCUMENT_TYPES["mandate-agreement"].fields
    data = blank(root)
    assert len(data["children"]) == 1 and len(data["guardians"]) == 1 and len(data["themes"]) == 1
    assert "participating_workers" not in data  # required but may be empty: starts empty
    assert apply_action(root, data, "add", "children") == "f-children-1-given_names"
    data["children"][0]["given_names"] = "A"
    data["children"][1]["given_names"] = "B"
    assert apply_action(root, data, "down", "children[0]") == "f-children-1-up"
    assert [c["given_names"] for c in data["children"]] == ["B", "A"]
    assert apply_action(root, data, "remove", "children[0]") == "f-children-add"
    assert data["children"] == [{"given_names": "A"}]
    assert apply_action(root, data, "add", "accessibility.interpreting") == "f-accessibility-interpreting-0-language"
    assert data["accessibility"] == {"interpreting": [{}]}
    for _ in range(20):
        apply_action(root, data, "add", "children")
    assert len(data["children"]) == 10  # the schema's maximum


@pytest.mark.parametrize("action, target", [("add", "reason"), ("add", "nope"), ("remove", "children[7]"),
                                            ("up", "children"), ("add", "children[0].given_names"),
                                            ("add", "__class__")])
def test_list_actions_refuse_paths_that_are_not_lists(client, action, target):
    response = post_form(client, "mandate-agreement", MultiDict(), action=f"{action}:{target}")
    assert response.status_code == 400
    assert "text/html" in response.content_type


def test_field_ids():
    assert field_id("children[0].birth_date") == "f-children-0-birth_date"


# --- messages ------------------------------------------------------------------------------

@pytest.mark.parametrize("type_id, path, message, expected", [
    ("mandate-agreement", "children[0].birth_date", "Pakollinen tieto puuttuu.", "Syntymäaika puuttuu"),
    ("mandate-agreement", "children[1].hetu", "Henkilötunnuksen tarkistusmerkki ei täsmää.",
     "Henkilötunnuksen tarkistusmerkki ei täsmää"),
    ("mandate-agreement", "consent.to_network", "Pakollinen tieto puuttuu.",
     "Suostumus: hyväksytyt tiedot kutsutuille läheisille: valitse Kyllä tai Ei"),
    ("mandate-agreement", "themes", "Luettelossa on oltava 1–15 kohtaa.",
     "Käsiteltävät asiat: lisää vähintään yksi käsiteltävä asia"),
    ("mandate-agreement", "themes[2]", "Teksti ei voi olla tyhjä.",
     "Käsiteltävä asia 3 on tyhjä: kirjoita teksti tai poista kohta"),
    ("mandate-agreement", "social_worker.work_email", "Sähköpostiosoite ei ole kelvollinen.",
     "Työsähköposti ei ole kelvollinen sähköpostiosoite, esimerkiksi etunimi.sukunimi@hel.fi"),
    ("summary", "document_date", "Päivämäärä ei ole kelvollinen: käytä muotoa VVVV-KK-PP ja todellista päivää.",
     "Päiväys ei ole kelvollinen päivämäärä. Anna päivämäärä muodossa 7.3.2026"),
    ("summary", "current_situation", "Teksti on liian pitkä (enintään 4000 merkkiä).",
     "Tilanne nyt on liian pitkä: enintään 4000 merkkiä"),
    ("summary", "version", "Odotettiin kokonaislukua.", "Versio on annettava kokonaislukuna, esimerkiksi 1"),
])
def test_plain_finnish_messages(type_id, path, message, expected):
    assert friendly(DOCUMENT_TYPES[type_id].fields, path, message) == expected


def test_error_state_has_summary_links_and_field_messages(client):
    example = load_example("mandate-agreement")
    del example["children"][0]["birth_date"]
    example["children"][1]["hetu"] = "010516B903Y"
    response = post_form(client, "mandate-agreement", to_form(DOCUMENT_TYPES["mandate-agreement"].fields, example))
    assert response.status_code == 422
    html = response.get_data(as_text=True)
    assert '<a href="#f-children-0-birth_date">Syntymäaika puuttuu (Lapsi 1)</a>' in html
    assert 'id="f-children-1-hetu-error"' in html
    assert 'value="010516B903Y"' in html
    assert "<title>Virhe: Toimeksiantosopimus" in html


# --- carry-over ------------------------------------------------------------------------------

def test_agreement_to_summary_carries_shared_blocks():
    agreement = load_example("mandate-agreement")
    opened = carryover.open_into(DOCUMENT_TYPES["summary"], agreement)
    assert opened.source is DOCUMENT_TYPES["mandate-agreement"]
    assert opened.data["children"] == [{"first_name": "Elle", "birth_date": "2013-03-07"},
                                       {"first_name": "Iisak", "birth_date": "2016-05-01"}]
    assert opened.data["author"] == agreement["social_worker"]
    assert opened.data["case_ref"] == "LNP-2026-0042"
    assert "document_date" not in opened.data and "version" not in opened.data
    assert "Huoltajat ja vanhemmat" in opened.left_out and "Päiväys" in opened.left_out


def test_first_given_name_when_no_calling_name():
    child = {"given_names": "Aino Maria", "surname": "X", "birth_date": "2015-01-01"}
    opened = carryover.open_into(DOCUMENT_TYPES["questions"], {"children": [child], "place": "Helsinki"})
    assert opened.data["children"] == [{"first_name": "Aino", "birth_date": "2015-01-01"}]


def test_summary_to_agreement_carries_author_as_social_worker():
    summary = load_example("summary")
    opened = carryover.open_into(DOCUMENT_TYPES["mandate-agreement"], summary)
    assert opened.data["social_worker"] == summary["author"]
    assert opened.data["children"][0] == {"given_names": "Elle", "birth_date": "2013-03-07"}
    assert "sharing" not in opened.data  # the family's sharing decision is per document


def test_same_type_keeps_even_refused_values_but_drops_unknown_keys():
    opened = carryover.open_into(DOCUMENT_TYPES["summary"], {"case_ref": "A", "version": "kaksi"})
    assert opened.source is DOCUMENT_TYPES["summary"]
    assert opened.data == {"case_ref": "A", "version": "kaksi"}


# --- HTTP: CSRF, headers, no storage, no data in URLs -------------------------------------------

def test_post_without_csrf_token_is_refused(app):
    browser = signed_in(app, "worker", "lomakkeen-kayttaja")
    response = browser.post("/lomakkeet/summary", data={"action": "save", "case_ref": "LNP-1"}, **HTTPS)
    assert response.status_code == 400
    html = response.get_data(as_text=True)
    assert "Lomakkeen lähetys hylättiin" in html and 'lang="fi"' in html
    assert browser.post("/avaa", data={"json": "{}"}, **HTTPS).status_code == 400
    # the same post with the page's token goes through
    token = TOKEN_RE.search(browser.get("/lomakkeet/summary", **HTTPS).get_data(as_text=True)).group(1)
    ok = browser.post("/lomakkeet/summary", data={"action": "save", "case_ref": "LNP-1", "csrf_token": token}, **HTTPS)
    assert ok.status_code == 200


def test_the_json_api_needs_no_csrf_token(client):
    response = client.post("/api/v1/documents/summary", data=json.dumps(load_example("summary")),
                           content_type="application/json")
    assert response.status_code == 200


@pytest.mark.parametrize("path", ["/", "/lomakkeet/summary"])
def test_pages_have_csp_and_no_store(client, path):
    response = client.get(path)
    assert response.status_code == 200
    assert response.headers["Cache-Control"] == "no-store"
    assert "script-src 'self'" in response.headers["Content-Security-Policy"]
    assert "frame-ancestors 'none'" in response.headers["Content-Security-Policy"]
    assert 'style="' not in response.get_data(as_text=True)


def test_case_data_in_a_url_is_refused(client):
    assert client.get("/lomakkeet/summary?case_ref=LNP-1").status_code == 400
    assert client.get("/?x=1").status_code == 400
    assert client.get("/lomakkeet/nope").status_code == 404


def test_produce_headers_match_the_api(client):
    example = load_example("summary")
    response = post_form(client, "summary", to_form(DOCUMENT_TYPES["summary"].fields, example))
    assert response.status_code == 200
    assert response.headers["Content-Disposition"] == 'attachment; filename="yhteenveto_LNP-2026-0042.docx"'
    assert response.headers["Cache-Control"] == "no-store"


@pytest.mark.parametrize("case_ref, name", [
    ("LNP-2026-0042", "yhteenveto_LNP-2026-0042.json"),
    ("010516B903X", "yhteenveto.json"),  # an identity code never reaches a file name
    ("Elle Saijets", "yhteenveto.json"),
    ("", "yhteenveto.json"),
])
def test_save_names_the_file_by_type_and_case_ref_only(client, case_ref, name):
    response = post_form(client, "summary", MultiDict({"case_ref": case_ref, "current_situation": "kesken"}),
                         action="save")
    assert response.status_code == 200
    assert response.headers["Content-Disposition"] == f'attachment; filename="{name}"'
    assert response.headers["Cache-Control"] == "no-store"
    assert response.get_json()["current_situation"] == "kesken"


def test_unknown_format_or_rendition_is_refused(client):
    form = MultiDict({"format": "exe"})
    assert post_form(client, "summary", form).status_code == 400
    assert post_form(client, "questions", MultiDict(), action="produce:network").status_code == 400


def test_open_refuses_what_is_not_a_saved_case(client):
    token = csrf_token(client)
    for body in ("", "{", "[1, 2]"):
        response = client.post("/lomakkeet/summary/avaa", data={"csrf_token": token, "json": body})
        assert response.status_code == 422
        assert 'id="page-problem"' in response.get_data(as_text=True)
    response = client.post("/avaa", data={"csrf_token": token, "json": '{"x": 1}'})
    assert response.status_code == 422
    assert "ei tunnistettu" in response.get_data(as_text=True)


def test_uploads_stay_in_memory(client, app):
    """werkzeug would spool a large upload to a temporary file; this app keeps it in memory."""
    assert issubclass(app.request_class, forms.InMemoryRequest)
    request = app.request_class.from_values()
    assert isinstance(request._get_file_stream(10 * 1024 * 1024, "application/json", "x.json"), io.BytesIO)
    token = csrf_token(client)
    payload = json.dumps(load_example("summary")).encode() + b" " * (500 * 1024 - 20_000)
    response = client.post("/lomakkeet/summary/avaa", data={
        "csrf_token": token, "file": (io.BytesIO(payload), "yhteenveto.json", "application/json")},
        content_type="multipart/form-data")
    assert response.status_code == 200
    assert 'value="LNP-2026-0042"' in response.get_data(as_text=True)


def test_too_large_a_post_gets_a_finnish_page(client):
    token = csrf_token(client)
    response = client.post("/lomakkeet/summary", data={"csrf_token": token, "current_situation": "x" * 600_000})
    assert response.status_code == 413
    assert "text/html" in response.content_type and "liian suuri" in response.get_data(as_text=True)


def test_a_new_questions_form_shows_the_five_standard_questions(client):
    page = client.get("/lomakkeet/questions").get_data(as_text=True)
    assert "Miten suunnitelman toteutumista seurataan?" in page
    assert "Milloin pidetään seurantakokous ja keitä siihen kutsutaan?" in page


# --- lists and length caps -----------------------------------------------------------------------

def test_the_five_standard_questions_are_filled_in_not_added_or_removed(client):
    html = client.get("/lomakkeet/questions").get_data(as_text=True)
    assert html.count('name="standard_questions[') >= 5
    for action in ("remove:standard_questions[", "up:standard_questions[", "down:standard_questions[",
                   "add:standard_questions\""):
        assert f'value="{action}' not in html, action
    assert "Enintään 5 kohtaa" not in html
    assert 'value="remove:case_questions[0]"' not in html  # the only one of at least one
    form = to_form(DOCUMENT_TYPES["questions"].fields, load_example("questions"))
    response = post_form(client, "questions", form, action="remove:standard_questions[0]")
    assert response.status_code == 200
    assert 'name="standard_questions.__count" value="5"' in response.get_data(as_text=True)


def test_an_entry_is_removable_only_above_the_least_number(client):
    html = client.get("/lomakkeet/summary").get_data(as_text=True)
    assert 'value="remove:children[0]"' not in html
    form = MultiDict({"children.__count": "1", "children[0].first_name": "Elle"})
    html = post_form(client, "summary", form, action="add:children").get_data(as_text=True)
    assert 'value="remove:children[0]"' in html and 'value="remove:children[1]"' in html


def test_a_long_text_says_its_cap_also_without_javascript(client):
    html = client.get("/lomakkeet/summary").get_data(as_text=True)
    textarea = re.search(r'<textarea[^>]*id="f-current_situation"[^>]*>', html).group(0)
    assert "f-current_situation-count" in re.search(r'aria-describedby="([^"]+)"', textarea).group(1)
    counter = re.search(r'<span[^>]*id="f-current_situation-count"[^>]*>([^<]*)</span>', html)
    assert counter.group(1) == "Enintään 4\xa0000 merkkiä."
    assert 'data-count-left-other="Jäljellä {count} merkkiä"' in html
    assert 'data-count-over-one="{count} merkki liikaa"' in html


def test_the_friendly_wording_keys_are_the_schemas_own_messages():
    """Every message a form rewords is the schemas' own message object, imported, never a copy of
    its text: rewording a message in schemas/fields.py keeps its friendly form."""
    from schemas import fields
    from service.pages import formerrors

    exported = {id(value) for value in vars(fields).values() if isinstance(value, str)}
    rules = [formerrors.EMPTY, formerrors.AS_IS_WITH_LABEL] + [ids for ids, _ in formerrors.LABEL_RULES] + \
        [ids for ids, _ in formerrors.EXAMPLE_RULES]
    copies = [message for ids in rules for message in ids if id(message) not in exported]
    assert copies == []
    # and the rule still recognises the message as the schema raises it, in every language
    from schemas.i18n import language

    for lang in ("fi", "sv", "en"):
        with language(lang):
            root = DOCUMENT_TYPES["summary"].fields
            assert friendly(root, "document_date", fields.BAD_DATE) != fields.BAD_DATE.rstrip(".")
