"""The service as the HTTP benchmarks run it: ``lnp serve`` with two gunicorn workers on a free
loopback port, on a throw-away instance (its own secrets, a worker token, and a rate limit that a
load test does not hit). Every request is authenticated and every render audited, as in
production. Used by bench.py (wrk) and convert.py (PDFs over HTTP).
"""

from __future__ import annotations

import json
import os
import socket
import subprocess
import sys
import tempfile
import time
import urllib.request
from collections.abc import Iterator
from concurrent.futures import ThreadPoolExecutor
from contextlib import contextmanager
from dataclasses import dataclass
from pathlib import Path

from service.access.accounts import AccountStore
from service.database.connection import Database, database_url
from service.instance import ensure_secrets
from service.registry import DOCUMENT_TYPES

START_SECONDS = 60


@dataclass
class Service:
    base: str
    token: str
    pid: int

    @property
    def headers(self) -> dict[str, str]:
        return {"Content-Type": "application/json", "Authorization": f"Bearer {self.token}"}


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


@contextmanager
def serve(workers: int = 2) -> Iterator[Service]:
    """Start the service, wait until it answers and both workers' LibreOffice pools are warm
    (started in the background after the fork: the benchmarks measure the steady state, not the
    first seconds of LibreOffice start-up on the same cores), stop it and remove the instance."""
    port = free_port()
    lnp = str(Path(sys.executable).with_name("lnp"))
    with tempfile.TemporaryDirectory(prefix="lnp-bench-") as folder:
        ensure_secrets(Path(folder))
        database = Database(database_url(Path(folder)))
        database.upgrade()
        token = AccountStore(database).create_token("bench", "worker")[1]
        env = {**os.environ, "LNP_INSTANCE_PATH": folder, "LNP_RATELIMIT_DEFAULT": "1000000 per minute"}
        process = subprocess.Popen([lnp, "serve", "--bind", f"127.0.0.1:{port}", "--workers", str(workers)],
                                   stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL, env=env)
        try:
            service = Service(f"http://127.0.0.1:{port}", token, process.pid)
            _wait_until_up(service, process)
            _warm_libreoffice(service, workers)
            yield service
        finally:
            process.terminate()
            process.wait(timeout=30)


def _wait_until_up(service: Service, process: subprocess.Popen) -> None:
    deadline = time.monotonic() + START_SECONDS
    while True:
        try:
            urllib.request.urlopen(f"{service.base}/healthz", timeout=1)
            return
        except OSError:
            if process.poll() is not None or time.monotonic() > deadline:
                raise RuntimeError("the service did not start") from None
            time.sleep(0.2)


def _warm_libreoffice(service: Service, workers: int) -> None:
    """PDFs until each request of a concurrent round has succeeded (every worker converted)."""
    body = json.dumps(DOCUMENT_TYPES["questions"].example()).encode()
    deadline = time.monotonic() + 2 * START_SECONDS

    def convert(_) -> None:
        request = urllib.request.Request(f"{service.base}/api/v1/documents/questions?format=pdf", data=body,
                                         headers=service.headers)
        while True:
            try:
                urllib.request.urlopen(request, timeout=120)
                return
            except OSError:
                if time.monotonic() > deadline:
                    raise RuntimeError("LibreOffice did not start in the service") from None
                time.sleep(0.5)

    with ThreadPoolExecutor(2 * workers) as pool:
        list(pool.map(convert, range(4 * workers)))
