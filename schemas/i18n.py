"""The three languages, and translation of every text the service shows or prints.

Finnish is the source language: a message id is the Finnish text as written in the code (a
field's label and help in its metadata, a list label in ``choices.py``, a validation message,
a page's wording). The Swedish and English catalogues belong to the application, which names
their folder with ``use_catalogues`` (the service keeps them in
``service/translations/<sv|en>/LC_MESSAGES/messages.po``); ``make`` compiles them to ``.mo``
(``tools/messages.py compile``) and ``tools/messages.py update`` collects every message id from
the code, the page templates and the schemas' metadata. A missing compiled catalogue is an
error at start-up, never a silent fall-back to Finnish.

Two languages are in play in one request and they are kept apart:

* the *document language*, the payload's ``language``: which template is filled in and how its
  dates, names and list labels print (``service.formatting``);
* the *message language*, whoever reads the messages: ``Accept-Language`` for the API, the
  language chosen on the pages, or ``--kieli`` on the command line. :func:`current` answers it.
"""

from __future__ import annotations

import functools
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from contextvars import ContextVar
from gettext import NullTranslations
from pathlib import Path

from babel.support import Translations

LANGUAGES = ("fi", "sv", "en")
DEFAULT = "fi"
DOMAIN = "messages"

_current: ContextVar[str | None] = ContextVar("lnp_message_language", default=None)
_resolver: Callable[[], str | None] | None = None
_catalogue_dir: Path | None = None


class CatalogueMissing(RuntimeError):
    pass


def set_resolver(resolver: Callable[[], str | None]) -> None:
    """The service's answer to "which language is this request in" (used when no
    :func:`language` block is active)."""
    global _resolver
    _resolver = resolver


def use_catalogues(folder: Path) -> None:
    """Where the compiled catalogues are (``<folder>/<sv|en>/LC_MESSAGES/messages.mo``): the
    application that uses these schemas says so once, before the first translated message."""
    global _catalogue_dir
    if folder != _catalogue_dir:
        _catalogue_dir = folder
        translations.cache_clear()


def current() -> str:
    lang = _current.get()
    if lang is None and _resolver is not None:
        lang = _resolver()
    return lang if lang in LANGUAGES else DEFAULT


@contextmanager
def language(lang: str | None) -> Iterator[str]:
    """Messages inside the block are in ``lang`` (``None``: leave the current language)."""
    if lang is None:
        yield current()
        return
    token = _current.set(known_language(lang))
    try:
        yield lang
    finally:
        _current.reset(token)


def catalogue_path(lang: str) -> Path:
    if _catalogue_dir is None:
        raise CatalogueMissing("no message catalogues configured (schemas.i18n.use_catalogues)")
    return _catalogue_dir / lang / "LC_MESSAGES" / f"{DOMAIN}.mo"


@functools.cache
def translations(lang: str) -> NullTranslations:
    if known_language(lang) == DEFAULT:
        return NullTranslations()
    path = catalogue_path(lang)
    if not path.is_file():
        raise CatalogueMissing(f"the {lang} message catalogue is not compiled ({path}); run `make` "
                               "(tools/messages.py compile)")
    with path.open("rb") as handle:
        return Translations(handle, domain=DOMAIN)


def check_catalogues() -> None:
    """Fail now, not on the first Swedish request, when a catalogue is missing or stale."""
    for lang in LANGUAGES:
        if lang == DEFAULT:
            continue
        mo = catalogue_path(lang)
        po = mo.with_suffix(".po")
        if not mo.is_file() or (po.is_file() and po.stat().st_mtime > mo.stat().st_mtime):
            raise CatalogueMissing(f"the {lang} message catalogue is missing or older than its .po; run `make` "
                                   "(tools/messages.py compile)")
        translations(lang)


def gettext(message: str, lang: str | None = None) -> str:
    """``message`` (Finnish, as written in the code) in ``lang`` or the current language."""
    lang = lang or current()
    text = str.__str__(message)
    if lang == DEFAULT or not text:
        return text
    return translations(lang).gettext(text)


def ngettext(singular: str, plural: str, n: int, lang: str | None = None) -> str:
    lang = lang or current()
    if lang == DEFAULT:
        return singular if n == 1 else plural
    return translations(lang).ngettext(singular, plural, n)


class Msg(str):
    """A Finnish message translated when it is used.

    marshmallow formats every message it raises (``message.format(**values)``), so a ``Msg``
    given as a validator's or field's message comes out in the current language with its
    values filled in. A ``Msg`` stored without formatting (an unknown key) is translated by
    :func:`translate` when the errors are listed.
    """

    __slots__ = ()

    def format(self, *args, **kwargs) -> Formatted:  # noqa: A003 - str's own name
        return Formatted(gettext(self).format(*args, **kwargs), msgid=str.__str__(self))

    def __mod__(self, values) -> Formatted:
        return Formatted(gettext(self) % values, msgid=str.__str__(self))


class Formatted(str):
    """A translated message with its values filled in, remembering its Finnish message id (the
    forms recognise a message by it, whatever language it is in)."""

    msgid: str

    def __new__(cls, text: str, msgid: str):
        obj = super().__new__(cls, text)
        obj.msgid = msgid
        return obj

    def __reduce__(self):  # copy.deepcopy (dataclasses.asdict) and pickle
        return Formatted, (str.__str__(self), self.msgid)


def msgid(message: object) -> str:
    """The Finnish message id behind a message (itself for a plain text)."""
    if isinstance(message, Formatted):
        return message.msgid
    return str.__str__(message) if isinstance(message, str) else str(message)


class Plural(Msg):
    """A Finnish message with a singular and a plural form, chosen when it is formatted by the
    number in the value ``count`` names, with the plural rule of the message language (the
    catalogue's Plural-Forms, from Babel): "1 virhe" / "2 virhettä", "1 item" / "2 items".

    Its message id is the singular; the extractor reads both forms (``Plural`` is an
    ``ngettext`` keyword in tools/messages.py)."""

    plural_form: str
    count_key: str  # not "count": that is str.count

    def __new__(cls, singular: str, plural: str, count: str = "count"):
        obj = super().__new__(cls, singular)
        obj.plural_form = plural
        obj.count_key = count
        return obj

    def __reduce__(self):
        return Plural, (str.__str__(self), self.plural_form, self.count_key)

    def format(self, *args, **kwargs) -> Formatted:  # noqa: A003 - str's own name
        text = ngettext(str.__str__(self), self.plural_form, int(kwargs[self.count_key]))
        return Formatted(text.format(*args, **kwargs), msgid=str.__str__(self))

    def __mod__(self, values) -> Formatted:
        return Formatted(ngettext(str.__str__(self), self.plural_form, int(values[self.count_key])) % values,
                         msgid=str.__str__(self))

    def forms(self, lang: str | None = None) -> list[str]:
        """Every form of the message in ``lang`` (for recognising a formatted one)."""
        return list(dict.fromkeys(ngettext(str.__str__(self), self.plural_form, n, lang) for n in (1, 2, 5, 21)))


N_ = Msg  # the marker the message extractor looks for


def translate(message: object, lang: str | None = None) -> str:
    """A message that may still be a ``Msg`` (or plain text already in its language)."""
    if isinstance(message, Msg):
        return gettext(message, lang)
    return str(message)


class UnknownLanguage(ValueError):
    """A language code that is none of fi, sv and en; ``message`` says so in the reader's language."""

    def __init__(self, code: object):
        self.message = Msg("Tuntematon kieli. Kielet ovat fi (suomi), sv (ruotsi) ja en (englanti).")
        super().__init__(f"unsupported language {str(code)[:20]!r}")


def known_language(code: object) -> str:
    """The one check of a language code, everywhere a document, template or page language is
    chosen: ``code`` when it is fi, sv or en, else UnknownLanguage."""
    if code not in LANGUAGES:
        raise UnknownLanguage(code)
    return str(code)
