"""The one JSON error shape on the wire, ``{code, status, message, errors}``, and the Flask
handlers that turn every error (a Problem, an HTTP error, anything unexpected) into it."""

from __future__ import annotations

import logging
from http import HTTPStatus

from flask import Flask, g, jsonify
from werkzeug.exceptions import HTTPException, MethodNotAllowed

from schemas.i18n import translate
from service.problems import GENERIC, MESSAGES, ApiError

log = logging.getLogger("lnp")


def error_response(status: int, message: str | None = None, errors: list[dict] | None = None,
                   headers: dict[str, str] | None = None):
    body = {
        "code": status,
        "status": HTTPStatus(status).phrase,
        "message": translate(message or MESSAGES.get(status, GENERIC)),
    }
    if errors:
        body["errors"] = [{"path": error.get("path", ""), "label": translate(error.get("label", "")),
                           "message": translate(error.get("message", ""))} for error in errors]
    response = jsonify(body)
    response.status_code = status
    response.headers["Cache-Control"] = "no-store"
    response.headers.extend(headers or {})
    if status == 401:
        response.headers["WWW-Authenticate"] = 'Bearer realm="lnp-docs"'
    return response


def init_app(app: Flask) -> None:
    @app.errorhandler(ApiError)
    def _api_error(exc: ApiError):
        if "Retry-After" in exc.headers:
            g.retry_after = exc.headers["Retry-After"]
        return error_response(exc.status, exc.message, exc.errors, exc.headers)

    @app.after_request
    def _own_retry_after(response):
        # Registered before the rate limiter, so it runs after it: the limiter would replace a
        # 503's Retry-After with the time its own window resets.
        if g.get("retry_after") is not None and response.status_code != 429:
            response.headers["Retry-After"] = g.retry_after
        return response

    @app.errorhandler(HTTPException)
    def _http_error(exc: HTTPException):
        response = error_response(exc.code or 500)
        if isinstance(exc, MethodNotAllowed) and exc.valid_methods:  # a 405 must say what is allowed (RFC 9110)
            response.headers["Allow"] = ", ".join(exc.valid_methods)
        return response

    @app.errorhandler(Exception)
    def _unexpected(exc: Exception):
        # Only the exception's type and where it happened: its message or locals may hold case data.
        tb = exc.__traceback__
        while tb is not None and tb.tb_next is not None:
            tb = tb.tb_next
        where = f"{tb.tb_frame.f_code.co_filename}:{tb.tb_lineno}" if tb else "?"
        log.error("unhandled %s at %s", type(exc).__name__, where)
        return error_response(500)
