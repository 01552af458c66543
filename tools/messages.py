"""The Swedish and English message catalogues: collect, update, compile, check.

    python tools/messages.py update    collect every Finnish message id, update the .po files
    python tools/messages.py compile   .po -> .mo (refuses a missing or fuzzy translation)
    python tools/messages.py check     list what is missing, fuzzy or no longer used

Message ids come from two places, so no text is written twice:

* the code and the page templates: ``_()``, ``gettext()``, ``ngettext()``, ``Msg()``/``N_()``
  (Babel's Python and Jinja extractors);
* the schemas and the registry at run time: every field's label, help and item name, every
  list label, every document type's name, description and phase, the standard questions.
"""

from __future__ import annotations

import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

from babel.messages.catalog import Catalog  # noqa: E402
from babel.messages.extract import extract_from_dir  # noqa: E402
from babel.messages.mofile import write_mo  # noqa: E402
from babel.messages.pofile import read_po, write_po  # noqa: E402

from schemas.i18n import DEFAULT, DOMAIN, LANGUAGES  # noqa: E402
from service.config import CATALOGUE_DIR  # noqa: E402

KEYWORDS = {"_": None, "gettext": None, "ngettext": (1, 2), "Plural": (1, 2), "Msg": None, "N_": None, "lazy_gettext": None,
            "_l": None}
METHOD_MAP = [
    ("**/templates/**.html", "jinja2"),
    ("**.py", "python"),
]
SOURCES = ["schemas", "service"]


def _code_messages():
    for source in SOURCES:
        for filename, lineno, message, _comments, context in extract_from_dir(
            ROOT / source, METHOD_MAP, {"**/templates/**.html": {"extensions": "jinja2.ext.do"}},
            keywords=KEYWORDS, strip_comment_tags=True,
        ):
            yield message, f"{source}/{filename}", lineno, context


def _schema_messages():
    from schemas.fields import Choices
    from schemas.questions import STANDARD_QUESTIONS
    from service.registry import CONTEXT_EXTRAS, DOCUMENT_TYPES

    def walk(node, where):
        for text in (node.label, node.help, node.item_label):
            if text:
                yield text, where
        if node.widget in ("email", "tel") and node.example:  # the forms' example of a valid value
            yield node.example, where
        for name, child in node.children.items():
            yield from walk(child, f"{where}.{name}")
        if node.item is not None:
            yield from walk(node.item, f"{where}[]")

    for doc_type in DOCUMENT_TYPES.values():
        for text in (doc_type.label, doc_type.description, doc_type.phase, doc_type.file_stem,
                     doc_type.file_stem_network, doc_type.letter_stem):
            if text:
                yield text, f"registry:{doc_type.id}"
        yield from walk(doc_type.fields, f"schema:{doc_type.id}")
        if doc_type.letter_schema is not None:
            yield from walk(doc_type.template_fields, f"letter:{doc_type.id}")
        for name, node in doc_type.extra_names:
            yield from walk(node, f"context:{doc_type.id}.{name}")
    for name, node in CONTEXT_EXTRAS.items():
        yield from walk(node, f"context:{name}")
    from service.pages.case_form import COMMON, section

    yield from walk(section(COMMON).fields, "case:shared")
    for choices in Choices.registry.values():
        for code, label in choices.labels.items():
            yield label, f"choices:{choices.name}.{code}"
    for key, text in STANDARD_QUESTIONS.items():
        yield text, f"standard_question:{key}"


def collect() -> Catalog:
    """Every message id the service can show, as a template catalogue."""
    catalog = Catalog(locale=None, domain=DOMAIN, project="lnp-docs", charset="utf-8")
    for message, filename, lineno, context in _code_messages():
        catalog.add(message, None, [(filename, lineno)], context=context)
    for text, where in _schema_messages():
        catalog.add(text, None, [(where, 0)])
    return catalog


def po_path(lang: str) -> Path:
    return CATALOGUE_DIR / lang / "LC_MESSAGES" / f"{DOMAIN}.po"


def read(lang: str) -> Catalog:
    with po_path(lang).open("rb") as handle:
        return read_po(handle, locale=lang, domain=DOMAIN)


def update() -> None:
    template = collect()
    for lang in LANGUAGES:
        if lang == DEFAULT:
            continue
        path = po_path(lang)
        if path.exists():
            catalog = read(lang)
            catalog.update(template, no_fuzzy_matching=True)
        else:
            path.parent.mkdir(parents=True, exist_ok=True)
            catalog = Catalog(locale=lang, domain=DOMAIN, project="lnp-docs", charset="utf-8")
            catalog.update(template, no_fuzzy_matching=True)
        catalog.obsolete.clear()
        catalog.fuzzy = False
        catalog.copyright_holder = "lnp-docs"
        catalog.last_translator = "lnp-docs"
        catalog.language_team = {"sv": "svenska", "en": "English"}[lang]
        with path.open("wb") as handle:
            write_po(handle, catalog, width=100, sort_output=False, include_previous=False)
        print(f"{path.relative_to(ROOT)}: {len(catalog)} messages, {len(problems(lang))} to translate")


def problems(lang: str, template: Catalog | None = None) -> list[str]:
    """What keeps ``lang``'s catalogue from being complete: missing, empty or fuzzy translations,
    and (given the collected template) message ids the catalogue does not have yet."""
    catalog = read(lang)
    found = []
    for message in catalog:
        if not message.id:
            continue
        strings = message.string if isinstance(message.string, (list, tuple)) else [message.string]
        if message.fuzzy:
            found.append(f"fuzzy: {message.id!r}")
        elif not all(s and s.strip() for s in strings):
            found.append(f"missing: {message.id!r}")
    if template is not None:
        for message in template:
            if message.id and message.id not in catalog:
                found.append(f"not in catalogue (run tools/messages.py update): {message.id!r}")
    return found


def compile_all() -> None:
    for lang in LANGUAGES:
        if lang == DEFAULT:
            continue
        catalog = read(lang)
        mo = po_path(lang).with_suffix(".mo")
        with mo.open("wb") as handle:
            write_mo(handle, catalog, use_fuzzy=False)


def main(argv: list[str]) -> int:
    command = argv[1] if len(argv) > 1 else "check"
    if command == "update":
        update()
    elif command == "compile":
        compile_all()
    elif command == "check":
        template = collect()
        bad = 0
        for lang in LANGUAGES:
            if lang == DEFAULT:
                continue
            for line in problems(lang, template):
                print(f"{lang}: {line}")
                bad += 1
        return 1 if bad else 0
    else:
        print(__doc__)
        return 2
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv))
