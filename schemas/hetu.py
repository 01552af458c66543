"""Finnish personal identity code (henkilötunnus) validation, domain spec §5.

The intermediate sign is part of the identity since 2023 and is kept as sent.
Sex is never derived: nothing here reads the parity of the individual number.
"""

from __future__ import annotations

import datetime as dt
import re
from dataclasses import dataclass

from .i18n import Msg

HETU_RE = re.compile(r"^(\d{2})(\d{2})(\d{2})([-+ABCDEFUVWXY])(\d{3})([0-9A-FHJ-NPR-Y])$")
CONTROL_CHARS = "0123456789ABCDEFHJKLMNPRSTUVWXY"
CENTURY = {"+": 1800, "-": 1900, "U": 1900, "V": 1900, "W": 1900, "X": 1900, "Y": 1900,
           "A": 2000, "B": 2000, "C": 2000, "D": 2000, "E": 2000, "F": 2000}

# Loose shape used to keep identity codes out of places such as case references.
HETU_LIKE_RE = re.compile(r"\d{6}[-+A-FU-Y]\d{3}[0-9A-Y]", re.IGNORECASE)


class HetuError(ValueError):
    """The code is not a valid henkilötunnus; ``args[0]`` is a Finnish message."""


@dataclass(frozen=True)
class Hetu:
    code: str
    birth_date: dt.date
    temporary: bool  # individual number 900–999: temporary or test code


def parse_hetu(value: str, *, today: dt.date | None = None) -> Hetu:
    """Validate ``value`` and return it with its birth date.

    Lower-case letters are accepted and upper-cased; spaces are not.
    """
    code = value.upper()
    match = HETU_RE.match(code)
    if not match:
        raise HetuError(Msg("Henkilötunnuksen muoto on virheellinen (muoto PPKKVV-NNNT, esim. 010594Y9021)."))
    day, month, year, sign, individual, control = match.groups()
    try:
        birth = dt.date(CENTURY[sign] + int(year), int(month), int(day))
    except ValueError:
        raise HetuError(Msg("Henkilötunnuksen alussa ei ole todellista päivämäärää.")) from None
    if birth > (today or dt.date.today()):
        raise HetuError(Msg("Henkilötunnuksen syntymäaika on tulevaisuudessa."))
    if int(individual) < 2:
        raise HetuError(Msg("Henkilötunnuksen yksilönumero on virheellinen (pienin sallittu on 002)."))
    if CONTROL_CHARS[int(day + month + year + individual) % 31] != control:
        raise HetuError(Msg("Henkilötunnuksen tarkistusmerkki ei täsmää."))
    return Hetu(code=code, birth_date=birth, temporary=int(individual) >= 900)
