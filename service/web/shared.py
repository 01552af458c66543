"""The application's shared parts as the API and the pages reach them (made once by create_app):
the template store and the LibreOffice converter."""

from __future__ import annotations

from flask import current_app

from service.conversion.pool import ConverterPool
from service.wordtemplates.store import TemplateStore


def template_store() -> TemplateStore:
    return current_app.extensions["lnp.templates"]


def converter() -> ConverterPool:
    return current_app.extensions["lnp.converter"]
