"""Response headers, rate limits and CSRF protection for the whole app.

- Headers: a CSP with no script and no framing, nosniff, no referrer, HSTS when the request
  came over https (directly or, with PROXY_FIX set, as the proxy says).
- Rate limits (Flask-Limiter): every authenticated caller has a budget per token or user; the
  sign-in form has its own, per typed account name and per address. A 429 carries Retry-After
  and the usual JSON error body. The in-memory store counts per gunicorn worker; point
  RATELIMIT_STORAGE_URI at a shared store (e.g. redis://) to count across workers and hosts.
- CSRF (Flask-WTF's CSRFProtect) with the default check off: auth.authenticate decides which
  requests need it (all unsafe ones except those carrying a bearer token). The forms of #3 use
  ``csrf_token()`` in their templates as usual; no second CSRFProtect is needed.
"""

from __future__ import annotations

from flask import Flask, g, request
from flask_limiter import Limiter
from flask_wtf.csrf import CSRFError, CSRFProtect
from werkzeug.middleware.proxy_fix import ProxyFix

from .errors import error_response

CSP = ("default-src 'none'; style-src 'self'; img-src 'self'; form-action 'self'; "
       "frame-ancestors 'none'; base-uri 'none'")
HSTS = "max-age=63072000; includeSubDomains"

csrf = CSRFProtect()


def client_address() -> str:
    return f"address:{request.remote_addr or '-'}"


def _rate_key() -> str:
    identity = g.get("identity")
    return identity.key if identity is not None else client_address()


limiter = Limiter(key_func=_rate_key)


def _headers(response):
    response.headers["Content-Security-Policy"] = CSP
    response.headers["X-Content-Type-Options"] = "nosniff"
    response.headers["X-Frame-Options"] = "DENY"
    # same-origin, not no-referrer: Flask-WTF checks the Referer of form posts over https.
    response.headers["Referrer-Policy"] = "same-origin"
    response.headers["Cross-Origin-Opener-Policy"] = "same-origin"
    response.headers["Cross-Origin-Resource-Policy"] = "same-origin"
    if request.is_secure:
        response.headers["Strict-Transport-Security"] = HSTS
    return response


def init_app(app: Flask) -> None:
    if app.config["PROXY_FIX"]:
        hops = int(app.config["PROXY_FIX"])
        app.wsgi_app = ProxyFix(app.wsgi_app, x_for=hops, x_proto=hops, x_host=hops)
    app.config["WTF_CSRF_CHECK_DEFAULT"] = False
    csrf.init_app(app)
    limiter.init_app(app)
    app.after_request(_headers)

    @app.errorhandler(CSRFError)
    def _csrf_error(exc):
        g.auth_failure = "csrf"
        return error_response(400, "Lomakkeen tarkiste puuttuu tai on vanhentunut. Lataa sivu uudelleen ja yritä taas.")
