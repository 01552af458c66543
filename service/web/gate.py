"""Authentication and roles for every endpoint, whichever blueprint it belongs to.

- Every view declares who may use it: ``@role("worker")`` (or convener, admin), or ``@public``.
  ``check_routes`` makes create_app refuse to start while any endpoint has no declaration, and
  a request to such an endpoint is refused as well: a route added without one fails closed.
- One ``before_request`` authenticates every request: a bearer token (API clients), else the
  SSO proxy's user header when configured, else the sign-in session cookie (web users). There
  is no setting that turns this off; the public endpoints are the declared ones, /healthz,
  /readyz and static files.
- CSRF (Flask-WTF) is checked on every unsafe request that is not authenticated by a bearer
  token: a browser never sends one on its own, so only cookie- and proxy-authenticated forms
  need the check.
- A form a person posts after their session ended (idle too long) is not lost: when its CSRF
  token is valid (the post came from this site's own page in the same browser), the gate raises
  :class:`SignInRequired`, and the pages answer with the sign-in page carrying the posted
  values in the browser's own page, never on the server (service.pages.account).
"""

from __future__ import annotations

import ipaddress
import logging
import re
import time

from flask import Flask, current_app, g, redirect, request, session, url_for
from flask_wtf.csrf import CSRFError

from schemas.i18n import gettext as _
from service.access.accounts import ROLES, AccountStore, Identity, rank
from service.access.audit import Auditor
from service.problems import ApiError

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


class SignInRequired(Exception):
    """A person's form post arrived without a valid session. ``carry``: its CSRF token was valid,
    so its values may go back to the person in the sign-in page."""

    def __init__(self, carry: bool):
        super().__init__("sign-in required")
        self.carry = carry


FORM_TYPES = frozenset({"application/x-www-form-urlencoded", "multipart/form-data"})


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
            # The session ended; the CSRF secret stays, so that a form posted from its pages can
            # still be recognised as this browser's own (a new one is made at sign-in).
            session.pop("sid", None)
            g.session_expired = True
        return identity
    return None


def _wants_html() -> bool:
    return (request.method == "GET"
            and request.accept_mimetypes.best_match(["application/json", "text/html"]) == "text/html")


def _form_from_a_page() -> bool:
    """A browser posting one of the pages' forms (the JSON API is never one)."""
    return (request.method == "POST" and request.mimetype in FORM_TYPES
            and request.accept_mimetypes.best_match(["application/json", "text/html"]) == "text/html")


def _sign_in_required() -> SignInRequired:
    g.auth_failure = "no-credentials"
    try:
        current_app.extensions["csrf"].protect()
    except CSRFError:
        return SignInRequired(carry=False)
    return SignInRequired(carry=True)


def session_seconds_left() -> int | None:
    """Seconds until the signed-in user's session ends if they do nothing (None: not a session
    that ends by itself, as with an API token or the SSO proxy)."""
    identity = g.get("identity")
    if identity is None or identity.kind != "session" or not session.get("sid"):
        return None
    expires = accounts().session_expiry(session["sid"], current_app.config["SESSION_IDLE_SECONDS"],
                                        current_app.config["SESSION_MAX_SECONDS"])
    return None if expires is None else max(0, int(expires - time.time()))


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
        if _form_from_a_page():
            raise _sign_in_required()
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


def auditor() -> Auditor:
    """The audit sink of the request being served: its identity, channel and request id."""
    identity = g.identity
    channel = "api" if identity.kind == "token" else "web"
    return Auditor(current_app.extensions["lnp.audit"], identity, channel, g.get("request_id"))


def init_app(app: Flask, store: AccountStore) -> None:
    """Before headers.init_app: the gate runs first, so the rate limiter knows who asks."""
    app.extensions["lnp.accounts"] = store
    app.before_request(authenticate)
