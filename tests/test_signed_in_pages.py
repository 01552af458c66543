"""Signed-in life: every page says who is signed in, offers sign-out, and for conveners the
template pages; the password change refuses passwords that are easy to guess and says why."""

from __future__ import annotations

import re
from html import unescape

import pytest

from service.access.passwords import weakness
from tests.conftest import HTTPS
from tests.test_auth import _csrf, _fresh_app, _signed_in_user

PROFILE = {"given_names": "Maija", "surname": "Meikäläinen", "title": "sosiaalityöntekijä",
           "organisation": "Helsingin kaupunki", "unit": "Lastensuojelu", "work_phone": "+358 9 310 12345",
           "work_email": "maija.meikalainen@hel.fi"}
PAGES = ["/", "/lomakkeet/summary", "/tapaus", "/auth/account", "/auth/password", "/lomakkeet/ei-ole"]


@pytest.fixture(scope="module")
def app():
    return _fresh_app()


def header(html: str) -> str:
    return html[html.index("<header"):html.index("</header>")]


@pytest.mark.parametrize("role", ["worker", "convener"])
def test_every_page_says_who_is_signed_in_with_sign_out(app, role):
    client = _signed_in_user(app, role, name=f"kayttaja-{role}")
    app.extensions["lnp.accounts"].set_profile(f"kayttaja-{role}", PROFILE)
    pages = PAGES + (["/pohjat/", "/pohjat/summary/kentat"] if role == "convener" else [])
    for path in pages:
        html = unescape(client.get(path, **HTTPS).get_data(as_text=True))
        top = header(html)
        assert "Maija Meikäläinen" in top, path
        assert re.search(r'<form[^>]*action="/auth/sign-out"', top) and "Kirjaudu ulos" in top, path
        assert ('href="/pohjat/"' in top) == (role == "convener"), path


def test_without_own_details_the_account_name_shows(app):
    client = _signed_in_user(app, "worker", name="ilman-tietoja")
    assert "ilman-tietoja" in header(client.get("/", **HTTPS).get_data(as_text=True))


def test_sign_out_from_the_header_ends_the_session(app):
    client = _signed_in_user(app, "worker", name="uloskirjautuja")
    html = client.get("/lomakkeet/summary", **HTTPS).get_data(as_text=True)
    token = re.search(r'action="/auth/sign-out">\s*<input type="hidden" name="csrf_token" value="([^"]+)"',
                      header(html)).group(1)
    response = client.post("/auth/sign-out", data={"csrf_token": token}, **HTTPS)
    assert response.status_code == 302 and response.headers["Location"].endswith("/auth/sign-in")
    assert client.get("/", headers={"Accept": "text/html"}, **HTTPS).status_code == 302  # to the sign-in page


@pytest.mark.parametrize("password, reason", [
    ("aaaaaaaaaaaa", "toistaa samaa merkkiä"),
    ("salasana1234", "yleisesti käytetty"),
    ("qwertyuiop12", "yleisesti käytetty"),
    ("abcdefghijklm", "jakso"),
    ("Meikalainen2026", "nimesi"),
    ("maija.meikalainen1", "nimesi"),
])
def test_a_password_easy_to_guess_is_refused_with_the_reason(app, password, reason):
    name = "vaihtaja-" + str(abs(hash(password)) % 10_000)
    client = _signed_in_user(app, "worker", name=name)
    app.extensions["lnp.accounts"].set_profile(name, PROFILE)
    response = client.post("/auth/password", data={"current": "oikein-pitka-salasana", "new": password,
                                                   "repeat": password, "csrf_token": _csrf(client, "/auth/password")},
                           **HTTPS)
    assert response.status_code == 422
    alert = unescape(re.search(r'role="alert">.*?<div class="hds-notification__body">(.*?)</div>',
                               response.get_data(as_text=True), re.DOTALL).group(1))
    assert "liian helppo arvata" in alert and reason in alert, alert


@pytest.mark.parametrize("lang, words", [("sv", "upprepar samma tecken"), ("en", "repeats the same character")])
def test_the_reason_is_in_the_readers_language(app, lang, words):
    client = _signed_in_user(app, "worker", name=f"kieli-{lang}")
    client.set_cookie("lnp_lang", lang, domain="localhost")
    response = client.post("/auth/password", data={"current": "oikein-pitka-salasana", "new": "aaaaaaaaaaaa",
                                                   "repeat": "aaaaaaaaaaaa",
                                                   "csrf_token": _csrf(client, "/auth/password")}, **HTTPS)
    assert response.status_code == 422 and words in unescape(response.get_data(as_text=True))


@pytest.mark.parametrize("password", ["Kalasatama-kokous-2026", "oikein-pitka-salasana-1",
                                      "kesäloma Porvoossa ja paljon jäätelöä"])
def test_a_password_hard_to_guess_passes(password):
    assert weakness(password, ["maija", "Meikäläinen"]) is None
