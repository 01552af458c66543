"""Template lifecycle over HTTP: check, upload, list, preview, activate, roll back, export,
and the field field_guide. ``/api/v1/templates`` and ``/api/v1/document-types/<type>/fields``.

Each document type has a template per language, each with its own versions: every template
endpoint takes ``?language=fi|sv|en`` (Finnish when absent).
"""

from __future__ import annotations

from flask import Blueprint, g, jsonify, request

from schemas.i18n import LANGUAGES, Msg, gettext
from service.api import openapi
from service.formats import DOCX_MIMETYPE
from service.pipeline import preview as preview_document
from service.problems import ApiError
from service.registry import DOCUMENT_TYPES, FAMILY
from service.validation import get_type, parse_json, requested_language
from service.web.gate import auditor, role
from service.web.responses import attachment
from service.web.shared import converter, template_store
from service.wordtemplates import field_guide
from service.wordtemplates.checker import check
from service.wordtemplates.store import as_docx, export_file_name
from service.wordtemplates.upload_safety import MAX_UPLOAD_BYTES, ODT_MIMETYPE, allow_template_upload

bp = Blueprint("templates_api", __name__, url_prefix="/api/v1")
openapi.guard_queries(bp)



def _actor() -> str:
    return g.identity.actor


def _docx_body() -> bytes:
    """The uploaded template as .docx; an .odt is converted by LibreOffice first."""
    if request.mimetype not in (DOCX_MIMETYPE, ODT_MIMETYPE, "application/octet-stream"):
        raise ApiError(415, Msg("Lähetä asiakirjapohja sellaisenaan (Content-Type: {docx} tai {odt}).").format(
            docx=DOCX_MIMETYPE, odt=ODT_MIMETYPE))
    if (request.content_length or 0) > MAX_UPLOAD_BYTES:
        raise ApiError(413, gettext("Asiakirjapohja on liian suuri."))
    allow_template_upload(request)
    data = request.get_data(cache=False)
    if not data:
        raise ApiError(400, gettext("Pyynnön sisältö puuttuu."))
    if len(data) > MAX_UPLOAD_BYTES:
        raise ApiError(413, gettext("Asiakirjapohja on liian suuri."))
    return as_docx(data, converter())


def _version(value: str) -> int:
    if not value.isdigit() or len(value) > 6:
        raise ApiError(404, gettext("Versiota ei ole."))
    return int(value)


def _language() -> str:
    """The template's language: ``?language=fi|sv|en``, Finnish when absent."""
    return requested_language(request.args.get("language"))


def _location(doc_type, language: str, version: int) -> str:
    return f"/api/v1/templates/{doc_type.id}/versions/{version}?language={language}"


@bp.get("/document-types/<type_id>/fields")
@role("worker")
@openapi.operation("Kenttäopas (JSON) kutsujan kielellä (Accept-Language)", params=("accept_language",),
                   errors=("400", "404"))
def fields(type_id: str):
    """Field catalogue (kenttäopas) as JSON."""
    return jsonify(field_guide.as_dict(get_type(type_id)))


@bp.get("/document-types/<type_id>/fields.docx")
@role("worker")
@openapi.operation("Kenttäopas Word-asiakirjana kutsujan kielellä", params=("accept_language",),
                   ok=("200", "docx", "Kenttäopas"),
                   errors=("400", "404"))
def fields_docx(type_id: str):
    doc_type = get_type(type_id)
    return attachment(field_guide.as_docx(doc_type), field_guide.file_name(doc_type))


@bp.post("/templates/<type_id>/check")
@openapi.operation("Tarkista asiakirjapohja tallentamatta", params=("language",), body="template",
                   ok=("200", "json", "Tarkistusraportti"), errors=("400", "404", "413", "415", "422", "503"))
@role("convener")
def check_template(type_id: str):
    """Check a template without storing it: every finding with its place in Word terms; the dry
    render uses the example case of the template's language."""
    doc_type = get_type(type_id)
    language = _language()
    return jsonify(check(_docx_body(), doc_type, language=language).as_dict())


@bp.get("/templates")
@openapi.operation("Asiakirjapohjat ja niiden versiot")
@role("convener")
def list_templates():
    """Every type in every language, with its versions."""
    store = template_store()
    listing = []
    for t in DOCUMENT_TYPES.values():
        for language in LANGUAGES:
            active = store.active_version(t.id, language)
            listing.append({"type": t.id, "language": language, "label": t.title(), "active": active,
                            "versions": [v.as_dict(active) for v in store.versions(t.id, language)]})
    return jsonify(listing)


@bp.get("/templates/<type_id>/versions")
@openapi.operation("Pohjan versiot", params=("language",), errors=("400", "404"))
@role("convener")
def list_versions(type_id: str):
    doc_type = get_type(type_id)
    language = _language()
    store = template_store()
    active = store.active_version(doc_type.id, language)
    return jsonify([v.as_dict(active) for v in store.versions(doc_type.id, language)])


@bp.post("/templates/<type_id>/versions")
@openapi.operation("Lataa uusi pohjan versio", params=("language",), body="template",
                   ok=("201", "json", "Tallennettu versio ja sen tarkistusraportti"),
                   errors=("400", "404", "409", "413", "415", "422", "503"))
@role("convener")
def upload(type_id: str):
    """Store a new immutable version of the ``language`` template with its checker report. It is
    not active yet."""
    doc_type = get_type(type_id)
    language = _language()
    store = template_store()
    version, report = store.upload(doc_type, _docx_body(), _actor(), language)
    response = jsonify(version.as_dict(store.active_version(doc_type.id, language)))
    response.status_code = 201
    response.headers["Location"] = _location(doc_type, language, version.version)
    return response


@bp.get("/templates/<type_id>/versions/<version>")
@openapi.operation("Pohjan version tiedot", params=("language",), errors=("400", "404"))
@role("convener")
def show_version(type_id: str, version: str):
    doc_type = get_type(type_id)
    language = _language()
    store = template_store()
    meta = store.version(doc_type.id, _version(version), language)
    return jsonify(meta.as_dict(store.active_version(doc_type.id, language)))


@bp.get("/templates/<type_id>/versions/<version>/file")
@openapi.operation("Pohjan version tiedosto", params=("language",), ok=("200", "docx", "Pohja (.docx)"),
                   errors=("400", "404"))
@role("convener")
def export(type_id: str, version: str):
    doc_type = get_type(type_id)
    language = _language()
    number = _version(version)
    return attachment(template_store().read(doc_type.id, number, language),
                      export_file_name(doc_type, number, language))


@bp.post("/templates/<type_id>/versions/<version>/preview")
@openapi.operation("Esikatsele versiota", params=("language", "case_rendition"), body="any-json",
                   ok=("200", "docx", "Esikatselu"), errors=("400", "404", "409", "413", "415", "422"))
@role("convener")
def preview(type_id: str, version: str):
    """Render a version with the example case of its language, or with the case JSON sent (which
    must be in the template's language: a 422 on ``language`` otherwise)."""
    doc_type = get_type(type_id)
    language = _language()
    payload: object = doc_type.example(language)
    if request.content_length:
        if request.mimetype != "application/json":
            raise ApiError(415)
        payload = parse_json(request.get_data(cache=False))
    rendition = request.args.get("rendition", FAMILY)
    document = preview_document(template_store(), doc_type, _version(version), payload, rendition, language,
                           audit=auditor())
    return attachment(document.content, document.file_name, document.template)


@bp.post("/templates/<type_id>/versions/<version>/activate")
@openapi.operation("Ota versio käyttöön", params=("language",), errors=("400", "404", "409"))
@role("convener")
def activate(type_id: str, version: str):
    doc_type = get_type(type_id)
    language = _language()
    template_store().activate(doc_type, _version(version), _actor(), language)
    return jsonify({"type": doc_type.id, "language": language, "active": template_store().active_version(doc_type.id, language)})


@bp.post("/templates/<type_id>/rollback")
@openapi.operation("Palaa edelliseen versioon", params=("language",), errors=("400", "404", "409"))
@role("convener")
def rollback(type_id: str):
    """Back to the version of this language active before the current one."""
    doc_type = get_type(type_id)
    language = _language()
    version = template_store().rollback(doc_type, _actor(), None, language)
    return jsonify({"type": doc_type.id, "language": language, "active": version})
