"""Real-browser helpers: the app served over real HTTP, Debian's Chromium driven by Playwright,
and a "user" that fills a form from a case JSON through the page, as a person would."""

from __future__ import annotations

import contextlib
import json
import os
import threading
from pathlib import Path

import pytest
from werkzeug.serving import make_server

from service.fieldtree import Node

ROOT = Path(__file__).resolve().parent.parent
CHROMIUM = os.environ.get("LNP_CHROMIUM", "/usr/bin/chromium")
# No network of its own, no updates, no first-run dialogs: the browser talks to 127.0.0.1 only.
CHROMIUM_ARGS = ["--headless", "--no-sandbox", "--disable-gpu", "--disable-background-networking",
                 "--disable-component-update", "--disable-sync", "--no-first-run"]
AXE = ROOT / "node_modules" / "axe-core" / "axe.min.js"
AXE_URL = "/__tests__/axe.min.js"  # served by the test's route, same origin: the CSP stays on


class Server:
    """The app on 127.0.0.1 in werkzeug's threaded server (real sockets, real HTTP)."""

    def __init__(self, app):
        self.httpd = make_server("127.0.0.1", 0, app, threaded=True)
        self.base = f"http://127.0.0.1:{self.httpd.server_port}"
        self.thread = threading.Thread(target=self.httpd.serve_forever, daemon=True)

    def __enter__(self):
        self.thread.start()
        return self

    def __exit__(self, *exc):
        self.httpd.shutdown()
        self.thread.join(timeout=10)


def launch(playwright):
    if not Path(CHROMIUM).exists():
        # Fail, never skip: CI without a browser must not pass as if the forms were tested.
        raise RuntimeError(f"Chromium not found at {CHROMIUM}: run `make test` as root or apt-get install chromium")
    return playwright.chromium.launch(executable_path=CHROMIUM, args=CHROMIUM_ARGS)


@contextlib.contextmanager
def chromium_browser():
    """Debian's Chromium under Playwright, for a test module."""
    from playwright.sync_api import sync_playwright

    with sync_playwright() as playwright:
        browser = launch(playwright)
        yield browser
        browser.close()


# The browser's language as a person's browser would ask for it (Accept-Language).
LOCALES = {"fi": "fi-FI", "sv": "sv-FI", "en": "en-GB"}


@contextlib.contextmanager
def signed_in_page(chromium, token: str | None, locale: str = "fi-FI", javascript: bool = True):
    """A fresh page (Finnish locale unless told, downloads on) sending ``token`` with every
    request (None: not signed in, for the sign-in pages). ``page.problems`` collects console errors."""
    headers = {"Authorization": f"Bearer {token}"} if token else {}
    context = chromium.new_context(locale=locale, accept_downloads=True, viewport={"width": 1280, "height": 900},
                                   extra_http_headers=headers, java_script_enabled=javascript)
    context.set_default_timeout(10_000)
    page = context.new_page()
    page.problems = watch(page)
    try:
        yield page
    finally:
        context.close()


def axe_clean(page) -> None:
    violations = axe_violations(page)
    assert not violations, json.dumps(violations, ensure_ascii=False, indent=1)


def watch(page) -> list[str]:
    """Collect console errors and page errors (a CSP violation shows up here)."""
    problems: list[str] = []

    def console(message):
        # A form sent back with its errors has status 422 by design; Chromium logs every 4xx page.
        if message.type in ("error", "warning") and "status of 422" not in message.text:
            problems.append(message.text)

    page.on("console", console)
    page.on("pageerror", lambda e: problems.append(str(e)))
    return problems


def post_and_wait(page, locator):
    """Click a submit button and wait for the page the server sends back."""
    with page.expect_navigation():
        locator.click()


def button(page, value: str):
    return page.locator(f'button[name="action"][value="{value}"]')


def field(page, path: str):
    return page.locator(f'[name="{path}"]')


# --- a user filling in the form ------------------------------------------------------------

def add_items(page, node: Node, data, path: str = ""):
    """Click "Lisää …" until every list on the page has as many entries as ``data``."""
    if node.kind == "object" and isinstance(data, dict):
        for name, child in node.children.items():
            if name in data:
                add_items(page, child, data[name], f"{path}.{name}" if path else name)
    elif node.kind == "list" and isinstance(data, list):
        count = int(page.locator(f'input[name="{path}.__count"]').get_attribute("value"))
        while count < len(data):
            post_and_wait(page, button(page, f"add:{path}"))
            count += 1
        for index, item in enumerate(data):
            add_items(page, node.item, item, f"{path}[{index}]")


def fill(page, node: Node, data, path: str = ""):
    """Type, tick and choose every value of ``data`` into the form."""
    if node.kind == "object":
        for name, child in node.children.items():
            if name in data:
                fill(page, child, data[name], f"{path}.{name}" if path else name)
    elif node.kind == "list":
        for index, item in enumerate(data):
            fill(page, node.item, item, f"{path}[{index}]")
    elif node.kind == "bool":
        # A person clicks the label: the HDS control draws its box over the input itself.
        box = page.locator(f'input[name="{path}"]') if node.default is not None else \
            page.locator(f'input[name="{path}"][value="{"true" if data else "false"}"]')
        if box.is_checked() != (data if node.default is not None else True):
            page.locator(f'label[for="{box.get_attribute("id")}"]').click()
    elif node.choices or node.widget == "language":
        field(page, path).select_option(data)
    else:
        field(page, path).fill(str(data))


def fill_case(page, node: Node, data):
    add_items(page, node, data)
    fill(page, node, data)


def download(page, locator) -> tuple[str, bytes]:
    with page.expect_download() as info:
        locator.click()
    got = info.value
    return got.suggested_filename, Path(got.path()).read_bytes()


def open_json(page, payload: dict, name: str = "tiedot.json"):
    """"Avaa tallennetut tiedot": choose a saved file and open it."""
    page.locator("details.lnp-details > summary").click()
    page.locator("#open-file").set_input_files(
        files=[{"name": name, "mimeType": "application/json", "buffer": json.dumps(payload).encode()}])
    post_and_wait(page, page.locator("form.lnp-open button[type=submit]"))


def unreachable_with_tab(page) -> set[str]:
    """The visible controls of the page that pressing Tab from the top never reaches."""
    controls = page.evaluate("""() => Array.from(document.querySelectorAll(
        'a[href], button, input:not([type=hidden]), select, textarea, summary'))
        .filter(el => !el.hidden && el.getClientRects().length)
        .map(el => el.type === 'radio' ? 'radio:' + el.name : (el.id || el.name + '=' + (el.value || '') || el.textContent))""")
    page.locator("body").focus()
    seen: set[str] = set()
    wanted = set(controls)
    # Tab stops that are not controls (a length counter, the error summary) need presses too: go on
    # until every control was reached or three times round the controls.
    for _ in range(3 * len(controls) + 50):
        page.keyboard.press("Tab")
        seen.add(page.evaluate("""() => { const el = document.activeElement;
            return el.type === 'radio' ? 'radio:' + el.name : (el.id || el.name + '=' + (el.value || '') || el.textContent); }"""))
        if wanted <= seen:
            break
    return wanted - seen


def axe_violations(page) -> list[dict]:
    page.route(f"**{AXE_URL}", lambda route: route.fulfill(path=str(AXE), content_type="text/javascript"))
    page.add_script_tag(url=AXE_URL)
    result = page.evaluate("async () => await axe.run(document, {resultTypes: ['violations']})")
    # Make sure axe itself ran: a script that failed to load would report nothing at all.
    assert result["testEngine"]["name"] == "axe-core" and len(result["passes"]) > 10
    return [{"id": v["id"], "impact": v["impact"], "help": v["help"],
             "targets": [n["target"] for n in v["nodes"]][:5]} for v in result["violations"]]


# Fixtures shared by the browser tests (imported by name into each test module).

@pytest.fixture(scope="module")
def server(app):
    """The app served on a real socket for the module's tests."""
    with Server(app) as running:
        yield running.base


@pytest.fixture(scope="module")
def chromium():
    with chromium_browser() as browser:
        yield browser
