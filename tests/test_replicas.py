"""Two replicas, one state: two `lnp serve` (gunicorn, two workers each) on their own ports with
their own instance folders, sharing one PostgreSQL and one Redis, as a city runs them behind a load
balancer. Sessions, tokens, template activations and rate limits hold across both; PostgreSQL
stopped in the middle of the work gives clear 503s, loses no audit entry, and the replicas recover
by themselves when it is back."""

from __future__ import annotations

import contextlib
import os
import re
import secrets
import subprocess
import threading
import time
import uuid
from dataclasses import dataclass

import pytest
import requests

from tests.conftest import EXTRA_LOG_TEXT, LNP, load_example, running_service
from tests.docxtext import all_text, header_footer_text
from tests.servers import free_port, postgres, redis_server  # noqa: F401
from tests.test_template_lifecycle import DOCX, variant

CSRF_RE = re.compile(r'name="csrf_token" value="([^"]+)"')
DB_DOWN = "Tietokantaan ei juuri nyt saada yhteyttä"


@dataclass
class Cluster:
    a: object
    b: object
    env: dict

    def lnp(self, *args) -> str:
        result = subprocess.run([LNP, *args], capture_output=True, text=True, timeout=120, env=self.env)
        EXTRA_LOG_TEXT.append(result.stderr)
        assert result.returncode == 0, result.stderr
        return result.stdout.strip()

    def token(self, role: str) -> str:
        return self.lnp("tokens", "create", "--name", f"{role} {uuid.uuid4().hex[:6]}", "--role", role)


@pytest.fixture(scope="module")
def cluster(postgres, redis_server, tmp_path_factory):
    shared = {
        "LNP_DATABASE_URL": postgres.database(),
        "LNP_RATELIMIT_STORAGE_URI": redis_server.url,
        "LNP_SECRET_KEY": secrets.token_urlsafe(48),  # the same secrets on every replica
        "LNP_AUDIT_KEY": secrets.token_urlsafe(48),
        "LNP_SESSION_COOKIE_SECURE": "false",  # plain http on loopback in this test
        "LNP_CONVERTER_SOFFICE": "/nonexistent/soffice",  # docx only: no LibreOffice in four workers
    }
    env = {**os.environ, **shared, "LNP_INSTANCE_PATH": str(tmp_path_factory.mktemp("operator"))}
    upgrade = subprocess.run([LNP, "db", "upgrade"], capture_output=True, text=True, env=env, timeout=120)
    assert upgrade.returncode == 0, upgrade.stderr
    with contextlib.ExitStack() as stack:
        replicas = []
        for name in ("a", "b"):
            folder = tmp_path_factory.mktemp(f"replica-{name}")
            instance = folder / "instance"
            replicas.append(stack.enter_context(running_service(folder, {**shared, "LNP_INSTANCE_PATH": str(instance)})))
        yield Cluster(*replicas, env)


def sign_in_page(session: requests.Session, base: str, path: str = "/auth/sign-in") -> str:
    return CSRF_RE.search(session.get(f"{base}{path}", timeout=10).text).group(1)


def test_a_replica_refuses_a_schema_not_upgraded(postgres, tmp_path):
    env = {**os.environ, "LNP_DATABASE_URL": postgres.database(), "LNP_INSTANCE_PATH": str(tmp_path),
           "LNP_SECRET_KEY": "s" * 48, "LNP_AUDIT_KEY": "a" * 48}
    for command in (["tokens", "list"], ["serve", "--bind", f"127.0.0.1:{free_port()}"]):
        refused = subprocess.run([LNP, *command], capture_output=True, text=True, env=env, timeout=120)
        assert refused.returncode == 3 and "lnp db upgrade" in refused.stderr


def test_a_session_made_on_one_replica_works_on_the_other(cluster):
    one_time = cluster.lnp("users", "add", f"u{uuid.uuid4().hex[:8]}", "--role", "worker")
    users = [line.split()[0] for line in cluster.lnp("users", "list").splitlines()]
    name = next(u for u in users if u.startswith("u"))
    browser = requests.Session()
    signed = browser.post(f"{cluster.a.url}/auth/sign-in", timeout=10, allow_redirects=False, data={
        "username": name, "password": one_time, "csrf_token": sign_in_page(browser, cluster.a.url)})
    assert signed.status_code == 302, signed.text
    # The one-time password is changed on B: B knows the session A opened.
    token = sign_in_page(browser, cluster.b.url, "/auth/password")
    changed = browser.post(f"{cluster.b.url}/auth/password", timeout=10, allow_redirects=False, data={
        "current": one_time, "new": "uusi-pitka-salasana-1", "repeat": "uusi-pitka-salasana-1", "csrf_token": token})
    assert changed.status_code == 302, changed.text
    for replica in (cluster.a, cluster.b):
        assert browser.get(f"{replica.url}/api/v1/document-types", timeout=10).status_code == 200
    # Signed out on A: the session is gone on B too.
    token = sign_in_page(browser, cluster.a.url, "/auth/account")
    assert browser.post(f"{cluster.a.url}/auth/sign-out", data={"csrf_token": token}, timeout=10,
                        allow_redirects=False).status_code in (302, 303)
    assert browser.get(f"{cluster.b.url}/api/v1/document-types", timeout=10,
                       headers={"Accept": "application/json"}).status_code == 401


def test_a_token_revoked_on_one_replica_is_refused_by_the_other_at_once(cluster):
    admin = {"Authorization": f"Bearer {cluster.token('admin')}"}
    made = requests.post(f"{cluster.b.url}/api/v1/tokens", json={"name": "lyhytikainen", "role": "worker", "days": 1},
                         headers=admin, timeout=10).json()
    worker = {"Authorization": f"Bearer {made['token']}"}
    assert requests.get(f"{cluster.b.url}/api/v1/document-types", headers=worker, timeout=10).status_code == 200
    assert requests.delete(f"{cluster.a.url}/api/v1/tokens/{made['id']}", headers=admin, timeout=10).status_code == 200
    for replica in (cluster.b, cluster.a):
        assert requests.get(f"{replica.url}/api/v1/document-types", headers=worker, timeout=10).status_code == 401


def test_a_template_activated_on_b_is_rendered_by_a_within_a_second(cluster):
    """Four clients make documents through both replicas while a convener activates a new
    version on B: from one second after the activation every document is the new version, and
    every document is wholly the old or wholly the new (body and header together)."""
    convener = {"Authorization": f"Bearer {cluster.token('convener')}"}
    marker = f"UUSI{uuid.uuid4().hex[:6].upper()}"
    uploaded = requests.post(f"{cluster.b.url}/api/v1/templates/questions/versions", data=variant("questions", marker),
                             headers={**convener, "Content-Type": DOCX}, timeout=60)
    assert uploaded.status_code == 201, uploaded.text
    version = uploaded.json()["version"]
    worker = {"Authorization": f"Bearer {cluster.token('worker')}"}
    payload = load_example("questions")
    results: list[tuple[float, str, int, str, bool, bool]] = []
    stop = threading.Event()
    activated_at: list[float] = []

    def client(number: int) -> None:
        replicas = (cluster.a, cluster.b) if number % 2 else (cluster.b, cluster.a)
        count = 0
        while not stop.is_set():
            replica = replicas[count % 2]
            count += 1
            sent = time.monotonic()
            response = requests.post(f"{replica.url}/api/v1/documents/questions", json=payload, headers=worker,
                                     timeout=30)
            if response.status_code != 200:
                results.append((sent, replica.url, response.status_code, "", False, False))
                continue
            body, header = all_text(response.content), header_footer_text(response.content)
            results.append((sent, replica.url, response.status_code,
                            response.headers["X-Template-Version"].split()[0], marker in body,
                            f"{marker}-YLA" in header))

    threads = [threading.Thread(target=client, args=(n,)) for n in range(4)]
    for thread in threads:
        thread.start()
    try:
        time.sleep(1.5)
        activated = requests.post(f"{cluster.b.url}/api/v1/templates/questions/versions/{version}/activate",
                                  headers=convener, timeout=30)
        activated_at.append(time.monotonic())
        assert activated.status_code == 200, activated.text
        time.sleep(3)
    finally:
        stop.set()
        for thread in threads:
            thread.join()
    assert len(results) > 20 and {r[2] for r in results} == {200}
    for sent, url, _, template_version, in_body, in_header in results:
        assert in_body == in_header, "a document mixed two versions"
        assert in_body == (template_version == str(version))
        if sent > activated_at[0] + 1.0:
            assert template_version == str(version), f"{url} still rendered the old version a second later"
    assert {url for sent, url, *_ in results if sent > activated_at[0] + 1.0} == {cluster.a.url, cluster.b.url}
    assert any(not r[4] for r in results)  # old ones too: the activation really happened mid-run
    requests.post(f"{cluster.a.url}/api/v1/templates/questions/rollback", json={}, headers=convener, timeout=30)


def test_the_rate_limit_counts_requests_to_both_replicas(cluster):
    """Sign-in attempts for one name: 5 a minute in all, whichever replica they reach. Each replica
    has two workers: with per-process counting no worker would ever see more than three."""
    name = f"ei-ole-{uuid.uuid4().hex[:6]}"
    statuses = []
    for attempt in range(6):
        replica = (cluster.a, cluster.b)[attempt % 2]
        browser = requests.Session()
        statuses.append(browser.post(f"{replica.url}/auth/sign-in", timeout=10, allow_redirects=False, data={
            "username": name, "password": "vaara-salasana", "csrf_token": sign_in_page(browser, replica.url)}
        ).status_code)
    assert 429 not in statuses[:5] and statuses[5] == 429, statuses


def test_health_endpoints(cluster):
    for replica in (cluster.a, cluster.b):
        assert requests.get(f"{replica.url}/healthz", timeout=10).json() == {"status": "ok"}
        ready = requests.get(f"{replica.url}/readyz", timeout=10)
        assert ready.status_code == 200, ready.text
        assert ready.json()["checks"] == {"database": "ok", "templates": "ok", "converter": "unavailable"}


def test_postgresql_stopped_while_documents_are_made(cluster, postgres):
    """Clear 503s while it is down, never a 500; every document handed out has its audit entry
    and the chain is whole; the replicas recover without a restart."""
    worker = {"Authorization": f"Bearer {cluster.token('worker')}"}
    payload = load_example("summary")
    outcomes: list[tuple[float, str, int, str, str]] = []
    stop = threading.Event()

    def client(number: int) -> None:
        count = 0
        while not stop.is_set():
            replica = (cluster.a, cluster.b)[(number + count) % 2]
            count += 1
            request_id = f"katko-{number}-{count}-{uuid.uuid4().hex[:6]}"
            try:
                response = requests.post(f"{replica.url}/api/v1/documents/summary", json=payload, timeout=30,
                                         headers={**worker, "X-Request-Id": request_id})
            except requests.ConnectionError as error:
                pytest.fail(f"the replica dropped the connection: {error}")
            message = response.json()["message"] if response.status_code != 200 else ""
            outcomes.append((time.monotonic(), replica.url, response.status_code, request_id, message))
            if response.status_code == 503:
                assert response.headers.get("Retry-After")
            time.sleep(0.02)

    threads = [threading.Thread(target=client, args=(n,)) for n in range(4)]
    for thread in threads:
        thread.start()
    try:
        time.sleep(1.5)
        postgres.stop()
        stopped = time.monotonic()
        time.sleep(2.5)
        down = requests.get(f"{cluster.a.url}/readyz", timeout=10)
        assert down.status_code == 503 and down.json()["checks"]["database"] == "unavailable"
        restarting = time.monotonic()
        postgres.start()
        started = time.monotonic()
        deadline = started + 20
        while requests.get(f"{cluster.b.url}/readyz", timeout=10).status_code != 200:
            assert time.monotonic() < deadline, "did not recover"
            time.sleep(0.2)
        ready = time.monotonic()
        time.sleep(2.5)
    finally:
        stop.set()
        for thread in threads:
            thread.join()
        if not postgres.running():
            postgres.start()
    statuses = {status for _, _, status, _, _ in outcomes}
    assert statuses <= {200, 503}, statuses
    down_answers = [o for o in outcomes if o[2] == 503]
    assert down_answers and all(DB_DOWN in message for *_, message in down_answers)
    assert all(status == 503 for at, _, status, _, _ in outcomes if stopped + 0.5 < at < restarting)
    recovered = [o for o in outcomes if o[0] > ready + 0.5]
    assert recovered and all(o[2] == 200 for o in recovered), "not every request succeeded after the recovery"
    assert {o[1] for o in recovered} == {cluster.a.url, cluster.b.url}

    trail = subprocess.run([LNP, "audit", "--action", "document.render"], capture_output=True, text=True,
                           env=cluster.env, timeout=120).stdout
    import json

    entries = [json.loads(line) for line in trail.splitlines()]
    by_request = {}
    for entry in entries:
        by_request.setdefault(entry.get("request_id"), []).append(entry)
    for _, _, status, request_id, _ in outcomes:
        if status == 200:  # a document handed out: its one entry, whole
            [entry] = by_request[request_id]
            assert (entry["outcome"], entry["status"], entry["doc_type"]) == ("ok", 200, "summary")
    verified = subprocess.run([LNP, "audit", "verify"], capture_output=True, text=True, env=cluster.env, timeout=120)
    assert verified.returncode == 0 and "kunnossa" in verified.stdout, verified.stdout + verified.stderr


def test_redis_stopped_the_limits_count_in_memory_until_it_is_back(cluster, redis_server):
    worker = {"Authorization": f"Bearer {cluster.token('worker')}"}
    redis_server.stop()
    try:
        for replica in (cluster.a, cluster.b):
            assert requests.get(f"{replica.url}/api/v1/document-types", headers=worker, timeout=30).status_code == 200
    finally:
        redis_server.start()
    for replica in (cluster.a, cluster.b):
        assert requests.get(f"{replica.url}/api/v1/document-types", headers=worker, timeout=30).status_code == 200
