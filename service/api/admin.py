"""Token management over the API, for admins: ``/api/v1/tokens``.

The same operations as ``lnp tokens``; each change is audited. A token's value is returned
once, when it is created, and never stored.
"""

from __future__ import annotations

from flask import Blueprint, jsonify, request

from schemas.i18n import gettext as _
from service.access.accounts import DEFAULT_TOKEN_DAYS, ROLES, AccountError
from service.api import openapi
from service.problems import ApiError
from service.validation import parse_json
from service.web.gate import accounts, auditor, role

bp = Blueprint("admin", __name__, url_prefix="/api/v1")
openapi.guard_queries(bp)

TOKEN_FIELDS = {"name", "role", "days"}


@bp.get("/tokens")
@openapi.operation("API-tunnisteet (ylläpitäjä)", ok=("200", "json", "Tunnisteet ilman arvoja"))
@role("admin")
def list_tokens():
    """Every API token: name, role, dates; never a value or a hash."""
    return jsonify(accounts().tokens())


@bp.post("/tokens")
@openapi.operation("Luo API-tunniste (ylläpitäjä); arvo näytetään vain tässä vastauksessa", body="json:NewToken",
                   ok=("201", "json", "Tunniste ja sen arvo (token)"), errors=("400", "415", "422"))
@role("admin")
def create_token():
    """Create a token; its value is in this response only."""
    if request.mimetype != "application/json":
        raise ApiError(415)
    body = parse_json(request.get_data(cache=False))
    if not isinstance(body, dict) or set(body) - TOKEN_FIELDS or not {"name", "role"} <= set(body):
        raise ApiError(422, errors=[{"path": "", "label": "",
                                     "message": _("Odotettiin kentät name, role ja valinnainen days.")}])
    days = body.get("days", DEFAULT_TOKEN_DAYS)
    if not isinstance(body["name"], str) or not isinstance(body["role"], str) \
            or not isinstance(days, int) or isinstance(days, bool):
        raise ApiError(422, errors=[{"path": "", "label": "",
                                     "message": _("name ja role ovat tekstiä, days kokonaisluku.")}])
    try:
        record, value = accounts().create_token(body["name"], body["role"], days)
    except AccountError as exc:
        auditor().change("token.create", "refused", target_role=body["role"] if body["role"] in ROLES else None)
        raise ApiError(422, errors=[{"path": "", "label": "", "message": str(exc)}]) from None
    auditor().change("token.create", "ok", target=record["id"], target_role=record["role"])
    return jsonify({**record, "token": value}), 201


@bp.delete("/tokens/<token_id>")
@openapi.operation("Mitätöi API-tunniste (ylläpitäjä)", ok=("200", "json", "Mitätöity tunniste"), errors=("404",))
@role("admin")
def revoke_token(token_id: str):
    """Revoke a token at once; it stays listed with the time it was revoked."""
    try:
        record = accounts().revoke_token(token_id)
    except AccountError:
        raise ApiError(404, _("Tunnistetta ei ole.")) from None
    auditor().change("token.revoke", "ok", target=record["id"], target_role=record["role"])
    return jsonify(record)
