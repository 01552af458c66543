"""One JSON error shape for every error: ``{code, status, message, errors}``.

Messages are in the caller's language (``Accept-Language``: fi, sv or en; see service/i18n.py).
They name the field and the reason, never the value that was sent. Messages are written in
Finnish as ``Msg`` and translated when the response is made.
"""

from __future__ import annotations

import logging

from schemas.i18n import Msg, gettext, msgid, translate
from service.fieldtree import Node

log = logging.getLogger("lnp")

MESSAGES = {
    400: Msg("Pyyntö on virheellinen."),
    401: Msg("Tunnistautuminen puuttuu tai ei kelpaa. Kirjaudu sisään tai käytä voimassa olevaa API-tunnistetta."),
    403: Msg("Sinulla ei ole oikeutta tähän toimintoon."),
    404: Msg("Resurssia ei löydy."),
    405: Msg("Menetelmä ei ole sallittu tälle osoitteelle."),
    406: Msg("Pyydettyä vastausmuotoa ei voida tuottaa."),
    413: Msg("Pyyntö on liian suuri."),
    415: Msg("Pyynnön sisällön on oltava JSON (Content-Type: application/json)."),
    422: Msg("Tiedoissa on virheitä. Korjaa alla luetellut kentät."),
    429: Msg("Liian monta pyyntöä. Odota hetki ja yritä uudelleen (katso Retry-After)."),
    500: Msg("Palvelussa tapahtui virhe. Yritä uudelleen; jos virhe toistuu, ota yhteys ylläpitoon."),
    503: Msg("Palvelu ei ole juuri nyt käytettävissä. Yritä hetken kuluttua uudelleen."),
}


GENERIC = Msg("Virhe.")


class ApiError(Exception):
    """An error with an HTTP status and a message (a ``Msg``, translated when the response is made);
    ``errors`` lists field problems."""

    def __init__(self, status: int, message: str | None = None, errors: list[dict] | None = None,
                 headers: dict[str, str] | None = None):
        super().__init__(status)
        self.status = status
        self.message = message or MESSAGES.get(status, GENERIC)
        self.errors = errors or []
        self.headers = headers or {}  # e.g. Retry-After with a 503


def flatten(messages, root: Node | None = None, path: str = "", node: Node | None = None) -> list[dict]:
    """Turn marshmallow's nested messages into ``[{path, label, message, msgid}]`` with paths like
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
                out.append(_entry(path, node, message))
        else:
            for item in messages:
                out += flatten(item, root, path, node)
    else:
        out.append(_entry(path, node, messages))
    return out


def _entry(path: str, node: Node | None, message) -> dict:
    """One field problem in the current message language; ``msgid`` keeps the Finnish message id
    for the forms (which word some messages for people) and is never sent by the API."""
    return {"path": path, "label": _label(node), "message": translate(message), "msgid": msgid(message)}


def _label(node: Node | None) -> str:
    """The field's label in the current message language."""
    return gettext(node.label) if node is not None and node.label else ""


