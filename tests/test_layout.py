"""Every registered document type, in every language and rendition, laid out by the project's
LibreOffice converter with its example, its minimal case and its stress case (tests/layout_cases.py),
and read back from the PDF (tests/pdflayout.py): no heading alone at the foot of a page, no table
row or signature block over two pages, no text outside the page margins, no label of a choice
(a relation to the child) broken inside its table column.

The types come from the registry, so a type added later is checked without a change here. The
documents are converted once, in one warm pool of two LibreOffice workers, and read in parallel.
"""

from __future__ import annotations

import io
from concurrent.futures import ThreadPoolExecutor

import pytest
from docx import Document as WordDocument
from docx.oxml.ns import qn

from schemas.i18n import LANGUAGES
from service.conversion.pool import ConverterPool
from service.pipeline import produce
from service.registry import DOCUMENT_TYPES
from service.wordtemplates.store import TemplateStore
from tests.conftest import cli_auditor
from tests.docxtext import paragraphs
from tests.layout_cases import CASES, choice_words
from tests.pdflayout import Layout, problems

CONVERSIONS = [(type_id, language, case, rendition)
               for type_id, doc_type in sorted(DOCUMENT_TYPES.items())
               for language in LANGUAGES for case in CASES for rendition in doc_type.renditions]
IDS = ["-".join(c) for c in CONVERSIONS]


def margins(docx: bytes) -> dict[str, float]:
    """The first section's page margins, in points."""
    section = WordDocument(io.BytesIO(docx)).element.body.find(qn("w:sectPr"))
    margin = section.find(qn("w:pgMar"))
    return {side: int(margin.get(qn(f"w:{side}"))) / 20 for side in ("left", "right", "top", "bottom")}


SIGNATURE_BOOKMARKS = ("allekirjoitukset", "underskrifter", "signatures")


def signature_texts(docx: bytes) -> list[list[str]]:
    """Each signature block of the document (a bookmark named Allekirjoitukset…, Underskrifter…
    or Signatures…) as the texts of the paragraphs and tables it covers."""
    body = WordDocument(io.BytesIO(docx)).element.body
    children = list(body)

    def top(element):
        while element.getparent() is not body:
            element = element.getparent()
        return children.index(element)

    blocks = []
    for start in body.iter(qn("w:bookmarkStart")):
        if (start.get(qn("w:name")) or "").casefold().startswith(SIGNATURE_BOOKMARKS):
            end = next(e for e in body.iter(qn("w:bookmarkEnd")) if e.get(qn("w:id")) == start.get(qn("w:id")))
            covered = children[top(start):top(end) + 1]
            texts = ["".join(paragraphs(e)) for e in covered if e.tag in (qn("w:p"), qn("w:tbl"))]
            blocks.append([text for text in texts if text.strip()])
    return blocks


def _check(pool: ConverterPool, conversion) -> dict:
    type_id, language, case, rendition = conversion
    payload = CASES[case](type_id, language)
    document = produce(TemplateStore(), DOCUMENT_TYPES[type_id], payload, rendition, audit=cli_auditor())
    pdf = pool.convert(document.content, "docx", "pdf")
    layout = Layout(pdf)
    return {"pages": layout.pages,
            "problems": [str(p) for p in problems(layout, margins(document.content), signature_texts(document.content),
                                                  choice_words(language))]}


@pytest.fixture(scope="module")
def laid_out(request):
    pool = ConverterPool(size=2, timeout=120, start_timeout=120, wait_timeout=300)
    pool.start()
    assert pool.wait_ready(180), "LibreOffice did not start"
    try:
        with ThreadPoolExecutor(max_workers=2) as workers:
            results = dict(zip(CONVERSIONS, workers.map(lambda c: _check(pool, c), CONVERSIONS)))
    finally:
        pool.shutdown()
    types = {c[0] for c in CONVERSIONS}
    pages = sum(r["pages"] for r in results.values())
    faults = sum(len(r["problems"]) for r in results.values())
    line = (f"layout check: {len(types)} types × {len(LANGUAGES)} languages × {len(CASES)} cases "
            f"({len(CONVERSIONS)} documents with the relatives' copies), {pages} pages, {faults} problems")
    reporter = request.config.pluginmanager.get_plugin("terminalreporter")
    if reporter is not None:
        reporter.write_line(line)
    return results


@pytest.mark.parametrize("conversion", CONVERSIONS, ids=IDS)
def test_pages_hold_together(laid_out, conversion):
    assert laid_out[conversion]["problems"] == []
