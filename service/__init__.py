"""lnp-docs: the Word documents of läheisneuvonpito (Family Group Conference)."""

from __future__ import annotations

import logging
import re
import time
import uuid

from flask import Flask, g, jsonify, request

from . import api, errors
from .converter import ConverterPool
from .documents import TemplateStore

log = logging.getLogger("lnp")
REQUEST_ID_RE = re.compile(r"[A-Za-z0-9._-]{1,64}")


class DefaultConfig:
    # A case JSON is a few kilobytes; the schemas' own length caps keep a valid one far below this.
    MAX_CONTENT_LENGTH = 512 * 1024
    JSON_AS_ASCII = False
    TEMPLATES_DIR = None  # None = the built-in templates_docx/

    # LibreOffice converter for odt and pdf (service/converter.py); docx never waits for it.
    # Workers per server process. None: one per core, shared out among gunicorn's worker
    # processes (LNP_WORKERS), since a sync worker converts one document at a time.
    CONVERTER_POOL_SIZE = None
    # Our documents convert in well under a second; 15 s means LibreOffice is stuck. It is
    # killed and restarted and the request answers 503, well inside gunicorn's 30 s timeout.
    CONVERTER_TIMEOUT = 15
    # How long a request waits for a free worker (e.g. while one restarts, 2-5 s) before a
    # 503; with CONVERTER_TIMEOUT it stays under gunicorn's 30 s worker timeout.
    CONVERTER_WAIT_TIMEOUT = 10
    # A cold start with a fresh profile takes 2-5 s here; a busy CI machine needs far more.
    CONVERTER_START_TIMEOUT = 60
    # LibreOffice grows and keeps caches of what it has loaded: a fresh worker after this
    # many conversions bounds both memory and how long anything of a case stays in a process.
    CONVERTER_MAX_CONVERSIONS = 200
    # Seconds in the 503's Retry-After, and the pause before starting LibreOffice again after
    # a failed start (so a machine without it does not try on every request).
    CONVERTER_RETRY_AFTER = 10
    CONVERTER_SOFFICE = None  # None: soffice on PATH
    CONVERTER_PYTHON = None  # None: the first Python that can `import uno` (Debian: python3-uno)


def create_app(test_config: dict | None = None) -> Flask:
    app = Flask(__name__, instance_relative_config=True)
    app.config.from_object(DefaultConfig)
    if test_config:
        app.config.update(test_config)
    app.json.ensure_ascii = False

    store = TemplateStore(app.config["TEMPLATES_DIR"]) if app.config["TEMPLATES_DIR"] else TemplateStore()
    # Every template is checked when the service starts: a broken one stops it here,
    # not in the middle of a social worker's request.
    problems = {k: v for k, v in store.load_all().items() if v}
    if problems:
        details = "; ".join(f"{k}: {p}" for k, ps in problems.items() for p in ps)
        raise RuntimeError(f"template check failed: {details}")
    app.extensions["lnp.templates"] = store
    # Created here but started only on first use or by gunicorn_conf.py after the fork.
    app.extensions["lnp.converter"] = ConverterPool.from_config(app.config)

    errors.init_app(app)
    app.register_blueprint(api.bp)

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
