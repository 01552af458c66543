"""What a LibreOffice worker leaves on disk, and removing it.

Shared by the pool (service/conversion/pool.py), which cleans up after a worker it killed, and by
the bridge (service/conversion/uno_bridge.py), which cleans up itself when the service died under it.
Standard library only: the bridge runs under another Python.
"""

from __future__ import annotations

import hashlib
import os
import shutil
import signal
import time
from pathlib import Path


def leftover_sockets(workdir: str, pipe: str) -> list[Path]:
    """The named-pipe sockets a killed soffice leaves in /tmp (an orderly quit removes them):
    ours, and the single-instance pipe, named after an MD5 of the profile URL as LibreOffice
    computes it (desktop/source/app/officeipcthread.cxx). Should a LibreOffice name it
    differently, only that empty socket is left."""
    url = "file://" + os.path.join(workdir, "profile")
    digest = "".join(format(b, "x") for b in hashlib.md5(url.encode("utf-16-le")).digest())
    return [Path(f"/tmp/OSL_PIPE_{os.getuid()}_{name}") for name in (pipe, f"SingleOfficeIPC_{digest}")]


def remove(workdir: str, pipe: str) -> None:
    """The private directory (profile, LibreOffice's temporary files, anything a crash left
    behind: possibly parts of a document) and the empty sockets."""
    shutil.rmtree(workdir, ignore_errors=True)
    for path in leftover_sockets(workdir, pipe):
        try:
            if path.is_socket():
                path.unlink()
        except OSError:
            pass


def group_members(group: int, exclude: int | None = None) -> list[int]:
    """The live (not zombie) processes of a process group, read from /proc."""
    members = []
    for entry in os.listdir("/proc"):
        if entry.isdigit() and int(entry) != exclude:
            try:
                with open(f"/proc/{entry}/stat") as stat:
                    fields = stat.read().rsplit(")", 1)[1].split()
            except OSError:
                continue
            if int(fields[2]) == group and fields[0] != "Z":
                members.append(int(entry))
    return members


def kill_group(group: int, timeout: float = 10.0, exclude: int | None = None) -> list[int]:
    """SIGKILL every process of the group until none is left alive, or the time is up; returns
    what is still alive then. A killed process is not gone at once: a large soffice takes a
    while to give back its memory (and with it a document), so a kill is only done when the
    kernel says so."""
    deadline = time.monotonic() + timeout
    while members := group_members(group, exclude):
        if time.monotonic() >= deadline:
            return members
        for pid in members:
            try:
                os.kill(pid, signal.SIGKILL)
            except (ProcessLookupError, PermissionError):
                pass
        time.sleep(0.02)
    return []
