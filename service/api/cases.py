"""The case API: one case file (JSON) in, any of its documents, or all of them, out; the state of
each document and the cross-document findings; and a per-document JSON taken into a case."""

from __future__ import annotations

from flask import Blueprint, g, jsonify, request

from schemas.i18n import Msg
from service.api import openapi
from service.api.documents import json_body
from service.cases.bundle import produce_case
from service.cases.compose import case_from_document, check_shape
from service.cases.rules import assess
from service.problems import ApiError
from service.validation import get_type
from service.web.gate import auditor, role
from service.web.responses import attachment, choose
from service.web.shared import converter, template_store

bp = Blueprint("cases", __name__, url_prefix="/api/v1/cases")
openapi.guard_queries(bp)


@bp.post("/documents")
@role("worker")
@openapi.operation("Tapauksen asiakirjat: yksi, zip tai yksi PDF", params=("types", "format", "bundle", "accept_language"),
                   body="case", ok=("200", "zip-or-document", "Asiakirja tai asiakirjat"),
                   errors=("400", "406", "413", "415", "422", "503"))
def case_documents():
    """The documents of one case: ``?types=summary,questions,summary:network`` (absent: every
    ready document), ``?format=docx|odt|pdf``, ``?bundle=zip|single`` (one PDF). Several documents
    without ``bundle`` come as a zip."""
    g.doc_type = "case"
    output_format = choose(request.args.get("format"), request.headers.get("Accept"))
    output = produce_case(template_store(), json_body(), request.args.get("types"),
                          output_format, request.args.get("bundle"), converter(),
                          audit=auditor())
    response = attachment(output.content, output.file_name, mimetype=output.mimetype)
    response.headers["Content-Language"] = output.language
    response.vary.add("Accept")
    return response


@bp.post("/status")
@role("worker")
@openapi.operation("Tapauksen asiakirjojen tila ja asiakirjojen väliset tarkistukset", body="case",
                   errors=("400", "413", "415", "422"))
def case_status():
    """Each document of the case as not_started, incomplete (with what is missing), blocked (by a
    cross-document error) or ready, and the cross-document findings (errors and warnings)."""
    return jsonify(assess(check_shape(json_body())).as_dict())


@bp.post("/from-document/<type_id>")
@role("worker")
@openapi.operation("Tapaus yhden asiakirjan JSONista", body="json-object", errors=("400", "404", "413", "415", "422"))
def case_from(type_id: str):
    """A case file made from one document's JSON (saved by a per-document form or sent by another
    system): its people become the case's, the rest the document's own part."""
    doc_type = get_type(type_id)
    body = json_body()
    if not isinstance(body, dict):
        raise ApiError(422, errors=[{"path": "", "label": "", "message": Msg("Odotettiin JSON-objektia.")}])
    return jsonify(check_shape(case_from_document(doc_type, body)))
