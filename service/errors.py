"""One JSON error shape for every error: ``{code, status, message, errors}``.

Messages are Finnish. They name the field and the reason, never the value that was sent.
"""

from __future__ import annotations

import logging

from flask import Flask, g, jsonify
from werkzeug.exceptions import HTTPException

from .fieldtree import Node

log = logging.getLogger("lnp")

MESSAGES = {
    400: "Pyyntö on virheellinen.",
    401: "Tunnistautuminen puuttuu tai ei kelpaa. Kirjaudu sisään tai käytä voimassa olevaa API-tunnistetta.",
    403: "Sinulla ei ole oikeutta tähän toimintoon.",
    404: "Resurssia ei löydy.",
    405: "Menetelmä ei ole sallittu tälle osoitteelle.",
    406: "Pyydettyä vastausmuotoa ei voida tuottaa.",
    413: "Pyyntö on liian suuri.",
    415: "Pyynnön sisällön on oltava JSON (Content-Type: application/json).",
    422: "Tiedoissa on virheitä. Korjaa alla luetellut kentät.",
    429: "Liian monta pyyntöä. Odota hetki ja yritä uudelleen (katso Retry-After).",
    500: "Palvelussa tapahtui virhe. Yritä uudelleen; jos virhe toistuu, ota yhteys ylläpitoon.",
    503: "Palvelu ei ole juuri nyt käytettävissä. Yritä hetken kuluttua uudelleen.",
}


class ApiError(Exception):
    """An error with an HTTP status and a Finnish message; ``errors`` lists field problems."""

    def __init__(self, status: int, message: str | None = None, errors: list[dict] | None = None,
                 headers: dict[str, str] | None = None):
        super().__init__(status)
        self.status = status
        self.message = message or MESSAGES.get(status, "Virhe.")
        self.errors = errors or []
        self.headers = headers or {}  # e.g. Retry-After with a 503


def error_response(status: int, message: str | None = None, errors: list[dict] | None = None,
                   headers: dict[str, str] | None = None):
    from http import HTTPStatus

    body = {
        "code": status,
        "status": HTTPStatus(status).phrase,
        "message": message or MESSAGES.get(status, "Virhe."),
    }
    if errors:
        body["errors"] = errors
    response = jsonify(body)
    response.status_code = status
    response.headers["Cache-Control"] = "no-store"
    response.headers.extend(headers or {})
    if status == 401:
        response.headers["WWW-Authenticate"] = 'Bearer realm="lnp-docs"'
    return response


def flatten(messages, root: Node | None = None, path: str = "", node: Node | None = None) -> list[dict]:
    """Turn marshmallow's nested messages into ``[{path, label, message}]`` with paths like
    ``children[0].birth_date``; schema-level messages belong to the enclosing object."""
    node = node if node is not None else root
    out: list[dict] = []
    if isinstance(messages, dict):
        for key, value in messages.items():
            if key == "_schema":
                out += flatten(value, root, path, node)
                continue
            if isinstance(key, int):
                child_path = f"{path}[{key}]"
                child = node.item if node is not None and node.kind == "list" else None
            else:
                child_path = f"{path}.{key}" if path else str(key)
                child = node.children.get(key) if node is not None and node.kind == "object" else None
            out += flatten(value, root, child_path, child)
    elif isinstance(messages, list):
        if all(isinstance(m, str) for m in messages):
            for message in messages:
                out.append({"path": path, "label": _label(node), "message": message})
        else:
            for item in messages:
                out += flatten(item, root, path, node)
    else:
        out.append({"path": path, "label": _label(node), "message": str(messages)})
    return out


def _label(node: Node | None) -> str:
    return node.label if node is not None else ""


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
        if getattr(exc, "valid_methods", None):  # a 405 must say what is allowed (RFC 9110)
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
