"""The database: one SQLAlchemy engine per process, short transactions, and a clear 503 when the
database cannot be reached.

- ``LNP_DATABASE_URL`` unset: SQLite in the instance folder (``lnp.sqlite3``, mode 0600, WAL so
  readers never wait for a writer, synchronous=FULL so a committed audit entry is on disk).
- ``postgresql://…``: PostgreSQL through psycopg 3, for several replicas. A pooled connection
  that has been idle for a second is pinged before use (``pool_pre_ping`` for connections in
  steady use would cost a round trip on every request); a connection that fails in use
  invalidates the whole pool. So after an outage the next requests get fresh connections and the
  service recovers without a restart.
- On both, every connection stays in the driver's autocommit mode and a transaction is an explicit
  BEGIN (``BEGIN IMMEDIATE`` for a write on SQLite: writers from gunicorn's workers and ``lnp``
  take turns instead of failing half-way). A read is one statement, one round trip.
- The steps of every request, the token or session check and the audit entry, run on the
  driver's own cursor (``driver``): SQLAlchemy's statement machinery cost more than the
  statements. Everything else uses SQLAlchemy Core.
- Any failure to reach the database (refused, dropped, timed out, locked) becomes
  ``DatabaseUnavailable``: a 503 with Retry-After. The transaction is rolled back, so nothing is
  half written.
- The time spent in the database is added up per request, reads and writes apart (``timing``),
  for the Server-Timing header and the benchmark.
"""

from __future__ import annotations

import contextvars
import functools
import os
import re
import time
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path

from sqlalchemy import Connection, create_engine, event, exc, text
from sqlalchemy.engine import Engine, make_url

from schemas.i18n import Msg
from service.problems import ApiError

SQLITE_FILE = "lnp.sqlite3"
RETRY_AFTER = 5  # seconds: a restarting database is usually back within that
PING_AFTER_IDLE = 1.0  # seconds a pooled connection may rest before it is pinged at checkout
MIGRATIONS = Path(__file__).resolve().parent / "migrations"
# Two replicas upgrading at once on PostgreSQL take turns on this lock (any fixed number).
UPGRADE_LOCK = 4_262_017


# SQLAlchemy's errors for a database that cannot be reached (refused, dropped, timed out, locked).
UNREACHABLE = (exc.OperationalError, exc.InterfaceError, exc.TimeoutError)


class DatabaseUnavailable(ApiError):
    def __init__(self):
        super().__init__(503, Msg("Tietokantaan ei juuri nyt saada yhteyttä. Pyyntöä ei käsitelty eikä mitään "
                                  "tallennettu; yritä hetken kuluttua uudelleen."),
                         headers={"Retry-After": str(RETRY_AFTER)})


class SchemaOutdated(RuntimeError):
    pass


_spent: contextvars.ContextVar[list[float] | None] = contextvars.ContextVar("lnp_db_spent", default=None)


def _count(write: bool, started: float) -> None:
    """Add the time since ``started`` to this request's reads or writes, if it is being timed."""
    spent = _spent.get()
    if spent is not None:
        spent[write] += time.perf_counter() - started


def start_timing() -> list[float]:
    """From here on in this context (one request), add up the seconds spent in database
    transactions: [reads, writes]."""
    spent = [0.0, 0.0]
    _spent.set(spent)
    return spent


def database_url(folder: Path, configured: str | None = None) -> str:
    """The configured URL (``LNP_DATABASE_URL``), else SQLite in the instance folder."""
    configured = configured or os.environ.get("LNP_DATABASE_URL")
    return configured or f"sqlite:///{Path(folder).resolve() / SQLITE_FILE}"


def _driver_url(url: str):
    parsed = make_url(url)
    if parsed.drivername in ("postgresql", "postgres"):  # psycopg 3, not SQLAlchemy's default psycopg2
        parsed = parsed.set(drivername="postgresql+psycopg")
    return parsed


@functools.cache
def _psycopg_style(sql: str) -> str:
    """The same SQL with psycopg's %(name)s for :name, made once per statement."""
    return re.sub(r"(?<!:):([a-z_]+)", r"%(\1)s", sql)


class Statements:
    """A driver cursor that takes SQL with ``:name`` parameters on either database."""

    def __init__(self, cursor, sqlite: bool):
        self.cursor, self.sqlite = cursor, sqlite

    def execute(self, sql: str, parameters: dict | None = None):
        # sqlite3 takes :name as it is
        self.cursor.execute(sql if self.sqlite else _psycopg_style(sql), parameters or {})
        return self.cursor


class Database:
    def __init__(self, url: str):
        self.url = _driver_url(url)
        self.sqlite = self.url.get_backend_name() == "sqlite"
        if self.sqlite:
            path = Path(self.url.database or "")
            if path.name:
                path.parent.mkdir(mode=0o700, parents=True, exist_ok=True)
                path.touch(mode=0o600, exist_ok=True)
                path.chmod(0o600)
            self.engine: Engine = create_engine(self.url, isolation_level="AUTOCOMMIT", connect_args={"timeout": 15})
            event.listen(self.engine, "connect", _sqlite_connect)
        else:
            self.engine = create_engine(self.url, isolation_level="AUTOCOMMIT", pool_size=4, max_overflow=4, pool_use_lifo=True,
                                        pool_timeout=5, connect_args={"connect_timeout": 3})
            event.listen(self.engine, "checkout", self._ping_if_idle)
        # Every connection stays in the driver's autocommit mode; a transaction is an explicit BEGIN
        # (below). A read is then one statement, one round trip, with no BEGIN or ROLLBACK around it
        # and no switching of the connection's mode at each checkout.
        event.listen(self.engine, "begin", _begin)

    @property
    def name(self) -> str:
        """The URL without its password, for messages."""
        return self.url.render_as_string(hide_password=True)

    @contextmanager
    def _transaction(self, write: bool, autocommit: bool = False) -> Iterator[Connection]:
        started = time.perf_counter()
        try:
            with self.engine.connect() as connection:
                if autocommit:
                    yield connection.execution_options(lnp_autocommit=True)
                else:
                    if write:
                        connection = connection.execution_options(lnp_write=True)
                    with connection.begin():
                        yield connection
        except UNREACHABLE as error:
            raise DatabaseUnavailable() from error
        except exc.DBAPIError as error:
            if error.connection_invalidated:
                raise DatabaseUnavailable() from error
            raise
        finally:
            _count(write, started)

    @contextmanager
    def driver(self, write: bool = False, transaction: bool = False) -> Iterator[Statements]:
        """The driver's own cursor on a pooled connection, for the few statements on every
        document request's path (the token check, the audit entry): there SQLAlchemy's statement
        machinery cost more than the statement itself. SQL is written with ``:name`` parameters.
        ``transaction``: one transaction (BEGIN IMMEDIATE on SQLite, like ``write``), committed at
        the end of the block; otherwise each statement commits on its own. The pool, the ping of
        an idle connection, the 503 and the timing are those of every other transaction; after an
        error the pool's return of the connection rolls back whatever was begun."""
        started = time.perf_counter()
        pooled = None
        try:
            pooled = self.engine.raw_connection()
            cursor = pooled.cursor()
            try:
                if transaction:
                    cursor.execute(_begin_sql(self.sqlite, write=True))
                yield Statements(cursor, self.sqlite)
                if transaction:
                    cursor.execute("COMMIT")
            finally:
                cursor.close()
        except UNREACHABLE as error:  # no connection to be had
            raise DatabaseUnavailable() from error
        except self.engine.dialect.loaded_dbapi.Error as error:
            if pooled is None or self.engine.dialect.is_disconnect(error, pooled.dbapi_connection, None):
                # As SQLAlchemy does for its own statements: this connection and every other one
                # in the pool are suspect; the next checkouts connect afresh.
                if pooled is not None:
                    pooled.invalidate(error)
                    pooled = None
                self.engine.dispose(close=False)
                raise DatabaseUnavailable() from error
            if isinstance(error, (self.engine.dialect.loaded_dbapi.OperationalError,
                                  self.engine.dialect.loaded_dbapi.InterfaceError)):
                raise DatabaseUnavailable() from error
            raise
        finally:
            if pooled is not None:
                pooled.close()
            _count(write, started)

    def _ping_if_idle(self, dbapi_connection, record, _proxy) -> None:
        now = time.monotonic()
        if now - record.info.get("lnp_used", now) > PING_AFTER_IDLE:
            try:
                self.engine.dialect.do_ping(dbapi_connection)
            except Exception as error:  # noqa: BLE001 - any failure: the pool takes a fresh connection
                raise exc.DisconnectionError() from error
        record.info["lnp_used"] = now

    def read(self):
        """Reading: ``with db.read() as c: c.execute(...)``; each statement on its own (autocommit),
        so several statements may see different moments."""
        return self._transaction(write=False, autocommit=True)

    def write(self):
        """A transaction that writes: committed at the end of the block, rolled back on any error."""
        return self._transaction(write=True)

    def ping(self) -> None:
        with self.read() as connection:
            connection.execute(text("SELECT 1"))

    def after_fork(self) -> None:
        """In a new worker process: forget the connections inherited from the parent (never close
        them: the parent still uses them)."""
        self.engine.dispose(close=False)

    def dispose(self) -> None:
        self.engine.dispose()

    # --- the schema ------------------------------------------------------------------------------
    def _alembic(self, connection: Connection | None = None):
        from alembic.config import Config

        config = Config()
        config.set_main_option("script_location", str(MIGRATIONS))
        config.attributes["connection"] = connection
        return config

    def revision(self) -> str | None:
        from alembic.runtime.migration import MigrationContext

        with self.read() as connection:
            return MigrationContext.configure(connection).get_current_revision()

    def head(self) -> str:
        from alembic.script import ScriptDirectory

        head = ScriptDirectory.from_config(self._alembic()).get_current_head()
        assert head is not None, "the package ships its migrations"
        return head

    def upgrade(self, target: str = "head") -> None:
        """Run the migrations up to ``target``, in one transaction; concurrent upgrades take turns."""
        from alembic import command

        with self.write() as connection:
            if not self.sqlite:
                connection.execute(text("SELECT pg_advisory_xact_lock(:key)"), {"key": UPGRADE_LOCK})
            command.upgrade(self._alembic(connection), target)

    def ensure_schema(self, upgrade: bool) -> None:
        """Upgrade when allowed; otherwise refuse to run on a schema that is not the code's."""
        if self.revision() == self.head():
            return
        if upgrade:
            self.upgrade()
            return
        raise SchemaOutdated(f"the database {self.name} is at schema {self.revision() or 'none'}, the code needs "
                             f"{self.head()}: run `lnp db upgrade` first")


def _sqlite_connect(dbapi_connection, _record) -> None:
    cursor = dbapi_connection.cursor()
    cursor.execute("PRAGMA foreign_keys = ON")
    cursor.execute("PRAGMA journal_mode = WAL")
    cursor.execute("PRAGMA synchronous = FULL")  # an audit entry is on disk when the commit returns
    cursor.close()


def _begin(connection: Connection) -> None:
    """The transaction's BEGIN, said by us (the driver is in autocommit): none for a block of
    single statements; on SQLite a write's is IMMEDIATE, so writers take turns from the start
    instead of failing half-way when a reader becomes a writer."""
    options = connection.get_execution_options()
    if options.get("lnp_autocommit"):
        return
    connection.exec_driver_sql(_begin_sql(connection.dialect.name == "sqlite", bool(options.get("lnp_write"))))


def _begin_sql(sqlite: bool, write: bool) -> str:
    return "BEGIN IMMEDIATE" if sqlite and write else "BEGIN"
