"""Embedded defaults; every one can be overridden by the environment or create_app(test_config)."""

from __future__ import annotations

import os
from pathlib import Path

from .registry import ROOT


def instance_dir() -> Path:
    """The instance folder: template versions (and later accounts and the audit log).
    Shared by the service and the CLI so both see the same active templates."""
    return Path(os.environ.get("LNP_INSTANCE_PATH", ROOT / "instance")).resolve()


class DefaultConfig:
    # A case JSON is a few kilobytes; the schemas' own length caps keep a valid one far below this.
    # Template uploads raise the limit for their own routes only (upload_safety.MAX_UPLOAD_BYTES).
    MAX_CONTENT_LENGTH = 512 * 1024
    MAX_JSON_BYTES = 512 * 1024
    TEMPLATES_DIR = None  # None = the built-in templates_docx/
