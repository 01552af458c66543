"""What a rendered document must show for a case: every value, as a reader sees it."""

from __future__ import annotations

import datetime as dt

from schemas.i18n import DEFAULT
from service.fieldtree import Node
from service.rendering import formatting


def shown_values(node: Node, data, path="", lang: str = DEFAULT):
    """(path, text) for every value of ``data`` as a document in ``lang`` prints it: dates,
    date ranges, list labels and language names in that language, free text as written."""
    if node.kind == "object" and set(node.children) == {"start", "end"}:
        # A date range prints as one compact range: 19.–30.10.2026, 19–30 October 2026.
        yield path, formatting.date_range({k: dt.date.fromisoformat(v) for k, v in data.items()}, lang=lang)
    elif node.kind == "object" and isinstance(data, dict):
        for name, child in node.children.items():
            if name in data:
                yield from shown_values(child, data[name], f"{path}.{name}" if path else name, lang)
    elif node.kind == "list" and isinstance(data, list):
        for index, value in enumerate(data):
            yield from shown_values(node.item, value, f"{path}[{index}]", lang)
    elif node.kind == "date":
        yield path, formatting.date(dt.date.fromisoformat(data), lang=lang)
    elif node.kind == "str" and node.widget == "time":
        yield path, formatting.time(data, lang=lang)
    elif node.kind == "str" and node.choices == "document_language":
        return
    elif node.kind == "str" and node.help.startswith("ISO 639") or path.endswith("language") and node.kind == "str" and not node.choices:
        yield path, formatting.language_name(data, lang=lang)
    elif node.kind == "str" and node.choices:
        yield path, formatting.label(data, lang=lang)
    elif node.kind == "str":
        yield path, data


def assert_shows(content: bytes, type_id: str, payload: dict) -> None:
    """The rendered .docx shows every value of ``payload``; a mailing shows each recipient (a
    letter prints the meeting in words: tests/test_invitation.py checks each letter)."""
    from service.registry import DOCUMENT_TYPES
    from tests.docxtext import all_text

    text = all_text(content)
    doc_type = DOCUMENT_TYPES[type_id]
    if doc_type.letters is not None:
        letters = doc_type.letters(payload)
        missing = [letter["recipient"]["name"] for letter in letters if letter["recipient"]["name"] not in text]
        assert letters and not missing, f"letters missing: {missing}"
        return
    missing = [path for path, value in shown_values(doc_type.fields, payload) if value not in text]
    assert not missing, f"values missing from the document: {missing}"
