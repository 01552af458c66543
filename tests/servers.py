"""PostgreSQL and Redis as real servers for the tests: Debian's packages (installed by `make test`,
tools/system-deps.sh), started on free loopback ports in a temporary folder and stopped at the
end. Missing binaries FAIL the tests that need them: nothing is skipped. bench/replicas.py starts
them the same way.

PostgreSQL refuses to run as root (CI runs as root): then the cluster belongs to, and runs as, the
``postgres`` system user that Debian's package creates (or ``nobody``) through ``runuser``.
"""

from __future__ import annotations

import contextlib
import glob
import os
import pwd
import shutil
import socket
import subprocess
import tempfile
import time
import uuid
from pathlib import Path

import pytest


class ServerMissing(RuntimeError):
    pass


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def _pg_bin(name: str) -> str:
    candidates = sorted(glob.glob(f"/usr/lib/postgresql/*/bin/{name}"), key=lambda p: int(p.split("/")[4]))
    found = candidates[-1] if candidates else shutil.which(name)
    if not found:
        raise ServerMissing(f"PostgreSQL's {name} is missing: install Debian's postgresql (make test does, "
                            "tools/system-deps.sh)")
    return found


class Postgres:
    """One PostgreSQL cluster; ``database()`` makes a fresh, empty database in it."""

    def __init__(self, fsync: bool = False):
        self.port = free_port()
        self.folder = Path(tempfile.mkdtemp(prefix="lnp-pg-"))
        self.data = self.folder / "data"
        self.sockets = self.folder / "sockets"
        self.log = self.folder / "postgres.log"
        self.options = f"-p {self.port} -k {self.sockets} -c listen_addresses=127.0.0.1 -c max_connections=200"
        if not fsync:  # throw-away clusters of the tests; the benchmark keeps PostgreSQL's defaults
            self.options += " -c fsync=off -c synchronous_commit=off -c full_page_writes=off"
        self.user = None
        if os.geteuid() == 0:
            self.user = next((u for u in ("postgres", "nobody") if _has_user(u)), None)
            if self.user is None:
                raise ServerMissing("PostgreSQL cannot run as root and there is no postgres or nobody user")
            self.folder.chmod(0o755)
        self.sockets.mkdir()
        self.log.touch()
        if self.user:
            for path in (self.sockets, self.log):
                shutil.chown(path, self.user)
            self.data.mkdir(mode=0o700)
            shutil.chown(self.data, self.user)
        self._run(_pg_bin("initdb"), "-D", str(self.data), "-U", "lnp", "--auth=trust", "-E", "UTF8",
                  "--no-sync", "--locale=C")
        self.start()

    def _run(self, *command: str, check: bool = True) -> subprocess.CompletedProcess:
        if self.user:
            command = ("runuser", "-u", self.user, "--", *command)
        return subprocess.run(command, capture_output=True, check=check, timeout=120, cwd=self.folder)

    def start(self) -> None:
        self._run(_pg_bin("pg_ctl"), "-D", str(self.data), "-l", str(self.log), "-o", self.options, "-w", "start")

    def stop(self) -> None:
        self._run(_pg_bin("pg_ctl"), "-D", str(self.data), "-m", "fast", "-w", "stop")

    def running(self) -> bool:
        return self._run(_pg_bin("pg_ctl"), "-D", str(self.data), "status", check=False).returncode == 0

    def url(self, name: str = "postgres") -> str:
        return f"postgresql://lnp@127.0.0.1:{self.port}/{name}"

    def database(self) -> str:
        """A new empty database; its URL."""
        import psycopg

        name = f"t_{uuid.uuid4().hex[:12]}"
        with psycopg.connect(f"host=127.0.0.1 port={self.port} user=lnp dbname=postgres", autocommit=True) as con:
            con.execute(f"CREATE DATABASE {name}")
        return self.url(name)

    def close(self) -> None:
        self._run(_pg_bin("pg_ctl"), "-D", str(self.data), "-m", "immediate", "-w", "stop", check=False)
        shutil.rmtree(self.folder, ignore_errors=True)


def _has_user(name: str) -> bool:
    try:
        pwd.getpwnam(name)
    except KeyError:
        return False
    return True


class Redis:
    def __init__(self):
        binary = shutil.which("redis-server")
        if not binary:
            raise ServerMissing("redis-server is missing: install Debian's redis-server (make test does, "
                                "tools/system-deps.sh)")
        self.binary = binary
        self.port = free_port()
        self.folder = Path(tempfile.mkdtemp(prefix="lnp-redis-"))
        self.start()

    def start(self) -> None:
        self.process = subprocess.Popen(
            [self.binary, "--port", str(self.port), "--bind", "127.0.0.1", "--save", "", "--appendonly", "no",
             "--dir", str(self.folder)], stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
        deadline = time.monotonic() + 30
        while True:
            with contextlib.suppress(OSError), socket.create_connection(("127.0.0.1", self.port), timeout=1) as s:
                s.sendall(b"PING\r\n")
                if s.recv(16).startswith(b"+PONG"):
                    break
            if self.process.poll() is not None or time.monotonic() > deadline:
                raise ServerMissing("redis-server did not start")
            time.sleep(0.1)

    @property
    def url(self) -> str:
        return f"redis://127.0.0.1:{self.port}/0"

    def stop(self) -> None:
        self.process.terminate()
        self.process.wait(timeout=30)

    def close(self) -> None:
        if self.process.poll() is None:
            self.stop()
        shutil.rmtree(self.folder, ignore_errors=True)


def _started(kind):
    try:
        return kind()
    except ServerMissing as missing:
        pytest.fail(str(missing), pytrace=False)


@pytest.fixture(scope="session")
def postgres():
    server = _started(Postgres)
    yield server
    server.close()


@pytest.fixture(scope="session")
def redis_server():
    server = _started(Redis)
    yield server
    server.close()


@pytest.fixture(params=["sqlite", "postgresql"])
def database(request, tmp_path):
    """A new database with the current schema, on SQLite and on PostgreSQL."""
    from service.database.connection import Database

    if request.param == "sqlite":
        url = f"sqlite:///{tmp_path / 'lnp.sqlite3'}"
    else:
        url = request.getfixturevalue("postgres").database()
    db = Database(url)
    db.upgrade()
    yield db
    db.dispose()
