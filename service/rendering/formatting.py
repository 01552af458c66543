"""Jinja filters for the Word templates: dates, times, names and list labels in the document's
own language (fi, sv or en), formatted with Babel.

Every filter is pure and refuses what it cannot format, so a value is never silently printed
as a blank or as Python's own representation. A template is loaded for one language and its
environment gets that language's filters (:func:`filters`); the module-level functions print
Finnish unless given ``lang``.

    fi  25.1.2022   tiistai 25. tammikuuta 2022   1.–5.2.2022   1.2.2022 alkaen   klo 9.00   kyllä
    sv  25.1.2022   tisdag 25 januari 2022        1–5.2.2022    från 1.2.2022     kl. 9.00   ja
    en  25 January 2022   Tuesday 25 January 2022   1–5 February 2022   from 1 February 2022   9:00   yes
"""

from __future__ import annotations

import datetime as dt
import functools
import re
from collections.abc import Callable
from typing import Any

from babel import Locale
from babel.dates import format_date, format_time

from schemas.fields import Choices, age_on
from schemas.i18n import DEFAULT, Msg, gettext, known_language

# Finland's Swedish and the English of a British-style official letter.
LOCALES = {"fi": Locale.parse("fi_FI"), "sv": Locale.parse("sv_FI"), "en": Locale.parse("en_GB")}
LOCALE = LOCALES["fi"]

DATE = {"fi": "d.M.yyyy", "sv": "d.M.yyyy", "en": "d MMMM y"}
DATE_LONG = {"fi": "cccc d. MMMM y", "sv": "EEEE d MMMM y", "en": "EEEE d MMMM y"}
TIME = {"fi": "'klo' H.mm", "sv": "'kl.' H.mm", "en": "H:mm"}
OPEN_RANGE = {"fi": "{start} alkaen", "sv": "från {start}", "en": "from {start}"}
YES_NO = {"fi": ("kyllä", "ei"), "sv": ("ja", "nej"), "en": ("yes", "no")}


class FormatError(ValueError):
    """A value reached a filter that cannot print it; the message is a :class:`Msg`."""


def _as_date(value: Any) -> dt.date:
    if isinstance(value, dt.datetime):
        return value.date()
    if isinstance(value, dt.date):
        return value
    if isinstance(value, str):
        try:
            return dt.date.fromisoformat(value)
        except ValueError:
            pass
    raise FormatError(Msg("Arvo ei ole päivämäärä."))


def _lang(lang: str) -> str:
    return known_language(lang)


def date(value: Any, lang: str = DEFAULT) -> str:
    """25.1.2022 (fi, sv), 25 January 2022 (en)"""
    if value is None:
        return ""
    return format_date(_as_date(value), DATE[_lang(lang)], locale=LOCALES[lang])


def date_long(value: Any, lang: str = DEFAULT) -> str:
    """tiistai 25. tammikuuta 2022, tisdag 25 januari 2022, Tuesday 25 January 2022"""
    if value is None:
        return ""
    return format_date(_as_date(value), DATE_LONG[_lang(lang)], locale=LOCALES[lang])


def date_range(value: Any, lang: str = DEFAULT) -> str:
    """A compact range with an en dash, or an open one:

    fi 1.–5.2.2022, 30.1.–5.2.2022, 30.12.2021–5.1.2022, 1.2.2022 alkaen
    sv 1–5.2.2022, 30.1–5.2.2022, 30.12.2021–5.1.2022, från 1.2.2022
    en 1–5 February 2022, 30 January – 5 February 2022, from 1 February 2022
    """
    if value is None:
        return ""
    if not isinstance(value, dict) or "start" not in value:
        raise FormatError(Msg("Arvo ei ole aikaväli."))
    lang = _lang(lang)
    start = _as_date(value["start"])
    end = value.get("end")
    if end is None:
        return OPEN_RANGE[lang].format(start=date(start, lang))
    end = _as_date(end)
    if start == end:
        return date(start, lang)
    same_month = start.year == end.year and start.month == end.month
    if lang == "en":
        if same_month:
            return f"{start.day}\u2013{date(end, lang)}"
        if start.year == end.year:
            left = format_date(start, "d MMMM", locale=LOCALES[lang])
        else:
            left = date(start, lang)
        return f"{left} \u2013 {date(end, lang)}"
    dot = "." if lang == "fi" else ""  # Finnish ordinal dot: 1.–5.2.; Swedish writes 1–5.2.
    if same_month:
        left = f"{start.day}{dot}"
    elif start.year == end.year:
        left = f"{start.day}.{start.month}{dot}"
    else:
        left = date(start, lang)
    return f"{left}\u2013{date(end, lang)}"


def time(value: Any, lang: str = DEFAULT) -> str:
    """klo 9.00, kl. 9.00, 9:00"""
    if value is None:
        return ""
    if isinstance(value, str):
        try:
            value = dt.time.fromisoformat(value)
        except ValueError:
            raise FormatError(Msg("Arvo ei ole kellonaika.")) from None
    if isinstance(value, dt.datetime):
        value = value.time()
    if not isinstance(value, dt.time):
        raise FormatError(Msg("Arvo ei ole kellonaika."))
    return format_time(value, TIME[_lang(lang)], locale=LOCALES[lang])


def time_range(start: Any, end: Any = None, lang: str = DEFAULT) -> str:
    """klo 9.00–13.00, kl. 9.00–13.00, 9:00–13:00 (the clock word once)."""
    if start is None:
        return ""
    if end is None:
        return time(start, lang)
    bare = time(end, lang).split(" ")[-1]
    return f"{time(start, lang)}\u2013{bare}"


def full_name(person: Any, lang: str = DEFAULT) -> str:
    """All given names and the surname: "Aino Maria Virtanen"."""
    if person is None:
        return ""
    if not isinstance(person, dict) or "surname" not in person:
        raise FormatError(Msg("Arvo ei ole henkilö."))
    return f"{person['given_names']} {person['surname']}"


def calling_name(person: Any, lang: str = DEFAULT) -> str:
    """The calling name (or the first given name) and the surname: "Maria Virtanen"."""
    if person is None:
        return ""
    if not isinstance(person, dict) or "surname" not in person:
        raise FormatError(Msg("Arvo ei ole henkilö."))
    first = person.get("calling_name") or person["given_names"].split()[0]
    return f"{first} {person['surname']}"


def address(value: Any, lang: str = DEFAULT) -> str:
    """Katu 1 A 2, 00940 Helsinki (and the country when not Finland), as the family wrote it."""
    if value is None:
        return ""
    if not isinstance(value, dict) or "street" not in value:
        raise FormatError(Msg("Arvo ei ole postiosoite."))
    text = f"{value['street']}, {value['postal_code']} {value['post_office']}"
    if value.get("country"):
        text += f", {value['country']}"
    return text


@functools.cache
def _labels() -> dict[str, str]:
    labels: dict[str, str] = {}
    for choices in Choices.registry.values():
        for code, label_text in choices.labels.items():
            if labels.setdefault(code, label_text) != label_text:
                raise RuntimeError(f"code {code!r} has two labels")
    return labels


def label(code: Any, lang: str = DEFAULT) -> str:
    """The label of a list code in the document's language: ``in_use`` → "käytössä", "i bruk"."""
    if code is None:
        return ""
    try:
        finnish = _labels()[code]
    except (KeyError, TypeError):
        raise FormatError(Msg("Arvolle ei ole selitettä.")) from None
    return gettext(finnish, _lang(lang))


def language_name(code: Any, lang: str = DEFAULT) -> str:
    """ISO 639 code → the language's name: ``so`` → "somali" (fi), "somaliska" (sv), "Somali" (en)."""
    if code is None:
        return ""
    try:
        return LOCALES[_lang(lang)].languages[code]
    except (KeyError, TypeError):
        raise FormatError(Msg("Tuntematon kielikoodi.")) from None


def age(birth_date: Any, on: Any = None, lang: str = DEFAULT) -> int:
    """Completed years on ``on`` (default: today)."""
    return age_on(_as_date(birth_date), _as_date(on) if on is not None else dt.date.today())


# The unit words of an age, by Babel's plural category of the number (CLDR): Finnish and Swedish
# abbreviate as Helsinki's documents do, English writes the word out.
AGE_UNITS: dict[str, dict[str, Any]] = {
    "fi": {"year": {"other": "v."}, "month": {"other": "kk"}, "under": "alle 1 kk"},
    "sv": {"year": {"other": "år"}, "month": {"other": "mån."}, "under": "under 1 mån."},
    "en": {"year": {"one": "year", "other": "years"}, "month": {"one": "month", "other": "months"},
           "under": "under 1 month"},
}


def age_text(birth_date: Any, on: Any = None, lang: str = DEFAULT) -> str:
    """The age as a document prints it: completed years (13 v., 13 år, 13 years), and for a
    child under one completed months (4 kk, 4 mån., 4 months; 1 month)."""
    lang = _lang(lang)
    born = _as_date(birth_date)
    day = _as_date(on) if on is not None else dt.date.today()
    years = age_on(born, day)
    if years >= 1:
        number, unit = years, "year"
    else:
        number = (day.year - born.year) * 12 + day.month - born.month - (day.day < born.day)
        unit = "month"
        if number < 1:
            return AGE_UNITS[lang]["under"]
    words = AGE_UNITS[lang][unit]
    return f"{number} {words.get(LOCALES[lang].plural_form(number), words['other'])}"


def yes_no(value: Any, lang: str = DEFAULT) -> str:
    if value is None:
        return ""
    if not isinstance(value, bool):
        raise FormatError(Msg("Arvo ei ole kyllä/ei-tieto."))
    yes, no = YES_NO[_lang(lang)]
    return yes if value else no


FILTERS: dict[str, Callable[..., object]] = {
    "date": date,
    "date_long": date_long,
    "date_range": date_range,
    "time": time,
    "time_range": time_range,
    "full_name": full_name,
    "calling_name": calling_name,
    "address": address,
    "label": label,
    "language_name": language_name,
    "age": age,
    "age_text": age_text,
    "yes_no": yes_no,
}

# How each filter is used, and a value to show what it prints (in the reader's language).
FILTER_EXAMPLES = {
    "date": ("{{ document_date|date }}", dt.date(2022, 1, 25)),
    "date_long": ("{{ document_date|date_long }}", dt.date(2022, 1, 25)),
    "date_range": ("{{ target_window|date_range }}", {"start": dt.date(2022, 2, 1), "end": dt.date(2022, 2, 5)}),
    "time": ("{{ start_time|time }}", dt.time(9, 0)),
    "time_range": ("{{ start_time|time_range(end_time) }}", dt.time(9, 0)),
    "full_name": ("{{ social_worker|full_name }}", {"given_names": "Aino Maria", "surname": "Virtanen"}),
    "calling_name": ("{{ guardian|calling_name }}",
                     {"given_names": "Anna Maria", "calling_name": "Maria", "surname": "Virtanen"}),
    "address": ("{{ g.postal_address|address }}",
                {"street": "Kivikonkaari 4 B 12", "postal_code": "00940", "post_office": "Helsinki"}),
    "label": ("{{ s.status|label }}", "in_use"),
    "language_name": ("{{ g.language|language_name }}", "so"),
    "age": ("{{ c.birth_date|age(document_date) }}", None),
    "age_text": ("{{ c.birth_date|age_text(document_date) }}", None),
    "yes_no": ("{{ is_acute|yes_no }}", True),
}


def filter_example(name: str, lang: str = DEFAULT) -> tuple[str, str]:
    """(usage, what it prints in ``lang``) for the field catalogue."""
    usage, value = FILTER_EXAMPLES[name]
    if name == "age":
        return usage, str(age(dt.date(2012, 5, 3), dt.date(2022, 1, 25)))
    if name == "age_text":
        return usage, ", ".join(age_text(born, dt.date(2022, 1, 25), lang)
                                for born in (dt.date(2012, 5, 3), dt.date(2021, 9, 20)))
    if name == "time_range":
        return usage, time_range(dt.time(9, 0), dt.time(13, 0), lang=lang)
    return usage, str(FILTERS[name](value, lang=lang))


# docxtpl turns "{_{" into "{{" (and "}_}", "{_%", "%_}" likewise) after rendering, so that a
# template can print a literal tag. A value is printed exactly as sent: its "_" next to a brace
# travels as this character (refused in every text field, so never in a value) and is put back
# after that step (engine._after_render, docx_template.render_docxtpl).
BRACE_GUARD = "\u0091"


def guard_braces(text: str) -> str:
    if "{_" in text or "_}" in text:
        return text.replace("{_", "{" + BRACE_GUARD).replace("_}", BRACE_GUARD + "}")
    return text


# A value's own structure travels to the document as marks that no text field accepts (C1
# controls, refused like BRACE_GUARD): finishing.py makes a paragraph of each line and a bulleted
# list item of each line that starts with "- ", "* " or "• ".
PARAGRAPH_MARK = "\u0092"
BULLET_MARK = "\u0093"
_BULLET_LINE = re.compile(r"^\s*[-*\u2022]\s+")


def paragraph_marks(text: str) -> str:
    lines = [line.rstrip() for line in text.split("\n") if line.strip()]
    return PARAGRAPH_MARK.join(BULLET_MARK + _BULLET_LINE.sub("", line) if _BULLET_LINE.match(line) else line
                               for line in lines)


# E-mail addresses and web addresses break only where a reader expects (after "@" and "//",
# before a dot, a slash and the query's separators), never in the middle of a name: a
# zero-width space is a break opportunity in Word and LibreOffice alike, and prints nothing.
BREAK = "\u200b"
_ADDRESS = re.compile(r"(?:https?://|www\.)[^\s<>\"]*[^\s<>\".,;:!?)\]]|[\w.+-]+@[\w-]+(?:\.[\w-]+)+", re.I)
_BEFORE_IN_WEB = re.compile(r"(?<=[^/])([./?#&=])")
_BEFORE_IN_MAIL = re.compile(r"(?<=.)(\.)")


def _breakable(match: re.Match) -> str:
    address = match.group(0)
    head, sep, rest = address.partition("://")
    if sep:
        return head + sep + BREAK + _BEFORE_IN_WEB.sub(BREAK + r"\1", rest)
    local, at, domain = address.partition("@")
    if at:
        return _BEFORE_IN_MAIL.sub(BREAK + r"\1", local) + at + BREAK + _BEFORE_IN_MAIL.sub(BREAK + r"\1", domain)
    return _BEFORE_IN_WEB.sub(BREAK + r"\1", address)


def breakable_addresses(text: str) -> str:
    if "@" in text or "://" in text or "www." in text.lower():
        return _ADDRESS.sub(_breakable, text)
    return text


def finalize(value: Any, lang: str = DEFAULT) -> Any:
    """Applied to every ``{{ … }}``: dates and yes/no print in the document's language,
    containers are refused, text keeps its braces as sent."""
    if value is None:
        return ""
    if isinstance(value, bool):
        return yes_no(value, lang)
    if isinstance(value, (dt.date, dt.datetime)):
        return date(value, lang)
    if isinstance(value, (dict, list, tuple, set)):
        raise FormatError(Msg("Kokonaista tietoryhmää ei voi tulostaa sellaisenaan; valitse kenttä."))
    if isinstance(value, str):
        value = breakable_addresses(value)
        if "\n" in value:
            value = paragraph_marks(value)
        return guard_braces(value)
    return value


@functools.cache
def filters(lang: str) -> dict:
    """The filters of templates in ``lang``; the same names in every language."""
    _lang(lang)
    return {name: functools.partial(function, lang=lang) for name, function in FILTERS.items()}


@functools.cache
def finalizer(lang: str):
    return functools.partial(finalize, lang=_lang(lang))
