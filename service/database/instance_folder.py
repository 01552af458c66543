"""Moving an instance folder from before the database into it, without losing a version, a user
or an audit entry:

    accounts.sqlite3                              users, tokens, profiles, sessions (hashes as they are)
    templates/<type>/<lang>/vNNNN/template.docx   every version with its meta.json (hash, uploader,
    templates/<type>/<lang>/active.json           time, report), and each active pointer with its
    templates/<type>/vNNNN, templates/<type>/active.json   history (the older layout: Finnish)
    audit.jsonl                                   every entry, in order, its text as written, chained

One transaction: either all of it is in the database or none of it. Only into a database that
holds no accounts, templates or audit entries yet (a second run cannot make doubles). The files
are read, never changed: the operator archives the folder once the service runs on the database.
"""

from __future__ import annotations

import hashlib
import json
import sqlite3
from contextlib import closing
from pathlib import Path

from sqlalchemy import Connection, func, insert, select, text, update

from service.access.audit import append
from service.database.connection import Database
from service.database.tables import (
    audit_entries,
    profiles,
    sessions,
    template_activations,
    template_pointers,
    template_state,
    template_versions,
    tokens,
    users,
)
from service.instance import ACCOUNTS_FILE, AUDIT_FILE, TEMPLATES_FOLDER
from service.registry import DOCUMENT_TYPES

LANGUAGES = ("fi", "sv", "en")
OLDER_LAYOUT_LANGUAGE = "fi"  # before the languages, <type>/vNNNN were the Finnish versions


class MigrationError(RuntimeError):
    """The folder cannot be moved as it is; nothing was written."""


def has_legacy_state(folder: Path) -> bool:
    return (folder / ACCOUNTS_FILE).exists() or (folder / AUDIT_FILE).exists() or (folder / TEMPLATES_FOLDER).is_dir()


def is_empty(connection: Connection) -> bool:
    return all(connection.execute(select(func.count()).select_from(table)).scalar_one() == 0
               for table in (users, tokens, template_versions, template_pointers, audit_entries))


def migrate(database: Database, folder: Path, audit_key: str) -> dict[str, int]:
    """Move everything; the counts of what was moved (named for the ``lnp`` command's Finnish)."""
    folder = Path(folder)
    accounts = _accounts(folder / ACCOUNTS_FILE)
    versions, pointers = _templates(folder / TEMPLATES_FOLDER)
    lines = _audit_lines(folder / AUDIT_FILE)
    with database.write() as connection:
        if not is_empty(connection):
            raise MigrationError("the database already holds accounts, templates or audit entries; move an instance "
                                 "folder only into a new database")
        for table, rows in ((users, accounts["users"]), (tokens, accounts["tokens"]),
                            (profiles, accounts["profiles"]), (sessions, accounts["sessions"]),
                            (template_versions, versions), (template_pointers, pointers)):
            if rows:
                connection.execute(insert(table), rows)
        if pointers:
            connection.execute(insert(template_activations), [
                {"type_id": p["type_id"], "language": p["language"], "version": p["version"], "action": "import",
                 "actor": p["activated_by"], "at": p["activated_at"]} for p in pointers])
            connection.execute(update(template_state).values(generation=template_state.c.generation + 1))
        append(lambda sql, parameters: connection.execute(text(sql), parameters), audit_key.encode("utf-8"), lines,
               lock=not database.sqlite)
    return {"käyttäjiä": len(accounts["users"]), "API-tunnisteita": len(accounts["tokens"]),
            "omia tietoja": len(accounts["profiles"]), "istuntoja": len(accounts["sessions"]),
            "pohjaversioita": len(versions), "käytössä olevia pohjia": len(pointers), "lokimerkintöjä": len(lines)}


def _accounts(path: Path) -> dict[str, list[dict]]:
    found: dict[str, list[dict]] = {"users": [], "tokens": [], "profiles": [], "sessions": []}
    if not path.exists():
        return found
    # Read-only, by URI: the old file is never changed (nor created when a name is mistyped).
    with closing(sqlite3.connect(f"file:{path}?mode=ro", uri=True)) as old:
        old.row_factory = sqlite3.Row
        present = {row[0] for row in old.execute("SELECT name FROM sqlite_master WHERE type = 'table'")}
        for table in found:
            if table in present:
                found[table] = [dict(row) for row in old.execute(f"SELECT * FROM {table}")]  # noqa: S608 (fixed names)
    for user in found["users"]:
        user["must_change"] = bool(user["must_change"])
    return found


def _templates(root: Path) -> tuple[list[dict], list[dict]]:
    versions: list[dict] = []
    pointers: list[dict] = []
    if not root.is_dir():
        return versions, pointers
    for type_id in DOCUMENT_TYPES:
        places = [(root / type_id / language, language) for language in LANGUAGES]
        places.append((root / type_id, OLDER_LAYOUT_LANGUAGE))
        seen: dict[str, set[int]] = {language: set() for language in LANGUAGES}
        for place, language in places:
            if not place.is_dir():
                continue
            for version_dir in sorted(place.glob("v[0-9][0-9][0-9][0-9]")):
                meta_path = version_dir / "meta.json"
                if not meta_path.exists():
                    continue  # an upload interrupted before its meta.json: never a version
                meta = json.loads(meta_path.read_text(encoding="utf-8"))
                content = (version_dir / "template.docx").read_bytes()
                number = int(meta["version"])
                if hashlib.sha256(content).hexdigest() != meta["sha256"]:
                    raise MigrationError(f"{version_dir}: template.docx does not match the hash in meta.json")
                if number in seen[language]:
                    raise MigrationError(f"{version_dir}: version {number} of {type_id}/{language} twice")
                seen[language].add(number)
                versions.append({"type_id": type_id, "language": language, "version": number,
                                 "sha256": meta["sha256"], "content": content, "uploader": meta["uploader"],
                                 "uploaded_at": meta["uploaded_at"], "ok": bool(meta["ok"]),
                                 "report": json.dumps(meta["report"], ensure_ascii=False)})
            pointer_path = place / "active.json"
            if pointer_path.exists() and not any(p["type_id"] == type_id and p["language"] == language
                                                 for p in pointers):
                pointer = json.loads(pointer_path.read_text(encoding="utf-8"))
                pointers.append({"type_id": type_id, "language": language, "version": int(pointer["version"]),
                                 "history": json.dumps(pointer.get("history") or [0, int(pointer["version"])]),
                                 "activated_by": pointer.get("activated_by") or "-",
                                 "activated_at": pointer.get("activated_at") or ""})
        for pointer in pointers:
            if pointer["type_id"] == type_id and pointer["version"] and pointer["version"] not in seen[pointer["language"]]:
                raise MigrationError(f"{type_id}/{pointer['language']}: the active version {pointer['version']} "
                                     "has no folder")
    return versions, pointers


def _audit_lines(path: Path) -> list[str]:
    if not path.exists():
        return []
    lines = []
    for number, line in enumerate(path.read_text(encoding="ascii").splitlines(), start=1):
        if not line.strip():
            continue
        try:
            entry = json.loads(line)
        except ValueError:
            raise MigrationError(f"{path}: line {number} is not a whole entry") from None
        if not isinstance(entry, dict) or "action" not in entry:
            raise MigrationError(f"{path}: line {number} is not an audit entry")
        lines.append(line)
    return lines
