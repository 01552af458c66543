"""One LibreOffice worker: starts a headless soffice and converts documents for its parent.

Run by service/converter.py as a separate process under a Python that can ``import uno``
(Debian: /usr/bin/python3 with python3-uno), never imported by the service itself.

    python3 -I uno_bridge.py <soffice> <private directory> <pipe name> <start timeout s>

Why a bridge of our own rather than unoserver: it talks to its parent over stdin/stdout only.
unoserver listens on TCP ports, and LibreOffice's UNO port hands whoever connects the whole
office, including the case documents it is converting. Here soffice accepts only a named
pipe that only this user can open, with an unguessable name.

Frames both ways: 8-byte header (``>II``: header length, payload length), a JSON header,
then the payload bytes. Documents are passed in memory (private:stream) and never written
to disk by us; LibreOffice's own temporary files go to the private directory (TMPDIR), which
is removed when this worker ends: by the parent, or by the bridge itself when the parent is gone.
"""

from __future__ import annotations

import io
import json
import os
import struct
import subprocess
import sys
import threading
import time

# -I keeps the caller's environment out; our one sibling module is put back on the path.
sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))

import leftovers  # noqa: E402
import uno  # noqa: E402
import unohelper  # noqa: E402
from com.sun.star.beans import PropertyValue  # noqa: E402
from com.sun.star.connection import NoConnectException  # noqa: E402
from com.sun.star.io import XOutputStream  # noqa: E402
from com.sun.star.style.BreakType import PAGE_BEFORE  # noqa: E402

HEADER = struct.Struct(">II")

# Input filters are named, not detected: a file is read only as the format it claims to be.
IMPORT_FILTERS = {"docx": "MS Word 2007 XML", "odt": "writer8"}
EXPORT_FILTERS = {"pdf": "writer_pdf_Export", "odt": "writer8", "docx": "MS Word 2007 XML"}
# PDF/A-2b: a PDF is what gets archived; PDF/A embeds every font and forces a tagged
# (accessible) PDF. Value 2 of SelectPdfVersion (filter/source/pdf/pdfexport.cxx).
PDF_FILTER_DATA = {"SelectPdfVersion": 2, "UseTaggedPDF": True}
# MediaDescriptor values: never run macros, never update links to other documents.
NEVER_EXECUTE = 0
NO_UPDATE = 0


def _start(item):
    if item.supportsService("com.sun.star.text.TextTable"):
        return item.getCellByName(item.getCellNames()[0]).getText().getStart()
    return item.getStart()


def _end(item):
    if item.supportsService("com.sun.star.text.TextTable"):
        return item.getCellByName(item.getCellNames()[-1]).getText().getEnd()
    return item.getEnd()


def _keeps(item) -> bool:
    """Keep with next: a paragraph's ParaKeepTogether, a table's KeepTogether."""
    if item.supportsService("com.sun.star.text.Paragraph"):
        return bool(item.ParaKeepTogether)
    if item.supportsService("com.sun.star.text.TextTable"):
        return bool(item.KeepTogether)
    return False


def hold_keeps(document) -> None:
    """Make LibreOffice's pages honour "keep with next" as Word does.

    LibreOffice 7.x lays out some documents with a heading (kept with the next paragraph) alone
    at the foot of a page, depending on what stands earlier on the page. Here its own layout is
    asked where each item of a keep chain landed; where a chain ends on a later page than it
    starts, the chain starts on a new page. Only the PDF gets these page breaks; an .odt stays
    as editable as the .docx it came from."""
    view = document.getCurrentController().getViewCursor()

    def page(text_range) -> int:
        view.gotoRange(text_range, False)
        return view.getPage()

    items = []
    enumeration = document.getText().createEnumeration()
    while enumeration.hasMoreElements():
        items.append(enumeration.nextElement())
    for index, item in enumerate(items[:-1]):
        if not _keeps(item) or page(_start(items[index + 1])) <= page(_end(item)):
            continue
        first = index
        while first > 0 and _keeps(items[first - 1]):
            first -= 1
        if first == 0 or page(_end(items[first - 1])) < page(_start(items[first])):
            continue  # the chain already starts a page: it is longer than a page, leave it
        items[first].BreakType = PAGE_BEFORE


class OutputStream(unohelper.Base, XOutputStream):
    def __init__(self):
        self.buffer = io.BytesIO()

    def writeBytes(self, seq):  # noqa: N802 - UNO interface
        self.buffer.write(seq.value)

    def flush(self):
        pass

    def closeOutput(self):  # noqa: N802 - UNO interface
        pass


def props(**values) -> tuple:
    return tuple(PropertyValue(Name=name, Value=value) for name, value in values.items())


def read_exact(stream, n: int) -> bytes:
    data = bytearray()
    while len(data) < n:
        chunk = stream.read(n - len(data))
        if not chunk:
            raise EOFError
        data += chunk
    return bytes(data)


def send(header: dict, payload: bytes = b"") -> None:
    raw = json.dumps(header).encode()
    out = sys.stdout.buffer
    out.write(HEADER.pack(len(raw), len(payload)) + raw + payload)
    out.flush()


def receive() -> tuple[dict, bytes]:
    stream = sys.stdin.buffer
    header_len, payload_len = HEADER.unpack(read_exact(stream, HEADER.size))
    header = json.loads(read_exact(stream, header_len))
    return header, read_exact(stream, payload_len)


OFFICE_PROCESS: subprocess.Popen | None = None
WORKDIR = PIPE = ""


def kill_group_and_exit(code: int = 1) -> None:
    """Take soffice down (oosplash and soffice.bin), remove what it left on disk, and go.

    Started by the pool as a session leader, our process group is exactly this bridge and
    its soffice; run any other way, only our own soffice is ours to kill. The pool cleans up
    after a worker it kills; this covers a pool that is gone (the service died)."""
    if os.getpgrp() == os.getpid():
        leftovers.kill_group(os.getpgrp(), exclude=os.getpid())
    elif OFFICE_PROCESS is not None:
        OFFICE_PROCESS.kill()
    if OFFICE_PROCESS is not None:
        try:
            OFFICE_PROCESS.wait(timeout=5)
        except subprocess.TimeoutExpired:
            pass
    if WORKDIR:
        leftovers.remove(WORKDIR, PIPE)
    os._exit(code)


def watch_parent(parent: int) -> None:
    """If the service process dies (even by SIGKILL), LibreOffice must not live on holding
    documents in memory: when we are orphaned, take the whole group down."""
    while True:
        if os.getppid() != parent:
            kill_group_and_exit()
        time.sleep(0.5)


def watch_office(office: Office) -> None:
    """A soffice that died while idle ends this bridge too, so the pool sees a dead worker
    and replaces it before a request is sent to it."""
    office.process.wait()
    if not office.quitting:
        kill_group_and_exit()


class Office:
    def __init__(self, soffice: str, workdir: str, pipe: str, start_timeout: float):
        self.quitting = False
        self.pipe = pipe
        env = dict(os.environ, TMPDIR=os.path.join(workdir, "tmp"))
        os.makedirs(env["TMPDIR"], mode=0o700, exist_ok=True)
        profile = uno.systemPathToFileUrl(os.path.join(workdir, "profile"))
        self.process = subprocess.Popen(
            [soffice, f"-env:UserInstallation={profile}", f"--accept=pipe,name={self.pipe};urp;",
             "--headless", "--invisible", "--nocrashreport", "--nodefault", "--nologo",
             "--nofirststartwizard", "--norestore", "--nolockcheck"],
            stdin=subprocess.DEVNULL, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL, env=env,
        )
        global OFFICE_PROCESS
        OFFICE_PROCESS = self.process
        local = uno.getComponentContext()
        resolver = local.ServiceManager.createInstanceWithContext("com.sun.star.bridge.UnoUrlResolver", local)
        deadline = time.monotonic() + start_timeout
        while True:
            try:
                self.context = resolver.resolve(f"uno:pipe,name={self.pipe};urp;StarOffice.ComponentContext")
                break
            except NoConnectException:
                if self.process.poll() is not None or time.monotonic() > deadline:
                    raise
                time.sleep(0.1)
        self.smgr = self.context.ServiceManager
        self.desktop = self.smgr.createInstanceWithContext("com.sun.star.frame.Desktop", self.context)

    def alive(self) -> bool:
        return self.process.poll() is None

    def convert(self, data: bytes, source: str, target: str) -> bytes:
        stream = self.smgr.createInstanceWithContext("com.sun.star.io.SequenceInputStream", self.context)
        stream.initialize((uno.ByteSequence(data),))
        document = self.desktop.loadComponentFromURL(
            "private:stream", "_blank", 0,
            props(InputStream=stream, FilterName=IMPORT_FILTERS[source], Hidden=True, ReadOnly=True,
                  MacroExecutionMode=NEVER_EXECUTE, UpdateDocMode=NO_UPDATE),
        )
        if document is None:
            raise Unreadable
        try:
            if target == "pdf" and source == "docx":
                try:
                    hold_keeps(document)
                except Exception:  # noqa: BLE001 - the document converts as LibreOffice laid it out
                    pass
            output = OutputStream()
            store = {"FilterName": EXPORT_FILTERS[target], "OutputStream": output}
            if target == "pdf":
                store["FilterData"] = uno.Any("[]com.sun.star.beans.PropertyValue", props(**PDF_FILTER_DATA))
            uno.invoke(document, "storeToURL", ("private:stream", props(**store)))
            return output.buffer.getvalue()
        finally:
            document.close(True)

    def warm_up(self) -> None:
        """Load Writer, the .docx import and the PDF and ODT exports once, so that the first
        real conversion is as fast as the rest."""
        document = self.desktop.loadComponentFromURL("private:factory/swriter", "_blank", 0, props(Hidden=True))
        try:
            document.Text.setString("lnp-docs")
            output = OutputStream()
            document.storeToURL("private:stream", props(FilterName=EXPORT_FILTERS["docx"], OutputStream=output))
        finally:
            document.close(True)
        docx = output.buffer.getvalue()
        self.convert(docx, "docx", "pdf")
        self.convert(docx, "docx", "odt")

    def quit(self) -> None:
        self.quitting = True
        try:
            self.desktop.terminate()
        except Exception:  # noqa: BLE001 - the bridge goes down with the office; that is the point
            pass
        try:
            self.process.wait(timeout=10)
        except subprocess.TimeoutExpired:
            pass


class Unreadable(Exception):
    """LibreOffice could not load the document as the format it was said to be."""


def error_kind(exc: Exception, office: Office) -> str:
    if not office.alive():
        return "crashed"
    name = type(exc).__name__
    if isinstance(exc, Unreadable) or name in ("IllegalArgumentException", "IOException"):
        return "unreadable"
    # DisposedException and friends: the connection to the office is gone.
    return "crashed"


def serve(office: Office) -> int:
    while True:
        try:
            request, payload = receive()
        except EOFError:
            office.quit()
            return 0
        if request.get("op") == "quit":
            office.quit()
            return 0
        try:
            result = office.convert(payload, request["source"], request["target"])
        except Exception as exc:  # noqa: BLE001 - only the kind and type name cross back
            kind = error_kind(exc, office)
            send({"ok": False, "error": kind, "exception": type(exc).__name__})
            if kind == "crashed":
                kill_group_and_exit(1)
            continue
        send({"ok": True}, result)


def main() -> int:
    global WORKDIR, PIPE
    soffice, workdir, pipe, start_timeout = sys.argv[1], sys.argv[2], sys.argv[3], float(sys.argv[4])
    WORKDIR, PIPE = workdir, pipe
    threading.Thread(target=watch_parent, args=(os.getppid(),), daemon=True).start()
    try:
        try:
            office = Office(soffice, workdir, pipe, start_timeout)
            office.warm_up()
        except Exception as exc:  # noqa: BLE001
            send({"ok": False, "error": "start", "exception": type(exc).__name__})
            kill_group_and_exit(1)
        threading.Thread(target=watch_office, args=(office,), daemon=True).start()
        send({"ok": True, "ready": True, "soffice": office.process.pid})
        code = serve(office)
    except BaseException:  # noqa: BLE001 - e.g. the parent went away mid-write (BrokenPipeError)
        kill_group_and_exit(1)
    # Whatever way we leave (told to quit, or the service gone: end of input), no soffice
    # stays behind with documents in its memory and nothing of it on disk.
    if office.alive():
        kill_group_and_exit(code)
    leftovers.remove(WORKDIR, PIPE)
    return code


if __name__ == "__main__":
    sys.exit(main())
