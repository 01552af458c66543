"""OpenAPI 3 and JSON Schema documents, generated from the marshmallow schemas by apispec."""

from __future__ import annotations

import copy
import json

from apispec import APISpec
from apispec.ext.marshmallow import MarshmallowPlugin

from . import formats
from .registry import DOCUMENT_TYPES, FAMILY

ERROR_SCHEMA = {
    "type": "object",
    "required": ["code", "status", "message"],
    "properties": {
        "code": {"type": "integer", "description": "HTTP-tilakoodi"},
        "status": {"type": "string"},
        "message": {"type": "string", "description": "Virheen kuvaus suomeksi"},
        "errors": {
            "type": "array",
            "items": {
                "type": "object",
                "required": ["path", "message"],
                "properties": {
                    "path": {"type": "string", "example": "children[0].birth_date"},
                    "label": {"type": "string", "example": "Syntymäaika"},
                    "message": {"type": "string", "example": "Pakollinen tieto puuttuu."},
                },
            },
        },
    },
}


def _schema_name(doc_type) -> str:
    return doc_type.schema.__name__.removesuffix("Schema")


def build_spec() -> APISpec:
    spec = APISpec(
        title="lnp-docs",
        version="1.0.0",
        openapi_version="3.0.3",
        plugins=[MarshmallowPlugin()],
        info={"description": "Läheisneuvonpidon asiakirjat (Word) JSON-tiedoista. "
                             "Family Group Conference documents from JSON case data."},
    )
    spec.components.schema("Error", ERROR_SCHEMA)
    errors = {
        str(code): {"description": text, "content": {"application/json": {"schema": {"$ref": "#/components/schemas/Error"}}}}
        for code, text in (
            (400, "Virheellinen JSON, tuntematon kappale tai tuntematon tiedostomuoto"),
            (406, "Accept-otsake ei salli yhtäkään tiedostomuotoa (docx, odt, pdf)"),
            (413, "Pyyntö on liian suuri"),
            (415, "Sisältö ei ole JSONia"),
            (422, "Tiedoissa on virheitä; errors listaa kentät"),
            (503, "ODT- tai PDF-muunnos ei ole juuri nyt käytettävissä (LibreOffice); katso Retry-After"),
        )
    }
    for doc_type in DOCUMENT_TYPES.values():
        name = _schema_name(doc_type)
        spec.components.schema(name, schema=doc_type.schema)
        spec.path(
            path=f"/api/v1/documents/{doc_type.id}",
            operations={
                "post": {
                    "summary": f"{doc_type.label} (.docx, .odt tai .pdf)",
                    "description": doc_type.description,
                    "operationId": f"render_{doc_type.id.replace('-', '_')}",
                    "parameters": [{
                        "name": "rendition", "in": "query", "required": False,
                        "schema": {"type": "string", "enum": list(doc_type.renditions), "default": FAMILY},
                        "description": "family = perheen ja työntekijöiden kappale; network = läheisille "
                                       "annettava kappale (vain jos perhe on hyväksynyt jakamisen).",
                    }, {
                        "name": "format", "in": "query", "required": False,
                        "schema": {"type": "string", "enum": list(formats.MIMETYPES), "default": formats.DOCX},
                        "description": "Tiedostomuoto; ohittaa Accept-otsakkeen. odt ja pdf tehdään LibreOfficella "
                                       "(pdf on PDF/A-2b).",
                    }],
                    "requestBody": {"required": True,
                                    "content": {"application/json": {"schema": {"$ref": f"#/components/schemas/{name}"}}}},
                    "responses": {
                        "200": {"description": "Asiakirja pyydetyssä muodossa",
                                "content": {mimetype: {"schema": {"type": "string", "format": "binary"}}
                                            for mimetype in formats.MIMETYPES.values()}},
                        **errors,
                    },
                }
            },
        )
    spec.path(path="/api/v1/document-types", operations={"get": {
        "summary": "Asiakirjatyypit", "responses": {"200": {"description": "Tyypit ja nimet"}}}})
    spec.path(path="/api/v1/document-types/{type_id}/schema", operations={"get": {
        "summary": "Asiakirjatyypin JSON Schema",
        "parameters": [{"name": "type_id", "in": "path", "required": True, "schema": {"type": "string"}}],
        "responses": {"200": {"description": "JSON Schema 2020-12"}}}})
    spec.path(path="/api/v1/document-types/{type_id}/example", operations={"get": {
        "summary": "Esimerkkitapaus (kuvitteellinen)",
        "parameters": [{"name": "type_id", "in": "path", "required": True, "schema": {"type": "string"}}],
        "responses": {"200": {"description": "Esimerkki-JSON"}}}})
    spec.path(path="/healthz", operations={"get": {"summary": "Terveystarkistus",
                                                  "responses": {"200": {"description": "ok"}}}})
    return spec


_OPENAPI: dict | None = None


def openapi_document() -> dict:
    global _OPENAPI
    if _OPENAPI is None:
        _OPENAPI = build_spec().to_dict()
    return copy.deepcopy(_OPENAPI)


def json_schema(type_id: str) -> dict:
    """A standalone JSON Schema (2020-12) for one document type, components as ``$defs``."""
    doc = openapi_document()
    components = doc["components"]["schemas"]
    root_name = _schema_name(DOCUMENT_TYPES[type_id])
    text = json.dumps(components).replace('"#/components/schemas/', '"#/$defs/')
    defs = json.loads(text)
    root = defs.pop(root_name)
    used = _reachable(root, defs)
    schema = {
        "$schema": "https://json-schema.org/draft/2020-12/schema",
        "$id": f"/api/v1/document-types/{type_id}/schema",
        "title": DOCUMENT_TYPES[type_id].label,
        **root,
        "$defs": {k: v for k, v in defs.items() if k in used},
    }
    return _examples_keyword(schema)


def _reachable(node, defs, seen=None) -> set[str]:
    seen = set() if seen is None else seen
    if isinstance(node, dict):
        ref = node.get("$ref")
        if isinstance(ref, str) and ref.startswith("#/$defs/"):
            name = ref.split("/")[-1]
            if name not in seen:
                seen.add(name)
                _reachable(defs[name], defs, seen)
        for value in node.values():
            _reachable(value, defs, seen)
    elif isinstance(node, list):
        for value in node:
            _reachable(value, defs, seen)
    return seen


def _examples_keyword(node):
    # OpenAPI 3.0's ``example`` is ``examples`` (a list) in JSON Schema 2020-12.
    if isinstance(node, dict):
        out = {k: _examples_keyword(v) for k, v in node.items() if k != "example"}
        if "example" in node and not isinstance(node["example"], dict):
            out["examples"] = [node["example"]]
        return out
    if isinstance(node, list):
        return [_examples_keyword(v) for v in node]
    return node
