"""From a request's JSON to .docx bytes: validate, apply the cross-field rules, render.

The one path used by the API, the CLI and (later) the forms. Everything stays in memory.
"""

from __future__ import annotations

import json
import threading
from dataclasses import dataclass
from pathlib import Path

from marshmallow import ValidationError

from . import audit
from .errors import ApiError, flatten
from .registry import CONTEXT_EXTRAS, DOCUMENT_TYPES, FAMILY, NETWORK, TEMPLATES_DIR, DocumentType
from .templating import LoadedTemplate, RenderFailed, TemplateInvalid, load_template, render

DOCX_MIMETYPE = "application/vnd.openxmlformats-officedocument.wordprocessingml.document"


@dataclass
class Document:
    content: bytes
    file_name: str
    template: LoadedTemplate


class DuplicateKey(ValueError):
    pass


def _no_duplicates(pairs):
    seen = {}
    for key, value in pairs:
        if key in seen:
            raise DuplicateKey(key)
        seen[key] = value
    return seen


def _no_constants(name):
    raise ValueError(name)


def parse_json(raw: bytes) -> object:
    """Strict JSON: UTF-8, no duplicate keys (one would silently win), no NaN/Infinity."""
    try:
        text = raw.decode("utf-8")
    except UnicodeDecodeError:
        raise ApiError(400, "Pyynnön sisältö ei ole UTF-8-koodattua JSONia.") from None
    try:
        return json.loads(text, object_pairs_hook=_no_duplicates, parse_constant=_no_constants)
    except DuplicateKey:
        raise ApiError(400, "JSON-objektissa on sama kenttä kahdesti.") from None
    except (ValueError, RecursionError):
        raise ApiError(400, "Pyynnön sisältö ei ole kelvollista JSONia.") from None


class TemplateStore:
    """The loaded, checked template of each document type (built-in version 0 for now)."""

    def __init__(self, directory: Path = TEMPLATES_DIR):
        self.directory = directory
        self._lock = threading.Lock()
        self._loaded: dict[str, LoadedTemplate] = {}

    def get(self, doc_type: DocumentType) -> LoadedTemplate:
        with self._lock:
            template = self._loaded.get(doc_type.id)
            if template is None:
                template = self.load(doc_type)
                self._loaded[doc_type.id] = template
            return template

    def load(self, doc_type: DocumentType) -> LoadedTemplate:
        data = (self.directory / doc_type.template).read_bytes()
        return load_template(doc_type.template, data, doc_type.fields, CONTEXT_EXTRAS)

    def load_all(self) -> dict[str, list]:
        """Load every registered template; return the problems per type (empty = all good)."""
        report = {}
        for doc_type in DOCUMENT_TYPES.values():
            try:
                self.get(doc_type)
                report[doc_type.id] = []
            except TemplateInvalid as exc:
                report[doc_type.id] = exc.problems
        return report


_schemas = threading.local()


def _schema(doc_type: DocumentType):
    """One schema instance per type and thread: building the nested schemas costs more than
    validating a case."""
    cache = _schemas.__dict__.setdefault("by_type", {})
    schema = cache.get(doc_type.id)
    if schema is None:
        schema = cache[doc_type.id] = doc_type.schema()
    return schema


def get_type(type_id: str) -> DocumentType:
    try:
        return DOCUMENT_TYPES[type_id]
    except KeyError:
        raise ApiError(404, "Tuntematon asiakirjatyyppi. Katso sallitut tyypit: /api/v1/document-types.") from None


def validate(doc_type: DocumentType, payload: object, rendition: str = FAMILY) -> dict:
    if rendition not in doc_type.renditions:
        allowed = ", ".join(doc_type.renditions)
        raise ApiError(400, f"Tuntematon kappale (rendition). Sallitut arvot tälle asiakirjalle: {allowed}.")
    if not isinstance(payload, dict):
        raise ApiError(422, errors=[{"path": "", "label": "", "message": "Odotettiin JSON-objektia."}])
    try:
        data = _schema(doc_type).load(payload)
    except ValidationError as exc:
        raise ApiError(422, errors=flatten(exc.messages, doc_type.fields)) from None
    if rendition == NETWORK and not data["sharing"]["approved_for_network"]:
        raise ApiError(422, errors=[{
            "path": "sharing.approved_for_network",
            "label": doc_type.fields.children["sharing"].children["approved_for_network"].label,
            "message": "Perhe ei ole hyväksynyt tietoja jaettavaksi läheisille, joten läheisille "
                       "annettavaa kappaletta ei voi tehdä.",
        }])
    return data


def produce(store: TemplateStore, doc_type: DocumentType, payload: object, rendition: str = FAMILY) -> Document:
    """Validate and render; every outcome is written to the audit log of whoever is acting
    (audit.current: the request's identity, or the ``lnp`` command's user) before it returns."""
    template = store.get(doc_type)
    case_ref = payload.get("case_ref") if isinstance(payload, dict) else None
    try:
        data = validate(doc_type, payload, rendition)
        try:
            content = render(template, doc_type.context(data, rendition))
        except RenderFailed:
            raise ApiError(500, "Asiakirjapohjaa ei voitu täyttää. Asiakirjapohjassa on virhe; ota yhteys "
                                "koollekutsujaan tai ylläpitoon.") from None
    except ApiError as exc:
        audit.document(doc_type.id, rendition, "refused" if exc.status < 500 else "failed", exc.status,
                       case_ref, template)
        raise
    audit.document(doc_type.id, rendition, "ok", 200, case_ref, template)
    return Document(content, doc_type.file_name(data["case_ref"], rendition), template)
