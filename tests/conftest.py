import contextlib
import copy
import json
import logging
import os
import socket
import subprocess
import sys
import time
from dataclasses import dataclass
from pathlib import Path

import pytest
import requests

from service import create_app
from service.access.accounts import ROLES
from service.instance import INSTANCE_ENV, ensure_secrets
from service.registry import DOCUMENT_TYPES, EXAMPLES_DIR

TYPE_IDS = sorted(DOCUMENT_TYPES)


def load_example(type_id: str, language: str = "fi") -> dict:
    return json.loads((EXAMPLES_DIR / language / f"{type_id}.json").read_text(encoding="utf-8"))


@pytest.fixture
def example():
    """A fresh deep copy of a type's example case."""
    return lambda type_id: copy.deepcopy(load_example(type_id))


@pytest.fixture(scope="session", autouse=True)
def instance(tmp_path_factory):
    """One instance folder for the whole run (secrets, accounts, audit log), also for the
    ``lnp`` processes and gunicorn the tests start: they find it through LNP_INSTANCE_PATH."""
    folder = tmp_path_factory.mktemp("instance")
    ensure_secrets(folder)
    previous = os.environ.get(INSTANCE_ENV)
    os.environ[INSTANCE_ENV] = str(folder)
    yield folder
    if previous is None:
        os.environ.pop(INSTANCE_ENV, None)
    else:
        os.environ[INSTANCE_ENV] = previous


_AUDITOR: list = []


@pytest.fixture(scope="session", autouse=True)
def command_audit(instance):
    """Tests that call produce() outside a request act like the ``lnp`` command: audited as
    cli:<user> in the session's audit log (``cli_auditor()`` for helpers that are not tests)."""
    from service.access.audit import AuditLog, Auditor
    from service.database.connection import Database, database_url
    from service.instance import load_secrets

    config: dict = {}
    load_secrets(config, instance)
    database = Database(database_url(instance))
    database.ensure_schema(upgrade=True)
    _AUDITOR[:] = [Auditor.command(AuditLog(database, config["AUDIT_KEY"]))]
    yield _AUDITOR[0]
    _AUDITOR.clear()
    # Everything the run's in-process apps, `lnp` commands and gunicorn workers wrote to the
    # session's database: the file whole, the audit chain unbroken.
    from sqlalchemy import text

    with database.read() as connection:
        assert connection.execute(text("PRAGMA integrity_check")).scalar_one() == "ok"
    verdict = AuditLog(database, config["AUDIT_KEY"]).verify()
    assert verdict.ok, verdict.problems


def read_from_outside(path: Path) -> bytes:
    """A file's bytes read by another process. A database this process has open must never be
    opened and closed here: closing any descriptor of a file drops every POSIX lock the process
    holds on it, SQLite's included, and the next connection then finds the database "disk I/O
    error" (sqlite.org/howtocorrupt.html, 2.2)."""
    done = subprocess.run(["cat", "--", str(path)], capture_output=True, check=False)
    if done.returncode != 0:
        raise OSError(f"cannot read {path}")
    return done.stdout


def sqlite_bytes(folder: Path) -> bytes:
    """Everything an instance's SQLite database holds on disk (the file and its write-ahead log)."""
    from service.database.connection import SQLITE_FILE

    return b"".join(read_from_outside(path) for path in (folder / SQLITE_FILE, folder / f"{SQLITE_FILE}-wal")
                    if path.exists())


def cli_auditor():
    """The session's command auditor (see command_audit)."""
    return _AUDITOR[0]


# The suite sends thousands of requests with one token; the limits have tests of their own.
TEST_CONFIG = {"TESTING": True, "RATELIMIT_DEFAULT": "1000000 per minute"}


@pytest.fixture(scope="session")
def app(instance):
    return create_app({**TEST_CONFIG, "INSTANCE_PATH": str(instance)})


@pytest.fixture(scope="session")
def tokens(app):
    """A token value per role, made the way ``lnp tokens create`` makes them."""
    store = app.extensions["lnp.accounts"]
    return {role: store.create_token(f"test {role}", role)[1] for role in ROLES}


def bearer(token: str) -> dict:
    return {"Authorization": f"Bearer {token}"}


@pytest.fixture
def client(app, tokens):
    """A test client that sends a worker token with every request."""
    client = app.test_client()
    client.environ_base["HTTP_AUTHORIZATION"] = f"Bearer {tokens['worker']}"
    return client


def client_with_token(app, role: str):
    """A test client of ``app`` that sends a fresh ``role`` token with every request."""
    client = app.test_client()
    token = app.extensions["lnp.accounts"].create_token(f"test {role}", role)[1]
    client.environ_base["HTTP_AUTHORIZATION"] = f"Bearer {token}"
    return client


HTTPS = {"base_url": "https://localhost"}  # the session cookie is Secure


def signed_in(app, role: str = "worker", name: str = "kayttaja") -> "object":
    """A test client signed in through the sign-in page as a new ``role`` user (past the
    one-time password), behaving like a browser: https and a same-origin Referer."""
    import re

    def csrf(path):
        page = client.get(path, **HTTPS).get_data(as_text=True)
        return re.search(r'name="csrf_token" value="([^"]+)"', page).group(1)

    store = app.extensions["lnp.accounts"]
    one_time = store.add_user(name, role)
    client = app.test_client()
    client.environ_base["HTTP_REFERER"] = "https://localhost/"
    client.post("/auth/sign-in", data={"username": name, "password": one_time, "csrf_token": csrf("/auth/sign-in")},
                **HTTPS)
    client.post("/auth/password", data={"current": one_time, "new": "oikein-pitka-salasana-1",
                                        "repeat": "oikein-pitka-salasana-1", "csrf_token": csrf("/auth/password")},
                **HTTPS)
    return client


@pytest.fixture
def anonymous(app):
    return app.test_client()


LNP = str(Path(sys.executable).with_name("lnp"))


def lnp(*args, stdin=None, check=True):
    """Run the ``lnp`` command as a process (against the session's instance folder)."""
    result = subprocess.run([LNP, *args], input=stdin, capture_output=True, timeout=120)
    printed = "" if result.stdout[:2] == b"PK" else result.stdout.decode("utf-8", "replace")  # not a .docx
    EXTRA_LOG_TEXT.append(printed + result.stderr.decode("utf-8", "replace"))
    if check:
        assert result.returncode == 0, result.stderr.decode("utf-8", "replace")
    return result


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


@dataclass
class Server:
    url: str
    token: str  # a worker token made with `lnp tokens create`
    log: Path  # everything gunicorn and the app wrote
    temp: Path  # TMPDIR of the server process
    pid: int  # gunicorn's master

    def headers(self, token: str | None = None) -> dict:
        return bearer(token or self.token)


@contextlib.contextmanager
def running_service(folder: Path, env_extra: dict | None = None):
    """`lnp serve` (gunicorn, two workers) on loopback with the instance in the environment, and a
    worker token of that instance; ``folder`` keeps its log and TMPDIR."""
    env = {**os.environ, "LNP_RATELIMIT_DEFAULT": "1000000 per minute", **(env_extra or {})}
    token = subprocess.run([LNP, "tokens", "create", "--name", "http tests", "--role", "worker"], env=env,
                           capture_output=True, check=True, timeout=120).stdout.decode().strip()
    log, temp = folder / "server.log", folder / "tmp"
    temp.mkdir()
    port = free_port()
    env["TMPDIR"] = str(temp)
    with log.open("wb") as out:
        process = subprocess.Popen([LNP, "serve", "--bind", f"127.0.0.1:{port}", "--workers", "2"],
                                   stdout=out, stderr=subprocess.STDOUT, env=env)
    base = f"http://127.0.0.1:{port}"
    deadline = time.monotonic() + 60
    while True:
        try:
            if requests.get(f"{base}/healthz", timeout=1).status_code == 200:
                break
        except requests.ConnectionError:
            pass
        if process.poll() is not None or time.monotonic() > deadline:
            raise RuntimeError("the service did not start: " + log.read_text(errors="replace")[-2000:])
        time.sleep(0.2)
    try:
        yield Server(base, token, log, temp, process.pid)
    finally:
        process.terminate()
        process.wait(timeout=30)
        EXTRA_LOG_TEXT.append(log.read_text(encoding="utf-8", errors="replace"))


@pytest.fixture(scope="session")
def server(instance, tmp_path_factory):
    """The service as it runs: `lnp serve` (gunicorn, two workers) on loopback, real HTTP."""
    with running_service(tmp_path_factory.mktemp("server")) as running:
        yield running


def post_json(client, type_id, payload, **kwargs):
    return client.post(f"/api/v1/documents/{type_id}", data=json.dumps(payload), content_type="application/json", **kwargs)


# --- No case data in logs -------------------------------------------------------------------
# Every log record of the whole run is kept and checked at the end against the examples'
# personal data: names, identity codes, contact details and free text.

class _Collector(logging.Handler):
    def __init__(self):
        super().__init__(level=logging.DEBUG)
        self.lines: list[str] = []

    def emit(self, record):
        try:
            self.lines.append(self.format(record))
        except Exception:  # noqa: BLE001
            self.lines.append(str(record.msg))


LOG_COLLECTOR = _Collector()
EXTRA_LOG_TEXT: list[str] = []  # stderr of subprocesses (CLI, gunicorn) is added here


def sensitive_strings() -> set[str]:
    from tests.docxtext import string_values

    skip_keys = {"case_ref", "language", "meeting_language", "relation_to_child", "attends", "status",
                 "service_context", "source", "key", "document_date", "birth_date", "start", "end",
                 "client_since", "worker_since", "date", "reviewed_with_family", "organisation", "unit", "title"}
    # A choice's value (a sector such as "family", a decision such as "invited") is a code, not data.
    skip_keys |= {path.rsplit(".", 1)[-1].split("[")[0] for t in DOCUMENT_TYPES.values()
                  for root in (t.fields, t.template_fields) for path, leaf in root.walk() if leaf.choices}
    values = set()
    for type_id, language in ((t, lang) for t in TYPE_IDS for lang in ("fi", "sv", "en")):
        for path, value in string_values(load_example(type_id, language)):
            if path.rsplit(".", 1)[-1].split("[")[0] in skip_keys:
                continue
            # Names, texts and codes have letters; phone numbers have many digits. A bare postal
            # code or house number would match timings and ids by chance.
            if len(value) >= 4 and (any(c.isalpha() for c in value) or sum(c.isdigit() for c in value) >= 7):
                values.add(value)
                if language == "fi":  # sv/en: whole values only (common words like "Family" or "December")
                    values.update(word for word in value.split() if len(word) >= 6 and word[0].isupper())
    return values


@pytest.fixture(scope="session", autouse=True)
def no_case_data_in_logs():
    root = logging.getLogger()
    root.addHandler(LOG_COLLECTOR)
    previous = root.level
    root.setLevel(logging.DEBUG)
    yield
    root.removeHandler(LOG_COLLECTOR)
    root.setLevel(previous)
    text = "\n".join(LOG_COLLECTOR.lines + EXTRA_LOG_TEXT)
    leaked = sorted(v for v in sensitive_strings() if v in text)
    assert not leaked, f"case data found in logs: {len(leaked)} values"
