"""Authentication and roles for every endpoint, whichever blueprint it belongs to.

- Every view declares who may use it: ``@role("worker")`` (or convener, admin), or ``@public``.
  ``check_routes`` makes create_app refuse to start while any endpoint has no declaration, and
  a request to such an endpoint is refused as well: a route added without one fails closed.
- One ``before_request`` authenticates every request: a bearer token (API clients), else the
  SSO proxy's user header when configured, else the sign-in session cookie (web users). There
  is no setting that turns this off; the public endpoints are the declared ones, /healthz and
  static files.
- CSRF (Flask-WTF) is checked on every unsafe request that is not authenticated by a bearer
  token: a browser never sends one on its own, so only cookie- and proxy-authenticated forms
  need the check.
"""

from __future__ import annotations

import ipaddress
import logging
import re
from urllib.parse import urlsplit

from flask import (Blueprint, Flask, abort, current_app, flash, g, redirect, render_template, request,
                   session, url_for)

from schemas.i18n import gettext as _

from . import audit
from .accounts import PASSWORD_MIN, ROLES, USER_NAME_RE, AccountError, AccountStore, Identity, rank
from .errors import ApiError
from .security import CSP

log = logging.getLogger("lnp")

PUBLIC = "public"
# Where a user who still has a one-time password may go.
PASSWORD_ENDPOINTS = frozenset({"auth.password", "auth.sign_out"})
SAFE_METHODS = frozenset({"GET", "HEAD", "OPTIONS"})
PROXY_NAME_RE = re.compile(r"[A-Za-z0-9._@-]{1,128}")


def role(required: str):
    """Declare the least role a view needs: worker < convener < admin."""
    if required not in ROLES:
        raise ValueError(f"unknown role {required!r}")

    def declare(view):
        view.lnp_role = required
        return view

    return declare


def public(view):
    """Declare a view open to anyone (sign-in page, health check)."""
    view.lnp_role = PUBLIC
    return view


def declared_role(app: Flask, endpoint: str) -> str | None:
    if endpoint == "static" or endpoint.endswith(".static"):
        return PUBLIC
    view = app.view_functions.get(endpoint)
    for owner in (view, getattr(view, "view_class", None)):
        declared = getattr(owner, "lnp_role", None)
        if declared is not None:
            return declared
    return None


def check_routes(app: Flask) -> None:
    """Refuse to start while any endpoint lacks a role declaration."""
    missing = sorted(e for e in app.view_functions if declared_role(app, e) is None)
    if missing:
        raise RuntimeError(f"endpoints without @role/@public: {', '.join(missing)}")


# --- who is asking -------------------------------------------------------------------------------

def accounts() -> AccountStore:
    return current_app.extensions["lnp.accounts"]


def _refuse(reason: str) -> ApiError:
    g.auth_failure = reason
    return ApiError(401)


def _peer_address() -> str:
    # ProxyFix (when configured) rewrites REMOTE_ADDR; the proxy check needs the real peer.
    original = request.environ.get("werkzeug.proxy_fix.orig", {})
    return original.get("REMOTE_ADDR") or request.environ.get("REMOTE_ADDR", "")


def _from_trusted_proxy() -> bool:
    trusted = current_app.config["PROXY_TRUSTED_ADDRESSES"]
    try:
        peer = ipaddress.ip_address(_peer_address())
    except ValueError:
        return False
    return any(peer in ipaddress.ip_network(net, strict=False) for net in trusted)


def _identify() -> Identity | None:
    header = request.headers.get("Authorization")
    if header is not None:
        scheme, _, value = header.partition(" ")
        if scheme.lower() != "bearer" or not value.strip():
            raise _refuse("not-bearer")
        identity, reason = accounts().verify_token(value.strip())
        if identity is None:
            raise _refuse(reason)
        return identity
    user_header = current_app.config["PROXY_USER_HEADER"]
    if user_header and user_header in request.headers:
        if not _from_trusted_proxy():
            raise _refuse("proxy-header-from-untrusted-peer")
        name = request.headers.get(user_header, "")
        proxy_role = request.headers.get(current_app.config["PROXY_ROLE_HEADER"], "")
        if not PROXY_NAME_RE.fullmatch(name) or proxy_role not in ROLES:
            raise _refuse("proxy-header-invalid")
        return Identity("proxy", name, proxy_role, key=f"proxy:{name}")
    session_id = session.get("sid")
    if session_id:
        identity = accounts().session_identity(session_id, current_app.config["SESSION_IDLE_SECONDS"],
                                               current_app.config["SESSION_MAX_SECONDS"])
        if identity is None:
            session.clear()
        return identity
    return None


def _wants_html() -> bool:
    return (request.method == "GET"
            and request.accept_mimetypes.best_match(["application/json", "text/html"]) == "text/html")


def authenticate():
    """The app-wide gate; runs before every view."""
    endpoint = request.endpoint
    required = declared_role(current_app, endpoint) if endpoint else None
    if required == PUBLIC:
        if request.method not in SAFE_METHODS:
            current_app.extensions["csrf"].protect()
        return None
    identity = _identify()
    if identity is None:
        if _wants_html():
            return redirect(url_for("auth.sign_in", next=request.full_path.rstrip("?")))
        raise _refuse("no-credentials")
    g.identity = identity
    if endpoint is None:  # 404 or 405: only signed-in callers learn which paths exist
        return None
    if required is None:
        log.error("endpoint %s has no role declaration; refused", endpoint)
        raise ApiError(403)
    if identity.must_change and endpoint not in PASSWORD_ENDPOINTS:
        if _wants_html():
            return redirect(url_for("auth.password"))
        raise ApiError(403, _("Vaihda kertakäyttöinen salasana ennen jatkamista."))
    if rank(identity.role) < rank(required):
        g.auth_failure = "role"
        raise ApiError(403)
    if request.method not in SAFE_METHODS and identity.kind != "token":
        current_app.extensions["csrf"].protect()
    return None


# --- sign-in pages -------------------------------------------------------------------------------

bp = Blueprint("auth", __name__, url_prefix="/auth")

# The sign-in pages share the forms' page (HDS styles, whose icons are data: images) but run no
# script at all.
PAGE_CSP = CSP.replace("img-src 'self'", "img-src 'self' data:; font-src 'self'")


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
    """Sign in with a local account (rate limited per typed name and per address: security.py)."""
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
    audit.change("user.password", "ok", target=identity.name, target_role=identity.role)
    flash(_("Salasana vaihdettu."))
    return redirect(url_for("auth.account"))


def _password_page(identity: Identity, error: str | None = None):
    return render_template("auth/password.html", identity=identity, error=error, password_min=PASSWORD_MIN)


@bp.get("/account")
@role("worker")
def account():
    """Who is signed in; the page a sign-in lands on until the forms (#3) exist."""
    return render_template("auth/account.html", identity=g.identity)


def init_app(app: Flask, store: AccountStore) -> None:
    """Before security.init_app: the gate runs first, so the rate limiter knows who asks."""
    app.extensions["lnp.accounts"] = store
    app.before_request(authenticate)
    app.register_blueprint(bp)
