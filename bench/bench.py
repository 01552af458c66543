"""``make bench``: plain docxtpl against the prepared engine, then the service over HTTP.

1. In process, per document type, the same template and example case in the same run:
   plain docxtpl the way most services use it (load + render + save per document) and our
   engine (render + zip of the prepared template): median and p95 ms, and the ratio, for each
   type in each language (fi, sv, en), with the validation time of that example.
2. Memory over many renders with the engine (RSS at the start and after N renders).
3. HTTP: gunicorn (2 sync workers, ``lnp serve``) under wrk on loopback, 16 connections,
   30 s, every type in all three languages in turn, each request with a bearer token and each render audited:
   documents/s, p50/p99 latency, errors; peak RSS per worker.

    .venv/bin/python bench/bench.py [--renders 200] [--memory-renders 100000] [--seconds 30]
"""

from __future__ import annotations

import argparse
import json
import os
import re
import resource
import shutil
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

from throwaway import serve  # noqa: E402  (bench/throwaway.py)

from schemas.i18n import LANGUAGES  # noqa: E402
from service.registry import DOCUMENT_TYPES, TEMPLATES_DIR  # noqa: E402
from service.rendering.docx_template import render, render_docxtpl  # noqa: E402
from service.validation import validate  # noqa: E402
from service.wordtemplates.store import TemplateStore  # noqa: E402


def timed(fn, n):
    times = []
    for _ in range(n):
        start = time.perf_counter()
        fn()
        times.append((time.perf_counter() - start) * 1000)
    times.sort()
    return statistics.median(times), times[max(0, int(len(times) * 0.95) - 1)]


def in_process(n: int) -> None:
    store = TemplateStore()
    print(f"\n== In process, {n} renders per type and language (its example case; validation excluded from "
          "both) ==")
    print(f"{'type/language':<23} {'docxtpl median':>15} {'p95':>7} {'engine median':>14} {'p95':>7} {'ratio':>7}"
          f" {'validate':>9}")
    for doc_type in DOCUMENT_TYPES.values():
        for language in LANGUAGES:
            template = store.get(doc_type, language)
            example = doc_type.example(language)
            # A letter type is measured per letter (its first); the network map's includes drawing its diagram.
            context = doc_type.contexts(validate(doc_type, example))[0]
            data = (TEMPLATES_DIR / doc_type.template(language)).read_bytes()
            assert template.prepared is not None, f"{doc_type.id}/{language}: engine fell back to docxtpl"
            render(template, context)
            base_med, base_p95 = timed(lambda d=data, c=context, lang=language: render_docxtpl(d, c, lang), max(20, n // 5))
            eng_med, eng_p95 = timed(lambda t=template, c=context: render(t, c), n)
            val_med, _ = timed(lambda d=doc_type, e=example: validate(d, e), n)
            print(f"{doc_type.id + '/' + language:<23} {base_med:>12.2f} ms {base_p95:>7.2f} {eng_med:>11.2f} ms "
                  f"{eng_p95:>7.2f} {base_med / eng_med:>6.1f}x {val_med:>6.2f} ms")


def rss_mb() -> float:
    with open("/proc/self/status") as status:
        return int(re.search(r"VmRSS:\s+(\d+)", status.read()).group(1)) / 1024


def memory(n: int) -> None:
    store = TemplateStore()
    types = list(DOCUMENT_TYPES.values())
    contexts = [(store.get(t), t.contexts(validate(t, t.example()))[0]) for t in types]
    for template, context in contexts * 50:
        render(template, context)
    start = rss_mb()
    marks = []
    for i in range(1, n + 1):
        template, context = contexts[i % len(contexts)]
        render(template, context)
        if i % (n // 5) == 0:
            marks.append((i, rss_mb()))
    print(f"\n== Memory: RSS over {n} engine renders (every type in turn) ==")
    print(f"after warm-up: {start:.1f} MB; " + "; ".join(f"{i}: {mb:.1f} MB" for i, mb in marks))
    print(f"growth: {marks[-1][1] - start:+.1f} MB; peak RSS of this process {resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024:.1f} MB")


WRK_SCRIPT = """
local bodies = {}
local paths = {}
local i = 0
init = function(args)
  for n = 1, #args, 2 do
    local f = io.open(args[n + 1], "rb"); bodies[#bodies + 1] = f:read("*a"); f:close()
    paths[#paths + 1] = args[n]
  end
end
request = function()
  i = i % #bodies + 1
  return wrk.format("POST", paths[i], {["Content-Type"] = "application/json", ["Authorization"] = "Bearer TOKEN"}, bodies[i])
end
done = function(summary, latency, requests)
  io.write(string.format("RESULT %d %d %d %d %d %.3f %.3f %.3f\\n",
    summary.requests, summary.errors.connect + summary.errors.read + summary.errors.write + summary.errors.timeout,
    summary.errors.status, summary.duration, summary.bytes,
    latency:percentile(50) / 1000, latency:percentile(99) / 1000, latency.max / 1000))
end
"""


def http(seconds: int, connections: int) -> None:
    wrk = shutil.which("wrk")
    if not wrk:
        sys.exit("wrk is needed for the HTTP run: apt-get install wrk")
    with serve() as service, tempfile.TemporaryDirectory() as tmp:
        args = []
        for doc_type in DOCUMENT_TYPES.values():
            for language in LANGUAGES:
                body = Path(tmp) / f"{doc_type.id}-{language}.json"
                body.write_text(json.dumps(doc_type.example(language), ensure_ascii=False), encoding="utf-8")
                args += [f"/api/v1/documents/{doc_type.id}", str(body)]
        script = Path(tmp) / "post.lua"
        script.write_text(WRK_SCRIPT.replace("TOKEN", service.token))
        out = subprocess.run(
            [wrk, "-t1", f"-c{connections}", f"-d{seconds}s", "--timeout", "10s", "-s", str(script),
             service.base, "--", *args],
            capture_output=True, text=True, timeout=seconds + 60,
        ).stdout
        workers = [int(p) for p in subprocess.run(["pgrep", "-P", str(service.pid)], capture_output=True,
                                                  text=True).stdout.split()]
        peaks = []
        for pid in workers:
            with open(f"/proc/{pid}/status") as status:
                peaks.append(int(re.search(r"VmHWM:\s+(\d+)", status.read()).group(1)) / 1024)
    fields = re.search(r"RESULT (.*)", out).group(1).split()
    requests_, socket_errors, status_errors, duration_us = map(int, fields[:4])
    p50, p99, worst = map(float, fields[5:8])
    print(f"\n== HTTP: gunicorn 2 threaded workers, wrk {connections} connections, {seconds} s, every type x three "
          "languages in turn ==")
    print(f"documents/s: {requests_ / (duration_us / 1e6):.0f}   requests: {requests_}   "
          f"errors: {socket_errors} socket, {status_errors} non-2xx")
    print(f"latency p50: {p50:.1f} ms   p99: {p99:.1f} ms   max: {worst:.1f} ms")
    print("peak RSS per worker: " + ", ".join(f"{mb:.1f} MB" for mb in peaks))


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--renders", type=int, default=200)
    parser.add_argument("--memory-renders", type=int, default=100_000)
    parser.add_argument("--seconds", type=int, default=30)
    parser.add_argument("--connections", type=int, default=16)
    args = parser.parse_args()
    print(f"lnp-docs benchmark, {os.cpu_count()} cores, Python {sys.version.split()[0]}")
    in_process(args.renders)
    if args.memory_renders:
        memory(args.memory_renders)
    if args.seconds:
        http(args.seconds, args.connections)


if __name__ == "__main__":
    main()
