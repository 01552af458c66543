"""The cases every document type is laid out with: its example, the minimal case (every optional
field left out) and the stress case (every list of people at its maximum, every free text at its
maximum length), each built from the type's own schema, so a type added later gets all three."""

from __future__ import annotations

from service.registry import DOCUMENT_TYPES
from service.wordtemplates.largest import largest

# Optional in the schema but required by a rule in some cases (a child of 12 or more).
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
            return {k: strip(node.children[k], v) for k, v in data.items()
                    if node.children[k].required or k in CONDITIONALLY_REQUIRED}
        if node.kind == "list" and isinstance(data, list):
            return [strip(node.item, v) for v in data]
        return data

    return strip(doc_type.fields, example(type_id, language))


def stress(type_id: str, language: str) -> dict:
    """The largest case the schemas accept (service/wordtemplates/largest.py, the case the template
    checker renders too), with at most MAX_OTHER_ENTRIES entries in a list that is not a list of
    people and a long e-mail address everywhere one goes."""
    return largest(DOCUMENT_TYPES[type_id], language, other_lists=MAX_OTHER_ENTRIES, email=LONG_EMAIL)


CASES = {"example": example, "minimal": minimal, "stress": stress}
