"""OpenAPI 3 and JSON Schema documents, generated from the marshmallow schemas by apispec."""

from __future__ import annotations

import copy
import json

from apispec import APISpec
from apispec.ext.marshmallow import MarshmallowPlugin

from schemas.i18n import DEFAULT, LANGUAGES
from service import formats
from service.registry import DOCUMENT_TYPES, FAMILY

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


TOKEN_SCHEMA = {
    "type": "object",
    "required": ["id", "name", "role", "created", "expires", "revoked"],
    "properties": {
        "id": {"type": "string", "pattern": "^[0-9a-f]{12}$"},
        "name": {"type": "string"},
        "role": {"type": "string", "enum": ["worker", "convener", "admin"]},
        "created": {"type": "string", "format": "date-time"},
        "expires": {"type": "string", "format": "date-time"},
        "revoked": {"type": "string", "format": "date-time", "nullable": True},
    },
}
NEW_TOKEN_SCHEMA = {
    "type": "object",
    "required": ["name", "role"],
    "additionalProperties": False,
    "properties": {
        "name": {"type": "string", "pattern": "^[A-Za-z0-9][A-Za-z0-9 ._-]{0,63}$"},
        "role": {"type": "string", "enum": ["worker", "convener", "admin"]},
        "days": {"type": "integer", "minimum": 1, "maximum": 366, "default": 90},
    },
}
CREATED_TOKEN_SCHEMA = {"allOf": [{"$ref": "#/components/schemas/Token"},
                                  {"type": "object", "required": ["token"], "properties": {"token": {"type": "string"}}}]}


def _schema_name(doc_type) -> str:
    return doc_type.schema.__name__.removesuffix("Schema")


# The language of the messages (the document's own language is the payload's ``language``).
ACCEPT_LANGUAGE = {
    "name": "Accept-Language", "in": "header", "required": False, "schema": {"type": "string"},
    "description": "Virheilmoitusten kieli: fi (oletus), sv tai en, esim. \"sv-FI,sv;q=0.9\". Vastauksen "
                   "Content-Language kertoo valitun kielen. Asiakirjan oma kieli on tietojen kenttä language.",
}


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
    spec.components.schema("Token", TOKEN_SCHEMA)
    spec.components.security_scheme("bearerAuth", {
        "type": "http", "scheme": "bearer",
        "description": "API-tunniste: `lnp tokens create --name NIMI --role worker|convener|admin`. "
                       "Selaimen käyttäjät kirjautuvat osoitteessa /auth/sign-in (istuntoeväste)."})
    spec.options["security"] = [{"bearerAuth": []}]

    def error(text: str, **extra) -> dict:
        return {"description": text, "content": {"application/json": {"schema": {"$ref": "#/components/schemas/Error"}}},
                **extra}

    # Every authenticated operation can answer these three.
    guarded = {
        "401": error("Tunniste puuttuu, on väärä, vanhentunut tai mitätöity",
                     headers={"WWW-Authenticate": {"schema": {"type": "string"}}}),
        "403": error("Roolilla ei ole oikeutta tähän"),
        "429": error("Liian monta pyyntöä", headers={"Retry-After": {"schema": {"type": "integer"},
                                                                     "description": "sekuntia"}}),
    }
    errors = {
        "400": error("Virheellinen JSON, tuntematon kappale tai tuntematon tiedostomuoto"),
        "413": error("Pyyntö on liian suuri"),
        "415": error("Sisältö ei ole JSONia"),
        "422": error("Tiedoissa on virheitä; errors listaa kentät"),
        **guarded,
    }
    conversion = {
        "406": error("Accept-otsake ei salli yhtäkään tiedostomuotoa (docx, odt, pdf)"),
        "503": error("ODT- tai PDF-muunnos ei ole juuri nyt käytettävissä (LibreOffice); katso Retry-After",
                     headers={"Retry-After": {"schema": {"type": "integer"}, "description": "sekuntia"}}),
    }
    not_found = {"404": error("Tuntematon asiakirjatyyppi tai tunniste")}
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
                    }, ACCEPT_LANGUAGE],
                    "requestBody": {"required": True,
                                    "content": {"application/json": {"schema": {"$ref": f"#/components/schemas/{name}"}}}},
                    "responses": {
                        "200": {"description": "Asiakirja pyydetyssä muodossa",
                                "content": {mimetype: {"schema": {"type": "string", "format": "binary"}}
                                            for mimetype in formats.MIMETYPES.values()}},
                        **errors,
                        **conversion,
                        **not_found,
                    },
                }
            },
        )
    spec.path(path="/api/v1/document-types", operations={"get": {
        "summary": "Asiakirjatyypit", "responses": {"200": {"description": "Tyypit ja nimet"}, **guarded}}})
    spec.path(path="/api/v1/document-types/{type_id}/schema", operations={"get": {
        "summary": "Asiakirjatyypin JSON Schema",
        "parameters": [{"name": "type_id", "in": "path", "required": True, "schema": {"type": "string"}}],
        "responses": {"200": {"description": "JSON Schema 2020-12"}, **not_found, **guarded}}})
    spec.path(path="/api/v1/document-types/{type_id}/example", operations={"get": {
        "summary": "Esimerkkitapaus (kuvitteellinen) asiakirjan kielellä",
        "parameters": [{"name": "type_id", "in": "path", "required": True, "schema": {"type": "string"}},
                       {"name": "language", "in": "query", "required": False,
                        "schema": {"type": "string", "enum": list(LANGUAGES), "default": DEFAULT},
                        "description": "Esimerkin kieli: fi, sv tai en."}],
        "responses": {"200": {"description": "Esimerkki-JSON"}, "400": error("Tuntematon kieli"), **not_found,
                      **guarded}}})
    spec.path(path="/api/v1/openapi.json", operations={"get": {
        "summary": "Tämä OpenAPI-kuvaus", "responses": {"200": {"description": "OpenAPI 3"}, **guarded}}})
    token_list = {"type": "array", "items": {"$ref": "#/components/schemas/Token"}}
    spec.path(path="/api/v1/tokens", operations={
        "get": {"summary": "API-tunnisteet (ylläpitäjä)",
                "responses": {"200": {"description": "Tunnisteet ilman arvoja",
                                      "content": {"application/json": {"schema": token_list}}}, **guarded}},
        "post": {"summary": "Luo API-tunniste (ylläpitäjä); arvo näytetään vain tässä vastauksessa",
                 "requestBody": {"required": True, "content": {"application/json": {"schema": NEW_TOKEN_SCHEMA}}},
                 "responses": {"201": {"description": "Tunniste ja sen arvo (token)",
                                       "content": {"application/json": {"schema": CREATED_TOKEN_SCHEMA}}},
                               **{k: v for k, v in errors.items() if k != "413"}}},
    })
    spec.path(path="/api/v1/tokens/{token_id}", operations={"delete": {
        "summary": "Mitätöi API-tunniste (ylläpitäjä)",
        "parameters": [{"name": "token_id", "in": "path", "required": True, "schema": {"type": "string"}}],
        "responses": {"200": {"description": "Mitätöity tunniste",
                              "content": {"application/json": {"schema": {"$ref": "#/components/schemas/Token"}}}},
                      **not_found, **guarded}}})
    spec.path(path="/healthz", operations={"get": {"summary": "Terveystarkistus", "security": [],
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
