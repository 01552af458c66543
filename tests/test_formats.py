"""ODT and PDF through the API and the CLI, made by the real LibreOffice pool."""

import io
import os
import shutil
import subprocess
import sys
from pathlib import Path

import pytest
from docx import Document
from pypdf import PdfReader

from service import create_app
from service.formats import DOCX_MIMETYPE
from service.pipeline import produce
from service.registry import DOCUMENT_TYPES, EXAMPLES_DIR, TEMPLATES_DIR
from service.wordtemplates.store import TemplateStore
from tests.conftest import EXTRA_LOG_TEXT, TYPE_IDS, cli_auditor, client_with_token, load_example, post_json
from tests.converted import (
    compact,
    docx_text_with_field_codes,
    odt_text,
    pdf_body_text,
    pdf_page_texts,
    without_symbols,
)
from tests.docxtext import all_text
from tests.expectations import shown_values

SOFFICE = shutil.which("soffice") or shutil.which("libreoffice")
LNP = str(Path(sys.executable).with_name("lnp"))
ODT = "application/vnd.oasis.opendocument.text"
PDF = "application/pdf"


def soffice_convert(sources: list[Path], target: str, outdir: Path, profile: Path) -> None:
    """LibreOffice on its own, outside the pool: the reference the pool is compared with."""
    assert SOFFICE, "LibreOffice (soffice) is required: run `make system-deps`"
    subprocess.run([SOFFICE, f"-env:UserInstallation=file://{profile}", "--headless", "--norestore",
                    "--convert-to", target, "--outdir", str(outdir), *map(str, sources)],
                   check=True, capture_output=True, timeout=300)


@pytest.fixture(scope="module")
def reference_pages(tmp_path_factory):
    """Page count of each example when LibreOffice converts the same .docx in a separate
    ``soffice --convert-to pdf`` run."""
    work = tmp_path_factory.mktemp("reference")
    store = TemplateStore()
    sources = []
    for type_id in TYPE_IDS:
        source = work / f"{type_id}.docx"
        source.write_bytes(produce(store, DOCUMENT_TYPES[type_id], load_example(type_id), audit=cli_auditor()).content)
        sources.append(source)
    soffice_convert(sources, "pdf", work, tmp_path_factory.mktemp("profile"))
    return {type_id: len(PdfReader(str(work / f"{type_id}.pdf")).pages) for type_id in TYPE_IDS}


def render(client, type_id, payload, fmt, **kwargs):
    response = post_json(client, type_id, payload, query_string={"format": fmt}, **kwargs)
    assert response.status_code == 200, response.get_json()
    return response


def missing_values(type_id, payload, text):
    return [(path, value) for path, value in shown_values(DOCUMENT_TYPES[type_id].fields, payload)
            if value not in text]


# The letters have their own value tests (tests/test_invitation.py): one letter per recipient, each
# in the recipient's language with its own page numbers, and a letter prints the meeting in words.
ONE_DOCUMENT_TYPES = [t for t in TYPE_IDS if DOCUMENT_TYPES[t].letters is None]


@pytest.mark.parametrize("type_id", ONE_DOCUMENT_TYPES)
def test_odt_opens_and_shows_every_value(client, example, type_id):
    payload = example(type_id)
    response = render(client, type_id, payload, "odt")
    assert response.mimetype == ODT
    name = DOCUMENT_TYPES[type_id].file_name(payload["case_ref"], extension="odt", version=payload["version"])
    assert response.headers["Content-Disposition"] == f'attachment; filename="{name}"'
    assert response.headers["Cache-Control"] == "no-store"
    text = odt_text(response.data)
    assert not missing_values(type_id, payload, text)
    assert "SALASSA PIDETTÄVÄ – JulkL 24 § 1 mom 25 k" in text
    assert payload["case_ref"] in text


def missing_from_pdf(type_id, payload, body: list[str], pages: list[str]):
    """Values not printed in the PDF: looked up in the body text (the case reference only
    in the footer), compared without whitespace, symbols by presence (see tests/converted.py)."""
    printed, printed_symbols = without_symbols(compact(" ".join(body)) + "\n" + compact(" ".join(pages)))
    missing = []
    for path, value in shown_values(DOCUMENT_TYPES[type_id].fields, payload):
        text, symbols = without_symbols(compact(value))
        if text not in printed or not symbols <= printed_symbols:
            missing.append(path)
    return missing


def pdf_texts(client, type_id, payload, pdf: bytes) -> tuple[list[str], list[str]]:
    """(body text of each page, whole text of each page). The body is the band between the
    page margins of the .docx, so that a value running over a page break is one run of
    text again rather than split by the running footer and header."""
    section = Document(io.BytesIO(render(client, type_id, payload, "docx").data)).sections[0]
    body = pdf_body_text(pdf, section.page_height.pt, section.top_margin.pt, section.bottom_margin.pt)
    return body, pdf_page_texts(pdf)


@pytest.mark.parametrize("type_id", ONE_DOCUMENT_TYPES)
def test_pdf_shows_every_value_on_the_reference_number_of_pages(client, example, reference_pages, type_id):
    payload = example(type_id)
    response = render(client, type_id, payload, "pdf")
    assert response.mimetype == PDF
    name = DOCUMENT_TYPES[type_id].file_name(payload["case_ref"], extension="pdf", version=payload["version"])
    assert response.headers["Content-Disposition"] == f'attachment; filename="{name}"'
    body, pages = pdf_texts(client, type_id, payload, response.data)
    assert len(pages) == reference_pages[type_id]
    assert not missing_from_pdf(type_id, payload, body, pages)
    for number, text in enumerate(pages, start=1):
        assert "SALASSA PIDETTÄVÄ" in text and f"Sivu {number} / {len(pages)}" in text
        # The running header and footer were cut off the body text, not the content.
        assert "SALASSA PIDETTÄVÄ" not in body[number - 1] and "Sivu" not in body[number - 1]
        assert body[number - 1].strip()


def test_pdf_value_check_can_fail(client, example):
    """A value the document does not print is reported missing, as is a changed character."""
    payload = example("summary")
    body, pages = pdf_texts(client, "summary", payload, render(client, "summary", payload, "pdf").data)
    payload["current_situation"] = "Tätä lausetta ei ole asiakirjassa."
    payload["strengths"][0] = payload["strengths"][0].replace("ä", "a", 1)
    payload["child_views"]["text"] += " ☂"
    assert missing_from_pdf("summary", payload, body, pages) == ["current_situation", "strengths[0]", "child_views.text"]


def test_pdf_is_tagged_pdf_a_2b(client, example):
    """For archiving (fonts embedded) and for screen readers (tagged)."""
    reader = PdfReader(io.BytesIO(render(client, "questions", example("questions"), "pdf").data))
    xmp = reader.xmp_metadata.rdf_root.toxml()
    assert "<pdfaid:part>2</pdfaid:part>" in xmp and "<pdfaid:conformance>B</pdfaid:conformance>" in xmp
    assert reader.trailer["/Root"]["/MarkInfo"]["/Marked"]


@pytest.mark.parametrize(("accept", "expected"), [
    ("application/pdf", PDF),
    (ODT, ODT),
    ("application/pdf;q=0.5, application/vnd.oasis.opendocument.text", ODT),
    ("*/*", "application/vnd.openxmlformats-officedocument.wordprocessingml.document"),
    ("text/html,application/xhtml+xml,application/xml;q=0.9,*/*;q=0.8",
     "application/vnd.openxmlformats-officedocument.wordprocessingml.document"),
])
def test_accept_header_chooses_the_format(client, example, accept, expected):
    response = post_json(client, "questions", example("questions"), headers={"Accept": accept})
    assert response.status_code == 200
    assert response.mimetype == expected
    assert "Accept" in response.headers["Vary"]


def test_format_parameter_wins_over_accept(client, example):
    response = post_json(client, "questions", example("questions"), query_string={"format": "odt"},
                         headers={"Accept": "application/pdf"})
    assert response.mimetype == ODT


def test_network_copy_as_pdf(client, example):
    payload = example("summary")
    response = render(client, "summary", payload, "pdf")
    network = post_json(client, "summary", payload, query_string={"format": "pdf", "rendition": "network"})
    assert network.status_code == 200
    assert "laheisille" in network.headers["Content-Disposition"]
    secret = compact(payload["sharing"]["not_to_be_shared"])
    assert secret in compact(" ".join(pdf_page_texts(response.data)))
    assert secret not in compact(" ".join(pdf_page_texts(network.data)))


def test_unknown_format_is_400(client, example):
    response = post_json(client, "summary", example("summary"), query_string={"format": "rtf"})
    assert response.status_code == 400
    assert "docx, odt, pdf" in response.get_json()["message"]


def test_accept_without_any_document_format_is_406(client, example):
    response = post_json(client, "summary", example("summary"), headers={"Accept": "application/json"})
    assert response.status_code == 406
    assert response.get_json()["code"] == 406


def test_invalid_case_is_422_before_any_conversion(client, example):
    payload = example("summary")
    del payload["case_ref"]
    response = post_json(client, "summary", payload, query_string={"format": "pdf"})
    assert response.status_code == 422


def test_without_libreoffice_docx_works_and_odt_pdf_answer_503(example):
    app = create_app({"TESTING": True, "CONVERTER_SOFFICE": "/nonexistent/soffice"})
    client = client_with_token(app, "worker")
    payload = example("summary")
    assert post_json(client, "summary", payload).status_code == 200
    for fmt in ("pdf", "odt"):
        response = post_json(client, "summary", payload, query_string={"format": fmt})
        assert response.status_code == 503
        assert response.headers["Retry-After"] == "10"
        assert response.headers["Cache-Control"] == "no-store"
        body = response.get_json()
        assert body["code"] == 503 and body["status"] == "Service Unavailable"
        assert body["message"].startswith("PDF- ja ODT-muunnos ei ole juuri nyt käytettävissä.")
    assert post_json(client, "summary", payload).status_code == 200


# --- CLI ----------------------------------------------------------------------------------------

def run(*args, env=None, cwd=None):
    result = subprocess.run([LNP, *args], capture_output=True, timeout=300, env=env, cwd=cwd)
    EXTRA_LOG_TEXT.append(result.stdout.decode("utf-8", "replace") + result.stderr.decode("utf-8", "replace"))
    return result


def test_cli_renders_pdf_and_odt(tmp_path):
    result = run("render", "summary", str(EXAMPLES_DIR / "fi" / "summary.json"), "--format", "pdf", cwd=tmp_path)
    assert result.returncode == 0, result.stderr.decode()
    out = tmp_path / "yhteenveto_LNP-2026-0042.pdf"
    assert [p.name for p in tmp_path.iterdir()] == [out.name]
    assert "LNP-2026-0042" in " ".join(pdf_page_texts(out.read_bytes()))
    # The extension of -o chooses the format when --format is not given.
    result = run("render", "questions", str(EXAMPLES_DIR / "fi" / "questions.json"), "-o", str(tmp_path / "k.odt"))
    assert result.returncode == 0, result.stderr.decode()
    assert load_example("questions")["case_ref"] in odt_text((tmp_path / "k.odt").read_bytes())
    result = run("render", "questions", str(EXAMPLES_DIR / "fi" / "questions.json"), "-o", str(tmp_path / "k.odt"),
                 "--format", "pdf")
    assert result.returncode == 2 and ".odt" in result.stderr.decode()


def test_cli_without_libreoffice(tmp_path):
    env = dict(os.environ, PATH=str(Path(sys.executable).parent))  # no soffice on PATH
    result = run("render", "summary", str(EXAMPLES_DIR / "fi" / "summary.json"), "--format", "pdf", env=env, cwd=tmp_path)
    assert result.returncode == 2
    assert "PDF- ja ODT-muunnos ei ole juuri nyt käytettävissä" in result.stderr.decode()
    assert not list(tmp_path.iterdir())
    result = run("render", "summary", str(EXAMPLES_DIR / "fi" / "summary.json"), env=env, cwd=tmp_path)
    assert result.returncode == 0


# --- .odt templates -----------------------------------------------------------------------------

@pytest.fixture(scope="module")
def odt_templates(tmp_path_factory):
    """Each built-in template saved as .odt by LibreOffice, as a convener would."""
    work = tmp_path_factory.mktemp("odt-templates")
    soffice_convert([TEMPLATES_DIR / DOCUMENT_TYPES[t].template() for t in TYPE_IDS], "odt", work,
                    tmp_path_factory.mktemp("profile"))
    return work


@pytest.mark.parametrize("type_id", TYPE_IDS)
def test_odt_template_renders_the_same_text_as_its_docx_twin(odt_templates, tmp_path, type_id):
    doc_type = DOCUMENT_TYPES[type_id]
    target = tmp_path / "fi" / f"{type_id}.docx"
    target.parent.mkdir()
    result = run("convert-template", str(odt_templates / f"{type_id}.odt"), str(target), "--type", type_id)
    assert result.returncode == 0, result.stdout.decode() + result.stderr.decode()
    assert f"{type_id}.odt → {type_id}.docx: 0 virhettä" in result.stdout.decode()
    payload = load_example(type_id)
    if doc_type.letters is not None:  # only the Finnish template was converted: Finnish letters only
        payload.pop("members", None)
        for invitee in payload.get("invitees") or []:
            invitee["language"] = payload["language"]
    twin = produce(TemplateStore(builtin_dir=tmp_path), doc_type, payload, audit=cli_auditor()).content
    original = produce(TemplateStore(), doc_type, payload, audit=cli_auditor()).content
    # LibreOffice may keep an empty paragraph of its own (before a picture); it prints nothing.
    assert printed_lines(twin) == printed_lines(original)
    assert "{PAGE}" in docx_text_with_field_codes(twin)
    assert payload["case_ref"] in all_text(twin)


def printed_lines(docx: bytes) -> list[str]:
    return [line for line in docx_text_with_field_codes(docx).split("\n") if line.strip()]


def test_convert_template_reports_problems_and_writes_nothing(odt_templates, tmp_path):
    target = tmp_path / "x.docx"
    # Not through run(): its report quotes the template's own text (headings such as
    # "Vanhempien ja huoltajien näkemykset"), which the log check would mistake for case data.
    result = subprocess.run([LNP, "convert-template", str(odt_templates / "summary.odt"), str(target),
                             "--type", "questions"], capture_output=True, timeout=300)
    EXTRA_LOG_TEXT.append(result.stderr.decode("utf-8", "replace"))
    assert result.returncode == 1
    assert "Tuntematon kenttä «current_situation»" in result.stdout.decode()
    assert not target.exists()


def test_convert_template_refuses_a_docx(tmp_path):
    result = run("convert-template", str(TEMPLATES_DIR / "fi" / "summary.docx"), str(tmp_path / "x.docx"),
                 "--type", "summary")
    assert result.returncode == 2
    assert "ei ole luettava OpenDocument" in result.stderr.decode()


def test_openapi_lists_the_formats(client):
    operation = client.get("/api/v1/openapi.json").get_json()["paths"]["/api/v1/documents/summary"]["post"]
    # A zip only for the letters (bundle=zip), as the operation says.
    assert set(operation["responses"]["200"]["content"]) == {DOCX_MIMETYPE, ODT, PDF, "application/zip"}
    assert {"406", "503"} <= set(operation["responses"])
    fmt = next(p for p in operation["parameters"] if p["name"] == "format")
    assert fmt["schema"]["enum"] == ["docx", "odt", "pdf"]
