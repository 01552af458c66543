"""How easy a new password is to guess, with zxcvbn (Dropbox's estimator: dictionaries of common
passwords, names and words, keyboard patterns, repeats, sequences and dates, scored by the
guesses an attacker would need), and why, in the reader's language.

A password must reach score 3 of zxcvbn's 0-4 ("safely unguessable", about 10^8 guesses or
more): "aaaaaaaaaaaa", "salasana1234" or the user's own name followed by digits do not, a
sentence of a few words does. NIST SP 800-63B asks exactly this of a verifier: refuse what is
common, repetitive or sequential, or made of the user's own details, and say why.
"""

from __future__ import annotations

import unicodedata

from zxcvbn import zxcvbn

from schemas.i18n import Msg

STRONG_ENOUGH = 3
MAX_CHECKED = 72  # zxcvbn refuses longer input; the first 72 characters of a longer one are judged

# Why a password is weak, by the kind of guessable part zxcvbn found in it, most telling first.
REASONS = (
    ("own", Msg("Salasanassa on nimesi tai käyttäjätunnuksesi.")),
    ("common", Msg("Salasana on yleisesti käytetty tai muistuttaa yleisesti käytettyä salasanaa.")),
    ("repeat", Msg("Salasana toistaa samaa merkkiä tai merkkijonoa (kuten aaa tai abcabc).")),
    ("sequence", Msg("Salasanassa on helposti arvattava jakso (kuten abc tai 6543).")),
    ("spatial", Msg("Salasanassa on näppäimistön vierekkäisiä merkkejä (kuten qwerty tai asdf).")),
    ("date", Msg("Salasanassa on helposti arvattava päivämäärä tai vuosiluku.")),
    ("words", Msg("Salasana koostuu tavallisista sanoista tai nimistä ilman muuta.")),
)
TOO_EASY = Msg("Salasana on liian helppo arvata. {reason} Valitse esimerkiksi muutamasta sanasta koostuva lause, "
               "jota muut eivät arvaa.")
GENERAL = Msg("Sen arvaaminen ei vaatisi montaa yritystä.")


def _kind(match: dict) -> str | None:
    pattern = match.get("pattern")
    if pattern == "dictionary":
        if match.get("dictionary_name") == "user_inputs":
            return "own"
        if match.get("dictionary_name") == "passwords":
            return "common"
        return "words"
    if pattern in ("repeat", "sequence", "spatial", "date"):
        return pattern
    if pattern == "regex" and match.get("regex_name") == "recent_year":
        return "date"
    return None


def _plain(text: str) -> str:
    return "".join(c for c in unicodedata.normalize("NFKD", text) if not unicodedata.combining(c))


def _only_own_details(password: str, inputs: list[str]) -> bool:
    """The user's own names with only digits and punctuation around them ("maija.meikalainen1")."""
    rest = _plain(password.casefold())
    for part in sorted(inputs, key=len, reverse=True):
        rest = rest.replace(_plain(part), "")
    return bool(inputs) and sum(c.isalpha() for c in rest) < 4


def weakness(password: str, user_inputs: list[str] | tuple[str, ...] = ()) -> str | None:
    """Why ``password`` is too easy to guess (a sentence in the current message language), or
    None when it is strong enough. ``user_inputs``: the user's own names and account name."""
    parts = [part.casefold() for text in user_inputs if text for part in str(text).replace(".", " ").split()
             if len(part) >= 3]
    # "Meikäläinen" is typed "meikalainen" as often as not.
    inputs = list(dict.fromkeys(parts + [_plain(part) for part in parts]))
    result = zxcvbn(password[:MAX_CHECKED], user_inputs=inputs)
    if _only_own_details(password, inputs):
        return TOO_EASY.format(reason=REASONS[0][1].format())
    if result["score"] >= STRONG_ENOUGH:
        return None
    found = {_kind(match) for match in result["sequence"]}
    reason = next((message for kind, message in REASONS if kind in found), GENERAL)
    return TOO_EASY.format(reason=Msg(reason).format())
