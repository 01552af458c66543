"""The audit log: who handled which case's data, when and with what outcome (laki 703/2023).

Separate from the application log: append-only JSON lines in ``audit.jsonl`` under the
instance folder (mode 0600). An entry holds technical facts only. The case appears as a keyed
hash (HMAC-SHA-256 with the instance's AUDIT_KEY) of ``case_ref``: the city can find every entry
for a case it names (``lnp audit --case``), but the log alone does not say which case it was.
Names, identity codes and free text never go in; ``record`` refuses any field not listed below.
"""

from __future__ import annotations

import getpass
import hashlib
import hmac
import json
import os
from collections.abc import Iterator
from dataclasses import dataclass
from datetime import UTC, datetime
from pathlib import Path

from service.access.accounts import Identity

FIELDS = frozenset({
    "doc_type", "rendition", "format", "template_version", "template_language", "template_sha256", "case", "status",
    "channel", "request_id", "target", "target_role",
})
MAX_VALUE_LENGTH = 128
CASE_REF_MAX = 200


class AuditLog:
    def __init__(self, path: Path, key: str):
        self.path = path
        self._key = key.encode("utf-8")

    def case_hash(self, case_ref: str) -> str:
        # surrogatepass: a refused case_ref may hold a lone surrogate, and its refusal is audited too.
        return hmac.new(self._key, case_ref.encode("utf-8", "surrogatepass"), hashlib.sha256).hexdigest()

    def record(self, identity: Identity, action: str, outcome: str, **facts) -> dict:
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
        line = (json.dumps(entry, ensure_ascii=True, separators=(",", ":")) + "\n").encode("ascii")
        # O_APPEND: each entry is one write at the end of the file, from any worker or command.
        fd = os.open(self.path, os.O_WRONLY | os.O_APPEND | os.O_CREAT, 0o600)
        try:
            os.write(fd, line)
            os.fsync(fd)
        finally:
            os.close(fd)
        return entry

    def entries(self) -> Iterator[dict]:
        if not self.path.exists():
            return
        with self.path.open(encoding="ascii") as lines:
            for line in lines:
                if line.strip():
                    yield json.loads(line)


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
        case = None
        if isinstance(case_ref, str) and 0 < len(case_ref) <= CASE_REF_MAX:
            case = self.log.case_hash(case_ref)
        self.log.record(
            self.identity, "document.render", outcome,
            doc_type=doc_type, rendition=rendition if isinstance(rendition, str) and len(rendition) <= 32 else None,
            format=output_format if output_format in ("docx", "odt", "pdf") else None,
            template_version=template.version if template is not None else None,
            template_language=template.language if template is not None else None,
            template_sha256=template.sha256 if template is not None else None,
            case=case, status=status, channel=self.channel, request_id=self.request_id,
        )

    def change(self, action: str, outcome: str, target: str | None = None, target_role: str | None = None) -> None:
        """A token or user change (created, revoked, removed, password reset or changed)."""
        self.log.record(self.identity, action, outcome, target=target, target_role=target_role,
                        channel=self.channel, request_id=self.request_id)
