"""lnp-docs: the Word documents of läheisneuvonpito (Family Group Conference)."""

from __future__ import annotations

import logging
import re
import time
import uuid
from pathlib import Path

from flask import Flask, g, jsonify, request

from schemas import i18n as schema_i18n
from service.config import CATALOGUE_DIR

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
    from service.instance import ACCOUNTS_FILE, AUDIT_FILE, check_secrets, ensure_folder, instance_path, load_secrets
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
    app.json.ensure_ascii = False
    ensure_folder(folder)

    store = TemplateStore(Path(app.instance_path) / "templates", builtin_dir=app.config["TEMPLATES_DIR"] or TEMPLATES_DIR)
    # Every active template (each type in fi, sv and en: twelve) is checked when the service
    # starts: a broken one stops it here, not in the middle of a social worker's request.
    problems = {k: v for k, v in check_all(store).items() if v}
    if problems:
        details = "; ".join(f"{k}: {p}" for k, ps in problems.items() for p in ps)
        raise RuntimeError(f"template check failed: {details}")
    app.extensions["lnp.templates"] = store
    # Created here but started only on first use or by gunicorn_conf.py after the fork.
    app.extensions["lnp.converter"] = ConverterPool.from_config(app.config)
    app.extensions["lnp.audit"] = AuditLog(folder / AUDIT_FILE, app.config["AUDIT_KEY"])

    @app.before_request
    def _start():
        sent = request.headers.get("X-Request-Id", "")
        g.request_id = sent if REQUEST_ID_RE.fullmatch(sent) else uuid.uuid4().hex
        g.started = time.perf_counter()

    errors.init_app(app)
    gate.init_app(app, AccountStore(folder / ACCOUNTS_FILE))  # before headers: the limiter needs g.identity
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
    gate.check_routes(app)
    return app
