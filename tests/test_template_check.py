"""The checker on the corpus in tests/sample_files (built by tests/sample_files/build.py)."""

import io
import shutil
import subprocess
import zipfile
from pathlib import Path

import pytest
from docx import Document

from service.registry import DOCUMENT_TYPES, TEMPLATES_DIR
from service.rendering.docx_template import analyse
from service.wordtemplates.checker import check, repair_split_tags
from service.wordtemplates.upload_safety import UnsafeTemplate, check_upload
from tests.sample_files.build import EXPECTED, build

SAMPLES = Path(__file__).parent / "sample_files"
SUMMARY = DOCUMENT_TYPES["summary"]


def test_corpus_is_what_the_script_builds():
    built = build()
    assert sorted(built) == sorted(EXPECTED)
    on_disk = {p.name for p in SAMPLES.iterdir() if p.suffix in (".docx", ".docm")}
    assert on_disk == set(built), "rebuild with tests/sample_files/build.py"


@pytest.mark.parametrize("name", sorted(EXPECTED))
def test_each_sample_gives_its_findings_at_the_right_place(name):
    report = check((SAMPLES / name).read_bytes(), SUMMARY)
    errors_and_fixes = [f for f in report.findings if f.severity in ("virhe", "korjattu")]
    for severity, location, message in EXPECTED[name]:
        assert any(f.severity == severity and location in f.location and message in f.message
                   for f in errors_and_fixes), (name, [str(f) for f in errors_and_fixes])
    expected_errors = sum(1 for e in EXPECTED[name] if e[0] == "virhe")
    if EXPECTED[name][0][1] != "tiedosto":  # one unsafe file may break several rules at once
        assert sum(f.severity == "virhe" for f in report.findings) == expected_errors, \
            [str(f) for f in report.findings]


def test_five_errors_are_all_reported_at_once():
    report = check((SAMPLES / "five_errors.docx").read_bytes(), SUMMARY)
    assert sum(f.severity == "virhe" for f in report.findings) == 5
    assert not report.ok


def test_split_tags_are_repaired_and_the_repair_renders():
    data = (SAMPLES / "split_runs.docx").read_bytes()
    fixed, findings = repair_split_tags(data)
    assert len(findings) == 1
    paragraph = Document(io.BytesIO(fixed)).paragraphs[1]
    assert [r.text for r in paragraph.runs] == ["Asiaviite: ", "{{ case_ref }}"]
    report = check(data, SUMMARY)
    assert report.fixed == fixed and report.ok


def test_unsafe_files_are_refused_before_parsing():
    for name in ("zip_bomb.docx", "doctype.docx", "macro.docm", "path_traversal.docx"):
        with pytest.raises(UnsafeTemplate):
            check_upload((SAMPLES / name).read_bytes())


def test_https_and_mailto_hyperlinks_are_allowed():
    doc = Document()
    paragraph = doc.add_paragraph("Lisätietoa: ")
    for target in ("https://www.hel.fi/fi/sosiaali-ja-terveyspalvelut", "mailto:laheisneuvonpito@hel.fi"):
        paragraph.part.relate_to(target, "http://schemas.openxmlformats.org/officeDocument/2006/relationships/hyperlink",
                                 is_external=True)
    out = io.BytesIO()
    doc.save(out)
    check_upload(out.getvalue())


@pytest.mark.parametrize("language", ["fi", "sv", "en"])
@pytest.mark.parametrize("type_id", sorted(DOCUMENT_TYPES))
def test_builtin_templates_pass_clean(type_id, language):
    """Including the dry run with the largest case the schemas accept, within the render budget."""
    doc_type = DOCUMENT_TYPES[type_id]
    report = check((TEMPLATES_DIR / doc_type.template(language)).read_bytes(), doc_type, language=language)
    assert report.findings == [] and report.fixed is None


@pytest.mark.parametrize("type_id", sorted(DOCUMENT_TYPES))
def test_templates_saved_by_libreoffice(tmp_path, type_id):
    """A convener opens the template in LibreOffice and saves it as .docx again: LibreOffice
    rewrites runs, styles and properties. The checker must still accept it and it must render."""
    soffice = shutil.which("soffice")
    assert soffice, "LibreOffice (soffice) is required"
    doc_type = DOCUMENT_TYPES[type_id]
    source = tmp_path / "pohja.odt"
    shutil.copy(TEMPLATES_DIR / doc_type.template(), tmp_path / "alkuperainen.docx")
    profile = f"-env:UserInstallation=file://{tmp_path}/profile"
    subprocess.run([soffice, profile, "--headless", "--convert-to", "odt", "--outdir", str(tmp_path),
                    str(tmp_path / "alkuperainen.docx")], check=True, capture_output=True, timeout=180)
    (tmp_path / "alkuperainen.odt").rename(source)
    subprocess.run([soffice, profile, "--headless", "--convert-to", "docx:MS Word 2007 XML", "--outdir",
                    str(tmp_path), str(source)], check=True, capture_output=True, timeout=180)
    saved = (tmp_path / "pohja.docx").read_bytes()
    with zipfile.ZipFile(io.BytesIO(saved)) as package:
        assert b"LibreOffice" in package.read("docProps/app.xml")
    report = check(saved, doc_type)
    assert report.ok, [str(f) for f in report.findings if f.severity == "virhe"]
    problems, used = analyse(report.fixed or saved, doc_type.template_fields, doc_type.context_names)
    assert not problems
