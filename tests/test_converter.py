"""The LibreOffice pool under failure: real soffice processes killed, stopped, recycled, forked."""

import json
import os
import signal
import stat
import subprocess
import sys
import threading
import time
from pathlib import Path

import pytest

from service import create_app
from service.conversion.pool import ConversionFailed, ConverterPool
from service.pipeline import produce
from service.registry import DOCUMENT_TYPES
from service.wordtemplates.store import TemplateStore
from tests.conftest import cli_auditor, client_with_token, load_example, post_json

# How long to wait for LibreOffice to (re)start before failing; a bound, not a measurement.
START = 120


def docx(type_id="summary") -> bytes:
    return produce(TemplateStore(), DOCUMENT_TYPES[type_id], load_example(type_id), audit=cli_auditor()).content


def processes() -> list[tuple[int, int, int, str]]:
    """(pid, ppid, process group, command name) of every process."""
    out = []
    for entry in Path("/proc").iterdir():
        if entry.name.isdigit():
            try:
                raw = (entry / "stat").read_text()
            except OSError:
                continue
            name = raw[raw.index("(") + 1:raw.rindex(")")]
            fields = raw[raw.rindex(")") + 2:].split()
            out.append((int(entry.name), int(fields[1]), int(fields[2]), name))
    return out


def soffice_of(bridge_pid: int) -> int:
    """The soffice.bin in the worker's process group."""
    found = [pid for pid, _, group, name in processes() if group == bridge_pid and name == "soffice.bin"]
    assert len(found) == 1, found
    return found[0]


def sandboxed(pid: int) -> bool:
    """The process has a mount namespace of its own (bubblewrap's)."""
    return os.readlink(f"/proc/{pid}/ns/mnt") != os.readlink("/proc/self/ns/mnt")


def workdir_of(soffice_pid: int) -> Path:
    """The worker's private directory as this process can reach it. In the sandbox it is in the
    sandbox's memory-only /tmp, never on the host's disk, and seen through the process's own
    root; without the sandbox it is on the host's disk."""
    args = Path(f"/proc/{soffice_pid}/cmdline").read_bytes().split(b"\0")
    profile = next(a for a in args if a.startswith(b"-env:UserInstallation=file://"))
    path = Path(profile.split(b"file://", 1)[1].decode()).parent
    if sandboxed(soffice_pid):
        assert not path.exists(), f"a sandboxed worker's directory {path} is on the host's disk"
        return Path(f"/proc/{soffice_pid}/root") / path.relative_to("/")
    return path


def alive(pid: int) -> bool:
    try:
        return Path(f"/proc/{pid}/stat").read_text().split(") ")[1][0] != "Z"
    except OSError:
        return False


def wait_for(condition, what: str, timeout: float = START):
    deadline = time.monotonic() + timeout
    while not condition():
        assert time.monotonic() < deadline, f"timed out waiting for {what}"
        time.sleep(0.1)


def full(pool) -> bool:
    stats = pool.stats()
    return stats["live"] == stats["size"] and stats["starting"] == 0 and stats["retiring"] == 0


@pytest.fixture
def pool():
    pool = ConverterPool(size=2, timeout=30, wait_timeout=START)
    pool.start()
    assert pool.wait_ready(START)
    yield pool
    pool.shutdown()


def test_each_worker_has_its_own_private_directory_and_profile(pool):
    bridges = [w["pid"] for w in pool.stats()["workers"]]
    dirs = [workdir_of(soffice_of(pid)) for pid in bridges]
    assert len(set(dirs)) == 2
    for directory in dirs:
        assert stat.S_IMODE(directory.stat().st_mode) == 0o700
        assert (directory / "profile").is_dir()
    pool.shutdown()
    assert not any(d.exists() for d in dirs)
    assert not any(alive(pid) for pid in bridges)


def test_unreadable_input_fails_without_harming_the_worker(pool):
    with pytest.raises(ConversionFailed):
        pool.convert(b"PK\x03\x04 not really a document", "docx", "pdf")
    before = {w["pid"] for w in pool.stats()["workers"]}
    assert pool.convert(docx(), "docx", "pdf").startswith(b"%PDF-")
    assert {w["pid"] for w in pool.stats()["workers"]} == before


def test_worker_killed_while_idle_is_replaced(pool):
    victim = pool.stats()["workers"][0]["pid"]
    workdir = workdir_of(soffice_of(victim))
    os.kill(soffice_of(victim), signal.SIGKILL)
    wait_for(lambda: full(pool) and victim not in {w["pid"] for w in pool.stats()["workers"]}, "a replacement")
    assert not workdir.exists()
    for _ in range(4):
        assert pool.convert(docx(), "docx", "pdf").startswith(b"%PDF-")


@pytest.fixture
def app_with_pool():
    """An app of its own, so that killing its LibreOffice does not disturb other tests."""
    def make(**config):
        app = create_app({"TESTING": True, **config})
        converter = app.extensions["lnp.converter"]
        converter.start()
        assert converter.wait_ready(START)
        made.append(converter)
        return app, converter

    made = []
    yield make
    for converter in made:
        converter.shutdown()


def post_in_thread(app, fmt="pdf"):
    result = {}

    def post():
        started = time.monotonic()
        result["response"] = post_json(client_with_token(app, "worker"), "summary", load_example("summary"),
                                       query_string={"format": fmt})
        result["seconds"] = time.monotonic() - started

    thread = threading.Thread(target=post)
    thread.start()
    return thread, result


def assert_clean_503(response):
    assert response.status_code == 503
    assert response.headers["Retry-After"].isdigit()
    body = response.get_json()
    assert body["code"] == 503 and "PDF- ja ODT-muunnos" in body["message"]


def test_worker_killed_mid_conversion(app_with_pool):
    app, converter = app_with_pool(CONVERTER_POOL_SIZE=2, CONVERTER_TIMEOUT=60)
    workers = {w["pid"]: soffice_of(w["pid"]) for w in converter.stats()["workers"]}
    dirs = {pid: workdir_of(office) for pid, office in workers.items()}
    # Both offices stopped, so the conversion is certainly inside LibreOffice when it is killed.
    for office in workers.values():
        os.kill(office, signal.SIGSTOP)
    thread, result = post_in_thread(app)
    wait_for(lambda: any(w["busy"] for w in converter.stats()["workers"]), "the conversion to start", 30)
    busy = next(w["pid"] for w in converter.stats()["workers"] if w["busy"])
    os.kill(workers[busy], signal.SIGKILL)
    for pid, office in workers.items():
        if pid != busy:
            os.kill(office, signal.SIGCONT)
    thread.join(90)
    assert not thread.is_alive()
    assert_clean_503(result["response"])
    assert not dirs[busy].exists() and not alive(busy)
    client = client_with_token(app, "worker")
    for _ in range(4):
        response = post_json(client, "summary", load_example("summary"), query_string={"format": "pdf"})
        assert response.status_code == 200 and response.data.startswith(b"%PDF-")
    wait_for(lambda: full(converter), "the pool back at full size")
    assert busy not in {w["pid"] for w in converter.stats()["workers"]}


def test_hung_conversion_is_cut_off_at_the_timeout(app_with_pool):
    app, converter = app_with_pool(CONVERTER_POOL_SIZE=1, CONVERTER_TIMEOUT=3)
    bridge = converter.stats()["workers"][0]["pid"]
    office = soffice_of(bridge)
    workdir = workdir_of(office)
    os.kill(office, signal.SIGSTOP)  # a real hang: LibreOffice stops answering
    thread, result = post_in_thread(app)
    thread.join(90)
    assert not thread.is_alive(), "the hung conversion was not cut off"
    assert_clean_503(result["response"])
    assert result["seconds"] >= 3
    assert not alive(office) and not workdir.exists()
    wait_for(lambda: full(converter), "the pool back at full size")
    response = post_json(client_with_token(app, "worker"), "summary", load_example("summary"), query_string={"format": "pdf"})
    assert response.status_code == 200


def test_worker_recycled_after_max_conversions_without_a_gap():
    pool = ConverterPool(size=1, max_conversions=3, timeout=30, wait_timeout=START)
    try:
        pool.start()
        assert pool.wait_ready(START)
        first = pool.stats()["workers"][0]["pid"]
        first_dir = workdir_of(soffice_of(first))
        data = docx("questions")
        for _ in range(3):
            assert pool.convert(data, "docx", "pdf").startswith(b"%PDF-")
        # The retiring worker keeps converting while its replacement starts.
        assert pool.stats()["retiring"] == 1 or pool.stats()["workers"][0]["pid"] != first
        assert pool.convert(data, "docx", "odt").startswith(b"PK")
        wait_for(lambda: full(pool) and pool.stats()["workers"][0]["pid"] != first, "the replacement")
        wait_for(lambda: not alive(first) and not first_dir.exists(), "the old worker to go")
        assert pool.convert(data, "docx", "pdf").startswith(b"%PDF-")
        assert pool.stats()["workers"][0]["conversions"] == 1
    finally:
        pool.shutdown()


def test_a_forked_child_starts_its_own_workers(pool):
    """gunicorn's case: a process forked from one that has a pool must not use the parent's
    LibreOffice (one pipe, two users) but start its own."""
    parent_workers = {w["pid"] for w in pool.stats()["workers"]}
    read, write = os.pipe()
    child = os.fork()
    if child == 0:  # pragma: no cover - runs in the child
        code = 1
        try:
            pdf = pool.convert(docx("questions"), "docx", "pdf")
            mine = {w["pid"] for w in pool.stats()["workers"]}
            os.write(write, json.dumps({"pdf": pdf.startswith(b"%PDF-"), "workers": sorted(mine)}).encode())
            pool.shutdown()
            code = 0
        finally:
            os._exit(code)
    os.close(write)
    with os.fdopen(read) as pipe:
        report = json.loads(pipe.read() or "{}")
    _, status = os.waitpid(child, 0)
    assert os.waitstatus_to_exitcode(status) == 0
    assert report["pdf"]
    assert report["workers"] and not set(report["workers"]) & parent_workers
    # The parent's pool is untouched and the child's workers are gone with the child.
    assert {w["pid"] for w in pool.stats()["workers"]} == parent_workers
    assert pool.convert(docx("questions"), "docx", "pdf").startswith(b"%PDF-")
    assert not any(alive(pid) for pid in report["workers"])


@pytest.mark.parametrize("sandbox", ["required", "off"])
def test_service_killed_takes_its_libreoffice_and_files_with_it(tmp_path, sandbox):
    """A gunicorn worker killed with SIGKILL cannot clean up: each bridge notices it is
    orphaned and kills its soffice. In the sandbox the private directory was only ever in the
    sandbox's memory; without it, the bridge removes the directory from the host's disk itself."""
    script = tmp_path / "a_service.py"
    script.write_text(
        "import json, sys, time\n"
        "from service.conversion.pool import ConverterPool\n"
        f"pool = ConverterPool(size=2, sandbox={sandbox!r})\n"
        "pool.start()\n"
        f"assert pool.wait_ready({START})\n"
        "print(json.dumps([w['pid'] for w in pool.stats()['workers']]), flush=True)\n"
        "time.sleep(600)\n")
    service = subprocess.Popen([sys.executable, str(script)], stdout=subprocess.PIPE, stderr=subprocess.PIPE,
                               cwd=Path(__file__).resolve().parent.parent)
    try:
        line = service.stdout.readline()
        assert line, service.stderr.read().decode()[-2000:]
        bridges = json.loads(line)
        offices = [soffice_of(pid) for pid in bridges]
        assert all(sandboxed(pid) == (sandbox == "required") for pid in offices)
        dirs = [workdir_of(pid) for pid in offices]
        assert all((d / "profile").is_dir() for d in dirs)
    finally:
        service.kill()
        service.communicate(timeout=30)
    wait_for(lambda: not any(alive(pid) for pid in bridges + offices), "LibreOffice to go", 30)
    wait_for(lambda: not any(d.exists() for d in dirs), "the private directories to go", 30)
