"""The sign-in, sign-out, password and account pages (the gate itself is service.web.gate)."""

from __future__ import annotations

from urllib.parse import urlsplit

from flask import (
    Blueprint,
    abort,
    current_app,
    flash,
    g,
    jsonify,
    redirect,
    render_template,
    request,
    session,
    url_for,
)
from flask_wtf.csrf import CSRFError
from marshmallow import ValidationError

from schemas.common import WorkerSchema
from schemas.i18n import gettext as _
from service.access.accounts import PASSWORD_MIN, USER_NAME_RE, AccountError, Identity, rank
from service.fieldtree import tree
from service.pages.formdata import from_form
from service.pages.forms import FormPage, _page_error, page_errors
from service.pages.profile import own_details
from service.problems import flatten
from service.web.gate import SignInRequired, accounts, auditor, public, role, session_seconds_left
from service.web.headers import PAGE_CSP

# --- sign-in pages -------------------------------------------------------------------------------

bp = Blueprint("auth", __name__, url_prefix="/auth")
page_errors(bp)

@bp.after_request
def _page_headers(response):
    if response.mimetype == "text/html":
        response.headers["Content-Security-Policy"] = PAGE_CSP
        response.headers["Cache-Control"] = "no-store"
    return response


def _safe_next(target: str | None) -> str:
    """Only a path on this site: an absolute or scheme-relative URL would be an open redirect."""
    if target:
        parts = urlsplit(target)
        if not parts.scheme and not parts.netloc and target.startswith("/") and not target.startswith("//") \
                and "\\" not in target:
            return target
    return url_for("auth.account")


# A form posted after the session ended travels through the sign-in page in these hidden fields
# (the browser's own page: never the server's disk, log or memory beyond the request).
CARRY = "carried:"
RESTORE = "restore"


@bp.route("/sign-in", methods=["GET", "POST"])
@public
def sign_in():
    """Sign in with a local account (rate limited per typed name and per address: service.web.headers)."""
    if request.method == "GET":
        return render_template("auth/sign_in.html", next=request.args.get("next", ""))
    carried = [(key[len(CARRY):], value) for key, value in request.form.items(multi=True) if key.startswith(CARRY)]
    name = (request.form.get("username") or "").strip().lower()
    identity = accounts().verify_password(name, request.form.get("password") or "")
    if identity is None:
        _audit_sign_in(name, None, "refused")
        g.auth_failure = "wrong-password"
        return render_template("auth/sign_in.html", next=request.form.get("next", ""), carried=carried,
                               error=_("Käyttäjätunnus tai salasana on väärä.")), 401
    session.clear()  # a new session id after sign-in: no fixation
    session["sid"] = accounts().open_session(identity.name)
    _audit_sign_in(name, identity, "ok")
    if identity.must_change:
        return redirect(url_for("auth.password"))
    target = _safe_next(request.form.get("next"))
    if carried and target == request.form.get("next"):
        # Back to the form with what was typed: the browser posts it again with a fresh CSRF
        # token; a form's own buttons are replaced by "restore", which shows the form again.
        fields = [(key, RESTORE if key == "action" else value) for key, value in carried]
        return render_template("auth/continue.html", target=target, fields=fields)
    return redirect(target)


@bp.errorhandler(CSRFError)
def _stale_sign_in_page(exc):
    """The sign-in page was open too long (or its cookie is gone): the page again, with a new
    token, still carrying what it carried."""
    g.auth_failure = "csrf"
    if request.endpoint != "auth.sign_in":
        return _page_error(400, _("Lomakkeen lähetys hylättiin"),
                           _("Lomakkeen turvatunniste puuttui tai oli vanhentunut. Lataa sivu uudelleen ja yritä taas."))
    carried = [(key[len(CARRY):], value) for key, value in request.form.items(multi=True) if key.startswith(CARRY)]
    return render_template("auth/sign_in.html", next=request.form.get("next", ""), carried=carried,
                           error=_("Kirjautumissivu oli vanhentunut. Kirjaudu uudelleen.")), 400


@bp.errorhandler(429)
def _too_many_sign_ins(exc):
    """Over the sign-in limits (service.web.headers): the page again, saying why."""
    if request.endpoint != "auth.sign_in":
        return _page_error(429, _("Liian monta pyyntöä"), _("Odota minuutti ja yritä sitten uudelleen."))
    carried = [(key[len(CARRY):], value) for key, value in request.form.items(multi=True) if key.startswith(CARRY)]
    return render_template("auth/sign_in.html", next=request.form.get("next", ""), carried=carried,
                           error=_("Liian monta kirjautumisyritystä. Odota minuutti ja yritä sitten uudelleen.")), 429


@bp.app_errorhandler(SignInRequired)
def _sign_in_again(exc: SignInRequired):
    """A form posted without a valid session: the sign-in page, carrying the posted values when
    the post came from this browser's own page (its CSRF token was valid)."""
    if request.endpoint == "auth.sign_out":
        return redirect(url_for("auth.sign_in"))
    carry = exc.carry and (request.blueprint != "auth" or request.endpoint == "auth.account")
    carried = [(key, value) for key, value in request.form.items(multi=True) if key != "csrf_token"] if carry else []
    dropped = carry and any(upload.filename for upload in request.files.values())
    return render_template("auth/sign_in.html", next=request.path if carry else "", carried=carried,
                           expired=True, dropped_file=dropped, lost=not carry), 401


@bp.post("/keep-alive")
@role("worker")
def keep_alive():
    """"Pysy kirjautuneena" of the session dialog (forms.js): the idle clock starts again."""
    if g.identity.kind != "session":
        abort(404)
    accounts().touch_session(session["sid"])
    return jsonify(seconds_left=session_seconds_left())


@bp.app_context_processor
def _session_clock():
    """How long the signed-in user's session lasts if they do nothing: the pages warn before it
    ends (a dialog with JavaScript, a sentence without)."""
    left = session_seconds_left()
    return {"session_left": left, "session_warn": current_app.config["SESSION_WARN_SECONDS"],
            "session_idle_minutes": max(1, current_app.config["SESSION_IDLE_SECONDS"] // 60),
            "signed_in": _signed_in()}


def _signed_in() -> dict | None:
    """Who is signed in, as every page's header shows it: the name from the user's own work
    details (else the account name), a link to the template pages for conveners, and sign-out
    for a session (an API token or the SSO proxy has nothing to sign out of here)."""
    identity = g.get("identity")
    if identity is None:
        return None
    return {"name": display_name(identity.kind, identity.name), "convener": rank(identity.role) >= rank("convener"),
            "can_sign_out": identity.kind == "session"}


def display_name(kind: str, name: str) -> str:
    """A person's name for the pages: "Maija Meikäläinen" from their own work details, else the
    account name; an API token by its name, the command line by the user it ran as."""
    if kind == "session":
        details = accounts().profile(name) if accounts().user(name) else {}
        full = " ".join(part for part in (details.get("given_names"), details.get("surname")) if part)
        return full or name
    if kind == "token":
        return _("API-tunniste {name}").format(name=name)
    if kind == "cli":
        return _("komentorivi ({name})").format(name=name)
    return name


def _audit_sign_in(name: str, identity: Identity | None, outcome: str) -> None:
    # A refused attempt names the account only when it exists: a typed "name" may be a password.
    if identity is None:
        known = accounts().user(name) if USER_NAME_RE.fullmatch(name) else {}
        identity = Identity("session", known.get("name", "-"), known.get("role", "-"), key="-")
    current_app.extensions["lnp.audit"].record(identity, "auth.sign_in", outcome, channel="web",
                                               request_id=g.get("request_id"))


@bp.post("/sign-out")
@role("worker")
def sign_out():
    """End the session on the server, not only in the browser."""
    if session.get("sid"):
        accounts().close_session(session["sid"])
    session.clear()
    return redirect(url_for("auth.sign_in"))


@bp.route("/password", methods=["GET", "POST"])
@role("worker")
def password():
    """Change one's own password (required after a one-time password)."""
    identity = g.identity
    if identity.kind != "session":
        abort(404)
    if request.method == "GET":
        return _password_page(identity)
    current, new = request.form.get("current") or "", request.form.get("new") or ""
    if new != (request.form.get("repeat") or ""):
        return _password_page(identity, _("Salasanat eivät täsmää.")), 422
    try:
        accounts().change_password(identity.name, current, new)
    except AccountError as exc:
        return _password_page(identity, str(exc)), 422
    accounts().close_sessions_of(identity.name, keep=session.get("sid"))
    auditor().change("user.password", "ok", target=identity.name, target_role=identity.role)
    flash(_("Salasana vaihdettu."))
    return redirect(url_for("auth.account"))


def _password_page(identity: Identity, error: str | None = None):
    return render_template("auth/password.html", identity=identity, error=error, password_min=PASSWORD_MIN)


PROFILE = tree(WorkerSchema)


class _Profile:
    """The account page's form of one's own work details (the fields macro reads ``fields``)."""

    id = "profile"
    fields = PROFILE


@bp.route("/account", methods=["GET", "POST"])
@role("worker")
def account():
    """Who is signed in, and one's own work details (name, title, organisation, unit, work phone and
    e-mail), which the forms fill in as the responsible social worker or author."""
    identity = g.identity
    has_profile = identity.kind == "session"
    errors = None
    data = own_details()
    if request.method == "POST":
        if not has_profile:
            abort(404)
        data = from_form(PROFILE, request.form)
        try:
            WorkerSchema().load(data)
        except ValidationError as exc:
            errors = flatten(exc.messages, PROFILE)
        else:
            accounts().set_profile(identity.name, data)
            flash(_("Omat tiedot tallennettu. Lomakkeet täyttävät ne puolestasi."))
            return redirect(url_for("auth.account"))
    page = FormPage(_Profile(), data, errors, None)
    return render_template("auth/account.html", identity=identity, page=page, has_profile=has_profile), \
        422 if errors else 200
