"""Opening a saved case JSON into a form, and carrying shared blocks between document types.

The same case goes through several documents: the agreement's children, guardians, social
worker and convener are the summary's and the follow-up summary's too. When a JSON saved from
one type is opened in the form of another, every top-level field whose name (or alias) and
shape match is kept; what does not fit is left out, and the user is told both.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any

from schemas.i18n import gettext
from schemas.i18n import gettext as _
from service.fieldtree import Node
from service.pages.formdata import ABSENT
from service.registry import DOCUMENT_TYPES, DocumentType

# The same person under another name: the agreement's responsible social worker writes the
# summaries as their author.
ALIASES = {"author": "social_worker", "social_worker": "author"}

# Fields that describe one document, not the case: a date, a version or the family's sharing
# decision copied from another document would be silently wrong in this one.
PER_DOCUMENT = {"document_date", "version", "sharing"}


@dataclass
class Opened:
    data: dict
    source: DocumentType | None  # None: the JSON's type could not be recognised
    carried: list[str] = field(default_factory=list)  # labels of what was kept (in the page's language)
    left_out: list[str] = field(default_factory=list)  # labels of what was not


def detect(payload: dict, preferred: DocumentType | None = None) -> DocumentType | None:
    """The type whose fields hold every key of ``payload`` (the preferred one first)."""
    keys = set(payload)
    candidates = ([preferred] if preferred else []) + [t for t in DOCUMENT_TYPES.values() if t is not preferred]
    for doc_type in candidates:
        if keys <= set(doc_type.fields.children):
            return doc_type
    return None


def open_into(target: DocumentType, payload: dict) -> Opened:
    source = detect(payload, preferred=target)
    root = target.fields
    if source is target:
        # The user's own saved form: a value the schema would refuse is still shown, to be fixed.
        data = prune(root, payload, strict=False)
        return Opened(data if isinstance(data, dict) else {}, target)
    opened = Opened({}, source)
    source_root = source.fields if source else None
    used = set()
    for name, node in root.children.items():
        if name in PER_DOCUMENT:
            continue
        source_name = name if name in payload else ALIASES.get(name)
        if source_name not in payload:
            continue
        value = payload[source_name]
        if name == "children":
            value = [reshape_child(node.each, child) for child in value] if isinstance(value, list) else value
        kept = prune(node, value)
        if kept is ABSENT or kept in ({}, []):
            continue
        opened.data[name] = kept
        used.add(source_name)
        label = gettext(node.label)
        if source_name != name and source_root and source_name in source_root.children:
            label = _("{label} (lähteessä: {source})").format(
                label=label, source=gettext(source_root.children[source_name].label))
        opened.carried.append(label)
    for name in payload:
        if name not in used:
            child = source_root.children.get(name) if source_root else None
            opened.left_out.append(gettext(child.label) if child else name)
    return opened


def reshape_child(target_item: Node, child: Any) -> Any:
    """A child between the agreement (full names) and the documents the relatives read
    (first name only): first_name = calling name or the first given name."""
    if not isinstance(child, dict):
        return child
    child = dict(child)
    names = target_item.children
    if "first_name" in names and "first_name" not in child and isinstance(child.get("given_names"), str):
        given = child["given_names"].split()
        child["first_name"] = child.get("calling_name") or (given[0] if given else "")
    if "given_names" in names and "given_names" not in child and isinstance(child.get("first_name"), str):
        child["given_names"] = child["first_name"]
    return child


def prune(node: Node, value: Any, strict: bool = True) -> Any:
    """``value`` with only what fits ``node``'s names and kinds; ABSENT when nothing fits.

    Not ``strict``: any JSON scalar is kept where the form has a field, whatever its kind.
    """
    if node.kind == "object":
        if not isinstance(value, dict):
            return ABSENT
        out = {}
        for name, child in node.children.items():
            if name in value:
                kept = prune(child, value[name], strict)
                if kept is not ABSENT:
                    out[name] = kept
        return out
    if node.kind == "list":
        if not isinstance(value, list):
            return ABSENT
        items = [prune(node.each, v, strict) for v in value]
        return [v for v in items if v is not ABSENT]
    if isinstance(value, (dict, list)) or value is None:
        return ABSENT
    if not strict:
        return value
    if node.kind == "bool":
        return value if isinstance(value, bool) else ABSENT
    if node.kind == "int":
        return value if isinstance(value, int) and not isinstance(value, bool) else ABSENT
    return value if isinstance(value, str) else ABSENT
