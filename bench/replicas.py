"""``make bench`` (second part): the service's state in a database, over HTTP, in one run:

1. one replica (``lnp serve``, 2 gunicorn workers) on SQLite in its instance folder, rate limits in
   memory: wrk with 16 connections;
2. two replicas (2 workers each) on one PostgreSQL (default settings: fsync and synchronous commit
   on) with rate limits in one Redis: wrk with 8 connections on each at once.

Both on this machine's cores, the servers included; docx only (LibreOffice off, so the converter
does not share the cores). Each: documents/s, p50/p99 latency, errors. Then the database's cost
on a document request: 300 requests one at a time per replica, each answer's ``Server-Timing:
db;dur=`` (every transaction of the request: the token check, the active-template check, the
audit entry), median and p99 in ms.

    .venv/bin/python bench/replicas.py [--seconds 20]
"""

from __future__ import annotations

import argparse
import json
import os
import re
import secrets
import shutil
import statistics
import subprocess
import sys
import tempfile
import time
import urllib.request
from collections.abc import Iterator
from contextlib import ExitStack, contextmanager
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

from bench import WRK_SCRIPT  # noqa: E402  (bench/bench.py)
from schemas.i18n import LANGUAGES  # noqa: E402
from service.registry import DOCUMENT_TYPES  # noqa: E402
from tests.servers import Postgres, Redis, ServerMissing, free_port  # noqa: E402

LNP = str(Path(sys.executable).with_name("lnp"))
LOAD_BEFORE = os.getloadavg()[0]  # other work on the same cores shows in every figure


def run_lnp(env: dict, *args: str) -> str:
    result = subprocess.run([LNP, *args], capture_output=True, text=True, env=env, timeout=120)
    if result.returncode:
        sys.exit(f"lnp {' '.join(args)}: {result.stderr}")
    return result.stdout.strip()


@contextmanager
def replica(env: dict) -> Iterator[str]:
    port = free_port()
    process = subprocess.Popen([LNP, "serve", "--bind", f"127.0.0.1:{port}", "--workers", "2"], env=env,
                               stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
    base = f"http://127.0.0.1:{port}"
    deadline = time.monotonic() + 60
    while True:
        try:
            urllib.request.urlopen(f"{base}/readyz", timeout=1)
            break
        except OSError:
            if process.poll() is not None or time.monotonic() > deadline:
                sys.exit("a replica did not start")
            time.sleep(0.2)
    try:
        yield base
    finally:
        process.terminate()
        process.wait(timeout=30)


# The network map's diagram is about 0.3 s of drawing (matplotlib, holding the interpreter): in
# the mix it would measure the drawing, not the shared state. Its own figures: bench/bench.py.
LEFT_OUT = ("network-map",)


def bodies(folder: Path) -> list[str]:
    args = []
    for doc_type in DOCUMENT_TYPES.values():
        if doc_type.id in LEFT_OUT:
            continue
        for language in LANGUAGES:
            body = folder / f"{doc_type.id}-{language}.json"
            body.write_text(json.dumps(doc_type.example(language), ensure_ascii=False), encoding="utf-8")
            args += [f"/api/v1/documents/{doc_type.id}", str(body)]
    return args


def load(bases: list[str], token: str, seconds: int, connections: int, folder: Path) -> dict:
    """wrk on every base at once; documents/s added up, the worst p50/p99 of the bases."""
    script = folder / "post.lua"
    script.write_text(WRK_SCRIPT.replace("TOKEN", token))
    args = bodies(folder)
    runs = [subprocess.Popen([shutil.which("wrk"), "-t1", f"-c{connections}", f"-d{seconds}s", "--timeout", "10s",
                              "-s", str(script), base, "--", *args], stdout=subprocess.PIPE, text=True)
            for base in bases]
    total = {"rate": 0.0, "requests": 0, "errors": 0, "p50": 0.0, "p99": 0.0}
    for run in runs:
        out, _ = run.communicate(timeout=seconds + 60)
        fields = re.search(r"RESULT (.*)", out).group(1).split()
        requests_, socket_errors, status_errors, duration_us = map(int, fields[:4])
        p50, p99 = map(float, fields[5:7])
        total["rate"] += requests_ / (duration_us / 1e6)
        total["requests"] += requests_
        total["errors"] += socket_errors + status_errors
        total["p50"], total["p99"] = max(total["p50"], p50), max(total["p99"], p99)
    return total


def database_cost(base: str, token: str, count: int = 300) -> dict[str, float]:
    """Medians and p99s of the database's ms per document request (all, reads, writes), and the
    median ms of the whole request."""
    body = json.dumps(DOCUMENT_TYPES["questions"].example()).encode()
    spent: dict[str, list[float]] = {"db": [], "db-read": [], "db-write": []}
    total = []
    for _ in range(count):
        request = urllib.request.Request(f"{base}/api/v1/documents/questions", data=body, headers={
            "Content-Type": "application/json", "Authorization": f"Bearer {token}"})
        started = time.perf_counter()
        with urllib.request.urlopen(request, timeout=30) as response:
            response.read()
            timing = response.headers["Server-Timing"]
        total.append((time.perf_counter() - started) * 1000)
        for name, value in re.findall(r"([a-z-]+);dur=([0-9.]+)", timing):
            spent[name].append(float(value))
    result = {"request": statistics.median(total)}
    for name, values in spent.items():
        values.sort()
        result[name], result[f"{name} p99"] = statistics.median(values), values[int(len(values) * 0.99) - 1]
    return result


def floor(connect, placeholder: str, count: int = 300) -> float:
    """The same server with no service: the driver alone, one SELECT by key and one committed
    INSERT, 10 ms apart (as the requests above come): the least any token check plus durable
    audit entry can cost on this machine; median ms."""
    connection = connect()
    connection.execute("CREATE TABLE floor (id INTEGER PRIMARY KEY, data TEXT NOT NULL)")
    connection.execute("INSERT INTO floor (id, data) VALUES (0, 'x')")
    spent = []
    for number in range(1, count + 1):
        time.sleep(0.01)
        started = time.perf_counter()
        connection.execute(f"SELECT data FROM floor WHERE id = {placeholder}", (0,)).fetchone()
        connection.execute(f"INSERT INTO floor (id, data) VALUES ({placeholder}, {placeholder})", (number, "x" * 200))
        spent.append((time.perf_counter() - started) * 1000)
    connection.close()
    return statistics.median(spent)


def sqlite_floor(folder: Path) -> float:
    def connect():
        import sqlite3

        connection = sqlite3.connect(folder / "floor.sqlite3", isolation_level=None)  # autocommit
        connection.execute("PRAGMA journal_mode = WAL")
        connection.execute("PRAGMA synchronous = FULL")  # as the service's
        return connection
    return floor(connect, "?")


def postgres_floor(url: str) -> float:
    import psycopg

    return floor(lambda: psycopg.connect(url, autocommit=True), "%s")


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--seconds", type=int, default=20)
    args = parser.parse_args()
    if not shutil.which("wrk"):
        sys.exit("wrk is needed: apt-get install wrk")
    common = {**os.environ, "LNP_RATELIMIT_DEFAULT": "1000000 per minute", "LNP_CONVERTER_SOFFICE": "/nonexistent",
              "LNP_SECRET_KEY": secrets.token_urlsafe(48), "LNP_AUDIT_KEY": secrets.token_urlsafe(48)}
    rows = []
    with ExitStack() as stack:
        tmp = Path(stack.enter_context(tempfile.TemporaryDirectory(prefix="lnp-bench-replicas-")))
        # 1. one replica on SQLite
        sqlite_env = {**common, "LNP_INSTANCE_PATH": str(tmp / "sqlite")}
        run_lnp(sqlite_env, "init")
        token = run_lnp(sqlite_env, "tokens", "create", "--name", "bench", "--role", "worker")
        with replica(sqlite_env) as base:
            measured = load([base], token, args.seconds, 16, tmp)
            cost = [database_cost(base, token)]
        rows.append(("1 replica, SQLite, memory limits", measured, cost, sqlite_floor(tmp)))
        # 2. two replicas on PostgreSQL and Redis
        try:
            postgres = Postgres(fsync=True)
            stack.callback(postgres.close)
            redis = Redis()
            stack.callback(redis.close)
        except ServerMissing as missing:
            sys.exit(f"bench: {missing}")
        shared = {**common, "LNP_DATABASE_URL": postgres.database(), "LNP_RATELIMIT_STORAGE_URI": redis.url}
        run_lnp({**shared, "LNP_INSTANCE_PATH": str(tmp / "operator")}, "db", "upgrade")
        token = run_lnp({**shared, "LNP_INSTANCE_PATH": str(tmp / "operator")}, "tokens", "create", "--name",
                        "bench", "--role", "worker")
        with replica({**shared, "LNP_INSTANCE_PATH": str(tmp / "a")}) as a, \
                replica({**shared, "LNP_INSTANCE_PATH": str(tmp / "b")}) as b:
            measured = load([a, b], token, args.seconds, 8, tmp)
            cost = [database_cost(a, token), database_cost(b, token)]
        rows.append(("2 replicas, PostgreSQL, Redis limits", measured, cost, postgres_floor(postgres.database())))

    print(f"\n== Replicas over HTTP: {os.cpu_count()} cores for everything (load average before: "
          f"{LOAD_BEFORE:.1f}), wrk 16 connections in all, "
          f"{args.seconds} s, docx, every type but {', '.join(LEFT_OUT)} x three languages in turn ==")
    print(f"{'setup':<38} {'documents/s':>11} {'p50 ms':>7} {'p99 ms':>7} {'errors':>6}")
    for name, measured, _, _ in rows:
        print(f"{name:<38} {measured['rate']:>11.0f} {measured['p50']:>7.1f} {measured['p99']:>7.1f} "
              f"{measured['errors']:>6}")
    print("\n== The database's share of one document request (300 requests one at a time per replica, "
          "the slower replica; ms) ==")
    print(f"{'setup':<38} {'db median':>9} {'p99':>6} {'reads':>6} {'p99':>6} {'audit write':>11} {'p99':>6} "
          f"{'request':>8} {'floor':>6}")
    for name, _, costs, least in rows:
        worst = {key: max(c[key] for c in costs) for key in costs[0]}
        print(f"{name:<38} {worst['db']:>9.2f} {worst['db p99']:>6.2f} {worst['db-read']:>6.2f} "
              f"{worst['db-read p99']:>6.2f} {worst['db-write']:>11.2f} {worst['db-write p99']:>6.2f} "
              f"{worst['request']:>8.1f} {least:>6.2f}")
    print("reads: the token check and, at most twice a second per process, the active-template check; audit "
          "write: the entry, committed to disk before the document is sent (Server-Timing header); floor: the "
          "same server with no service, the driver alone, one SELECT by key and one committed INSERT 10 ms apart")


if __name__ == "__main__":
    main()
