"""Validation errors as a form shows them: plain Finnish, the field's own label first.

The schema's messages (schemas/fields.py) are written for every client, the API included
("Pakollinen tieto puuttuu."). A person at a form reads better "Syntymäaika puuttuu", so the
form builds its message from the field's label and the schema's message; a message the schema
already words for people ("Henkilötunnuksen tarkistusmerkki ei täsmää.") is shown as it is.
"""

from __future__ import annotations

import re

from schemas.fields import NULL, REQUIRED

from .fieldtree import Node
from .formdata import BadPath, node_at, parse_path


def item_name(list_node: Node) -> str:
    """One entry of a list in Finnish, capitalised: "Lapsi", or "Kohta" when the schema names none."""
    name = list_node.item_label or "kohta"
    return name[:1].upper() + name[1:]


def _number(message: str, default: str = "") -> list[str]:
    return re.findall(r"\d+", message) or [default]


def friendly(root: Node, path: str, message: str) -> str:
    """The message shown next to the field and in the error summary."""
    node, label, list_item = _describe(root, path)
    text = message.rstrip(".")
    if node is None:
        return text
    kind = node.kind
    if message in (REQUIRED, NULL, "Teksti ei voi olla tyhjä."):
        if list_item is not None:
            return f"{list_item} on tyhjä: kirjoita teksti tai poista kohta"
        if kind == "bool":
            return f"{label}: valitse Kyllä tai Ei"
        if kind == "list":
            return f"{label}: lisää vähintään yksi {node.item_label or 'kohta'}"
        return f"{label} puuttuu"
    if message.startswith("Odotettiin totuusarvoa"):
        return f"{label}: valitse Kyllä tai Ei"
    if message.startswith("Päivämäärä ei ole kelvollinen"):
        return f"{label} ei ole kelvollinen päivämäärä. Anna päivämäärä muodossa 7.3.2026"
    if message.startswith("Vuosiluku ei ole uskottava"):
        return f"{label}: tarkista vuosiluku"
    if message.startswith("Odotettiin kokonaislukua"):
        return f"{label} on annettava kokonaislukuna, esimerkiksi 1"
    if message.startswith("Arvon on oltava välillä"):
        return f"{label}: {text[0].lower()}{text[1:]}"
    if message.startswith("Teksti on liian pitkä"):
        return f"{list_item or label} on liian pitkä: enintään {_number(message)[0]} merkkiä"
    if message.startswith("Luettelossa on oltava"):
        low = _number(message, "1")[0]
        return f"{label}: lisää vähintään {low}" if low != "1" else \
            f"{label}: lisää vähintään yksi {node.item_label or 'kohta'}"
    if message.startswith("Luettelossa voi olla enintään"):
        return f"{label}: enintään {_number(message)[0]} kohtaa"
    if message.startswith("Sallitut arvot"):
        return f"{label}: valitse vaihtoehto luettelosta"
    if message.startswith("Kielikoodi ei ole tunnettu"):
        return f"{label}: valitse kieli luettelosta"
    if message.startswith("Rivinvaihto tai sarkain"):
        return f"{label}: kirjoita teksti yhdelle riville"
    if message.startswith("Sähköpostiosoite ei ole kelvollinen"):
        return f"{label} ei ole kelvollinen sähköpostiosoite, esimerkiksi etunimi.sukunimi@hel.fi"
    if message.startswith("Puhelinnumero ei ole kelvollinen"):
        return f"{label} ei ole kelvollinen puhelinnumero, esimerkiksi +358 9 310 12345"
    if message.startswith(("Teksti sisältää merkin", "Odotettiin tekstiä")):
        return f"{label}: {text[0].lower()}{text[1:]}"
    return text


def context(root: Node, path: str) -> str:
    """Where a field is, for the error summary: "Lapsi 2" or "Huoltaja tai vanhempi 1, Postiosoite"."""
    try:
        tokens = parse_path(path)
    except BadPath:
        return ""
    parts, node, current = [], root, ""
    for position, token in enumerate(tokens[:-1]):
        if isinstance(token, int):
            parts.append(f"{item_name(node)} {token + 1}")
            node = node.item
            current = f"{current}[{token}]"
            continue
        node = node.children.get(token) if node.kind == "object" else None
        if node is None:
            return ", ".join(parts)
        current = f"{current}.{token}" if current else token
        # A list's own label is said by its entries ("Lapsi 2"); an object's label is its place.
        if node.kind == "object" and not isinstance(tokens[position + 1], int):
            parts.append(node.label)
    return ", ".join(p for p in parts if p)


def _describe(root: Node, path: str):
    """(node, label, list-entry name) of the field at ``path``; the entry name is set for an
    entry of a list of plain texts ("Käsiteltävä asia 3")."""
    if not path:
        return None, "", None
    try:
        node = node_at(root, path)
    except BadPath:
        return None, "", None
    tokens = parse_path(path)
    if isinstance(tokens[-1], int):
        parent = node_at(root, path[: path.rindex("[")])
        entry = f"{item_name(parent)} {tokens[-1] + 1}"
        return node, entry, entry if node.kind != "object" else None
    return node, node.label, None
