"""Every document opens in real LibreOffice and becomes clean PDF pages."""

import re
import shutil
import subprocess

import pytest
from pypdf import PdfReader

from service.pipeline import produce
from service.registry import DOCUMENT_TYPES
from service.wordtemplates.store import TemplateStore
from tests.conftest import TYPE_IDS, cli_auditor, load_example
from tests.layout_cases import minimal

SOFFICE = shutil.which("soffice") or shutil.which("libreoffice")


@pytest.fixture(scope="module")
def to_pdf(tmp_path_factory):
    assert SOFFICE, "LibreOffice (soffice) is required: run `make system-deps`"
    profile = tmp_path_factory.mktemp("lo-profile")

    def convert(content: bytes, name: str) -> PdfReader:
        work = tmp_path_factory.mktemp("pdf")
        source = work / f"{name}.docx"
        source.write_bytes(content)
        subprocess.run(
            [SOFFICE, f"-env:UserInstallation=file://{profile}", "--headless", "--norestore",
             "--convert-to", "pdf", "--outdir", str(work), str(source)],
            check=True, capture_output=True, timeout=180,
        )
        return PdfReader(str(work / f"{name}.pdf"))

    return convert


@pytest.mark.parametrize("type_id", TYPE_IDS)
@pytest.mark.parametrize("case", ["example", "minimal"])
def test_pdf_pages(to_pdf, type_id, case):
    payload = load_example(type_id) if case == "example" else minimal(type_id, "fi")
    doc_type = DOCUMENT_TYPES[type_id]
    document = produce(TemplateStore(), doc_type, payload, audit=cli_auditor())
    pdf = to_pdf(document.content, f"{type_id}-{case}")
    pages = [page.extract_text() for page in pdf.pages]
    total = len(pages)
    assert 1 <= total <= 8
    # Each letter is in its recipient's language, with that language's mark.
    marks = ("SALASSA PIDETTÄVÄ", "SEKRETESSBELAGD", "CONFIDENTIAL") if doc_type.letters else ("SALASSA PIDETTÄVÄ",)
    for number, text in enumerate(pages, start=1):
        assert any(mark in text for mark in marks), f"page {number} lacks the confidentiality mark"
        # Each letter numbers its own pages (a section of its own); a document numbers them all.
        counted = r"(Sivu|Sida|Page)\s*\d+\s*/\s*\d+" if doc_type.letters else rf"Sivu\s*{number}\s*/\s*{total}"
        assert re.search(counted, text), f"page {number} lacks its page number"
        assert payload["case_ref"] in text
    whole = "\n".join(pages)
    assert ("Kutsu" if doc_type.letters else doc_type.label.split()[0]).upper() in whole.upper()
    assert "{{" not in whole and "{%" not in whole
