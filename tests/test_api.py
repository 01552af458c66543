import io
import json
import re
import threading
import zipfile

import pytest
from docx import Document

from service.registry import DOCUMENT_TYPES
from tests.conftest import TYPE_IDS, post_json
from tests.docxtext import all_text, header_footer_text
from tests.expectations import shown_values

DOCX = "application/vnd.openxmlformats-officedocument.wordprocessingml.document"


def render_ok(client, type_id, payload, **kwargs):
    response = post_json(client, type_id, payload, **kwargs)
    assert response.status_code == 200, response.get_json()
    assert response.mimetype == DOCX
    return response


# A letter prints its own recipient and the meeting in words: its values are checked per letter in
# tests/test_invitation.py.
ONE_DOCUMENT_TYPES = [t for t in TYPE_IDS if DOCUMENT_TYPES[t].letters is None]


@pytest.mark.parametrize("type_id", ONE_DOCUMENT_TYPES)
def test_every_value_of_the_example_is_in_the_document(client, example, type_id):
    payload = example(type_id)
    response = render_ok(client, type_id, payload)
    text = all_text(response.data)
    missing = [(path, value) for path, value in shown_values(DOCUMENT_TYPES[type_id].fields, payload) if value not in text]
    assert not missing


@pytest.mark.parametrize("type_id", TYPE_IDS)
def test_response_headers(client, example, type_id):
    payload = example(type_id)
    response = render_ok(client, type_id, payload)
    assert response.headers["Cache-Control"] == "no-store"
    disposition = response.headers["Content-Disposition"]
    stem = DOCUMENT_TYPES[type_id].file_stem
    version = f'_v{payload["version"]}' if DOCUMENT_TYPES[type_id].versioned else ""  # the plan names its version
    assert disposition == f'attachment; filename="{stem}_{payload["case_ref"]}{version}.docx"'
    assert re.fullmatch(r"0 sha256:[0-9a-f]{16}", response.headers["X-Template-Version"])


@pytest.mark.parametrize("type_id", TYPE_IDS)
def test_header_has_title_and_confidentiality_mark_footer_has_case_ref_and_pages(client, example, type_id):
    payload = example(type_id)
    response = render_ok(client, type_id, payload)
    header_footer = header_footer_text(response.data)
    assert "SALASSA PIDETTÄVÄ – JulkL 24 § 1 mom 25 k" in header_footer
    # A letter's header names it as one letter ("KUTSU – läheisneuvonpito"), not as the mailing.
    name = "Kutsu" if DOCUMENT_TYPES[type_id].letters else DOCUMENT_TYPES[type_id].label
    assert name.upper() in header_footer.upper()
    assert payload["case_ref"] in header_footer
    with zipfile.ZipFile(io.BytesIO(response.data)) as package:
        footers = [package.read(name) for name in package.namelist() if name.startswith("word/footer")]
    # A letter counts the pages of its own section (SECTIONPAGES), a document all of them.
    assert footers and all(b"PAGE" in xml and (b"NUMPAGES" in xml or b"SECTIONPAGES" in xml) for xml in footers)


@pytest.mark.parametrize("type_id", TYPE_IDS)
def test_dates_are_finnish(client, example, type_id):
    payload = example(type_id)
    text = all_text(render_ok(client, type_id, payload).data)
    y, m, d = payload["document_date"].split("-")
    assert f"{int(d)}.{int(m)}.{y}" in text
    assert payload["document_date"] not in text
    assert not re.search(r"\b\d{4}-\d{2}-\d{2}\b", text)


def test_headings_use_word_heading_styles(client, example):
    doc = Document(io.BytesIO(render_ok(client, "summary", example("summary")).data))
    styles = {p.style.name for p in doc.paragraphs}
    assert {"Heading 1"} <= styles
    assert doc.tables, "services are shown in a table"


def test_special_characters_survive(client, example):
    payload = example("summary")
    tricky = ['<b>&amp; "lainaus" \'yksi\' > </w:t>', "Sámi: Máret Áilu Čuđe Ŋ", "عائشة بنت محمد",
              "😀 ⚽ 👨‍👩‍👧", "Å Ä Ö å ä ö", "{{ 7*7 }}", "{% for x in range(3) %}x{% endfor %}"]
    payload["strengths"] = tricky
    text = all_text(render_ok(client, "summary", payload).data)
    for value in tricky:
        assert value in text
    assert "49" not in text.split("{{ 7*7 }}")[0][-5:]


def test_network_copy_leaves_out_what_is_not_shared(client, example):
    payload = example("summary")
    secret = payload["sharing"]["not_to_be_shared"]
    family = all_text(render_ok(client, "summary", payload).data)
    network = render_ok(client, "summary", payload, query_string={"rendition": "network"})
    assert secret in family
    assert secret not in all_text(network.data)
    assert "laheisille" in network.headers["Content-Disposition"]


def test_network_copy_refused_without_the_familys_approval(client, example):
    payload = example("follow-up-summary")
    payload["sharing"]["approved_for_network"] = False
    response = post_json(client, "follow-up-summary", payload, query_string={"rendition": "network"})
    assert response.status_code == 422
    assert response.get_json()["errors"][0]["path"] == "sharing.approved_for_network"


def test_unknown_rendition(client, example):
    response = post_json(client, "questions", example("questions"), query_string={"rendition": "network"})
    assert response.status_code == 400


# --- errors -----------------------------------------------------------------------------------

def assert_error_shape(response, status):
    assert response.status_code == status
    assert response.mimetype == "application/json"
    body = response.get_json()
    assert body["code"] == status and body["message"] and body["status"]
    assert "Traceback" not in response.get_data(as_text=True)
    return body


def test_validation_errors_name_every_path_in_finnish(client, example):
    payload = example("mandate-agreement")
    del payload["children"][0]["birth_date"]
    payload["children"][1]["hetu"] = "010516B903Y"
    payload["guardians"][0]["is_guardian"] = "yes"
    payload["extra"] = 1
    body = assert_error_shape(post_json(client, "mandate-agreement", payload), 422)
    errors = {e["path"]: e for e in body["errors"]}
    assert set(errors) == {"children[0].birth_date", "children[1].hetu", "guardians[0].is_guardian", "extra"}
    assert errors["children[0].birth_date"]["label"] == "Syntymäaika"
    assert errors["children[0].birth_date"]["message"] == "Pakollinen tieto puuttuu."
    assert errors["children[1].hetu"]["message"] == "Henkilötunnuksen tarkistusmerkki ei täsmää."
    # The rejected value is never echoed back.
    assert "010516B903Y" not in json.dumps(body)


def test_malformed_json(client):
    response = client.post("/api/v1/documents/summary", data=b'{"case_ref": ', content_type="application/json")
    assert_error_shape(response, 400)


def test_duplicate_keys_are_refused(client):
    response = client.post("/api/v1/documents/summary", data=b'{"case_ref": "A", "case_ref": "B"}',
                           content_type="application/json")
    assert "kahdesti" in assert_error_shape(response, 400)["message"]


def test_json_array_is_422(client):
    body = assert_error_shape(post_json(client, "summary", [1, 2]), 422)
    assert body["errors"][0]["message"] == "Odotettiin JSON-objektia."


@pytest.mark.parametrize("content_type", ["text/plain", "application/x-www-form-urlencoded", None])
def test_wrong_content_type(client, example, content_type):
    kwargs = {"content_type": content_type} if content_type else {}
    response = client.post("/api/v1/documents/summary", data=json.dumps(example("summary")), **kwargs)
    assert_error_shape(response, 415)


def test_oversized_body(client):
    body = b'{"case_ref": "' + b"x" * (600 * 1024) + b'"}'
    assert_error_shape(client.post("/api/v1/documents/summary", data=body, content_type="application/json"), 413)


def test_unknown_type(client, example):
    assert_error_shape(post_json(client, "suunnitelma", example("summary")), 404)


def test_method_not_allowed(client):
    response = client.get("/api/v1/documents/summary")
    assert_error_shape(response, 405)
    allowed = response.headers["Allow"].split(", ")
    assert "POST" in allowed and "GET" not in allowed


def test_the_json_keeps_its_letters_unescaped(client, example):
    payload = example("summary")
    del payload["document_date"]
    response = post_json(client, "summary", payload)
    assert "Päiväys".encode() in response.data and b"\\u00e4" not in response.data


def test_empty_body(client):
    assert_error_shape(client.post("/api/v1/documents/summary", data=b"", content_type="application/json"), 400)


# --- discovery --------------------------------------------------------------------------------

def test_document_types(client):
    body = client.get("/api/v1/document-types").get_json()
    assert [t["id"] for t in body] == list(DOCUMENT_TYPES)
    assert body[0]["label"] == "Toimeksiantosopimus"


@pytest.mark.parametrize("type_id", TYPE_IDS)
def test_json_schema_accepts_the_example_and_rejects_a_typo(client, example, type_id):
    import jsonschema

    schema = client.get(f"/api/v1/document-types/{type_id}/schema").get_json()
    assert schema["$schema"].endswith("2020-12/schema")
    validator = jsonschema.Draft202012Validator(schema, format_checker=jsonschema.FormatChecker())
    payload = example(type_id)
    assert not list(validator.iter_errors(payload))
    payload["childern"] = payload.pop("children")
    assert list(validator.iter_errors(payload))


@pytest.mark.parametrize("type_id", TYPE_IDS)
def test_example_endpoint(client, example, type_id):
    assert client.get(f"/api/v1/document-types/{type_id}/example").get_json() == example(type_id)


def test_openapi_document(client):
    from openapi_spec_validator import validate

    doc = client.get("/api/v1/openapi.json").get_json()
    validate(doc)
    for type_id in TYPE_IDS:
        assert f"/api/v1/documents/{type_id}" in doc["paths"]
    child = doc["components"]["schemas"]["Child"]
    assert child["properties"]["birth_date"]["title"] == "Syntymäaika"
    assert child["additionalProperties"] is False


def test_healthz(client):
    assert client.get("/healthz").get_json() == {"status": "ok"}


# --- concurrency ------------------------------------------------------------------------------

def test_concurrent_renders_never_mix_data(app, tokens, example):
    """Many threads render different cases at once; each document holds only its own case."""
    markers = [f"MERKKI{i:03d}" for i in range(24)]
    results: dict[str, str] = {}
    failures: list[str] = []

    def worker(marker):
        client = app.test_client()
        client.environ_base["HTTP_AUTHORIZATION"] = f"Bearer {tokens['worker']}"
        for round_ in range(4):
            payload = example("summary")
            payload["current_situation"] = f"{marker}-{round_}"
            payload["case_ref"] = f"{marker}-{round_}"
            response = post_json(client, "summary", payload)
            if response.status_code != 200:
                failures.append(marker)
                continue
            text = all_text(response.data)
            others = [m for m in markers if m != marker and m in text]
            if others or f"{marker}-{round_}" not in text:
                failures.append(marker)
            results[marker] = text

    threads = [threading.Thread(target=worker, args=(m,)) for m in markers]
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    assert not failures
    assert len(results) == len(markers)
