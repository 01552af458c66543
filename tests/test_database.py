"""The database layer on SQLite and on PostgreSQL (each test runs on both): the schema made by the
migrations, accounts, the audit trail's hash chain and its serialised appends, template pointers
seen by a second process within a second, an unreachable database as a clear 503, and the move of
an instance folder from before the database."""

from __future__ import annotations

import json
import sqlite3
import time
from concurrent.futures import ThreadPoolExecutor

import pytest
from alembic.autogenerate import compare_metadata
from alembic.runtime.migration import MigrationContext
from sqlalchemy import delete, exc, select, text, update

from service.access.accounts import AccountStore, Identity
from service.access.audit import AuditLog
from service.database.connection import Database, DatabaseUnavailable
from service.database.tables import audit_entries, audit_head, metadata, tokens
from service.registry import DOCUMENT_TYPES
from service.wordtemplates.store import POINTER_CHECK_SECONDS, TemplateStore
from tests.docxtext import all_text
from tests.servers import Postgres, database, free_port, postgres  # noqa: F401
from tests.test_template_lifecycle import variant

KEY = "k" * 48
WHO = Identity("cli", "testi", "local", key="cli:testi")


def test_the_migrations_make_the_schema_the_code_uses(database):
    assert database.revision() == database.head()
    with database.read() as connection:
        assert compare_metadata(MigrationContext.configure(connection), metadata) == []
    database.upgrade()  # a second upgrade changes nothing
    assert database.revision() == database.head()


def test_accounts_tokens_sessions_and_profiles(database):
    store = AccountStore(database)
    store.add_user("sari", "worker")
    with pytest.raises(Exception, match="on jo käytössä"):
        store.add_user("sari", "admin")
    record, value = store.create_token("integraatio", "worker")
    assert store.verify_token(value)[0].name == "integraatio"
    assert store.tokens()[0]["id"] == record["id"] and "secret_hash" not in store.tokens()[0]
    store.revoke_token(record["id"])
    assert store.verify_token(value) == (None, "revoked-token")
    assert store.revoke_token(record["id"])["revoked"]  # twice is fine

    store.set_profile("sari", {"title": "sosiaalityöntekijä"})
    store.set_profile("sari", {"title": "johtava sosiaalityöntekijä"})
    assert store.profile("sari") == {"title": "johtava sosiaalityöntekijä"}
    session = store.open_session("sari")
    assert store.session_identity(session, 900, 28800).name == "sari"
    store.reset_password("sari")
    assert store.session_identity(session, 900, 28800) is None  # a reset ends the sessions
    session = store.open_session("sari")
    store.remove_user("sari")
    assert store.session_identity(session, 900, 28800) is None and store.profile("sari") == {}
    assert store.users() == []


def test_the_audit_trail_is_a_verified_chain(database, capsys):
    log = AuditLog(database, KEY, stdout=True)
    for number in range(5):
        log.record(WHO, "document.render", "ok", status=200, request_id=f"r{number}")
    verdict = log.verify()
    assert verdict.ok and verdict.entries == verdict.head_seq == 5 and verdict.problems == []
    assert [e["request_id"] for e in log.entries()] == ["r0", "r1", "r2", "r3", "r4"]
    printed = [json.loads(line) for line in capsys.readouterr().out.splitlines()]
    assert [p["seq"] for p in printed] == [1, 2, 3, 4, 5] and printed[-1]["hash"] == verdict.head_hash
    assert printed[0]["audit"]["request_id"] == "r0"


def test_the_database_refuses_to_change_or_remove_an_entry(database):
    log = AuditLog(database, KEY)
    log.record(WHO, "user.add", "ok", target="x")
    for statement in (update(audit_entries).values(data="{}"), delete(audit_entries)):
        with pytest.raises(exc.DBAPIError, match="append-only"), database.write() as connection:
            connection.execute(statement)
    assert log.verify().ok


def _without_guard(database: Database, connection) -> None:
    """What someone with the database's owner rights could do: take the guard off."""
    if database.sqlite:
        connection.execute(text("DROP TRIGGER audit_entries_no_update"))
        connection.execute(text("DROP TRIGGER audit_entries_no_delete"))
    else:
        connection.execute(text("ALTER TABLE audit_entries DISABLE TRIGGER audit_entries_append_only"))


@pytest.mark.parametrize("tamper", ["delete-middle", "edit", "delete-last", "delete-last-and-head"])
def test_lnp_audit_verify_finds_an_entry_removed_or_altered_in_the_database(database, tamper):
    log = AuditLog(database, KEY)
    for number in range(6):
        log.record(WHO, "document.render", "ok", status=200, request_id=f"r{number}")
    with database.write() as connection:
        _without_guard(database, connection)
        if tamper == "delete-middle":
            connection.execute(delete(audit_entries).where(audit_entries.c.seq == 3))
        elif tamper == "edit":
            data = connection.execute(select(audit_entries.c.data).where(audit_entries.c.seq == 4)).scalar_one()
            connection.execute(update(audit_entries).where(audit_entries.c.seq == 4)
                               .values(data=data.replace('"ok"', '"refused"')))
        else:
            connection.execute(delete(audit_entries).where(audit_entries.c.seq == 6))
            if tamper == "delete-last-and-head":  # and a forged head: only a key-holder could make its hash
                connection.execute(update(audit_head).values(seq=5, hash="f" * 64))
    verdict = log.verify()
    assert not verdict.ok, tamper
    expected = {"delete-middle": "entries 3–3 are missing", "edit": "entry 4 does not match",
                "delete-last": "the head names entry 6", "delete-last-and-head": "the head names entry 5"}[tamper]
    assert any(expected in problem for problem in verdict.problems), verdict.problems


def test_concurrent_writers_never_fork_the_chain(database):
    """Eight threads, each with its own connection, append at once: one chain, no gaps."""
    logs = [AuditLog(database, KEY) for _ in range(8)]

    def write(log: AuditLog) -> None:
        for number in range(25):
            log.record(WHO, "document.render", "ok", status=200, request_id=f"{id(log)}-{number}")

    with ThreadPoolExecutor(8) as pool:
        list(pool.map(write, logs))
    verdict = logs[0].verify()
    assert verdict.ok and verdict.entries == 200
    assert len({e["request_id"] for e in logs[0].entries()}) == 200


def test_entries_committed_together_keep_one_chain_among_other_writers(database):
    """A mailing's entries go in one commit, in order, while other writers append one by one."""
    logs = [AuditLog(database, KEY) for _ in range(6)]

    def write(number: int) -> None:
        log = logs[number]
        for round_ in range(10):
            if number % 2:
                log.record_all(WHO, [("document.render", "ok", {"status": 200, "request_id": f"{number}-{round_}-{i}"})
                                     for i in range(4)])
            else:
                log.record(WHO, "document.render", "ok", status=200, request_id=f"{number}-{round_}")

    with ThreadPoolExecutor(6) as pool:
        list(pool.map(write, range(6)))
    verdict = logs[0].verify()
    assert verdict.ok and verdict.entries == 3 * 10 + 3 * 10 * 4
    ids = [e["request_id"] for e in logs[0].entries()]
    for number in (1, 3, 5):  # a batch's entries are next to each other, in their order
        for round_ in range(10):
            at = ids.index(f"{number}-{round_}-0")
            assert ids[at:at + 4] == [f"{number}-{round_}-{i}" for i in range(4)]


def test_a_pointer_moved_by_one_process_is_seen_by_another_within_a_second(database):
    """Two stores on one database stand for two replicas (each has its own caches)."""
    a, b = TemplateStore(database), TemplateStore(database)
    doc_type = DOCUMENT_TYPES["questions"]
    assert b.get(doc_type).version == 0
    version, _ = a.upload(doc_type, variant("questions", "UUSI-VERSIO"), "testi")
    a.activate(doc_type, version.version, "testi")
    assert a.get(doc_type).version == version.version  # at once where it was activated
    deadline = time.monotonic() + 1.0
    while b.get(doc_type).version != version.version:
        assert time.monotonic() < deadline, "not seen within a second"
        time.sleep(0.05)
    assert "UUSI-VERSIO" in all_text(b.get(doc_type).data)
    assert b.get(doc_type).sha256 == version.sha256
    a.rollback(doc_type, "testi")
    time.sleep(POINTER_CHECK_SECONDS + 0.1)
    assert b.get(doc_type).version == 0 and b.history("questions") == [0]
    assert [x["action"] for x in b.activations("questions")] == ["activate", "rollback"]


def test_concurrent_uploads_get_their_own_numbers(database):
    store = TemplateStore(database)
    doc_type = DOCUMENT_TYPES["questions"]
    data = variant("questions", "RINNAKKAIN")
    with ThreadPoolExecutor(4) as pool:
        numbers = sorted(v.version for v, _ in pool.map(lambda _: store.upload(doc_type, data, "testi"), range(4)))
    assert numbers == [1, 2, 3, 4]


def test_an_unreachable_database_is_a_clear_503_and_nothing_more():
    database = Database(f"postgresql://lnp@127.0.0.1:{free_port()}/lnp")
    started = time.monotonic()
    with pytest.raises(DatabaseUnavailable) as refused:
        AccountStore(database).verify_token("lnp_0123456789ab_" + "a" * 43)
    assert refused.value.status == 503 and refused.value.headers["Retry-After"]
    assert "Tietokantaan ei juuri nyt saada yhteyttä" in refused.value.message
    assert time.monotonic() - started < 10


def test_a_failed_write_leaves_nothing_half_written(database):
    """The token row and the audit entry of one change go together or not at all."""
    log = AuditLog(database, KEY)
    before = log.count()
    with pytest.raises(RuntimeError), database.write() as connection:
        connection.execute(tokens.insert().values(id="a" * 12, name="n", role="worker", secret_hash="x" * 64,
                                                  created="2026-01-01", expires="2027-01-01"))
        from service.access.audit import append

        append(lambda sql, parameters: connection.execute(text(sql), parameters), KEY.encode(),
               ['{"action":"token.create"}'], lock=not database.sqlite)
        raise RuntimeError("the process dies here")
    assert log.count() == before and AccountStore(database).tokens() == []
    assert log.verify().ok


def test_the_drivers_own_transaction_commits_whole_or_not_at_all(database):
    """The audit entry's path (the driver's cursor, not SQLAlchemy's statements): an error between
    the entry and the head's move leaves neither; a finished block is committed; the connection
    goes back to the pool clean."""
    from service.access.audit import _INSERT, _MOVE_HEAD

    log = AuditLog(database, KEY)
    log.record(WHO, "document", "ok")
    with pytest.raises(RuntimeError), database.driver(write=True, transaction=True) as statements:
        statements.execute(_INSERT, {"seq": 2, "data": '{"action":"x"}', "hash": "0" * 64})
        statements.execute(_MOVE_HEAD, {"seq": 2, "hash": "0" * 64})
        raise RuntimeError("the process dies here")
    assert log.count() == 1 and log.verify().ok
    with database.driver() as statements:
        assert statements.execute("SELECT count(*) FROM audit_entries").fetchone()[0] == 1
    log.record_all(WHO, [("document", "ok", {}), ("document", "ok", {})])
    assert log.count() == 3 and log.verify().ok


def test_a_database_restarted_under_the_token_check_and_the_audit_is_a_503_then_recovered(tmp_path):
    """Connections in the pool die with the server: the token check and the audit entry (both on
    the driver's own cursor) answer 503, not a driver error, and work again once the server is
    back, without a restart of the service."""
    server = Postgres()
    try:
        database = Database(server.database())
        database.upgrade()
        store, log = AccountStore(database), AuditLog(database, KEY)
        _, token = store.create_token("apotti", "worker")
        assert store.verify_token(token)[0] is not None
        log.record(WHO, "document", "ok")
        server.stop()
        for step in (lambda: store.verify_token(token), lambda: log.record(WHO, "document", "ok"),
                     lambda: store.verify_token(token)):
            with pytest.raises(DatabaseUnavailable):
                step()
        server.start()
        assert store.verify_token(token)[0] is not None
        log.record(WHO, "document", "ok")
        assert log.count() == 2 and log.verify().ok
        database.dispose()
    finally:
        server.close()


# --- an instance folder from before the database ---------------------------------------------------

OLD_ACCOUNTS_SCHEMA = """
CREATE TABLE users (name TEXT PRIMARY KEY, role TEXT NOT NULL, password_hash TEXT NOT NULL,
    must_change INTEGER NOT NULL, created TEXT NOT NULL);
CREATE TABLE tokens (id TEXT PRIMARY KEY, name TEXT NOT NULL, role TEXT NOT NULL, secret_hash TEXT NOT NULL,
    created TEXT NOT NULL, expires TEXT NOT NULL, revoked TEXT);
CREATE TABLE profiles (user TEXT PRIMARY KEY REFERENCES users(name) ON DELETE CASCADE, data TEXT NOT NULL);
CREATE TABLE sessions (id_hash TEXT PRIMARY KEY, user TEXT NOT NULL REFERENCES users(name) ON DELETE CASCADE,
    created REAL NOT NULL, last_seen REAL NOT NULL);
"""


def old_instance(folder, audit_key: str) -> dict:
    """An instance folder as the service wrote it before the database (the same file formats):
    accounts.sqlite3, templates/<type>/<lang>/vNNNN with meta.json and active.json, the older
    <type>/vNNNN layout (Finnish), an interrupted upload, and audit.jsonl."""
    import hashlib
    import hmac

    from argon2 import PasswordHasher

    folder.mkdir(parents=True, exist_ok=True)
    hasher = PasswordHasher()
    password = "vanha-salasana-joka-toimii"
    with sqlite3.connect(folder / "accounts.sqlite3") as con:
        con.executescript(OLD_ACCOUNTS_SCHEMA)
        con.execute("INSERT INTO users VALUES (?, ?, ?, 0, ?)", ("sari", "convener", hasher.hash(password),
                                                                  "2025-05-01T08:00:00+00:00"))
        con.execute("INSERT INTO users VALUES (?, ?, ?, 1, ?)", ("admin", "admin", hasher.hash("x" * 20),
                                                                  "2025-05-01T07:00:00+00:00"))
        secret = "s" * 43
        con.execute("INSERT INTO tokens VALUES (?, ?, ?, ?, ?, ?, NULL)",
                    ("0123456789ab", "apotti", "worker", hashlib.sha256(secret.encode()).hexdigest(),
                     "2025-05-01T08:00:00+00:00", "2099-01-01T00:00:00+00:00"))
        con.execute("INSERT INTO profiles VALUES (?, ?)", ("sari", json.dumps({"title": "koollekutsuja"})))
    templates = folder / "templates"
    made = {}
    for type_id, language, number, marker in (("questions", "fi", 1, "VANHA-FI-1"), ("questions", "fi", 2, "VANHA-FI-2"),
                                              ("summary", "sv", 1, "VANHA-SV-1")):
        data = variant(type_id, marker, language)
        place = templates / type_id / language / f"v{number:04d}"
        place.mkdir(parents=True)
        (place / "template.docx").write_bytes(data)
        meta = {"version": number, "sha256": hashlib.sha256(data).hexdigest(), "uploader": "sari",
                "uploaded_at": "2025-06-01T10:00:00+00:00", "ok": True, "report": {"ok": True, "findings": []},
                "language": language}
        (place / "meta.json").write_text(json.dumps(meta), encoding="utf-8")
        made[(type_id, language, number)] = meta["sha256"]
    (templates / "questions" / "fi" / "active.json").write_text(json.dumps(
        {"version": 2, "history": [0, 1, 2], "activated_by": "sari", "activated_at": "2025-06-02T10:00:00+00:00"}))
    (templates / "summary" / "sv" / "active.json").write_text(json.dumps({"version": 1, "history": [0, 1]}))
    (templates / "questions" / "fi" / "v0003").mkdir()  # an upload interrupted before its meta.json
    older = templates / "follow-up-summary"  # the layout from before the languages
    data = variant("follow-up-summary", "VANHIN")
    (older / "v0001").mkdir(parents=True)
    (older / "v0001" / "template.docx").write_bytes(data)
    (older / "v0001" / "meta.json").write_text(json.dumps({
        "version": 1, "sha256": hashlib.sha256(data).hexdigest(), "uploader": "admin",
        "uploaded_at": "2024-01-01T00:00:00+00:00", "ok": True, "report": {"ok": True, "findings": []}}))
    (older / "active.json").write_text(json.dumps({"version": 1, "history": [0, 1]}))
    case = hmac.new(audit_key.encode(), b"LNP-2025-0001", hashlib.sha256).hexdigest()
    lines = [{"time": f"2025-06-0{n}T10:00:00.000+00:00", "actor": "token:apotti", "role": "worker",
              "action": "document.render", "outcome": "ok", "doc_type": "summary", "case": case, "status": 200,
              "channel": "api", "request_id": f"vanha-{n}"} for n in range(1, 8)]
    (folder / "audit.jsonl").write_text("".join(json.dumps(e, separators=(",", ":")) + "\n" for e in lines),
                                        encoding="ascii")
    return {"password": password, "token": f"lnp_0123456789ab_{secret}", "hashes": made, "audit": lines}


def test_an_instance_folder_moves_into_the_database_whole(database, tmp_path):
    from service.database.instance_folder import MigrationError, migrate

    folder = tmp_path / "old"
    old = old_instance(folder, KEY)
    before = {p: p.read_bytes() for p in folder.rglob("*") if p.is_file()}
    moved = migrate(database, folder, KEY)
    assert moved == {"käyttäjiä": 2, "API-tunnisteita": 1, "omia tietoja": 1, "istuntoja": 0, "pohjaversioita": 4,
                     "käytössä olevia pohjia": 3, "lokimerkintöjä": 7}

    accounts = AccountStore(database)
    assert accounts.verify_password("sari", old["password"]).role == "convener"  # the same hash
    assert accounts.verify_token(old["token"])[0].name == "apotti"
    assert accounts.user("admin")["must_change"] == 1 and accounts.profile("sari") == {"title": "koollekutsuja"}

    store = TemplateStore(database)
    assert [v.version for v in store.versions("questions", "fi")] == [0, 1, 2]  # not the interrupted v0003
    assert store.active_version("questions", "fi") == 2 and store.history("questions", "fi") == [0, 1, 2]
    assert "VANHA-FI-2" in all_text(store.get(DOCUMENT_TYPES["questions"], "fi").data)
    assert store.version("questions", 1, "fi").sha256 == old["hashes"][("questions", "fi", 1)]
    assert store.active_version("summary", "sv") == 1 and store.active_version("summary", "fi") == 0
    assert "VANHIN" in all_text(store.get(DOCUMENT_TYPES["follow-up-summary"], "fi").data)

    log = AuditLog(database, KEY)
    assert list(log.entries()) == old["audit"] and log.verify().ok
    assert log.case_hash("LNP-2025-0001") == old["audit"][0]["case"]  # lnp audit --case still finds them

    with pytest.raises(MigrationError, match="new database"):  # a second run makes no doubles
        migrate(database, folder, KEY)
    assert {p: p.read_bytes() for p in folder.rglob("*") if p.is_file()} == before  # the files as they were


def test_a_damaged_folder_moves_nothing(database, tmp_path):
    from service.database.instance_folder import MigrationError, migrate

    folder = tmp_path / "old"
    old_instance(folder, KEY)
    with (folder / "audit.jsonl").open("a") as log:
        log.write('{"time":"2025-06-09T10:00:00.000+00:00","act')  # a torn last line
    with pytest.raises(MigrationError, match="line 8"):
        migrate(database, folder, KEY)
    assert AccountStore(database).users() == [] and TemplateStore(database).versions("questions", "fi")[1:] == []


def test_lnp_init_moves_an_old_instance_and_lnp_db_migrate_instance_into_postgresql(tmp_path, postgres):
    import os
    import subprocess

    from service.instance import ensure_secrets, load_secrets
    from tests.conftest import LNP

    def run(*args, **env):
        return subprocess.run([LNP, *args], capture_output=True, text=True, timeout=120,
                              env={**os.environ, "LNP_INSTANCE_PATH": str(folder), **env})

    folder = tmp_path / "instance"
    ensure_secrets(folder)
    config: dict = {}
    load_secrets(config, folder)
    old_instance(folder, config["AUDIT_KEY"])

    # make run's `lnp init` on the old folder: SQLite, moved, no new admin
    init = run("init")
    assert init.returncode == 0, init.stderr
    assert "lokimerkintöjä 7" in init.stderr and "kertakäyttöinen salasana" not in init.stdout
    assert "sari" in run("users", "list").stdout
    assert "tapahtumaloki kunnossa: 7 merkintää" in run("audit", "verify").stdout
    # the city's PostgreSQL: upgrade, then move the same folder
    url = postgres.database()
    assert run("db", "upgrade", LNP_DATABASE_URL=url).returncode == 0
    moved = run("db", "migrate-instance", str(folder), LNP_DATABASE_URL=url)
    assert moved.returncode == 0, moved.stderr
    assert "pohjaversioita 4" in moved.stderr
    listing = run("templates", "list", "--type", "questions", "--language", "fi", LNP_DATABASE_URL=url).stdout
    assert " *   2 " in listing
    again = run("db", "migrate-instance", str(folder), LNP_DATABASE_URL=url)
    assert again.returncode == 2 and "new database" in again.stderr

    # an old folder with no users at all: moved, and the first admin made as on a fresh machine
    empty = tmp_path / "empty"
    ensure_secrets(empty)
    (empty / "audit.jsonl").write_text("")
    first = subprocess.run([LNP, "init"], capture_output=True, text=True, timeout=120,
                           env={**os.environ, "LNP_INSTANCE_PATH": str(empty)})
    assert first.returncode == 0 and "kertakäyttöinen salasana" in first.stdout, first.stderr


def test_an_outage_under_the_api_and_the_pages_is_a_503_in_the_callers_language(tmp_path):
    """The same app, its database engine swapped for one that reaches nothing (the outage)."""
    from sqlalchemy import create_engine

    from service import create_app
    from service.instance import ensure_secrets
    from tests.conftest import HTTPS, TEST_CONFIG, signed_in

    ensure_secrets(tmp_path)
    app = create_app({**TEST_CONFIG, "INSTANCE_PATH": str(tmp_path)})
    token = app.extensions["lnp.accounts"].create_token("t", "worker")[1]
    browser = signed_in(app)
    assert browser.get("/auth/account", headers={"Accept": "text/html"}, **HTTPS).status_code == 200
    app.extensions["lnp.database"].engine = create_engine(f"postgresql+psycopg://lnp@127.0.0.1:{free_port()}/x",
                                                          connect_args={"connect_timeout": 2})
    client = app.test_client()
    api = client.get("/api/v1/document-types", headers={"Authorization": f"Bearer {token}",
                                                        "Accept-Language": "sv"})
    assert api.status_code == 503 and api.headers["Retry-After"] == "5"
    assert api.get_json()["message"].startswith("Det går inte att nå databasen just nu.")
    page = browser.get("/auth/account", headers={"Accept": "text/html", "Accept-Language": "en"}, **HTTPS)
    assert page.status_code == 503  # a page in the reader's words (the pages send no Retry-After)
    text = page.get_data(as_text=True)
    assert "<h1>The service is not available right now</h1>" in text and "The database cannot be reached right now." in text
    ready = client.get("/readyz")
    assert ready.status_code == 503 and ready.get_json()["checks"]["database"] == "unavailable"
    assert client.get("/healthz").status_code == 200
