"""The cases every document type is laid out with: its example, the minimal case (every optional
field left out) and the stress case (every list of people at its maximum, every free text at its
maximum length), each built from the type's own schema, so a type added later gets all three."""

from __future__ import annotations

import copy
import re

from schemas.choices import RELATION_TO_CHILD
from service.problems import ApiError
from service.registry import DOCUMENT_TYPES
from service.rendering.formatting import label
from service.validation import validate
from service.wordtemplates.largest import largest

# Optional in the schema but required by a rule in some cases (a child of 12 or more). Whatever
# else a rule asks for (a reason when someone is not invited, an answer when one was agreed…) is
# put back from the example where the validation names it.
CONDITIONALLY_REQUIRED = {"own_consent"}
# At most this many entries in a list that is not a list of people: enough to fill pages, few
# enough to keep the conversion quick.
MAX_OTHER_ENTRIES = 6
LONG_EMAIL = "aino-maria.virtanen-korhonen.perhesosiaalityo@sosiaali-ja-terveystoimiala.example.com"


def example(type_id: str, language: str) -> dict:
    return DOCUMENT_TYPES[type_id].example(language)


def minimal(type_id: str, language: str = "fi") -> dict:
    """The example with every optional field removed (top level and nested)."""
    doc_type = DOCUMENT_TYPES[type_id]

    def strip(node, data):
        if node.kind == "object" and isinstance(data, dict):
            return {k: v if k in CONDITIONALLY_REQUIRED else strip(node.children[k], v) for k, v in data.items()
                    if node.children[k].required or k in CONDITIONALLY_REQUIRED}
        if node.kind == "list" and isinstance(data, list):
            return [strip(node.item, v) for v in data]
        return data

    full = example(type_id, language)
    data = strip(doc_type.fields, full)
    for _round in range(10):
        try:
            validate(doc_type, data)
            return data
        except ApiError as exc:
            paths = [error["path"] for error in exc.errors]
        restored = [_restore(data, full, path) for path in paths]  # every path, not the first only
        if not any(restored):
            break
    raise AssertionError(f"no valid minimal case for {type_id}/{language}: {paths}")


def _restore(data, full, path: str) -> bool:
    """Put the example's value at ``path`` (``a.b[2].c``) back into ``data``; whether anything changed."""
    keys = [int(k) if k.isdigit() else k for k in re.findall(r"[^.\[\]]+", path)]
    target, source = data, full
    for key in keys[:-1]:
        source = source[key]
        if isinstance(key, str) and key not in target:
            target[key] = copy.deepcopy(source)
            return True
        target = target[key]
    last = keys[-1] if keys else None
    if last is None or (isinstance(last, str) and (last not in source or target.get(last) == source[last])):
        return False
    target[last] = copy.deepcopy(source[last])
    return True


def stress(type_id: str, language: str) -> dict:
    """The largest case the schemas accept (service/wordtemplates/largest.py, the case the template
    checker renders too), with at most MAX_OTHER_ENTRIES entries in a list that is not a list of
    people, a long e-mail address everywhere one goes and every relation to the child in turn,
    the longest label of the language first (WIDE_CHOICES)."""
    data = largest(DOCUMENT_TYPES[type_id], language, other_lists=MAX_OTHER_ENTRIES, email=LONG_EMAIL)
    for key, choices in WIDE_CHOICES.items():
        codes = sorted(choices.codes, key=lambda code: -len(label(code, language)))
        for index, entry in enumerate(_entries_with(data, key)):
            entry[key] = codes[index % len(codes)]
    validate(DOCUMENT_TYPES[type_id], data)
    return data


# Choices printed in narrow table columns: the stress case shows every label, so a word of one
# broken inside a column shows in the layout check (tests/pdflayout.py, broken_words).
WIDE_CHOICES = {"relation_to_child": RELATION_TO_CHILD}


def choice_words(language: str) -> set[str]:
    """Every word of the labels of WIDE_CHOICES in ``language``."""
    return {word for choices in WIDE_CHOICES.values() for code in choices.codes
            for word in label(code, language).split()}


def _entries_with(node, key: str):
    if isinstance(node, dict):
        if key in node:
            yield node
        for value in node.values():
            yield from _entries_with(value, key)
    elif isinstance(node, list):
        for value in node:
            yield from _entries_with(value, key)


CASES = {"example": example, "minimal": minimal, "stress": stress}
