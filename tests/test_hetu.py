import datetime as dt

import pytest

from schemas.hetu import HetuError, parse_hetu

DVV_TEST_CODES = (
    "010594Y9021 010594Y9032 020594X903P 020594X902N 030594W903B 030694W9024 040594V9030 "
    "040594V902Y 050594U903M 050594U902L 010516B903X 010516B902W 020516C903K 020516C902J "
    "030516D9037 030516D9026 010501E9032 020502E902X 020503F9037 020504A902E 020504B904H"
).split()


@pytest.mark.parametrize("code", DVV_TEST_CODES + ["131052-308T"])
def test_valid_codes(code):
    assert parse_hetu(code).code == code


def test_century_signs_give_the_birth_date():
    assert parse_hetu("010594Y9021").birth_date == dt.date(1994, 5, 1)
    assert parse_hetu("010516B903X").birth_date == dt.date(2016, 5, 1)
    assert parse_hetu("131052-308T").birth_date == dt.date(1952, 10, 13)


def test_sign_is_kept_not_normalised():
    # 2023 reform: codes that differ only by the sign are different identities.
    assert parse_hetu("010594Y9021").code != parse_hetu("010594-9021").code


def test_lower_case_accepted_and_upper_cased():
    assert parse_hetu("010594y9021").code == "010594Y9021"


@pytest.mark.parametrize(
    "code, message",
    [
        ("131052-308U", "tarkistusmerkki"),
        ("310252-308T", "päivämäärä"),  # 31 February
        ("290223A9025", "päivämäärä"),  # 2023 is not a leap year
        ("131052-001T", "yksilönumero"),
        ("131052G308T", "muoto"),  # G is not a century sign
        ("131052-308", "muoto"),
        ("131052 308T", "muoto"),
        ("010130A9013", "tulevaisuudessa"),
    ],
)
def test_invalid_codes(code, message):
    with pytest.raises(HetuError, match=message):
        parse_hetu(code, today=dt.date(2026, 11, 28))


def test_temporary_numbers_are_flagged_not_rejected():
    assert parse_hetu("010594Y9021").temporary is True
    assert parse_hetu("131052-308T").temporary is False


def test_no_sex_is_derived():
    assert not any("sex" in f or "gender" in f for f in parse_hetu("131052-308T").__dataclass_fields__)
