"""The JSON API: ``/api/v1``."""

from __future__ import annotations

import time

from flask import Blueprint, current_app, g, jsonify, request
from werkzeug.exceptions import HTTPException

from schemas.i18n import LANGUAGES, Msg, gettext
from service.api import openapi
from service.pipeline import produce
from service.problems import ApiError
from service.registry import DOCUMENT_TYPES, FAMILY
from service.validation import get_type, parse_json, requested_language
from service.web.gate import auditor, role
from service.web.responses import attachment, choose
from service.web.shared import converter, template_store

bp = Blueprint("api", __name__, url_prefix="/api/v1")
openapi.guard_queries(bp)


def json_body() -> object:
    if request.mimetype != "application/json":
        raise ApiError(415)
    if (request.content_length or 0) > current_app.config["MAX_JSON_BYTES"]:
        raise ApiError(413)
    raw = request.get_data(cache=False)
    if len(raw) > current_app.config["MAX_JSON_BYTES"]:
        raise ApiError(413)
    if not raw:
        raise ApiError(400, Msg("Pyynnön sisältö puuttuu."))
    return parse_json(raw)


@bp.post("/documents/<type_id>")
@role("worker")
@openapi.operation("{title} (.docx, .odt tai .pdf)", params=("rendition", "format", "letters", "accept_language"),
                   body="type", ok=("200", "zip-or-document", "Asiakirja pyydetyssä muodossa (kirjeet: zip, jos pyydetty)"),
                   errors=("400", "404", "406", "413", "415", "422", "503"), per_type=True)
def render_document(type_id: str):
    """Validate the case JSON and return the finished document: docx, odt or pdf
    (``?format=`` or the Accept header)."""
    doc_type = get_type(type_id)
    g.doc_type = doc_type.id
    output_format = choose(request.args.get("format"), request.headers.get("Accept"))
    rendition = request.args.get("rendition", FAMILY)
    bundle = request.args.get("bundle")
    try:
        payload = json_body()
    except (ApiError, HTTPException) as exc:  # refused before produce() sees it: audited here
        status = exc.status if isinstance(exc, ApiError) else exc.code or 400
        auditor().document(doc_type.id, rendition, "refused", status)
        raise
    started = time.perf_counter()
    document = produce(template_store(), doc_type, payload, rendition,
                       output_format, converter(), audit=auditor(), bundle=bundle)
    g.render_ms = (time.perf_counter() - started) * 1000
    response = attachment(document.content, document.file_name, document.template, document.mimetype)
    response.vary.add("Accept")
    return response


@bp.get("/document-types")
@role("worker")
@openapi.operation("Asiakirjatyypit", ok=("200", "json", "Tyypit ja nimet kutsujan kielellä"))
def document_types():
    """The document types this service produces, named in the caller's language."""
    return jsonify([
        {
            "id": t.id,
            "label": t.title(),
            "description": gettext(t.description),
            "phase": gettext(t.phase),
            "languages": list(LANGUAGES),
            "renditions": list(t.renditions),
            "schema": f"/api/v1/document-types/{t.id}/schema",
            "example": f"/api/v1/document-types/{t.id}/example",
        }
        for t in DOCUMENT_TYPES.values()
    ])


@bp.get("/document-types/<type_id>/schema")
@role("worker")
@openapi.operation("Asiakirjatyypin JSON Schema", ok=("200", "schema-json", "JSON Schema 2020-12"), errors=("400", "404"))
def document_schema(type_id: str):
    get_type(type_id)
    response = jsonify(openapi.json_schema(type_id))
    response.mimetype = "application/schema+json"
    return response


@bp.get("/document-types/<type_id>/example")
@role("worker")
@openapi.operation("Esimerkkitapaus (kuvitteellinen) asiakirjan kielellä", params=("language",),
                   ok=("200", "json", "Esimerkki-JSON"), errors=("400", "404"))
def document_example(type_id: str):
    """The type's example case in ``?language=`` (fi, sv or en; fi when not given)."""
    doc_type = get_type(type_id)
    return jsonify(doc_type.example(requested_language(request.args.get("language"))))


@bp.get("/openapi.json")
@role("worker")
@openapi.operation("Tämä OpenAPI-kuvaus", ok=("200", "json", "OpenAPI 3"))
def openapi_json():
    """This document, built from the views' own declarations."""
    return jsonify(openapi.openapi_document(current_app))
