"""The instance folder: the secrets file and, unless LNP_DATABASE_URL names a shared database, the
SQLite database (lnp.sqlite3, see service.database).

Secrets come from the environment (``LNP_SECRET_KEY``, ``LNP_AUDIT_KEY``) or from
``secrets.json`` in the instance folder; the code holds no default. ``lnp init`` (run by
``make run``) writes that file once, with random values and mode 0600, and the service refuses
to start without both secrets.
"""

from __future__ import annotations

import json
import os
import secrets
import stat
from pathlib import Path

from service.registry import ROOT

INSTANCE_ENV = "LNP_INSTANCE_PATH"
SECRETS_FILE = "secrets.json"
# What instances kept before the database; ``lnp db migrate-instance`` moves them into it.
ACCOUNTS_FILE = "accounts.sqlite3"
AUDIT_FILE = "audit.jsonl"
TEMPLATES_FOLDER = "templates"
REQUIRED_SECRETS = ("SECRET_KEY", "AUDIT_KEY")
MIN_SECRET_LENGTH = 32


class MissingSecrets(RuntimeError):
    pass


def instance_path() -> Path:
    return Path(os.environ.get(INSTANCE_ENV) or ROOT / "instance").resolve()


def ensure_folder(path: Path) -> Path:
    path.mkdir(mode=0o700, parents=True, exist_ok=True)
    os.chmod(path, 0o700)
    return path


def ensure_secrets(path: Path) -> bool:
    """Write the secrets file with fresh random values unless it exists; True if written."""
    ensure_folder(path)
    target = path / SECRETS_FILE
    values = {name: secrets.token_urlsafe(48) for name in REQUIRED_SECRETS}
    try:
        fd = os.open(target, os.O_WRONLY | os.O_CREAT | os.O_EXCL, 0o600)
    except FileExistsError:
        return False
    with os.fdopen(fd, "w", encoding="utf-8") as out:
        json.dump(values, out)
        out.flush()
        os.fsync(out.fileno())
    return True


def load_secrets(config: dict, path: Path) -> None:
    """Fill SECRET_KEY and AUDIT_KEY from the environment, else from the secrets file."""
    target = path / SECRETS_FILE
    from_file = {}
    if target.exists():
        if stat.S_IMODE(target.stat().st_mode) & 0o077:
            raise MissingSecrets(f"{target}: tiedoston oikeuksien on oltava 0600 (vain omistaja).")
        from_file = json.loads(target.read_text(encoding="utf-8"))
    for name in REQUIRED_SECRETS:
        value = os.environ.get(f"LNP_{name}") or config.get(name) or from_file.get(name)
        if value:
            config[name] = value


def check_secrets(config: dict, path: Path) -> None:
    missing = [n for n in REQUIRED_SECRETS if len(str(config.get(n) or "")) < MIN_SECRET_LENGTH]
    if missing:
        names = ", ".join(f"LNP_{n}" for n in missing)
        raise MissingSecrets(
            f"Salaisuudet puuttuvat tai ovat liian lyhyitä ({names}, vähintään {MIN_SECRET_LENGTH} merkkiä). "
            f"Aseta ne ympäristömuuttujiin tai aja `lnp init`, joka kirjoittaa ne tiedostoon {path / SECRETS_FILE}."
        )
