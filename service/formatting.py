"""Jinja filters for the Word templates: Finnish dates, times, names and list labels.

Every filter is pure and refuses what it cannot format, so a value is never silently printed
as a blank or as Python's own representation.
"""

from __future__ import annotations

import datetime as dt
from typing import Any

import functools

from babel import Locale
from babel.dates import format_date, format_time

from schemas.fields import Choices, age_on

LOCALE = Locale.parse("fi")


class FormatError(ValueError):
    """A value reached a filter that cannot print it; the message is Finnish."""


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
    raise FormatError("Arvo ei ole päivämäärä.")


def date(value: Any) -> str:
    """25.1.2022"""
    if value is None:
        return ""
    return format_date(_as_date(value), "d.M.yyyy", locale=LOCALE)


def date_long(value: Any) -> str:
    """tiistai 25. tammikuuta 2022"""
    if value is None:
        return ""
    return format_date(_as_date(value), "cccc d. MMMM y", locale=LOCALE)


def date_range(value: Any) -> str:
    """1.–5.2.2022, 30.1.–5.2.2022, 30.12.2021–5.1.2022, or "1.2.2022 alkaen"."""
    if value is None:
        return ""
    if not isinstance(value, dict) or "start" not in value:
        raise FormatError("Arvo ei ole aikaväli.")
    start = _as_date(value["start"])
    end = value.get("end")
    if end is None:
        return f"{date(start)} alkaen"
    end = _as_date(end)
    if start == end:
        return date(start)
    if start.year == end.year and start.month == end.month:
        left = f"{start.day}."
    elif start.year == end.year:
        left = f"{start.day}.{start.month}."
    else:
        left = date(start)
    return f"{left}\u2013{date(end)}"


def time(value: Any) -> str:
    """klo 9.00"""
    if value is None:
        return ""
    if isinstance(value, str):
        try:
            value = dt.time.fromisoformat(value)
        except ValueError:
            raise FormatError("Arvo ei ole kellonaika.") from None
    if isinstance(value, dt.datetime):
        value = value.time()
    if not isinstance(value, dt.time):
        raise FormatError("Arvo ei ole kellonaika.")
    return "klo " + format_time(value, "H.mm", locale=LOCALE)


def full_name(person: Any) -> str:
    """All given names and the surname: "Aino Maria Virtanen"."""
    if person is None:
        return ""
    if not isinstance(person, dict) or "surname" not in person:
        raise FormatError("Arvo ei ole henkilö.")
    return f"{person['given_names']} {person['surname']}"


def calling_name(person: Any) -> str:
    """The calling name (or the first given name) and the surname: "Maria Virtanen"."""
    if person is None:
        return ""
    if not isinstance(person, dict) or "surname" not in person:
        raise FormatError("Arvo ei ole henkilö.")
    first = person.get("calling_name") or person["given_names"].split()[0]
    return f"{first} {person['surname']}"


def address(value: Any) -> str:
    """Katu 1 A 2, 00940 Helsinki (and the country when not Finland)."""
    if value is None:
        return ""
    if not isinstance(value, dict) or "street" not in value:
        raise FormatError("Arvo ei ole postiosoite.")
    text = f"{value['street']}, {value['postal_code']} {value['post_office']}"
    if value.get("country"):
        text += f", {value['country']}"
    return text


@functools.cache
def _labels() -> dict[str, str]:
    labels: dict[str, str] = {}
    for choices in Choices.registry.values():
        for code, label in choices.labels.items():
            if labels.setdefault(code, label) != label:
                raise RuntimeError(f"code {code!r} has two labels")
    return labels


def label(code: Any) -> str:
    """The Finnish label of a list code: ``in_use`` → "käytössä"."""
    if code is None:
        return ""
    try:
        return _labels()[code]
    except (KeyError, TypeError):
        raise FormatError("Arvolle ei ole selitettä.") from None


_LANGUAGES = LOCALE.languages


def language_name(code: Any) -> str:
    """ISO 639 code → language name in Finnish: ``so`` → "somali"."""
    if code is None:
        return ""
    try:
        return _LANGUAGES[code]
    except (KeyError, TypeError):
        raise FormatError("Tuntematon kielikoodi.") from None


def age(birth_date: Any, on: Any = None) -> int:
    """Completed years on ``on`` (default: today)."""
    return age_on(_as_date(birth_date), _as_date(on) if on is not None else dt.date.today())


def yes_no(value: Any) -> str:
    if value is None:
        return ""
    if not isinstance(value, bool):
        raise FormatError("Arvo ei ole kyllä/ei-tieto.")
    return "kyllä" if value else "ei"


FILTERS = {
    "date": date,
    "date_long": date_long,
    "date_range": date_range,
    "time": time,
    "full_name": full_name,
    "calling_name": calling_name,
    "address": address,
    "label": label,
    "language_name": language_name,
    "age": age,
    "yes_no": yes_no,
}

FILTER_EXAMPLES = {
    "date": ("{{ document_date|date }}", "25.1.2022"),
    "date_long": ("{{ document_date|date_long }}", "tiistai 25. tammikuuta 2022"),
    "date_range": ("{{ target_window|date_range }}", "1.–5.2.2022"),
    "time": ("{{ start_time|time }}", "klo 9.00"),
    "full_name": ("{{ social_worker|full_name }}", "Aino Maria Virtanen"),
    "calling_name": ("{{ guardian|calling_name }}", "Maria Virtanen"),
    "address": ("{{ g.postal_address|address }}", "Kivikonkaari 4 B 12, 00940 Helsinki"),
    "label": ("{{ s.status|label }}", "käytössä"),
    "language_name": ("{{ g.language|language_name }}", "somali"),
    "age": ("{{ c.birth_date|age(document_date) }}", "9"),
    "yes_no": ("{{ is_acute|yes_no }}", "kyllä"),
}


def finalize(value: Any) -> Any:
    """Applied to every ``{{ … }}``: dates and yes/no print in Finnish, containers are refused."""
    if value is None:
        return ""
    if isinstance(value, bool):
        return yes_no(value)
    if isinstance(value, (dt.date, dt.datetime)):
        return date(value)
    if isinstance(value, (dict, list, tuple, set)):
        raise FormatError("Kokonaista tietoryhmää ei voi tulostaa sellaisenaan; valitse kenttä.")
    return value
