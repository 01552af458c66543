"""The OpenAPI document is built from the views: every route under /api in Flask's url_map, in
every method, is in it, and nothing is documented that the app does not serve."""

from __future__ import annotations

from openapi_spec_validator import validate

from service.api import openapi
from service.registry import DOCUMENT_TYPES


def served_operations(app) -> set[tuple[str, str]]:
    """(OpenAPI path, method) of every /api route, a per-type route once per document type."""
    out = set()
    for rule in app.url_map.iter_rules():
        if not rule.rule.startswith("/api/"):
            continue
        path, _ = openapi._path(rule.rule)
        view = app.view_functions[rule.endpoint]
        per_type = getattr(view, "lnp_openapi", {}).get("per_type")
        paths = [path.replace("{type_id}", t) for t in DOCUMENT_TYPES] if per_type else [path]
        for method in (rule.methods or set()) - {"HEAD", "OPTIONS"}:
            out |= {(p, method.lower()) for p in paths}
    return out


def documented_operations(doc: dict) -> set[tuple[str, str]]:
    return {(path, method) for path, ops in doc["paths"].items() for method in ops if path.startswith("/api/")}


def test_every_api_route_is_documented_and_nothing_else(app):
    doc = openapi.openapi_document(app)
    served, documented = served_operations(app), documented_operations(doc)
    assert served - documented == set(), "routes without @openapi.operation"
    assert documented - served == set()
    assert len({rule.rule for rule in app.url_map.iter_rules() if rule.rule.startswith("/api/")}) >= 20


def test_a_route_added_without_its_operation_is_noticed(app):
    """The check above can fail: a route with no declaration is missing from the document."""
    from flask import Flask

    probe = Flask("probe")
    probe.add_url_rule("/api/v1/probe", "probe", lambda: "ok", methods=["GET"])
    assert served_operations(probe) == {("/api/v1/probe", "get")}
    assert documented_operations(openapi.build_spec(probe).to_dict()) == set()


def test_the_document_is_valid_and_served(client, app):
    doc = client.get("/api/v1/openapi.json").get_json()
    validate(doc)
    assert doc == openapi.openapi_document(app)
    upload = doc["paths"]["/api/v1/templates/{type_id}/versions"]["post"]
    assert "application/vnd.openxmlformats-officedocument.wordprocessingml.document" in upload["requestBody"]["content"]
    assert {p["name"] for p in upload["parameters"]} == {"type_id", "language"}
    assert doc["paths"]["/api/v1/cases/documents"]["post"]["requestBody"]["content"]["application/json"]["schema"] \
        == {"$ref": "#/components/schemas/Case"}
    assert doc["paths"]["/healthz"]["get"]["security"] == []
