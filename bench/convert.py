"""``make bench-convert``: the LibreOffice converter (odt/pdf) against its targets.

1. Cold start: from ``start()`` until every worker of a pool is ready (fresh profile, Writer
   and the filters loaded by the bridge's warm-up), for a pool of 1 and of 2.
2. Warm PDF conversion per document type: a pool of 1, the example's rendered .docx,
   conversions one after another: median and p95 (target ≤ 0.6 s and ≤ 1.5 s).
3. Throughput with 2 workers: a pool of 2 and 4 client threads, render + convert to PDF of
   every type in turn, for a fixed time: PDFs/s (target ≥ 3).
4. Letters: 30 invitation letters rendered and converted into one PDF, from a warm pool of 1
   (target under 10 s).
5. The same over HTTP: ``lnp serve --workers 2`` (one LibreOffice per gunicorn worker),
   8 concurrent clients posting ``?format=pdf``: PDFs/s, p50/p95 latency, errors.

    .venv/bin/python bench/convert.py [--runs 30] [--seconds 20]
"""

from __future__ import annotations

import argparse
import io
import json
import os
import statistics
import subprocess
import sys
import threading
import time
from concurrent.futures import ThreadPoolExecutor
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

import requests  # noqa: E402
from pypdf import PdfReader  # noqa: E402
from throwaway import serve  # noqa: E402  (bench/throwaway.py)

from service.access import audit  # noqa: E402
from service.conversion.pool import ConverterPool  # noqa: E402
from service.database.connection import Database, database_url  # noqa: E402
from service.instance import ensure_secrets, load_secrets  # noqa: E402
from service.pipeline import produce  # noqa: E402
from service.registry import DOCUMENT_TYPES  # noqa: E402
from service.wordtemplates.store import TemplateStore  # noqa: E402


def percentile(values: list[float], p: float) -> float:
    ordered = sorted(values)
    return ordered[min(len(ordered) - 1, max(0, round(p / 100 * len(ordered)) - 1))]


def verdict(ok: bool) -> str:
    return "ok" if ok else "MISSED"


def cold_start() -> None:
    print("\n== Cold start (fresh profiles, warm-up included) ==")
    for size in (1, 2):
        pool = ConverterPool(size=size)
        started = time.perf_counter()
        pool.start()
        ready = pool.wait_ready(300)
        seconds = time.perf_counter() - started
        pool.shutdown()
        print(f"pool of {size}: {'ready' if ready else 'NOT READY'} in {seconds:.2f} s")


def warm_conversions(runs: int) -> None:
    print(f"\n== Warm PDF conversion, pool of 1, {runs} conversions per type (after 3 unmeasured) ==")
    print(f"{'type':<20} {'pages':>5} {'median':>8} {'p95':>8}   target median ≤ 0.6 s, p95 ≤ 1.5 s")
    store = TemplateStore()
    pool = ConverterPool(size=1, max_conversions=10_000)
    pool.start()
    assert pool.wait_ready(300), "LibreOffice did not start"
    try:
        for doc_type in DOCUMENT_TYPES.values():
            docx = produce(store, doc_type, doc_type.example(), audit=AUDITOR).content
            for _ in range(3):
                pdf = pool.convert(docx, "docx", "pdf")
            times = []
            for _ in range(runs):
                started = time.perf_counter()
                pool.convert(docx, "docx", "pdf")
                times.append(time.perf_counter() - started)
            median, p95 = statistics.median(times), percentile(times, 95)
            pages = len(PdfReader(io.BytesIO(pdf)).pages)
            print(f"{doc_type.id:<20} {pages:>5} {median:>7.3f}s {p95:>7.3f}s   "
                  f"{verdict(median <= 0.6 and p95 <= 1.5)}")
    finally:
        pool.shutdown()


def letters_pdf(runs: int = 5) -> None:
    print(f"\n== 30 invitation letters as one PDF, warm pool of 1, {runs} runs (render, merge, convert) ==")
    store = TemplateStore()
    invitation = DOCUMENT_TYPES["invitation"]
    payload = invitation.example()
    payload.pop("members", None)
    payload["invitees"] = [{"name": f"Kutsuttava{n:02d} Testinen", "email": f"kutsuttava{n:02d}@example.com",
                            "language": "fi"} for n in range(1, 31)]
    pool = ConverterPool(size=1, max_conversions=10_000)
    pool.start()
    assert pool.wait_ready(300), "LibreOffice did not start"
    try:
        produce(store, invitation, payload, output_format="pdf", converter=pool, audit=AUDITOR)  # warm-up
        times, pages = [], 0
        for _ in range(runs):
            started = time.perf_counter()
            pdf = produce(store, invitation, payload, output_format="pdf", converter=pool, audit=AUDITOR).content
            times.append(time.perf_counter() - started)
            pages = len(PdfReader(io.BytesIO(pdf)).pages)
        print(f"30 letters, {pages} pages: median {statistics.median(times):.2f} s, max {max(times):.2f} s   "
              f"{verdict(max(times) < 10)}")
    finally:
        pool.shutdown()


def throughput(seconds: float) -> None:
    print(f"\n== Throughput, pool of 2 workers, 4 client threads, {seconds:.0f} s, render + PDF ==")
    store = TemplateStore()
    types = list(DOCUMENT_TYPES.values())
    examples = [(t, t.example()) for t in types]
    pool = ConverterPool(size=2, max_conversions=10_000)
    pool.start()
    assert pool.wait_ready(300), "LibreOffice did not start"
    groups = {w["pid"] for w in pool.stats()["workers"]}
    cpu_before = group_cpu_seconds(groups)
    done, errors = [], []
    stop = time.monotonic() + seconds

    def client(offset: int) -> None:
        i = offset
        while time.monotonic() < stop:
            doc_type, payload = examples[i % len(examples)]
            try:
                produce(store, doc_type, payload, output_format="pdf", converter=pool, audit=AUDITOR)
                done.append(1)
            except Exception as exc:  # noqa: BLE001
                errors.append(type(exc).__name__)
            i += 1

    started = time.perf_counter()
    threads = [threading.Thread(target=client, args=(n,)) for n in range(4)]
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    elapsed = time.perf_counter() - started
    cpu = group_cpu_seconds(groups) - cpu_before
    pool.shutdown()
    rate = len(done) / elapsed
    print(f"{len(done)} PDFs in {elapsed:.1f} s = {rate:.2f} PDFs/s, {len(errors)} errors   "
          f"target ≥ 3/s: {verdict(rate >= 3 and not errors)}")
    # Independent of what else the machine runs: what one PDF costs LibreOffice.
    per_pdf = cpu / max(1, len(done))
    print(f"LibreOffice CPU per PDF {per_pdf:.3f} s: two otherwise idle cores would make "
          f"{2 / per_pdf:.1f} PDFs/s   ({load()})")


def group_cpu_seconds(groups: set[int]) -> float:
    """user + system CPU of every live process in these process groups (bridge and soffice)."""
    ticks = os.sysconf("SC_CLK_TCK")
    total = 0
    for entry in Path("/proc").iterdir():
        if entry.name.isdigit():
            try:
                fields = (entry / "stat").read_text().rsplit(")", 1)[1].split()
            except OSError:
                continue
            if int(fields[2]) in groups:
                total += int(fields[11]) + int(fields[12])
    return total / ticks


def load() -> str:
    return "load average " + " ".join(f"{x:.2f}" for x in os.getloadavg())


def http(seconds: float) -> None:
    print(f"\n== HTTP: lnp serve --workers 2, 8 concurrent clients, {seconds:.0f} s, ?format=pdf ==")
    with serve() as service:
        bodies = [(t.id, json.dumps(t.example())) for t in DOCUMENT_TYPES.values()]
        latencies, errors = [], []
        stop = time.monotonic() + seconds

        def client(offset: int) -> None:
            session = requests.Session()
            i = offset
            while time.monotonic() < stop:
                type_id, body = bodies[i % len(bodies)]
                started = time.perf_counter()
                response = session.post(f"{service.base}/api/v1/documents/{type_id}?format=pdf", data=body,
                                        headers=service.headers, timeout=120)
                if response.status_code == 200:
                    latencies.append(time.perf_counter() - started)
                else:
                    errors.append(response.status_code)
                i += 1

        started = time.perf_counter()
        with ThreadPoolExecutor(8) as pool:
            list(pool.map(client, range(8)))
        elapsed = time.perf_counter() - started
        print(f"{len(latencies)} PDFs in {elapsed:.1f} s = {len(latencies) / elapsed:.2f} PDFs/s, "
              f"p50 {statistics.median(latencies):.2f} s, p95 {percentile(latencies, 95):.2f} s, "
              f"{len(errors)} errors   ({load()})")


def throwaway_auditor() -> audit.Auditor:
    """produce() renders nothing unaudited: a throw-away instance's audit log for this run."""
    import tempfile

    folder = Path(tempfile.mkdtemp(prefix="lnp-bench-"))
    ensure_secrets(folder)
    config: dict = {}
    load_secrets(config, folder)
    database = Database(database_url(folder))
    database.upgrade()
    return audit.Auditor.command(audit.AuditLog(database, config["AUDIT_KEY"]))


AUDITOR = throwaway_auditor()


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--runs", type=int, default=30)
    parser.add_argument("--seconds", type=float, default=20)
    args = parser.parse_args()
    print(f"lnp-docs converter benchmark: {os.cpu_count()} cores, {load()}, "
          f"{subprocess.run(['soffice', '--version'], capture_output=True, text=True).stdout.strip()}")
    cold_start()
    warm_conversions(args.runs)
    throughput(args.seconds)
    letters_pdf()
    http(args.seconds)


if __name__ == "__main__":
    main()
