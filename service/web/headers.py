"""Response headers, rate limits and CSRF protection for the whole app.

- Headers: a CSP with no script and no framing, nosniff, no referrer, HSTS when the request
  came over https (directly or, with PROXY_FIX set, as the proxy says).
- Rate limits (Flask-Limiter): every authenticated caller has a budget per token or user; the
  sign-in form has its own, per typed account name and per address. A 429 carries Retry-After
  and the usual JSON error body. The in-memory store counts per gunicorn worker; point
  RATELIMIT_STORAGE_URI at a shared store (e.g. redis://) to count across workers and hosts.
- CSRF (Flask-WTF's CSRFProtect) with the default check off: web.gate.authenticate decides which
  requests need it (all unsafe ones except those carrying a bearer token). The forms use
  ``csrf_token()`` in their templates as usual; no second CSRFProtect is needed.
"""

from __future__ import annotations

from collections.abc import Callable
from hashlib import sha256

from flask import Flask, g, request
from flask_limiter import Limiter
from flask_wtf.csrf import CSRFError, CSRFProtect
from werkzeug.middleware.proxy_fix import ProxyFix

from service.web.errors import error_response

# The three Content-Security-Policies, from one base: the API and everything else (no script, no
# styles of its own), the sign-in pages (HDS styles, whose icons are data: images, no script) and
# the forms and template pages (their one script file).
_BASE = "default-src 'none'; form-action 'self'; frame-ancestors 'none'; base-uri 'none'"
CSP = f"{_BASE}; style-src 'self'; img-src 'self'"
PAGE_CSP = f"{_BASE}; style-src 'self'; img-src 'self' data:; font-src 'self'"
FORMS_CSP = (f"{_BASE}; script-src 'self'; style-src 'self'; img-src 'self' data:; font-src 'self'; "
             "connect-src 'self'; object-src 'none'")
HSTS = "max-age=63072000; includeSubDomains"

csrf = CSRFProtect()


def client_address() -> str:
    return f"address:{request.remote_addr or '-'}"


def _rate_key() -> str:
    identity = g.get("identity")
    return identity.key if identity is not None else client_address()


def _sign_in_key() -> str:
    # Per account *and* address: wrong passwords sent from elsewhere slow down their sender, and
    # never lock the account's owner out (a limit per account alone is a lock anyone controls).
    # The name a person typed may be a mistyped password: only its hash reaches the limiter
    # (which logs its keys).
    name = (request.form.get("username") or "").strip().lower()
    return "sign-in:" + sha256(f"{name}\0{client_address()}".encode()).hexdigest()[:32]


def _password_key() -> str:
    """The current-password check of the password page: per signed-in user and address."""
    identity = g.get("identity")
    return "password:" + sha256(f"{identity.key if identity else '-'}\0{client_address()}".encode()).hexdigest()[:32]


def _headers(response):
    # The forms set their own policy (their script file needs script-src 'self'); every other
    # response gets this one.
    response.headers.setdefault("Content-Security-Policy", CSP)
    response.headers["X-Content-Type-Options"] = "nosniff"
    response.headers["X-Frame-Options"] = "DENY"
    # same-origin, not no-referrer: Flask-WTF checks the Referer of form posts over https.
    response.headers["Referrer-Policy"] = "same-origin"
    response.headers["Cross-Origin-Opener-Policy"] = "same-origin"
    response.headers["Cross-Origin-Resource-Policy"] = "same-origin"
    if request.is_secure:
        response.headers["Strict-Transport-Security"] = HSTS
    return response


def init_app(app: Flask, sign_in_endpoint: str = "auth.sign_in", password_endpoint: str = "auth.password") -> None:
    """After auth.init_app (the limiter's before_request must run after the gate)."""
    if app.config["PROXY_FIX"]:
        hops = int(app.config["PROXY_FIX"])
        app.wsgi_app = ProxyFix(app.wsgi_app, x_for=hops, x_proto=hops, x_host=hops)  # type: ignore[method-assign]
    app.config["WTF_CSRF_CHECK_DEFAULT"] = False
    csrf.init_app(app)
    # One limiter per app: a Limiter keeps the first app's limits, and tests build several apps.
    limiter = Limiter(key_func=_rate_key, app=app)
    limiter.request_filter(lambda: request.endpoint in ("healthz", "readyz"))  # the load balancer polls them
    view: Callable = app.view_functions[sign_in_endpoint]
    view = limiter.limit(lambda: app.config["SIGN_IN_RATE_LIMIT"], methods=["POST"], key_func=_sign_in_key)(view)
    view = limiter.limit(lambda: app.config["SIGN_IN_ADDRESS_RATE_LIMIT"], methods=["POST"],
                         key_func=client_address)(view)
    app.view_functions[sign_in_endpoint] = view
    password_view: Callable = app.view_functions[password_endpoint]
    app.view_functions[password_endpoint] = limiter.limit(lambda: app.config["SIGN_IN_RATE_LIMIT"], methods=["POST"],
                                                          key_func=_password_key)(password_view)
    app.extensions["lnp.limiter"] = limiter
    app.after_request(_headers)

    @app.errorhandler(CSRFError)
    def _csrf_error(exc):
        g.auth_failure = "csrf"
        return error_response(400, "Lomakkeen tarkiste puuttuu tai on vanhentunut. Lataa sivu uudelleen ja yritä taas.")
