"""OpenAPI 3 and JSON Schema documents: the operations declared on the views themselves
(``@operation``), read with Flask's url_map, and the request bodies generated from the marshmallow
schemas by apispec."""

from __future__ import annotations

import copy
import functools
import json
import re
from collections.abc import Callable

from apispec import APISpec
from apispec.ext.marshmallow import MarshmallowPlugin
from flask import Blueprint, current_app, request

from schemas.i18n import DEFAULT, LANGUAGES, Msg
from service import formats
from service.cases.compose import case_schema
from service.problems import ApiError
from service.registry import DOCUMENT_TYPES, FAMILY, DocumentType

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


# --- the operations, declared on the views --------------------------------------------------------

def operation(summary: str, *, description: str | None = None, params: tuple[str, ...] = (), body: str | None = None,
              ok: tuple[str, str, str] = ("200", "json", "OK"), errors: tuple[str, ...] = (), per_type: bool = False,
              public: bool = False):
    """Document a view where it is defined; the OpenAPI document is built from these and Flask's
    url_map, so a route without one is missing from it (and tests/test_openapi.py says so).

    params: names from PARAMETERS; body: "type" (the document type's schema), "case", "json:<name>"
    (a component), "template" (a .docx or .odt file); ok: (status, content, description) with
    content "json", "document", "docx", "zip-or-document" or "none"; errors: status codes from
    ERRORS; per_type: one path per document type, for ``<type_id>`` in the route."""

    def mark(view):
        view.lnp_openapi = {"summary": summary, "description": description, "params": params, "body": body, "ok": ok,
                            "errors": errors, "per_type": per_type, "public": public}
        return view

    return mark


def _error(text: str, **extra) -> dict:
    return {"description": text, "content": {"application/json": {"schema": {"$ref": "#/components/schemas/Error"}}},
            **extra}


RETRY_AFTER = {"Retry-After": {"schema": {"type": "integer"}, "description": "sekuntia"}}
ERRORS = {
    "400": _error("Virheellinen pyyntö: JSON, kappale, kieli, tiedostomuoto tai parametri"),
    "404": _error("Tuntematon asiakirjatyyppi, versio tai tunniste"),
    "406": _error("Accept-otsake ei salli yhtäkään tiedostomuotoa (docx, odt, pdf)"),
    "409": _error("Toiminto ei ole mahdollinen nykyisessä tilassa (esim. ei aiempaa versiota)"),
    "413": _error("Pyyntö on liian suuri"),
    "415": _error("Sisällön tyyppi on väärä"),
    "422": _error("Tiedoissa on virheitä; errors listaa kentät"),
    "503": _error("Ei juuri nyt käytettävissä: tietokanta tai ODT- ja PDF-muunnos (LibreOffice); katso Retry-After",
                  headers=RETRY_AFTER),
}
# Every authenticated operation can answer these four (503: the database cannot be reached).
GUARDED = {
    "401": _error("Tunniste puuttuu, on väärä, vanhentunut tai mitätöity",
                  headers={"WWW-Authenticate": {"schema": {"type": "string"}}}),
    "403": _error("Roolilla ei ole oikeutta tähän"),
    "429": _error("Liian monta pyyntöä", headers=RETRY_AFTER),
    "503": ERRORS["503"],
}
PARAMETERS: dict[str, dict | Callable[[DocumentType], dict]] = {
    "rendition": lambda doc_type: {
        "name": "rendition", "in": "query", "required": False,
        "schema": {"type": "string", "enum": list(doc_type.renditions), "default": FAMILY},
        "description": "family = perheen ja työntekijöiden kappale; network = läheisille annettava kappale (vain "
                       "jos perhe on hyväksynyt jakamisen)."},
    "format": {"name": "format", "in": "query", "required": False,
               "schema": {"type": "string", "enum": list(formats.MIMETYPES), "default": formats.DOCX},
               "description": "Tiedostomuoto; ohittaa Accept-otsakkeen. odt ja pdf tehdään LibreOfficella "
                              "(pdf on PDF/A-2b)."},
    "language": {"name": "language", "in": "query", "required": False,
                 "schema": {"type": "string", "enum": list(LANGUAGES), "default": DEFAULT},
                 "description": "Asiakirjapohjan tai esimerkin kieli: fi, sv tai en."},
    "types": {"name": "types", "in": "query", "required": False, "schema": {"type": "string"},
              "description": "Asiakirjat pilkuin eroteltuina, esim. summary,questions,summary:network; "
                             "puuttuessa kaikki valmiit."},
    "bundle": {"name": "bundle", "in": "query", "required": False,
               "schema": {"type": "string", "enum": ["zip", "single"]},
               "description": "zip = asiakirjat zip-tiedostona; single = yksi PDF (format=pdf)."},
    "letters": {"name": "bundle", "in": "query", "required": False,
                "schema": {"type": "string", "enum": ["single", "zip"], "default": "single"},
                "description": "Kirjeet (invitation: yksi kirje jokaiselle kutsuttavalle): single = yksi tiedosto "
                               "(.docx, jossa kirjeet omilla sivuillaan, tai siitä tehty .pdf/.odt), zip = kirje "
                               "kerrallaan omana tiedostonaan zip-paketissa. Muilla asiakirjoilla ei käytössä (400)."},
    "case_rendition": {"name": "rendition", "in": "query", "required": False,
                       "schema": {"type": "string", "enum": [FAMILY, "network"], "default": FAMILY},
                       "description": "Esikatseltava kappale."},
    "accept_language": ACCEPT_LANGUAGE,
}
DOCUMENT_CONTENT = {mimetype: {"schema": {"type": "string", "format": "binary"}} for mimetype in formats.MIMETYPES.values()}
CONTENTS = {
    "json": {"application/json": {"schema": {}}},
    "document": DOCUMENT_CONTENT,
    "docx": {formats.DOCX_MIMETYPE: {"schema": {"type": "string", "format": "binary"}}},
    "schema-json": {"application/schema+json": {"schema": {"type": "object"}}},
    "zip-or-document": {**DOCUMENT_CONTENT, "application/zip": {"schema": {"type": "string", "format": "binary"}}},
}
TEMPLATE_BODY = {"required": True, "content": {
    formats.DOCX_MIMETYPE: {"schema": {"type": "string", "format": "binary"}},
    "application/vnd.oasis.opendocument.text": {"schema": {"type": "string", "format": "binary"}}}}


def query_names(doc: dict) -> set[str]:
    """The query parameters an operation declares."""
    names = set()
    for key in doc["params"]:
        param = _parameter(key, next(iter(DOCUMENT_TYPES.values())))
        if param["in"] == "query":
            names.add(param["name"])
    return names


def refuse_unknown_query(view) -> None:
    """A query parameter the operation does not declare is a 400 naming it, not silently ignored
    (a mistyped ``?fromat=pdf`` would otherwise give a .docx)."""
    doc = getattr(view, "lnp_openapi", None)
    if doc is None:
        return
    unknown = sorted(set(request.args) - query_names(doc))
    if unknown:
        shown = unknown[0] if len(unknown[0]) <= 40 and unknown[0].isprintable() else "?"
        raise ApiError(400, Msg("Tuntematon parametri {name}. Sallitut: {allowed}.").format(
            name=shown, allowed=", ".join(sorted(query_names(doc))) or "–"))


def guard_queries(bp: Blueprint) -> None:
    """Every view of ``bp`` refuses query parameters it does not declare."""
    bp.before_request(lambda: refuse_unknown_query(current_app.view_functions.get(request.endpoint or "")))


def _path(rule: str) -> tuple[str, list[str]]:
    """A Flask rule as an OpenAPI path, with its path parameters' names."""
    names = re.findall(r"<(?:[^:<>]+:)?([^<>]+)>", rule)
    return re.sub(r"<(?:[^:<>]+:)?([^<>]+)>", r"{\1}", rule), names


def _parameter(name: str, doc_type: DocumentType) -> dict:
    param = PARAMETERS[name]
    return param(doc_type) if callable(param) else param


def _path_parameter(name: str) -> dict:
    schema: dict = {"type": "string"}
    if name == "type_id":
        schema["enum"] = list(DOCUMENT_TYPES)
    return {"name": name, "in": "path", "required": True, "schema": schema}


def _operation(doc: dict, view, method: str, path_params: list[str], doc_type=None) -> dict:
    status, content, description = doc["ok"]
    responses: dict = {status: {"description": description}}
    if content != "none":
        responses[status]["content"] = CONTENTS[content]
    responses.update({code: ERRORS[code] for code in doc["errors"]})
    if not doc["public"]:
        responses.update(GUARDED)
    summary = doc["summary"].format(title=doc_type.label if doc_type else "")
    out: dict = {"summary": summary, "operationId": view.__name__ + (f"_{doc_type.id.replace('-', '_')}" if doc_type else ""),
                 "responses": responses}
    description = doc["description"] or (doc_type.description if doc_type else None) or \
        (view.__doc__ or "").strip().split("\n\n")[0].replace("\n", " ") or None
    if description:
        out["description"] = description
    parameters = [_path_parameter(n) for n in path_params]
    parameters += [_parameter(n, doc_type) for n in doc["params"]]
    if parameters:
        out["parameters"] = parameters
    body = doc["body"]
    if body == "type":
        out["requestBody"] = {"required": True, "content": {"application/json": {
            "schema": {"$ref": f"#/components/schemas/{_schema_name(doc_type)}"}}}}
    elif body == "case":
        out["requestBody"] = {"required": True, "content": {"application/json": {
            "schema": {"$ref": "#/components/schemas/Case"}}}}
    elif body == "template":
        out["requestBody"] = TEMPLATE_BODY
    elif body == "json-object":
        out["requestBody"] = {"required": True, "content": {"application/json": {"schema": {"type": "object"}}}}
    elif body == "any-json":
        out["requestBody"] = {"required": False, "content": {"application/json": {"schema": {"type": "object"}}}}
    elif body and body.startswith("json:"):
        out["requestBody"] = {"required": True, "content": {"application/json": {"schema": JSON_BODIES[body[5:]]}}}
    if doc["public"]:
        out["security"] = []
    return out


JSON_BODIES = {"NewToken": NEW_TOKEN_SCHEMA}
RESPONSE_SCHEMAS = {"create_token": CREATED_TOKEN_SCHEMA,
                    "list_tokens": {"type": "array", "items": {"$ref": "#/components/schemas/Token"}},
                    "revoke_token": {"$ref": "#/components/schemas/Token"}}


def _base_spec() -> APISpec:
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
    for doc_type in DOCUMENT_TYPES.values():
        spec.components.schema(_schema_name(doc_type), schema=doc_type.schema)
    spec.components.schema("Case", schema=case_schema())
    return spec


def build_spec(app) -> APISpec:
    """The OpenAPI document of every route in ``app`` whose view declares its operation."""
    spec = _base_spec()
    for rule in sorted(app.url_map.iter_rules(), key=lambda r: r.rule):
        view = app.view_functions[rule.endpoint]
        doc = getattr(view, "lnp_openapi", None)
        if doc is None:
            continue
        path, names = _path(rule.rule)
        for method in sorted((rule.methods or set()) - {"HEAD", "OPTIONS"}):
            if doc["per_type"]:
                for doc_type in DOCUMENT_TYPES.values():
                    typed_path = path.replace("{type_id}", doc_type.id)
                    spec.path(path=typed_path, operations={method.lower(): _operation(
                        doc, view, method, [n for n in names if n != "type_id"], doc_type)})
            else:
                operation_doc = _operation(doc, view, method, names)
                if view.__name__ in RESPONSE_SCHEMAS:
                    status = doc["ok"][0]
                    operation_doc["responses"][status]["content"] = {"application/json": {
                        "schema": RESPONSE_SCHEMAS[view.__name__]}}
                spec.path(path=path, operations={method.lower(): operation_doc})
    return spec


def openapi_document(app) -> dict:
    """The document of ``app``, built once per app."""
    cached = app.extensions.get("lnp.openapi")
    if cached is None:
        cached = app.extensions["lnp.openapi"] = build_spec(app).to_dict()
    return copy.deepcopy(cached)


@functools.cache
def _components() -> dict:
    return _base_spec().to_dict()["components"]["schemas"]


def json_schema(type_id: str) -> dict:
    """A standalone JSON Schema (2020-12) for one document type, components as ``$defs``."""
    components = copy.deepcopy(_components())
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
