"""The service as it runs: gunicorn with two workers, real HTTP on loopback."""

import io
import json
import os
import re
import signal
import subprocess
import threading
import time
from concurrent.futures import ThreadPoolExecutor
from pathlib import Path

import pytest
import requests
from pypdf import PdfReader

from tests.conftest import EXTRA_LOG_TEXT, LNP, TYPE_IDS, load_example, running_service
from tests.docxtext import all_text


@pytest.mark.parametrize("type_id", TYPE_IDS)
def test_post_each_type(server, type_id):
    payload = load_example(type_id)
    response = requests.post(f"{server.url}/api/v1/documents/{type_id}", json=payload, headers=server.headers(),
                             timeout=30)
    assert response.status_code == 200
    assert response.headers["Cache-Control"] == "no-store"
    assert payload["case_ref"] in response.headers["Content-Disposition"]
    assert payload["children"][0].get("first_name", payload["children"][0].get("given_names")) in all_text(response.content)


def test_errors_over_http(server):
    url = f"{server.url}/api/v1/documents/summary"
    auth = server.headers()
    assert requests.post(url, data="{", headers={**auth, "Content-Type": "application/json"}, timeout=10).status_code == 400
    assert requests.post(url, data="x=1", headers={**auth, "Content-Type": "text/plain"}, timeout=10).status_code == 415
    big = requests.post(url, data=b"[" + b"1," * 400_000 + b"1]", headers={**auth, "Content-Type": "application/json"},
                        timeout=10)
    assert big.status_code == 413 and big.json()["code"] == 413
    bad = requests.post(url, json={"case_ref": "X"}, headers=auth, timeout=10)
    assert bad.status_code == 422 and {"path", "label", "message"} <= set(bad.json()["errors"][0])


def test_parallel_requests(server):
    payloads = [load_example(t) for t in TYPE_IDS] * 4

    def post(i):
        type_id = TYPE_IDS[i % len(TYPE_IDS)]
        return requests.post(f"{server.url}/api/v1/documents/{type_id}", data=json.dumps(payloads[i]),
                             headers={**server.headers(), "Content-Type": "application/json"}, timeout=30).status_code

    with ThreadPoolExecutor(8) as pool:
        assert set(pool.map(post, range(len(payloads)))) == {200}


def test_without_a_token_nothing_but_healthz_answers(server):
    assert requests.get(f"{server.url}/healthz", timeout=10).status_code == 200
    for method, path in (("POST", "/api/v1/documents/summary"), ("GET", "/api/v1/document-types"),
                         ("GET", "/api/v1/openapi.json"), ("GET", "/api/v1/tokens"), ("GET", "/no-such-path")):
        response = requests.request(method, f"{server.url}{path}", json={}, timeout=10)
        assert response.status_code == 401, path
        assert response.json()["code"] == 401
        assert response.headers["WWW-Authenticate"].startswith("Bearer")


def test_security_headers_over_http(server):
    response = requests.get(f"{server.url}/api/v1/document-types", headers=server.headers(), timeout=10)
    assert response.status_code == 200
    csp = response.headers["Content-Security-Policy"]
    assert "frame-ancestors 'none'" in csp and "script-src" not in csp and "default-src 'none'" in csp
    assert response.headers["X-Content-Type-Options"] == "nosniff"
    assert response.headers["Referrer-Policy"] == "same-origin"
    assert "Strict-Transport-Security" not in response.headers  # plain http on loopback
    https = requests.get(f"{server.url}/healthz", headers={"X-Forwarded-Proto": "https"}, timeout=10)
    assert "Strict-Transport-Security" not in https.headers  # PROXY_FIX is off: the header is not trusted


def test_workers_pick_up_an_activation_without_restart(server, tmp_path):
    """Upload and activate with the CLI (another process); both gunicorn workers serve it."""
    from tests.test_template_lifecycle import variant

    new = tmp_path / "uusi.docx"
    new.write_bytes(variant("questions", "VERSIO-C"))

    def cli(*args):
        result = subprocess.run([LNP, *args], capture_output=True, text=True, timeout=120)
        EXTRA_LOG_TEXT.append(result.stdout + result.stderr)
        assert result.returncode == 0, result.stderr
        return result.stdout

    number = int(re.search(r"versio (\d+)", cli("templates", "upload", "questions", str(new))).group(1))
    cli("templates", "activate", "questions", str(number))
    try:
        payload = load_example("questions")
        versions = set()
        for _ in range(12):  # several requests reach both workers
            response = requests.post(f"{server.url}/api/v1/documents/questions", json=payload, headers=server.headers(), timeout=30)
            versions.add(response.headers["X-Template-Version"].split()[0])
            assert "VERSIO-C" in all_text(response.content)
        assert versions == {str(number)}
    finally:
        cli("templates", "rollback", "questions")
    response = requests.post(f"{server.url}/api/v1/documents/questions", json=load_example("questions"), headers=server.headers(), timeout=30)
    assert "VERSIO-C" not in all_text(response.content)


def test_twenty_concurrent_pdf_requests(server):
    """Each response is a PDF of its own case (the case reference is printed on every page)."""
    def post(i):
        type_id = TYPE_IDS[i % len(TYPE_IDS)]
        payload = load_example(type_id)
        payload["case_ref"] = f"LNP-RINNAKKAIN-{i:02d}"
        response = requests.post(f"{server.url}/api/v1/documents/{type_id}?format=pdf", json=payload, headers=server.headers(), timeout=120)
        if response.status_code != 200 or response.headers["Content-Type"] != "application/pdf":
            return f"{i}: {response.status_code}"
        text = "".join(page.extract_text() for page in PdfReader(io.BytesIO(response.content)).pages)
        return None if payload["case_ref"] in text else f"{i}: wrong document"

    with ThreadPoolExecutor(20) as pool:
        failures = [f for f in pool.map(post, range(20)) if f]
    assert not failures


def test_libreoffice_runs_in_the_workers_not_in_the_master(server):
    """With preload_app the app is built in the master; LibreOffice must be started after
    the fork, by each worker for itself."""
    assert requests.post(f"{server.url}/api/v1/documents/questions?format=odt", json=load_example("questions"),
                         headers=server.headers(), timeout=120).status_code == 200
    master = server.pid
    parents = {}
    for entry in Path("/proc").iterdir():
        if entry.name.isdigit():
            try:
                cmdline = (entry / "cmdline").read_bytes()
                stat = (entry / "stat").read_text()
            except OSError:
                continue
            if b"uno_bridge.py" in cmdline:
                parents[int(entry.name)] = int(stat.rsplit(")", 1)[1].split()[1])
    ours = {bridge: parent for bridge, parent in parents.items()
            if parent == master or _parent_of(parent) == master}
    assert ours, "no LibreOffice workers found for this server"
    assert master not in ours.values()
    assert len(set(ours.values())) == 2  # one pool in each of the two workers


def _parent_of(pid: int) -> int | None:
    try:
        return int(Path(f"/proc/{pid}/stat").read_text().rsplit(")", 1)[1].split()[1])
    except OSError:
        return None


def _descendants(root: int) -> dict[int, str]:
    """Every process under ``root``, by pid, with its name."""
    parent_of, names = {}, {}
    for entry in Path("/proc").iterdir():
        if entry.name.isdigit():
            try:
                stat = (entry / "stat").read_text()
            except OSError:
                continue
            head, tail = stat.rsplit(")", 1)
            parent_of[int(entry.name)] = int(tail.split()[1])
            names[int(entry.name)] = head.split("(", 1)[1]
    found = {}
    for pid in parent_of:
        ancestor = parent_of.get(pid)
        while ancestor and ancestor != root:
            ancestor = parent_of.get(ancestor)
        if ancestor == root:
            found[pid] = names[pid]
    return found


def test_conversions_waiting_for_libreoffice_never_hold_up_a_docx(tmp_path_factory):
    """gunicorn's threads, and the converter's admission (threads − 2 per process): with every
    LibreOffice stopped, more PDF requests than both processes admit are sent; the ones over the
    limit answer 503 with Retry-After at once, the admitted ones wait in threads of their own, and
    a .docx sent meanwhile comes back while they are still waiting."""
    env = {"LNP_THREADS": "4", "LNP_CONVERTER_POOL_SIZE": "1", "LNP_CONVERTER_TIMEOUT": "120",
           "LNP_CONVERTER_WAIT_TIMEOUT": "120"}
    with running_service(tmp_path_factory.mktemp("admission"), env) as server:
        deadline = time.monotonic() + 120
        offices: list[int] = []
        while True:  # a first start of LibreOffice restarts soffice.bin once: wait for two that stay
            assert time.monotonic() < deadline, "LibreOffice did not start in both processes"
            found = sorted(p for p, n in _descendants(server.pid).items() if n == "soffice.bin")
            if len(found) == 2 and found == offices:
                break
            offices = found
            time.sleep(2)
        for office in offices:
            os.kill(office, signal.SIGSTOP)
        answers: list[requests.Response] = []

        failures: list[str] = []

        def pdf():
            try:
                answers.append(requests.post(f"{server.url}/api/v1/documents/questions?format=pdf",
                                             json=load_example("questions"), headers=server.headers(), timeout=300))
            except requests.RequestException as exc:
                failures.append(repr(exc))

        sent = [threading.Thread(target=pdf) for _ in range(8)]  # two processes admit 2 each
        try:
            for thread in sent:
                thread.start()
            while len(answers) < 4:  # at least 4 of the 8 are over the limit
                assert time.monotonic() < deadline, "no request was refused at the admission"
                time.sleep(0.1)
            refused = list(answers)
            assert all(r.status_code == 503 and r.headers["Retry-After"].isdigit() for r in refused)
            docx = requests.post(f"{server.url}/api/v1/documents/questions", json=load_example("questions"),
                                 headers=server.headers(), timeout=60)
            waiting = sum(thread.is_alive() for thread in sent)
            assert docx.status_code == 200 and docx.content.startswith(b"PK")
            assert waiting >= 1, "no PDF request was waiting for LibreOffice when the .docx came back"
        finally:
            for office in offices:
                os.kill(office, signal.SIGCONT)
            for thread in sent:
                thread.join(300)
        assert failures == [] and len(answers) == 8
        statuses = sorted(r.status_code for r in answers)
        assert statuses.count(503) == 8 - statuses.count(200) and 1 <= statuses.count(200) <= 4
