"""Upload → check → preview → activate → render → roll back, over the API and the CLI."""

import io
import json
import resource
import signal
import subprocess
import sys
import threading
import zipfile
from pathlib import Path

import pytest

from service import create_app
from service.instance import ensure_secrets
from service.registry import DOCUMENT_TYPES, TEMPLATES_DIR
from tests.conftest import EXTRA_LOG_TEXT, TEST_CONFIG, client_with_token, load_example, post_json
from tests.docxtext import all_text

DOCX = "application/vnd.openxmlformats-officedocument.wordprocessingml.document"
SAMPLES = Path(__file__).parent / "sample_files"
LNP = str(Path(sys.executable).with_name("lnp"))


# Text of each language's built-in templates that a variant puts its marker after: the body's
# subtitle and the header's organisation.
MARKED_TEXT = {"fi": ("Läheisneuvonpito", "Helsingin kaupunki"), "sv": ("Familjerådslag", "Helsingfors stad"),
               "en": ("Family group conference", "City of Helsinki")}


def variant(type_id: str, marker: str, language: str = "fi") -> bytes:
    """The built-in template of ``language`` with a marker in the body and in the header."""
    data = (TEMPLATES_DIR / DOCUMENT_TYPES[type_id].template(language)).read_bytes()
    body, header = MARKED_TEXT[language]
    out = io.BytesIO()
    with zipfile.ZipFile(io.BytesIO(data)) as source, zipfile.ZipFile(out, "w", zipfile.ZIP_DEFLATED) as target:
        for info in source.infolist():
            content = source.read(info)
            if info.filename == "word/document.xml":
                assert f"{body}<".encode() in content
                content = content.replace(f"{body}<".encode(), f"{body} {marker}<".encode(), 1)
            if info.filename.startswith("word/header") and f"{header}<".encode() in content:
                content = content.replace(f"{header}<".encode(), f"{header} {marker}-YLA<".encode(), 1)
            target.writestr(info, content)
    return out.getvalue()


@pytest.fixture
def app(tmp_path):
    folder = tmp_path / "instance"
    ensure_secrets(folder)
    return create_app({**TEST_CONFIG, "INSTANCE_PATH": str(folder)})


@pytest.fixture
def client(app):
    return client_with_token(app, "convener")


def upload(client, type_id, data, language=None):
    query = f"?language={language}" if language else ""
    return client.post(f"/api/v1/templates/{type_id}/versions{query}", data=data, content_type=DOCX)


def test_full_lifecycle(client):
    type_id = "questions"
    response = upload(client, type_id, variant(type_id, "VERSIO-B"))
    assert response.status_code == 201, response.get_json()
    meta = response.get_json()
    assert meta["version"] == 1 and meta["check_passed"] and meta["active"] is False
    assert meta["uploader"] and meta["uploaded_at"] and len(meta["sha256"]) == 64

    # still version 0 until activated
    before = post_json(client, type_id, load_example(type_id))
    assert before.headers["X-Template-Version"].startswith("0 ")
    assert "VERSIO-B" not in all_text(before.data)

    preview = client.post(f"/api/v1/templates/{type_id}/versions/1/preview")
    assert preview.status_code == 200 and "VERSIO-B" in all_text(preview.data)
    custom = load_example(type_id)
    custom["case_ref"] = "ESIKATSELU-1"
    preview = client.post(f"/api/v1/templates/{type_id}/versions/1/preview", data=json.dumps(custom),
                          content_type="application/json")
    assert "ESIKATSELU-1" in all_text(preview.data)

    assert client.post(f"/api/v1/templates/{type_id}/versions/1/activate").status_code == 200
    after = post_json(client, type_id, load_example(type_id))
    assert after.headers["X-Template-Version"] == f"1 sha256:{meta['sha256'][:16]}"
    assert "VERSIO-B" in all_text(after.data)

    assert client.post(f"/api/v1/templates/{type_id}/rollback").get_json()["active"] == 0
    again = post_json(client, type_id, load_example(type_id))
    assert again.headers["X-Template-Version"].startswith("0 ")
    assert "VERSIO-B" not in all_text(again.data)

    exported = client.get(f"/api/v1/templates/{type_id}/versions/1/file")
    assert exported.status_code == 200 and "VERSIO-B" in all_text(exported.data)
    versions = client.get(f"/api/v1/templates/{type_id}/versions").get_json()
    assert [v["version"] for v in versions] == [0, 1] and versions[0]["active"]


def test_a_failed_check_is_stored_but_cannot_be_activated(client):
    response = upload(client, "summary", (SAMPLES / "five_errors.docx").read_bytes())
    assert response.status_code == 201
    body = response.get_json()
    assert body["check_passed"] is False
    assert sum(f["severity"] == "virhe" for f in body["report"]["findings"]) == 5
    refused = client.post(f"/api/v1/templates/summary/versions/{body['version']}/activate")
    assert refused.status_code == 409 and "virheitä" in refused.get_json()["message"]
    assert client.post(f"/api/v1/templates/summary/versions/{body['version']}/preview").status_code == 409


@pytest.mark.parametrize("name", ["zip_bomb.docx", "macro.docm", "doctype.docx", "remote_image.docx", "not_a_docx.docx"])
def test_unsafe_uploads_are_refused_and_not_stored(client, name):
    response = upload(client, "summary", (SAMPLES / name).read_bytes())
    assert response.status_code == 422
    assert response.get_json()["message"].startswith("Tiedostoa ei voi ottaa asiakirjapohjaksi")
    assert [v["version"] for v in client.get("/api/v1/templates/summary/versions").get_json()] == [0]


def test_check_endpoint_does_not_store(client):
    response = client.post("/api/v1/templates/summary/check", data=(SAMPLES / "misspelled.docx").read_bytes(),
                           content_type=DOCX)
    finding = [f for f in response.get_json()["findings"] if f["severity"] == "virhe"][0]
    assert finding["location"] == "leipäteksti, kappale 3" and "current_situation" in finding["message"]
    assert [v["version"] for v in client.get("/api/v1/templates/summary/versions").get_json()] == [0]


def test_upload_wrong_content_type(client):
    response = client.post("/api/v1/templates/summary/versions", data=b"x", content_type="text/plain")
    assert response.status_code == 415


def test_field_catalogue(client):
    body = client.get("/api/v1/document-types/mandate-agreement/fields").get_json()
    paths = {f["path"]: f for f in body["fields"]}
    assert paths["children[].given_names"]["label"] == "Etunimet"
    assert paths["children[].given_names"]["required"] is True
    assert paths["coordinator.work_email"]["required"] is False  # the coordinator is optional
    assert paths["children[].birth_date"]["example"] == "2013-03-07 (tulostuu 7.3.2013)"
    assert paths["guardians[].relation_to_child"]["choices"]["mother"] == "äiti"
    assert {f["name"] for f in body["filters"]} >= {"date", "full_name", "label"}
    guide = client.get("/api/v1/document-types/mandate-agreement/fields.docx")
    text = all_text(guide.data)
    assert "children[].given_names" in text and "Kenttäopas" in text


def test_concurrent_renders_during_activation_are_wholly_old_or_new(app):
    type_id = "summary"
    client = client_with_token(app, "convener")
    number = upload(client, type_id, variant(type_id, "VERSIO-B")).get_json()["version"]
    payload = load_example(type_id)
    outcomes: list[str] = []
    failures: list[str] = []
    stop = threading.Event()

    def render_loop():
        local = client_with_token(app, "worker")
        while not stop.is_set():
            response = post_json(local, type_id, payload)
            if response.status_code != 200:
                failures.append(str(response.status_code))
                continue
            text = all_text(response.data)
            body, header = "Läheisneuvonpito VERSIO-B" in text, "VERSIO-B-YLA" in text
            version = response.headers["X-Template-Version"].split()[0]
            if body != header or (version == "1") != body:
                failures.append(f"mixed: body={body} header={header} version={version}")
            outcomes.append(version)

    threads = [threading.Thread(target=render_loop) for _ in range(4)]
    for thread in threads:
        thread.start()
    for _ in range(6):
        assert client.post(f"/api/v1/templates/{type_id}/versions/{number}/activate").status_code == 200
        assert client.post(f"/api/v1/templates/{type_id}/rollback").status_code == 200
    stop.set()
    for thread in threads:
        thread.join()
    assert not failures
    assert outcomes


def run_cli(*args, env_instance, limit_bytes=None):
    def limit():
        signal.signal(signal.SIGXFSZ, signal.SIG_IGN)
        resource.setrlimit(resource.RLIMIT_FSIZE, (limit_bytes, limit_bytes))

    import os
    env = {**os.environ, "LNP_INSTANCE_PATH": str(env_instance)}
    result = subprocess.run([LNP, *args], capture_output=True, text=True, env=env, timeout=120,
                            preexec_fn=limit if limit_bytes else None)
    EXTRA_LOG_TEXT.append(result.stdout + result.stderr)
    return result


def test_cli_lifecycle_and_a_failed_write(tmp_path):
    instance = tmp_path / "instance"
    new = tmp_path / "uusi.docx"
    new.write_bytes(variant("questions", "VERSIO-B"))
    assert run_cli("templates", "upload", "questions", str(new), env_instance=instance).returncode == 0
    assert run_cli("templates", "activate", "questions", "1", env_instance=instance).returncode == 0
    listing = run_cli("templates", "list", "--type", "questions", env_instance=instance).stdout
    assert " *   1 " in listing

    # The disk "fills up": the database cannot write the next upload (RLIMIT_FSIZE, a real EFBIG).
    failed = run_cli("templates", "upload", "questions", str(new), env_instance=instance, limit_bytes=4096)
    assert failed.returncode != 0 and "mitään tallennettu" in failed.stderr
    listing = run_cli("templates", "list", "--type", "questions", env_instance=instance).stdout
    assert " *   1 " in listing and "   2 " not in listing

    # An activation that cannot be written leaves the active version as it was.
    again = run_cli("templates", "upload", "questions", str(new), env_instance=instance)
    assert again.returncode == 0
    failed = run_cli("templates", "activate", "questions", "2", env_instance=instance, limit_bytes=16)
    assert failed.returncode != 0 and "mitään tallennettu" in failed.stderr
    assert " *   1 " in run_cli("templates", "list", "--type", "questions", env_instance=instance).stdout

    out = tmp_path / "vienti.docx"
    assert run_cli("templates", "export", "questions", "1", "-o", str(out), env_instance=instance).returncode == 0
    assert "VERSIO-B" in all_text(out.read_bytes())
    assert run_cli("templates", "rollback", "questions", env_instance=instance).returncode == 0
    assert " *   0 " in run_cli("templates", "list", "--type", "questions", env_instance=instance).stdout


def test_cli_check_template():
    result = subprocess.run([LNP, "check-template", str(SAMPLES / "five_errors.docx"), "--type", "summary"],
                            capture_output=True, text=True, timeout=60)
    assert result.returncode == 1
    assert result.stdout.startswith(f"{SAMPLES / 'five_errors.docx'}: 5 virhettä")
    ok = subprocess.run([LNP, "check-template", str(TEMPLATES_DIR / "fi/summary.docx"), "--type", "summary"],
                        capture_output=True, text=True, timeout=60)
    assert ok.returncode == 0 and "0 virhettä, 0 varoitusta" in ok.stdout


def test_an_odt_template_is_converted_checked_and_stored(client, tmp_path):
    """A convener saves the template in LibreOffice as .odt and uploads it as it is."""
    import shutil

    soffice = shutil.which("soffice")
    assert soffice, "LibreOffice (soffice) is required"
    source = tmp_path / "pohja.docx"
    source.write_bytes(variant("questions", "VERSIO-ODT"))
    subprocess.run([soffice, f"-env:UserInstallation=file://{tmp_path}/profile", "--headless", "--convert-to",
                    "odt", "--outdir", str(tmp_path), str(source)], check=True, capture_output=True, timeout=180)
    odt = (tmp_path / "pohja.odt").read_bytes()
    response = client.post("/api/v1/templates/questions/versions", data=odt,
                           content_type="application/vnd.oasis.opendocument.text")
    assert response.status_code == 201, response.get_json()
    body = response.get_json()
    assert body["check_passed"], body["report"]
    stored = client.get(f"/api/v1/templates/questions/versions/{body['version']}/file").data
    assert stored.startswith(b"PK") and b"word/document.xml" in stored
    preview = client.post(f"/api/v1/templates/questions/versions/{body['version']}/preview")
    assert "VERSIO-ODT" in all_text(preview.data)


def test_an_odt_with_a_doctype_is_refused_before_libreoffice_reads_it(client):
    bad = io.BytesIO()
    with zipfile.ZipFile(bad, "w") as package:
        package.writestr(zipfile.ZipInfo("mimetype"), "application/vnd.oasis.opendocument.text")
        package.writestr("content.xml", '<?xml version="1.0"?><!DOCTYPE x [<!ENTITY a "a">]><x/>')
    response = client.post("/api/v1/templates/questions/versions", data=bad.getvalue(),
                           content_type="application/vnd.oasis.opendocument.text")
    assert response.status_code == 422 and "DOCTYPE" in response.get_json()["message"]
