"""Validation errors as a form shows them: plain words, the field's own label first, in the
page's language.

The schema's messages (schemas/fields.py) are written for every client, the API included
("Pakollinen tieto puuttuu."). A person at a form reads better "Syntymäaika puuttuu", so the
form builds its message from the field's label and the schema's message; a message the schema
already words for people ("Henkilötunnuksen tarkistusmerkki ei täsmää.") is shown as it is.

The schema's messages arrive already in the page's language (``schemas.i18n.current()``), so a
rule recognises its message by the message's Finnish id *as translated into that language*
(:func:`_matches`); a message no rule knows is shown as it came, translated all the same.
"""

from __future__ import annotations

import re

from schemas import fields
from schemas.fields import LIST_AT_MOST, LIST_BETWEEN, LIST_EXACTLY, NULL, REQUIRED, TOO_LONG
from schemas.i18n import DEFAULT, Msg, Plural, current, gettext, translate
from schemas.i18n import gettext as _
from service.fieldtree import Node
from service.pages.formdata import BadPath, node_at, parse_path

# The schema's messages each rule rewrites, imported from schemas/fields.py (never copied: a
# reworded message keeps its rule). {name} is a value marshmallow fills in.
EMPTY = (REQUIRED, NULL, fields.EMPTY_TEXT)
NOT_BOOLEAN = (fields.NOT_BOOLEAN,)
BAD_DATE = (fields.BAD_DATE, fields.BAD_DATE_FORMAT)
BAD_YEAR = (fields.BAD_YEAR,)
NOT_INTEGER = (fields.NOT_INTEGER,)
OUT_OF_RANGE = (fields.OUT_OF_RANGE,)
NOT_A_CHOICE = (fields.NOT_A_CHOICE,)
UNKNOWN_LANGUAGE = (fields.UNKNOWN_LANGUAGE_CODE,)
ONE_LINE = (fields.ONE_LINE,)
BAD_EMAIL = (fields.BAD_EMAIL,)
BAD_PHONE = (fields.BAD_PHONE,)
AS_IS_WITH_LABEL = (fields.NOT_IN_WORD, fields.NOT_TEXT)

# Messages that become one sentence about the field, named by its label.
LABEL_RULES: tuple[tuple[tuple[str, ...], Msg], ...] = (
    (NOT_BOOLEAN, Msg("{label}: valitse Kyllä tai Ei")),
    (BAD_DATE, Msg("{label} ei ole kelvollinen päivämäärä. Anna päivämäärä muodossa 7.3.2026")),
    (BAD_YEAR, Msg("{label}: tarkista vuosiluku")),
    (NOT_INTEGER, Msg("{label} on annettava kokonaislukuna, esimerkiksi 1")),
    (NOT_A_CHOICE, Msg("{label}: valitse vaihtoehto luettelosta")),
    (UNKNOWN_LANGUAGE, Msg("{label}: valitse kieli luettelosta")),
    (ONE_LINE, Msg("{label}: kirjoita teksti yhdelle riville")),
)
# Messages that name an example of a valid value: the field's own (schemas.fields), so that a
# family member is not offered a city address.
EXAMPLE_RULES = (
    (BAD_EMAIL, Msg("{label} ei ole kelvollinen sähköpostiosoite, esimerkiksi {example}")),
    (BAD_PHONE, Msg("{label} ei ole kelvollinen puhelinnumero, esimerkiksi {example}")),
)

# Counted words in the plural form of the page's language ("enintään 1 kohta", "enintään 5 kohtaa").
TOO_LONG_FIELD = Plural("{label} on liian pitkä: enintään {max} merkki", "{label} on liian pitkä: enintään {max} merkkiä",
                        count="max")
TOO_LONG_PLURAL_FIELD = Plural("{label} ovat liian pitkät: enintään {max} merkki",
                               "{label} ovat liian pitkät: enintään {max} merkkiä", count="max")
LIST_EXACTLY_FIELD = Plural("{label}: oltava tasan {count} kohta", "{label}: oltava tasan {count} kohtaa")
LIST_AT_MOST_FIELD = Plural("{label}: enintään {max} kohta", "{label}: enintään {max} kohtaa", count="max")

_PLACEHOLDER = re.compile(r"\\\{(\w+)\\\}")
_PATTERNS: dict[tuple[str, str], list[re.Pattern]] = {}


def _patterns(message_id: str, lang: str) -> list[re.Pattern]:
    """The message in ``lang`` as patterns that capture its values: one per plural form."""
    key = (message_id, lang)
    if key not in _PATTERNS:
        texts = message_id.forms(lang) if isinstance(message_id, Plural) else [gettext(message_id, lang)]
        _PATTERNS[key] = [re.compile(_PLACEHOLDER.sub(lambda m: f"(?P<{m.group(1)}>.+?)", re.escape(text)))
                          for text in texts]
    return _PATTERNS[key]


def _matches(message: str, ids: tuple[str, ...]) -> dict | None:
    """The values of the first id that ``message`` is (in the page's language or in Finnish)."""
    for lang in dict.fromkeys((current(), DEFAULT)):
        for message_id in ids:
            for pattern in _patterns(message_id, lang):
                match = pattern.fullmatch(message.strip())
                if match:
                    return match.groupdict()
    return None


def item_name(list_node: Node) -> str:
    """One entry of a list in the page's language, capitalised: "Lapsi", or "Kohta" when the
    schema names none."""
    name = gettext(list_node.item_label) if list_node.item_label else _("kohta")
    return name[:1].upper() + name[1:]


def _item_lower(list_node: Node) -> str:
    return gettext(list_node.item_label) if list_node.item_label else _("kohta")


def _first_number(values: dict, default: str = "") -> str:
    """The first number among a message's values (its placeholders, in their order)."""
    found = re.findall(r"\d+", " ".join(values.values()))
    return found[0] if found else default


def friendly(root: Node, path: str, message: str) -> str:
    """The message shown next to the field and in the error summary."""
    message = translate(message)  # a message may still be a Msg (schemas.i18n): in the page's language
    node, label, list_item = _describe(root, path)
    text = message.rstrip(".")
    if node is None:
        return text
    kind = node.kind
    if _matches(message, EMPTY) is not None:
        if list_item is not None:
            return _("{item} on tyhjä: kirjoita teksti tai poista kohta").format(item=list_item)
        if kind == "bool":
            return _("{label}: valitse Kyllä tai Ei").format(label=label)
        if kind == "list":
            return _("{label}: lisää vähintään yksi {item}").format(label=label, item=_item_lower(node))
        if node.plural:
            return _("{label} puuttuvat").format(label=label)
        return _("{label} puuttuu").format(label=label)
    for ids, wording in LABEL_RULES:
        if _matches(message, ids) is not None:
            return wording.format(label=label)
    for ids, wording in EXAMPLE_RULES:
        if _matches(message, ids) is not None and node.example:
            return wording.format(label=label, example=gettext(node.example))
    if (values := _matches(message, (TOO_LONG,))) is not None:
        wording = TOO_LONG_PLURAL_FIELD if node.plural and list_item is None else TOO_LONG_FIELD
        return wording.format(label=list_item or label, max=int(_first_number(values, "0")))
    if (values := _matches(message, (LIST_EXACTLY,))) is not None:
        return LIST_EXACTLY_FIELD.format(label=label, count=int(_first_number(values, "0")))
    if (values := _matches(message, (LIST_BETWEEN,))) is not None:
        low = _first_number(values, "1")
        if low != "1":
            return _("{label}: lisää vähintään {count}").format(label=label, count=low)
        return _("{label}: lisää vähintään yksi {item}").format(label=label, item=_item_lower(node))
    if (values := _matches(message, (LIST_AT_MOST,))) is not None:
        return LIST_AT_MOST_FIELD.format(label=label, max=int(_first_number(values, "0")))
    if _matches(message, OUT_OF_RANGE + AS_IS_WITH_LABEL) is not None:
        return _("{label}: {message}").format(label=label, message=text[:1].lower() + text[1:])
    return text


def context(root: Node, path: str) -> str:
    """Where a field is, for the error summary: "Lapsi 2" or "Huoltaja tai vanhempi 1, Postiosoite"."""
    try:
        tokens = parse_path(path)
    except BadPath:
        return ""
    parts, node = [], root
    for position, token in enumerate(tokens[:-1]):
        if isinstance(token, int):
            parts.append(f"{item_name(node)} {token + 1}")
            node = node.each
            continue
        child = node.children.get(token) if node.kind == "object" else None
        if child is None:
            return ", ".join(parts)
        node = child
        # A list's own label is said by its entries ("Lapsi 2"); an object's label is its place.
        if node.kind == "object" and not isinstance(tokens[position + 1], int):
            parts.append(gettext(node.label))
    return ", ".join(p for p in parts if p)


def _describe(root: Node, path: str):
    """(node, label, list-entry name) of the field at ``path`` in the page's language; the entry
    name is set for an entry of a list of plain texts ("Käsiteltävä asia 3")."""
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
    return node, gettext(node.label), None
