"""Versions of each document type's template in each language, on disk under the instance folder.

    <instance>/templates/<type>/<lang>/v0003/template.docx   immutable once written
    <instance>/templates/<type>/<lang>/v0003/meta.json       hash, uploader, time, checker report
    <instance>/templates/<type>/<lang>/active.json           {"version": 3, "history": [0, 3]}

Every (type, language) has its own numbering, history and active version: activating a Swedish
version leaves the Finnish and English ones as they were. Version 0 of every (type, language) is
the built-in template templates_docx/<lang>/<type>.docx. A version becomes active only when its
check (with that language's example case) passed and someone activates it. The active pointer is replaced
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

from schemas.i18n import DEFAULT, Msg, UnknownLanguage, gettext, known_language, translate
from service.conversion.pool import ConversionFailed, ConverterUnavailable
from service.problems import ApiError
from service.registry import CONTEXT_EXTRAS, DOCUMENT_TYPES, TEMPLATES_DIR, DocumentType
from service.rendering.docx_template import LoadedTemplate, Problem, TemplateInvalid, load_template
from service.wordtemplates.checker import Report, check
from service.wordtemplates.upload_safety import UnsafeTemplate, check_odt_upload, check_upload, is_odt

BUILTIN = 0
_CACHE_SIZE = 48  # loaded templates kept per process (a few versions of four types in three languages)


def as_docx(data: bytes, converter) -> bytes:
    """An uploaded template as .docx: an .odt saved in LibreOffice is checked at the zip level
    and converted by the warm LibreOffice pool; anything else is passed on as it is."""
    if not is_odt(data):
        return data
    try:
        check_odt_upload(data)
    except UnsafeTemplate as exc:
        raise StoreError(Msg("Tiedostoa ei voi ottaa asiakirjapohjaksi: {reasons}").format(
            reasons=" ".join(translate(m) for m in exc.messages)), 422) from None
    try:
        if converter is None:
            raise ConverterUnavailable("no converter")
        return converter.convert(data, "odt", "docx")
    except ConverterUnavailable:
        raise StoreError(Msg("LibreOffice ei ole juuri nyt käytettävissä, joten .odt-pohjaa ei voi muuntaa. "
                             "Yritä hetken kuluttua tai tallenna pohja .docx-muodossa."), 503) from None
    except ConversionFailed:
        raise StoreError(Msg("Tiedosto ei ole luettava OpenDocument-tekstiasiakirja (.odt)."), 422) from None


class StoreError(ApiError):
    """An operation on the store cannot be done: the project's one error family (an HTTP status
    and a message, answered by the API's error handler as it is); ``message`` is in the current
    message language (translated when raised) so the pages can show it as it is."""

    def __init__(self, message: str, status: int = 409):
        super().__init__(status, translate(message))


def check_language(language: str) -> str:
    """``language`` when it is one of fi, sv, en; it is also a folder name, so nothing else passes."""
    try:
        known_language(language)
    except UnknownLanguage as exc:
        raise StoreError(exc.message, 400) from None
    return language


@dataclass(frozen=True)
class Version:
    type_id: str
    version: int
    sha256: str
    uploader: str
    uploaded_at: str
    ok: bool
    report: dict
    language: str = DEFAULT

    def as_dict(self, active: int | None = None) -> dict:
        data = {
            "version": self.version,
            "language": self.language,
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


def _now() -> str:
    return dt.datetime.now(dt.UTC).isoformat(timespec="seconds")


class TemplateStore:
    def __init__(self, root: Path | None = None, builtin_dir: Path = TEMPLATES_DIR):
        self.root = Path(root) if root is not None else None
        self.builtin_dir = builtin_dir
        self._lock = threading.Lock()
        self._loaded: OrderedDict[tuple[str, str, int], LoadedTemplate] = OrderedDict()
        self._pointers: dict[tuple[str, str], tuple[tuple, int]] = {}
        self._adopt_legacy_layout()

    # --- reading -----------------------------------------------------------------------------
    def get(self, doc_type: DocumentType, language: str = DEFAULT) -> LoadedTemplate:
        """The active template of a type in a language (checked, prepared, cached per process)."""
        return self.load(doc_type, self.active_version(doc_type.id, language), language)

    def load(self, doc_type: DocumentType, version: int, language: str = DEFAULT) -> LoadedTemplate:
        """One version, loaded so that its filters print ``language`` (dates, names, labels)."""
        key = (doc_type.id, check_language(language), version)
        with self._lock:
            template = self._loaded.get(key)
            if template is not None:
                self._loaded.move_to_end(key)
                return template
        data = self.read(doc_type.id, version, language)
        try:
            # Checked again on every load, so that a version stored before a check was tightened
            # cannot act either: every rendered document's structure is its template's.
            check_upload(data)
        except UnsafeTemplate as exc:
            raise TemplateInvalid([Problem("error", "tiedosto", None, "", message) for message in exc.messages]) from None
        template = load_template(f"{doc_type.template(language)}@{version}", data, doc_type.fields, CONTEXT_EXTRAS,
                                 language=language)
        template.version = version
        with self._lock:
            self._loaded[key] = template
            while len(self._loaded) > _CACHE_SIZE:
                self._loaded.popitem(last=False)
        return template

    def read(self, type_id: str, version: int, language: str = DEFAULT) -> bytes:
        check_language(language)
        if version == BUILTIN:
            return (self.builtin_dir / DOCUMENT_TYPES[type_id].template(language)).read_bytes()
        path = self._version_dir(type_id, language, version) / "template.docx"
        if not (path.parent / "meta.json").exists():
            raise StoreError(Msg("Versiota ei ole."), 404)
        return path.read_bytes()

    def active_version(self, type_id: str, language: str = DEFAULT) -> int:
        pointer = self._pointer_path(type_id, language)
        if pointer is None:
            return BUILTIN
        try:
            stat = pointer.stat()
        except FileNotFoundError:
            return BUILTIN
        signature = (stat.st_ino, stat.st_mtime_ns, stat.st_size)
        cached = self._pointers.get((type_id, language))
        if cached and cached[0] == signature:
            return cached[1]
        version = int(json.loads(pointer.read_text(encoding="utf-8"))["version"])
        self._pointers[(type_id, language)] = (signature, version)
        return version

    def history(self, type_id: str, language: str = DEFAULT) -> list[int]:
        pointer = self._pointer_path(type_id, language)
        if pointer is None or not pointer.exists():
            return [BUILTIN]
        return list(json.loads(pointer.read_text(encoding="utf-8")).get("history", [BUILTIN]))

    def versions(self, type_id: str, language: str = DEFAULT) -> list[Version]:
        builtin = self.read(type_id, BUILTIN, language)
        found = [Version(type_id, BUILTIN, hashlib.sha256(builtin).hexdigest(), "sisäänrakennettu", "",
                         True, {"ok": True, "findings": []}, language)]
        folder = self._folder(type_id, language)
        if folder is not None and folder.is_dir():
            for path in sorted(folder.glob("v[0-9][0-9][0-9][0-9]")):
                meta = path / "meta.json"
                if meta.exists():  # a folder without meta.json is an interrupted upload
                    fields = json.loads(meta.read_text(encoding="utf-8"))
                    fields.pop("language", None)  # the folder says it
                    found.append(Version(type_id=type_id, language=language, **fields))
        return found

    def version(self, type_id: str, version: int, language: str = DEFAULT) -> Version:
        for item in self.versions(type_id, language):
            if item.version == version:
                return item
        raise StoreError(Msg("Versiota ei ole."), 404)

    # --- changing ----------------------------------------------------------------------------
    def upload(self, doc_type: DocumentType, data: bytes, uploader: str,
               language: str = DEFAULT) -> tuple[Version, Report]:
        """Check (with the ``language`` example case) and store a new immutable version of the
        ``language`` template. Unsafe files are refused and not stored; a file that fails the
        template check is stored with its report but cannot be activated."""
        check_language(language)
        self._require_root()
        report = check(data, doc_type, language=language)
        if report.refused:
            raise StoreError(Msg("Tiedostoa ei voi ottaa asiakirjapohjaksi: {reasons}").format(
                reasons=" ".join(translate(f.message) for f in report.findings)), 422)
        stored = report.fixed or data
        folder = self._folder(doc_type.id, language)
        folder.mkdir(parents=True, exist_ok=True)
        for _ in range(100):
            number = max([v.version for v in self.versions(doc_type.id, language)]
                         + [self._highest_folder(doc_type.id, language)]) + 1
            target = self._version_dir(doc_type.id, language, number)
            try:
                target.mkdir()  # claims the number; a concurrent upload takes the next one
                break
            except FileExistsError:
                continue
        else:
            raise StoreError(Msg("Versionumeroa ei saatu varattua."), 503)
        meta = {
            "version": number,
            "sha256": hashlib.sha256(stored).hexdigest(),
            "uploader": uploader,
            "uploaded_at": _now(),
            "ok": report.ok,
            "report": report.as_dict(),
        }
        try:
            _write_atomic(target / "template.docx", stored)
            _write_atomic(target / "meta.json", json.dumps({**meta, "language": language}, ensure_ascii=False,
                                                           indent=2).encode("utf-8"))
        except OSError:
            shutil.rmtree(target, ignore_errors=True)
            raise StoreError(Msg("Asiakirjapohjaa ei voitu tallentaa (levy täynnä tai kirjoitus estetty). "
                                 "Aktiivinen versio ei muuttunut."), 507) from None
        return Version(type_id=doc_type.id, language=language, **meta), report

    def activate(self, doc_type: DocumentType, version: int, actor: str, language: str = DEFAULT) -> None:
        target = self.version(doc_type.id, version, language)
        if not target.ok:
            raise StoreError(Msg("Versiota ei voi ottaa käyttöön: sen tarkistuksessa oli virheitä."), 409)
        self.load(doc_type, version, language)  # proves it loads here before any worker switches to it
        history = self.history(doc_type.id, language)
        if history[-1] != version:
            history.append(version)
        self._write_pointer(doc_type.id, language, {"version": version, "history": history[-50:],
                                                    "activated_by": actor, "activated_at": _now()})

    def rollback(self, doc_type: DocumentType, actor: str, version: int | None = None,
                 language: str = DEFAULT) -> int:
        """Back to ``version``, or to the version active before the current one (of this language)."""
        if version is None:
            history = self.history(doc_type.id, language)
            if len(history) < 2:
                raise StoreError(Msg("Aiempaa versiota ei ole."), 409)
            version = history[-2]
            history = history[:-1]
        else:
            history = self.history(doc_type.id, language) + [version]
        if not self.version(doc_type.id, version, language).ok:
            raise StoreError(Msg("Versiota ei voi ottaa käyttöön: sen tarkistuksessa oli virheitä."), 409)
        self.load(doc_type, version, language)
        self._write_pointer(doc_type.id, language, {"version": version, "history": history[-50:],
                                                    "activated_by": actor, "activated_at": _now()})
        return version

    # --- helpers -----------------------------------------------------------------------------
    def _require_root(self) -> Path:
        if self.root is None:
            raise StoreError(Msg("Asiakirjapohjien tallennuskansiota ei ole määritetty."), 503)
        self.root.mkdir(parents=True, exist_ok=True)
        return self.root

    def _folder(self, type_id: str, language: str) -> Path | None:
        """<root>/<type>/<lang>; the type and the language are checked names, never raw input."""
        if type_id not in DOCUMENT_TYPES:
            raise StoreError(Msg("Versiota ei ole."), 404)
        check_language(language)
        return None if self.root is None else self.root / type_id / language

    def _write_pointer(self, type_id: str, language: str, content: dict) -> None:
        self._require_root()
        folder = self._folder(type_id, language)
        folder.mkdir(parents=True, exist_ok=True)
        try:
            _write_atomic(folder / "active.json", json.dumps(content).encode("utf-8"))
        except OSError:
            raise StoreError(Msg("Käyttöönottoa ei voitu tallentaa; aktiivinen versio ei muuttunut."), 507) from None

    def _pointer_path(self, type_id: str, language: str) -> Path | None:
        folder = self._folder(type_id, language)
        return None if folder is None else folder / "active.json"

    def _version_dir(self, type_id: str, language: str, version: int) -> Path:
        self._require_root()
        return self._folder(type_id, language) / f"v{version:04d}"

    def _highest_folder(self, type_id: str, language: str) -> int:
        folder = self._folder(type_id, language)
        if folder is None or not folder.is_dir():
            return 0
        numbers = [int(p.name[1:]) for p in folder.glob("v[0-9][0-9][0-9][0-9]")]
        return max(numbers, default=0)

    def _adopt_legacy_layout(self) -> None:
        """Instances from before the languages kept Finnish versions in <type>/v0003 and
        <type>/active.json: move them to <type>/fi/ (versions first, the pointer last, each by
        rename, so an interrupted move is finished by the next start and nothing is copied)."""
        if self.root is None or not self.root.is_dir():
            return
        for type_id in DOCUMENT_TYPES:
            folder = self.root / type_id
            legacy = sorted(folder.glob("v[0-9][0-9][0-9][0-9]")) if folder.is_dir() else []
            if (folder / "active.json").exists():
                legacy.append(folder / "active.json")
            if not legacy:
                continue
            target = folder / DEFAULT
            target.mkdir(exist_ok=True)
            for path in legacy:
                if (target / path.name).exists():
                    continue  # already there (another process moved it first): leave the old one alone
                try:
                    os.rename(path, target / path.name)
                except FileNotFoundError:
                    continue
            _fsync_dir(target)
            _fsync_dir(folder)


def export_file_name(doc_type: DocumentType, version: int, language: str = DEFAULT) -> str:
    """A template version's download name, in the template's language: pohja_yhteenveto_v3.docx."""
    return gettext("pohja_{stem}_v{version}.docx", language).format(stem=gettext(doc_type.file_stem, language),
                                                                   version=version)
