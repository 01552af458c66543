"""Web pages for conveners: template versions, checks, previews, activation, field field_guide.

The same operations as ``templates_api`` (and the CLI), through the same TemplateStore and
checker; HTML forms POST with CSRF protection, nothing case-related goes into a URL.

Every document type has a template in Finnish, Swedish and English, each with its own versions;
the template's language is part of the path: ``/pohjat/<type>/<lang>/...``. The pages themselves
are in the user's language (the switch, else Accept-Language), which is a different thing.
"""

from __future__ import annotations

import datetime as dt
from zoneinfo import ZoneInfo

from flask import Blueprint, current_app, flash, g, redirect, render_template, request, url_for

from schemas.i18n import LANGUAGES, Msg, UnknownLanguage, current, gettext, known_language, translate
from service.pages.account import display_name
from service.pages.forms import page_errors
from service.pipeline import preview as preview_document
from service.problems import ApiError
from service.registry import DOCUMENT_TYPES
from service.rendering import formatting
from service.validation import get_type, parse_json
from service.web.gate import auditor, role
from service.web.headers import FORMS_CSP
from service.web.responses import attachment
from service.web.shared import converter, template_store
from service.wordtemplates import field_guide
from service.wordtemplates.checker import FIXED, check, severity_name
from service.wordtemplates.store import BUILTIN, StoreError, as_docx, export_file_name
from service.wordtemplates.upload_safety import MAX_UPLOAD_BYTES, allow_template_upload

bp = Blueprint("template_pages", __name__, url_prefix="/pohjat")
page_errors(bp)



def _actor() -> str:
    return g.identity.actor


def _uploaded(field: str, limit: int = MAX_UPLOAD_BYTES) -> bytes | None:
    allow_template_upload(request)
    upload = request.files.get(field)
    if upload is None or not upload.filename:
        return None
    data = upload.stream.read(limit + 1)
    if len(data) > limit:
        raise ApiError(413, gettext("Tiedosto on liian suuri."))
    return data


def _template_upload() -> bytes | None:
    """The chosen template as .docx (an .odt is converted first); StoreError when it cannot be."""
    data = _uploaded("template")
    return None if data is None else as_docx(data, converter())


# A template's language as the pages name it (in the page's language): "ruotsinkielinen pohja".
TEMPLATE_NAMES = {
    "fi": Msg("suomenkielinen pohja"),
    "sv": Msg("ruotsinkielinen pohja"),
    "en": Msg("englanninkielinen pohja"),
}


def _language(language: str) -> str:
    """The template language from the path; anything else is a 404 that says why."""
    try:
        return known_language(language)
    except UnknownLanguage as exc:
        raise ApiError(404, exc.message) from None


def template_name(language: str, capital: bool = False) -> str:
    name = gettext(TEMPLATE_NAMES[language])
    return name[:1].upper() + name[1:] if capital else name


def _anchor(doc_type, language: str) -> str:
    return f"tyyppi-{doc_type.id}-{language}"


def _back_to(doc_type, language: str):
    """To the section of the type's template in that language on the template list."""
    return redirect(url_for(".index") + "#" + _anchor(doc_type, language))


HELSINKI = ZoneInfo("Europe/Helsinki")


def moment(iso: str) -> str:
    """A stored UTC time as a Helsinki reader reads it, in the page's language:
    "1.3.2026 klo 12.15", "1.3.2026 kl. 12.15", "1 March 2026, 12:15"."""
    if not iso:
        return ""
    local = dt.datetime.fromisoformat(iso).astimezone(HELSINKI)
    lang = current()
    return gettext("{date} {time}").format(date=formatting.date(local.date(), lang),
                                           time=formatting.time(local.time(), lang))


def uploader(version) -> str:
    """Who uploaded a version, by name: the person's own name, an API token's or the command
    line's (the store keeps the actor, "session:maija")."""
    if version.version == BUILTIN:
        return gettext("sisäänrakennettu")
    kind, _sep, name = version.uploader.partition(":")
    return display_name(kind, name) if name else version.uploader


@bp.context_processor
def _names():
    # The checker's severities are codes in its reports; the pages name them in the page's language.
    return {"template_name": template_name, "severity_label": severity_name, "moment": moment,
            "uploader": uploader}


@bp.get("/")
@role("convener")
def index():
    store = template_store()
    types = []
    for doc_type in DOCUMENT_TYPES.values():
        templates = []
        for language in LANGUAGES:
            history = store.history(doc_type.id, language)
            templates.append({"language": language, "anchor": _anchor(doc_type, language),
                              "active": store.active_version(doc_type.id, language),
                              "previous": history[-2] if len(history) >= 2 else None,
                              "versions": list(reversed(store.versions(doc_type.id, language)))})
        types.append({"type": doc_type, "templates": templates})
    return render_template("pohjat/index.html", types=types, languages=LANGUAGES)


@bp.get("/<type_id>/<language>/versiot/<int:version>")
@role("convener")
def version(type_id: str, language: str, version: int):
    doc_type, language = get_type(type_id), _language(language)
    store = template_store()
    try:
        meta = store.version(doc_type.id, version, language)
    except StoreError as exc:
        raise ApiError(exc.status, translate(exc.message)) from None
    # The stored report is in the uploader's language: the stored template is checked again so
    # that the reader gets the findings in theirs; the repairs made at upload are as recorded.
    repairs = [f for f in meta.report["findings"] if f["severity"] == FIXED]
    fresh = check(store.read(doc_type.id, version, language), doc_type, language=language).as_dict()["findings"]
    return render_template("pohjat/version.html", doc_type=doc_type, language=language, meta=meta,
                           anchor=_anchor(doc_type, language), active=store.active_version(doc_type.id, language),
                           findings=repairs + fresh)


@bp.post("/<type_id>/<language>/tarkista")
@role("convener")
def check_only(type_id: str, language: str):
    doc_type, language = get_type(type_id), _language(language)
    try:
        data = _template_upload()
    except StoreError as exc:
        flash(translate(exc.message), "error")
        return _back_to(doc_type, language)
    if data is None:
        flash(gettext("Valitse tarkistettava asiakirjapohja (.docx tai .odt)."), "error")
        return _back_to(doc_type, language)
    report = check(data, doc_type, language=language)
    return render_template("pohjat/report.html", doc_type=doc_type, language=language,
                           anchor=_anchor(doc_type, language), report=report.as_dict())


@bp.post("/<type_id>/<language>/lataa")
@role("convener")
def upload(type_id: str, language: str):
    doc_type, language = get_type(type_id), _language(language)
    try:
        data = _template_upload()
        if data is None:
            flash(gettext("Valitse ladattava asiakirjapohja (.docx tai .odt)."), "error")
            return _back_to(doc_type, language)
        meta, _ = template_store().upload(doc_type, data, _actor(), language)
    except StoreError as exc:
        flash(translate(exc.message), "error")
        return _back_to(doc_type, language)
    if meta.ok:
        flash(Msg("Versio {version} tallennettiin ja tarkistus läpäistiin. Esikatsele ja ota se käyttöön.").format(
            version=meta.version), "success")
    else:
        flash(Msg("Versio {version} tallennettiin, mutta tarkistuksessa oli virheitä: sitä ei voi ottaa "
                  "käyttöön.").format(version=meta.version), "error")
    return redirect(url_for(".version", type_id=doc_type.id, language=language, version=meta.version))


# Activation and rollback change every document the city makes from then on: each asks first, on
# a page of its own (a plain link leads there, so it needs no script), and is done only when
# that page's button posts ``confirm``.

@bp.route("/<type_id>/<language>/versiot/<int:version>/ota-kayttoon", methods=["GET", "POST"])
@role("convener")
def activate(type_id: str, language: str, version: int):
    doc_type, language = get_type(type_id), _language(language)
    store = template_store()
    if request.method == "GET" or request.form.get("confirm") != "yes":
        try:
            target = store.version(doc_type.id, version, language)
        except StoreError as exc:
            raise ApiError(exc.status, translate(exc.message)) from None
        current_version = store.version(doc_type.id, store.active_version(doc_type.id, language), language)
        return render_template("pohjat/confirm.html", doc_type=doc_type, language=language,
                               anchor=_anchor(doc_type, language), action="activate", target=target,
                               current=current_version)
    try:
        store.activate(doc_type, version, _actor(), language)
        flash(Msg("{document}, {template}: versio {version} on nyt käytössä.").format(
            document=doc_type.title(), template=template_name(language), version=version), "success")
    except StoreError as exc:
        flash(translate(exc.message), "error")
    return _back_to(doc_type, language)


@bp.route("/<type_id>/<language>/palauta", methods=["GET", "POST"])
@role("convener")
def rollback(type_id: str, language: str):
    doc_type, language = get_type(type_id), _language(language)
    store = template_store()
    if request.method == "GET" or request.form.get("confirm") != "yes":
        history = store.history(doc_type.id, language)
        if len(history) < 2:
            flash(gettext("Aiempaa käytössä ollutta versiota ei ole, joten palattavaa ei ole."), "error")
            return _back_to(doc_type, language)
        return render_template("pohjat/confirm.html", doc_type=doc_type, language=language,
                               anchor=_anchor(doc_type, language), action="rollback",
                               target=store.version(doc_type.id, history[-2], language),
                               current=store.version(doc_type.id, history[-1], language))
    try:
        version = store.rollback(doc_type, _actor(), None, language)
        flash(Msg("{document}, {template}: palattiin versioon {version}.").format(
            document=doc_type.title(), template=template_name(language), version=version), "success")
    except StoreError as exc:
        flash(translate(exc.message), "error")
    return _back_to(doc_type, language)


@bp.post("/<type_id>/<language>/versiot/<int:version>/esikatsele")
@role("convener")
def preview(type_id: str, language: str, version: int):
    """The version filled with the example case of its language, or with a case JSON the
    convener chose (which must be in the template's language)."""
    doc_type, language = get_type(type_id), _language(language)
    case = _uploaded("case", current_app.config["MAX_JSON_BYTES"])
    back = redirect(url_for(".version", type_id=doc_type.id, language=language, version=version))
    try:
        payload = parse_json(case) if case else doc_type.example(language)
        document = preview_document(template_store(), doc_type, version, payload, language=language, audit=auditor())
    except StoreError as exc:
        flash(translate(exc.message), "error")
        return back
    except ApiError as exc:
        problems = "; ".join(f"{e['path']}: {translate(e['message'])}" for e in exc.errors[:5])
        flash(Msg("Esikatselu ei onnistunut: {message} {problems}").format(
            message=translate(exc.message), problems=problems).strip(), "error")
        return back
    return attachment(document.content, document.file_name, document.template)


@bp.get("/<type_id>/<language>/versiot/<int:version>/tiedosto")
@role("convener")
def export(type_id: str, language: str, version: int):
    doc_type, language = get_type(type_id), _language(language)
    try:
        data = template_store().read(doc_type.id, version, language)
    except StoreError as exc:
        raise ApiError(exc.status, translate(exc.message)) from None
    return attachment(data, export_file_name(doc_type, version, language))


@bp.get("/<type_id>/kentat")
@role("convener")
def fields(type_id: str):
    doc_type = get_type(type_id)
    return render_template("pohjat/fields.html", doc_type=doc_type, catalogue=field_guide.as_dict(doc_type))


@bp.get("/<type_id>/kenttaopas.docx")
@role("convener")
def fields_docx(type_id: str):
    doc_type = get_type(type_id)
    return attachment(field_guide.as_docx(doc_type), field_guide.file_name(doc_type))


@bp.after_request
def _headers(response):
    # The pages share the forms' layout and script file: the forms' policy (script-src 'self').
    response.headers["Content-Security-Policy"] = FORMS_CSP
    return response
