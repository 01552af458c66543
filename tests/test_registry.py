"""Adding a document type: a schema, its three templates, its examples and one registry entry.
A throw-away type registered at test time gets its form, its API route, its OpenAPI entry and
JSON Schema, its field guide, the template checker and its place in the case, with no other code."""

from __future__ import annotations

import dataclasses
import io
import json
import re
import shutil

import pytest
from docx import Document

from schemas.common import DocumentSchema, children_brief_field
from schemas.fields import long_text, text
from service import create_app
from service.api import openapi
from service.cases import compose
from service.pages import case_form
from service.registry import DOCUMENT_TYPES, TEMPLATES_DIR, DocumentType
from service.wordtemplates.checker import check
from tests.conftest import TEST_CONFIG
from tests.docxtext import all_text


class NoteSchema(DocumentSchema):
    """Muistio: the throw-away type's schema, built from the shared blocks like the real ones."""

    children = children_brief_field()
    topic = text("Aihe", "Mistä muistio kertoo.", required=True)
    body = long_text("Muistio", required=True, max_length=2000)


EXAMPLE = {"case_ref": "LNP-TEST-1", "language": "fi", "document_date": "2026-11-02", "version": 1,
           "children": [{"first_name": "Elle", "birth_date": "2013-03-07"}],
           "topic": "Koulumatkat", "body": "Sovittiin koulumatkoista."}


@dataclasses.dataclass(frozen=True)
class ThrowAwayType(DocumentType):
    def example(self, language: str = "fi") -> dict:
        return {**EXAMPLE, "language": language}


def template(heading: str, topic: str = "topic") -> bytes:
    document = Document()
    document.add_heading(heading, level=1)
    document.add_paragraph("{{ doc.title }} – {{ case_ref }}")
    document.add_paragraph("{% for child in children %}{{ child.first_name }} ({{ child.birth_date|date }}){% endfor %}")
    document.add_paragraph("{{ " + topic + " }}")
    document.add_paragraph("{{ body }}")
    out = io.BytesIO()
    document.save(out)
    return out.getvalue()


@pytest.fixture
def note_type(tmp_path, monkeypatch):
    """The type registered, its templates in a copy of the built-in folder, every cache that
    reads the registry emptied before and after."""
    templates = tmp_path / "templates_docx"
    shutil.copytree(TEMPLATES_DIR, templates)
    for lang, heading in (("fi", "Muistio"), ("sv", "Promemoria"), ("en", "Memo")):
        (templates / lang / "note.docx").write_bytes(template(heading))
    doc_type = ThrowAwayType(id="note", label="Muistio", description="Kokeilutyyppi.", phase="Valmisteluvaihe",
                             schema=NoteSchema, file_stem="muistio")
    monkeypatch.setitem(DOCUMENT_TYPES, "note", doc_type)

    def forget():
        compose.part_schema.cache_clear()
        compose.case_schema.cache_clear()
        openapi._components.cache_clear()
        case_form._SECTIONS.clear()

    forget()
    yield doc_type, templates
    monkeypatch.delitem(DOCUMENT_TYPES, "note")
    forget()


@pytest.fixture
def note_app(note_type, tmp_path):
    from service.instance import ensure_secrets

    folder = tmp_path / "instance"
    ensure_secrets(folder)
    app = create_app({**TEST_CONFIG, "INSTANCE_PATH": str(folder), "TEMPLATES_DIR": note_type[1]})
    client = app.test_client()
    client.environ_base["HTTP_AUTHORIZATION"] = "Bearer " + app.extensions["lnp.accounts"].create_token(
        "t", "convener")[1]
    return app, client


def test_a_new_type_gets_its_api_route(note_app):
    _, client = note_app
    response = client.post("/api/v1/documents/note", data=json.dumps(EXAMPLE), content_type="application/json")
    assert response.status_code == 200, response.get_json()
    assert response.headers["Content-Disposition"] == 'attachment; filename="muistio_LNP-TEST-1.docx"'
    text = all_text(response.data)
    assert "Koulumatkat" in text and "Sovittiin koulumatkoista." in text and "Elle (7.3.2013)" in text
    refused = client.post("/api/v1/documents/note", data=json.dumps({**EXAMPLE, "topic": ""}),
                          content_type="application/json")
    assert refused.status_code == 422 and refused.get_json()["errors"][0]["path"] == "topic"


def test_a_new_type_gets_its_form(note_app):
    app, client = note_app
    page = client.get("/lomakkeet/note").get_data(as_text=True)
    assert 'name="topic"' in page and 'name="body"' in page and 'name="children[0].first_name"' in page
    client.environ_base.pop("HTTP_AUTHORIZATION")
    from tests.conftest import signed_in

    user = signed_in(app, "worker", name="muistio")
    token = re.search(r'name="csrf_token" value="([^"]+)"', user.get("/lomakkeet/note").get_data(as_text=True)).group(1)
    form = {"csrf_token": token, "action": "produce", "case_ref": "LNP-TEST-1", "language": "fi",
            "document_date": "2026-11-02", "version": "1", "children.__count": "1",
            "children[0].first_name": "Elle", "children[0].birth_date": "2013-03-07", "topic": "Koulumatkat",
            "body": "Sovittiin koulumatkoista."}
    response = user.post("/lomakkeet/note", data=form)
    assert response.status_code == 200
    assert "Koulumatkat" in all_text(response.data)


def test_a_new_type_gets_its_openapi_entry_and_json_schema(note_app):
    _, client = note_app
    doc = client.get("/api/v1/openapi.json").get_json()
    assert "/api/v1/documents/note" in doc["paths"]
    assert doc["components"]["schemas"]["Note"]["properties"]["topic"]["title"] == "Aihe"
    schema = client.get("/api/v1/document-types/note/schema").get_json()
    assert set(schema["required"]) >= {"topic", "body", "children"}


def test_a_new_type_gets_its_field_guide_and_checker(note_app, note_type):
    _, client = note_app
    guide = client.get("/api/v1/document-types/note/fields").get_json()
    assert {"topic", "body"} <= {row["path"] for row in guide["fields"]}
    report = check((note_type[1] / "fi" / "note.docx").read_bytes(), note_type[0])
    assert report.ok, report.findings
    broken = template("Muistio", topic="topik")
    assert not check(broken, note_type[0]).ok


def test_a_new_type_is_part_of_the_case(note_app):
    _, client = note_app
    case = {"case_ref": "LNP-TEST-1", "language": "fi",
            "people": {"children": [{"id": "lapsi1", "given_names": "Elle", "surname": "S", "birth_date": "2013-03-07"}]},
            "documents": {"note": {"document_date": "2026-11-02", "topic": "Koulumatkat", "body": "Sovittiin."}}}
    status = client.post("/api/v1/cases/status", data=json.dumps(case), content_type="application/json").get_json()
    assert {d["type"]: d["status"] for d in status["documents"]}["note"] == "ready"
