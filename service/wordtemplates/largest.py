"""The largest case the schemas accept for a document type, built from the type's own schema.

    largest(doc_type, language) → a valid payload

The type's example grown to the schema's limits: every list at its maximum number of entries
(copies of the example's entries), every free text at its maximum length (the example's own
words, so the case stays in the example's language). What a widget constrains stays as in the
example: dates, choices, identity codes, e-mail addresses, numbers. Where a grown value breaks a
rule of the schema (a fifth given name, a child's view for a child that is not there), that
value goes back to the example's, so the case is always valid.

The template checker renders this case in its dry run (a template whose output grows with the
data past the render budget is refused at upload); the tests render it with every built-in
template, and the layout tests lay it out (with fewer entries in lists that are not people).
"""

from __future__ import annotations

import copy
import itertools

from marshmallow import Schema, ValidationError, fields, validate

from schemas.fields import LongText, Text
from schemas.i18n import DEFAULT
from service.registry import DocumentType

PEOPLE = frozenset({"children", "guardians"})


def largest(doc_type: DocumentType, language: str = DEFAULT, *, other_lists: int | None = None,
            email: str | None = None) -> dict:
    """The example of ``language`` grown to the schema's limits.

    ``other_lists``: at most this many entries in a list that is not a list of people (the layout
    tests keep conversions quick); None: every list at its maximum. ``email``: put in place of
    every e-mail address (a long one tests the layout); None: the example's addresses."""
    schema = doc_type.schema()
    original = doc_type.example(language)
    grower = _Grower(other_lists, email)
    payload = {name: grower.grow(schema.fields[name], value) if name in schema.fields else value
               for name, value in original.items()}
    return _valid(schema, payload, original, f"{doc_type.id}/{language}")


def _valid(schema: Schema, payload: dict, original: dict, what: str) -> dict:
    for _ in range(10):
        try:
            schema.load(payload)
            return payload
        except ValidationError as error:
            messages = error.messages if isinstance(error.messages, dict) else {"_schema": error.messages}
            _revert(payload, original, messages)
    raise ValueError(f"no valid largest case for {what}")


def _max_length(field: fields.Field) -> int | None:
    lengths = [v for v in field.validators if isinstance(v, validate.Length)]
    return lengths[0].max if lengths else None


def _plain(field: fields.Field) -> bool:
    """Free text: a length cap and nothing else that constrains it (no list of codes, pattern or
    e-mail format)."""
    return type(field) in (Text, LongText) and all(isinstance(v, validate.Length) for v in field.validators)


def fill(seed: str, length: int, multiline: bool) -> str:
    """Text of exactly the cap's length or just under it, made of the seed's own words (the
    example's language); a multi-line text gets paragraphs and a bulleted list."""
    words = seed.split() or ["teksti"]
    source = itertools.cycle(words)
    lines: list[str] = []
    line: list[str] = []
    total = 0
    while True:
        word = next(source)
        if multiline and len(line) >= 14:
            lines.append(" ".join(line))
            line = []
            if len(lines) % 4 in (2, 3):
                line = ["-"]
        candidate_len = total + len(word) + 1
        if candidate_len > length - 1:
            break
        line.append(word)
        total = candidate_len
    lines.append(" ".join(line))
    text = "\n".join(lines) if multiline else " ".join(lines)
    return text[:length].strip()


class _Grower:
    def __init__(self, other_lists: int | None, email: str | None):
        self.other_lists = other_lists
        self.email = email

    def grow(self, field: fields.Field, data):
        if isinstance(field, fields.Nested) and isinstance(data, dict):
            schema = field.schema
            return {name: self.grow(schema.fields[name], value) if name in schema.fields else value
                    for name, value in data.items()}
        if isinstance(field, fields.List) and isinstance(data, list):
            limit = _max_length(field) or len(data)
            wanted = limit
            if self.other_lists is not None and field.name not in PEOPLE:
                wanted = min(limit, max(len(data), self.other_lists))
            entries = [copy.deepcopy(data[i % len(data)]) for i in range(wanted)] if data else []
            return [self.grow(field.inner, entry) for entry in entries]
        if isinstance(data, str) and _plain(field):
            cap = _max_length(field)
            return fill(data, cap, isinstance(field, LongText)) if cap else data
        if isinstance(data, str) and self.email is not None and field.metadata.get("format") == "email":
            return self.email
        return data


def _revert(payload, original, messages) -> None:
    """Put the example's value back at every path that failed (list entries beyond the example's
    own come back as a copy of the corresponding example entry). Such an entry that fails with
    the example's values too is left out (a second view of the same child): the list keeps as
    many entries as it validly can."""
    extra: list[int] = []
    for key, message in messages.items():
        if key == "_schema":  # a rule over the whole group: the group as in the example
            if isinstance(payload, dict):
                payload.clear()
                payload.update(copy.deepcopy(original))
        elif isinstance(payload, list):
            index = int(key)
            before = copy.deepcopy(payload[index])
            source = original[index % len(original)] if isinstance(original, list) else original
            if isinstance(message, dict) and isinstance(payload[index], dict):
                _revert(payload[index], source, message)
            else:
                payload[index] = copy.deepcopy(source)
            if payload[index] == before and isinstance(original, list) and index >= len(original):
                extra.append(index)  # already the example's values and still failing
        elif isinstance(message, dict) and isinstance(payload.get(key), (dict, list)):
            _revert(payload[key], original[key], message)
        else:
            payload[key] = copy.deepcopy(original[key])
    for index in sorted(extra, reverse=True):
        del payload[index]
