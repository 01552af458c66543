"""Which language a request's messages are in, and the language switch of the pages.

* The JSON API answers in the language of ``Accept-Language`` (fi, sv or en; Finnish when none
  of them is asked for) and says which one in ``Content-Language``.
* The pages (forms, template pages, sign-in) use the language the user chose with the switch,
  kept in a cookie that holds nothing but ``fi``, ``sv`` or ``en``; before a choice, the
  browser's ``Accept-Language``.

Flask-Babel serves the page templates' ``_()``; ``schemas.i18n`` reads the same compiled
catalogues for the messages made outside a template (validation, checker, errors).
"""

from __future__ import annotations

from urllib.parse import parse_qs, urlencode, urlsplit

from flask import Blueprint, Flask, abort, g, redirect, request
from flask_babel import Babel, get_locale, refresh

from schemas.i18n import DEFAULT, LANGUAGES, UnknownLanguage, check_catalogues, known_language, set_resolver
from service.config import CATALOGUE_DIR
from service.web.gate import public

COOKIE = "lnp_lang"
COOKIE_MAX_AGE = 365 * 24 * 3600

# Each language's name in itself: the switch offers "suomeksi", "på svenska", "in English".
SWITCH_LABELS = {"fi": "suomeksi", "sv": "på svenska", "en": "in English"}

bp = Blueprint("i18n", __name__)


def select_locale() -> str:
    if not request.path.startswith("/api/"):
        chosen = g.get("lnp_switched_language") or request.cookies.get(COOKIE)
        if chosen in LANGUAGES:
            return chosen
    return request.accept_languages.best_match(LANGUAGES, default=DEFAULT) or DEFAULT


def request_language() -> str | None:
    from flask import has_request_context

    if not has_request_context():
        return None
    return str(get_locale() or DEFAULT)


def remember(response, language: str):
    """Keep the user's page language (a cookie that holds only the language code)."""
    response.set_cookie(COOKIE, language, max_age=COOKIE_MAX_AGE, samesite="Lax", httponly=True,
                        secure=request.is_secure, path="/")
    return response


def use(language: str) -> None:
    """The rest of this request in ``language``: a form re-rendered by its own language switch
    (its cookie is set on the response with :func:`remember`)."""
    g.lnp_switched_language = language
    refresh()


def _local(target: str | None) -> str:
    """Only a path of this service: never an open redirect."""
    if not target:
        return "/"
    parts = urlsplit(target)
    if parts.scheme or parts.netloc or not target.startswith("/") or target.startswith("//") or "\\" in target:
        return "/"
    # Only the sign-in page's own ?next= survives: anything else in a query is dropped, so a
    # value typed into a URL by mistake is not carried on.
    query = parse_qs(parts.query)
    keep = f"?{urlencode({'next': _local(query['next'][0])})}" if set(query) == {"next"} else ""
    return (parts.path or "/") + keep


@bp.post("/kieli")
@public
def switch():
    """The language switch of the pages that keep no typed values (the forms switch themselves,
    keeping what was typed). CSRF-checked by the auth gate like every cookie POST."""
    try:
        language = known_language(request.form.get("language", ""))
    except UnknownLanguage:
        abort(400)
    return remember(redirect(_local(request.form.get("next")), code=303), language)


def init_app(app: Flask) -> None:
    check_catalogues()  # a missing or stale compiled catalogue stops the service here
    app.config.setdefault("BABEL_TRANSLATION_DIRECTORIES", str(CATALOGUE_DIR))
    app.config.setdefault("BABEL_DEFAULT_LOCALE", DEFAULT)
    Babel(app, locale_selector=select_locale)
    set_resolver(request_language)
    app.register_blueprint(bp)

    @app.context_processor
    def _languages():
        return {"ui_language": request_language() or DEFAULT, "ui_languages": LANGUAGES,
                "language_switch_labels": SWITCH_LABELS}

    @app.after_request
    def _content_language(response):
        # A document says its own language (documents.attachment); everything else the reader's.
        response.headers.setdefault("Content-Language", request_language() or DEFAULT)
        response.vary.add("Accept-Language")
        response.vary.add("Cookie")
        return response
