"""The conveners' template pages: server side with CSRF, then in Chromium with axe-core."""

from __future__ import annotations

import io
import re
from pathlib import Path

import pytest

from service import create_app
from service.instance import ensure_secrets
from service.registry import DOCUMENT_TYPES
from tests import browser as b
from tests.browser import chromium, server  # noqa: F401  (fixtures)
from tests.conftest import HTTPS, TEST_CONFIG, client_with_token, signed_in
from tests.docxtext import all_text
from tests.test_template_lifecycle import variant

SAMPLES = Path(__file__).parent / "sample_files"
TOKEN_RE = re.compile(r'name="csrf_token" value="([^"]+)"')


@pytest.fixture(scope="module")
def app(tmp_path_factory):
    folder = tmp_path_factory.mktemp("instance")
    ensure_secrets(folder)
    return create_app({**TEST_CONFIG, "INSTANCE_PATH": str(folder)})


@pytest.fixture
def client(app):
    return client_with_token(app, "convener")


def token(client) -> str:
    return TOKEN_RE.search(client.get("/pohjat/").get_data(as_text=True)).group(1)


def post_file(client, url, field, name, content, **extra):
    import io
    data = {"csrf_token": token(client), field: (io.BytesIO(content), name), **extra}
    return client.post(url, data=data, content_type="multipart/form-data")


def test_index_lists_every_type_with_its_three_languages(client):
    page = client.get("/pohjat/").get_data(as_text=True)
    for label in ("Toimeksiantosopimus", "Yhteenveto", "Kysymykset", "Seurantakokouksen yhteenveto"):
        assert label in page
    assert page.count("Käytössä versio 0.") == 3 * len(DOCUMENT_TYPES)  # every type in fi, sv, en
    for heading in ("Suomenkielinen pohja", "Ruotsinkielinen pohja", "Englanninkielinen pohja"):
        assert page.count(f"<h3>{heading}</h3>") == len(DOCUMENT_TYPES)
    for type_id in ("mandate-agreement", "summary", "questions", "follow-up-summary"):
        for lang in ("fi", "sv", "en"):
            assert f'id="tyyppi-{type_id}-{lang}"' in page and f'id="pohja-{type_id}-{lang}"' in page
            assert f'action="/pohjat/{type_id}/{lang}/lataa"' in page


def test_upload_preview_activate_rollback(client):
    response = post_file(client, "/pohjat/questions/fi/lataa", "template", "pohja.docx", variant("questions", "VERSIO-W"))
    assert response.status_code == 302 and "/pohjat/questions/fi/versiot/" in response.headers["Location"]
    number = int(response.headers["Location"].rsplit("/", 1)[-1])
    page = client.get(response.headers["Location"]).get_data(as_text=True)
    assert "tarkistus läpäisty" in page and "Ei huomautettavaa" in page
    preview = client.post(f"/pohjat/questions/fi/versiot/{number}/esikatsele", data={"csrf_token": token(client)})
    assert preview.status_code == 200 and "VERSIO-W" in all_text(preview.data)
    assert preview.headers["Content-Disposition"].startswith(f'attachment; filename="esikatselu_v{number}_kysymykset_')
    activated = client.post(f"/pohjat/questions/fi/versiot/{number}/ota-kayttoon",
                            data={"csrf_token": token(client), "confirm": "yes"})
    assert activated.status_code == 302
    assert f"Käytössä versio {number}." in client.get("/pohjat/").get_data(as_text=True)
    client.post("/pohjat/questions/fi/palauta", data={"csrf_token": token(client), "confirm": "yes"})
    assert client.get("/pohjat/").get_data(as_text=True).count("Käytössä versio 0.") == 3 * len(DOCUMENT_TYPES)


def test_a_broken_upload_shows_all_findings_with_places(client):
    response = post_file(client, "/pohjat/summary/fi/lataa", "template", "pohja.docx",
                         (SAMPLES / "five_errors.docx").read_bytes())
    page = client.get(response.headers["Location"]).get_data(as_text=True)
    assert page.count('class="lnp-finding lnp-finding--virhe"') == 5
    assert "taulukko 1, rivi 1, solu 2" in page and "Tarkoititko «author»?" in page
    assert "Ota versio" not in page  # a failed check cannot be activated


def test_check_only_does_not_store(client):
    before = client.get("/pohjat/").get_data(as_text=True).count("<tr>")
    response = post_file(client, "/pohjat/summary/fi/tarkista", "template", "pohja.docx",
                         (SAMPLES / "misspelled.docx").read_bytes())
    assert response.status_code == 200 and "current_situation" in response.get_data(as_text=True)
    assert client.get("/pohjat/").get_data(as_text=True).count("<tr>") == before


def test_unsafe_upload_is_refused_with_a_message(client):
    response = post_file(client, "/pohjat/summary/fi/lataa", "template", "pommi.docx",
                         (SAMPLES / "zip_bomb.docx").read_bytes())
    page = client.get(response.headers["Location"].split("#")[0]).get_data(as_text=True)
    assert "zip-pommi" in page


def test_a_signed_in_convener_needs_csrf_and_a_worker_is_refused(app):
    convener = signed_in(app, "convener", "koollekutsuja")
    assert convener.post("/pohjat/summary/fi/palauta", **HTTPS).status_code == 400
    assert convener.post("/pohjat/summary/sv/versiot/0/ota-kayttoon", **HTTPS).status_code == 400
    page = convener.get("/pohjat/", **HTTPS).get_data(as_text=True)
    assert "Asiakirjapohjat" in page
    worker = signed_in(app, "worker", "tyontekija")
    assert worker.get("/pohjat/", **HTTPS).status_code == 403


def test_field_catalogue_page(client):
    page = client.get("/pohjat/mandate-agreement/kentat").get_data(as_text=True)
    assert "children[].given_names" in page and "Etunimet" in page and "date_range" in page
    guide = client.get("/pohjat/mandate-agreement/kenttaopas.docx")
    assert "children[].hetu" in all_text(guide.data)


# --- in a real browser ---------------------------------------------------------------------

# server and chromium: tests/browser.py's fixtures, as the Finnish form tests use them


@pytest.fixture
def page(chromium, app):
    with b.signed_in_page(chromium, app.extensions["lnp.accounts"].create_token("browser", "convener")[1]) as page:
        yield page


assert_no_axe_violations = b.axe_clean


def test_browser_upload_check_and_activate_with_axe(page, server, tmp_path):
    page.goto(server + "/pohjat/")
    assert_no_axe_violations(page)
    broken = tmp_path / "pohja.docx"
    broken.write_bytes((SAMPLES / "five_errors.docx").read_bytes())
    page.set_input_files("#pohja-summary-fi", str(broken))
    with page.expect_navigation():
        page.locator("#tyyppi-summary-fi button.hds-button--primary").click()
    assert page.locator(".lnp-finding--virhe").count() == 5
    assert_no_axe_violations(page)

    good = tmp_path / "uusi.docx"
    good.write_bytes(variant("summary", "VERSIO-X"))
    page.goto(server + "/pohjat/")
    page.set_input_files("#pohja-summary-fi", str(good))
    with page.expect_navigation():
        page.locator("#tyyppi-summary-fi button.hds-button--primary").click()
    assert "tarkistus läpäisty" in page.content()
    assert_no_axe_violations(page)
    with page.expect_download() as download:
        page.get_by_role("button", name="Esikatsele Word-asiakirjana").click()
    assert "VERSIO-X" in all_text(Path(download.value.path()).read_bytes())
    with page.expect_navigation():
        page.get_by_role("link", name=re.compile(r"^Ota versio \d+ käyttöön$")).click()
    assert page.locator("h1").inner_text().startswith("Otetaanko versio")  # asked first, on a page of its own
    assert_no_axe_violations(page)
    with page.expect_navigation():
        page.get_by_role("button", name=re.compile(r"^Ota versio \d+ käyttöön$")).click()
    assert "on nyt käytössä" in page.content()
    assert_no_axe_violations(page)
    with page.expect_navigation():
        page.locator("#tyyppi-summary-fi").get_by_role(
            "link", name="Palaa edelliseen käytössä olleeseen versioon (0) (Yhteenveto, suomenkielinen pohja)").click()
    assert page.locator("h1").inner_text() == "Palataanko versioon 0?"
    with page.expect_navigation():
        page.get_by_role("button", name="Palaa versioon 0").click()
    assert "palattiin versioon 0" in page.content()
    assert not page.problems


def test_browser_fields_page_with_axe(page, server):
    page.goto(server + "/pohjat/summary/kentat")
    assert_no_axe_violations(page)
    assert not page.problems


@pytest.mark.parametrize("ui, title", [("sv", "Dokumentmallar"), ("en", "Document templates")])
def test_browser_pages_in_swedish_and_english_with_axe(page, server, ui, title):
    """The pages in the user's language (the switch's cookie), with a template of another language."""
    page.context.add_cookies([{"name": "lnp_lang", "value": ui, "url": server}])
    page.goto(server + "/pohjat/")
    assert page.locator("h1").inner_text() == title
    assert page.locator("#tyyppi-summary-sv h3").count() == 1
    assert_no_axe_violations(page)
    page.goto(server + "/pohjat/summary/sv/versiot/0")
    assert_no_axe_violations(page)
    page.goto(server + "/pohjat/summary/kentat")
    assert_no_axe_violations(page)
    assert not page.problems


# --- pages a convener can trust: times, names, confirmation, places in Word -----------------------

@pytest.mark.parametrize("lang, winter, summer", [
    ("fi", "1.3.2026 klo 12.15", "1.7.2026 klo 13.15"),
    ("sv", "1.3.2026 kl. 12.15", "1.7.2026 kl. 13.15"),
    ("en", "1 March 2026, 12:15", "1 July 2026, 13:15"),
])
def test_times_are_helsinki_time_in_the_readers_language(lang, winter, summer):
    from schemas.i18n import language
    from service.pages.template_pages import moment

    with language(lang):
        assert moment("2026-03-01T10:15:00+00:00") == winter
        assert moment("2026-07-01T10:15:00+00:00") == summer


def _convener_with_a_name(app, name):
    client = signed_in(app, "convener", name)
    app.extensions["lnp.accounts"].set_profile(name, {
        "given_names": "Kaisa", "surname": "Koollekutsuja", "title": "koollekutsuja", "organisation": "Helsingin kaupunki",
        "unit": "Läheisneuvonpito", "work_phone": "+358 9 310 12345", "work_email": "kaisa.koollekutsuja@hel.fi"})
    return client


def _page_token(client):
    return TOKEN_RE.search(client.get("/pohjat/", **HTTPS).get_data(as_text=True)).group(1)


def test_uploads_show_the_uploaders_name_and_the_local_time(app):
    client = _convener_with_a_name(app, "kaisa")
    response = client.post("/pohjat/follow-up-summary/en/lataa", content_type="multipart/form-data", **HTTPS,
                           data={"csrf_token": _page_token(client),
                                 "template": (io.BytesIO(variant("follow-up-summary", "NIMI-N", "en")), "p.docx")})
    version_page = client.get(response.headers["Location"], **HTTPS).get_data(as_text=True)
    index = client.get("/pohjat/", **HTTPS).get_data(as_text=True)
    for page in (version_page, index):
        assert "Kaisa Koollekutsuja" in page and "session:kaisa" not in page
        assert not re.search(r">\d{4}-\d\d-\d\dT", page)  # no ISO time shown, only in <time datetime>
        assert re.search(r'<time datetime="[^"]+">\d{1,2}\.\d{1,2}\.\d{4} klo \d{1,2}\.\d\d</time>', page)


def test_rollback_is_offered_only_with_something_to_roll_back_to(app):
    client = _convener_with_a_name(app, "palauttaja")
    index = client.get("/pohjat/", **HTTPS).get_data(as_text=True)
    section = index.split('id="tyyppi-summary-sv"')[1].split('id="tyyppi-summary-en"')[0]
    assert "/pohjat/summary/sv/palauta" not in section
    refused = client.get("/pohjat/summary/sv/palauta", **HTTPS)
    assert refused.status_code == 302
    assert "palattavaa ei ole" in client.get("/pohjat/", **HTTPS).get_data(as_text=True)


def test_activation_and_rollback_ask_first(app):
    client = _convener_with_a_name(app, "vahvistaja")
    response = client.post("/pohjat/questions/en/lataa", content_type="multipart/form-data", **HTTPS,
                           data={"csrf_token": _page_token(client),
                                 "template": (io.BytesIO(variant("questions", "KYSY-K", "en")), "p.docx")})
    number = int(response.headers["Location"].rsplit("/", 1)[-1])
    url = f"/pohjat/questions/en/versiot/{number}/ota-kayttoon"
    store = app.extensions["lnp.templates"]
    asked = client.get(url, **HTTPS).get_data(as_text=True)
    assert f"Otetaanko versio {number} käyttöön?" in asked and 'name="confirm" value="yes"' in asked
    assert "Kaisa Koollekutsuja" in asked and "sisäänrakennettu" in asked  # what comes and what goes
    unconfirmed = client.post(url, data={"csrf_token": _page_token(client)}, **HTTPS)
    assert unconfirmed.status_code == 200 and store.active_version("questions", "en") == 0
    client.post(url, data={"csrf_token": _page_token(client), "confirm": "yes"}, **HTTPS)
    assert store.active_version("questions", "en") == number
    index = client.get("/pohjat/", **HTTPS).get_data(as_text=True)
    assert "/pohjat/questions/en/palauta" in index
    asked = client.get("/pohjat/questions/en/palauta", **HTTPS).get_data(as_text=True)
    assert "Palataanko versioon 0?" in asked
    client.post("/pohjat/questions/en/palauta", data={"csrf_token": _page_token(client)}, **HTTPS)
    assert store.active_version("questions", "en") == number  # not without the confirmation
    client.post("/pohjat/questions/en/palauta", data={"csrf_token": _page_token(client), "confirm": "yes"}, **HTTPS)
    assert store.active_version("questions", "en") == 0


def test_a_finding_is_placed_under_its_heading_with_the_words_around_the_tag():
    from docx import Document

    from service.registry import DOCUMENT_TYPES, TEMPLATES_DIR
    from service.wordtemplates.checker import check

    document = Document(str(TEMPLATES_DIR / "fi" / "questions.docx"))
    intro = next(p for p in document.paragraphs if p.text.startswith("Reunaehdot ovat"))
    intro.add_run(" Lisäksi huomioidaan {{ must_includ }} ja muut sovitut asiat, jotka koskevat lasta.")
    out = io.BytesIO()
    document.save(out)
    report = check(out.getvalue(), DOCUMENT_TYPES["questions"])
    finding = next(f for f in report.findings if "must_includ" in f.snippet)
    assert finding.location == "leipäteksti, otsikon «Reunaehdot» alla, kappale 1"
    assert finding.snippet.startswith("…") and "{{ must_includ }}" in finding.snippet
    before, after = finding.snippet.split("{{ must_includ }}")
    assert abs(len(before) - len(after)) < 25  # centred on the faulty tag
    assert len(finding.snippet) <= 82


# Every page of the conveners at a small laptop's 800 px and a phone's 320 px.
NARROW_PAGES = ["/pohjat/", "/pohjat/summary/kentat", "/pohjat/summary/fi/versiot/0",
                "/pohjat/summary/fi/versiot/0/ota-kayttoon"]

WORDS_BROKEN = """() => {
  const broken = [];
  for (const el of document.querySelectorAll('button, a.hds-button')) {
    if (!el.getClientRects().length) continue;
    const walker = document.createTreeWalker(el, NodeFilter.SHOW_TEXT);
    for (let node = walker.nextNode(); node; node = walker.nextNode()) {
      const re = /\\S+/g; let m;
      while ((m = re.exec(node.data))) {
        const range = document.createRange();
        range.setStart(node, m.index); range.setEnd(node, m.index + m[0].length);
        const lines = new Set(Array.from(range.getClientRects()).filter(r => r.width > 0).map(r => Math.round(r.top)));
        if (lines.size > 1) broken.push(m[0]);
      }
    }
  }
  return broken;
}"""


@pytest.mark.parametrize("width", [800, 320])
def test_template_pages_fit_the_page_and_buttons_break_between_words(chromium, server, app, width, tmp_path):
    token = app.extensions["lnp.accounts"].create_token("kapea", "convener")[1]
    context = chromium.new_context(locale="fi-FI", viewport={"width": width, "height": 900},
                                   extra_http_headers={"Authorization": f"Bearer {token}"})
    context.set_default_timeout(10_000)
    page = context.new_page()
    page.problems = b.watch(page)
    try:
        broken = tmp_path / "pohja.docx"
        broken.write_bytes((SAMPLES / "five_errors.docx").read_bytes())
        page.goto(server + "/pohjat/")
        page.set_input_files("#pohja-summary-sv", str(broken))
        with page.expect_navigation():
            page.locator("#tyyppi-summary-sv button.hds-button--primary").click()
        for path in NARROW_PAGES + [page.url.replace(server, "")]:
            page.goto(server + path)
            assert page.evaluate("document.documentElement.scrollWidth") <= width, path
            too_wide = page.evaluate("""(w) => Array.from(document.querySelectorAll('table, button, a.hds-button'))
                .filter(e => e.getClientRects().length && e.getBoundingClientRect().right > w).length""", width)
            assert too_wide == 0, path
            assert page.evaluate(WORDS_BROKEN) == [], path
            b.axe_clean(page)
        assert not page.problems, page.problems
    finally:
        context.close()
