"""The cases every document type is laid out with: its example, the minimal case (every optional
field left out) and the stress case (every list of people at its maximum, every free text at its
maximum length), each built from the type's own schema, so a type added later gets all three."""

from __future__ import annotations

import copy
import itertools

from marshmallow import ValidationError, fields, validate

from schemas.fields import LongText, Text
from service.registry import DOCUMENT_TYPES

# Optional in the schema but required by a rule in some cases (a child of 12 or more).
CONDITIONALLY_REQUIRED = {"own_consent"}
# At most this many entries in a list that is not a list of people: enough to fill pages, few
# enough to keep the conversion quick.
MAX_OTHER_ENTRIES = 6
PEOPLE = {"children", "guardians"}
LONG_EMAIL = "aino-maria.virtanen-korhonen.perhesosiaalityo@sosiaali-ja-terveystoimiala.example.com"


def example(type_id: str, language: str) -> dict:
    return DOCUMENT_TYPES[type_id].example(language)


def minimal(type_id: str, language: str = "fi") -> dict:
    """The example with every optional field removed (top level and nested)."""
    doc_type = DOCUMENT_TYPES[type_id]

    def strip(node, data):
        if node.kind == "object" and isinstance(data, dict):
            return {k: strip(node.children[k], v) for k, v in data.items()
                    if node.children[k].required or k in CONDITIONALLY_REQUIRED}
        if node.kind == "list" and isinstance(data, list):
            return [strip(node.item, v) for v in data]
        return data

    return strip(doc_type.fields, example(type_id, language))


def _max_length(field: fields.Field) -> int | None:
    lengths = [v for v in field.validators if isinstance(v, validate.Length)]
    return lengths[0].max if lengths else None


def _max_items(field: fields.List) -> int | None:
    return _max_length(field)


def _plain(field: fields.Field) -> bool:
    """Free text: a length cap and nothing else that constrains it (no list of codes, pattern or
    e-mail format)."""
    return type(field) in (Text, LongText) and all(isinstance(v, validate.Length) for v in field.validators)


def _fill(seed: str, length: int, multiline: bool) -> str:
    """Text of exactly the cap's length or just under it, made of the seed's own words (the
    example's language); a multi-line text gets paragraphs and a bulleted list."""
    words = seed.split() or ["teksti"]
    source = itertools.cycle(words)
    lines, line = [], []
    total = 0
    while True:
        word = next(source)
        if multiline and len(line) >= 14:
            lines.append(" ".join(line))
            line = []
            bullet = len(lines) % 4 in (2, 3)
            if bullet:
                line = ["-"]
        candidate_len = total + len(word) + 1
        if candidate_len > length - 1:
            break
        line.append(word)
        total = candidate_len
    lines.append(" ".join(line))
    text = "\n".join(lines) if multiline else " ".join(lines)
    return text[:length].strip()


def _stress(schema_field, data):
    if isinstance(schema_field, fields.Nested) and isinstance(data, dict):
        schema = schema_field.schema
        return {name: _stress(schema.fields[name], value) for name, value in data.items()}
    if isinstance(schema_field, fields.List) and isinstance(data, list):
        limit = _max_items(schema_field) or len(data)
        wanted = limit if schema_field.name in PEOPLE else min(limit, max(len(data), MAX_OTHER_ENTRIES))
        entries = [copy.deepcopy(data[i % len(data)]) for i in range(wanted)] if data else []
        return [_stress(schema_field.inner, entry) for entry in entries]
    if isinstance(data, str) and _plain(schema_field) and _max_length(schema_field):
        return _fill(data, _max_length(schema_field), isinstance(schema_field, LongText))
    if isinstance(data, str) and "format" in schema_field.metadata and schema_field.metadata["format"] == "email":
        return LONG_EMAIL
    return data


def stress(type_id: str, language: str) -> dict:
    """The example grown to the schema's limits. Where a grown value breaks a rule of the schema
    (a fifth given name, a name that is no longer one of the given names), that value stays as
    in the example: the case is always valid."""
    doc_type = DOCUMENT_TYPES[type_id]
    schema = doc_type.schema()
    original = example(type_id, language)
    payload = {name: _stress(schema.fields[name], value) for name, value in original.items()}
    for _ in range(10):
        try:
            schema.load(payload)
            return payload
        except ValidationError as error:
            _revert(payload, original, error.messages)
    raise AssertionError(f"no valid stress case for {type_id}/{language}")


def _revert(payload, original, messages):
    """Put the example's value back at every path that failed (list entries beyond the
    example's own come back as a copy of the corresponding example entry)."""
    for key, message in messages.items():
        if key == "_schema":  # a rule over the whole group: the group as in the example
            payload.clear() if isinstance(payload, dict) else None
            payload.update(copy.deepcopy(original)) if isinstance(payload, dict) else None
        elif isinstance(payload, list):
            index = int(key)
            source = original[index % len(original)] if isinstance(original, list) else original
            if isinstance(message, dict) and isinstance(payload[index], dict):
                _revert(payload[index], source, message)
            else:
                payload[index] = copy.deepcopy(source)
        elif isinstance(message, dict) and isinstance(payload.get(key), (dict, list)):
            _revert(payload[key], original[key], message)
        else:
            payload[key] = copy.deepcopy(original[key])


CASES = {"example": example, "minimal": minimal, "stress": stress}
