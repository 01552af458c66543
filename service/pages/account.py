"""The sign-in, sign-out, password and account pages (the gate itself is service.web.gate)."""

from __future__ import annotations

from urllib.parse import urlsplit

from flask import Blueprint, abort, current_app, flash, g, redirect, render_template, request, session, url_for
from marshmallow import ValidationError

from schemas.common import WorkerSchema
from schemas.i18n import gettext as _
from service.access.accounts import PASSWORD_MIN, USER_NAME_RE, AccountError, Identity
from service.fieldtree import tree
from service.pages.formdata import from_form
from service.pages.forms import FormPage
from service.pages.profile import own_details
from service.problems import flatten
from service.web.gate import accounts, auditor, public, role
from service.web.headers import PAGE_CSP

# --- sign-in pages -------------------------------------------------------------------------------

bp = Blueprint("auth", __name__, url_prefix="/auth")

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


@bp.route("/sign-in", methods=["GET", "POST"])
@public
def sign_in():
    """Sign in with a local account (rate limited per typed name and per address: service.web.headers)."""
    if request.method == "GET":
        return render_template("auth/sign_in.html", next=request.args.get("next", ""))
    name = (request.form.get("username") or "").strip().lower()
    identity = accounts().verify_password(name, request.form.get("password") or "")
    if identity is None:
        _audit_sign_in(name, None, "refused")
        g.auth_failure = "wrong-password"
        return render_template("auth/sign_in.html", next=request.form.get("next", ""),
                               error=_("Käyttäjätunnus tai salasana on väärä.")), 401
    session.clear()  # a new session id after sign-in: no fixation
    session["sid"] = accounts().open_session(identity.name)
    _audit_sign_in(name, identity, "ok")
    if identity.must_change:
        return redirect(url_for("auth.password"))
    return redirect(_safe_next(request.form.get("next")))


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
