"""LibreOffice converts in bubblewrap: a document that points at a network address or a local file
gets neither into the PDF, and the address is never asked. The control run without the sandbox
shows the same document does fetch both, so the test can fail."""

from __future__ import annotations

import http.server
import io
import re
import struct
import threading
import zipfile
import zlib

import pytest
from pypdf import PdfReader

from service.conversion.pool import ConverterPool
from service.pipeline import produce
from service.registry import DOCUMENT_TYPES
from service.wordtemplates.store import TemplateStore
from tests.conftest import cli_auditor, load_example

REL = "http://schemas.openxmlformats.org/officeDocument/2006/relationships"
START = 120


def png() -> bytes:
    def chunk(kind: bytes, data: bytes) -> bytes:
        return struct.pack(">I", len(data)) + kind + data + struct.pack(">I", zlib.crc32(kind + data))
    raw = b"".join(b"\x00" + b"\xff\x00\x00" * 8 for _ in range(8))
    return (b"\x89PNG\r\n\x1a\n" + chunk(b"IHDR", struct.pack(">IIBBBBB", 8, 8, 8, 2, 0, 0, 0))
            + chunk(b"IDAT", zlib.compress(raw)) + chunk(b"IEND", b""))


def with_linked_image(docx: bytes, target: str) -> bytes:
    picture = (
        '<w:p><w:r><w:drawing><wp:inline xmlns:wp="http://schemas.openxmlformats.org/drawingml/2006/wordprocessingDrawing"'
        ' distT="0" distB="0" distL="0" distR="0"><wp:extent cx="952500" cy="952500"/><wp:docPr id="990" name="P"/>'
        '<a:graphic xmlns:a="http://schemas.openxmlformats.org/drawingml/2006/main"><a:graphicData '
        'uri="http://schemas.openxmlformats.org/drawingml/2006/picture"><pic:pic '
        'xmlns:pic="http://schemas.openxmlformats.org/drawingml/2006/picture"><pic:nvPicPr><pic:cNvPr id="990" '
        'name="x.png"/><pic:cNvPicPr/></pic:nvPicPr><pic:blipFill><a:blip r:link="rIdLinked"/><a:stretch>'
        '<a:fillRect/></a:stretch></pic:blipFill><pic:spPr><a:xfrm><a:off x="0" y="0"/><a:ext cx="952500" '
        'cy="952500"/></a:xfrm><a:prstGeom prst="rect"><a:avLst/></a:prstGeom></pic:spPr></pic:pic>'
        '</a:graphicData></a:graphic></wp:inline></w:drawing></w:r></w:p>')
    out = io.BytesIO()
    with zipfile.ZipFile(io.BytesIO(docx)) as source, zipfile.ZipFile(out, "w", zipfile.ZIP_DEFLATED) as target_zip:
        for info in source.infolist():
            data = source.read(info)
            if info.filename == "word/document.xml":
                data = re.sub(rb"(<w:body[^>]*>)", lambda m: m.group(1) + picture.encode(), data, count=1)
            elif info.filename == "word/_rels/document.xml.rels":
                data = data.replace(b"</Relationships>", (
                    f'<Relationship Id="rIdLinked" Type="{REL}/image" Target="{target}" TargetMode="External"/>'
                    "</Relationships>").encode())
            target_zip.writestr(info, data)
    return out.getvalue()


def images_in(pdf: bytes) -> int:
    count = 0
    for page in PdfReader(io.BytesIO(pdf)).pages:
        count += len(page.images)
    return count


class Recorder(http.server.BaseHTTPRequestHandler):
    asked: list[str] = []

    def do_GET(self):  # noqa: N802 (http.server's name)
        Recorder.asked.append(self.path)
        body = png()
        self.send_response(200)
        self.send_header("Content-Type", "image/png")
        self.send_header("Content-Length", str(len(body)))
        self.end_headers()
        self.wfile.write(body)

    def log_message(self, *args):
        pass


@pytest.fixture(scope="module")
def image_server():
    server = http.server.ThreadingHTTPServer(("127.0.0.1", 0), Recorder)
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    yield f"http://127.0.0.1:{server.server_port}"
    server.shutdown()
    server.server_close()


@pytest.fixture(scope="module")
def document() -> bytes:
    doc_type = DOCUMENT_TYPES["summary"]
    return produce(TemplateStore(), doc_type, load_example("summary"), audit=cli_auditor()).content


def convert(sandbox: str, docx: bytes) -> bytes:
    pool = ConverterPool(size=1, timeout=60, start_timeout=START, wait_timeout=START, sandbox=sandbox)
    try:
        return pool.convert(docx, "docx", "pdf")
    finally:
        pool.shutdown()


def test_the_sandbox_is_on_where_bubblewrap_is_installed():
    """CI installs bubblewrap; a machine without it must not pass as if LibreOffice were confined."""
    assert ConverterPool(size=1, sandbox="required").sandboxed
    assert ConverterPool(size=1, sandbox="auto").sandboxed


def test_no_network_and_no_local_files_in_the_sandbox(image_server, document, tmp_path):
    secret = tmp_path / "secret.png"
    secret.write_bytes(png())
    Recorder.asked.clear()
    for target in (f"{image_server}/sandboxed.png", secret.as_uri()):
        pdf = convert("required", with_linked_image(document, target))
        assert images_in(pdf) == 0, target
        assert "Elle" in "".join(page.extract_text() for page in PdfReader(io.BytesIO(pdf)).pages)
    assert Recorder.asked == []


def test_the_control_without_the_sandbox_does_fetch(image_server, document, tmp_path):
    """The same documents outside the sandbox: LibreOffice asks for the address and embeds the
    local file, which is what the sandbox prevents."""
    secret = tmp_path / "secret.png"
    secret.write_bytes(png())
    Recorder.asked.clear()
    fetched = convert("off", with_linked_image(document, f"{image_server}/control.png"))
    local = convert("off", with_linked_image(document, secret.as_uri()))
    assert Recorder.asked == ["/control.png"] and images_in(fetched) > 0
    assert images_in(local) > 0
