"""Users, API tokens and sign-in sessions, in one SQLite file under the instance folder.

SQLite because gunicorn's workers and the ``lnp`` command read and write the same file: its
transactions make every change atomic without a server. Nothing secret is stored in the clear:
passwords as argon2id hashes, tokens and session ids as SHA-256 hashes (both are 256-bit random
values, so a fast hash is enough; a password needs the slow one).
"""

from __future__ import annotations

import hashlib
import hmac
import json
import re
import secrets
import sqlite3
import time
from contextlib import closing
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta
from pathlib import Path

from argon2 import PasswordHasher
from argon2.exceptions import InvalidHashError, VerificationError

from schemas.i18n import gettext as _
from service.access.passwords import weakness

ROLES = ("worker", "convener", "admin")  # each role can do everything the ones before it can
USER_NAME_RE = re.compile(r"[a-z0-9][a-z0-9._-]{1,63}")
TOKEN_NAME_RE = re.compile(r"[A-Za-z0-9][A-Za-z0-9 ._-]{0,63}")
TOKEN_RE = re.compile(r"lnp_([0-9a-f]{12})_([A-Za-z0-9_-]{43})")
TOKEN_ID_RE = re.compile(r"[0-9a-f]{12}")
PASSWORD_MIN, PASSWORD_MAX = 12, 256
DEFAULT_TOKEN_DAYS = 90

SCHEMA = """
CREATE TABLE IF NOT EXISTS users (
    name TEXT PRIMARY KEY, role TEXT NOT NULL, password_hash TEXT NOT NULL,
    must_change INTEGER NOT NULL, created TEXT NOT NULL);
CREATE TABLE IF NOT EXISTS tokens (
    id TEXT PRIMARY KEY, name TEXT NOT NULL, role TEXT NOT NULL, secret_hash TEXT NOT NULL,
    created TEXT NOT NULL, expires TEXT NOT NULL, revoked TEXT);
CREATE TABLE IF NOT EXISTS profiles (
    user TEXT PRIMARY KEY REFERENCES users(name) ON DELETE CASCADE, data TEXT NOT NULL);
CREATE TABLE IF NOT EXISTS sessions (
    id_hash TEXT PRIMARY KEY, user TEXT NOT NULL REFERENCES users(name) ON DELETE CASCADE,
    created REAL NOT NULL, last_seen REAL NOT NULL);
"""

_hasher = PasswordHasher()
# Compared against when the user does not exist, so that a wrong name costs as long as a wrong password.
_DUMMY_HASH = _hasher.hash(secrets.token_urlsafe(16))


class AccountError(ValueError):
    """A refused change; the message is in the current message language (schemas.i18n) and safe
    to show."""


@dataclass(frozen=True)
class Identity:
    kind: str  # "token", "session", "proxy" or "cli"
    name: str
    role: str
    key: str  # rate-limit key: never a secret, never a name someone typed that did not exist
    must_change: bool = False

    @property
    def actor(self) -> str:
        return f"{self.kind}:{self.name}"


def rank(role: str) -> int:
    return ROLES.index(role)


def _now() -> datetime:
    return datetime.now(UTC)


def _iso(moment: datetime) -> str:
    return moment.isoformat(timespec="seconds")


def _sha256(value: str) -> str:
    return hashlib.sha256(value.encode("utf-8")).hexdigest()


def check_role(role: str) -> str:
    if role not in ROLES:
        raise AccountError(_("Tuntematon rooli. Sallitut: {roles}.").format(roles=", ".join(ROLES)))
    return role


def check_password(password: str) -> str:
    if not PASSWORD_MIN <= len(password) <= PASSWORD_MAX:
        raise AccountError(_("Salasanan pituuden on oltava {min}–{max} merkkiä.").format(min=PASSWORD_MIN,
                                                                                           max=PASSWORD_MAX))
    return password


class AccountStore:
    def __init__(self, path: Path):
        self.path = path
        with closing(self._connect()) as con:
            con.executescript(SCHEMA)
        self.path.chmod(0o600)

    def _connect(self) -> sqlite3.Connection:
        con = sqlite3.connect(self.path, timeout=10, isolation_level=None)
        con.row_factory = sqlite3.Row
        con.execute("PRAGMA foreign_keys = ON")
        return con

    def _write(self, sql: str, params=()) -> int:
        with closing(self._connect()) as con:
            con.execute("BEGIN IMMEDIATE")
            try:
                count = con.execute(sql, params).rowcount
                con.execute("COMMIT")
            except BaseException:
                con.execute("ROLLBACK")
                raise
            return count

    def _one(self, sql: str, params=()) -> sqlite3.Row | None:
        with closing(self._connect()) as con:
            return con.execute(sql, params).fetchone()

    def _all(self, sql: str, params=()) -> list[sqlite3.Row]:
        with closing(self._connect()) as con:
            return con.execute(sql, params).fetchall()

    # --- tokens ------------------------------------------------------------------------------
    def create_token(self, name: str, role: str, days: int = DEFAULT_TOKEN_DAYS) -> tuple[dict, str]:
        """Return the token's record and its value; the value is shown once and never stored."""
        if not TOKEN_NAME_RE.fullmatch(name or ""):
            raise AccountError(_("Tunnisteen nimessä voi olla 1–64 merkkiä: kirjaimia, numeroita, välilyönti ja .-_"))
        check_role(role)
        if not 1 <= days <= 366:
            raise AccountError(_("Voimassaoloajan on oltava 1–366 päivää."))
        token_id, secret = secrets.token_hex(6), secrets.token_urlsafe(32)
        created = _now()
        record = {"id": token_id, "name": name, "role": role, "created": _iso(created),
                  "expires": _iso(created + timedelta(days=days)), "revoked": None}
        self._write("INSERT INTO tokens VALUES (?, ?, ?, ?, ?, ?, NULL)",
                    (token_id, name, role, _sha256(secret), record["created"], record["expires"]))
        return record, f"lnp_{token_id}_{secret}"

    def verify_token(self, presented: str) -> tuple[Identity | None, str]:
        """(identity, "") or (None, reason); the reason is for the application log."""
        match = TOKEN_RE.fullmatch(presented)
        if not match:
            return None, "malformed-token"
        token_id, secret = match.groups()
        row = self._one("SELECT * FROM tokens WHERE id = ?", (token_id,))
        stored = row["secret_hash"] if row else _sha256("")
        if not hmac.compare_digest(stored, _sha256(secret)) or row is None:
            return None, "unknown-token"
        if row["revoked"]:
            return None, "revoked-token"
        if datetime.fromisoformat(row["expires"]) <= _now():
            return None, "expired-token"
        return Identity("token", row["name"], row["role"], key=f"token:{token_id}"), ""

    def revoke_token(self, token_id: str) -> dict:
        row = self._one("SELECT * FROM tokens WHERE id = ?", (token_id,)) if TOKEN_ID_RE.fullmatch(token_id) else None
        if row is None:
            raise AccountError(_("Tunnistetta ei ole."))
        if not row["revoked"]:
            self._write("UPDATE tokens SET revoked = ? WHERE id = ?", (_iso(_now()), token_id))
        return self.token(token_id)

    def token(self, token_id: str) -> dict:
        row = self._one("SELECT id, name, role, created, expires, revoked FROM tokens WHERE id = ?", (token_id,))
        return dict(row) if row else {}

    def tokens(self) -> list[dict]:
        return [dict(r) for r in self._all("SELECT id, name, role, created, expires, revoked FROM tokens ORDER BY created")]

    # --- users -------------------------------------------------------------------------------
    def add_user(self, name: str, role: str) -> str:
        """Create a user with a one-time password and return it; it must be changed at first sign-in."""
        if not USER_NAME_RE.fullmatch(name or ""):
            raise AccountError(_("Käyttäjätunnuksessa voi olla 2–64 merkkiä: pieniä kirjaimia, numeroita ja .-_"))
        check_role(role)
        password = secrets.token_urlsafe(15)
        try:
            self._write("INSERT INTO users VALUES (?, ?, ?, 1, ?)", (name, role, _hasher.hash(password), _iso(_now())))
        except sqlite3.IntegrityError:
            raise AccountError(_("Käyttäjätunnus on jo käytössä.")) from None
        return password

    def reset_password(self, name: str) -> str:
        password = secrets.token_urlsafe(15)
        if not self._write("UPDATE users SET password_hash = ?, must_change = 1 WHERE name = ?",
                           (_hasher.hash(password), name)):
            raise AccountError(_("Käyttäjää ei ole."))
        self._write("DELETE FROM sessions WHERE user = ?", (name,))
        return password

    def change_password(self, name: str, current: str, new: str) -> None:
        if self.verify_password(name, current) is None:
            raise AccountError(_("Nykyinen salasana on väärä."))
        check_password(new)
        if new == current:
            raise AccountError(_("Uuden salasanan on oltava eri kuin vanha."))
        details = self.profile(name)
        reason = weakness(new, [name, details.get("given_names", ""), details.get("surname", ""),
                                details.get("work_email", "").split("@")[0]])
        if reason:
            raise AccountError(reason)
        self._write("UPDATE users SET password_hash = ?, must_change = 0 WHERE name = ?", (_hasher.hash(new), name))

    def verify_password(self, name: str, password: str) -> Identity | None:
        row = self._one("SELECT * FROM users WHERE name = ?", (name,)) if USER_NAME_RE.fullmatch(name or "") else None
        try:
            _hasher.verify(row["password_hash"] if row else _DUMMY_HASH, password[:PASSWORD_MAX])
        except (VerificationError, InvalidHashError):
            return None
        if row is None:
            return None
        if _hasher.check_needs_rehash(row["password_hash"]):
            self._write("UPDATE users SET password_hash = ? WHERE name = ?", (_hasher.hash(password), name))
        return Identity("session", name, row["role"], key=f"user:{name}", must_change=bool(row["must_change"]))

    def remove_user(self, name: str) -> None:
        if not self._write("DELETE FROM users WHERE name = ?", (name,)):
            raise AccountError(_("Käyttäjää ei ole."))

    def users(self) -> list[dict]:
        return [dict(r) for r in self._all("SELECT name, role, must_change, created FROM users ORDER BY name")]

    def user(self, name: str) -> dict:
        row = self._one("SELECT name, role, must_change, created FROM users WHERE name = ?", (name,))
        return dict(row) if row else {}

    # --- the worker's own details ----------------------------------------------------------------
    # Work contact details the forms fill in for the user (name, title, organisation, unit, work
    # phone and e-mail): the worker's own, never a client's. Validated by the caller.
    def profile(self, name: str) -> dict:
        row = self._one("SELECT data FROM profiles WHERE user = ?", (name,))
        return json.loads(row["data"]) if row else {}

    def set_profile(self, name: str, data: dict) -> None:
        if not self.user(name):
            raise AccountError(_("Käyttäjää ei ole."))
        self._write("INSERT INTO profiles (user, data) VALUES (?, ?) ON CONFLICT(user) DO UPDATE SET data = "
                    "excluded.data", (name, json.dumps(data, ensure_ascii=False)))

    # --- sessions ----------------------------------------------------------------------------
    def open_session(self, user: str) -> str:
        session_id = secrets.token_urlsafe(32)
        now = time.time()
        self._write("INSERT INTO sessions VALUES (?, ?, ?, ?)", (_sha256(session_id), user, now, now))
        return session_id

    def session_identity(self, session_id: str, idle_seconds: int, max_seconds: int) -> Identity | None:
        """The signed-in user, or None when the session is unknown, idle too long or too old."""
        id_hash = _sha256(session_id)
        row = self._one("SELECT s.created, s.last_seen, u.name, u.role, u.must_change FROM sessions s "
                        "JOIN users u ON u.name = s.user WHERE s.id_hash = ?", (id_hash,))
        now = time.time()
        if row is None:
            return None
        if now - row["last_seen"] > idle_seconds or now - row["created"] > max_seconds:
            self._write("DELETE FROM sessions WHERE id_hash = ?", (id_hash,))
            return None
        # One write a half-minute is enough for the idle clock (a tenth of a shorter idle limit).
        if now - row["last_seen"] > min(30, idle_seconds / 10):
            self._write("UPDATE sessions SET last_seen = ? WHERE id_hash = ?", (now, id_hash))
        return Identity("session", row["name"], row["role"], key=f"user:{row['name']}",
                        must_change=bool(row["must_change"]))

    def session_expiry(self, session_id: str, idle_seconds: int, max_seconds: int) -> float | None:
        """When the session ends if nothing more is done (epoch seconds), or None when it has ended."""
        row = self._one("SELECT created, last_seen FROM sessions WHERE id_hash = ?", (_sha256(session_id),))
        if row is None:
            return None
        return min(row["last_seen"] + idle_seconds, row["created"] + max_seconds)

    def touch_session(self, session_id: str) -> None:
        """The user asked to stay signed in: the idle clock starts again now."""
        self._write("UPDATE sessions SET last_seen = ? WHERE id_hash = ?", (time.time(), _sha256(session_id)))

    def close_session(self, session_id: str) -> None:
        self._write("DELETE FROM sessions WHERE id_hash = ?", (_sha256(session_id),))

    def close_sessions_of(self, user: str, keep: str | None = None) -> None:
        self._write("DELETE FROM sessions WHERE user = ? AND id_hash != ?", (user, _sha256(keep or "")))
