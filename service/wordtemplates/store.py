"""Versions of each document type's template in each language, in the service's database.

    template_versions   (type, language, version) → the .docx bytes, hash, uploader, time,
                        checker report; immutable once written
    template_pointers   (type, language) → the active version and the history rollback follows
    template_activations  every change of a pointer: who, when, which version
    template_state      one generation number, raised with every pointer change

Every (type, language) has its own numbering, history and active version: activating a Swedish
version leaves the Finnish and English ones as they were. Version 0 of every (type, language) is
the built-in template templates_docx/<lang>/<type>.docx. A version becomes active only when its
check (with that language's example case) passed and someone activates it.

Several processes and replicas share the database. Each process checks the generation number at
most every POINTER_CHECK_SECONDS (one small read) and re-reads the twelve pointers only when it
moved, so an activation on one replica is rendered by every replica within a second. Loaded
templates are cached by (type, language, version, sha256). A render holds one loaded template
object from start to end, so each document is wholly the old or wholly the new version.
"""

from __future__ import annotations

import dataclasses
import datetime as dt
import hashlib
import json
import threading
import time
from collections import OrderedDict
from dataclasses import dataclass
from pathlib import Path

from sqlalchemy import exc, func, insert, select, update

from schemas.i18n import DEFAULT, Msg, UnknownLanguage, gettext, known_language, translate
from service.conversion.pool import ConversionFailed, ConverterUnavailable
from service.database.connection import Database
from service.database.tables import template_activations, template_pointers, template_state, template_versions
from service.problems import ApiError
from service.registry import DOCUMENT_TYPES, TEMPLATES_DIR, DocumentType
from service.rendering.docx_template import LoadedTemplate, Problem, TemplateInvalid, load_template
from service.wordtemplates.checker import Report, check
from service.wordtemplates.upload_safety import UnsafeTemplate, check_odt_upload, check_upload, is_odt

BUILTIN = 0
_CACHE_SIZE = 48  # loaded templates kept per process (a few versions of four types in three languages)
POINTER_CHECK_SECONDS = 0.5  # how stale a process's view of the active versions may be
HISTORY_LENGTH = 50
VERSION_COLUMNS = (template_versions.c.version, template_versions.c.sha256, template_versions.c.uploader,
                   template_versions.c.uploaded_at, template_versions.c.ok, template_versions.c.report)


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


def _now() -> str:
    return dt.datetime.now(dt.UTC).isoformat(timespec="seconds")


class TemplateStore:
    """``database`` None: only the built-in templates (tools, tests and benchmarks that render)."""

    def __init__(self, database: Database | None = None, builtin_dir: Path = TEMPLATES_DIR):
        self.database = database
        self.builtin_dir = builtin_dir
        self._lock = threading.Lock()
        self._loaded: OrderedDict[tuple[str, str, int, str], LoadedTemplate] = OrderedDict()
        self._builtin_sha: dict[tuple[str, str], str] = {}
        self._refresh_lock = threading.Lock()
        self._checked_at = -1e9  # monotonic time of the last generation check
        self._generation: int | None = None
        self._active: dict[tuple[str, str], tuple[int, str]] = {}  # (type, lang) → (version, sha256)

    # --- reading -----------------------------------------------------------------------------
    def get(self, doc_type: DocumentType, language: str = DEFAULT) -> LoadedTemplate:
        """The active template of a type in a language (checked, prepared, cached per process)."""
        check_language(language)
        version, sha256 = self._pointers().get((doc_type.id, language), (BUILTIN, None))
        return self.load(doc_type, version, language, sha256)

    def load(self, doc_type: DocumentType, version: int, language: str = DEFAULT,
             sha256: str | None = None) -> LoadedTemplate:
        """One version, loaded so that its filters print ``language`` (dates, names, labels)."""
        check_language(language)
        if sha256 is None:
            sha256 = self._sha256(doc_type.id, version, language)
        key = (doc_type.id, language, version, sha256)
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
        template = load_template(f"{doc_type.template(language)}@{version}", data, doc_type.template_fields, doc_type.context_names,
                                 language=language)
        template.version = version
        with self._lock:
            self._loaded[key] = template
            while len(self._loaded) > _CACHE_SIZE:
                self._loaded.popitem(last=False)
        return template

    def read(self, type_id: str, version: int, language: str = DEFAULT) -> bytes:
        self._check(type_id, language)
        if version == BUILTIN:
            return (self.builtin_dir / DOCUMENT_TYPES[type_id].template(language)).read_bytes()
        row = self._row(template_versions.c.content, type_id, version, language)
        return row.content

    def active_version(self, type_id: str, language: str = DEFAULT) -> int:
        self._check(type_id, language)
        return self._pointers().get((type_id, language), (BUILTIN, None))[0]

    def history(self, type_id: str, language: str = DEFAULT) -> list[int]:
        self._check(type_id, language)
        if self.database is None:
            return [BUILTIN]
        with self.database.read() as connection:
            history = connection.execute(select(template_pointers.c.history).where(
                template_pointers.c.type_id == type_id, template_pointers.c.language == language)).scalar()
        return json.loads(history) if history else [BUILTIN]

    def activations(self, type_id: str, language: str = DEFAULT) -> list[dict]:
        """Every change of the active version, oldest first: version, action, actor, time."""
        self._check(type_id, language)
        if self.database is None:
            return []
        t = template_activations.c
        with self.database.read() as connection:
            rows = connection.execute(select(t.version, t.action, t.actor, t.at).where(
                t.type_id == type_id, t.language == language).order_by(t.id)).all()
        return [dict(row._mapping) for row in rows]

    def versions(self, type_id: str, language: str = DEFAULT) -> list[Version]:
        builtin = self.read(type_id, BUILTIN, language)
        found = [Version(type_id, BUILTIN, hashlib.sha256(builtin).hexdigest(), "sisäänrakennettu", "",
                         True, {"ok": True, "findings": []}, language)]
        if self.database is not None:
            with self.database.read() as connection:
                rows = connection.execute(select(*VERSION_COLUMNS).where(
                    template_versions.c.type_id == type_id, template_versions.c.language == language)
                    .order_by(template_versions.c.version)).all()
            found += [_version(type_id, language, row) for row in rows]
        return found

    def version(self, type_id: str, version: int, language: str = DEFAULT) -> Version:
        self._check(type_id, language)
        if version == BUILTIN:
            return self.versions(type_id, language)[0]
        return _version(type_id, language, self._row(VERSION_COLUMNS, type_id, version, language))

    # --- changing ----------------------------------------------------------------------------
    def upload(self, doc_type: DocumentType, data: bytes, uploader: str,
               language: str = DEFAULT) -> tuple[Version, Report]:
        """Check (with the ``language`` example case) and store a new immutable version of the
        ``language`` template. Unsafe files are refused and not stored; a file that fails the
        template check is stored with its report but cannot be activated."""
        check_language(language)
        database = self._require_database()
        report = check(data, doc_type, language=language)
        if report.refused:
            raise StoreError(Msg("Tiedostoa ei voi ottaa asiakirjapohjaksi: {reasons}").format(
                reasons=" ".join(translate(f.message) for f in report.findings)), 422)
        stored = report.fixed or data
        version = Version(type_id=doc_type.id, language=language, version=0, sha256=hashlib.sha256(stored).hexdigest(),
                          uploader=uploader, uploaded_at=_now(), ok=report.ok, report=report.as_dict())
        v = template_versions.c
        for _ in range(20):
            try:
                with database.write() as connection:  # the next number; a concurrent upload takes the one after
                    number = connection.execute(select(func.coalesce(func.max(v.version), 0)).where(
                        v.type_id == doc_type.id, v.language == language)).scalar_one() + 1
                    connection.execute(insert(template_versions).values(
                        type_id=doc_type.id, language=language, version=number, content=stored, sha256=version.sha256,
                        uploader=uploader, uploaded_at=version.uploaded_at, ok=version.ok,
                        report=json.dumps(version.report, ensure_ascii=False)))
                break
            except exc.IntegrityError:
                continue
        else:
            raise StoreError(Msg("Versionumeroa ei saatu varattua."), 503)
        return dataclasses.replace(version, version=number), report

    def activate(self, doc_type: DocumentType, version: int, actor: str, language: str = DEFAULT) -> None:
        target = self.version(doc_type.id, version, language)
        if not target.ok:
            raise StoreError(Msg("Versiota ei voi ottaa käyttöön: sen tarkistuksessa oli virheitä."), 409)
        self.load(doc_type, version, language, target.sha256)  # proves it loads here before any process switches
        self._move_pointer(doc_type.id, language, version, actor, "activate")

    def rollback(self, doc_type: DocumentType, actor: str, version: int | None = None,
                 language: str = DEFAULT) -> int:
        """Back to ``version``, or to the version active before the current one (of this language)."""
        if version is None:
            history = self.history(doc_type.id, language)
            if len(history) < 2:
                raise StoreError(Msg("Aiempaa versiota ei ole."), 409)
            version = history[-2]
        target = self.version(doc_type.id, version, language)
        if not target.ok:
            raise StoreError(Msg("Versiota ei voi ottaa käyttöön: sen tarkistuksessa oli virheitä."), 409)
        self.load(doc_type, version, language, target.sha256)
        self._move_pointer(doc_type.id, language, version, actor, "rollback")
        return version

    # --- helpers -----------------------------------------------------------------------------
    def _move_pointer(self, type_id: str, language: str, version: int, actor: str, action: str) -> None:
        """One transaction: the pointer, its history, the activation record and the generation."""
        database = self._require_database()
        p = template_pointers.c
        at = _now()
        with database.write() as connection:
            # The generation row first: it is the lock that orders pointer changes on every replica.
            connection.execute(update(template_state).where(template_state.c.id == 1)
                               .values(generation=template_state.c.generation + 1))
            stored = connection.execute(select(p.history).where(p.type_id == type_id, p.language == language)).scalar()
            history = json.loads(stored) if stored else [BUILTIN]
            if action == "rollback" and len(history) >= 2 and history[-2] == version:
                history = history[:-1]
            elif history[-1] != version:
                history.append(version)
            values = {"version": version, "history": json.dumps(history[-HISTORY_LENGTH:]), "activated_by": actor,
                      "activated_at": at}
            if stored is None:
                connection.execute(insert(template_pointers).values(type_id=type_id, language=language, **values))
            else:
                connection.execute(update(template_pointers).where(p.type_id == type_id, p.language == language)
                                   .values(**values))
            connection.execute(insert(template_activations).values(type_id=type_id, language=language,
                                                                   version=version, action=action, actor=actor, at=at))
        self._checked_at = -1e9  # this process sees its own change at once

    def _pointers(self) -> dict[tuple[str, str], tuple[int, str]]:
        """The active (version, sha256) of every (type, language) that has left version 0, at most
        POINTER_CHECK_SECONDS old."""
        if self.database is None:
            return {}
        if time.monotonic() - self._checked_at < POINTER_CHECK_SECONDS:
            return self._active
        with self._refresh_lock:  # one thread of the process checks; the others use what it finds
            if time.monotonic() - self._checked_at < POINTER_CHECK_SECONDS:
                return self._active
            p, v = template_pointers.c, template_versions.c
            with self.database.read() as connection:
                generation = connection.execute(select(template_state.c.generation)).scalar_one()
                if generation != self._generation:
                    rows = connection.execute(select(p.type_id, p.language, p.version, v.sha256).join(
                        template_versions, (v.type_id == p.type_id) & (v.language == p.language)
                        & (v.version == p.version), isouter=True)).all()
                    self._active = {(r.type_id, r.language): (r.version, r.sha256) for r in rows
                                    if r.version != BUILTIN}
                    self._generation = generation
            self._checked_at = time.monotonic()
            return self._active

    def _sha256(self, type_id: str, version: int, language: str) -> str:
        if version == BUILTIN:
            key = (type_id, language)
            if key not in self._builtin_sha:
                self._builtin_sha[key] = hashlib.sha256(self.read(type_id, BUILTIN, language)).hexdigest()
            return self._builtin_sha[key]
        return self._row(template_versions.c.sha256, type_id, version, language).sha256

    def _row(self, columns, type_id: str, version: int, language: str):
        """One stored version's ``columns``; a 404 when there is no such version."""
        self._check(type_id, language)
        if self.database is None:
            raise StoreError(Msg("Versiota ei ole."), 404)
        columns = columns if isinstance(columns, tuple) else (columns,)
        v = template_versions.c
        with self.database.read() as connection:
            row = connection.execute(select(*columns).where(v.type_id == type_id, v.language == language,
                                                            v.version == version)).first()
        if row is None:
            raise StoreError(Msg("Versiota ei ole."), 404)
        return row

    def _check(self, type_id: str, language: str) -> None:
        """The type and the language are checked names, never raw input."""
        if type_id not in DOCUMENT_TYPES:
            raise StoreError(Msg("Versiota ei ole."), 404)
        check_language(language)

    def _require_database(self) -> Database:
        if self.database is None:
            raise StoreError(Msg("Asiakirjapohjien tallennuspaikkaa ei ole määritetty."), 503)
        return self.database


def _version(type_id: str, language: str, row) -> Version:
    return Version(type_id=type_id, language=language, version=row.version, sha256=row.sha256, uploader=row.uploader,
                   uploaded_at=row.uploaded_at, ok=bool(row.ok), report=json.loads(row.report))


def export_file_name(doc_type: DocumentType, version: int, language: str = DEFAULT) -> str:
    """A template version's download name, in the template's language: pohja_yhteenveto_v3.docx."""
    return gettext("pohja_{stem}_v{version}.docx", language).format(stem=gettext(doc_type.file_stem, language),
                                                                   version=version)
