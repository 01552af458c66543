"""Web pages for conveners: template versions, checks, previews, activation, field catalogue.

The same operations as ``templates_api`` (and the CLI), through the same TemplateStore and
checker; HTML forms POST with CSRF protection, nothing case-related goes into a URL.
"""

from __future__ import annotations

from flask import Blueprint, current_app, flash, g, redirect, render_template, request, url_for

from . import catalogue
from .auth import role
from .documents import attachment, export_file_name, get_type, parse_json
from .documents import preview as preview_document
from .errors import ApiError
from .registry import DOCUMENT_TYPES
from .template_check import check
from .template_store import StoreError, TemplateStore, as_docx
from .upload_safety import MAX_UPLOAD_BYTES, allow_template_upload

bp = Blueprint("template_pages", __name__, url_prefix="/pohjat")


def _store() -> TemplateStore:
    return current_app.extensions["lnp.templates"]


def _actor() -> str:
    return g.identity.actor


def _uploaded(field: str, limit: int = MAX_UPLOAD_BYTES) -> bytes | None:
    allow_template_upload(request)
    upload = request.files.get(field)
    if upload is None or not upload.filename:
        return None
    data = upload.stream.read(limit + 1)
    if len(data) > limit:
        raise ApiError(413, "Tiedosto on liian suuri.")
    return data


def _template_upload() -> bytes | None:
    """The chosen template as .docx (an .odt is converted first); StoreError when it cannot be."""
    data = _uploaded("template")
    return None if data is None else as_docx(data, current_app.extensions["lnp.converter"])


def _back_to(doc_type):
    """To the type's own section of the template list."""
    return redirect(url_for(".index") + f"#tyyppi-{doc_type.id}")


@bp.get("/")
@role("convener")
def index():
    store = _store()
    types = []
    for doc_type in DOCUMENT_TYPES.values():
        active = store.active_version(doc_type.id)
        types.append({"type": doc_type, "active": active,
                      "versions": list(reversed(store.versions(doc_type.id)))})
    return render_template("pohjat/index.html", types=types)


@bp.get("/<type_id>/versiot/<int:version>")
@role("convener")
def version(type_id: str, version: int):
    doc_type = get_type(type_id)
    store = _store()
    try:
        meta = store.version(doc_type.id, version)
    except StoreError as exc:
        raise ApiError(exc.status, exc.message) from None
    return render_template("pohjat/version.html", doc_type=doc_type, meta=meta,
                           active=store.active_version(doc_type.id), findings=meta.report["findings"])


@bp.post("/<type_id>/tarkista")
@role("convener")
def check_only(type_id: str):
    doc_type = get_type(type_id)
    try:
        data = _template_upload()
    except StoreError as exc:
        flash(exc.message, "error")
        return _back_to(doc_type)
    if data is None:
        flash("Valitse tarkistettava asiakirjapohja (.docx).", "error")
        return _back_to(doc_type)
    report = check(data, doc_type)
    return render_template("pohjat/report.html", doc_type=doc_type, report=report.as_dict())


@bp.post("/<type_id>/lataa")
@role("convener")
def upload(type_id: str):
    doc_type = get_type(type_id)
    try:
        data = _template_upload()
        if data is None:
            flash("Valitse ladattava asiakirjapohja (.docx tai .odt).", "error")
            return _back_to(doc_type)
        meta, _ = _store().upload(doc_type, data, _actor())
    except StoreError as exc:
        flash(exc.message, "error")
        return _back_to(doc_type)
    if meta.ok:
        flash(f"Versio {meta.version} tallennettiin ja tarkistus läpäistiin. Esikatsele ja ota se käyttöön.", "success")
    else:
        flash(f"Versio {meta.version} tallennettiin, mutta tarkistuksessa oli virheitä: sitä ei voi ottaa käyttöön.",
              "error")
    return redirect(url_for(".version", type_id=doc_type.id, version=meta.version))


@bp.post("/<type_id>/versiot/<int:version>/ota-kayttoon")
@role("convener")
def activate(type_id: str, version: int):
    doc_type = get_type(type_id)
    try:
        _store().activate(doc_type, version, _actor())
        flash(f"{doc_type.label}: versio {version} on nyt käytössä.", "success")
    except StoreError as exc:
        flash(exc.message, "error")
    return _back_to(doc_type)


@bp.post("/<type_id>/palauta")
@role("convener")
def rollback(type_id: str):
    doc_type = get_type(type_id)
    try:
        version = _store().rollback(doc_type, _actor())
        flash(f"{doc_type.label}: palattiin versioon {version}.", "success")
    except StoreError as exc:
        flash(exc.message, "error")
    return _back_to(doc_type)


@bp.post("/<type_id>/versiot/<int:version>/esikatsele")
@role("convener")
def preview(type_id: str, version: int):
    """The version filled with the example case, or with a case JSON the convener chose."""
    doc_type = get_type(type_id)
    case = _uploaded("case", current_app.config["MAX_JSON_BYTES"])
    try:
        payload = parse_json(case) if case else doc_type.example()
        document = preview_document(_store(), doc_type, version, payload)
    except StoreError as exc:
        flash(exc.message, "error")
        return redirect(url_for(".version", type_id=doc_type.id, version=version))
    except ApiError as exc:
        problems = "; ".join(f"{e['path']}: {e['message']}" for e in exc.errors[:5])
        flash(f"Esikatselu ei onnistunut: {exc.message} {problems}", "error")
        return redirect(url_for(".version", type_id=doc_type.id, version=version))
    return attachment(document.content, document.file_name, document.template)


@bp.get("/<type_id>/versiot/<int:version>/tiedosto")
@role("convener")
def export(type_id: str, version: int):
    doc_type = get_type(type_id)
    try:
        data = _store().read(doc_type.id, version)
    except StoreError as exc:
        raise ApiError(exc.status, exc.message) from None
    return attachment(data, export_file_name(doc_type, version))


@bp.get("/<type_id>/kentat")
@role("convener")
def fields(type_id: str):
    doc_type = get_type(type_id)
    return render_template("pohjat/fields.html", doc_type=doc_type, catalogue=catalogue.as_dict(doc_type))


@bp.get("/<type_id>/kenttaopas.docx")
@role("convener")
def fields_docx(type_id: str):
    doc_type = get_type(type_id)
    return attachment(catalogue.as_docx(doc_type), catalogue.file_name(doc_type))


@bp.after_request
def _headers(response):
    # The pages share the forms' layout and script file: the forms' policy (script-src 'self').
    from .forms import CSP

    response.headers["Content-Security-Policy"] = CSP
    return response
