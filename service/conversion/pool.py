"""A warm pool of headless LibreOffice workers that turn our .docx into .odt or .pdf.

Starting LibreOffice per document costs 1-3 s and falls over under parallel load; a worker
kept running converts one of our documents in a fraction of a second. Each worker is a
bridge process (service/conversion/uno_bridge.py, under a Python that has ``uno``) with its own soffice,
its own user profile and its own private directory (0700), removed when the worker ends.

The pool is per process and starts nothing until it is used or ``start()`` is called: under
gunicorn (preload_app) the app is created in the master and forked, and a LibreOffice
started before the fork would be shared by every worker. gunicorn_conf.py starts the pool
in each worker after the fork; a pool that finds itself in a forked child forgets the
parent's workers (they are not its own) and starts its own.

Nothing here logs or names document content: only counts, times, pids and exception types.
"""

from __future__ import annotations

import atexit
import json
import logging
import os
import secrets
import select
import shutil
import signal
import struct
import subprocess
import sys
import tempfile
import threading
import time
from pathlib import Path

from service.conversion import leftovers

log = logging.getLogger("lnp.converter")

BRIDGE = Path(__file__).with_name("uno_bridge.py")
HEADER = struct.Struct(">II")
SOURCES = ("docx", "odt")
TARGETS = ("pdf", "odt", "docx")


class ConverterUnavailable(Exception):
    """No LibreOffice could do the conversion now (missing, starting, crashed, hung, busy).
    ``reason`` is a technical word for the log."""

    def __init__(self, reason: str):
        super().__init__(reason)
        self.reason = reason


class ConversionFailed(Exception):
    """LibreOffice is fine but could not read the document as the format it was said to be."""


def default_admission() -> int:
    """gunicorn's threads per process (LNP_THREADS, see gunicorn_conf.py) less two."""
    threads = max(1, int(os.environ.get("LNP_THREADS", "32") or 32))
    return max(1, threads - 2)


def default_size() -> int:
    """One LibreOffice per core, shared out among gunicorn's worker processes: a conversion
    keeps a core busy, so more per process would only sit in memory."""
    processes = max(1, int(os.environ.get("LNP_WORKERS", "1") or 1))
    return max(1, (os.cpu_count() or 1) // processes)


_uno_python_cache: dict[str, str | None] = {}


def find_uno_python(soffice: str | None) -> str | None:
    """The first Python that can ``import uno``: this one, Debian's (python3-uno), or the one
    LibreOffice ships next to soffice (The Document Foundation's Linux packages)."""
    candidates = [sys.executable, "/usr/bin/python3"]
    if soffice:
        candidates.append(str(Path(soffice).resolve().parent / "python"))
    key = "\0".join(candidates)
    if key not in _uno_python_cache:
        found = None
        for candidate in candidates:
            if os.access(candidate, os.X_OK):
                probe = subprocess.run([candidate, "-I", "-c", "import uno"], capture_output=True, timeout=30)
                if probe.returncode == 0:
                    found = candidate
                    break
        _uno_python_cache[key] = found
    return _uno_python_cache[key]


def sandbox_command(workdir: str, python: str) -> list[str]:
    """bubblewrap around the bridge and its soffice: no network at all (a document cannot make
    the server fetch an address), and no file outside the system's read-only programs, fonts and
    settings (not the instance folder, not another worker's files, not the host's /tmp).

    The worker's private directory (profile, LibreOffice's temporary files) is made inside the
    sandbox's own /tmp, a memory file system: nothing of a document reaches the host's disk, and
    it is gone with the sandbox's last process, even when no process of ours is left to remove
    it (the service killed with SIGKILL). Bound from the host, the directory would outlive the
    sandbox: a mount point cannot be removed from inside."""
    bwrap = shutil.which("bwrap")
    if bwrap is None:
        raise ConverterUnavailable("sandbox required but bwrap (bubblewrap) is not installed")
    # No --die-with-parent: it follows the thread that started the worker, which ends; the bridge
    # ends itself when the pool closes its input, and the pool kills its process group.
    command = [bwrap, "--unshare-net", "--unshare-ipc",
               "--ro-bind", "/usr", "/usr", "--ro-bind", "/etc", "/etc"]
    for link in ("bin", "sbin", "lib", "lib64"):
        target = Path("/") / link
        if target.is_symlink():
            command += ["--symlink", os.readlink(target), str(target)]
        elif target.is_dir():
            command += ["--ro-bind", str(target), str(target)]
    for extra in ("/opt", str(BRIDGE.parent), str(Path(python).resolve().parents[1])):
        if Path(extra).is_dir() and not extra.startswith("/usr/"):
            command += ["--ro-bind", extra, extra]
    command += ["--dev", "/dev", "--proc", "/proc", "--tmpfs", "/tmp", "--perms", "0700", "--dir", workdir,
                "--setenv", "HOME", workdir, "--chdir", workdir]
    return command


class Worker:
    """One bridge + soffice. Used by one thread at a time (the pool sees to that)."""

    def __init__(self, soffice: str, python: str, start_timeout: float, sandbox: bool = False):
        self.soffice = soffice
        self.python = python
        self.start_timeout = start_timeout
        self.sandbox = sandbox
        self.conversions = 0
        self.retiring = False
        self.process: subprocess.Popen | None = None
        self.workdir: str | None = None
        self.pipe = ""
        self.soffice_pid: int | None = None

    # --- life cycle ----------------------------------------------------------------------------
    def start(self) -> Worker:
        started = time.perf_counter()
        # LibreOffice's profile and temporary files live here: in the sandbox, a directory of its
        # memory-only /tmp (sandbox_command); without it, one mkdtemp makes 0700 on the host.
        if self.sandbox:
            self.workdir = os.path.join("/tmp", f"lnp-lo-{secrets.token_hex(8)}")
        else:
            self.workdir = tempfile.mkdtemp(prefix="lnp-lo-")
        # soffice listens on this named pipe (a socket only this user can open); the name is
        # unguessable so that no other office of ours is reached by mistake.
        self.pipe = f"lnp_{secrets.token_hex(16)}"
        try:
            command = [self.python, "-I", str(BRIDGE), self.soffice, self.workdir, self.pipe, str(self.start_timeout)]
            if self.sandbox:
                command = sandbox_command(self.workdir, self.python) + command
            self.process = subprocess.Popen(
                command,
                stdin=subprocess.PIPE, stdout=subprocess.PIPE, stderr=subprocess.DEVNULL,
                start_new_session=True,  # its own process group: one killpg ends bridge and soffice
            )
            assert self.process.stdin is not None and self.process.stdout is not None  # PIPE above
            os.set_blocking(self.process.stdin.fileno(), False)
            os.set_blocking(self.process.stdout.fileno(), False)
            header, _ = self._receive(time.monotonic() + self.start_timeout + 5)
        except (OSError, _Timeout, _Gone) as exc:
            self.kill()
            raise ConverterUnavailable(f"start failed ({type(exc).__name__})") from None
        if not header.get("ready"):
            self.kill()
            raise ConverterUnavailable(f"start failed ({header.get('exception', '?')})")
        self.soffice_pid = header.get("soffice")
        log.info("converter worker started pid=%s ms=%.0f", self.pid, (time.perf_counter() - started) * 1000)
        return self

    @property
    def pid(self) -> int | None:
        return self.process.pid if self.process else None

    def alive(self) -> bool:
        return self.process is not None and self.process.poll() is None

    def stop(self, grace: float = 10.0) -> None:
        """Ask LibreOffice to quit (it then removes its own pipes), kill it if it does not."""
        if self.alive() and self.process is not None:
            try:
                self._send({"op": "quit"}, b"", time.monotonic() + 1)
                self.process.wait(timeout=grace)
            except (_Timeout, _Gone, subprocess.TimeoutExpired, OSError):
                pass
        self.kill()

    def kill(self) -> None:
        if self.process is not None:
            try:
                os.killpg(self.process.pid, signal.SIGKILL)
            except (ProcessLookupError, PermissionError):
                pass
            try:
                self.process.wait(timeout=10)
            except subprocess.TimeoutExpired:
                log.error("converter worker pid=%s did not die", self.pid)
            # The group's soffice may still be dying (giving back its memory) after the bridge
            # is reaped; the worker is gone only when every process of its group is.
            if left := leftovers.kill_group(self.process.pid, timeout=10):
                log.error("converter worker pid=%s: %d of its processes did not die", self.pid, len(left))
            for stream in (self.process.stdin, self.process.stdout):
                try:
                    if stream is not None:
                        stream.close()
                except OSError:
                    pass
        if self.workdir and not self.sandbox:  # a sandbox's directory went with its memory
            leftovers.remove(self.workdir, self.pipe)
        self.workdir = None

    # --- conversions ---------------------------------------------------------------------------
    def convert(self, data: bytes, source: str, target: str, timeout: float) -> bytes:
        deadline = time.monotonic() + timeout
        self._send({"op": "convert", "source": source, "target": target}, data, deadline)
        header, payload = self._receive(deadline)
        if header.get("ok"):
            return payload
        if header.get("error") == "unreadable":
            raise ConversionFailed(header.get("exception", "?"))
        raise _Gone(header.get("exception", "?"))

    def _pipe(self, name: str) -> int:
        """The file descriptor of the bridge's stdin or stdout; a worker without one is gone."""
        stream = getattr(self.process, name, None) if self.process is not None else None
        if stream is None:
            raise _Gone("no process")
        return stream.fileno()

    def _send(self, header: dict, payload: bytes, deadline: float) -> None:
        raw = json.dumps(header).encode()
        view = memoryview(HEADER.pack(len(raw), len(payload)) + raw + payload)
        fd = self._pipe("stdin")
        while view:
            remaining = deadline - time.monotonic()
            if remaining <= 0:
                raise _Timeout
            _, writable, _ = select.select([], [fd], [], remaining)
            if writable:
                try:
                    view = view[os.write(fd, view):]
                except BlockingIOError:
                    continue
                except (BrokenPipeError, OSError):
                    raise _Gone("pipe") from None

    def _read(self, n: int, deadline: float) -> bytes:
        fd = self._pipe("stdout")
        data = bytearray()
        while len(data) < n:
            remaining = deadline - time.monotonic()
            if remaining <= 0:
                raise _Timeout
            readable, _, _ = select.select([fd], [], [], remaining)
            if readable:
                try:
                    chunk = os.read(fd, n - len(data))
                except BlockingIOError:
                    continue
                if not chunk:
                    raise _Gone("eof")
                data += chunk
        return bytes(data)

    def _receive(self, deadline: float) -> tuple[dict, bytes]:
        header_len, payload_len = HEADER.unpack(self._read(HEADER.size, deadline))
        header = json.loads(self._read(header_len, deadline))
        return header, self._read(payload_len, deadline)


class _Timeout(Exception):
    pass


class _Gone(Exception):
    pass


class ConverterPool:
    """A fixed number of warm LibreOffice workers for this process.

    A worker that crashed or hung is killed and replaced at once (the pool returns to full
    size); one that reached ``max_conversions`` keeps serving until its replacement is up
    (and for as long as a replacement fails to start: an old worker is better than none).
    """

    def __init__(self, size: int | None = None, timeout: float = 15, start_timeout: float = 60,
                 wait_timeout: float = 10, max_conversions: int = 200, retry_after: int = 10,
                 soffice: str | None = None, python: str | None = None, sandbox: str = "auto",
                 admission: int | None = None):
        self.size = size or default_size()
        self.admission = admission or default_admission()
        # "auto": in bubblewrap when it is installed; "required": never without it; "off".
        self.sandbox = sandbox
        self.timeout = timeout
        self.start_timeout = start_timeout
        self.wait_timeout = wait_timeout
        self.max_conversions = max_conversions
        self.retry_after = retry_after
        self.soffice = soffice
        self.python = python
        self._reset()

    @classmethod
    def from_config(cls, config) -> ConverterPool:
        return cls(size=config["CONVERTER_POOL_SIZE"], timeout=config["CONVERTER_TIMEOUT"],
                   start_timeout=config["CONVERTER_START_TIMEOUT"], wait_timeout=config["CONVERTER_WAIT_TIMEOUT"],
                   max_conversions=config["CONVERTER_MAX_CONVERSIONS"], retry_after=config["CONVERTER_RETRY_AFTER"],
                   soffice=config["CONVERTER_SOFFICE"], python=config["CONVERTER_PYTHON"],
                   sandbox=config["CONVERTER_SANDBOX"], admission=config["CONVERTER_ADMISSION"])

    @property
    def sandboxed(self) -> bool:
        return self.sandbox == "required" or (self.sandbox == "auto" and shutil.which("bwrap") is not None)

    def _reset(self) -> None:
        # Fresh state for this process: a lock copied by fork may be held by a thread that
        # does not exist here, and the parent's workers are the parent's.
        self._owner = os.getpid()
        self._cond = threading.Condition()
        self._workers: list[Worker] = []
        self._idle: list[Worker] = []
        self._starting = 0
        self._failed_until = 0.0
        self._closed = False
        self._exit_hook = False
        self._monitor: threading.Thread | None = None
        self._admitted = threading.BoundedSemaphore(self.admission)

    def _check_owner(self) -> None:
        if self._owner != os.getpid():
            self._reset()

    # --- public --------------------------------------------------------------------------------
    def start(self) -> None:
        """Begin starting the workers in the background; returns at once."""
        self._check_owner()
        with self._cond:
            self._closed = False
            self._fill()

    def wait_ready(self, timeout: float | None = None) -> bool:
        """Wait until the pool is at full size (for benchmarks, tests and the CLI)."""
        self._check_owner()
        deadline = time.monotonic() + (timeout if timeout is not None else self.start_timeout + 10)
        with self._cond:
            while self._active() < self.size:
                if self._starting == 0 and time.monotonic() < self._failed_until:
                    return False
                remaining = deadline - time.monotonic()
                if remaining <= 0:
                    return False
                self._cond.wait(remaining)
            return True

    def convert(self, data: bytes, source: str, target: str) -> bytes:
        if source not in SOURCES or target not in TARGETS:
            raise ValueError("unsupported conversion")
        self._check_owner()
        if not self._admitted.acquire(blocking=False):
            # Every admitted request is waiting for or inside LibreOffice: this one answers at
            # once, and the process's remaining threads stay free for .docx requests.
            raise ConverterUnavailable("too many conversions waiting")
        try:
            return self._convert(data, source, target)
        finally:
            self._admitted.release()

    def _convert(self, data: bytes, source: str, target: str) -> bytes:
        worker = self._acquire()
        started = time.perf_counter()
        try:
            result = worker.convert(data, source, target, self.timeout)
        except ConversionFailed:
            self._release(worker)
            raise
        except _Timeout:
            log.error("conversion %s->%s timed out after %.0f s; converter worker pid=%s killed",
                      source, target, self.timeout, worker.pid)
            self._discard(worker)
            raise ConverterUnavailable("timeout") from None
        except (_Gone, OSError) as exc:
            log.error("converter worker pid=%s died during a conversion (%s)", worker.pid, type(exc).__name__)
            self._discard(worker)
            raise ConverterUnavailable("crashed") from None
        worker.conversions += 1
        log.info("conversion %s->%s ms=%.0f worker=%s", source, target, (time.perf_counter() - started) * 1000, worker.pid)
        self._release(worker)
        return result

    def stats(self) -> dict:
        """Counts and, per worker, the bridge pid (which leads the process group of its
        soffice), whether it is converting now and how many it has converted."""
        self._check_owner()
        with self._cond:
            return {
                "size": self.size, "live": self._active(), "retiring": len(self._workers) - self._active(),
                "idle": len(self._idle), "starting": self._starting,
                "workers": [{"pid": w.pid, "busy": w not in self._idle, "retiring": w.retiring,
                             "conversions": w.conversions} for w in self._workers],
            }

    def shutdown(self) -> None:
        if self._owner != os.getpid():
            return
        with self._cond:
            self._closed = True
            idle = set(self._idle)
            workers, self._workers, self._idle = self._workers, [], []
            self._cond.notify_all()
        # An idle worker is asked to quit; a busy one is killed (its pipe is in use by the
        # thread converting, and that request answers 503).
        threads = [threading.Thread(target=w.stop, args=(2,)) if w in idle else threading.Thread(target=w.kill)
                   for w in workers]
        for t in threads:
            t.start()
        for t in threads:
            t.join()

    # --- internals (call with self._cond held unless said otherwise) ----------------------------
    def _active(self) -> int:
        return sum(1 for w in self._workers if not w.retiring)

    def _fill(self) -> None:
        if self._closed or time.monotonic() < self._failed_until:
            return
        if not self._exit_hook:
            atexit.register(self.shutdown)
            self._exit_hook = True
        if self._monitor is None or not self._monitor.is_alive():
            self._monitor = threading.Thread(target=self._watch, name="lnp-converter-monitor", daemon=True)
            self._monitor.start()
        for _ in range(self.size - self._active() - self._starting):
            self._starting += 1
            threading.Thread(target=self._start_one, name="lnp-converter-start", daemon=True).start()

    def _start_one(self) -> None:  # background thread, without the lock
        try:
            soffice = self.soffice or shutil.which("soffice") or shutil.which("libreoffice")
            if not soffice or not os.access(soffice, os.X_OK):
                raise ConverterUnavailable("LibreOffice (soffice) not found")
            python = self.python or find_uno_python(soffice)
            if not python:
                raise ConverterUnavailable("no Python with the uno module (Debian: python3-uno)")
            worker = Worker(soffice, python, self.start_timeout, self.sandboxed).start()
        except (ConverterUnavailable, OSError, subprocess.SubprocessError) as exc:
            log.warning("converter unavailable: %s; odt and pdf answer 503 (retry in %s s)",
                        getattr(exc, "reason", type(exc).__name__), self.retry_after)
            with self._cond:
                self._starting -= 1
                self._failed_until = time.monotonic() + self.retry_after
                self._cond.notify_all()
            return
        with self._cond:
            self._starting -= 1
            if self._closed or self._owner != os.getpid():
                retired = [worker]
            else:
                self._workers.append(worker)
                self._idle.append(worker)
                retired = self._take_idle_retiring() if self._active() >= self.size else []
            self._cond.notify_all()
        for old in retired:
            old.stop()

    def _watch(self) -> None:  # background thread, without the lock
        """Replace idle workers that died (a bridge ends when its soffice dies), so the pool
        is back at full size without waiting for a request to find out."""
        owner = self._owner
        while True:
            time.sleep(1)
            with self._cond:
                if self._closed or self._owner != owner:
                    return
                dead = self._take_dead_idle()
                if dead:
                    self._fill()
                    self._cond.notify_all()
            for worker in dead:
                log.error("converter worker pid=%s died while idle", worker.pid)
                worker.kill()

    def _take_dead_idle(self) -> list[Worker]:
        dead = [w for w in self._idle if not w.alive()]
        for w in dead:
            self._idle.remove(w)
            self._workers.remove(w)
        return dead

    def _take_idle_retiring(self) -> list[Worker]:
        retired = [w for w in self._idle if w.retiring]
        for w in retired:
            self._idle.remove(w)
            self._workers.remove(w)
        return retired

    def _acquire(self) -> Worker:  # without the lock
        self._check_owner()
        deadline = time.monotonic() + self.wait_timeout
        with self._cond:
            if self._closed:
                raise ConverterUnavailable("shut down")
            self._fill()
            while True:
                dead = self._take_dead_idle()
                if dead:
                    for worker in dead:
                        threading.Thread(target=worker.kill, daemon=True).start()
                    self._fill()
                if self._idle:
                    fresh = [w for w in self._idle if not w.retiring]
                    worker = fresh[0] if fresh else self._idle[0]
                    self._idle.remove(worker)
                    return worker
                if not self._workers and self._starting == 0:
                    raise ConverterUnavailable("not running")
                remaining = deadline - time.monotonic()
                if remaining <= 0:
                    raise ConverterUnavailable("all workers busy")
                self._cond.wait(remaining)

    def _release(self, worker: Worker) -> None:  # without the lock
        retired = []
        with self._cond:
            if worker not in self._workers:  # shut down meanwhile
                retired = [worker]
            elif worker.retiring and self._active() >= self.size:  # its replacement is up
                self._workers.remove(worker)
                retired = [worker]
            else:
                if not worker.retiring and worker.conversions >= self.max_conversions:
                    log.info("converter worker pid=%s recycled after %s conversions", worker.pid, worker.conversions)
                    worker.retiring = True
                    self._fill()
                self._idle.append(worker)
            self._cond.notify()
        for old in retired:
            threading.Thread(target=old.stop, daemon=True).start()

    def _discard(self, worker: Worker) -> None:  # without the lock
        worker.kill()
        with self._cond:
            if worker in self._workers:
                self._workers.remove(worker)
            self._fill()
            self._cond.notify_all()
