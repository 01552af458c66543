"""The audit log: every render and every account change, keyed case hashes, no case data."""

from __future__ import annotations

import json
import uuid
from pathlib import Path

import pytest

from service.access.audit import AuditLog
from service.database.connection import SQLITE_FILE
from service.pipeline import produce
from service.registry import DOCUMENT_TYPES
from service.wordtemplates.store import TemplateStore
from tests.conftest import bearer, lnp, load_example, post_json, sensitive_strings, sqlite_bytes


@pytest.fixture
def audit_log(app) -> AuditLog:
    return app.extensions["lnp.audit"]


def new_entries(log: AuditLog, before: int) -> list[dict]:
    return list(log.entries())[before:]


def count(log: AuditLog) -> int:
    return sum(1 for _ in log.entries())


def stored_text(log: AuditLog) -> str:
    """Every entry as the database holds it."""
    return "\n".join(json.dumps(entry, ensure_ascii=False) for entry in log.entries())


def test_a_render_is_audited_with_technical_facts_only(client, audit_log, example):
    payload = example("summary")
    payload["case_ref"] = f"AUDIT-{uuid.uuid4().hex[:8]}"
    before = count(audit_log)
    response = post_json(client, "summary", payload, headers={"X-Request-Id": "req-123"})
    assert response.status_code == 200
    [entry] = new_entries(audit_log, before)
    template = TemplateStore().get(DOCUMENT_TYPES["summary"])
    assert entry == {
        "time": entry["time"], "actor": "token:test worker", "role": "worker", "action": "document.render",
        "outcome": "ok", "doc_type": "summary", "rendition": "family", "format": "docx", "template_version": 0,
        "template_language": "fi", "template_sha256": template.sha256, "case": audit_log.case_hash(payload["case_ref"]), "status": 200,
        "channel": "api", "request_id": "req-123",
    }
    assert payload["case_ref"] not in stored_text(audit_log)


def test_a_swedish_render_names_its_template_language(client, audit_log):
    from tests.conftest import load_example

    payload = load_example("summary", "sv")
    before = count(audit_log)
    assert post_json(client, "summary", payload).status_code == 200
    [entry] = new_entries(audit_log, before)
    assert (entry["template_language"], entry["template_version"]) == ("sv", 0)


@pytest.mark.parametrize("mutate,status,outcome", [
    (lambda p: p.pop("children"), 422, "refused"),
    (lambda p: p.update(case_ref="ÄÄ ei kelpaa"), 422, "refused"),
])
def test_a_refused_render_is_audited(client, audit_log, example, mutate, status, outcome):
    payload = example("summary")
    mutate(payload)
    before = count(audit_log)
    assert post_json(client, "summary", payload).status_code == status
    [entry] = new_entries(audit_log, before)
    assert (entry["outcome"], entry["status"], entry["doc_type"]) == (outcome, status, "summary")
    assert entry["case"] == audit_log.case_hash(payload["case_ref"])


def test_unreadable_bodies_are_audited_as_refused(client, audit_log):
    before = count(audit_log)
    client.post("/api/v1/documents/questions", data=b"{", content_type="application/json")
    client.post("/api/v1/documents/questions", data=b"x", content_type="text/plain")
    entries = new_entries(audit_log, before)
    assert [(e["outcome"], e["status"], e["doc_type"]) for e in entries] == [("refused", 400, "questions"),
                                                                              ("refused", 415, "questions")]
    assert all("case" not in e for e in entries)


def test_the_audit_log_never_holds_case_data(app, client, audit_log, example):
    for type_id in DOCUMENT_TYPES:
        post_json(client, type_id, example(type_id))
    text = stored_text(audit_log) + sqlite_bytes(Path(app.instance_path)).decode("latin-1")
    assert not [v for v in sensitive_strings() if v in text]
    assert (Path(app.instance_path) / SQLITE_FILE).stat().st_mode & 0o777 == 0o600


def test_nothing_is_rendered_without_an_audit_log():
    with pytest.raises(TypeError, match="audit"):
        produce(TemplateStore(), DOCUMENT_TYPES["summary"], load_example("summary"))  # type: ignore[call-arg]


def test_record_refuses_fields_that_could_carry_case_data(audit_log):
    from service.access.accounts import Identity

    who = Identity("cli", "x", "local", key="x")
    with pytest.raises(ValueError):
        audit_log.record(who, "document.render", "ok", name="Aino Virtanen")
    with pytest.raises(ValueError):
        audit_log.record(who, "document.render", "ok", doc_type="x" * 500)


def test_token_changes_over_the_api_are_audited(app, tokens, audit_log):
    client = app.test_client()
    before = count(audit_log)
    created = client.post("/api/v1/tokens", json={"name": "integraatio", "role": "worker", "days": 30},
                          headers=bearer(tokens["admin"]))
    assert created.status_code == 201
    token_id = created.get_json()["id"]
    assert client.get("/api/v1/document-types", headers=bearer(created.get_json()["token"])).status_code == 200
    assert client.delete(f"/api/v1/tokens/{token_id}", headers=bearer(tokens["admin"])).status_code == 200
    listed = client.get("/api/v1/tokens", headers=bearer(tokens["admin"])).get_json()
    assert all("token" not in t and "secret_hash" not in t for t in listed)
    entries = [e for e in new_entries(audit_log, before) if e["action"].startswith("token.")]
    assert [(e["action"], e["actor"], e["target"]) for e in entries] == [
        ("token.create", "token:test admin", token_id), ("token.revoke", "token:test admin", token_id)]


def test_cli_renders_and_changes_are_audited_and_lnp_audit_filters_them(instance, tmp_path):
    case_ref = f"CLI-{uuid.uuid4().hex[:8]}"
    payload = load_example("questions")
    payload["case_ref"] = case_ref
    source = tmp_path / "case.json"
    source.write_text(json.dumps(payload), encoding="utf-8")
    rendered = lnp("render", "questions", str(source), "-o", "-")
    assert rendered.stdout[:2] == b"PK"
    made = lnp("tokens", "create", "--name", "cli audit", "--role", "convener")
    token_id = made.stdout.decode().strip().split("_")[1]
    lnp("tokens", "revoke", token_id)
    lnp("users", "add", "auditoitava", "--role", "worker")
    lnp("users", "remove", "auditoitava")

    found = [json.loads(line) for line in lnp("audit", "--case", case_ref).stdout.decode().splitlines()]
    assert [(e["action"], e["outcome"], e["doc_type"], e["channel"]) for e in found] == [
        ("document.render", "ok", "questions", "cli")]
    assert found[0]["actor"].startswith("cli:")
    assert case_ref.encode() not in sqlite_bytes(instance)
    actions = [json.loads(line)["action"] for line in lnp("audit", "--actor", found[0]["actor"]).stdout.decode().splitlines()]
    assert {"token.create", "token.revoke", "user.add", "user.remove", "document.render"} <= set(actions)
    assert lnp("audit", "--case", case_ref, "--since", "2000-01-01", "--until", "2000-01-02").stdout == b""
    assert lnp("audit", "--case", "NO-SUCH-CASE").stdout == b""
