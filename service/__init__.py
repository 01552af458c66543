"""lnp-docs: the Word documents of läheisneuvonpito (Family Group Conference)."""

from __future__ import annotations

import logging
import os
import re
import time
import uuid
from pathlib import Path

from flask import Flask, g, jsonify, request

from schemas import i18n as schema_i18n
from service.config import CATALOGUE_DIR
from service.database.connection import DatabaseUnavailable, start_timing

schema_i18n.use_catalogues(CATALOGUE_DIR)  # before any message is translated, in the service or lnp

log = logging.getLogger("lnp")
REQUEST_ID_RE = re.compile(r"[A-Za-z0-9._-]{1,64}")


def create_app(test_config: dict | None = None) -> Flask:
    """The Flask application: the core (registry, template store, converter, audit log, accounts)
    wired to the web parts (the API, the pages, the gate, headers, errors and languages).

    The web parts are imported here, not at the top: importing the core (``service.pipeline``,
    ``service.rendering``...) must not load Flask or any view."""
    from service.access.accounts import AccountStore
    from service.access.audit import AuditLog
    from service.api import admin, cases, documents, openapi, templates
    from service.config import DefaultConfig
    from service.conversion.pool import ConverterPool
    from service.database.connection import Database, database_url
    from service.instance import check_secrets, ensure_folder, instance_path, load_secrets
    from service.pages import account, case_form, forms, template_pages
    from service.pipeline import check_all
    from service.registry import TEMPLATES_DIR
    from service.web import errors, gate, headers, i18n
    from service.wordtemplates.store import TemplateStore

    folder = Path((test_config or {}).get("INSTANCE_PATH") or instance_path())
    app = Flask(__name__, instance_path=str(folder), instance_relative_config=True,
                template_folder="pages/templates", static_folder="pages/static")
    app.config.from_object(DefaultConfig)
    app.config.from_prefixed_env("LNP")
    if test_config:
        app.config.update(test_config)
    load_secrets(app.config, folder)
    check_secrets(app.config, folder)  # no secrets, no service: there are no defaults to fall back on
    _warn_if_proxy_headers_can_be_forged(app.config)
    app.json.ensure_ascii = False  # type: ignore[attr-defined]  # DefaultJSONProvider has it
    ensure_folder(folder)

    # The state (accounts, sessions, tokens, template versions, the audit trail) is in the database:
    # SQLite in the instance folder unless LNP_DATABASE_URL names a shared one. SQLite's schema is
    # brought up to date here; a shared database's by `lnp db upgrade`, run once for every replica.
    database = Database(database_url(folder, app.config["DATABASE_URL"]))
    auto_upgrade = app.config["DATABASE_AUTO_UPGRADE"]
    database.ensure_schema(upgrade=database.sqlite if auto_upgrade is None else bool(auto_upgrade))
    app.extensions["lnp.database"] = database
    store = TemplateStore(database, builtin_dir=app.config["TEMPLATES_DIR"] or TEMPLATES_DIR)
    # Every active template (each type in fi, sv and en: twelve) is checked when the service
    # starts: a broken one stops it here, not in the middle of a social worker's request.
    problems = {k: v for k, v in check_all(store).items() if v}
    if problems:
        details = "; ".join(f"{k}: {p}" for k, ps in problems.items() for p in ps)
        raise RuntimeError(f"template check failed: {details}")
    app.extensions["lnp.templates"] = store
    # Created here but started only on first use or by gunicorn_conf.py after the fork.
    app.extensions["lnp.converter"] = ConverterPool.from_config(app.config)
    app.extensions["lnp.audit"] = AuditLog(database, app.config["AUDIT_KEY"], stdout=bool(app.config["AUDIT_STDOUT"]))

    @app.before_request
    def _start():
        sent = request.headers.get("X-Request-Id", "")
        g.request_id = sent if REQUEST_ID_RE.fullmatch(sent) else uuid.uuid4().hex
        g.started = time.perf_counter()
        g.database_time = start_timing()

    errors.init_app(app)
    gate.init_app(app, AccountStore(database))  # before headers: the limiter needs g.identity
    app.register_blueprint(account.bp)  # before headers: the sign-in page gets its own rate limits
    headers.init_app(app)
    i18n.init_app(app)  # message language of the API (Accept-Language) and the pages (switch)
    app.register_blueprint(documents.bp)
    app.register_blueprint(templates.bp)
    app.register_blueprint(cases.bp)
    app.register_blueprint(admin.bp)
    forms.init_app(app)  # the web forms; their POSTs are CSRF-checked by the gate
    app.register_blueprint(case_form.bp)
    app.register_blueprint(template_pages.bp)

    @app.get("/healthz")
    @gate.public
    @openapi.operation("Terveystarkistus", ok=("200", "json", "ok"), public=True)
    def healthz():
        """The process is up."""
        return jsonify(status="ok")

    @app.get("/readyz")
    @gate.public
    @openapi.operation("Valmiustarkistus", ok=("200", "json", "ok"), public=True,
                       description="Kuormantasaajalle: 200, kun tietokanta vastaa ja käytössä olevat asiakirjapohjat "
                                   "on ladattu; muuten 503 ja sama runko (status, checks). LibreOfficen tila "
                                   "kerrotaan, mutta se ei ratkaise (docx toimii ilman sitä).")
    def readyz():
        """Ready for traffic: the database answers and every active template is loaded. The
        converter's state is reported but does not decide (docx works without LibreOffice)."""
        checks = {"database": "ok", "templates": "ok", "converter": _converter_state(app)}
        try:
            database.ping()
        except DatabaseUnavailable:
            checks["database"] = "unavailable"
        if checks["database"] == "ok":
            try:
                failed = [key for key, found in check_all(store).items() if found]
            except DatabaseUnavailable:
                checks["database"], failed = "unavailable", []
            if failed:
                checks["templates"] = "failed: " + ", ".join(failed)
        ready = checks["database"] == "ok" and checks["templates"] == "ok"
        response = jsonify(status="ok" if ready else "unavailable", checks=checks)
        response.status_code = 200 if ready else 503
        if not ready:
            response.headers["Retry-After"] = "5"
        return response

    @app.after_request
    def _finish(response):
        response.headers.setdefault("Cache-Control", "no-store")
        response.headers["X-Request-Id"] = g.get("request_id", "")
        spent = g.get("database_time")
        if spent is not None:  # the time this request spent in the database, for the benchmark
            response.headers["Server-Timing"] = (f"db;dur={sum(spent) * 1000:.2f}, db-read;dur={spent[0] * 1000:.2f}, "
                                                 f"db-write;dur={spent[1] * 1000:.2f}")
        identity = g.get("identity")
        # Technical facts only (spec §7.3-2): the route pattern, not the path a client sent; how the
        # caller was authenticated or why not, never a name, a token or a password.
        log.info(
            "request id=%s method=%s path=%s status=%s type=%s auth=%s ms=%.1f db_ms=%.2f",
            g.get("request_id", "-"), request.method,
            request.url_rule.rule if request.url_rule else "-", response.status_code,
            g.get("doc_type", "-"), identity.kind if identity else f"none:{g.get('auth_failure', '-')}",
            (time.perf_counter() - g.get("started", time.perf_counter())) * 1000,
            sum(g.get("database_time") or [0.0]) * 1000,
        )
        return response

    # Last: every endpoint registered above (and by any blueprint added before this line) must
    # have declared its role, or the service does not start.
    gate.check_routes(app)
    # gunicorn forks its workers from here: no database connection may be open across the fork
    # (an SQLite connection closed in a child can corrupt the file; a PostgreSQL one would be
    # shared by two processes). Each process opens its own on first use.
    database.dispose()
    return app


def _converter_state(app: Flask) -> str:
    converter = app.extensions.get("lnp.converter")
    if converter is None:
        return "none"
    stats = converter.stats()
    if stats["live"]:
        return "ready"
    return "starting" if stats["starting"] else "unavailable"


def _warn_if_proxy_headers_can_be_forged(config) -> None:
    """LNP_PROXY_FIX trusts X-Forwarded-* headers: safe only when clients reach the app through
    the proxy alone, which a loopback bind guarantees and any other bind does not."""
    if not config.get("PROXY_FIX"):
        return
    bind = os.environ.get("LNP_BIND", "127.0.0.1:8000")
    host = bind.rsplit(":", 1)[0].strip("[]")
    if host not in ("127.0.0.1", "localhost", "::1") and not host.startswith("127.") and not bind.startswith("unix:"):
        log.warning("LNP_PROXY_FIX is set while the service listens on %s: a client that reaches it directly can "
                    "forge X-Forwarded-For (escaping the per-address sign-in limit) and X-Forwarded-Proto; bind to "
                    "loopback or make the proxy the only way in", bind)
