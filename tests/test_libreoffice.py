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


# Optional in the schema but required by a rule in some cases (a child of 12 or more).
CONDITIONALLY_REQUIRED = {"own_consent"}


def minimal(type_id: str) -> dict:
    """The example with every optional field removed (top level and nested)."""
    doc_type = DOCUMENT_TYPES[type_id]

    def strip(node, data):
        if node.kind == "object" and isinstance(data, dict):
            return {k: strip(node.children[k], v) for k, v in data.items()
                    if node.children[k].required or k in CONDITIONALLY_REQUIRED}
        if node.kind == "list" and isinstance(data, list):
            return [strip(node.item, v) for v in data]
        return data

    return strip(doc_type.fields, load_example(type_id))


@pytest.mark.parametrize("type_id", TYPE_IDS)
@pytest.mark.parametrize("case", ["example", "minimal"])
def test_pdf_pages(to_pdf, type_id, case):
    payload = load_example(type_id) if case == "example" else minimal(type_id)
    doc_type = DOCUMENT_TYPES[type_id]
    document = produce(TemplateStore(), doc_type, payload, audit=cli_auditor())
    pdf = to_pdf(document.content, f"{type_id}-{case}")
    pages = [page.extract_text() for page in pdf.pages]
    total = len(pages)
    assert 1 <= total <= 8
    for number, text in enumerate(pages, start=1):
        assert "SALASSA PIDETTÄVÄ" in text, f"page {number} lacks the confidentiality mark"
        assert re.search(rf"Sivu\s*{number}\s*/\s*{total}", text), f"page {number} lacks 'Sivu {number} / {total}'"
        assert payload["case_ref"] in text
    whole = "\n".join(pages)
    assert doc_type.label.split()[0].upper() in whole.upper()
    assert "{{" not in whole and "{%" not in whole
