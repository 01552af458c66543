"""The family plan's form in a real browser (Debian's Chromium under Playwright, axe-core at zero
violations): the saved questions opened into it, every question waiting for its answer, the plan
filled in and made; the next version started from the saved plan."""

from __future__ import annotations

import json

import pytest

from service.registry import DOCUMENT_TYPES
from tests import browser as b
from tests.browser import chromium, server  # noqa: F401  (fixtures)
from tests.conftest import load_example
from tests.docxtext import all_text
from tests.expectations import shown_values

PLAN = DOCUMENT_TYPES["family-plan"]


@pytest.fixture
def page(chromium, tokens):  # noqa: F811
    with b.signed_in_page(chromium, tokens["worker"]) as page:
        yield page


def test_the_questions_opened_answered_and_the_plan_made(page, server):  # noqa: F811
    questions, plan = load_example("questions"), load_example("family-plan")
    page.goto(f"{server}/lomakkeet/family-plan")
    b.axe_clean(page)

    b.open_json(page, questions, name="kysymykset_LNP-2026-0042.json")
    assert page.evaluate("document.activeElement.id") == "notice"
    for index, question in enumerate(questions["case_questions"]):
        assert b.field(page, f"answers[{index}].question").input_value() == question["text"]
        assert b.field(page, f"answers[{index}].answer").input_value() == ""
    assert b.field(page, "bottom_lines_check[4].bottom_line").input_value() == questions["not_acceptable"][1]
    b.axe_clean(page)

    # Asked for at once, the plan names what is still missing, each answer among them.
    b.post_and_wait(page, page.locator("button.hds-button--primary[value=produce]"))
    assert page.evaluate("document.activeElement.id") == "error-summary"
    summary = page.locator("#error-summary").inner_text()
    assert summary.count("Kirjoita sovittu vastaus perheen omin sanoin") == len(questions["case_questions"])
    b.axe_clean(page)
    assert b.field(page, "answers[2].question").input_value() == questions["case_questions"][2]["text"]

    b.fill_case(page, PLAN.fields, plan)
    name, content = b.download(page, page.locator("button.hds-button--primary[value=produce]"))
    assert name == "suunnitelma_LNP-2026-0042_v1.docx"
    text = all_text(content)
    assert not [path for path, value in shown_values(PLAN.fields, plan) if value not in text]
    assert not page.problems, page.problems


def test_the_next_version_from_the_saved_plan(page, server):  # noqa: F811
    plan = load_example("family-plan")
    page.goto(f"{server}/lomakkeet/family-plan")
    page.locator("details.lnp-details > summary").click()
    b.axe_clean(page)
    page.locator('label[for="open-next-version"]').click()
    page.locator("#open-file").set_input_files(files=[{
        "name": "suunnitelma_LNP-2026-0042_v1.json", "mimeType": "application/json",
        "buffer": json.dumps(plan).encode()}])
    b.post_and_wait(page, page.locator("form.lnp-open button[type=submit]"))
    assert "Aloitettiin versio 2, joka korvaa version 1" in page.locator("#notice").inner_text()
    assert b.field(page, "version").input_value() == "2"
    assert b.field(page, "supersedes.version").input_value() == "1"
    assert b.field(page, "supersedes.date").input_value() == plan["meeting"]["date"]
    assert b.field(page, "meeting.date").input_value() == plan["follow_up"]["date"]
    b.axe_clean(page)
    assert not page.problems, page.problems
