"""The shape of a document schema as a tree of fields.

Read by the template analysis (which variables exist), the context builder (which optional
keys to fill with empty values) and the field catalogue.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Iterator

from marshmallow import Schema, fields

from schemas.fields import Boolean, Date, Integer


@dataclass
class Node:
    kind: str  # "object", "list", "str", "date", "bool", "int"
    required: bool = False
    label: str = ""
    help: str = ""
    children: dict[str, "Node"] = field(default_factory=dict)
    item: "Node | None" = None
    choices: str | None = None

    def walk(self, path: str = "") -> Iterator[tuple[str, "Node"]]:
        """Every leaf path: ``children[].given_names``."""
        if self.kind == "object":
            for name, child in self.children.items():
                yield from child.walk(f"{path}.{name}" if path else name)
        elif self.kind == "list":
            yield from self.item.walk(f"{path}[]")
        else:
            yield path, self


def _schema_of(nested: fields.Nested) -> Schema:
    schema = nested.schema
    return schema


def tree(schema: Schema | type[Schema]) -> Node:
    if isinstance(schema, type):
        schema = schema()
    node = Node("object")
    for name, fld in schema.fields.items():
        node.children[name] = _field_node(fld)
    return node


def _field_node(fld: fields.Field) -> Node:
    meta = fld.metadata
    base = {"required": fld.required, "label": meta.get("title", ""), "help": meta.get("description", "")}
    if isinstance(fld, fields.Nested):
        node = tree(_schema_of(fld))
        node.required, node.label, node.help = base["required"], base["label"], base["help"]
        return node
    if isinstance(fld, fields.List):
        return Node("list", item=_field_node(fld.inner), **base)
    if isinstance(fld, Date):
        return Node("date", **base)
    if isinstance(fld, Boolean):
        return Node("bool", **base)
    if isinstance(fld, Integer):
        return Node("int", **base)
    return Node("str", choices=meta.get("x-choices"), **base)


def fill_absent(node: Node, data):
    """Return ``data`` with every absent optional key present (None), recursively.

    Templates can then test optional values with ``{% if … %}`` while an undefined name
    stays an error.
    """
    if node.kind == "object" and isinstance(data, dict):
        out = {}
        for name, child in node.children.items():
            value = data.get(name)
            out[name] = None if value is None else fill_absent(child, value)
        return out
    if node.kind == "list" and isinstance(data, list):
        return [fill_absent(node.item, v) for v in data]
    return data
