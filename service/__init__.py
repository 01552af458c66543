"""lnp-docs: the Word documents of läheisneuvonpito (Family Group Conference)."""

from __future__ import annotations

import logging
import re
from pathlib import Path
import time
import uuid

from flask import Flask, g, jsonify, request

from . import api, errors, forms, template_pages, templates_api
from .config import DefaultConfig, instance_dir
from .converter import ConverterPool
from .documents import check_all
from .registry import TEMPLATES_DIR
from .template_store import TemplateStore

log = logging.getLogger("lnp")
REQUEST_ID_RE = re.compile(r"[A-Za-z0-9._-]{1,64}")


def create_app(test_config: dict | None = None) -> Flask:
    test_config = test_config or {}
    app = Flask(__name__, instance_path=str(test_config.get("INSTANCE_PATH") or instance_dir()))
    app.config.from_object(DefaultConfig)
    app.config.update(test_config)
    app.json.ensure_ascii = False

    store = TemplateStore(Path(app.instance_path) / "templates", builtin_dir=app.config["TEMPLATES_DIR"] or TEMPLATES_DIR)
    # Every active template is checked when the service starts: a broken one stops it here,
    # not in the middle of a social worker's request.
    problems = {k: v for k, v in check_all(store).items() if v}
    if problems:
        details = "; ".join(f"{k}: {p}" for k, ps in problems.items() for p in ps)
        raise RuntimeError(f"template check failed: {details}")
    app.extensions["lnp.templates"] = store
    # Created here but started only on first use or by gunicorn_conf.py after the fork.
    app.extensions["lnp.converter"] = ConverterPool.from_config(app.config)

    errors.init_app(app)
    app.register_blueprint(api.bp)
    app.register_blueprint(templates_api.bp)
    forms.init_app(app)  # the web forms, with CSRF protection for every form POST
    app.register_blueprint(template_pages.bp)

    @app.get("/healthz")
    def healthz():
        return jsonify(status="ok")

    @app.before_request
    def _start():
        sent = request.headers.get("X-Request-Id", "")
        g.request_id = sent if REQUEST_ID_RE.fullmatch(sent) else uuid.uuid4().hex
        g.started = time.perf_counter()

    @app.after_request
    def _finish(response):
        response.headers.setdefault("Cache-Control", "no-store")
        response.headers["X-Content-Type-Options"] = "nosniff"
        response.headers["X-Request-Id"] = g.get("request_id", "")
        # Technical facts only (spec §7.3-2): the route pattern, not the path a client sent.
        log.info(
            "request id=%s method=%s path=%s status=%s type=%s ms=%.1f",
            g.get("request_id", "-"), request.method,
            request.url_rule.rule if request.url_rule else "-", response.status_code,
            g.get("doc_type", "-"), (time.perf_counter() - g.get("started", time.perf_counter())) * 1000,
        )
        return response

    return app
