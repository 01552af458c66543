import datetime as dt

import pytest

from service import formatting as f


def test_dates():
    assert f.date(dt.date(2022, 1, 25)) == "25.1.2022"
    assert f.date_long(dt.date(2022, 1, 25)) == "tiistai 25. tammikuuta 2022"
    assert f.date(None) == ""


@pytest.mark.parametrize("start, end, expected", [
    ((2022, 2, 1), (2022, 2, 5), "1.–5.2.2022"),
    ((2022, 1, 30), (2022, 2, 5), "30.1.–5.2.2022"),
    ((2021, 12, 30), (2022, 1, 5), "30.12.2021–5.1.2022"),
    ((2022, 2, 1), None, "1.2.2022 alkaen"),
    ((2022, 2, 1), (2022, 2, 1), "1.2.2022"),
])
def test_date_ranges(start, end, expected):
    value = {"start": dt.date(*start), "end": dt.date(*end) if end else None}
    assert f.date_range(value) == expected


def test_times():
    assert f.time(dt.time(9, 0)) == "klo 9.00"
    assert f.time("13:05") == "klo 13.05"


def test_names_and_addresses():
    person = {"given_names": "Aino Maria", "calling_name": "Maria", "surname": "Virtanen"}
    assert f.full_name(person) == "Aino Maria Virtanen"
    assert f.calling_name(person) == "Maria Virtanen"
    assert f.calling_name({**person, "calling_name": None}) == "Aino Virtanen"
    assert f.address({"street": "Kivikonkaari 4", "postal_code": "00940", "post_office": "Helsinki",
                      "country": None}) == "Kivikonkaari 4, 00940 Helsinki"


def test_labels_and_languages():
    assert f.label("in_use") == "käytössä"
    assert f.language_name("so") == "somali"
    assert f.language_name("se") == "pohjoissaame"
    with pytest.raises(f.FormatError):
        f.label("no-such-code")


def test_age_counts_completed_years():
    assert f.age(dt.date(2013, 3, 7), dt.date(2025, 3, 6)) == 11
    assert f.age(dt.date(2013, 3, 7), dt.date(2025, 3, 7)) == 12
    assert f.age(dt.date(2012, 2, 29), dt.date(2024, 2, 28)) == 11


def test_finalize_refuses_containers():
    with pytest.raises(f.FormatError):
        f.finalize({"a": 1})
    assert f.finalize(True) == "kyllä"
    assert f.finalize(dt.date(2022, 1, 25)) == "25.1.2022"
