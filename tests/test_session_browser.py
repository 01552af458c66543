"""A session that ends while a person types: nothing typed is lost, the page warns before the
idle limit and lets the person stay signed in; in Chromium, with a short idle limit."""

from __future__ import annotations

import time

import pytest

from service import create_app
from service.instance import ensure_secrets
from tests import browser as b
from tests.browser import chromium, server  # noqa: F401  (fixtures)
from tests.conftest import LOG_COLLECTOR, TEST_CONFIG

IDLE, WARN = 12, 4
PASSWORD = "Kalasatama-kokous-2026"
MARKER = "Pitkä yhteenveto, jota ei saa hukata: Elle kertoi koulumatkoista ja harrastuksista"
SUMMARY = "/lomakkeet/summary"


@pytest.fixture(scope="module")
def instance_folder(tmp_path_factory):
    folder = tmp_path_factory.mktemp("instance")
    ensure_secrets(folder)
    return folder


@pytest.fixture(scope="module")
def app(instance_folder):
    return create_app({**TEST_CONFIG, "INSTANCE_PATH": str(instance_folder),
                       "SESSION_IDLE_SECONDS": IDLE, "SESSION_WARN_SECONDS": WARN})


def make_user(app, name: str, role: str = "worker") -> None:
    store = app.extensions["lnp.accounts"]
    one_time = store.add_user(name, role)
    store.change_password(name, one_time, PASSWORD)
    store.set_profile(name, {"given_names": "Maija", "surname": "Meikäläinen", "title": "sosiaalityöntekijä",
                             "organisation": "Helsingin kaupunki", "unit": "Lastensuojelu",
                             "work_phone": "+358 9 310 12345", "work_email": "maija.meikalainen@hel.fi"})


@pytest.fixture
def browser_page(chromium):
    def open_page(javascript: bool = True):
        # bypass_csp: axe-core is injected into pages whose policy allows no script (the sign-in
        # pages); the policies themselves are checked in test_auth.py and test_forms_browser.py.
        context = chromium.new_context(locale="fi-FI", accept_downloads=True, java_script_enabled=javascript,
                                       bypass_csp=True, viewport={"width": 1280, "height": 900})
        context.set_default_timeout(10_000)
        contexts.append(context)
        page = context.new_page()
        page.problems = b.watch(page)
        return page

    contexts: list = []
    yield open_page
    for context in contexts:
        context.close()


def sign_in(page, server, name):
    page.goto(server + "/auth/sign-in")
    page.locator("#username").fill(name)
    page.locator("#password").fill(PASSWORD)
    b.post_and_wait(page, page.locator("main button[type=submit]"))


def start_summary(page, server) -> float:
    page.goto(server + SUMMARY)
    started = time.monotonic()
    b.field(page, "case_ref").fill("LNP-2026-0042")
    b.field(page, "current_situation").fill(MARKER + "\nToinen kappale.")
    b.field(page, "children[0].first_name").fill("Elle")
    return started


def assert_values_back(page):
    assert page.url.endswith(SUMMARY)
    assert b.field(page, "current_situation").input_value() == MARKER + "\nToinen kappale."
    assert b.field(page, "children[0].first_name").input_value() == "Elle"
    assert b.field(page, "case_ref").input_value() == "LNP-2026-0042"
    assert "lomakkeelle kirjoittamasi tiedot palautettiin" in page.locator("#notice").inner_text()


def assert_nothing_kept_on_the_server(instance_folder):
    for path in instance_folder.rglob("*"):
        if path.is_file():
            assert b"koulumatkoista" not in path.read_bytes(), path
    assert not any("koulumatkoista" in line for line in LOG_COLLECTOR.lines)


def test_an_idle_session_keeps_the_form_through_the_sign_in_without_javascript(browser_page, server, app,
                                                                              instance_folder):
    make_user(app, "idle-nojs")
    page = browser_page(javascript=False)
    sign_in(page, server, "idle-nojs")
    started = start_summary(page, server)
    assert "Kirjautumisesi päättyy, jos et lähetä mitään 1 minuuttiin" in page.locator("footer").inner_text()
    assert page.get_by_role("button", name="Pysy kirjautuneena").is_visible()  # without JavaScript: in the footer
    time.sleep(max(0, IDLE + 1 - (time.monotonic() - started)))
    b.post_and_wait(page, page.locator("button.hds-button--primary[value=produce]"))

    # The sign-in page, speaking to the person; the typed values only in this page of the browser.
    assert page.locator("h1").inner_text() == "Kirjaudu sisään"
    notice = page.get_by_role("status").inner_text()
    assert "Kirjautumisesi on päättynyt" in notice and "API" not in page.content()
    assert "ovat tallessa tällä sivulla" in notice
    assert MARKER not in page.url
    assert page.locator('input[type=hidden][name="carried:current_situation"]').get_attribute("value").startswith(MARKER)
    page.locator("#username").fill("idle-nojs")
    page.locator("#password").fill("väärä-salasana-123")
    b.post_and_wait(page, page.locator("main button[type=submit]"))  # a typo keeps them too
    page.locator("#username").fill("idle-nojs")
    page.locator("#password").fill(PASSWORD)
    b.post_and_wait(page, page.locator("main button[type=submit]"))
    assert page.locator("h1").inner_text() == "Olet taas kirjautunut"
    b.post_and_wait(page, page.get_by_role("button", name="Jatka lomakkeeseen"))
    assert_values_back(page)
    assert_nothing_kept_on_the_server(instance_folder)
    assert [p for p in page.problems if "status of 401" not in p] == []


def test_the_warning_dialog_lets_the_person_stay_signed_in(browser_page, server, app):
    make_user(app, "idle-stay")
    page = browser_page()
    sign_in(page, server, "idle-stay")
    started = start_summary(page, server)
    dialog = page.locator("#lnp-session")
    dialog.wait_for(state="visible", timeout=(IDLE + 2) * 1000)
    waited = time.monotonic() - started
    assert IDLE - WARN - 2 <= waited < IDLE, waited
    assert page.locator("#lnp-session-title").inner_text() == "Kirjautumisesi päättyy pian"
    assert "päättyy kello" in page.locator("#lnp-session-text").inner_text()
    assert page.evaluate("document.activeElement.id") == "lnp-session-stay"
    b.axe_clean(page)
    page.locator("#lnp-session-stay").click()
    dialog.wait_for(state="hidden")
    assert b.field(page, "current_situation").input_value().startswith(MARKER)
    time.sleep(max(0, IDLE + 0.5 - (time.monotonic() - started)))  # past the first idle limit
    b.post_and_wait(page, page.locator("button.hds-button--primary[value=produce]"))
    # Still signed in: the form itself answers (with what is still missing), not the sign-in page.
    assert page.locator("h1").inner_text() == "Yhteenveto" and page.locator("#error-summary").is_visible()
    assert b.field(page, "current_situation").input_value().startswith(MARKER)
    assert [p for p in page.problems if "status of 422" not in p] == [], page.problems


def test_after_the_limit_the_dialog_says_so_and_the_form_comes_back(browser_page, server, app):
    make_user(app, "idle-js")
    page = browser_page()
    sign_in(page, server, "idle-js")
    start_summary(page, server)
    title = page.locator("#lnp-session-title")
    page.wait_for_function("document.getElementById('lnp-session-title').textContent === 'Kirjautumisesi päättyi'",
                           timeout=(IDLE + 3) * 1000)
    assert "tiedot ovat yhä tällä sivulla" in page.locator("#lnp-session-text").inner_text()
    assert title.is_visible()
    b.axe_clean(page)
    page.locator("#lnp-session-close").click()
    b.post_and_wait(page, b.button(page, "save"))  # "Tallenna tiedot"
    assert page.locator("h1").inner_text() == "Kirjaudu sisään"
    b.axe_clean(page)
    page.locator("#username").fill("idle-js")
    page.locator("#password").fill(PASSWORD)
    b.post_and_wait(page, page.locator("main button[type=submit]"))
    b.axe_clean(page)
    b.post_and_wait(page, page.get_by_role("button", name="Jatka lomakkeeseen"))
    assert_values_back(page)
    b.axe_clean(page)
    assert [p for p in page.problems if "status of 401" not in p] == []


def test_error_pages_speak_to_the_person(browser_page, server):
    page = browser_page()
    response = page.goto(server + "/lomakkeet/ei-tallaista")
    assert response.status == 200 and page.url.startswith(server + "/auth/sign-in")  # not signed in: sign in first
    response = page.request.post(server + SUMMARY, form={"action": "save", "case_ref": "LNP-1"},
                                 headers={"Accept": "text/html"})
    assert response.status == 401
    body = response.text()
    assert "API" not in body and "Kirjaudu sisään" in body and "LNP-1" not in body
