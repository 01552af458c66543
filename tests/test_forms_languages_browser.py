"""The forms and the sign-in page in Swedish and English in a real browser (Debian's Chromium
under Playwright, the app over real HTTP): the same checks as the Finnish ones of
test_forms_browser.py (front page, every form filled into a .docx, the error path, axe-core with
zero violations also in the error state, the keyboard), and the language switch keeping every
typed value, with and without JavaScript. A missing browser fails these tests; it never skips them."""

from __future__ import annotations

import json

import pytest

from schemas.i18n import gettext
from service.registry import DOCUMENT_TYPES, NETWORK
from service.web.i18n import COOKIE, SWITCH_LABELS
from tests import browser as b
from tests.browser import chromium, server  # noqa: F401  (fixtures)
from tests.conftest import TYPE_IDS, load_example
from tests.docxtext import all_text
from tests.expectations import assert_shows

OTHER = ("sv", "en")
PRODUCE = {"fi": "Luo asiakirja", "sv": "Skapa dokumentet", "en": "Create the document"}
MISSING = {"fi": "{label} puuttuu", "sv": "{label} saknas", "en": "{label} is missing"}
WRONG_PASSWORD = {"fi": "Käyttäjätunnus tai salasana on väärä.", "sv": "Användarnamnet eller lösenordet är fel.",
                  "en": "The user name or password is wrong."}


# server and chromium: tests/browser.py's fixtures, as the Finnish form tests use them


@pytest.fixture(params=OTHER)
def lang(request):
    return request.param


@pytest.fixture
def page(chromium, tokens, lang):
    """A worker whose browser asks for ``lang`` (Accept-Language)."""
    with b.signed_in_page(chromium, tokens["worker"], locale=b.LOCALES[lang]) as page:
        yield page


def form_url(server, type_id):
    return f"{server}/lomakkeet/{type_id}"


def assert_page_in(page, lang):
    assert page.locator("html").get_attribute("lang") == lang
    current = page.locator(".lnp-language [aria-current=true]")
    assert current.count() == 1 and current.get_attribute("lang") == lang


def primary(page):
    return page.locator("button.hds-button--primary[value=produce]")


# --- the front page --------------------------------------------------------------------------------

def test_index_in_the_browsers_language(page, server, lang):
    page.goto(server + "/")
    assert_page_in(page, lang)
    assert page.title().startswith(gettext("Asiakirjat", lang))
    for doc_type in DOCUMENT_TYPES.values():
        link = page.get_by_role("link", name=doc_type.title(lang), exact=True)
        assert link.get_attribute("href") == f"/lomakkeet/{doc_type.id}"
        item = page.locator("li.lnp-type", has=link)
        assert gettext(doc_type.description, lang) in item.inner_text()
        assert gettext(doc_type.phase, lang).lower() in item.inner_text()
    # the switch: a labelled group, each language named in itself
    switch = page.get_by_role("group", name=gettext("Kieli", lang))
    for code, name in SWITCH_LABELS.items():
        assert switch.get_by_role("button", name=name, exact=True).get_attribute("lang") == code
    page.get_by_role("link", name=DOCUMENT_TYPES["summary"].title(lang), exact=True).click()
    page.wait_for_url(form_url(server, "summary"))
    assert page.locator("h1").inner_text() == DOCUMENT_TYPES["summary"].title(lang)
    assert not page.problems, page.problems


# --- every type filled in through the page -----------------------------------------------------------

@pytest.mark.parametrize("type_id", TYPE_IDS)
def test_fill_every_field_and_get_the_document(page, server, lang, type_id):
    doc_type = DOCUMENT_TYPES[type_id]
    payload = load_example(type_id)  # a Finnish document, made by a worker whose pages are in `lang`
    page.goto(form_url(server, type_id))
    assert_page_in(page, lang)
    # a new document starts in the page's language
    assert b.field(page, "language").input_value() == lang
    assert page.locator("label[for=f-case_ref]").inner_text().rstrip("*").strip() == gettext("Asiaviite", lang)
    assert primary(page).inner_text() == PRODUCE[lang]
    b.fill_case(page, doc_type.fields, payload)
    name, content = b.download(page, primary(page))
    assert name == doc_type.file_name(payload["case_ref"], version=payload["version"])
    assert_shows(content, type_id, payload)
    if NETWORK in doc_type.renditions:
        name, content = b.download(page, b.button(page, "produce:network"))
        assert name == doc_type.file_name(payload["case_ref"], NETWORK, version=payload["version"])
        assert payload["sharing"]["not_to_be_shared"] not in all_text(content)
    assert not page.problems, page.problems


# --- errors ------------------------------------------------------------------------------------------

def test_error_path_in_the_page_language(page, server, lang):
    doc_type = DOCUMENT_TYPES["mandate-agreement"]
    payload = load_example("mandate-agreement")
    broken = json.loads(json.dumps(payload))
    del broken["children"][0]["birth_date"]
    del broken["reason"]
    page.goto(form_url(server, "mandate-agreement"))
    b.fill_case(page, doc_type.fields, broken)
    b.post_and_wait(page, primary(page))

    assert_page_in(page, lang)
    assert page.title().startswith(gettext("Virhe:", lang) + " ")
    assert page.evaluate("document.activeElement.id") == "error-summary"
    summary = page.locator("#error-summary")
    child = gettext("lapsi", lang).capitalize()
    birth = MISSING[lang].format(label=gettext("Syntymäaika", lang))
    reason = MISSING[lang].format(label=gettext("Miksi läheisneuvonpito", lang))
    assert sorted(summary.locator("a").all_inner_texts()) == sorted([f"{birth} ({child} 1)", reason])
    assert summary.locator("h2").inner_text().strip() == {"sv": "Uppgifterna innehåller 2 fel",
                                                          "en": "There are 2 errors in the details"}[lang]

    control = b.field(page, "children[0].birth_date")
    summary.locator(f'a[href="#{control.get_attribute("id")}"]').click()
    assert page.evaluate("document.activeElement.name") == "children[0].birth_date"
    assert control.get_attribute("aria-invalid") == "true"
    assert birth in page.locator("#f-children-0-birth_date-error").inner_text()
    # the hidden "Error:" before the message is in the page's language too
    assert page.locator("#f-children-0-birth_date-error .lnp-visually-hidden").inner_text().strip() == \
        gettext("Virhe:", lang)
    assert b.field(page, "children[0].given_names").input_value() == "Elle Noor"

    control.fill(payload["children"][0]["birth_date"])
    b.field(page, "reason").fill(payload["reason"])
    name, content = b.download(page, primary(page))
    assert name == doc_type.file_name(payload["case_ref"])
    assert_shows(content, "mandate-agreement", payload)
    assert not page.problems, page.problems


# --- accessibility -----------------------------------------------------------------------------------

def test_axe_index_and_error_page(page, server, lang):
    page.goto(server + "/")
    b.axe_clean(page)
    page.goto(form_url(server, "no-such-type"))
    assert_page_in(page, lang)
    b.axe_clean(page)


@pytest.mark.parametrize("type_id", TYPE_IDS)
def test_axe_form_blank_in_error_state_and_opened(page, server, lang, type_id):
    page.goto(form_url(server, type_id))
    assert_page_in(page, lang)
    b.axe_clean(page)
    b.post_and_wait(page, primary(page))
    assert page.locator("#error-summary").is_visible()
    b.axe_clean(page)
    page.goto(form_url(server, type_id))
    b.open_json(page, load_example(type_id))
    assert page.locator("#notice").is_visible()
    b.axe_clean(page)


@pytest.mark.parametrize("type_id", TYPE_IDS)
def test_every_control_is_reachable_with_tab(page, server, lang, type_id):
    page.goto(form_url(server, type_id))
    page.locator("details.lnp-details > summary").focus()
    page.keyboard.press("Enter")
    assert page.locator("details.lnp-details").get_attribute("open") is not None
    missing = b.unreachable_with_tab(page)
    assert not missing, missing
    # the switch's buttons are among them
    for code in SWITCH_LABELS:
        assert f"language-{code}" not in missing


def test_no_sideways_scrolling_at_320_px(chromium, server, tokens, lang):
    context = chromium.new_context(viewport={"width": 320, "height": 800}, locale=b.LOCALES[lang],
                                   extra_http_headers={"Authorization": f"Bearer {tokens['worker']}"})
    page = context.new_page()
    try:
        for path in ["/", "/lomakkeet/mandate-agreement", "/auth/sign-in"]:
            page.goto(server + path)
            assert page.evaluate("document.documentElement.scrollWidth") <= 320, path
    finally:
        context.close()


# --- the language switch of the form: every typed value kept -------------------------------------------

def _type_a_bit_of_everything(page):
    """Typed, chosen, ticked and added: one value of each kind of control of the agreement."""
    b.field(page, "case_ref").fill("LNP-2026-0042")
    b.field(page, "language").select_option("fi")  # the document's own language is the user's choice
    b.field(page, "document_date").fill("2026-09-14")
    b.field(page, "reason").fill("Rivi yksi\nRivi kaksi <b>&amp;</b>")
    b.field(page, "children[0].given_names").fill("Elle Noor")
    b.field(page, "children[0].hetu").fill("070313A9980")
    b.post_and_wait(page, b.button(page, "add:guardians"))
    b.field(page, "guardians[1].given_names").fill("Ánde Mikael")
    b.field(page, "guardians[1].language").select_option("se")
    b.field(page, "guardians[0].relation_to_child").select_option("mother")
    b.field(page, "file_copy").check(force=True)
    page.locator('input[name="children[0].own_consent"][value="true"]').check(force=True)
    b.field(page, "format").select_option("pdf")


def _assert_kept(page):
    assert b.field(page, "case_ref").input_value() == "LNP-2026-0042"
    assert b.field(page, "language").input_value() == "fi"
    assert b.field(page, "document_date").input_value() == "2026-09-14"
    assert b.field(page, "reason").input_value() == "Rivi yksi\nRivi kaksi <b>&amp;</b>"
    assert b.field(page, "children[0].given_names").input_value() == "Elle Noor"
    assert b.field(page, "children[0].hetu").input_value() == "070313A9980"
    assert b.field(page, "guardians[1].given_names").input_value() == "Ánde Mikael"
    assert b.field(page, "guardians[1].language").input_value() == "se"
    assert b.field(page, "guardians[0].relation_to_child").input_value() == "mother"
    assert b.field(page, "file_copy").is_checked()
    assert page.locator('input[name="children[0].own_consent"][value="true"]').is_checked()
    assert b.field(page, "format").input_value() == "pdf"


def _assert_labelled_in(page, lang):
    assert_page_in(page, lang)
    root = DOCUMENT_TYPES["mandate-agreement"].fields
    assert page.locator("h1").inner_text() == DOCUMENT_TYPES["mandate-agreement"].title(lang)
    assert page.locator("label[for=f-case_ref]").inner_text().rstrip("*").strip() == gettext("Asiaviite", lang)
    assert page.locator("label[for=f-children-0-hetu]").inner_text().rstrip("*").strip() == \
        gettext(root.children["children"].item.children["hetu"].label, lang)
    assert primary(page).inner_text() == PRODUCE[lang]
    # the language list of a guardian by the names of the page's language
    assert b.field(page, "guardians[1].language").locator("option:checked").inner_text() == \
        {"fi": "pohjoissaame", "sv": "nordsamiska", "en": "Northern Sami"}[lang]


@pytest.mark.parametrize("javascript", [True, False], ids=["javascript", "no-javascript"])
def test_the_switch_keeps_every_typed_value(chromium, server, tokens, javascript):
    with b.signed_in_page(chromium, tokens["worker"], javascript=javascript) as page:
        page.goto(form_url(server, "mandate-agreement"))
        assert_page_in(page, "fi")
        _type_a_bit_of_everything(page)
        for lang in ("sv", "en", "fi"):
            b.post_and_wait(page, page.locator(f"#language-{lang}"))
            assert page.url == form_url(server, "mandate-agreement")
            _assert_kept(page)
            _assert_labelled_in(page, lang)
            if javascript:  # the focus stays on the switch (autofocus), now on the chosen language
                assert page.evaluate("document.activeElement.id") == f"language-{lang}"
            cookies = {c["name"]: c["value"] for c in page.context.cookies()}
            assert cookies[COOKIE] == lang
        # the choice is remembered: the next page and a new form are in it
        b.post_and_wait(page, page.locator("#language-sv"))
        page.goto(form_url(server, "questions"))
        assert_page_in(page, "sv")
        assert b.field(page, "language").input_value() == "sv"
        assert b.field(page, "standard_questions[0].text").input_value() == \
            gettext("Jos tarvitsette työntekijöiden apua tai tukea, keneltä ja mihin?", "sv")
        page.goto(server + "/")
        assert_page_in(page, "sv")
        # and Enter in a field still asks for the document, not for another language
        page.goto(form_url(server, "questions"))
        b.field(page, "case_ref").fill("LNP-1")
        with page.expect_navigation():
            b.field(page, "case_ref").press("Enter")
        assert page.locator("#error-summary").is_visible()
        assert_page_in(page, "sv")
        assert b.field(page, "case_ref").input_value() == "LNP-1"
        assert not page.problems, page.problems


def test_the_switch_on_the_front_page_and_the_error_page_without_javascript(chromium, server, tokens):
    with b.signed_in_page(chromium, tokens["worker"], javascript=False) as page:
        page.goto(server + "/")
        b.post_and_wait(page, page.locator("#language-en"))
        assert page.url == server + "/"
        assert_page_in(page, "en")
        page.goto(form_url(server, "no-such-type"))
        b.post_and_wait(page, page.locator("#language-sv"))
        assert_page_in(page, "sv")
        assert page.locator("h1").inner_text() == "Sidan hittades inte"


# --- the sign-in page ---------------------------------------------------------------------------------

def test_the_switch_on_the_sign_in_page(chromium, server, app):
    store = app.extensions["lnp.accounts"]
    one_time = store.add_user("kielivalitsija", "worker")
    # Not signed in. The sign-in pages allow no script at all (their CSP), so axe-core, which the
    # test injects, needs the CSP bypassed: the policy itself is checked in test_auth.py.
    context = chromium.new_context(locale=b.LOCALES["fi"], bypass_csp=True, viewport={"width": 1280, "height": 900})
    context.set_default_timeout(10_000)
    page = context.new_page()
    page.problems = b.watch(page)
    try:
        page.goto(server + "/auth/sign-in")
        assert_page_in(page, "fi")
        assert page.locator("h1").inner_text() == "Kirjaudu sisään"
        b.axe_clean(page)
        assert not {"language-fi", "language-sv", "language-en", "username", "password"} & b.unreachable_with_tab(page)
        for lang, heading in (("en", "Sign in"), ("sv", "Logga in")):
            b.post_and_wait(page, page.locator(f"#language-{lang}"))
            assert page.url == server + "/auth/sign-in"
            assert_page_in(page, lang)
            assert page.locator("h1").inner_text() == heading
            assert page.locator("label[for=username]").inner_text() == gettext("Käyttäjätunnus", lang)
            b.axe_clean(page)
        # the error state, in Swedish
        page.locator("#username").fill("kielivalitsija")
        page.locator("#password").fill("vaara-salasana-123")
        b.post_and_wait(page, page.locator("main button[type=submit]"))
        assert page.get_by_role("alert").inner_text() == WRONG_PASSWORD["sv"]
        assert_page_in(page, "sv")
        b.axe_clean(page)
        # signing in for real: the password page and the account page in Swedish too
        page.locator("#username").fill("kielivalitsija")
        page.locator("#password").fill(one_time)
        b.post_and_wait(page, page.locator("main button[type=submit]"))
        assert page.locator("h1").inner_text() == "Byt lösenord"
        page.locator("#current").fill(one_time)
        page.locator("#new").fill("kort")
        page.locator("#repeat").fill("kort")
        page.evaluate("document.querySelector('main form').noValidate = true")
        b.post_and_wait(page, page.locator("main button[type=submit]"))
        assert page.get_by_role("alert").inner_text() == "Lösenordet ska vara 12–256 tecken långt."
        b.axe_clean(page)
        page.locator("#current").fill(one_time)
        page.locator("#new").fill("oikein-pitka-salasana-1")
        page.locator("#repeat").fill("oikein-pitka-salasana-1")
        b.post_and_wait(page, page.locator("main button[type=submit]"))
        assert page.locator("h1").inner_text() == "Mitt konto"
        assert page.get_by_role("status").inner_text() == "Lösenordet har bytts."
        b.axe_clean(page)
        b.post_and_wait(page, page.locator("#language-en"))
        assert page.locator("h1").inner_text() == "My account"
        # The wrong password's page is a 401 by design (Chromium logs every 4xx page); nothing else.
        assert [p for p in page.problems if "status of 401" not in p] == [], page.problems
    finally:
        context.close()
