"""Versions of each document type's template, on disk under the instance folder.

    <instance>/templates/<type>/v0003/template.docx   immutable once written
    <instance>/templates/<type>/v0003/meta.json       hash, uploader, time, checker report
    <instance>/templates/<type>/active.json           {"version": 3, "history": [0, 3]}

Version 0 of every type is the built-in template in templates_docx/. A version becomes active
only when its check passed and someone activates it. The active pointer is replaced
atomically (write, fsync, os.replace, fsync of the folder), and every process re-reads it
when it changes, so gunicorn workers pick up an activation without a restart. A render holds
one loaded template object from start to end, so it is wholly the old or wholly the new.
"""

from __future__ import annotations

import datetime as dt
import hashlib
import json
import os
import shutil
import threading
import uuid
from collections import OrderedDict
from dataclasses import dataclass
from pathlib import Path

from .registry import CONTEXT_EXTRAS, DOCUMENT_TYPES, TEMPLATES_DIR, DocumentType
from .template_check import Report, check
from .templating import LoadedTemplate, load_template

BUILTIN = 0
_CACHE_SIZE = 16  # loaded templates kept per process (a few versions of four types)


def as_docx(data: bytes, converter) -> bytes:
    """An uploaded template as .docx: an .odt saved in LibreOffice is checked at the zip level
    and converted by the warm LibreOffice pool; anything else is passed on as it is."""
    from .converter import ConversionFailed, ConverterUnavailable
    from .upload_safety import UnsafeTemplate, check_odt_upload, is_odt

    if not is_odt(data):
        return data
    try:
        check_odt_upload(data)
    except UnsafeTemplate as exc:
        raise StoreError("Tiedostoa ei voi ottaa asiakirjapohjaksi: " + " ".join(exc.messages), 422) from None
    try:
        if converter is None:
            raise ConverterUnavailable("no converter")
        return converter.convert(data, "odt", "docx")
    except ConverterUnavailable:
        raise StoreError("LibreOffice ei ole juuri nyt käytettävissä, joten .odt-pohjaa ei voi muuntaa. "
                         "Yritä hetken kuluttua tai tallenna pohja .docx-muodossa.", 503) from None
    except ConversionFailed:
        raise StoreError("Tiedosto ei ole luettava OpenDocument-tekstiasiakirja (.odt).", 422) from None


class StoreError(Exception):
    """An operation on the store cannot be done; the message is Finnish, ``status`` an HTTP code."""

    def __init__(self, message: str, status: int = 409):
        super().__init__(message)
        self.message = message
        self.status = status


@dataclass(frozen=True)
class Version:
    type_id: str
    version: int
    sha256: str
    uploader: str
    uploaded_at: str
    ok: bool
    report: dict

    def as_dict(self, active: int | None = None) -> dict:
        data = {
            "version": self.version,
            "sha256": self.sha256,
            "uploader": self.uploader,
            "uploaded_at": self.uploaded_at,
            "check_passed": self.ok,
            "report": self.report,
        }
        if active is not None:
            data["active"] = self.version == active
        return data


def _fsync_dir(path: Path) -> None:
    fd = os.open(path, os.O_RDONLY)
    try:
        os.fsync(fd)
    finally:
        os.close(fd)


def _write_atomic(path: Path, data: bytes) -> None:
    tmp = path.with_name(f".{path.name}.{uuid.uuid4().hex}.tmp")
    try:
        with open(tmp, "wb") as handle:
            handle.write(data)
            handle.flush()
            os.fsync(handle.fileno())
        os.replace(tmp, path)
        _fsync_dir(path.parent)
    finally:
        if tmp.exists():
            tmp.unlink()


class TemplateStore:
    def __init__(self, root: Path | None = None, builtin_dir: Path = TEMPLATES_DIR):
        self.root = Path(root) if root is not None else None
        self.builtin_dir = builtin_dir
        self._lock = threading.Lock()
        self._loaded: OrderedDict[tuple[str, int], LoadedTemplate] = OrderedDict()
        self._pointers: dict[str, tuple[tuple, int]] = {}

    # --- reading -----------------------------------------------------------------------------
    def get(self, doc_type: DocumentType) -> LoadedTemplate:
        """The active template of a type (checked, prepared, cached per process)."""
        return self.load(doc_type, self.active_version(doc_type.id))

    def load(self, doc_type: DocumentType, version: int) -> LoadedTemplate:
        key = (doc_type.id, version)
        with self._lock:
            template = self._loaded.get(key)
            if template is not None:
                self._loaded.move_to_end(key)
                return template
        data = self.read(doc_type.id, version)
        template = load_template(f"{doc_type.template()}@{version}", data, doc_type.fields, CONTEXT_EXTRAS)
        template.version = version
        with self._lock:
            self._loaded[key] = template
            while len(self._loaded) > _CACHE_SIZE:
                self._loaded.popitem(last=False)
        return template

    def read(self, type_id: str, version: int) -> bytes:
        if version == BUILTIN:
            return (self.builtin_dir / DOCUMENT_TYPES[type_id].template()).read_bytes()
        path = self._version_dir(type_id, version) / "template.docx"
        if not (path.parent / "meta.json").exists():
            raise StoreError("Versiota ei ole.", 404)
        return path.read_bytes()

    def active_version(self, type_id: str) -> int:
        pointer = self._pointer_path(type_id)
        if pointer is None:
            return BUILTIN
        try:
            stat = pointer.stat()
        except FileNotFoundError:
            return BUILTIN
        signature = (stat.st_ino, stat.st_mtime_ns, stat.st_size)
        cached = self._pointers.get(type_id)
        if cached and cached[0] == signature:
            return cached[1]
        version = int(json.loads(pointer.read_text(encoding="utf-8"))["version"])
        self._pointers[type_id] = (signature, version)
        return version

    def history(self, type_id: str) -> list[int]:
        pointer = self._pointer_path(type_id)
        if pointer is None or not pointer.exists():
            return [BUILTIN]
        return list(json.loads(pointer.read_text(encoding="utf-8")).get("history", [BUILTIN]))

    def versions(self, type_id: str) -> list[Version]:
        builtin = self.read(type_id, BUILTIN)
        found = [Version(type_id, BUILTIN, hashlib.sha256(builtin).hexdigest(), "sisäänrakennettu", "",
                         True, {"ok": True, "findings": []})]
        if self.root is not None and (self.root / type_id).is_dir():
            for folder in sorted((self.root / type_id).glob("v[0-9][0-9][0-9][0-9]")):
                meta = folder / "meta.json"
                if meta.exists():  # a folder without meta.json is an interrupted upload
                    found.append(Version(type_id=type_id, **json.loads(meta.read_text(encoding="utf-8"))))
        return found

    def version(self, type_id: str, version: int) -> Version:
        for item in self.versions(type_id):
            if item.version == version:
                return item
        raise StoreError("Versiota ei ole.", 404)

    # --- changing ----------------------------------------------------------------------------
    def upload(self, doc_type: DocumentType, data: bytes, uploader: str) -> tuple[Version, Report]:
        """Check and store a new immutable version. Unsafe files are refused and not stored;
        a file that fails the template check is stored with its report but cannot be activated."""
        root = self._require_root()
        report = check(data, doc_type)
        if report.refused:
            raise StoreError("Tiedostoa ei voi ottaa asiakirjapohjaksi: "
                             + " ".join(f.message for f in report.findings), 422)
        stored = report.fixed or data
        folder = root / doc_type.id
        folder.mkdir(parents=True, exist_ok=True)
        for _ in range(100):
            number = max([v.version for v in self.versions(doc_type.id)] + [self._highest_folder(doc_type.id)]) + 1
            target = self._version_dir(doc_type.id, number)
            try:
                target.mkdir()  # claims the number; a concurrent upload takes the next one
                break
            except FileExistsError:
                continue
        else:
            raise StoreError("Versionumeroa ei saatu varattua.", 503)
        meta = {
            "version": number,
            "sha256": hashlib.sha256(stored).hexdigest(),
            "uploader": uploader,
            "uploaded_at": dt.datetime.now(dt.timezone.utc).isoformat(timespec="seconds"),
            "ok": report.ok,
            "report": report.as_dict(),
        }
        try:
            _write_atomic(target / "template.docx", stored)
            _write_atomic(target / "meta.json", json.dumps(meta, ensure_ascii=False, indent=2).encode("utf-8"))
        except OSError:
            shutil.rmtree(target, ignore_errors=True)
            raise StoreError("Asiakirjapohjaa ei voitu tallentaa (levy täynnä tai kirjoitus estetty). "
                             "Aktiivinen versio ei muuttunut.", 507) from None
        return Version(type_id=doc_type.id, **meta), report

    def activate(self, doc_type: DocumentType, version: int, actor: str) -> None:
        target = self.version(doc_type.id, version)
        if not target.ok:
            raise StoreError("Versiota ei voi ottaa käyttöön: sen tarkistuksessa oli virheitä.", 409)
        self.load(doc_type, version)  # proves it loads here before any worker switches to it
        history = self.history(doc_type.id)
        if history[-1] != version:
            history.append(version)
        self._write_pointer(doc_type.id, {"version": version, "history": history[-50:],
                                          "activated_by": actor,
                                          "activated_at": dt.datetime.now(dt.timezone.utc).isoformat(timespec="seconds")})

    def rollback(self, doc_type: DocumentType, actor: str, version: int | None = None) -> int:
        """Back to ``version``, or to the version active before the current one."""
        if version is None:
            history = self.history(doc_type.id)
            if len(history) < 2:
                raise StoreError("Aiempaa versiota ei ole.", 409)
            version = history[-2]
            history = history[:-1]
        else:
            history = self.history(doc_type.id) + [version]
        self.version(doc_type.id, version)
        self.load(doc_type, version)
        self._write_pointer(doc_type.id, {"version": version, "history": history[-50:], "activated_by": actor,
                                          "activated_at": dt.datetime.now(dt.timezone.utc).isoformat(timespec="seconds")})
        return version

    # --- helpers -----------------------------------------------------------------------------
    def _require_root(self) -> Path:
        if self.root is None:
            raise StoreError("Asiakirjapohjien tallennuskansiota ei ole määritetty.", 503)
        self.root.mkdir(parents=True, exist_ok=True)
        return self.root

    def _write_pointer(self, type_id: str, content: dict) -> None:
        root = self._require_root()
        (root / type_id).mkdir(parents=True, exist_ok=True)
        try:
            _write_atomic(root / type_id / "active.json", json.dumps(content).encode("utf-8"))
        except OSError:
            raise StoreError("Käyttöönottoa ei voitu tallentaa; aktiivinen versio ei muuttunut.", 507) from None

    def _pointer_path(self, type_id: str) -> Path | None:
        return None if self.root is None else self.root / type_id / "active.json"

    def _version_dir(self, type_id: str, version: int) -> Path:
        return self._require_root() / type_id / f"v{version:04d}"

    def _highest_folder(self, type_id: str) -> int:
        folder = self.root / type_id if self.root is not None else None
        if folder is None or not folder.is_dir():
            return 0
        numbers = [int(p.name[1:]) for p in folder.glob("v[0-9][0-9][0-9][0-9]")]
        return max(numbers, default=0)
