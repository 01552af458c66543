"""Between an HTML form and the case JSON, in both directions, generated from the field tree.

Form field names are the JSON paths the API's errors use (``children[0].birth_date``), so an
error, its input and its place in the JSON are one name. Nothing here validates: a value the
user typed is kept as typed (a half-filled form can be saved and continued), and the schema,
through ``documents.validate()``, is the only judge.
"""

from __future__ import annotations

import datetime as dt
import re
from typing import Any

from werkzeug.datastructures import MultiDict

from service.fieldtree import Node

ABSENT = object()  # "leave the key out of the JSON"
MAX_INDEX = 99  # an index beyond this in a posted form is ignored: the schemas allow at most 30 items
COUNT_SUFFIX = ".__count"  # hidden input that keeps a list's length when its items post nothing

_TOKEN = re.compile(r"\.?([A-Za-z_][A-Za-z0-9_]*)|\[(\d{1,3})\]")
_INDEX = re.compile(r"\[(\d{1,6})\]")
_FINNISH_DATE = re.compile(r"(\d{1,2})\.(\d{1,2})\.(\d{4})")


class BadPath(ValueError):
    """A posted path that does not name a place in this document's form."""


# --- paths -----------------------------------------------------------------------------------

def join(path: str, name: str | int) -> str:
    if isinstance(name, int):
        return f"{path}[{name}]"
    return f"{path}.{name}" if path else name


def parse_path(path: str) -> list[str | int]:
    tokens, pos = [], 0
    while pos < len(path):
        match = _TOKEN.match(path, pos)
        if not match or (pos == 0 and path.startswith(".")):
            raise BadPath(path)
        tokens.append(match.group(1) if match.group(1) is not None else int(match.group(2)))
        pos = match.end()
    if not tokens:
        raise BadPath(path)
    return tokens


def node_at(root: Node, path: str) -> Node:
    node = root
    for token in parse_path(path):
        if isinstance(token, int):
            if node.kind != "list":
                raise BadPath(path)
            node = node.each
        else:
            if node.kind != "object" or token not in node.children:
                raise BadPath(path)
            node = node.children[token]
    return node


def value_at(data: Any, path: str) -> Any:
    """The value at ``path`` or None; never raises on a missing or mistyped step."""
    value = data
    for token in parse_path(path):
        if isinstance(token, int):
            value = value[token] if isinstance(value, list) and token < len(value) else None
        else:
            value = value.get(token) if isinstance(value, dict) else None
        if value is None:
            return None
    return value


def field_id(path: str) -> str:
    """An HTML id for a path: ``children[0].birth_date`` → ``f-children-0-birth_date``."""
    return "f-" + re.sub(r"[\[\].]+", "-", path).strip("-")


# --- form → JSON -----------------------------------------------------------------------------

def from_form(root: Node, form) -> dict:
    """The case JSON of a posted form (a werkzeug MultiDict or any mapping with ``get``).

    Empty inputs are absent keys; an optional block whose every input is empty (or at its
    default) is absent; checkboxes map to true/false and yes/no radios to true/false/absent.
    """
    counts = _list_counts(form)
    return _object(root, form, "", counts, optional=False)


def to_form(node: Node, data, path: str = "") -> MultiDict:
    """What a browser posts for ``data`` on a page of ``node``'s inputs: the inverse of from_form."""
    out: MultiDict = MultiDict()
    if node.kind == "object":
        for name, child in node.children.items():
            if isinstance(data, dict) and name in data:
                out.update(to_form(child, data[name], join(path, name)))
    elif node.kind == "list":
        items = data if isinstance(data, list) else []
        out.add(f"{path}{COUNT_SUFFIX}", str(len(items)))
        for index, item in enumerate(items):
            out.update(to_form(node.each, item, join(path, index)))
    elif node.kind == "bool":
        if node.default is None:
            out.add(path, "true" if data else "false")
        elif data:
            out.add(path, "true")
    elif data is not None:
        out.add(path, str(data))
    return out


def _list_counts(form) -> dict[str, int]:
    counts: dict[str, int] = {}
    for key in form.keys():
        if key.endswith(COUNT_SUFFIX):
            raw = form.get(key, "")
            if raw.isdigit():
                prefix = key[: -len(COUNT_SUFFIX)]
                counts[prefix] = max(counts.get(prefix, 0), min(int(raw), MAX_INDEX + 1))
        for match in _INDEX.finditer(key):
            index = int(match.group(1))
            if index <= MAX_INDEX:
                prefix = key[: match.start()]
                counts[prefix] = max(counts.get(prefix, 0), index + 1)
    return counts


def _value(node: Node, form, path: str, counts) -> Any:
    if node.kind == "object":
        return _object(node, form, path, counts, optional=not node.required)
    if node.kind == "list":
        items = [_item(node.each, form, join(path, i), counts) for i in range(counts.get(path, 0))]
        # An optional list left empty is absent, so the schema's own default applies.
        return items if items or node.required else ABSENT
    raw = form.get(path)
    if node.kind == "bool":
        return _bool(node, raw)
    if raw is None or not raw.strip():
        return ABSENT
    if node.kind == "int":
        text = raw.strip()
        return int(text) if re.fullmatch(r"[+-]?\d{1,9}", text) else raw
    if node.kind == "date":
        return _date(raw.strip())
    return _newlines(raw)


def _item(node: Node, form, path: str, counts) -> Any:
    """One entry of a list: kept even when empty, so the user sees what is missing in it."""
    if node.kind == "object":
        return _object(node, form, path, counts, optional=False)
    value = _value(node, form, path, counts)
    return "" if value is ABSENT else value


def _object(node: Node, form, path: str, counts, optional: bool) -> Any:
    out = {}
    for name, child in node.children.items():
        value = _value(child, form, join(path, name), counts)
        if value is not ABSENT:
            out[name] = value
    if optional and not any(_meaningful(node.children[name], value) for name, value in out.items()):
        return ABSENT
    return out


def _meaningful(node: Node, value: Any) -> bool:
    """Did the user give this value, or is it only what an untouched form posts?"""
    if node.kind == "object":
        return isinstance(value, dict) and any(
            _meaningful(node.children[k], v) for k, v in value.items() if k in node.children
        )
    if node.kind == "list":
        return bool(value)
    if node.default is not None and not callable(node.default):
        return value != node.default
    return True


def _bool(node: Node, raw: str | None) -> Any:
    if node.default is not None:
        # A checkbox posts only when ticked: not posted means false.
        if raw is None:
            return False
        return True if raw == "true" else raw
    # Yes/no radios: no choice is an absent value (the schema says if one is required).
    if raw is None or raw == "":
        return ABSENT
    return {"true": True, "false": False}.get(raw, raw)


def _date(text: str) -> str:
    """ISO as sent by a date input; a Finnish 7.3.2013 typed into a plain text box also works."""
    match = _FINNISH_DATE.fullmatch(text)
    if match:
        day, month, year = (int(g) for g in match.groups())
        try:
            return dt.date(year, month, day).isoformat()
        except ValueError:
            return text
    return text


def _newlines(text: str) -> str:
    # Browsers send a textarea's line breaks as CRLF; the JSON keeps plain LF.
    return text.replace("\r\n", "\n").replace("\r", "\n")


# --- a blank form and the repeatable-group buttons --------------------------------------------

def blank(node: Node) -> Any:
    """What a new form starts with: each required list with its minimum number of empty entries."""
    if node.kind == "object":
        out = {}
        for name, child in node.children.items():
            if child.kind == "list" and child.required and child.min_items:
                out[name] = [blank_item(child.each) for _ in range(child.min_items)]
        return out
    return None


def blank_item(node: Node) -> Any:
    return blank(node) if node.kind == "object" else ""


def _container(data: dict, root: Node, path: str, create: bool = False):
    """The list at ``path`` inside ``data`` (created when ``create``), with its node."""
    node = node_at(root, path)
    if node.kind != "list":
        raise BadPath(path)
    tokens = parse_path(path)
    parent: Any = data
    for position, token in enumerate(tokens[:-1]):
        if isinstance(token, int):
            if not isinstance(parent, list) or token >= len(parent):
                raise BadPath(path)
            parent = parent[token]
            continue
        if not isinstance(parent, dict):
            raise BadPath(path)
        wanted = list if isinstance(tokens[position + 1], int) else dict
        if not isinstance(parent.get(token), wanted):
            # Only a missing optional block is made; an item that does not exist is an error.
            if not create or wanted is list:
                raise BadPath(path)
            parent[token] = {}
        parent = parent[token]
    last = tokens[-1]
    if not isinstance(parent, dict):
        raise BadPath(path)
    if not isinstance(parent.get(last), list):
        if not create:
            raise BadPath(path)
        parent[last] = []
    return parent[last], node


def _split_item(path: str) -> tuple[str, int]:
    match = re.fullmatch(r"(.+)\[(\d{1,3})\]", path)
    if not match:
        raise BadPath(path)
    return match.group(1), int(match.group(2))


def apply_action(root: Node, data: dict, action: str, target: str) -> str:
    """Add, remove or move an entry of a repeatable group in ``data``.

    Returns the HTML id that should have the focus when the form comes back.
    """
    if action == "add":
        items, node = _container(data, root, target, create=True)
        if node.max_items is not None and len(items) >= node.max_items:
            return field_id(target) + "-add"
        items.append(blank_item(node.each))
        return first_field_id(node.each, join(target, len(items) - 1))
    list_path, index = _split_item(target)
    items, node = _container(data, root, list_path)
    if index >= len(items):
        raise BadPath(target)
    if action == "remove":
        # The form offers no removal below the list's least number of entries (nor on a list of
        # a fixed length); a posted one changes nothing.
        if len(items) <= node.min_items:
            return first_field_id(node.item, join(list_path, index))
        del items[index]
        return field_id(list_path) + "-add"
    if action in ("up", "down"):
        other = index - 1 if action == "up" else index + 1
        if 0 <= other < len(items):
            items[index], items[other] = items[other], items[index]
            index = other
        moved = field_id(join(list_path, index))
        if action == "up":
            return moved + ("-up" if index > 0 else "-down")
        return moved + ("-down" if index < len(items) - 1 else "-up")
    raise BadPath(action)


def first_field_id(node: Node, path: str) -> str:
    """The id of the first input inside ``node`` (where the focus goes after "add")."""
    if node.kind == "object":
        for name, child in node.children.items():
            if child.kind != "list":
                return first_field_id(child, join(path, name))
        return field_id(path)
    if node.kind == "list":
        return field_id(path) + "-add"
    return field_id(path)
