"""In-process render time per document type: median and p95 of N renders of the example.

    .venv/bin/python bench/render_inprocess.py [N]
"""

from __future__ import annotations

import statistics
import sys
import time

from service.documents import TemplateStore, produce
from service.registry import DOCUMENT_TYPES


def measure(n: int) -> None:
    store = TemplateStore()
    print(f"{'type':<20} {'median ms':>10} {'p95 ms':>8} {'docs/s':>8}   (n={n}, validate+render+zip, in memory)")
    for doc_type in DOCUMENT_TYPES.values():
        payload = doc_type.example()
        produce(store, doc_type, payload)  # warm-up: template loaded and checked once
        times = []
        for _ in range(n):
            start = time.perf_counter()
            produce(store, doc_type, payload)
            times.append((time.perf_counter() - start) * 1000)
        times.sort()
        median = statistics.median(times)
        p95 = times[int(len(times) * 0.95) - 1]
        print(f"{doc_type.id:<20} {median:>10.2f} {p95:>8.2f} {1000 / median:>8.0f}")


if __name__ == "__main__":
    measure(int(sys.argv[1]) if len(sys.argv) > 1 else 100)
