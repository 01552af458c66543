"""The web forms in a real browser: Debian's Chromium driven by Playwright, against the app
served over real HTTP on 127.0.0.1. A missing browser fails these tests; it never skips them."""

from __future__ import annotations

import json

import pytest
import requests

from service.registry import DOCUMENT_TYPES, NETWORK
from tests import browser as b
from tests.browser import chromium, server  # noqa: F401  (fixtures)
from tests.conftest import TYPE_IDS, load_example
from tests.docxtext import all_text
from tests.expectations import assert_shows

DOCX = "application/vnd.openxmlformats-officedocument.wordprocessingml.document"


# server and chromium: the fixtures of tests/browser.py


@pytest.fixture
def page(chromium, tokens):
    with b.signed_in_page(chromium, tokens["worker"]) as page:
        yield page


def form_url(server, type_id):
    return f"{server}/lomakkeet/{type_id}"


# --- the index ---------------------------------------------------------------------------

def test_index_lists_every_type_with_description_and_phase(page, server):
    page.goto(server + "/")
    assert page.title().startswith("Asiakirjat")
    for doc_type in DOCUMENT_TYPES.values():
        link = page.get_by_role("link", name=doc_type.label, exact=True)
        assert link.get_attribute("href") == f"/lomakkeet/{doc_type.id}"
        item = page.locator("li.lnp-type", has=link)
        assert doc_type.description in item.inner_text()
        assert doc_type.phase.lower() in item.inner_text()
    page.get_by_role("link", name="Yhteenveto", exact=True).click()
    page.wait_for_url(form_url(server, "summary"))
    assert page.locator("h1").inner_text() == "Yhteenveto"
    assert not page.problems


# --- every type filled in through the page --------------------------------------------------

@pytest.mark.parametrize("type_id", TYPE_IDS)
def test_fill_every_field_from_the_example_and_get_the_document(page, server, type_id):
    doc_type = DOCUMENT_TYPES[type_id]
    payload = load_example(type_id)
    page.goto(form_url(server, type_id))
    assert page.locator("form.lnp-form").get_attribute("method") == "post"
    b.fill_case(page, doc_type.fields, payload)
    name, content = b.download(page, page.locator("button.hds-button--primary[value=produce]"))
    assert name == doc_type.file_name(payload["case_ref"], version=payload["version"])
    assert_shows(content, type_id, payload)
    if NETWORK in doc_type.renditions:
        name, content = b.download(page, b.button(page, "produce:network"))
        assert name == doc_type.file_name(payload["case_ref"], NETWORK, version=payload["version"])
        text = all_text(content)
        assert payload["sharing"]["not_to_be_shared"] not in text
        assert payload["children"][0]["first_name"] in text
    assert not page.problems, page.problems


def test_a_second_item_is_added_and_values_are_kept_across_the_round_trip(page, server):
    page.goto(form_url(server, "summary"))
    b.field(page, "children[0].first_name").fill("Elle")
    b.field(page, "current_situation").fill("Rivi yksi\nRivi kaksi <b>&amp;</b>")
    b.post_and_wait(page, b.button(page, "add:children"))
    assert b.field(page, "children[0].first_name").input_value() == "Elle"
    assert b.field(page, "current_situation").input_value() == "Rivi yksi\nRivi kaksi <b>&amp;</b>"
    # The focus is on the new child's first field, ready for typing.
    assert page.evaluate("document.activeElement.name") == "children[1].first_name"
    page.keyboard.type("Iisak")
    b.post_and_wait(page, b.button(page, "up:children[1]"))
    assert b.field(page, "children[0].first_name").input_value() == "Iisak"
    assert b.field(page, "children[1].first_name").input_value() == "Elle"
    b.post_and_wait(page, b.button(page, "remove:children[0]"))
    assert b.field(page, "children[0].first_name").input_value() == "Elle"
    assert page.locator('[name="children[1].first_name"]').count() == 0


def test_enter_in_a_field_asks_for_the_document_not_for_a_new_item(page, server):
    page.goto(form_url(server, "questions"))
    b.field(page, "case_ref").fill("LNP-1")
    with page.expect_navigation():
        b.field(page, "case_ref").press("Enter")
    assert page.locator("#error-summary").is_visible()
    assert page.locator('[name="case_questions.__count"]').get_attribute("value") == "1"


# --- errors -----------------------------------------------------------------------------------

def test_error_path_missing_birth_date_and_bad_hetu_then_fix(page, server):
    doc_type = DOCUMENT_TYPES["mandate-agreement"]
    payload = load_example("mandate-agreement")
    assert payload["file_copy"] is True
    broken = json.loads(json.dumps(payload))
    del broken["children"][0]["birth_date"]
    broken["children"][1]["hetu"] = "010516B903Y"
    page.goto(form_url(server, "mandate-agreement"))
    b.fill_case(page, doc_type.fields, broken)
    with page.expect_navigation():
        page.locator("button.hds-button--primary[value=produce]").click()

    assert page.title().startswith("Virhe: ")
    summary = page.locator("#error-summary")
    assert page.evaluate("document.activeElement.id") == "error-summary"
    links = summary.locator("a")
    texts = links.all_inner_texts()
    assert "Syntymäaika puuttuu (Lapsi 1)" in texts
    assert "Henkilötunnuksen tarkistusmerkki ei täsmää (Lapsi 2)" in texts
    assert len(texts) == 2

    # Each summary link leads to its field; the message sits next to the field and is read with it.
    for path, message in [("children[0].birth_date", "Syntymäaika puuttuu"),
                          ("children[1].hetu", "Henkilötunnuksen tarkistusmerkki ei täsmää")]:
        control = b.field(page, path)
        control_id = control.get_attribute("id")
        summary.locator(f'a[href="#{control_id}"]').click()
        assert page.evaluate("document.activeElement.id") == control_id
        assert control.get_attribute("aria-invalid") == "true"
        described = control.get_attribute("aria-describedby").split()
        assert f"{control_id}-error" in described
        assert message in page.locator(f"#{control_id}-error").inner_text()

    # Every value the user typed is still there.
    assert b.field(page, "children[1].hetu").input_value() == "010516B903Y"
    assert b.field(page, "children[0].given_names").input_value() == "Elle Noor"
    assert b.field(page, "reason").input_value() == payload["reason"]
    assert b.field(page, "file_copy").is_checked()

    b.field(page, "children[0].birth_date").fill(payload["children"][0]["birth_date"])
    b.field(page, "children[1].hetu").fill(payload["children"][1]["hetu"])
    name, content = b.download(page, page.locator("button.hds-button--primary[value=produce]"))
    assert name == "toimeksiantosopimus_LNP-2026-0042.docx"
    assert_shows(content, "mandate-agreement", payload)
    assert not page.problems, page.problems


def test_network_copy_refused_until_the_family_has_approved(page, server):
    payload = load_example("summary")
    payload["sharing"]["approved_for_network"] = False
    page.goto(form_url(server, "summary"))
    b.fill_case(page, DOCUMENT_TYPES["summary"].fields, payload)
    b.post_and_wait(page, b.button(page, "produce:network"))
    assert "Perhe ei ole hyväksynyt" in page.locator("#error-summary").inner_text()


# --- save and open ------------------------------------------------------------------------------

@pytest.mark.parametrize("type_id", TYPE_IDS)
def test_save_then_open_round_trips_every_field(page, server, type_id):
    doc_type = DOCUMENT_TYPES[type_id]
    example = load_example(type_id)
    page.goto(form_url(server, type_id))
    b.open_json(page, example)
    assert page.evaluate("document.activeElement.id") == "notice"
    name, content = b.download(page, b.button(page, "save"))
    assert name == doc_type.file_name(example["case_ref"], extension="json", version=example["version"])
    saved = json.loads(content)
    schema = doc_type.schema()
    assert schema.load(saved) == schema.load(example)
    # …and what was saved opens again into the same form, unchanged.
    page.goto(form_url(server, type_id))
    b.open_json(page, saved, name)
    _, again = b.download(page, b.button(page, "save"))
    assert json.loads(again) == saved
    assert not page.problems, page.problems


def test_open_from_the_front_page_recognises_the_type(page, server):
    page.goto(server + "/")
    page.locator("#open-json").fill(json.dumps(load_example("questions")))
    b.post_and_wait(page, page.locator("form.lnp-open button[type=submit]"))
    assert page.locator("h1").inner_text() == "Kysymykset"
    assert b.field(page, "case_questions[5].theme").input_value() == "Ellen oma aika, kaverit ja jaksaminen"


def test_follow_up_summary_prefilled_from_the_agreement(page, server):
    agreement = load_example("mandate-agreement")
    page.goto(form_url(server, "follow-up-summary"))
    b.open_json(page, agreement, "toimeksiantosopimus_LNP-2026-0042.json")
    notice = page.locator("#notice").inner_text()
    assert "Toimeksiantosopimus" in notice
    assert "Lapset" in notice and "Laatija (lähteessä: Vastuusosiaalityöntekijä)" in notice
    assert "Huoltajat ja vanhemmat" in notice  # told what was left out
    assert b.field(page, "case_ref").input_value() == "LNP-2026-0042"
    assert b.field(page, "children[0].first_name").input_value() == "Elle"  # calling name
    assert b.field(page, "children[1].birth_date").input_value() == "2016-05-01"
    assert b.field(page, "author.surname").input_value() == "Lehtonen"
    assert b.field(page, "document_date").input_value() == ""  # a date of another document is not carried


# --- accessibility ------------------------------------------------------------------------------

assert_no_axe_violations = b.axe_clean


def test_axe_index(page, server):
    page.goto(server + "/")
    assert_no_axe_violations(page)


@pytest.mark.parametrize("type_id", TYPE_IDS)
def test_axe_form_blank_filled_and_in_error_state(page, server, type_id):
    page.goto(form_url(server, type_id))
    assert_no_axe_violations(page)
    b.post_and_wait(page, page.locator("button.hds-button--primary[value=produce]"))
    assert page.locator("#error-summary").is_visible()
    assert_no_axe_violations(page)
    page.goto(form_url(server, type_id))
    b.open_json(page, load_example(type_id))
    assert_no_axe_violations(page)


def test_axe_error_pages(page, server):
    page.goto(form_url(server, "no-such-type"))
    assert_no_axe_violations(page)


@pytest.mark.parametrize("type_id", TYPE_IDS)
def test_every_control_is_reachable_with_tab(page, server, type_id):
    page.goto(form_url(server, type_id))
    page.locator("details.lnp-details > summary").focus()
    page.keyboard.press("Enter")  # the keyboard opens "Avaa tallennetut tiedot" too
    assert page.locator("details.lnp-details").get_attribute("open") is not None
    missing = b.unreachable_with_tab(page)
    assert not missing, missing


def test_add_an_item_with_the_keyboard_only(page, server):
    page.goto(form_url(server, "mandate-agreement"))
    page.locator("body").focus()
    for _ in range(400):
        page.keyboard.press("Tab")
        if page.evaluate("document.activeElement.id") == "f-guardians-add":
            break
    else:
        pytest.fail("the add button of guardians was not reached with Tab")
    with page.expect_navigation():
        page.keyboard.press("Enter")
    assert page.evaluate("document.activeElement.name") == "guardians[1].given_names"
    page.keyboard.type("Ánde Mikael")
    page.keyboard.press("Tab")
    page.keyboard.type("Ánde")
    assert b.field(page, "guardians[1].calling_name").input_value() == "Ánde"


# --- without JavaScript, at 320 px and 200 % -----------------------------------------------------

def test_repeatable_groups_work_without_javascript(chromium, server, tokens):
    context = chromium.new_context(java_script_enabled=False, accept_downloads=True,
                                   extra_http_headers={"Authorization": f"Bearer {tokens['worker']}"})
    page = context.new_page()
    try:
        page.goto(form_url(server, "mandate-agreement"))
        b.field(page, "themes[0]").fill("Ensimmäinen")
        b.post_and_wait(page, b.button(page, "add:themes"))
        b.field(page, "themes[1]").fill("Toinen")
        b.post_and_wait(page, b.button(page, "down:themes[0]"))
        assert [b.field(page, f"themes[{i}]").input_value() for i in range(2)] == ["Toinen", "Ensimmäinen"]
        b.post_and_wait(page, b.button(page, "add:accessibility.interpreting"))
        b.field(page, "accessibility.interpreting[0].for_whom").fill("äiti")
        b.post_and_wait(page, b.button(page, "remove:themes[1]"))
        assert b.field(page, "accessibility.interpreting[0].for_whom").input_value() == "äiti"
        assert page.locator('[name="themes[1]"]').count() == 0
        payload = load_example("questions")
        page.goto(form_url(server, "questions"))
        b.fill_case(page, DOCUMENT_TYPES["questions"].fields, payload)
        name, content = b.download(page, page.locator("button.hds-button--primary[value=produce]"))
        assert_shows(content, "questions", payload)
    finally:
        context.close()


@pytest.mark.parametrize("width", [320, 640])  # 640 = a 1280 px screen at 200 % zoom
def test_no_sideways_scrolling_on_narrow_screens(chromium, server, width, tokens):
    context = chromium.new_context(viewport={"width": width, "height": 800},
                                   extra_http_headers={"Authorization": f"Bearer {tokens['worker']}"})
    page = context.new_page()
    try:
        for path in ["/", "/lomakkeet/mandate-agreement"]:
            page.goto(server + path)
            if path != "/":
                b.post_and_wait(page, page.locator("button.hds-button--primary[value=produce]"))
            assert page.evaluate("document.documentElement.scrollWidth") <= width, path
    finally:
        context.close()


# --- HTTP rules the browser does not show --------------------------------------------------------

def test_headers_csp_no_store_and_no_inline_styles_or_scripts(page, server):
    response = page.goto(form_url(server, "summary"))
    headers = response.headers
    assert headers["cache-control"] == "no-store"
    csp = headers["content-security-policy"]
    assert "script-src 'self'" in csp and "unsafe-inline" not in csp
    assert page.locator("[style]").count() == 0
    assert page.evaluate("Array.from(document.scripts).every(s => s.src)")
    assert page.evaluate("""Array.from(document.querySelectorAll('*')).every(
        el => Array.from(el.attributes).every(a => !a.name.startsWith('on')))""")
    assert page.evaluate("getComputedStyle(document.body).fontFamily").startswith("HelsinkiGrotesk")  # hds-core is served
    assert not page.problems, page.problems


def test_a_post_without_credentials_is_refused_before_anything_is_read(server):
    # With a signed-in session but no CSRF token the answer is the Finnish 400 page: tests/test_forms.py.
    response = requests.post(form_url(server, "summary"), data={"action": "save", "case_ref": "LNP-1"}, timeout=10)
    assert response.status_code == 401
    assert "LNP-1" not in response.text


# --- length caps as one types --------------------------------------------------------------------

@pytest.mark.parametrize("locale, left, over", [
    ("fi-FI", "Jäljellä 3\xa0990 merkkiä", "1 merkki liikaa"),
    ("sv-FI", "3\xa0990 tecken kvar", "1 tecken för mycket"),
    ("en-GB", "3,990 characters left", "1 character too many"),
])
def test_a_capped_field_counts_what_is_left_as_one_types(chromium, server, tokens, locale, left, over):
    with b.signed_in_page(chromium, tokens["worker"], locale=locale) as page:
        page.goto(form_url(server, "summary"))
        b.field(page, "current_situation").fill("x" * 10)
        counter = page.locator("#f-current_situation-count")
        assert counter.inner_text() == left
        case_ref = page.locator("#f-case_ref-count")
        b.field(page, "case_ref").fill("LNP-1")
        assert case_ref.is_hidden()  # a one-line text shows its count only near the cap
        b.field(page, "case_ref").fill("L" * 41)
        assert case_ref.is_visible() and case_ref.inner_text() == over
        assert "lnp-count--over" in case_ref.get_attribute("class")
        page.wait_for_timeout(1200)  # the pause after which a screen reader hears the count
        assert page.locator("#f-case_ref-count + [aria-live]").inner_text() == over
        b.axe_clean(page)
        assert not page.problems, page.problems
