"""What a rendered document must show for a case: every value, as a reader sees it."""

from __future__ import annotations

import datetime as dt

from service import formatting
from service.fieldtree import Node


def shown_values(node: Node, data, path=""):
    """(path, text) for every value of ``data`` as the document prints it."""
    if node.kind == "object" and set(node.children) == {"start", "end"}:
        # A date range prints as one compact range: 19.–30.10.2026.
        yield path, formatting.date_range({k: dt.date.fromisoformat(v) for k, v in data.items()})
    elif node.kind == "object" and isinstance(data, dict):
        for name, child in node.children.items():
            if name in data:
                yield from shown_values(child, data[name], f"{path}.{name}" if path else name)
    elif node.kind == "list" and isinstance(data, list):
        for index, value in enumerate(data):
            yield from shown_values(node.item, value, f"{path}[{index}]")
    elif node.kind == "date":
        yield path, formatting.date(dt.date.fromisoformat(data))
    elif node.kind == "str" and node.choices == "document_language":
        return
    elif node.kind == "str" and node.help.startswith("ISO 639") or path.endswith("language") and node.kind == "str" and not node.choices:
        yield path, formatting.language_name(data)
    elif node.kind == "str" and node.choices:
        yield path, formatting.label(data)
    elif node.kind == "str":
        yield path, data
