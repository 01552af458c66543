"""The shape of a document schema as a tree of fields.

Read by the template analysis (which variables exist), the context builder (which optional
keys to fill with empty values) and the field catalogue.
"""

from __future__ import annotations

from collections.abc import Iterator
from dataclasses import dataclass, field

from marshmallow import Schema, fields, missing, validate

from schemas.fields import Boolean, Date, Integer


@dataclass
class Node:
    kind: str  # "object", "list", "str", "date", "bool", "int"
    required: bool = False
    label: str = ""
    help: str = ""
    children: dict[str, Node] = field(default_factory=dict)
    item: Node | None = None
    choices: str | None = None
    # What the web forms need, read from the same field metadata and validators:
    widget: str | None = None  # metadata "x-widget": textarea, email, tel, hetu, language, time
    default: object = None  # load_default (None = no default); a callable is called
    min_items: int = 0
    max_items: int | None = None
    item_label: str = ""  # metadata "x-item-label": one entry of a list, in Finnish
    plural: bool = False  # metadata "x-plural": the label is a plural noun ("Etunimet")
    example: str | None = None  # metadata "example"
    max_length: int | None = None  # a text's length cap (its Length validator)
    # What a rendition or a protected person withholds from the template context (registry):
    contact: bool = False  # metadata "x-contact": a person's address, phone, e-mail or school
    network_hidden: bool = False  # metadata "x-network-hidden": never in the relatives' copy
    service_only: bool = False  # metadata "x-service-only": read by the service, never printed

    @property
    def each(self) -> Node:
        """The node of each entry of a list."""
        if self.item is None:
            raise TypeError(f"a {self.kind} node has no entries")
        return self.item

    def printable_leaves(self) -> set[str]:
        """Every leaf path a template may be expected to print (not the service's own markers)."""
        return {path for path, leaf in self.walk() if not leaf.service_only}

    def walk(self, path: str = "") -> Iterator[tuple[str, Node]]:
        """Every leaf path: ``children[].given_names``."""
        if self.kind == "object":
            for name, child in self.children.items():
                yield from child.walk(f"{path}.{name}" if path else name)
        elif self.kind == "list":
            yield from self.each.walk(f"{path}[]")
        else:
            yield path, self


def tree(schema: Schema | type[Schema]) -> Node:
    if isinstance(schema, type):
        schema = schema()
    node = Node("object")
    for name, fld in schema.fields.items():
        node.children[name] = _field_node(fld)
    return node


def _field_node(fld: fields.Field) -> Node:
    node = _node_of(fld)
    if fld.metadata.get("x-service-only"):  # a block the service reads is never printed, whole
        for _path, leaf in node.walk():
            leaf.service_only = True
    return node


def _node_of(fld: fields.Field) -> Node:
    meta = fld.metadata
    default = fld.load_default
    base = {"required": fld.required, "label": meta.get("title", ""), "help": meta.get("description", ""),
            "widget": meta.get("x-widget"), "default": None if default is missing else default,
            "contact": bool(meta.get("x-contact")), "network_hidden": bool(meta.get("x-network-hidden")),
            "service_only": bool(meta.get("x-service-only")),
            "plural": bool(meta.get("x-plural")), "example": meta.get("example")}
    lengths = [v for v in fld.validators if isinstance(v, validate.Length)]
    if isinstance(fld, fields.Nested):
        node = tree(fld.schema)
        node.required, node.label, node.help = base["required"], base["label"], base["help"]
        node.contact, node.network_hidden = base["contact"], base["network_hidden"]
        return node
    if isinstance(fld, fields.List):
        low = lengths[0].min if not lengths or lengths[0].equal is None else lengths[0].equal
        high = lengths[0].max if not lengths or lengths[0].equal is None else lengths[0].equal
        return Node("list", item=_field_node(fld.inner), item_label=meta.get("x-item-label", ""),
                    min_items=(low or 0) if lengths else 0, max_items=high if lengths else None, **base)
    if isinstance(fld, Date):
        return Node("date", **base)
    if isinstance(fld, Boolean):
        return Node("bool", **base)
    if isinstance(fld, Integer):
        return Node("int", **base)
    return Node("str", choices=meta.get("x-choices"), max_length=lengths[0].max if lengths else None, **base)


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
        return [fill_absent(node.each, v) for v in data]
    return data
