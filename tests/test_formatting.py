import datetime as dt

import pytest

from service.rendering import formatting as f


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


# --- Swedish and English ----------------------------------------------------------------------

def test_dates_in_swedish_and_english():
    day = dt.date(2022, 1, 25)
    assert f.date(day, "sv") == "25.1.2022"
    assert f.date(day, "en") == "25 January 2022"
    assert f.date_long(day, "sv") == "tisdag 25 januari 2022"
    assert f.date_long(day, "en") == "Tuesday 25 January 2022"
    assert f.date(dt.date(2026, 10, 3), "en") == "3 October 2026"


@pytest.mark.parametrize("lang, start, end, expected", [
    ("sv", (2022, 2, 1), (2022, 2, 5), "1–5.2.2022"),
    ("sv", (2022, 1, 30), (2022, 2, 5), "30.1–5.2.2022"),
    ("sv", (2021, 12, 30), (2022, 1, 5), "30.12.2021–5.1.2022"),
    ("sv", (2022, 2, 1), None, "från 1.2.2022"),
    ("en", (2022, 2, 1), (2022, 2, 5), "1–5 February 2022"),
    ("en", (2022, 1, 30), (2022, 2, 5), "30 January – 5 February 2022"),
    ("en", (2021, 12, 30), (2022, 1, 5), "30 December 2021 – 5 January 2022"),
    ("en", (2022, 2, 1), None, "from 1 February 2022"),
    ("en", (2022, 2, 1), (2022, 2, 1), "1 February 2022"),
])
def test_date_ranges_in_swedish_and_english(lang, start, end, expected):
    value = {"start": dt.date(*start), "end": dt.date(*end) if end else None}
    assert f.date_range(value, lang) == expected


def test_times_in_swedish_and_english():
    assert f.time(dt.time(9, 0), "sv") == "kl. 9.00"
    assert f.time("13:05", "en") == "13:05"
    assert f.time(dt.time(9, 0), "en") == "9:00"


def test_yes_no_labels_and_language_names_in_each_language():
    assert [f.yes_no(True, lang) for lang in ("fi", "sv", "en")] == ["kyllä", "ja", "yes"]
    assert [f.yes_no(False, lang) for lang in ("fi", "sv", "en")] == ["ei", "nej", "no"]
    assert f.language_name("so", "sv") == "somaliska"
    assert f.language_name("so", "en") == "Somali"
    assert f.language_name("fi", "sv") == "finska"
    for lang in ("sv", "en"):
        assert f.label("in_use", lang) not in ("", "käytössä")
        assert f.label("mother", lang) not in ("", "äiti")


def test_each_language_environment_prints_its_own_language():
    filters = {lang: f.filters(lang) for lang in ("fi", "sv", "en")}
    day = dt.date(2022, 1, 25)
    assert [filters[lang]["date"](day) for lang in ("fi", "sv", "en")] == ["25.1.2022", "25.1.2022", "25 January 2022"]
    assert [f.finalizer(lang)(True) for lang in ("fi", "sv", "en")] == ["kyllä", "ja", "yes"]
    assert f.finalizer("en")(day) == "25 January 2022"
    with pytest.raises(ValueError):
        f.filters("de")
