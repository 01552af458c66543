"""Users, API tokens, sign-in sessions and the worker's own details, in the service's database
(service.database: SQLite in the instance folder, or PostgreSQL shared by several replicas).

Nothing secret is stored in the clear: passwords as argon2id hashes, tokens and session ids as
SHA-256 hashes (both are 256-bit random values, so a fast hash is enough; a password needs the
slow one). Every check reads the database, so a token revoked or a session ended on one replica
is refused by every replica at once.
"""

from __future__ import annotations

import hashlib
import hmac
import json
import re
import secrets
import time
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta

from argon2 import PasswordHasher
from argon2.exceptions import InvalidHashError, VerificationError
from sqlalchemy import delete, exc, insert, select, update

from schemas.i18n import gettext as _
from service.access.passwords import weakness
from service.database.connection import Database
from service.database.tables import profiles, sessions, tokens, users

ROLES = ("worker", "convener", "admin")  # each role can do everything the ones before it can
USER_NAME_RE = re.compile(r"[a-z0-9][a-z0-9._-]{1,63}")
TOKEN_NAME_RE = re.compile(r"[A-Za-z0-9][A-Za-z0-9 ._-]{0,63}")
TOKEN_RE = re.compile(r"lnp_([0-9a-f]{12})_([A-Za-z0-9_-]{43})")
TOKEN_ID_RE = re.compile(r"[0-9a-f]{12}")
PASSWORD_MIN, PASSWORD_MAX = 12, 256
DEFAULT_TOKEN_DAYS = 90

_TOKEN_CHECK = "SELECT secret_hash, revoked, expires, name, role FROM tokens WHERE id = :id"
_SESSION_CHECK = ('SELECT s.created, s.last_seen, u.name, u.role, u.must_change FROM sessions s '
                  'JOIN users u ON u.name = s."user" WHERE s.id_hash = :id_hash')
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


TOKEN_COLUMNS = (tokens.c.id, tokens.c.name, tokens.c.role, tokens.c.created, tokens.c.expires, tokens.c.revoked)
USER_COLUMNS = (users.c.name, users.c.role, users.c.must_change, users.c.created)


def _user_row(row) -> dict:
    record = dict(row._mapping)
    record["must_change"] = int(record["must_change"])
    return record


class AccountStore:
    def __init__(self, database: Database):
        self.database = database

    def _write(self, statement) -> int:
        with self.database.write() as connection:
            return connection.execute(statement).rowcount

    def _one(self, statement):
        with self.database.read() as connection:
            return connection.execute(statement).first()

    def _all(self, statement) -> list:
        with self.database.read() as connection:
            return connection.execute(statement).all()

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
        self._write(insert(tokens).values(**record, secret_hash=_sha256(secret)))
        return record, f"lnp_{token_id}_{secret}"

    def verify_token(self, presented: str) -> tuple[Identity | None, str]:
        """(identity, "") or (None, reason); the reason is for the application log."""
        match = TOKEN_RE.fullmatch(presented)
        if not match:
            return None, "malformed-token"
        token_id, secret = match.groups()
        with self.database.driver() as statements:  # on every API request: the driver's own cursor
            row = statements.execute(_TOKEN_CHECK, {"id": token_id}).fetchone()
        stored = row[0] if row else _sha256("")
        if not hmac.compare_digest(stored, _sha256(secret)) or row is None:
            return None, "unknown-token"
        _, revoked, expires, name, role = row
        if revoked:
            return None, "revoked-token"
        if datetime.fromisoformat(expires) <= _now():
            return None, "expired-token"
        return Identity("token", name, role, key=f"token:{token_id}"), ""

    def revoke_token(self, token_id: str) -> dict:
        if not TOKEN_ID_RE.fullmatch(token_id or ""):
            raise AccountError(_("Tunnistetta ei ole."))
        self._write(update(tokens).where(tokens.c.id == token_id, tokens.c.revoked.is_(None))
                    .values(revoked=_iso(_now())))
        record = self.token(token_id)
        if not record:
            raise AccountError(_("Tunnistetta ei ole."))
        return record

    def token(self, token_id: str) -> dict:
        row = self._one(select(*TOKEN_COLUMNS).where(tokens.c.id == token_id))
        return dict(row._mapping) if row else {}

    def tokens(self) -> list[dict]:
        return [dict(r._mapping) for r in self._all(select(*TOKEN_COLUMNS).order_by(tokens.c.created, tokens.c.id))]

    # --- users -------------------------------------------------------------------------------
    def add_user(self, name: str, role: str) -> str:
        """Create a user with a one-time password and return it; it must be changed at first sign-in."""
        if not USER_NAME_RE.fullmatch(name or ""):
            raise AccountError(_("Käyttäjätunnuksessa voi olla 2–64 merkkiä: pieniä kirjaimia, numeroita ja .-_"))
        check_role(role)
        password = secrets.token_urlsafe(15)
        try:
            self._write(insert(users).values(name=name, role=role, password_hash=_hasher.hash(password),
                                             must_change=True, created=_iso(_now())))
        except exc.IntegrityError:
            raise AccountError(_("Käyttäjätunnus on jo käytössä.")) from None
        return password

    def reset_password(self, name: str) -> str:
        password = secrets.token_urlsafe(15)
        with self.database.write() as connection:  # the new password and the end of the sessions together
            changed = connection.execute(update(users).where(users.c.name == name).values(
                password_hash=_hasher.hash(password), must_change=True)).rowcount
            connection.execute(delete(sessions).where(sessions.c.user == name))
        if not changed:
            raise AccountError(_("Käyttäjää ei ole."))
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
        self._write(update(users).where(users.c.name == name).values(password_hash=_hasher.hash(new),
                                                                     must_change=False))

    def verify_password(self, name: str, password: str) -> Identity | None:
        row = self._one(select(users).where(users.c.name == name)) if USER_NAME_RE.fullmatch(name or "") else None
        try:
            _hasher.verify(row.password_hash if row else _DUMMY_HASH, password[:PASSWORD_MAX])
        except (VerificationError, InvalidHashError):
            return None
        if row is None:
            return None
        if _hasher.check_needs_rehash(row.password_hash):
            self._write(update(users).where(users.c.name == name).values(password_hash=_hasher.hash(password)))
        return Identity("session", name, row.role, key=f"user:{name}", must_change=bool(row.must_change))

    def remove_user(self, name: str) -> None:
        if not self._write(delete(users).where(users.c.name == name)):
            raise AccountError(_("Käyttäjää ei ole."))

    def users(self) -> list[dict]:
        return [_user_row(r) for r in self._all(select(*USER_COLUMNS).order_by(users.c.name))]

    def user(self, name: str) -> dict:
        row = self._one(select(*USER_COLUMNS).where(users.c.name == name))
        return _user_row(row) if row else {}

    # --- the worker's own details ----------------------------------------------------------------
    # Work contact details the forms fill in for the user (name, title, organisation, unit, work
    # phone and e-mail): the worker's own, never a client's. Validated by the caller.
    def profile(self, name: str) -> dict:
        row = self._one(select(profiles.c.data).where(profiles.c.user == name))
        return json.loads(row.data) if row else {}

    def set_profile(self, name: str, data: dict) -> None:
        text = json.dumps(data, ensure_ascii=False)
        with self.database.write() as connection:
            if connection.execute(select(users.c.name).where(users.c.name == name)).first() is None:
                raise AccountError(_("Käyttäjää ei ole."))
            if not connection.execute(update(profiles).where(profiles.c.user == name).values(data=text)).rowcount:
                connection.execute(insert(profiles).values(user=name, data=text))

    # --- sessions ----------------------------------------------------------------------------
    def open_session(self, user: str) -> str:
        session_id = secrets.token_urlsafe(32)
        now = time.time()
        self._write(insert(sessions).values(id_hash=_sha256(session_id), user=user, created=now, last_seen=now))
        return session_id

    def session_identity(self, session_id: str, idle_seconds: int, max_seconds: int) -> Identity | None:
        """The signed-in user, or None when the session is unknown, idle too long or too old."""
        id_hash = _sha256(session_id)
        with self.database.driver() as statements:  # on every signed-in page: the driver's own cursor
            row = statements.execute(_SESSION_CHECK, {"id_hash": id_hash}).fetchone()
        now = time.time()
        if row is None:
            return None
        created, last_seen, name, role, must_change = row
        if now - last_seen > idle_seconds or now - created > max_seconds:
            self._write(delete(sessions).where(sessions.c.id_hash == id_hash))
            return None
        # One write a half-minute is enough for the idle clock (a tenth of a shorter idle limit).
        if now - last_seen > min(30, idle_seconds / 10):
            self._write(update(sessions).where(sessions.c.id_hash == id_hash).values(last_seen=now))
        return Identity("session", name, role, key=f"user:{name}", must_change=bool(must_change))

    def session_expiry(self, session_id: str, idle_seconds: int, max_seconds: int) -> float | None:
        """When the session ends if nothing more is done (epoch seconds), or None when it has ended."""
        row = self._one(select(sessions.c.created, sessions.c.last_seen)
                        .where(sessions.c.id_hash == _sha256(session_id)))
        if row is None:
            return None
        return min(row.last_seen + idle_seconds, row.created + max_seconds)

    def touch_session(self, session_id: str) -> None:
        """The user asked to stay signed in: the idle clock starts again now."""
        self._write(update(sessions).where(sessions.c.id_hash == _sha256(session_id)).values(last_seen=time.time()))

    def close_session(self, session_id: str) -> None:
        self._write(delete(sessions).where(sessions.c.id_hash == _sha256(session_id)))

    def close_sessions_of(self, user: str, keep: str | None = None) -> None:
        self._write(delete(sessions).where(sessions.c.user == user, sessions.c.id_hash != _sha256(keep or "")))
