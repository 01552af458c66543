"""A case file and its documents: the case schema composed from the registry, each document's
payload derived from the case, and a document's JSON (saved by a per-document form or sent by
another system) taken into a case.

The case names the people once (``people``) and the meetings (``meetings``); ``documents`` holds
each document's own part: its schema without the fields the case supplies. Which fields those are
follows from the document schema itself (a field named ``children`` of full or brief children,
``guardians``, ``social_worker``, ``coordinator``, ``participating_workers``, ``author``), so a new
document type that uses the shared blocks is part of the case without code here.
"""

from __future__ import annotations

import copy
import re
from dataclasses import dataclass, field
from functools import cache

from marshmallow import Schema, ValidationError, fields

from schemas.case import MeetingsSchema, PeopleSchema
from schemas.common import ChildBriefSchema, ChildSchema, DocumentSchema
from schemas.fields import StrictSchema, nested
from schemas.i18n import Msg
from service.problems import ApiError, flatten
from service.registry import DOCUMENT_TYPES, DocumentType

# Fields of DocumentSchema the case holds once for every document.
CASE_META = ("case_ref", "language")
# Fields a document takes from ``people`` (the case supplies them; the document's part has none).
FROM_PEOPLE = ("children", "guardians", "social_worker", "coordinator", "participating_workers")
# Blocks one document of the case holds and another one answers or uses, supplied from the
# holder's part when the user's own part names none: the letters' recipients are the network
# map's members; the family plan answers the questions document's questions and bottom lines
# (its own rules then check each question has its answer and each bottom line its check).
NETWORK_MAP, QUESTIONS = "network-map", "questions"
FROM_PARTS = {"members": NETWORK_MAP, "case_questions": QUESTIONS, "must_include": QUESTIONS,
              "not_acceptable": QUESTIONS}
# Filled from the people when the document's part leaves it out (the author is usually the
# responsible social worker, but a summary may be written by another worker).
DEFAULTED = ("author",)


def _nested_schema(schema: Schema, name: str) -> Schema | None:
    fld = schema.fields.get(name)
    if isinstance(fld, fields.List):
        fld = fld.inner
    return fld.schema if isinstance(fld, fields.Nested) else None


def supplied_fields(doc_type: DocumentType) -> tuple[str, ...]:
    """The fields of ``doc_type`` that the case supplies (not in its own part)."""
    schema = doc_type.schema()
    return tuple(name for name in (*CASE_META, *FROM_PEOPLE) if name in schema.fields)


@cache
def part_schema(type_id: str) -> type[Schema]:
    """The document's own part in a case: its schema without the supplied fields."""
    doc_type = DOCUMENT_TYPES[type_id]
    exclude = supplied_fields(doc_type)
    optional = {}
    for name in DEFAULTED:  # the case fills it in from its people when the part leaves it out
        declared = doc_type.schema._declared_fields.get(name)
        if declared is not None:
            optional[name] = copy.copy(declared)
            optional[name].required = False
    return type(f"{doc_type.schema.__name__}Part", (doc_type.schema,), {**optional, "Meta": type("Meta", (), {
        "exclude": exclude, "unknown": doc_type.schema.Meta.unknown})})


@cache
def case_schema() -> type[Schema]:
    """The whole case file, for validation of its shape and for the JSON Schema in OpenAPI."""
    parts = {type_id: nested(part_schema(type_id), doc_type.label) for type_id, doc_type in DOCUMENT_TYPES.items()}
    documents = type("CaseDocumentsSchema", (StrictSchema,), parts)
    meta = {name: DocumentSchema._declared_fields[name] for name in CASE_META}
    return type("CaseSchema", (StrictSchema,), {
        **meta,
        "people": nested(PeopleSchema, "Henkilöt", "Tapauksen henkilöt kerran; asiakirjat viittaavat heihin."),
        "meetings": nested(MeetingsSchema, "Kokoukset"),
        "documents": nested(documents, "Asiakirjat", "Kunkin asiakirjan omat tiedot."),
    })


def check_shape(case: object) -> dict:
    """The case file's shape: unknown keys, wrong types and malformed values are a 422 (what is
    missing is not: a case is filled in over weeks, and each document says what it lacks)."""
    if not isinstance(case, dict):
        raise ApiError(422, errors=[{"path": "", "label": "", "message": Msg("Odotettiin JSON-objektia.")}])
    try:
        case_schema()().load(case, partial=True)
    except ValidationError as exc:
        raise ApiError(422, errors=flatten(exc.messages)) from None
    return case


def _first_name(child: dict) -> str | None:
    given = child.get("given_names")
    return child.get("calling_name") or (given.split()[0] if isinstance(given, str) and given.split() else None)


def _without(person: dict, *keys: str) -> dict:
    return {k: v for k, v in person.items() if k not in keys}


def document_payload(case: dict, doc_type: DocumentType) -> dict:
    """The JSON ``doc_type``'s own schema validates, made from the case: its part plus the case's
    reference, language and people where the document has the field."""
    schema = doc_type.schema()
    own = copy.deepcopy((case.get("documents") or {}).get(doc_type.id) or {})
    people = case.get("people") or {}
    payload: dict = {name: case[name] for name in CASE_META if name in case and name in schema.fields}
    children = people.get("children") or []
    if "children" in schema.fields:
        inner = _nested_schema(schema, "children")
        if isinstance(inner, ChildBriefSchema):
            payload["children"] = [{k: v for k, v in (("first_name", _first_name(c)), ("birth_date", c.get("birth_date")))
                                    if v is not None} for c in children]
        elif isinstance(inner, ChildSchema):
            payload["children"] = [_without(c, "id") for c in children]
    if "guardians" in schema.fields and "guardians" in people:
        payload["guardians"] = [_without(g, "id", "children") for g in people["guardians"]]
    if "social_worker" in schema.fields and "social_worker" in people:
        payload["social_worker"] = people["social_worker"]
    if "coordinator" in schema.fields and "convener" in people:
        payload["coordinator"] = people["convener"]
    if "participating_workers" in schema.fields:
        payload["participating_workers"] = [_without(w, "id") for w in people.get("workers") or []]
    for name in DEFAULTED:
        if name in schema.fields and name not in own and "social_worker" in people:
            payload[name] = people["social_worker"]
    for name, holder in FROM_PARTS.items():
        block = ((case.get("documents") or {}).get(holder) or {}).get(name)
        if name in schema.fields and doc_type.id != holder and name not in own and block is not None:
            payload[name] = copy.deepcopy(block)
    payload.update(own)
    _carry_non_disclosure(payload, people)
    return payload


# Lists of a document whose entries name a person by one free-text name (the network map's
# members, the letters' invitees); the case's people are named in parts.
NAMED_ENTRIES = ("members", "invitees")


def _listed(value: object) -> list:
    return value if isinstance(value, list) else []  # a malformed one is the schema's to report


def _name_tokens(name: object) -> list[str]:
    return [t for t in re.split(r"[\s,()/]+", name.casefold()) if t] if isinstance(name, str) else []


def _is_protected(name: object, protected: list[dict]) -> bool:
    """The name is one of a protected person's: their surname with one of their given names, or
    one of their given names alone (as a map often names a parent)."""
    tokens = set(_name_tokens(name))
    for person in protected:
        given = set(_name_tokens(person.get("given_names"))) | set(_name_tokens(person.get("calling_name")))
        surname = set(_name_tokens(person.get("surname")))
        if tokens and ((surname and surname <= tokens and given & tokens) or tokens <= given):
            return True
    return False


def _carry_non_disclosure(payload: dict, people: dict) -> None:
    """A child's or guardian's non-disclosure marking (turvakielto) in the case's people holds
    wherever the document names them again by name: their entry on the network map and their
    letter are marked too, so no contact detail of theirs is printed (spec §7.3). Matching errs
    on the side of withholding: a namesake's details are left out rather than theirs printed."""
    protected = [p for group in ("children", "guardians") for p in _listed(people.get(group))
                 if isinstance(p, dict) and p.get("non_disclosure") is True]
    if not protected:
        return
    for key in NAMED_ENTRIES:
        for entry in _listed(payload.get(key)):
            if isinstance(entry, dict) and _is_protected(entry.get("name"), protected):
                entry["non_disclosure"] = True


@dataclass
class Imported:
    case: dict
    notes: list[str] = field(default_factory=list)


def _ids(prefix: str, count: int) -> list[str]:
    return [f"{prefix}{i}" for i in range(1, count + 1)]


def case_from_document(doc_type: DocumentType, payload: dict) -> dict:
    """A case made from one document's JSON: the shared fields become the case's people, the
    rest the document's part. Brief children (first name and birth date) become children whose
    surname is still to be filled in."""
    payload = copy.deepcopy(payload)
    case: dict = {name: payload.pop(name) for name in CASE_META if name in payload}
    people: dict = {}
    children = payload.pop("children", None)
    if isinstance(children, list):
        people["children"] = []
        for cid, child in zip(_ids("lapsi", len(children)), children):
            if not isinstance(child, dict):
                continue
            if "first_name" in child:
                person = {"id": cid, "given_names": child["first_name"]}
                if "birth_date" in child:
                    person["birth_date"] = child["birth_date"]
            else:
                person = {"id": cid, **child}
            people["children"].append(person)
    guardians = payload.pop("guardians", None)
    if isinstance(guardians, list):
        people["guardians"] = [{"id": gid, **g} for gid, g in zip(_ids("huoltaja", len(guardians)), guardians)
                               if isinstance(g, dict)]
    if "social_worker" in payload:
        people["social_worker"] = payload.pop("social_worker")
    elif "author" in payload:
        # The author of a summary is the case's responsible social worker unless the case says
        # otherwise (merge() keeps a different author as the document's own).
        people["social_worker"] = payload.pop("author")
    if "coordinator" in payload:
        people["convener"] = payload.pop("coordinator")
    workers = payload.pop("participating_workers", None)
    if isinstance(workers, list):
        people["workers"] = [{"id": wid, **w} for wid, w in zip(_ids("tyontekija", len(workers)), workers)
                             if isinstance(w, dict)]
    if people:
        case["people"] = people
    case["documents"] = {doc_type.id: payload}
    return case


def merge(into: dict, other: dict) -> dict:
    """``other`` (a case, e.g. made from a document's JSON) taken into the case ``into``: what the
    case already has wins for the people and the meetings; a document part replaces the case's."""
    out = copy.deepcopy(into)
    other = copy.deepcopy(other)
    theirs = (other.get("people") or {}).get("social_worker")
    ours = (out.get("people") or {}).get("social_worker")
    if theirs and ours and theirs != ours:
        # The other file's worker wrote its documents: they stay their author.
        for type_id, part in (other.get("documents") or {}).items():
            if type_id in DOCUMENT_TYPES and "author" in DOCUMENT_TYPES[type_id].schema().fields \
                    and isinstance(part, dict):
                part.setdefault("author", theirs)
    for name in (*CASE_META, "meetings"):
        if name in other and name not in out:
            out[name] = copy.deepcopy(other[name])
    people = out.setdefault("people", {})
    for name, value in (other.get("people") or {}).items():
        if not people.get(name):
            people[name] = copy.deepcopy(value)
    out.setdefault("documents", {}).update(copy.deepcopy(other.get("documents") or {}))
    return out
