"""Field types shared by every document schema.

Each field carries its Finnish label (``title``) and help text (``description``) in its
metadata: the same metadata feeds validation messages, the JSON Schema/OpenAPI document and
the field catalogue, so nothing about a field is written twice.
"""

from __future__ import annotations

import datetime as dt
import re

from babel import Locale
from marshmallow import RAISE, Schema, ValidationError, fields, validate, validates_schema
from marshmallow.utils import is_collection

from .hetu import HETU_LIKE_RE, HetuError, parse_hetu
from .i18n import Msg, Plural

# XML 1.0 allows TAB, LF, CR and the ranges below; anything else cannot go into a .docx.
_XML_ILLEGAL = re.compile("[^\t\n\r\u0020-\ud7ff\ue000-\ufffd\U00010000-\U0010ffff]")

# Line and paragraph separators other than LF (NEL, LS, PS): a line break where one is allowed.
_OTHER_BREAKS = re.compile("[\u0085\u2028\u2029]")
# C1 controls (except NEL, a line break) and the bidirectional overrides and isolates.
_HIDDEN = re.compile("[\u0080-\u0084\u0086-\u009f\u202a-\u202e\u2066-\u2069]")

NAME_MAX = 100
SHORT_MAX = 200
LONG_MAX = 4000
LIST_MAX = 30

REQUIRED = Msg("Pakollinen tieto puuttuu.")
NULL = Msg("Tieto ei voi olla tyhjä (null).")

# The schemas' own messages a form rewords (service/pages/formerrors.py imports these: the
# message object is the rule's key, so a reworded message keeps its friendly form).
NOT_TEXT = Msg("Odotettiin tekstiä.")
ONE_LINE = Msg("Rivinvaihto tai sarkain ei ole sallittu tässä kentässä.")
EMPTY_TEXT = Msg("Teksti ei voi olla tyhjä.")
BAD_DATE = Msg("Päivämäärä ei ole kelvollinen: käytä muotoa VVVV-KK-PP ja todellista päivää.")
BAD_DATE_FORMAT = Msg("Päivämäärä ei ole kelvollinen.")
BAD_YEAR = Msg("Vuosiluku ei ole uskottava.")
NOT_BOOLEAN = Msg("Odotettiin totuusarvoa true tai false.")
NOT_INTEGER = Msg("Odotettiin kokonaislukua.")
BAD_EMAIL = Msg("Sähköpostiosoite ei ole kelvollinen.")
BAD_PHONE = Msg("Puhelinnumero ei ole kelvollinen (esim. +358 9 310 12345).")
OUT_OF_RANGE = Msg("Arvon on oltava välillä {min}–{max}.")
NOT_A_CHOICE = Msg("Sallitut arvot: {choices}.")
UNKNOWN_LANGUAGE_CODE = Msg("Kielikoodi ei ole tunnettu ISO 639 -koodi (esim. fi, sv, en, so, ar, se).")
# Spec §5.4: a henkilötunnus only where it is needed, in its own field (the agreement's file copy);
# never typed into a text, which may reach the relatives' copy, a letter or the network map.
NO_IDENTITY_CODE = Msg("Henkilötunnusta ei kirjoiteta tekstiin. Poista tunnus: se tulostuu vain "
                       "toimeksiantosopimuksen arkistokappaleeseen, omaan kenttäänsä.")
NOT_IN_WORD = Msg("Teksti sisältää merkin {code}, jota ei voi tallentaa Word-asiakirjaan.")


def across_fields(method):
    """A rule across a schema's fields, run even when some of its fields failed their own rules,
    so that a case's every problem is reported at once (marshmallow skips a schema's rules after
    a field error by default). The rule is given the values that passed and the object as sent
    (``original_data``): a key may be absent because it failed (:func:`failed`), and a list's
    entry may be incomplete or None (:func:`entries`)."""
    return validates_schema(skip_on_field_errors=False, pass_original=True)(method)


def entries(data: dict, original, key: str) -> list[tuple[int, dict, dict]]:
    """(index, entry that passed its own rules as far as it did, entry as sent) of the list
    ``key``, for the entries that are objects on both sides."""
    passed = data.get(key)
    sent = original.get(key) if isinstance(original, dict) else None
    if not isinstance(passed, list) or not isinstance(sent, list):
        return []
    return [(index, entry, raw) for index, (entry, raw) in enumerate(zip(passed, sent))
            if isinstance(entry, dict) and isinstance(raw, dict)]


def failed(data: dict, original, key: str) -> bool:
    """``key`` was sent but did not pass its own rules (it is reported already, and a rule across
    fields must not read its absence as "not given")."""
    return isinstance(original, dict) and key in original and key not in data


class StrictSchema(Schema):
    """Base for every schema: unknown keys are errors, messages are in Finnish."""

    class Meta:
        unknown = RAISE

    error_messages = {
        "unknown": Msg("Tuntematon kenttä. Tarkista kentän nimi."),
        "type": Msg("Odotettiin JSON-objektia."),
    }


def _meta(label: str, help: str | None, extra: dict | None = None) -> dict:
    """``x-plural``: the label is a plural noun ("Etunimet", "First names"), so a message about the
    field agrees with it ("Etunimet puuttuvat")."""
    meta = {"title": label}
    if help:
        meta["description"] = help
    if extra:
        meta.update(extra)
    return meta


def _common(label, help, required, extra=None):
    return {
        "required": required,
        "allow_none": False,
        "metadata": _meta(label, help, extra),
        "error_messages": {"required": REQUIRED, "null": NULL},
    }


def _xml_message(char: str) -> str:
    return NOT_IN_WORD.format(code=f"U+{ord(char):04X}")


class Text(fields.String):
    """Single-line text: trimmed, no line breaks, no XML-illegal characters."""

    multiline = False
    default_error_messages = {"invalid": NOT_TEXT, "invalid_utf8": Msg("Teksti ei ole kelvollista UTF-8:aa.")}

    def _deserialize(self, value, attr, data, **kwargs):
        if not isinstance(value, str):
            raise self.make_error("invalid")
        text = value.replace("\r\n", "\n").replace("\r", "\n").strip()
        bad = _XML_ILLEGAL.search(text)
        if bad:
            raise ValidationError(_xml_message(bad.group()))
        hidden = _HIDDEN.search(text)
        if hidden:
            # Direction overrides can make a printed text read otherwise than it was typed, and C1
            # controls print as nothing: refused in every field.
            raise ValidationError(Msg("Teksti sisältää näkymättömän ohjausmerkin {code}, jota ei sallita.").format(
                code=f"U+{ord(hidden.group()):04X}"))
        if self.multiline:
            text = _OTHER_BREAKS.sub("\n", text)
        if not self.multiline and ("\n" in text or "\t" in text or _OTHER_BREAKS.search(text)):
            raise ValidationError(ONE_LINE)
        if not text:
            raise ValidationError(EMPTY_TEXT)
        if HETU_LIKE_RE.search(text):
            raise ValidationError(NO_IDENTITY_CODE)
        return text


class LongText(Text):
    """Multi-line text; line breaks become line breaks in the document."""

    multiline = True


class HetuField(Text):
    """Henkilötunnus with checksum and every century sign in force since 2023."""

    def _deserialize(self, value, attr, data, **kwargs):
        text = value if isinstance(value, str) else None
        if text is None:
            raise self.make_error("invalid")
        if text != text.strip() or " " in text:
            raise ValidationError(Msg("Henkilötunnuksessa ei saa olla välilyöntejä."))
        try:
            return parse_hetu(text).code
        except HetuError as exc:
            raise ValidationError(exc.args[0]) from None


class Date(fields.Date):
    default_error_messages = {
        "invalid": BAD_DATE,
        "format": BAD_DATE_FORMAT,
    }

    def _deserialize(self, value, attr, data, **kwargs):
        if not isinstance(value, str) or not re.fullmatch(r"\d{4}-\d{2}-\d{2}", value):
            raise self.make_error("invalid")
        date = super()._deserialize(value, attr, data, **kwargs)
        if not (1850 <= date.year <= 2150):
            raise ValidationError(BAD_YEAR)
        return date


class ClockTime(fields.Time):
    """A time of day as HH:MM (24-hour clock, Helsinki time)."""

    default_error_messages = {"invalid": Msg("Kellonaika ei ole kelvollinen: käytä muotoa TT:MM, esim. 09:30.")}

    def _deserialize(self, value, attr, data, **kwargs):
        if not isinstance(value, str) or not re.fullmatch(r"([01]\d|2[0-3]):[0-5]\d", value):
            raise self.make_error("invalid")
        return dt.time.fromisoformat(value)

    def _serialize(self, value, attr, obj, **kwargs):
        return None if value is None else value.strftime("%H:%M")


class Boolean(fields.Boolean):
    """Only JSON true/false: "yes", 1 or "false" are refused rather than guessed."""

    truthy = {True}
    falsy = {False}
    default_error_messages = {"invalid": NOT_BOOLEAN}

    def _deserialize(self, value, attr, data, **kwargs):
        if not isinstance(value, bool):
            raise self.make_error("invalid")
        return value


class Integer(fields.Integer):
    default_error_messages = {"invalid": NOT_INTEGER, "too_large": Msg("Luku on liian suuri.")}

    def __init__(self, **kwargs):
        super().__init__(strict=True, **kwargs)

    def _deserialize(self, value, attr, data, **kwargs):
        if isinstance(value, bool):
            raise self.make_error("invalid")
        return super()._deserialize(value, attr, data, **kwargs)


class Nested(fields.Nested):
    default_error_messages = {"type": Msg("Odotettiin JSON-objektia.")}


class List(fields.List):
    default_error_messages = {"invalid": Msg("Odotettiin luetteloa (JSON-taulukko).")}

    def _deserialize(self, value, attr, data, **kwargs):
        """As marshmallow's, but an entry that failed stays in its place as None (marshmallow
        drops it), so that a rule across fields still finds entry ``i`` at index ``i``."""
        if not is_collection(value):
            raise self.make_error("invalid")
        result, errors = [], {}
        for index, each in enumerate(value):
            try:
                result.append(self.inner.deserialize(each, **kwargs))
            except ValidationError as error:
                result.append(error.valid_data if isinstance(error.valid_data, dict) else None)
                errors[index] = error.messages
        if errors:
            raise ValidationError(errors, valid_data=result)
        return result


# ---------------------------------------------------------------------------------------------
# Constructors used by the schemas. They keep the label next to the field and apply the length
# caps in one place.


def text(label, help=None, *, required=False, max_length=SHORT_MAX, example=None, plural=False):
    return Text(validate=_length(max_length), **_common(label, help, required, {**_ex(example), **_plural(plural)}))


def long_text(label, help=None, *, required=False, max_length=LONG_MAX, example=None, plural=False):
    extra = {"x-widget": "textarea"}
    extra.update(_ex(example))
    extra.update(_plural(plural))
    return LongText(validate=_length(max_length), **_common(label, help, required, extra))


def hetu(label="Henkilötunnus", help=None, *, required=False):
    return HetuField(**_common(label, help, required, {"x-widget": "hetu", "pattern": r"^\d{6}[-+A-FU-Y]\d{3}[0-9A-FHJ-NPR-Y]$"}))


# Examples the forms give with an address or number that is not valid (Finnish message ids,
# translated: a worker's address is the city's, a family member's is their own).
WORK_EMAIL_EXAMPLE = "etunimi.sukunimi@hel.fi"
PRIVATE_EMAIL_EXAMPLE = "nimi@esimerkki.fi"
WORK_PHONE_EXAMPLE = "+358 9 310 12345"
PRIVATE_PHONE_EXAMPLE = "+358 40 123 4567"


def email(label, help=None, *, required=False, example=PRIVATE_EMAIL_EXAMPLE):
    return Text(
        validate=[_length(254), validate.Email(error=BAD_EMAIL)],
        **_common(label, help, required, {"format": "email", "x-widget": "email", "example": example}),
    )


PHONE_RE = r"^\+?[0-9][0-9 ()-]{4,24}$"


def phone(label, help=None, *, required=False, example=PRIVATE_PHONE_EXAMPLE):
    return Text(
        validate=validate.Regexp(PHONE_RE, error=BAD_PHONE),
        **_common(label, help, required, {"x-widget": "tel", "pattern": PHONE_RE, "example": example}),
    )


def date(label, help=None, *, required=False):
    return Date(**_common(label, help, required))


def clock_time(label, help=None, *, required=False):
    return ClockTime(**_common(label, help, required, {"x-widget": "time", "example": "09:30"}))


def boolean(label, help=None, *, required=False, default=None):
    kwargs = _common(label, help, required and default is None)
    if default is not None:
        kwargs["load_default"] = default
    return Boolean(**kwargs)


def integer(label, help=None, *, required=False, minimum=None, maximum=None, default=None):
    kwargs = _common(label, help, required and default is None)
    if default is not None:
        kwargs["load_default"] = default
    rng = validate.Range(min=minimum, max=maximum, error=OUT_OF_RANGE)
    return Integer(validate=rng, **kwargs)


def choice(label, choices: Choices, help=None, *, required=False, default=None):
    kwargs = _common(label, help, required and default is None, {"x-choices": choices.name})
    if default is not None:
        kwargs["load_default"] = default
    return Text(validate=validate.OneOf(choices.codes, error=NOT_A_CHOICE), **kwargs)


def nested(schema, label, help=None, *, required=False):
    return Nested(schema, **_common(label, help, required))


def listing(inner, label, help=None, *, required=False, min_items=0, max_items=LIST_MAX, default_empty=True,
            item=None):
    """A list; optional lists default to empty so templates can test them with ``if``.

    ``item`` names one entry in Finnish ("lapsi"): the forms say "Lisää lapsi", "Poista lapsi 2".
    """
    kwargs = _common(label, help, required, {"x-item-label": item} if item else None)
    if not required and default_empty:
        kwargs["load_default"] = list
    return List(inner, validate=_items(min_items, max_items), **kwargs)


def nested_item(schema):
    """A nested object inside a list (its label is the list's)."""
    return Nested(schema, error_messages={"required": REQUIRED, "null": NULL})


def text_list(label, help=None, *, required=False, min_items=0, max_items=LIST_MAX, item_max=1000, item=None):
    inner = LongText(validate=_length(item_max), error_messages={"null": Msg("Tyhjä kohta ei ole sallittu.")})
    return listing(inner, label, help, required=required, min_items=min_items, max_items=max_items, item=item)


_LANGUAGE_CODES = sorted(Locale("fi").languages)


def language_code(label, help=None, *, required=False, default=None):
    kwargs = _common(label, help, required and default is None, {"x-widget": "language"})
    if default is not None:
        kwargs["load_default"] = default
    error = UNKNOWN_LANGUAGE_CODE
    return Text(validate=validate.OneOf(_LANGUAGE_CODES, error=error), **kwargs)


def _ex(example):
    return {"example": example} if example is not None else {}


def _plural(plural: bool) -> dict:
    return {"x-plural": True} if plural else {}


# Messages with a count, in the plural form the count asks for (schemas.i18n.Plural).
TOO_LONG = Plural("Teksti on liian pitkä (enintään {max} merkki).", "Teksti on liian pitkä (enintään {max} merkkiä).",
                  count="max")
LIST_EXACTLY = Plural("Luettelossa on oltava tasan {equal} kohta.", "Luettelossa on oltava tasan {equal} kohtaa.",
                      count="equal")
LIST_BETWEEN = Plural("Luettelossa on oltava {min}–{max} kohta.", "Luettelossa on oltava {min}–{max} kohtaa.",
                      count="max")
LIST_AT_MOST = Plural("Luettelossa voi olla enintään {max} kohta.", "Luettelossa voi olla enintään {max} kohtaa.",
                      count="max")


def _length(maximum):
    return validate.Length(max=maximum, error=TOO_LONG)


def _items(minimum, maximum):
    if minimum and minimum == maximum:
        return validate.Length(equal=minimum, error=LIST_EXACTLY)
    return validate.Length(min=minimum, max=maximum, error=LIST_BETWEEN if minimum else LIST_AT_MOST)


class Choices:
    """A closed list of codes with their Finnish labels; codes are what JSON carries."""

    registry: dict[str, Choices] = {}

    def __init__(self, name: str, labels: dict[str, str]):
        self.name = name
        self.labels = dict(labels)
        self.codes = list(labels)
        Choices.registry[name] = self


def age_on(birth_date: dt.date, on: dt.date) -> int:
    """Completed years on a given day (a 29 February birthday counts on 1 March)."""
    years = on.year - birth_date.year
    if (on.month, on.day) < (birth_date.month, birth_date.day):
        years -= 1
    return years
