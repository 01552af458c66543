"""The conveners' template pages: server side with CSRF, then in Chromium with axe-core."""

from __future__ import annotations

import re
from pathlib import Path

import pytest

from service import create_app
from service.instance import ensure_secrets
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
    assert page.count("Käytössä versio 0.") == 12  # four types × fi, sv, en
    for heading in ("Suomenkielinen pohja", "Ruotsinkielinen pohja", "Englanninkielinen pohja"):
        assert page.count(f"<h3>{heading}</h3>") == 4
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
    activated = client.post(f"/pohjat/questions/fi/versiot/{number}/ota-kayttoon", data={"csrf_token": token(client)})
    assert activated.status_code == 302
    assert f"Käytössä versio {number}." in client.get("/pohjat/").get_data(as_text=True)
    client.post("/pohjat/questions/fi/palauta", data={"csrf_token": token(client)})
    assert client.get("/pohjat/").get_data(as_text=True).count("Käytössä versio 0.") == 12


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
        page.get_by_role("button", name=re.compile(r"^Ota versio \d+ käyttöön$")).click()
    assert "on nyt käytössä" in page.content()
    assert_no_axe_violations(page)
    with page.expect_navigation():
        page.locator("#tyyppi-summary-fi").get_by_role(
            "button", name="Palaa edelliseen käytössä olleeseen versioon (Yhteenveto, suomenkielinen pohja)").click()
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
