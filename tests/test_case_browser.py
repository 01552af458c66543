"""The case form in a real browser (Debian's Chromium under Playwright, the app over real HTTP):
one realistic case walked from the agreement to the follow-up summary, counting what is typed,
against the same four documents made with the per-document forms; the overview in every state
under axe-core."""

from __future__ import annotations

import json

import pytest

from service.pages.case_form import COMMON, OVERVIEW, section
from service.registry import DOCUMENT_TYPES
from tests import browser as b
from tests.browser import chromium, server  # noqa: F401  (fixtures)
from tests.expectations import assert_shows
from tests.test_case_form import section_values
from tests.test_cases import example_case

WALKED = ("mandate-agreement", "summary", "questions", "follow-up-summary")


@pytest.fixture
def page(chromium, tokens):
    with b.signed_in_page(chromium, tokens["worker"]) as page:
        yield page


def typed(page, node, data, path: str = "") -> int:
    """Fill ``data`` in as a person would and count the inputs whose value had to be typed,
    ticked or chosen (a value the page already shows is not typed again)."""
    count = 0
    if node.kind == "object":
        for name, child in node.children.items():
            if isinstance(data, dict) and name in data:
                count += typed(page, child, data[name], f"{path}.{name}" if path else name)
    elif node.kind == "list":
        for index, item in enumerate(data):
            count += typed(page, node.item, item, f"{path}[{index}]")
    elif node.kind == "bool":
        box = page.locator(f'input[name="{path}"]') if node.default is not None else \
            page.locator(f'input[name="{path}"][value="{"true" if data else "false"}"]')
        if box.is_checked() != (data if node.default is not None else True):
            page.locator(f'label[for="{box.get_attribute("id")}"]').click()
            count += 1
    elif node.choices or node.widget == "language":
        if b.field(page, path).input_value() != str(data):
            b.field(page, path).select_option(data)
            count += 1
    elif b.field(page, path).input_value() != str(data):
        b.field(page, path).fill(str(data))
        count += 1
    return count


def test_a_case_from_the_agreement_to_the_follow_up_without_typing_anything_twice(page, server, capsys):
    case = example_case()

    # Before: each document with its own form, the shared people typed again on each.
    before = {}
    for type_id in WALKED:
        doc_type = DOCUMENT_TYPES[type_id]
        payload = doc_type.example()
        page.goto(f"{server}/lomakkeet/{type_id}")
        b.add_items(page, doc_type.fields, payload)
        before[type_id] = typed(page, doc_type.fields, payload)
        _, content = b.download(page, page.locator("button.hds-button--primary[value=produce]"))
        assert_shows(content, type_id, payload)

    # After: one case, the shared page once, then each document's own part.
    page.goto(f"{server}/tapaus")
    common = section_values(case, COMMON)
    b.add_items(page, section(COMMON).fields, common)
    after = {"shared": typed(page, section(COMMON).fields, common)}
    for type_id in WALKED:
        b.post_and_wait(page, b.button(page, f"goto:{type_id}"))
        part = case["documents"][type_id]
        b.add_items(page, section(type_id).fields, part)
        after[type_id] = typed(page, section(type_id).fields, part)
        _, content = b.download(page, b.button(page, f"produce:{type_id}"))
        assert_shows(content, type_id, DOCUMENT_TYPES[type_id].example())
    b.post_and_wait(page, b.button(page, f"goto:{OVERVIEW}"))
    states = dict(zip(DOCUMENT_TYPES, (s.strip() for s in page.locator("td.lnp-status").all_inner_texts())))
    assert {type_id: states[type_id] for type_id in WALKED} == dict.fromkeys(WALKED, "Valmis")

    with capsys.disabled():
        print(f"\ninputs typed for the agreement, summary, questions and follow-up summary: per-document forms "
              f"{sum(before.values())} ({before}); one case {sum(after.values())} ({after})")
    # Nothing typed twice: the people and the case reference are typed once, on the shared page.
    per_document_shared = sum(typed_shared for typed_shared in (before[t] - after[t] for t in WALKED))
    assert per_document_shared > after["shared"]
    assert sum(after.values()) < sum(before.values())
    assert not page.problems, page.problems


def overview_states() -> dict:
    """One case whose documents are in every state: ready, incomplete, blocked and not started."""
    case = example_case()
    del case["documents"]["summary"]["lead_in"]  # incomplete
    case["documents"]["questions"]["case_questions"][0]["theme"] = "Jotain muuta"  # blocked
    del case["documents"]["follow-up-summary"]  # not started
    case["meetings"]["follow_up"]["date"] = "2027-09-30"  # a warning
    return case


@pytest.mark.parametrize("width", [1280, 320])
def test_axe_on_the_overview_in_every_state(chromium, server, tokens, width):
    with b.signed_in_page(chromium, tokens["worker"]) as page:
        page.set_viewport_size({"width": width, "height": 900})
        page.goto(f"{server}/tapaus")
        b.open_json(page, overview_states(), name="tapaus.json")
        states = [s.strip() for s in page.locator("td.lnp-status").all_inner_texts()]
        # agreement, summary, questions (a theme not agreed), plan (its follow-up meeting is not the
        # case's), follow-up summary, network map, letters
        assert states == ["Valmis", "Keskeneräinen", "Estetty", "Estetty", "Ei aloitettu", "Valmis", "Valmis"]
        b.axe_clean(page)
        assert page.evaluate("document.documentElement.scrollWidth <= window.innerWidth + 1")
        for target in (COMMON, "summary", OVERVIEW):
            b.post_and_wait(page, b.button(page, f"goto:{target}"))
            b.axe_clean(page)
        assert not page.problems, page.problems


def test_the_case_pages_work_without_javascript(chromium, server, tokens):
    with b.signed_in_page(chromium, tokens["worker"], javascript=False) as page:
        page.goto(f"{server}/tapaus")
        b.field(page, "case_ref").fill("LNP-2026-0099")
        b.post_and_wait(page, b.button(page, "add:people.children"))
        assert page.locator('input[name="people.children.__count"]').get_attribute("value") == "2"
        assert b.field(page, "case_ref").input_value() == "LNP-2026-0099"
        b.post_and_wait(page, b.button(page, "goto:summary"))
        b.post_and_wait(page, b.button(page, f"goto:{COMMON}"))
        assert b.field(page, "case_ref").input_value() == "LNP-2026-0099"
        name, content = b.download(page, b.button(page, "save"))
        assert name == "tapaus_LNP-2026-0099.json"
        assert json.loads(content)["case_ref"] == "LNP-2026-0099"
