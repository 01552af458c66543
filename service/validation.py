"""A request's JSON as validated case data: strict JSON parsing, the document type, the
requested template language and the schema's rules with the cross-field rules, every problem
as one 422 naming the fields."""

from __future__ import annotations

import json
import re
import threading

from marshmallow import ValidationError

from schemas.i18n import DEFAULT, Msg, UnknownLanguage, gettext, known_language
from service.problems import ApiError, flatten
from service.registry import DOCUMENT_TYPES, FAMILY, NETWORK, DocumentType


class DuplicateKey(ValueError):
    pass


class LoneSurrogate(ValueError):
    pass


_SURROGATE = re.compile("[\ud800-\udfff]")


def _no_duplicates(pairs):
    seen = {}
    for key, value in pairs:
        if key in seen:
            raise DuplicateKey(key)
        if _SURROGATE.search(key):
            # "\ud800" is valid JSON but no text: a field name that cannot even be written back
            # in an error message is refused here (a value is refused by its field's own rule).
            raise LoneSurrogate()
        seen[key] = value
    return seen


def _no_constants(name):
    raise ValueError(name)


def parse_json(raw: bytes) -> object:
    """Strict JSON: UTF-8, no duplicate keys (one would silently win), no NaN/Infinity."""
    try:
        text = raw.decode("utf-8")
    except UnicodeDecodeError:
        raise ApiError(400, Msg("Pyynnön sisältö ei ole UTF-8-koodattua JSONia.")) from None
    try:
        return json.loads(text, object_pairs_hook=_no_duplicates, parse_constant=_no_constants)
    except DuplicateKey:
        raise ApiError(400, Msg("JSON-objektissa on sama kenttä kahdesti.")) from None
    except LoneSurrogate:
        raise ApiError(400, Msg("JSON-objektin kentän nimessä on merkki, joka ei ole tekstiä (yksinäinen "
                                "UTF-16-puolisko).")) from None
    except (ValueError, RecursionError):
        raise ApiError(400, Msg("Pyynnön sisältö ei ole kelvollista JSONia.")) from None


_schemas = threading.local()


def schema_for(doc_type: DocumentType):
    """One schema instance per type and thread: building the nested schemas costs more than
    validating a case."""
    cache = _schemas.__dict__.setdefault("by_type", {})
    schema = cache.get(doc_type.id)
    if schema is None:
        schema = cache[doc_type.id] = doc_type.schema()
    return schema


def requested_language(language: str | None) -> str:
    """A template and example language asked for in a request (``?language=``): fi when absent,
    a 400 for anything but fi, sv or en."""
    if language is None:
        return DEFAULT
    try:
        return known_language(language)
    except UnknownLanguage as exc:
        raise ApiError(400, exc.message) from None


def get_type(type_id: str) -> DocumentType:
    try:
        return DOCUMENT_TYPES[type_id]
    except KeyError:
        raise ApiError(404, Msg("Tuntematon asiakirjatyyppi. Katso sallitut tyypit: /api/v1/document-types.")) from None


def validate(doc_type: DocumentType, payload: object, rendition: str = FAMILY) -> dict:
    if rendition not in doc_type.renditions:
        allowed = ", ".join(doc_type.renditions)
        raise ApiError(400, Msg("Tuntematon kappale (rendition). Sallitut arvot tälle asiakirjalle: {allowed}.")
                       .format(allowed=allowed))
    if not isinstance(payload, dict):
        raise ApiError(422, errors=[{"path": "", "label": "", "message": Msg("Odotettiin JSON-objektia.")}])
    errors: list[dict] = []
    try:
        data = schema_for(doc_type).load(payload)
    except ValidationError as exc:
        errors = flatten(exc.messages, doc_type.fields)
        data = exc.valid_data if isinstance(exc.valid_data, dict) else {}
    # The relatives' copy is refused with every other problem of the case, not after them.
    sharing = data.get("sharing") if isinstance(data.get("sharing"), dict) else {}
    if rendition == NETWORK and sharing.get("approved_for_network") is False:
        errors.append({
            "path": "sharing.approved_for_network",
            "label": gettext(doc_type.fields.children["sharing"].children["approved_for_network"].label),
            "message": Msg("Perhe ei ole hyväksynyt tietoja jaettavaksi läheisille, joten läheisille "
                           "annettavaa kappaletta ei voi tehdä."),
        })
    if errors:
        raise ApiError(422, errors=errors)
    return data
