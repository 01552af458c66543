"""Sentinel: case data must not land anywhere but in the document handed back.

Every example is rendered with its names and free texts replaced by unique markers, through
the API (gunicorn, real HTTP) and the CLI (``lnp render -o -``), once accepted and once
refused. Then every log line of the run, the server's output, every file under the instance
folder, the processes' temp dirs and the system temp dir (zip members included: a .docx left
behind is compressed) are searched: no marker may be found.
"""

from __future__ import annotations

import copy
import io
import json
import os
import secrets
import string
import subprocess
import tempfile
import time
import zipfile
from pathlib import Path

import pytest
import requests

from service.problems import ApiError
from service.registry import DOCUMENT_TYPES
from service.validation import validate
from tests.conftest import EXTRA_LOG_TEXT, LNP, LOG_COLLECTOR, TYPE_IDS, load_example, read_from_outside
from tests.docxtext import all_text

NAME_KEYS = {"given_names", "surname", "calling_name", "first_name", "name"}
MAX_SCANNED_FILE = 64 * 1024 * 1024


def marker() -> str:
    return "Merkki" + "".join(secrets.choice(string.ascii_lowercase) for _ in range(12))


def _paths(data, path=()):
    if isinstance(data, dict):
        for key, value in data.items():
            yield from _paths(value, path + (key,))
    elif isinstance(data, list):
        for index, value in enumerate(data):
            yield from _paths(value, path + (index,))
    else:
        yield path, data


def _set(data, path, value):
    for key in path[:-1]:
        data = data[key]
    data[path[-1]] = value


def _get(data, path):
    for key in path:
        data = data[key]
    return data


def marked(type_id: str) -> tuple[dict, list[str]]:
    """The example with every name and every free text (a value with a space in it) replaced
    by a marker, keeping the original wherever the schema refuses the marker."""
    doc_type = DOCUMENT_TYPES[type_id]
    original = load_example(type_id)
    payload = copy.deepcopy(original)
    placed = {}
    names: dict[str, str] = {}
    # What the service only reads is never printed (the plan's copy of the questions, which its
    # answers must repeat word for word): no marker there.
    read_only = {path for path, leaf in doc_type.fields.walk() if leaf.service_only}
    for path, value in _paths(original):
        if not isinstance(value, str) or path[-1] == "case_ref":
            continue
        if "".join("[]" if isinstance(p, int) else f".{p}" for p in path).lstrip(".") in read_only:
            continue
        if path[-1] in NAME_KEYS or (" " in value and len(value) > 20):
            # One marker per name: a plan's view names its child as the children's list does.
            placed[path] = names.setdefault(value, marker()) if path[-1] in NAME_KEYS else \
                f"{marker()} ja {marker()} kertovat tilanteesta."
            _set(payload, path, placed[path])
    for path, value in _paths(original):  # the same name elsewhere (a view's "child") takes the same marker
        if path not in placed and isinstance(value, str) and value in names and path[-1] not in NAME_KEYS:
            placed[path] = names[value]
            _set(payload, path, placed[path])
    for path in [p for p in placed if p[-1] == "calling_name"]:  # must be one of the given names
        given = _get(payload, path[:-1] + ("given_names",))
        _set(payload, path, given.split()[0])
        del placed[path]
    for _ in range(5):
        try:
            validate(doc_type, payload)
            break
        except ApiError as exc:
            failing = {e["path"] for e in exc.errors}
            for path in list(placed):
                dotted = "".join(f"[{p}]" if isinstance(p, int) else f".{p}" for p in path).lstrip(".")
                if dotted in failing:
                    _set(payload, path, _get(original, path))
                    del placed[path]
    validate(doc_type, payload)
    markers = list(dict.fromkeys(word for text in placed.values() for word in text.split()
                                 if word.startswith("Merkki")))
    return payload, markers


def scan(roots: list[Path], since: float, markers: list[str]) -> list[str]:
    """Every (file, marker) where a marker occurs, zip members included."""
    needles = [m.encode() for m in markers]
    found = []

    def check(name: str, blob: bytes):
        found.extend(f"{name}: {m.decode()}" for m in needles if m in blob)

    for root in roots:
        for dirpath, _, files in os.walk(root):
            for file_name in files:
                path = Path(dirpath) / file_name
                try:
                    stat = path.stat()
                    if stat.st_mtime < since or stat.st_size > MAX_SCANNED_FILE or not path.is_file():
                        continue
                    blob = read_from_outside(path)  # never open a database this process holds
                except OSError:
                    continue
                check(str(path), blob)
                if blob[:2] == b"PK":
                    try:
                        with zipfile.ZipFile(io.BytesIO(blob)) as archive:
                            for member in archive.infolist():
                                if member.file_size <= MAX_SCANNED_FILE:
                                    check(f"{path}!{member.filename}", archive.read(member))
                    except (zipfile.BadZipFile, OSError, RuntimeError):
                        pass
    return found


def test_the_scan_finds_a_marker_hidden_in_a_docx(tmp_path):
    # A scan that cannot find anything would make the sentinel pass for nothing.
    hidden = marker()
    since = time.time() - 1
    with zipfile.ZipFile(tmp_path / "left-behind.docx", "w", zipfile.ZIP_DEFLATED) as archive:
        archive.writestr("word/document.xml", f"<w:t>{hidden}</w:t>" * 50)
    (tmp_path / "plain.log").write_text(f"line {hidden}\n")
    assert len(scan([tmp_path], since, [hidden])) == 2


def test_no_marker_reaches_any_log_or_file(server, instance, tmp_path_factory):
    since = time.time() - 1
    cli_temp = tmp_path_factory.mktemp("cli-tmp")
    env = {**os.environ, "TMPDIR": str(cli_temp)}
    all_markers: list[str] = []
    for type_id in TYPE_IDS:
        payload, markers = marked(type_id)
        assert len(markers) >= 4, type_id
        all_markers += markers
        body = json.dumps(payload).encode()

        api = requests.post(f"{server.url}/api/v1/documents/{type_id}", data=body, timeout=30,
                            headers={**server.headers(), "Content-Type": "application/json"})
        assert api.status_code == 200
        cli = subprocess.run([LNP, "render", type_id, "-", "-o", "-"], input=body, capture_output=True, env=env,
                             timeout=120)
        assert cli.returncode == 0, cli.stderr.decode()
        EXTRA_LOG_TEXT.append(cli.stderr.decode("utf-8", "replace"))
        for document in (api.content, cli.stdout):  # the markers really went through the renderer
            text = all_text(document)
            assert sum(m in text for m in markers) >= len(markers) // 2

        refused = copy.deepcopy(payload)
        refused["document_date"] = "2026-02-30"
        bad_api = requests.post(f"{server.url}/api/v1/documents/{type_id}", json=refused, headers=server.headers(),
                                timeout=30)
        assert bad_api.status_code == 422 and not any(m in bad_api.text for m in markers)
        bad_cli = subprocess.run([LNP, "render", type_id, "-", "-o", "-"], input=json.dumps(refused).encode(),
                                 capture_output=True, env=env, timeout=120)
        assert bad_cli.returncode == 2 and not any(m.encode() in bad_cli.stderr for m in markers)
        EXTRA_LOG_TEXT.append(bad_cli.stderr.decode("utf-8", "replace"))

    time.sleep(0.5)  # let gunicorn's workers flush their log lines
    logs = "\n".join(LOG_COLLECTOR.lines + EXTRA_LOG_TEXT) + server.log.read_text(encoding="utf-8", errors="replace")
    assert not [m for m in all_markers if m in logs]
    roots = [instance, server.temp, cli_temp, Path(tempfile.gettempdir())]
    assert scan(roots, since, all_markers) == []
    print(f"sentinel: {len(all_markers)} markers, {len(TYPE_IDS) * 4} renders (API and CLI, accepted and refused), "
          f"searched {', '.join(str(r) for r in roots)}")


@pytest.mark.parametrize("type_id", TYPE_IDS)
def test_markers_are_placed_in_names_and_texts(type_id):
    payload, markers = marked(type_id)
    assert len(set(markers)) == len(markers)
    assert any(k in NAME_KEYS for path, v in _paths(payload) if isinstance(v, str) and v.startswith("Merkki")
               for k in path[-1:])
