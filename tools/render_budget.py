"""How much of the render budget the largest legitimate documents use.

    python tools/render_budget.py

Renders the largest case the schemas accept (service/wordtemplates/largest.py) with every
built-in template, every language and rendition, and prints per document the render time, the
rendered XML (characters, all parts, what MAX_OUTPUT bounds), the longest paragraph (characters
of text, what MAX_PARAGRAPH bounds) and the loop iterations; then the largest of each against
the budget in service/rendering/sandbox.py. A letter type is measured per letter (each letter
is rendered under a budget of its own).
"""

from __future__ import annotations

import sys
import time
from contextlib import contextmanager
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

from schemas.i18n import LANGUAGES  # noqa: E402
from service.registry import DOCUMENT_TYPES  # noqa: E402
from service.rendering import docx_template, sandbox  # noqa: E402
from service.validation import validate  # noqa: E402
from service.wordtemplates.largest import largest  # noqa: E402
from service.wordtemplates.store import TemplateStore  # noqa: E402

_used: list[sandbox._Budget] = []
_original = docx_template.render_budget


@contextmanager
def _recording():
    with _original() as budget:
        _used.append(budget)
        yield budget


def main() -> int:
    docx_template.render_budget = _recording  # type: ignore[assignment]
    store = TemplateStore()
    worst = {"seconds": 0.0, "output": 0, "paragraph": 0, "iterations": 0}
    print(f"{'type':20} {'lang':4} {'copy':8} {'ms':>6} {'xml chars':>10} {'paragraph':>9} {'iterations':>10}")
    for type_id, doc_type in sorted(DOCUMENT_TYPES.items()):
        for language in LANGUAGES:
            payload = largest(doc_type, language)
            for rendition in doc_type.renditions:
                data = validate(doc_type, payload, rendition)
                template = store.get(doc_type, language)
                for context in doc_type.contexts(data, rendition)[:1]:
                    docx_template.render(template, context)  # warm: the first render compiles
                    _used.clear()
                    started = time.perf_counter()
                    docx_template.render(template, context)
                    seconds = time.perf_counter() - started
                    budget = _used[-1]
                    row = {"seconds": seconds, "output": budget.used_output, "paragraph": budget.longest_paragraph,
                           "iterations": sandbox.MAX_ITERATIONS - budget.ticks}
                    worst = {k: max(worst[k], row[k]) for k in worst}
                    print(f"{type_id:20} {language:4} {rendition:8} {seconds * 1000:6.0f} {row['output']:10,} "
                          f"{row['paragraph']:9,} {row['iterations']:10,}")
    print()
    print(f"largest: {worst['seconds'] * 1000:.0f} ms of {sandbox.MAX_SECONDS * 1000:.0f}; "
          f"{worst['output']:,} XML chars of {sandbox.MAX_OUTPUT:,} ({sandbox.MAX_OUTPUT / worst['output']:.1f}×); "
          f"paragraph {worst['paragraph']:,} chars of {sandbox.MAX_PARAGRAPH:,} "
          f"({sandbox.MAX_PARAGRAPH / worst['paragraph']:.1f}×); "
          f"{worst['iterations']:,} iterations of {sandbox.MAX_ITERATIONS:,}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
