"""lnp-docs: the Word documents of läheisneuvonpito (Family Group Conference)."""

from __future__ import annotations

import logging
import re
import time
import uuid
from pathlib import Path

from flask import Flask, g, jsonify, request

from . import admin, api, auth, errors, security
from .accounts import AccountStore
from .audit import AuditLog
from .documents import TemplateStore
from .instance import ACCOUNTS_FILE, AUDIT_FILE, check_secrets, ensure_folder, instance_path, load_secrets

log = logging.getLogger("lnp")
REQUEST_ID_RE = re.compile(r"[A-Za-z0-9._-]{1,64}")


class DefaultConfig:
    """Every setting can be given as an environment variable with the prefix LNP_
    (LNP_SESSION_IDLE_SECONDS=600). SECRET_KEY and AUDIT_KEY have no default: see instance.py."""

    # A case JSON is a few kilobytes; the schemas' own length caps keep a valid one far below this.
    MAX_CONTENT_LENGTH = 512 * 1024
    JSON_AS_ASCII = False
    TEMPLATES_DIR = None  # None = the built-in templates_docx/

    # The cookie holds a signed random session id only; the session itself is in the account
    # database, so signing out or removing a user ends it on the server.
    SESSION_COOKIE_NAME = "lnp_session"
    SESSION_COOKIE_SECURE = True  # browsers treat http://localhost as secure, so `make run` works
    SESSION_COOKIE_HTTPONLY = True
    SESSION_COOKIE_SAMESITE = "Lax"
    SESSION_IDLE_SECONDS = 15 * 60
    SESSION_MAX_SECONDS = 8 * 60 * 60
    PERMANENT_SESSION_LIFETIME = SESSION_MAX_SECONDS

    # Per token or user; a worker makes a few documents an hour, an integration maybe a batch.
    RATELIMIT_DEFAULT = "300 per minute"
    RATELIMIT_STORAGE_URI = "memory://"
    RATELIMIT_HEADERS_ENABLED = True
    # Per typed account name, and per address: argon2 makes each guess slow, these make them few.
    SIGN_IN_RATE_LIMIT = "5 per minute; 30 per hour"
    SIGN_IN_ADDRESS_RATE_LIMIT = "20 per minute"

    # SSO: off unless PROXY_USER_HEADER is set. Then a request from one of the trusted proxy
    # addresses is signed in as the user (and role) those headers name. See the README.
    PROXY_USER_HEADER = None
    PROXY_ROLE_HEADER = "X-Remote-Role"
    PROXY_TRUSTED_ADDRESSES: list[str] = []
    PROXY_FIX = 0  # number of proxies whose X-Forwarded-For/-Proto/-Host to trust


def create_app(test_config: dict | None = None) -> Flask:
    folder = Path((test_config or {}).get("INSTANCE_PATH") or instance_path())
    app = Flask(__name__, instance_path=str(folder), instance_relative_config=True)
    app.config.from_object(DefaultConfig)
    app.config.from_prefixed_env("LNP")
    if test_config:
        app.config.update(test_config)
    load_secrets(app.config, folder)
    check_secrets(app.config, folder)  # no secrets, no service: there are no defaults to fall back on
    app.json.ensure_ascii = False
    ensure_folder(folder)

    store = TemplateStore(app.config["TEMPLATES_DIR"]) if app.config["TEMPLATES_DIR"] else TemplateStore()
    # Every template is checked when the service starts: a broken one stops it here,
    # not in the middle of a social worker's request.
    problems = {k: v for k, v in store.load_all().items() if v}
    if problems:
        details = "; ".join(f"{k}: {p}" for k, ps in problems.items() for p in ps)
        raise RuntimeError(f"template check failed: {details}")
    app.extensions["lnp.templates"] = store
    app.extensions["lnp.audit"] = AuditLog(folder / AUDIT_FILE, app.config["AUDIT_KEY"])

    @app.before_request
    def _start():
        sent = request.headers.get("X-Request-Id", "")
        g.request_id = sent if REQUEST_ID_RE.fullmatch(sent) else uuid.uuid4().hex
        g.started = time.perf_counter()

    errors.init_app(app)
    auth.init_app(app, AccountStore(folder / ACCOUNTS_FILE))  # before security: the limiter needs g.identity
    security.init_app(app)
    app.register_blueprint(api.bp)
    app.register_blueprint(admin.bp)

    @app.get("/healthz")
    @auth.public
    def healthz():
        return jsonify(status="ok")

    @app.after_request
    def _finish(response):
        response.headers.setdefault("Cache-Control", "no-store")
        response.headers["X-Request-Id"] = g.get("request_id", "")
        identity = g.get("identity")
        # Technical facts only (spec §7.3-2): the route pattern, not the path a client sent; how the
        # caller was authenticated or why not, never a name, a token or a password.
        log.info(
            "request id=%s method=%s path=%s status=%s type=%s auth=%s ms=%.1f",
            g.get("request_id", "-"), request.method,
            request.url_rule.rule if request.url_rule else "-", response.status_code,
            g.get("doc_type", "-"), identity.kind if identity else f"none:{g.get('auth_failure', '-')}",
            (time.perf_counter() - g.get("started", time.perf_counter())) * 1000,
        )
        return response

    # Last: every endpoint registered above (and by any blueprint added before this line) must
    # have declared its role, or the service does not start.
    auth.check_routes(app)
    return app
