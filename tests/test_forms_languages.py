"""The forms, the sign-in pages and the error pages in fi, sv and en, through Flask's test
client: which language a page is in, the language switches (/kieli and the form's own), the
plain messages of formerrors in each language, and a complete catalogue for the pages' texts.
The same in a real browser: test_forms_languages_browser.py."""

from __future__ import annotations

import importlib.util
import io
import json
import re
from html import unescape

import pytest
from babel import Locale
from werkzeug.datastructures import MultiDict

from schemas.fields import REQUIRED, TOO_LONG
from schemas.i18n import LANGUAGES, Msg, gettext, language
from schemas.questions import STANDARD_QUESTIONS
from service.pages import forms
from service.pages.formerrors import context, friendly, item_name
from service.registry import DOCUMENT_TYPES, ROOT
from service.web.i18n import COOKIE, SWITCH_LABELS
from tests.conftest import HTTPS, load_example, signed_in
from tests.test_forms import TOKEN_RE, csrf_token, to_form

OTHER = ("sv", "en")
# The page's own words for a few texts, as a reader of each language sees them (the catalogue is
# checked complete below; these pin the wording of the most visible ones).
WORDS = {
    "fi": {"produce": "Luo asiakirja", "missing": "{label} puuttuu", "title": "Läheisneuvonpidon asiakirjat",
           "errors": "Tiedoissa on 2 virhettä", "sign_in": "Kirjaudu sisään", "not_found": "Sivua ei löydy"},
    "sv": {"produce": "Skapa dokumentet", "missing": "{label} saknas", "title": "Dokument för familjerådslag",
           "errors": "Uppgifterna innehåller 2 fel", "sign_in": "Logga in", "not_found": "Sidan hittades inte"},
    "en": {"produce": "Create the document", "missing": "{label} is missing",
           "title": "Family group conference documents", "errors": "There are 2 errors in the details",
           "sign_in": "Sign in", "not_found": "Page not found"},
}


def text(response) -> str:
    return unescape(response.get_data(as_text=True))


def lang_of(html: str) -> str:
    return re.search(r'<html lang="([a-z]+)">', html).group(1)


def asked_in(lang: str) -> dict:
    return {"Accept-Language": {"fi": "fi-FI,fi;q=0.9", "sv": "sv-FI,sv;q=0.9,en;q=0.5", "en": "en-GB,en;q=0.9"}[lang]}


def switch_to(client, lang: str, next_path: str = "/", **kwargs):
    token = TOKEN_RE.search(client.get(next_path, **kwargs).get_data(as_text=True)).group(1)
    return client.post("/kieli", data={"language": lang, "next": next_path, "csrf_token": token}, **kwargs)


# --- which language a page is in ----------------------------------------------------------------

@pytest.mark.parametrize("lang", LANGUAGES)
def test_pages_follow_accept_language_and_say_so(client, lang):
    for path in ("/", "/lomakkeet/summary", "/lomakkeet/nope"):
        response = client.get(path, headers=asked_in(lang))
        html = text(response)
        assert lang_of(html) == lang, path
        assert response.headers["Content-Language"] == lang
        assert WORDS[lang]["title"] in html
        # the switch: each language named in itself, with its lang; the page's one is current
        for code, name in SWITCH_LABELS.items():
            button = re.search(rf'<button[^>]*lang="{code}"[^>]*>{name}</button>', html, re.S)
            assert button, (path, code)
            assert ('aria-current="true"' in button.group(0)) == (code == lang)
    assert f'<h1>{WORDS[lang]["not_found"]}</h1>' in text(client.get("/lomakkeet/nope", headers=asked_in(lang)))


@pytest.mark.parametrize("lang", OTHER)
def test_front_page_names_every_type_in_the_page_language(client, lang):
    html = text(client.get("/", headers=asked_in(lang)))
    for doc_type in DOCUMENT_TYPES.values():
        assert f'<a href="/lomakkeet/{doc_type.id}">{doc_type.title(lang)}</a>' in html
        assert gettext(doc_type.description, lang) in html
        assert gettext(doc_type.phase, lang) in html


@pytest.mark.parametrize("lang", OTHER)
def test_a_form_is_labelled_from_the_schema_in_the_page_language(client, lang):
    html = text(client.get("/lomakkeet/mandate-agreement", headers=asked_in(lang)))
    root = DOCUMENT_TYPES["mandate-agreement"].fields
    assert f"<h1>{DOCUMENT_TYPES['mandate-agreement'].title(lang)}</h1>" in html
    for path, node in [("case_ref", root.children["case_ref"]),
                       ("children[0].birth_date", root.children["children"].item.children["birth_date"])]:
        label = re.search(rf'<label class="hds-text-input__label" for="{forms.field_id(path)}">([^<*]+)', html).group(1)
        assert label.strip() == gettext(node.label, lang)
    assert gettext(root.children["case_ref"].help, lang) in html
    with language(lang):
        assert f"<h3 class=\"lnp-heading lnp-heading--3\">{item_name(root.children['children'])} 1</h3>" in html
    assert WORDS[lang]["produce"] in html
    # a choice list by its names in the page language
    document_language = re.search(r'name="language"[^>]*>(.*?)</select>', html, re.S).group(1)
    assert f'>{gettext("ruotsi", lang)}<' in document_language and f'>{gettext("englanti", lang)}<' in document_language
    # a list of languages by their CLDR names in the page language
    guardian_language = re.search(r'name="guardians\[0\]\.language"[^>]*>(.*?)</select>', html, re.S).group(1)
    assert f'<option value="so">{Locale(lang).languages["so"]}</option>' in guardian_language


@pytest.mark.parametrize("lang", LANGUAGES)
def test_language_names_are_in_the_page_language_common_ones_first(lang):
    options = forms.language_options(lang)
    names = Locale(lang).languages
    assert options[:3] == [("fi", names["fi"]), ("sv", names["sv"]), ("en", names["en"])]
    assert dict(options)["so"] == names["so"]  # "somali", "somaliska", "Somali"
    # exactly the codes the schema accepts, each once, whatever the page's language
    field = DOCUMENT_TYPES["mandate-agreement"].schema().fields["guardians"].inner.schema.fields["language"]
    accepted = field.validators[0].choices
    assert sorted(c for c, _ in options) == sorted(accepted)
    assert all(name for _, name in options)
    rest = [name.casefold() for code, name in options if code not in forms.COMMON_LANGUAGES]
    assert rest == sorted(rest)


@pytest.mark.parametrize("lang", LANGUAGES)
def test_a_new_form_starts_in_the_page_language(client, lang):
    html = text(client.get("/lomakkeet/questions", headers=asked_in(lang)))
    selected = re.search(r'<select[^>]*name="language"[^>]*>.*?<option value="([a-z]+)" selected>', html, re.S)
    assert selected.group(1) == lang
    for question in STANDARD_QUESTIONS.values():
        assert gettext(question, lang) in html
    assert forms.new_document(DOCUMENT_TYPES["questions"], lang)["standard_questions"][0]["text"] == \
        gettext(STANDARD_QUESTIONS["worker_support"], lang)


# --- the switch of the pages: POST /kieli ----------------------------------------------------------

@pytest.mark.parametrize("lang", LANGUAGES)
def test_kieli_sets_the_cookie_and_returns_to_the_page(client, lang):
    response = switch_to(client, lang, "/lomakkeet/summary")
    assert response.status_code == 303
    assert response.headers["Location"] == "/lomakkeet/summary"
    cookie = response.headers["Set-Cookie"]
    assert cookie.startswith(f"{COOKIE}={lang};") and "HttpOnly" in cookie and "SameSite=Lax" in cookie
    # the cookie wins over the browser's Accept-Language from now on
    other = "en" if lang != "en" else "sv"
    assert lang_of(text(client.get("/lomakkeet/summary", headers=asked_in(other)))) == lang


@pytest.mark.parametrize("target", ["https://evil.example/", "//evil.example/x", "/\\evil.example", "evil",
                                    "javascript:alert(1)", "http:/evil.example", ""])
def test_kieli_never_redirects_off_site(client, target):
    token = csrf_token(client)
    response = client.post("/kieli", data={"language": "sv", "next": target, "csrf_token": token})
    assert response.status_code == 303
    assert response.headers["Location"] == "/"


def test_kieli_keeps_only_the_path(client):
    token = csrf_token(client)
    response = client.post("/kieli", data={"language": "en", "next": "/lomakkeet/summary?case_ref=x#y",
                                           "csrf_token": token})
    assert response.headers["Location"] == "/lomakkeet/summary"


@pytest.mark.parametrize("bad", ["", "de", "FI", "sv-FI", "fi;", "../en"])
def test_kieli_refuses_a_language_it_does_not_have(client, bad):
    response = client.post("/kieli", data={"language": bad, "next": "/", "csrf_token": csrf_token(client)})
    assert response.status_code == 400
    assert "Set-Cookie" not in response.headers or COOKIE not in response.headers["Set-Cookie"]


def test_kieli_needs_the_csrf_token(app):
    browser = signed_in(app, "worker", "kielen-vaihtaja")
    browser.get("/", **HTTPS)
    refused = browser.post("/kieli", data={"language": "sv", "next": "/"}, **HTTPS)
    assert refused.status_code == 400
    assert COOKIE not in refused.headers.get("Set-Cookie", "")
    assert "text/html" in refused.content_type  # the page that says why, not JSON
    assert switch_to(browser, "sv", "/", **HTTPS).status_code == 303


def test_kieli_works_before_sign_in_too(app):
    anonymous = app.test_client()
    anonymous.environ_base["HTTP_REFERER"] = "https://localhost/auth/sign-in"
    page = anonymous.get("/auth/sign-in", headers=asked_in("fi"), **HTTPS)
    assert WORDS["fi"]["sign_in"] in text(page)
    token = TOKEN_RE.search(page.get_data(as_text=True)).group(1)
    response = anonymous.post("/kieli", data={"language": "en", "next": "/auth/sign-in", "csrf_token": token}, **HTTPS)
    assert response.status_code == 303 and response.headers["Location"] == "/auth/sign-in"
    again = anonymous.get("/auth/sign-in", headers=asked_in("fi"), **HTTPS)
    assert lang_of(text(again)) == "en" and "<h1>Sign in</h1>" in text(again)
    assert again.headers["Content-Language"] == "en"


def test_a_page_shown_after_a_post_switches_back_to_a_page_that_exists(client):
    response = client.post("/avaa", data={"csrf_token": csrf_token(client), "json": '{"x": 1}'})
    assert response.status_code == 422
    assert '<input type="hidden" name="next" value="/">' in response.get_data(as_text=True)


# --- the form's own switch: the form posts itself ----------------------------------------------------

@pytest.mark.parametrize("lang", LANGUAGES)
def test_the_form_switch_keeps_every_typed_value(client, lang):
    doc_type = DOCUMENT_TYPES["mandate-agreement"]
    example = load_example("mandate-agreement")
    form = to_form(doc_type.fields, example)
    form["format"] = "pdf"
    form["csrf_token"] = csrf_token(client, "mandate-agreement")
    form["action"] = f"language:{lang}"
    response = client.post("/lomakkeet/mandate-agreement", data=form)
    assert response.status_code == 200
    assert response.headers["Set-Cookie"].startswith(f"{COOKIE}={lang};")
    assert response.headers["Content-Language"] == lang
    html = response.get_data(as_text=True)
    assert lang_of(html) == lang
    # every value is in the page again, as the user typed it
    again = forms.from_form(doc_type.fields, MultiDict(_posted_values(html)))
    schema = doc_type.schema()
    assert schema.load(again) == schema.load(example)
    assert '<option value="pdf" selected>' in html  # the chosen format too
    # the keyboard focus stays on the switch, now on the chosen language
    assert re.search(rf'id="language-{lang}"[^>]*aria-current="true"\s*autofocus', html)
    assert WORDS[lang]["produce"] in unescape(html)


def test_the_form_switch_refuses_an_unknown_language(client):
    form = MultiDict({"csrf_token": csrf_token(client), "action": "language:de", "case_ref": "LNP-1"})
    assert client.post("/lomakkeet/summary", data=form).status_code == 400


def test_the_form_switch_needs_the_csrf_token(app):
    browser = signed_in(app, "worker", "lomakkeen-kielen-vaihtaja")
    refused = browser.post("/lomakkeet/summary", data={"action": "language:sv", "case_ref": "LNP-1"}, **HTTPS)
    assert refused.status_code == 400 and COOKIE not in refused.headers.get("Set-Cookie", "")


def test_enter_submits_produce_not_a_language(client):
    """The switch's buttons belong to the form and come before it in the page: the form's
    default button (the first one, what Enter presses) must still be "Luo asiakirja"."""
    html = client.get("/lomakkeet/summary").get_data(as_text=True)
    first = re.search(r'<button type="submit"([^>]*)>', html).group(1)
    assert 'form="lnp-form"' in first and 'value="produce"' in first and " hidden" in first


def _posted_values(html: str) -> list[tuple[str, str]]:
    """What a browser would post from the page's form: inputs, checked boxes, selected options
    and textareas (enough for the fields of the document forms)."""
    form = html[html.index('<form class="lnp-form"'):]
    out = []
    for tag in re.finditer(r"<input([^>]*)>", form):
        attrs = dict(re.findall(r'(\w[\w-]*)="([^"]*)"', tag.group(1)))
        if "name" not in attrs or attrs["name"] == "csrf_token" or attrs.get("type") == "file":
            continue
        if attrs.get("type") in ("checkbox", "radio") and " checked" not in tag.group(1):
            continue
        out.append((unescape(attrs["name"]), unescape(attrs.get("value", ""))))
    for select in re.finditer(r'<select[^>]*name="([^"]+)"[^>]*>(.*?)</select>', form, re.S):
        chosen = re.search(r'<option value="([^"]*)" selected>', select.group(2))
        out.append((unescape(select.group(1)), unescape(chosen.group(1)) if chosen else ""))
    for area in re.finditer(r'<textarea[^>]*name="([^"]+)"[^>]*>\n?(.*?)</textarea>', form, re.S):
        out.append((unescape(area.group(1)), unescape(area.group(2))))
    return out


# --- messages in each language ---------------------------------------------------------------------

@pytest.mark.parametrize("lang", LANGUAGES)
def test_the_required_field_message_in_each_language(lang):
    root = DOCUMENT_TYPES["mandate-agreement"].fields
    with language(lang):
        label = gettext("Syntymäaika")
        expected = WORDS[lang]["missing"].format(label=label)
        # the schema's message arrives in the page's language; a Finnish one is still recognised
        assert friendly(root, "children[0].birth_date", gettext(REQUIRED)) == expected
        assert friendly(root, "children[0].birth_date", REQUIRED) == expected
        assert context(root, "children[1].birth_date") == f"{gettext('lapsi').capitalize()} 2"


@pytest.mark.parametrize("lang, path, message, expected", [
    ("sv", "summary:current_situation", TOO_LONG, "{label}: texten är för lång, högst 4000 tecken"),
    ("en", "summary:current_situation", TOO_LONG, "{label} is too long: at most 4000 characters"),
    ("sv", "summary:version", "Odotettiin kokonaislukua.", "{label} ska anges som ett heltal, till exempel 1"),
    ("en", "summary:document_date", "Päivämäärä ei ole kelvollinen: käytä muotoa VVVV-KK-PP ja todellista päivää.",
     "{label} is not a valid date. Enter the date as 7.3.2026"),
    ("sv", "mandate-agreement:consent.to_network", REQUIRED, "{label}: välj Ja eller Nej"),
    ("en", "mandate-agreement:social_worker.work_email", "Sähköpostiosoite ei ole kelvollinen.",
     "{label} is not a valid email address, for example firstname.surname@hel.fi"),
])
def test_plain_messages_in_swedish_and_english(lang, path, message, expected):
    type_id, field_path = path.split(":")
    root = DOCUMENT_TYPES[type_id].fields
    node = forms.node_at(root, field_path)
    with language(lang):
        # as marshmallow formats a translated message
        arrived = message.format(max=4000) if isinstance(message, Msg) else gettext(message).format(max=4000)
        assert friendly(root, field_path, arrived) == expected.format(label=gettext(node.label))


def test_a_message_no_rule_knows_is_shown_as_it_came():
    root = DOCUMENT_TYPES["summary"].fields
    with language("sv"):
        assert friendly(root, "case_ref", "Något helt annat.") == "Något helt annat"


@pytest.mark.parametrize("lang", LANGUAGES)
def test_error_summary_in_the_page_language(client, lang):
    example = load_example("mandate-agreement")
    del example["children"][0]["birth_date"]
    del example["reason"]
    form = to_form(DOCUMENT_TYPES["mandate-agreement"].fields, example)
    form["csrf_token"] = csrf_token(client, "mandate-agreement")
    form["action"] = "produce"
    response = client.post("/lomakkeet/mandate-agreement", data=form, headers=asked_in(lang))
    assert response.status_code == 422
    html = text(response)
    assert lang_of(html) == lang
    assert WORDS[lang]["errors"] in html
    birth = WORDS[lang]["missing"].format(label=gettext("Syntymäaika", lang))
    assert f'<a href="#f-children-0-birth_date">{birth} ({gettext("lapsi", lang).capitalize()} 1)</a>' in html
    assert f"<title>{gettext('Virhe:', lang)} {DOCUMENT_TYPES['mandate-agreement'].title(lang)}" in html


@pytest.mark.parametrize("lang", LANGUAGES)
def test_error_pages_in_the_page_language(client, app, lang):
    not_found = client.get("/lomakkeet/nope", headers=asked_in(lang))
    assert not_found.status_code == 404 and f"<h1>{WORDS[lang]['not_found']}</h1>" in text(not_found)
    token = csrf_token(client)
    too_large = client.post("/lomakkeet/summary", data={"csrf_token": token, "current_situation": "x" * 600_000},
                            headers=asked_in(lang))
    assert too_large.status_code == 413
    assert gettext("Tiedot ovat liian suuret", lang) in text(too_large)
    browser = signed_in(app, "worker", f"virhesivu-{lang}")
    refused = browser.post("/lomakkeet/summary", data={"action": "save"}, headers=asked_in(lang), **HTTPS)
    assert refused.status_code == 400
    assert lang_of(text(refused)) == lang and gettext("Lomakkeen lähetys hylättiin", lang) in text(refused)


@pytest.mark.parametrize("lang", OTHER)
def test_opening_another_types_json_says_what_was_carried_in_the_page_language(client, lang):
    response = client.post("/lomakkeet/follow-up-summary/avaa", headers=asked_in(lang), data={
        "csrf_token": csrf_token(client), "file": (io.BytesIO(json.dumps(load_example("mandate-agreement")).encode()),
                                                   "x.json", "application/json")}, content_type="multipart/form-data")
    html = text(response)
    assert DOCUMENT_TYPES["mandate-agreement"].title(lang) in html
    source = {"sv": "i källan", "en": "in the source"}[lang]
    author = f"{gettext('Laatija', lang)} ({source}: {gettext('Vastuusosiaalityöntekijä', lang)})"
    assert author in html
    assert {"sv": "Överfördes inte", "en": "Not carried over"}[lang] in html


# --- every text of these pages has its Swedish and English --------------------------------------------

PAGE_SOURCES = ("service/pages/forms.py", "service/pages/formerrors.py", "service/pages/carryover.py", "service/pages/account.py",
                "service/access/accounts.py", "service/api/admin.py", "service/pages/templates/forms/", "service/pages/templates/auth/")


def test_every_text_of_the_forms_and_sign_in_pages_is_translated():
    spec = importlib.util.spec_from_file_location("lnp_messages", ROOT / "tools" / "messages.py")
    messages = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(messages)
    ids = {m if isinstance(m, str) else m[0] for m, filename, _, _ in messages._code_messages()
           if filename.startswith(PAGE_SOURCES)}
    assert len(ids) > 100
    for lang in OTHER:
        catalogue = messages.read(lang)
        missing = [i for i in ids if not (catalogue.get(i) and all(catalogue.get(i).string)
                                          and not catalogue.get(i).fuzzy)]
        assert not missing, (lang, missing)
        # placeholders survive translation
        for i in ids:
            translated = catalogue.get(i).string
            translated = translated if isinstance(translated, str) else translated[0]
            assert sorted(re.findall(r"\{\w+\}|%\(\w+\)[sd]", translated)) == \
                sorted(re.findall(r"\{\w+\}|%\(\w+\)[sd]", i)), (lang, i)


@pytest.mark.parametrize("lang", LANGUAGES)
def test_saved_data_is_named_in_the_documents_language(client, lang):
    form = MultiDict({"csrf_token": csrf_token(client), "action": "save", "case_ref": "LNP-2026-0042",
                      "language": lang})
    response = client.post("/lomakkeet/summary", data=form, headers=asked_in("fi"))
    stem = gettext("yhteenveto", lang)
    assert response.headers["Content-Disposition"] == f'attachment; filename="{stem}_LNP-2026-0042.json"'
    assert response.get_json()["language"] == lang


def test_kieli_keeps_the_sign_in_pages_next(client):
    token = csrf_token(client)
    response = client.post("/kieli", data={"language": "sv", "next": "/auth/sign-in?next=/lomakkeet/summary",
                                           "csrf_token": token})
    assert response.status_code == 303
    assert response.headers["Location"] == "/auth/sign-in?next=%2Flomakkeet%2Fsummary"
    response = client.post("/kieli", data={"language": "sv", "next": "/auth/sign-in?next=https://evil.example/",
                                           "csrf_token": token})
    assert response.headers["Location"] == "/auth/sign-in?next=%2F"
