"""The tables as the code uses them (SQLAlchemy Core). The schema itself is made and changed only
by the migrations in ``migrations/versions``; a test checks that the two agree.

Times of records people read (created, expires, uploaded) are ISO 8601 UTC strings: the same text
on SQLite and PostgreSQL, ordered as text, and what the API has always answered. Session clocks are
seconds since the epoch (compared, never shown)."""

from __future__ import annotations

from sqlalchemy import (
    BigInteger,
    Boolean,
    Column,
    Float,
    ForeignKey,
    Integer,
    LargeBinary,
    MetaData,
    String,
    Table,
    Text,
)

metadata = MetaData(naming_convention={
    "ix": "ix_%(table_name)s_%(column_0_name)s",
    "uq": "uq_%(table_name)s_%(column_0_name)s",
    "fk": "fk_%(table_name)s_%(column_0_name)s_%(referred_table_name)s",
    "pk": "pk_%(table_name)s",
})

ISO = String(32)

users = Table(
    "users", metadata,
    Column("name", String(64), primary_key=True),
    Column("role", String(16), nullable=False),
    Column("password_hash", String(255), nullable=False),
    Column("must_change", Boolean, nullable=False),
    Column("created", ISO, nullable=False),
)

tokens = Table(
    "tokens", metadata,
    Column("id", String(12), primary_key=True),
    Column("name", String(64), nullable=False),
    Column("role", String(16), nullable=False),
    Column("secret_hash", String(64), nullable=False),
    Column("created", ISO, nullable=False),
    Column("expires", ISO, nullable=False),
    Column("revoked", ISO),
)

profiles = Table(
    "profiles", metadata,
    Column("user", String(64), ForeignKey("users.name", ondelete="CASCADE"), primary_key=True),
    Column("data", Text, nullable=False),
)

sessions = Table(
    "sessions", metadata,
    Column("id_hash", String(64), primary_key=True),
    Column("user", String(64), ForeignKey("users.name", ondelete="CASCADE"), nullable=False, index=True),
    Column("created", Float, nullable=False),
    Column("last_seen", Float, nullable=False),
)

# Every uploaded version of a (type, language) template: immutable once written. Version 0 is
# the built-in template in templates_docx/ and has no row.
template_versions = Table(
    "template_versions", metadata,
    Column("type_id", String(64), primary_key=True),
    Column("language", String(8), primary_key=True),
    Column("version", Integer, primary_key=True),
    Column("sha256", String(64), nullable=False),
    Column("content", LargeBinary, nullable=False),
    Column("uploader", String(128), nullable=False),
    Column("uploaded_at", ISO, nullable=False),
    Column("ok", Boolean, nullable=False),
    Column("report", Text, nullable=False),  # the checker's report as JSON
)

# The active version of a (type, language) and the stack rollback returns along; no row = version 0.
template_pointers = Table(
    "template_pointers", metadata,
    Column("type_id", String(64), primary_key=True),
    Column("language", String(8), primary_key=True),
    Column("version", Integer, nullable=False),
    Column("history", Text, nullable=False),  # JSON list of versions, the active one last
    Column("activated_by", String(128), nullable=False),
    Column("activated_at", ISO, nullable=False),
)

# Every change of an active pointer, never updated: who switched which template to which version.
template_activations = Table(
    "template_activations", metadata,
    Column("id", Integer, primary_key=True, autoincrement=True),
    Column("type_id", String(64), nullable=False),
    Column("language", String(8), nullable=False),
    Column("version", Integer, nullable=False),
    Column("action", String(16), nullable=False),  # activate or rollback
    Column("actor", String(128), nullable=False),
    Column("at", ISO, nullable=False),
)

# One row: raised with every pointer change. Each process compares it (cheaply, at most twice a
# second) with the one it saw and re-reads the pointers only when it moved.
template_state = Table(
    "template_state", metadata,
    Column("id", Integer, primary_key=True, autoincrement=False),
    Column("generation", BigInteger, nullable=False),
)

# The audit trail: entry ``seq`` holds its JSON text as written and an HMAC over (seq, the previous
# entry's hash, the text). No code updates or deletes a row; triggers refuse it on both databases.
audit_entries = Table(
    "audit_entries", metadata,
    Column("seq", BigInteger, primary_key=True, autoincrement=False),
    Column("data", Text, nullable=False),
    Column("hash", String(64), nullable=False),
)

# One row: the last entry's number and hash. Appending locks it, so writers on any replica take
# their turns and the chain never forks; verifying compares it with the last entry.
audit_head = Table(
    "audit_head", metadata,
    Column("id", Integer, primary_key=True, autoincrement=False),
    Column("seq", BigInteger, nullable=False),
    Column("hash", String(64), nullable=False),
)

GENESIS = "0" * 64  # the "previous hash" of entry 1
