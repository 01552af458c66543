"""A template per document type and language: each (type, language) has its own versions,
numbering, history and active version, over the store, the API, the pages and the CLI."""

from __future__ import annotations

import datetime as dt
import io
import json
import re
import shutil
import subprocess

import pytest
from sqlalchemy import select

from service import create_app
from service.database.tables import template_versions
from service.instance import ensure_secrets
from service.pipeline import check_all, produce
from service.registry import DOCUMENT_TYPES, TEMPLATES_DIR
from service.wordtemplates.checker import check
from service.wordtemplates.store import StoreError, TemplateStore, export_file_name
from tests.conftest import TEST_CONFIG, cli_auditor, client_with_token, post_json
from tests.docxtext import all_text, header_footer_text
from tests.servers import database, postgres  # noqa: F401
from tests.test_template_lifecycle import DOCX, SAMPLES, app, client, run_cli, upload, variant  # noqa: F401

LANGUAGES = ("fi", "sv", "en")
TOKEN_RE = re.compile(r'name="csrf_token" value="([^"]+)"')


def example(type_id: str, language: str) -> dict:
    return DOCUMENT_TYPES[type_id].example(language)


# app and client: a fresh instance and a convener, as in test_template_lifecycle.py


@pytest.fixture(scope="module")
def reader(tmp_path_factory):
    """A convener on one instance for the tests that change nothing (an app takes seconds to
    start: it loads and checks every template in every language)."""
    folder = tmp_path_factory.mktemp("instance")
    ensure_secrets(folder)
    return client_with_token(create_app({**TEST_CONFIG, "INSTANCE_PATH": str(folder)}), "convener")


def versions(client, type_id, language):
    return client.get(f"/api/v1/templates/{type_id}/versions?language={language}").get_json()


def rendered_version(client, type_id, language) -> tuple[str, str]:
    response = post_json(client, type_id, example(type_id, language))
    assert response.status_code == 200, response.get_json()
    return response.headers["X-Template-Version"], all_text(response.data)


# --- the store ----------------------------------------------------------------------------

def test_every_language_starts_at_its_own_builtin(database):
    store = TemplateStore(database)
    for type_id, doc_type in DOCUMENT_TYPES.items():
        for language in LANGUAGES:
            template = store.get(doc_type, language)
            assert template.version == 0 and template.language == language
            assert template.data == (TEMPLATES_DIR / language / f"{type_id}.docx").read_bytes()
            assert store.active_version(type_id, language) == 0 and store.history(type_id, language) == [0]
            [builtin] = store.versions(type_id, language)
            assert builtin.language == language and builtin.as_dict()["language"] == language


def test_a_swedish_version_leaves_finnish_and_english_alone_and_vice_versa(database):
    store = TemplateStore(database)
    summary = DOCUMENT_TYPES["summary"]
    sv, _ = store.upload(summary, variant("summary", "RUOTSI-1", "sv"), "testi", "sv")
    assert (sv.version, sv.language, sv.ok) == (1, "sv", True), sv.report
    store.activate(summary, 1, "testi", "sv")
    assert store.active_version("summary", "sv") == 1
    assert store.active_version("summary", "fi") == 0 and store.active_version("summary", "en") == 0
    assert [v.version for v in store.versions("summary", "fi")] == [0]
    assert "RUOTSI-1" in all_text(store.get(summary, "sv").data)
    assert "RUOTSI-1" not in all_text(store.get(summary, "fi").data)

    # Finnish numbers its versions on its own: its first upload is version 1 too.
    fi, _ = store.upload(summary, variant("summary", "SUOMI-1"), "testi", "fi")
    assert (fi.version, fi.language) == (1, "fi")
    store.activate(summary, 1, "testi", "fi")
    assert store.get(summary, "sv").sha256 == sv.sha256 and store.get(summary, "fi").sha256 == fi.sha256
    assert store.rollback(summary, "testi", language="sv") == 0
    assert store.active_version("summary", "sv") == 0 and store.active_version("summary", "fi") == 1
    assert store.read("summary", 1, "sv") != store.read("summary", 1, "fi")

    assert [v.version for v in store.versions("summary", "sv")] == [0, 1]
    assert store.history("summary", "fi") == [0, 1] and store.history("summary", "sv") == [0]
    assert [(a["version"], a["action"]) for a in store.activations("summary", "sv")] == [(1, "activate"),
                                                                                        (0, "rollback")]
    assert store.version("summary", 1, "sv").as_dict()["language"] == "sv"
    with pytest.raises(StoreError):
        store.version("summary", 1, "en")


def test_a_loaded_template_prints_its_language(database):
    store = TemplateStore(database)
    doc_type = DOCUMENT_TYPES["summary"]
    payload = example("summary", "en")
    document = produce(store, doc_type, payload, audit=cli_auditor())
    assert document.template.language == "en"
    text = all_text(document.content) + header_footer_text(document.content)
    day = dt.date.fromisoformat(payload["document_date"])
    assert "City of Helsinki" in text
    assert f"{day.day} {day:%B} {day.year}" in text  # the English date filter: 25 September 2026


def test_an_unknown_language_is_refused_by_the_store(database):
    store = TemplateStore(database)
    doc_type = DOCUMENT_TYPES["summary"]
    for call in (lambda: store.get(doc_type, "de"), lambda: store.versions("summary", "../fi"),
                 lambda: store.upload(doc_type, variant("summary", "X"), "testi", "xx"),
                 lambda: store.active_version("summary", "")):
        with pytest.raises(StoreError) as refused:
            call()
        assert refused.value.status == 400 and "fi (suomi), sv (ruotsi) ja en (englanti)" in refused.value.message
    with database.read() as connection:
        assert connection.execute(select(template_versions.c.language)).scalars().all() == []


def test_the_checker_passes_every_builtin_template_in_its_own_language():
    for type_id, doc_type in DOCUMENT_TYPES.items():
        for language in LANGUAGES:
            data = (TEMPLATES_DIR / doc_type.template(language)).read_bytes()
            report = check(data, doc_type, language=language)
            assert report.ok and not report.findings, (type_id, language, report.findings)


# --- start-up ------------------------------------------------------------------------------

def test_start_up_checks_every_template_in_every_language(tmp_path):
    builtin = tmp_path / "templates_docx"
    shutil.copytree(TEMPLATES_DIR, builtin)
    assert len(check_all(TemplateStore(builtin_dir=builtin))) == 3 * len(DOCUMENT_TYPES)
    assert set(check_all(TemplateStore(builtin_dir=builtin))) == {
        f"{t}/{lang}" for t in DOCUMENT_TYPES for lang in LANGUAGES}
    shutil.copy(SAMPLES / "five_errors.docx", builtin / "en" / "follow-up-summary.docx")
    folder = tmp_path / "instance"
    ensure_secrets(folder)
    with pytest.raises(RuntimeError, match="follow-up-summary/en"):
        create_app({**TEST_CONFIG, "INSTANCE_PATH": str(folder), "TEMPLATES_DIR": builtin})


# --- the API -------------------------------------------------------------------------------

def test_rendering_uses_the_active_template_of_the_payloads_language(client):
    type_id = "questions"
    response = upload(client, type_id, variant(type_id, "RUOTSI-B", "sv"), "sv")
    assert response.status_code == 201, response.get_json()
    meta = response.get_json()
    assert (meta["version"], meta["language"], meta["active"]) == (1, "sv", False)
    assert response.headers["Location"] == f"/api/v1/templates/{type_id}/versions/1?language=sv"

    activated = client.post(f"/api/v1/templates/{type_id}/versions/1/activate?language=sv")
    assert activated.get_json() == {"type": type_id, "language": "sv", "active": 1}
    header, text = rendered_version(client, type_id, "sv")
    assert header == f"1 sha256:{meta['sha256'][:16]}" and "RUOTSI-B" in text and "Helsingfors stad" in text
    for language in ("fi", "en"):  # untouched
        header, text = rendered_version(client, type_id, language)
        assert header.startswith("0 ") and "RUOTSI-B" not in text
        assert [v["version"] for v in versions(client, type_id, language)] == [0]

    # …and a Finnish upload and activation leave the Swedish one as it is.
    finnish = upload(client, type_id, variant(type_id, "SUOMI-B"), "fi").get_json()
    assert finnish["version"] == 1 and finnish["language"] == "fi"
    assert client.post(f"/api/v1/templates/{type_id}/versions/1/activate").status_code == 200
    assert rendered_version(client, type_id, "fi")[0] == f"1 sha256:{finnish['sha256'][:16]}"
    assert rendered_version(client, type_id, "sv")[0] == f"1 sha256:{meta['sha256'][:16]}"
    assert client.post(f"/api/v1/templates/{type_id}/rollback?language=fi").get_json() == {
        "type": type_id, "language": "fi", "active": 0}
    assert rendered_version(client, type_id, "sv")[0].startswith("1 ")

    exported = client.get(f"/api/v1/templates/{type_id}/versions/1/file?language=sv")
    assert "RUOTSI-B" in all_text(exported.data)
    assert exported.headers["Content-Disposition"] == (
        f'attachment; filename="{export_file_name(DOCUMENT_TYPES[type_id], 1, "sv")}"')
    shown = client.get(f"/api/v1/templates/{type_id}/versions/1?language=sv").get_json()
    assert shown["language"] == "sv" and shown["active"] is True


def test_the_listing_shows_every_type_in_every_language(client):
    upload(client, "summary", variant("summary", "ENGLANTI", "en"), "en")
    listing = client.get("/api/v1/templates").get_json()
    assert sorted((t["type"], t["language"]) for t in listing) == sorted(
        (t, lang) for t in DOCUMENT_TYPES for lang in LANGUAGES)
    english = next(t for t in listing if (t["type"], t["language"]) == ("summary", "en"))
    assert [v["version"] for v in english["versions"]] == [0, 1]
    assert all(v["language"] == "en" for v in english["versions"])
    finnish = next(t for t in listing if (t["type"], t["language"]) == ("summary", "fi"))
    assert [v["version"] for v in finnish["versions"]] == [0]


@pytest.mark.parametrize("method, path", [
    ("get", "/api/v1/templates/summary/versions"),
    ("post", "/api/v1/templates/summary/versions"),
    ("get", "/api/v1/templates/summary/versions/0"),
    ("get", "/api/v1/templates/summary/versions/0/file"),
    ("post", "/api/v1/templates/summary/versions/0/preview"),
    ("post", "/api/v1/templates/summary/versions/0/activate"),
    ("post", "/api/v1/templates/summary/rollback"),
    ("post", "/api/v1/templates/summary/check"),
])
@pytest.mark.parametrize("language", ["xx", "", "FI", "../fi"])
def test_an_unknown_language_is_a_clear_400(reader, method, path, language):
    response = getattr(reader, method)(path, query_string={"language": language},
                                       data=variant("summary", "X") if method == "post" else None,
                                       content_type=DOCX if method == "post" else None)
    assert response.status_code == 400
    assert response.get_json()["message"] == "Tuntematon kieli. Kielet ovat fi (suomi), sv (ruotsi) ja en (englanti)."


def test_the_language_message_in_swedish_and_english(reader):
    for accept, expected in (("sv", "Okänt språk"), ("en", "Unknown language")):
        response = reader.get("/api/v1/templates/summary/versions?language=de", headers={"Accept-Language": accept})
        assert response.status_code == 400 and response.get_json()["message"].startswith(expected)


def test_preview_uses_the_example_of_its_language_and_refuses_another(client):
    type_id = "summary"
    number = upload(client, type_id, variant(type_id, "RUOTSI-E", "sv"), "sv").get_json()["version"]
    preview = client.post(f"/api/v1/templates/{type_id}/versions/{number}/preview?language=sv")
    assert preview.status_code == 200 and "RUOTSI-E" in all_text(preview.data)
    assert preview.headers["X-Template-Version"].startswith(f"{number} ")

    finnish_case = example(type_id, "fi")
    refused = client.post(f"/api/v1/templates/{type_id}/versions/{number}/preview?language=sv",
                          data=json.dumps(finnish_case), content_type="application/json")
    assert refused.status_code == 422
    [error] = refused.get_json()["errors"]
    assert error["path"] == "language"
    assert error["message"] == ("Tiedot ovat eri kielellä (fi) kuin esikatseltava asiakirjapohja (sv). "
                                "Käytä samankielisiä tietoja tai valitse saman kielen pohja.")
    swedish = client.post(f"/api/v1/templates/{type_id}/versions/0/preview?language=fi",
                          data=json.dumps(example(type_id, "sv")), content_type="application/json",
                          headers={"Accept-Language": "en"})
    assert swedish.status_code == 422
    assert swedish.get_json()["errors"][0]["message"].startswith("The data is in a different language (sv)")


def test_check_endpoint_takes_the_language(reader):
    response = reader.post("/api/v1/templates/summary/check?language=en",
                           data=(TEMPLATES_DIR / "en" / "summary.docx").read_bytes(), content_type=DOCX)
    assert response.status_code == 200 and response.get_json() == {"ok": True, "findings": []}


# --- the pages -----------------------------------------------------------------------------

def page_token(client) -> str:
    return TOKEN_RE.search(client.get("/pohjat/").get_data(as_text=True)).group(1)


def post_file(client, url, content):
    data = {"csrf_token": page_token(client), "template": (io.BytesIO(content), "pohja.docx")}
    return client.post(url, data=data, content_type="multipart/form-data")


def test_pages_upload_and_activate_a_swedish_version(client):
    response = post_file(client, "/pohjat/questions/sv/lataa", variant("questions", "RUOTSI-S", "sv"))
    assert response.status_code == 302
    assert response.headers["Location"] == "/pohjat/questions/sv/versiot/1"
    page = client.get("/pohjat/questions/sv/versiot/1").get_data(as_text=True)
    assert "Kysymykset, ruotsinkielinen pohja: versio 1" in page and "tarkistus läpäisty" in page
    preview = client.post("/pohjat/questions/sv/versiot/1/esikatsele", data={"csrf_token": page_token(client)})
    assert preview.status_code == 200 and "RUOTSI-S" in all_text(preview.data)
    activated = client.post("/pohjat/questions/sv/versiot/1/ota-kayttoon",
                            data={"csrf_token": page_token(client), "confirm": "yes"})
    assert activated.headers["Location"].endswith("/pohjat/#tyyppi-questions-sv")
    index = client.get("/pohjat/").get_data(as_text=True)
    assert "Kysymykset, ruotsinkielinen pohja: versio 1 on nyt käytössä." in index
    section = index.split('id="tyyppi-questions-sv"')[1].split('id="tyyppi-questions-en"')[0]
    assert "Käytössä versio 1." in section
    assert index.count("Käytössä versio 0.") == 3 * len(DOCUMENT_TYPES) - 1  # every other type and language
    assert rendered_version(client, "questions", "sv")[0].startswith("1 ")
    assert rendered_version(client, "questions", "fi")[0].startswith("0 ")
    exported = client.get("/pohjat/questions/sv/versiot/1/tiedosto")
    assert "RUOTSI-S" in all_text(exported.data)
    client.post("/pohjat/questions/sv/palauta", data={"csrf_token": page_token(client), "confirm": "yes"})
    assert client.get("/pohjat/").get_data(as_text=True).count("Käytössä versio 0.") == 3 * len(DOCUMENT_TYPES)


def test_pages_preview_with_a_case_of_another_language_says_why(reader):
    case = json.dumps(example("summary", "en")).encode()
    data = {"csrf_token": page_token(reader), "case": (io.BytesIO(case), "tapaus.json")}
    response = reader.post("/pohjat/summary/fi/versiot/0/esikatsele", data=data, content_type="multipart/form-data")
    assert response.status_code == 302 and response.headers["Location"] == "/pohjat/summary/fi/versiot/0"
    page = reader.get("/pohjat/summary/fi/versiot/0").get_data(as_text=True)
    assert "Esikatselu ei onnistunut" in page
    assert "language: Tiedot ovat eri kielellä (en) kuin esikatseltava asiakirjapohja (fi)." in page


def test_pages_refuse_an_unknown_template_language(reader):
    for url in ("/pohjat/summary/de/versiot/0", "/pohjat/summary/xx/versiot/0/tiedosto"):
        response = reader.get(url)
        assert response.status_code == 404
        assert "Tuntematon kieli. Kielet ovat fi" in response.get_data(as_text=True)
    refused = reader.post("/pohjat/summary/de/palauta", data={"csrf_token": page_token(reader)})
    assert refused.status_code == 404


@pytest.mark.parametrize("ui, title, headings, active", [
    ("sv", "Dokumentmallar", ("Finskspråkig mall", "Svenskspråkig mall", "Engelskspråkig mall"), "Version 0 används."),
    ("en", "Document templates", ("Finnish template", "Swedish template", "English template"), "Version 0 is in use."),
])
def test_pages_speak_the_users_language_not_the_templates(reader, ui, title, headings, active):
    page = reader.get("/pohjat/", headers={"Accept-Language": ui}).get_data(as_text=True)
    assert f"<h1>{title}</h1>" in page
    for heading in headings:
        assert page.count(f"<h3>{heading}</h3>") == len(DOCUMENT_TYPES)
    assert page.count(active) == 3 * len(DOCUMENT_TYPES)
    for finnish in ("Käytössä versio", "Tarkista ja tallenna uusi versio", "Vain tarkista", "Lataa tiedosto", "Lataaja",
                    "sisäänrakennettu", "Kenttäopas"):
        assert finnish not in page
    version = reader.get("/pohjat/summary/sv/versiot/0", headers={"Accept-Language": ui}).get_data(as_text=True)
    assert "Esikatsele Word-asiakirjana" not in version and "Tarkistuksen tulos" not in version


# --- the command line ----------------------------------------------------------------------

def test_cli_templates_per_language(tmp_path):
    instance = tmp_path / "instance"
    new = tmp_path / "ny.docx"
    new.write_bytes(variant("questions", "RUOTSI-CLI", "sv"))
    uploaded = run_cli("templates", "upload", "questions", str(new), "--language", "sv", env_instance=instance)
    assert uploaded.returncode == 0, uploaded.stderr
    assert uploaded.stdout.startswith("questions/sv: tallennettu versio 1")
    assert run_cli("templates", "activate", "questions", "1", "--language", "sv",
                   env_instance=instance).returncode == 0
    listing = run_cli("templates", "list", "--type", "questions", env_instance=instance).stdout
    blocks = dict(re.findall(r"^(questions/\w\w):\n((?: .*\n)+)", listing, re.M))
    assert set(blocks) == {"questions/fi", "questions/sv", "questions/en"}
    assert " *   1 " in blocks["questions/sv"] and " *   0 " in blocks["questions/fi"] and "   1 " not in blocks["questions/fi"]
    only = run_cli("templates", "list", "--language", "en", env_instance=instance).stdout
    assert re.findall(r"^(\S+):$", only, re.M) == [f"{t}/en" for t in DOCUMENT_TYPES]

    out = tmp_path / "vienti.docx"
    assert run_cli("templates", "export", "questions", "1", "--language", "sv", "-o", str(out),
                   env_instance=instance).returncode == 0
    assert "RUOTSI-CLI" in all_text(out.read_bytes())
    missing = run_cli("templates", "export", "questions", "1", "--language", "en", "-o", str(out),
                      env_instance=instance)
    assert missing.returncode == 1 and "Versiota ei ole" in missing.stderr
    assert run_cli("templates", "rollback", "questions", "--language", "sv", env_instance=instance).returncode == 0
    listing = run_cli("templates", "list", "--type", "questions", "--language", "sv", env_instance=instance).stdout
    assert " *   0 " in listing and "     1 " in listing
    refused = run_cli("templates", "activate", "questions", "1", "--language", "de", env_instance=instance)
    assert refused.returncode == 2 and "--language" in refused.stderr

    # The case JSON's language picks the template: a Swedish case renders with the active sv version.
    assert run_cli("templates", "activate", "questions", "1", "--language", "sv", env_instance=instance).returncode == 0
    case = tmp_path / "fall.json"
    case.write_text(json.dumps(example("questions", "sv")), encoding="utf-8")
    rendered = tmp_path / "fall.docx"
    assert run_cli("render", "questions", str(case), "-o", str(rendered), env_instance=instance).returncode == 0
    assert "RUOTSI-CLI" in all_text(rendered.read_bytes())


def test_cli_checks_every_template_and_one_in_a_language(tmp_path):
    result = run_cli("check-templates", env_instance=tmp_path / "instance")
    assert result.returncode == 0, result.stdout + result.stderr
    checked = re.findall(r"^(\S+): (\S+) \(versio 0\): kunnossa; esimerkkitapaus täyttyy$", result.stdout, re.M)
    assert sorted(checked) == sorted((f"{t}/{lang}", f"{lang}/{t}.docx") for t in DOCUMENT_TYPES for lang in LANGUAGES)
    one = run_cli("check-template", str(TEMPLATES_DIR / "sv" / "summary.docx"), "--type", "summary",
                  "--language", "sv", env_instance=tmp_path / "instance")
    assert one.returncode == 0 and "0 virhettä, 0 varoitusta" in one.stdout
    bad = run_cli("check-template", str(SAMPLES / "five_errors.docx"), "--type", "summary", "--language", "en",
                  env_instance=tmp_path / "instance")
    assert bad.returncode == 1 and ": 5 virhettä" in bad.stdout


def test_cli_language_option_is_offered_where_a_template_is_meant():
    import sys
    from pathlib import Path

    lnp = str(Path(sys.executable).with_name("lnp"))
    for command in (["check-template"], ["convert-template"], ["templates", "upload"], ["templates", "activate"],
                    ["templates", "rollback"], ["templates", "export"], ["templates", "list"]):
        shown = subprocess.run([lnp, *command, "--help"], capture_output=True, text=True, timeout=60).stdout
        assert "--language {fi,sv,en}" in shown, command


def test_a_version_page_reports_in_the_readers_language(client):
    """The report stored at upload is in the uploader's language; the version page checks the
    stored template again, so a Swedish-speaking convener reads the findings in Swedish."""
    from schemas.i18n import Msg, language

    response = post_file(client, "/pohjat/summary/fi/lataa", variant("summary", "{{ case_reff }}", "fi"))
    assert response.status_code == 302
    url = response.headers["Location"]
    finnish = client.get(url).get_data(as_text=True)
    assert "Tuntematon kenttä «case_reff»." in finnish
    client.set_cookie("lnp_lang", "sv")
    swedish = client.get(url).get_data(as_text=True)
    with language("sv"):
        expected = Msg("Tuntematon kenttä «{name}».").format(name="case_reff")
    assert expected in swedish.replace("&laquo;", "«").replace("&raquo;", "»")
    assert "Tuntematon kenttä" not in swedish and "case_ref" in expected
