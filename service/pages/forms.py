"""Web forms for social workers and conveners: fill in, get the .docx.

Every form is generated from the document type's schema through the registry (labels, help
texts, widgets and order are the schema's metadata): a new document type gets its form from its
schema alone. The pages are in the user's language (fi, sv, en: ``service.i18n``): the
templates' own texts through ``_()``, the schema's Finnish labels and help texts through the
catalogue (``|t``), and the form's language switch posts the form itself, so that no typed value
is lost. Nothing is stored on the server: the form's values travel in the POST body, the
document is produced by the API's own ``produce()``, and "Tallenna tiedot" hands the user the
case JSON to keep.

Each view is a plain function with its access declared on it (``@role``, service.web.gate).
"""

from __future__ import annotations

import datetime as dt
import io
import json
from typing import Protocol

from babel import Locale
from babel.numbers import format_decimal
from flask import (
    Blueprint,
    Flask,
    Request,
    Response,
    abort,
    g,
    make_response,
    render_template,
    request,
    url_for,
)
from flask_wtf.csrf import CSRFError
from werkzeug.exceptions import HTTPException

from schemas.choices import DOCUMENT_LANGUAGE, Choices
from schemas.common import CASE_REF_RE
from schemas.hetu import HETU_LIKE_RE
from schemas.i18n import DEFAULT, LANGUAGES, Msg, Plural, current, gettext, ngettext, translate
from schemas.i18n import gettext as _
from service.fieldtree import Node
from service.pages import carryover
from service.pages.formdata import (
    BadPath,
    apply_action,
    blank,
    field_id,
    first_field_id,
    from_form,
    join,
    node_at,
    value_at,
)
from service.pages.formerrors import context, friendly, item_name
from service.pages.profile import own_details
from service.pipeline import produce
from service.problems import MESSAGES, ApiError
from service.registry import DOCUMENT_TYPES, FAMILY, NETWORK, DocumentType
from service.validation import get_type, parse_json
from service.web import i18n
from service.web.errors import error_response
from service.web.gate import auditor, role
from service.web.headers import FORMS_CSP
from service.web.responses import attachment
from service.web.shared import converter, template_store

bp = Blueprint("forms", __name__)

# Output formats offered on the form; odt and pdf go through the LibreOffice converter.
FORMATS = [("docx", "Word (.docx)"), ("odt", "OpenDocument (.odt)"), ("pdf", "PDF (.pdf)")]

# How the letters of a mail merge come (the invitation letters).
BUNDLES = [("single", Msg("Kaikki kirjeet yhtenä tiedostona")), ("zip", Msg("Jokainen kirje omana tiedostonaan (zip)"))]

# Languages a Helsinki family most often uses first in the list; all the others follow.
COMMON_LANGUAGES = ["fi", "sv", "en", "se", "ru", "et", "ar", "so", "uk", "fa", "ku", "zh", "vi", "tr"]


# What a text field with a length cap says as one types (forms.js fills in the number).
COUNT_LEFT = Plural("Jäljellä {count} merkki", "Jäljellä {count} merkkiä")
COUNT_OVER = Plural("{count} merkki liikaa", "{count} merkkiä liikaa")


def count_texts() -> dict[str, str]:
    """The counter's words in the page's language, each plural form with its ``{count}`` left
    for the script (fi, sv and en have the CLDR plural categories one and other)."""
    return {f"{name}-{category}": ngettext(str.__str__(message), message.plural_form, n)
            for name, message in (("left", COUNT_LEFT), ("over", COUNT_OVER))
            for category, n in (("one", 1), ("other", 2))}


# --- set-up --------------------------------------------------------------------------------

class InMemoryRequest(Request):
    """Uploads stay in memory: werkzeug would spool a larger file to a temporary file on disk,
    and case data must never touch the server's disk. MAX_CONTENT_LENGTH bounds the memory."""

    def _get_file_stream(self, total_content_length, content_type, filename=None, content_length=None):
        return io.BytesIO()


def init_app(app: Flask) -> None:
    # A form can be open for a working day before it is sent.
    app.config.setdefault("WTF_CSRF_TIME_LIMIT", 12 * 3600)
    app.config.setdefault("SESSION_COOKIE_SAMESITE", "Lax")
    app.request_class = InMemoryRequest
    # CSRF: security.csrf, checked by the auth gate on every cookie-authenticated POST (a bearer
    # token, as the JSON API uses, carries no cookie a forged page could ride on).
    app.register_blueprint(bp)
    # Words of the schemas and the registry (labels, help texts, list item names, document
    # descriptions) shown in the page language: ``{{ node.label|t }}``. A filter rather than
    # ``_()``: Jinja's ``_()`` marks its result safe and %-formats it, right for the pages' own
    # literal texts, not for texts that come from elsewhere.
    app.jinja_env.filters["t"] = gettext
    app.jinja_env.filters["number"] = lambda value: format_decimal(value, locale=current())
    app.jinja_env.globals["count_texts"] = count_texts

    @app.errorhandler(CSRFError)
    def _csrf_error(exc):
        g.auth_failure = "csrf"
        if request.blueprint not in PAGE_BLUEPRINTS:
            return error_response(400, _("Lomakkeen tarkiste puuttuu tai on vanhentunut. Lataa sivu uudelleen ja "
                                         "yritä taas."))
        return _page_error(400, _("Lomakkeen lähetys hylättiin"),
                           _("Lomakkeen turvatunniste puuttui tai oli vanhentunut, joten tietoja ei käsitelty. "
                             "Avaa lomake uudelleen etusivulta. Jos olit tallentanut tiedot (Tallenna tiedot), "
                             "voit jatkaa niistä lomakkeen kohdasta Avaa tallennetut tiedot."))


@bp.after_request
def page_headers(response):
    """The form pages' headers (the case form's too): no caching, the forms' CSP, no framing."""
    response.headers["Cache-Control"] = "no-store"
    response.headers["Content-Security-Policy"] = FORMS_CSP
    response.headers["X-Frame-Options"] = "DENY"
    return response


# The blueprints whose answers a person reads in a browser: their errors are pages in the
# person's words (no API tokens, no Retry-After headers), the JSON API keeps its JSON.
PAGE_BLUEPRINTS = ("forms", "case_form", "template_pages", "i18n", "auth")

# The error pages' titles and texts (Finnish ids, translated when shown).
HTTP_ERRORS = {
    401: (Msg("Kirjaudu sisään"), Msg("Kirjaudu sisään jatkaaksesi.")),
    403: (Msg("Ei käyttöoikeutta"), Msg("Sinulla ei ole oikeutta tähän toimintoon. Jos tarvitset sen työssäsi, ota "
                                       "yhteys palvelun ylläpitoon.")),
    404: (Msg("Sivua ei löydy"), Msg("Osoitteessa ei ole lomaketta. Valitse asiakirja etusivulta.")),
    405: (Msg("Virheellinen pyyntö"), Msg("Lomakkeen tiedot lähetetään vain lomakkeen painikkeilla.")),
    413: (Msg("Tiedot ovat liian suuret"), Msg("Lähetetyt tiedot tai tiedosto ovat liian suuria (enintään 512 kt).")),
    429: (Msg("Liian monta pyyntöä"), Msg("Palveluun on lähetetty lyhyessä ajassa enemmän pyyntöjä kuin se sallii. "
                                         "Odota minuutti ja yritä sitten uudelleen.")),
    500: (Msg("Palvelussa tapahtui virhe"), Msg("Pyyntöä ei voitu käsitellä. Yritä uudelleen; jos virhe toistuu, ota "
                                               "yhteys palvelun ylläpitoon.")),
    503: (Msg("Palvelu ei ole juuri nyt käytettävissä"), Msg("Yritä hetken kuluttua uudelleen.")),
}
HTTP_ERROR_OTHER = (Msg("Virheellinen pyyntö"), Msg("Pyyntöä ei voitu käsitellä."))


def _api_error(exc: ApiError):
    title, general = HTTP_ERRORS.get(exc.status, HTTP_ERROR_OTHER)
    # A message written for this error (a field, a version that does not exist) says more than
    # the general one; the general ones are the API's and speak of its tokens and headers.
    text = translate(exc.message) if exc.message != MESSAGES.get(exc.status) else gettext(general)
    return _page_error(exc.status, gettext(title), text)


def _http_error(exc: HTTPException):
    title, text = HTTP_ERRORS.get(exc.code or 400, HTTP_ERROR_OTHER)
    return _page_error(exc.code or 400, gettext(title), gettext(text))


def page_errors(blueprint: Blueprint) -> None:
    """Errors of the blueprint's views as pages in the reader's language."""
    blueprint.register_error_handler(ApiError, _api_error)
    blueprint.register_error_handler(HTTPException, _http_error)


page_errors(bp)


def _page_error(status: int, title: str, text: str):
    return render_template("forms/error.html", title=title, text=text), status


# --- pages ---------------------------------------------------------------------------------

@bp.get("/")
@role("worker")
def index():
    _no_query()
    return render_template("forms/index.html", phases=_phases(), open_error=None)


@bp.post("/avaa")
@role("worker")
def open_any():
    """Open a saved JSON from the front page: its type is recognised from its fields."""
    payload, problem = _uploaded_json()
    doc_type = carryover.detect(payload) if problem is None else None
    if doc_type is None:
        problem = problem or _("Tiedoston asiakirjatyyppiä ei tunnistettu. Avaa tiedosto sen asiakirjan "
                               "lomakkeella, johon haluat tiedot.")
        # The language switch of this page goes back to the front page (GET /avaa is no page).
        return render_template("forms/index.html", phases=_phases(), open_error=problem,
                               switch_next=url_for("forms.index")), 422
    return _open_into(doc_type, payload)


@bp.get("/lomakkeet/<type_id>")
@role("worker")
def form(type_id: str):
    _no_query()
    doc_type = _type(type_id)
    return _render(doc_type, new_document(doc_type, current()))


@bp.post("/lomakkeet/<type_id>/avaa")
@role("worker")
def open_form(type_id: str):
    doc_type = _type(type_id)
    payload, problem = _uploaded_json()
    if problem:
        return _render(doc_type, blank(doc_type.fields), open_error=problem, status=422)
    if doc_type.versioned and request.form.get("next_version") == "true":
        return _open_next_version(doc_type, payload)
    return _open_into(doc_type, payload)


@bp.post("/lomakkeet/<type_id>")
@role("worker")
def submit(type_id: str):
    doc_type = _type(type_id)
    data = from_form(doc_type.fields, request.form)
    action, _sep, target = request.form.get("action", "produce").partition(":")
    output_format = request.form.get("format", "docx")
    if output_format not in dict(FORMATS):
        if action == "produce":
            abort(400)
        output_format = "docx"
    if action in ("add", "remove", "up", "down"):
        try:
            focus = apply_action(doc_type.fields, data, action, target)
        except BadPath:
            abort(400)
        return _render(doc_type, data, focus=focus, output_format=output_format)
    if action == "language":
        # The form's own language switch: the same form, every typed value kept, in the chosen
        # language; the choice is remembered like the other pages' switch (service.i18n).
        if target not in LANGUAGES:  # a switch button's value, not typed by a person
            abort(400)
        i18n.use(target)
        html, status = _render(doc_type, data, focus=f"language-{target}", output_format=output_format)
        return i18n.remember(make_response(html, status), target)
    if action == "save":
        return _save(doc_type, data)
    if action == "restore":
        # Back after signing in again (service.pages.account), or "Pysy kirjautuneena" without
        # JavaScript: the form as it was sent, nothing done with it yet.
        return _render(doc_type, data, notice=restored_notice(target), output_format=output_format)
    if action == "produce":
        rendition = target or FAMILY
        if rendition not in doc_type.renditions:
            abort(400)
        bundle = request.form.get("bundle", "single") if doc_type.letters is not None else None
        if bundle is not None and bundle not in dict(BUNDLES):
            abort(400)
        try:
            document = produce(template_store(), doc_type, data, rendition,
                               output_format, converter(), audit=auditor(), bundle=bundle)
        except ApiError as exc:
            if exc.status != 422:
                return _render(doc_type, data, failure=translate(exc.message), status=exc.status,
                               output_format=output_format)
            return _render(doc_type, data, errors=exc.errors, status=422, output_format=output_format)
        return attachment(document.content, document.file_name, document.template, document.mimetype)
    abort(400)


def restored_notice(target: str) -> str:
    if target == "stay":
        return _("Kirjautumisesi on taas voimassa. Lomakkeen tiedot ovat ennallaan.")
    return _("Kirjauduit uudelleen, ja lomakkeelle kirjoittamasi tiedot palautettiin. Pyyntöäsi ei ehditty "
             "käsitellä ennen kuin kirjautuminen päättyi: tarkista tiedot ja valitse painike uudelleen.")


def new_document(doc_type: DocumentType, language: str) -> dict:
    """What a new form starts with: the required lists' first entries, the document in the
    page's language (the standard questions of the questions form in that language too)."""
    data = {**blank(doc_type.fields), **doc_type.schema.initial_values(language=language)}
    if "language" in doc_type.fields.children and language in DOCUMENT_LANGUAGE.codes:
        data.setdefault("language", language)
    mine = own_details()
    for name in ("social_worker", "author"):
        if mine and name in doc_type.fields.children:
            data[name] = dict(mine)
    if "document_date" in doc_type.fields.children:
        data["document_date"] = dt.date.today().isoformat()
    return data


# --- helpers -------------------------------------------------------------------------------

def _phases() -> dict[str, list[DocumentType]]:
    phases: dict[str, list[DocumentType]] = {}
    for doc_type in DOCUMENT_TYPES.values():
        phases.setdefault(doc_type.phase, []).append(doc_type)
    return phases


def _type(type_id: str) -> DocumentType:
    doc_type = get_type(type_id)
    g.doc_type = doc_type.id
    return doc_type


def _no_query():
    # Case data never travels in a URL (browser history, proxies, logs): a page asked for with
    # a query string is refused rather than silently ignored.
    if request.args:
        abort(400)


def _save(doc_type: DocumentType, data: dict):
    """The form's values as the API's JSON, to keep on the user's own computer."""
    case_ref = data.get("case_ref")
    # The file name carries the type and the case reference only, and only a reference that is
    # a valid pseudonymous one (no identity code, nothing else typed by mistake).
    # Named in the document's own language, like the document made from it.
    language = str(data["language"]) if data.get("language") in LANGUAGES else DEFAULT
    if isinstance(case_ref, str) and CASE_REF_RE.match(case_ref.strip()) and not HETU_LIKE_RE.search(case_ref):
        version = data.get("version")
        name = doc_type.file_name(case_ref.strip(), extension="json", language=language,
                                  version=version if isinstance(version, int) and 0 < version < 100 else None)
    else:
        name = f"{gettext(doc_type.file_stem, language)}.json"
    body = json.dumps(data, ensure_ascii=False, indent=2) + "\n"
    response = Response(body.encode("utf-8"), mimetype="application/json")
    response.headers["Content-Disposition"] = f'attachment; filename="{name}"'
    return response


def _uploaded_json():
    """(payload, problem): the JSON from the uploaded file or the pasted text."""
    upload = request.files.get("file")
    raw = upload.read() if upload is not None and upload.filename else b""
    if not raw.strip():
        raw = request.form.get("json", "").encode("utf-8")
    if not raw.strip():
        return None, _("Valitse tallennettu tiedosto tai liitä tiedot tekstikenttään.")
    try:
        payload = parse_json(raw)
    except ApiError:
        return None, _("Tiedosto ei ole tämän palvelun tallentamaa JSON-muotoa. Tarkista, että valitsit oikean "
                       "tiedoston.")
    if not isinstance(payload, dict):
        return None, _("Tiedostossa ei ole asiakirjan tietoja (odotettiin JSON-objektia).")
    return payload, None


def _open_into(doc_type: DocumentType, payload: dict):
    opened = carryover.open_into(doc_type, payload)
    if opened.source is doc_type:
        notice = _("Tallennetut tiedot avattiin. Jatka täyttämistä ja tarkista tiedot.")
        details = []
    elif opened.source is None:
        notice = _("Tiedoston asiakirjatyyppiä ei tunnistettu. Lomakkeeseen siirrettiin kentät, joiden nimi ja "
                   "muoto täsmäävät.")
        details = [(_("Siirrettiin"), opened.carried), (_("Ei siirretty"), opened.left_out)]
    else:
        notice = _("Avattiin asiakirjan {source} tiedot. Yhteiset tiedot siirrettiin tähän lomakkeeseen "
                   "({target}); tarkista ne ja täytä loput.").format(source=opened.source.title(),
                                                                   target=doc_type.title())
        details = [(_("Siirrettiin"), opened.carried), (_("Ei siirretty"), opened.left_out)]
    return _render(doc_type, opened.data, notice=notice, notice_details=[d for d in details if d[1]])


def _open_next_version(doc_type: DocumentType, payload: dict):
    """The plan revised after a follow-up meeting: version n+1 from version n's saved data."""
    if carryover.detect(payload, preferred=doc_type) is not doc_type:
        problem = _("Seuraavan version voi aloittaa vain tämän asiakirjan aiemman version tallennetuista tiedoista. "
                    "Poista valinta Aloita seuraava versio, jos haluat siirtää toisen asiakirjan tiedot.")
        return _render(doc_type, blank(doc_type.fields), open_error=problem, status=422)
    opened = carryover.next_version(doc_type, payload)
    notice = _("Aloitettiin versio {version}, joka korvaa version {previous}. Tarkista tiedot ja kirjaa, mitä "
               "seurantakokouksessa sovittiin.").format(version=opened.data["version"],
                                                         previous=opened.data["supersedes"]["version"])
    return _render(doc_type, opened.data, notice=notice, notice_details=[(_("Täytetään uudelleen"), opened.left_out)])


class FormFields(Protocol):
    """What a form is made from: a document type, a page of the case form, the account's own details."""

    @property
    def id(self) -> str: ...

    @property
    def fields(self) -> Node: ...


class FormPage:
    """What the form template reads: the tree, the values, the errors and the focus."""

    def __init__(self, doc_type: FormFields, data: dict, errors: list[dict] | None, focus: str | None):
        self.doc_type = doc_type
        self.root = doc_type.fields
        self.data = data
        self.focus = focus
        self.errors: dict[str, list[str]] = {}
        self.summary: list[tuple[str | None, str]] = []
        for error in errors or []:
            path = error.get("path", "")
            message = friendly(self.root, path, error.get("message", ""))
            self.errors.setdefault(path, []).append(message)
            # In the summary a field's place is named too: "Syntymäaika puuttuu (Lapsi 2)".
            where = context(self.root, path)
            shown = _("{message} ({where})").format(message=message, where=where) \
                if where and where not in message else message
            self.summary.append((self._target(path), shown))
        if self.summary:
            self.focus = "error-summary"

    # paths and ids
    join = staticmethod(join)
    fid = staticmethod(field_id)

    def _target(self, path: str) -> str | None:
        """The id a summary link points to: the input, or the group (fieldset) of a block or list."""
        try:
            node_at(self.root, path)
        except BadPath:
            return None
        return field_id(path)

    # values
    def value(self, path: str):
        return value_at(self.data, path)

    def text(self, path: str, node: Node) -> str:
        value = self.value(path)
        if value is None:
            default = node.default
            return "" if default is None or callable(default) else str(default)
        return value if isinstance(value, str) else json.dumps(value)

    def checked(self, path: str, node: Node) -> bool:
        value = self.value(path)
        return value is True or (value is None and node.default is True)

    def count(self, path: str) -> int:
        value = self.value(path)
        return len(value) if isinstance(value, list) else 0

    def error(self, path: str) -> str | None:
        messages = self.errors.get(path)
        return "; ".join(messages) if messages else None

    def describedby(self, path: str, node: Node, extra_hint: bool = False, count: bool = False) -> str:
        ids = []
        if node.help or extra_hint:
            ids.append(field_id(path) + "-hint")
        if count:
            ids.append(field_id(path) + "-count")
        if self.error(path):
            ids.append(field_id(path) + "-error")
        return " ".join(ids)

    # words
    item_name = staticmethod(item_name)

    def options(self, node: Node) -> list[tuple[str, str]]:
        """A choice list's codes with their names in the page language."""
        if node.widget == "language":
            return language_options(current())
        if node.choices:
            return [(code, gettext(label)) for code, label in Choices.registry[node.choices].labels.items()]
        return []

    def first_field(self, node: Node, path: str) -> str:
        return first_field_id(node, path)


_LANGUAGES: dict[str, list[tuple[str, str]]] = {}


def language_options(ui_language: str) -> list[tuple[str, str]]:
    """Every ISO 639 language the schema accepts (CLDR's Finnish list, as schemas.fields), named
    in the page's language (a name CLDR lacks in that language comes from English, then
    Finnish); the languages a Helsinki family most often uses come first, then the others in
    that language's alphabetical order."""
    if ui_language not in _LANGUAGES:
        accepted = Locale(DEFAULT).languages
        names = {**accepted, **Locale("en").languages, **Locale(ui_language).languages}
        named: dict[str, str] = {str(code): str(names[code]) for code in accepted}
        common = [(code, named[code]) for code in COMMON_LANGUAGES if code in named]
        rest = sorted(((c, n) for c, n in named.items() if c not in COMMON_LANGUAGES),
                      key=lambda cn: (cn[1].casefold(), cn[0]))
        _LANGUAGES[ui_language] = common + rest
    return _LANGUAGES[ui_language]


def _render(doc_type: DocumentType, data: dict, *, errors=None, focus=None, notice=None, notice_details=None,
            open_error=None, failure=None, status=200, output_format="docx"):
    page = FormPage(doc_type, data, errors, focus)
    if notice and not page.focus:
        page.focus = "notice"
    if (open_error or failure) and not page.focus:
        page.focus = "page-problem"
    html = render_template(
        "forms/form.html", page=page, doc_type=doc_type, formats=FORMATS, output_format=output_format,
        network=NETWORK in doc_type.renditions, notice=notice, notice_details=notice_details or [],
        open_error=open_error, failure=failure, stay_form="lnp-form",
        letters=[(code, gettext(text)) for code, text in BUNDLES] if doc_type.letters is not None else None,
        bundle=request.form.get("bundle", "single") if request.method == "POST" else "single",
    )
    return html, status
