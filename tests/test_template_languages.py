"""The Swedish and English twins of the built-in templates: the Finnish template's structure with
only the literal text changed, read from the committed .docx files themselves."""

import re

import pytest

from service.registry import DOCUMENT_TYPES, TEMPLATES_DIR
from service.rendering.docx_template import load_template, render, template_parts
from tests.docxtext import all_text

TYPE_IDS = sorted(DOCUMENT_TYPES)
TWINS = ("sv", "en")
JINJA_TAG = re.compile(r"\{\{.*?\}\}|\{%.*?%\}|\{#.*?#\}", re.S)


def _tags(data: bytes) -> list[tuple[str, list[str]]]:
    return [(name, JINJA_TAG.findall(xml)) for name, xml in template_parts(data)]


def _load(type_id: str, lang: str):
    doc_type = DOCUMENT_TYPES[type_id]
    name = f"{lang}/{type_id}.docx"
    data = (TEMPLATES_DIR / name).read_bytes()
    return load_template(name, data, doc_type.template_fields, doc_type.context_names)


@pytest.mark.parametrize("lang", TWINS)
@pytest.mark.parametrize("type_id", TYPE_IDS)
def test_twin_has_the_finnish_fields_and_tags(type_id, lang):
    finnish, twin = _load(type_id, "fi"), _load(type_id, lang)
    assert not twin.warnings
    assert twin.used_paths == finnish.used_paths
    assert _tags(twin.data) == _tags(finnish.data)


@pytest.mark.parametrize("lang, city, confidential", [
    ("sv", "Helsingfors stad", "SEKRETESSBELAGD – OffL 24 § 1 mom 25 p."),
    ("en", "City of Helsinki", "CONFIDENTIAL – Act on the Openness of Government Activities 24(1)(25)"),
])
@pytest.mark.parametrize("type_id", TYPE_IDS)
def test_twin_renders_every_rendition(type_id, lang, city, confidential, example):
    doc_type = DOCUMENT_TYPES[type_id]
    template = _load(type_id, lang)
    data = doc_type.schema().load(example(type_id))
    for rendition in doc_type.renditions:
        for context in doc_type.contexts(data, rendition):
            text = all_text(render(template, context))
            assert city in text and confidential in text
            assert "Helsingin kaupunki" not in text.splitlines() and "SALASSA PIDETTÄVÄ" not in text
            assert "Sivu " not in text and "Asiaviite" not in text
