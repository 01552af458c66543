"""The audit trail: who handled which case's data, when and with what outcome (laki 703/2023).

Separate from the application log: append-only entries in the service's database, shared by every
replica. An entry holds technical facts only. The case appears as a keyed hash (HMAC-SHA-256 with
the instance's AUDIT_KEY) of ``case_ref``: the city can find every entry for a case it names
(``lnp audit --case``), but the trail alone does not say which case it was. Names, identity codes
and free text never go in; ``record`` refuses any field not listed below.

Tamper-evident: entry n carries HMAC(AUDIT_KEY, n | hash of entry n-1 | its JSON text), and the
head row holds the last number and hash. ``verify`` (``lnp audit verify``) recomputes the chain: an
entry edited, removed, inserted or reordered, or the last ones cut off, breaks it. Appending locks
the head row (SELECT … FOR UPDATE on PostgreSQL, the write transaction on SQLite), so writers on
every replica take turns and the chain never forks. With AUDIT_STDOUT each entry is also printed as
one JSON line for the city's log system.
"""

from __future__ import annotations

import getpass
import hashlib
import hmac
import json
import sys
import threading
from collections.abc import Callable, Iterator
from dataclasses import dataclass
from datetime import UTC, datetime
from typing import Any

from sqlalchemy import select

from service.access.accounts import Identity
from service.database.connection import Database
from service.database.tables import GENESIS, audit_entries, audit_head

FIELDS = frozenset({
    "doc_type", "rendition", "format", "template_version", "template_language", "template_sha256", "case", "status",
    "channel", "request_id", "target", "target_role",
})
MAX_VALUE_LENGTH = 128
CASE_REF_MAX = 200
_stdout_lock = threading.Lock()


def chain_hash(key: bytes, seq: int, previous: str, data: str) -> str:
    return hmac.new(key, f"{seq}|{previous}|{data}".encode(), hashlib.sha256).hexdigest()


def append(execute: Callable[[str, dict], Any], key: bytes, datas: list[str], lock: bool) -> list[tuple[int, str]]:
    """Append entries (their JSON texts) in order in the caller's write transaction: read the head
    (``lock``: SELECT … FOR UPDATE, which PostgreSQL needs; SQLite's write transaction already
    excludes other writers), chain, insert, move the head once. Their numbers and hashes.
    ``execute(sql, parameters)`` runs SQL with ``:name`` parameters: the driver's cursor
    (``Database.driver``) or SQLAlchemy's connection through ``text``."""
    written: list[tuple[int, str]] = []
    seq, previous = execute(_HEAD + (" FOR UPDATE" if lock else ""), {}).fetchone()
    for data in datas:
        seq += 1
        previous = chain_hash(key, seq, previous, data)
        execute(_INSERT, {"seq": seq, "data": data, "hash": previous})
        written.append((seq, previous))
    if written:
        execute(_MOVE_HEAD, {"seq": seq, "hash": previous})
    return written


# PostgreSQL: the head moves from the number read to the next one and the entry goes in, in one
# statement (its own transaction). The UPDATE takes the head row's lock; had another writer moved
# the head since it was read, it matches no row, nothing is inserted, and the writer reads again.
# The head this process last wrote or read is tried first, so a request usually makes one round
# trip. Plain SQL on the driver's cursor: SQLAlchemy's statement machinery cost more than the statement.
_APPEND_IF_HEAD_UNMOVED = (
    "WITH moved AS (UPDATE audit_head SET seq = :seq, hash = :hash "
    "WHERE id = 1 AND seq = :previous AND hash = :previous_hash RETURNING 1) "
    "INSERT INTO audit_entries (seq, data, hash) SELECT :seq, :data, :hash FROM moved")
_HEAD = "SELECT seq, hash FROM audit_head WHERE id = 1"
_INSERT = "INSERT INTO audit_entries (seq, data, hash) VALUES (:seq, :data, :hash)"
_MOVE_HEAD = "UPDATE audit_head SET seq = :seq, hash = :hash WHERE id = 1"
APPEND_TRIES = 200


@dataclass(frozen=True)
class Verdict:
    ok: bool
    entries: int
    head_seq: int
    head_hash: str
    problems: list[str]


class AuditLog:
    def __init__(self, database: Database, key: str, stdout: bool = False):
        self.database = database
        self._key = key.encode("utf-8")
        self.stdout = stdout
        self._head: tuple[int, str] | None = None  # PostgreSQL: the head as this process last saw it

    def case_hash(self, case_ref: str) -> str:
        # surrogatepass: a refused case_ref may hold a lone surrogate, and its refusal is audited too.
        return hmac.new(self._key, case_ref.encode("utf-8", "surrogatepass"), hashlib.sha256).hexdigest()

    def record(self, identity: Identity, action: str, outcome: str, **facts) -> dict:
        return self.record_all(identity, [(action, outcome, facts)])[0]

    def record_all(self, identity: Identity, actions: list[tuple[str, str, dict]]) -> list[dict]:
        """Several entries (action, outcome, facts) of one request in one commit: a mailing's
        letters wait for the disk once, not once a letter."""
        entries = [self._entry(identity, action, outcome, facts) for action, outcome, facts in actions]
        written = self._append([json.dumps(entry, ensure_ascii=True, separators=(",", ":")) for entry in entries])
        if self.stdout:  # after the commit: the log system never sees an entry the trail lacks
            with _stdout_lock:
                for entry, (seq, digest) in zip(entries, written, strict=True):
                    sys.stdout.write(json.dumps({"audit": entry, "seq": seq, "hash": digest},
                                                separators=(",", ":")) + "\n")
                sys.stdout.flush()
        return entries

    @staticmethod
    def _entry(identity: Identity, action: str, outcome: str, facts: dict) -> dict:
        unknown = set(facts) - FIELDS
        if unknown:
            raise ValueError(f"audit fields not allowed: {sorted(unknown)}")
        entry: dict[str, str | int] = {
            "time": datetime.now(UTC).isoformat(timespec="milliseconds"),
            "actor": identity.actor,
            "role": identity.role,
            "action": action,
            "outcome": outcome,
        }
        for name, value in facts.items():
            if value is not None:
                if not isinstance(value, (str, int)) or len(str(value)) > MAX_VALUE_LENGTH:
                    raise ValueError(f"audit field {name} is not a short technical value")
                entry[name] = value
        return entry

    def _append(self, datas: list[str]) -> list[tuple[int, str]]:
        """Append the entries in order and commit them together (on disk when this returns); their
        numbers and hashes. On the driver's own cursor (one of the two database steps of every
        document request): the commit's wait for the disk is then most of the database's time on a
        document request (the benchmark's "audit write")."""
        if self.database.sqlite or len(datas) > 1:
            # One transaction that holds the head (SQLite: BEGIN IMMEDIATE; PostgreSQL: FOR UPDATE).
            with self.database.driver(write=True, transaction=True) as statements:
                written = append(statements.execute, self._key, datas, lock=not self.database.sqlite)
            self._head = written[-1] if written else self._head
            return written
        # PostgreSQL, one entry: a statement of its own (autocommit), one round trip from the head
        # this process last saw.
        data, head = datas[0], self._head
        with self.database.driver(write=True) as statements:
            for _ in range(APPEND_TRIES):
                if head is None:
                    head = tuple(statements.execute(_HEAD).fetchone())
                previous_seq, previous = head
                seq = previous_seq + 1
                digest = chain_hash(self._key, seq, previous, data)
                moved = statements.execute(_APPEND_IF_HEAD_UNMOVED, {
                    "seq": seq, "hash": digest, "previous": previous_seq, "previous_hash": previous, "data": data})
                if moved.rowcount == 1:
                    break
                head = None  # another writer moved it: read it again
            else:
                raise RuntimeError("the audit trail's head kept moving: too many writers at once")
        self._head = (seq, digest)  # committed: the next request starts from here
        return [self._head]

    def entries(self, after: int = 0) -> Iterator[dict]:
        """Every entry in order (from number ``after`` + 1), read in pages."""
        while True:
            with self.database.read() as connection:
                rows = connection.execute(select(audit_entries.c.seq, audit_entries.c.data)
                                          .where(audit_entries.c.seq > after).order_by(audit_entries.c.seq)
                                          .limit(1000)).all()
            if not rows:
                return
            for row in rows:
                yield json.loads(row.data)
            after = rows[-1].seq

    def count(self) -> int:
        with self.database.read() as connection:
            return connection.execute(select(audit_head.c.seq)).scalar_one()

    def verify(self) -> Verdict:
        """Recompute the chain from the first entry to the head (as it was when the check began:
        entries appended meanwhile are left for the next check)."""
        problems: list[str] = []
        with self.database.read() as connection:
            head = connection.execute(select(audit_head.c.seq, audit_head.c.hash)).one()
        previous, expected, count = GENESIS, 1, 0
        while expected <= head.seq:
            with self.database.read() as connection:
                rows = connection.execute(select(audit_entries).where(audit_entries.c.seq >= expected,
                                                                      audit_entries.c.seq <= head.seq)
                                          .order_by(audit_entries.c.seq).limit(1000)).all()
            if not rows:
                break
            for row in rows:
                if row.seq != expected:
                    problems.append(f"entries {expected}–{row.seq - 1} are missing")
                if not hmac.compare_digest(row.hash, chain_hash(self._key, row.seq, previous, row.data)):
                    problems.append(f"entry {row.seq} does not match its hash (altered, or an entry before it "
                                    "removed)")
                previous, expected, count = row.hash, row.seq + 1, count + 1
        if expected - 1 != head.seq or previous != head.hash:
            problems.append(f"the head names entry {head.seq}, the trail ends at entry {expected - 1}: "
                            "entries removed from its end, or the head altered")
        return Verdict(not problems, count, head.seq, head.hash, problems)


# --- who is acting ---------------------------------------------------------------------------
@dataclass(frozen=True)
class Auditor:
    """Whoever is acting (a request's identity, or the ``lnp`` command's operating-system user) and
    the log their actions go to. Made by the caller and passed down: produce() and the account
    changes write through it, so nothing is rendered or changed unaudited."""

    log: AuditLog
    identity: Identity
    channel: str  # api, web or cli
    request_id: str | None = None

    @classmethod
    def command(cls, log: AuditLog) -> Auditor:
        user = getpass.getuser()
        return cls(log, Identity("cli", user, "local", key=f"cli:{user}"), "cli")

    def document(self, doc_type: str, rendition: str, outcome: str, status: int, case_ref=None, template=None,
                 output_format: str | None = None) -> None:
        self.documents(doc_type, rendition, outcome, status, case_ref, [template], output_format)

    def documents(self, doc_type: str, rendition: str, outcome: str, status: int, case_ref, templates: list,
                  output_format: str | None = None) -> None:
        """An entry per document made with each of ``templates`` (a mailing's letters), committed
        together."""
        case = None
        if isinstance(case_ref, str) and 0 < len(case_ref) <= CASE_REF_MAX:
            case = self.log.case_hash(case_ref)
        shown_rendition = rendition if isinstance(rendition, str) and len(rendition) <= 32 else None
        output_format = output_format if output_format in ("docx", "odt", "pdf") else None
        self.log.record_all(self.identity, [("document.render", outcome, {
            "doc_type": doc_type, "rendition": shown_rendition, "format": output_format,
            "template_version": template.version if template is not None else None,
            "template_language": template.language if template is not None else None,
            "template_sha256": template.sha256 if template is not None else None,
            "case": case, "status": status, "channel": self.channel, "request_id": self.request_id,
        }) for template in templates])

    def change(self, action: str, outcome: str, target: str | None = None, target_role: str | None = None) -> None:
        """A token or user change (created, revoked, removed, password reset or changed)."""
        self.log.record(self.identity, action, outcome, target=target, target_role=target_role,
                        channel=self.channel, request_id=self.request_id)
