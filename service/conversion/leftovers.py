"""What a LibreOffice worker leaves on disk, and removing it.

Shared by the pool (service/converter.py), which cleans up after a worker it killed, and by
the bridge (service/conversion/uno_bridge.py), which cleans up itself when the service died under it.
Standard library only: the bridge runs under another Python.
"""

from __future__ import annotations

import hashlib
import os
import shutil
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
