"""The case form: one form for every document of a conference, page by page.

The first page holds what the documents share (the case reference, the people named once, the
meetings); each document has a page of its own part; the overview shows every document as not
started, incomplete (with what is missing), blocked (by a cross-document rule) or ready, with the
warnings, and makes any ready document, or all of them as one zip or one PDF.

Nothing is stored on the server: the case travels in the page, as a hidden field holding its
JSON, and every button posts the page, so moving between pages keeps every typed value (also
without JavaScript). "Tallenna tapaus" hands the user the case file (named by the case reference
only), which "Avaa" takes back, as well as a file saved by a per-document form.
"""

from __future__ import annotations

import datetime as dt
import json
from dataclasses import dataclass

from flask import Blueprint, Response, abort, make_response, render_template, request

from schemas.case import MeetingsSchema, PeopleSchema
from schemas.common import CASE_REF_RE, DocumentSchema
from schemas.hetu import HETU_LIKE_RE
from schemas.i18n import DEFAULT, LANGUAGES, Msg, current, gettext, translate
from schemas.i18n import gettext as _
from service import formats
from service.cases.bundle import SINGLE, ZIP, produce_case
from service.cases.compose import case_from_document, check_shape, merge, part_schema
from service.cases.rules import assess
from service.fieldtree import Node, tree
from service.pages import carryover
from service.pages.formdata import BadPath, apply_action, blank, from_form, to_form
from service.pages.forms import FORMATS, FormPage, _uploaded_json, page_errors, page_headers, restored_notice
from service.pages.profile import own_details
from service.problems import ApiError
from service.registry import DOCUMENT_TYPES, FAMILY
from service.validation import parse_json
from service.web import i18n
from service.web.gate import auditor, role
from service.web.responses import attachment
from service.web.shared import converter, template_store

bp = Blueprint("case_form", __name__, url_prefix="/tapaus")
page_errors(bp)

COMMON = "yhteiset"
OVERVIEW = "yleiskuva"


bp.after_request(page_headers)


@dataclass(frozen=True)
class Section:
    """One page of the case form: the shared part, a document's own part, or the overview."""

    id: str
    fields: Node

    def title(self) -> str:
        if self.id == COMMON:
            return _("Yhteiset tiedot")
        if self.id == OVERVIEW:
            return _("Yleiskuva")
        return DOCUMENT_TYPES[self.id].title()


def _common_tree() -> Node:
    meta = tree(type("CaseMeta", (DocumentSchema,), {"Meta": type("Meta", (), {
        "exclude": ("document_date", "version")})}))
    node = Node("object", children=dict(meta.children))
    people, meetings = tree(PeopleSchema), tree(MeetingsSchema)
    people.label, people.required = Msg("Henkilöt"), True
    meetings.label = Msg("Kokoukset")
    node.children["people"] = people
    node.children["meetings"] = meetings
    return node


_SECTIONS: dict[str, Section] = {}


def section(section_id: str) -> Section:
    if not _SECTIONS:
        _SECTIONS[COMMON] = Section(COMMON, _common_tree())
        _SECTIONS[OVERVIEW] = Section(OVERVIEW, Node("object"))
        for type_id in DOCUMENT_TYPES:
            _SECTIONS[type_id] = Section(type_id, tree(part_schema(type_id)))
    try:
        return _SECTIONS[section_id]
    except KeyError:
        abort(400)


def sections() -> list[Section]:
    return [section(COMMON), *(section(t) for t in DOCUMENT_TYPES), section(OVERVIEW)]


# --- reading and writing the case of a page ---------------------------------------------------

def new_case(language: str) -> dict:
    root = section(COMMON).fields
    people = blank(root.children["people"])
    mine = own_details()
    if mine:
        people["social_worker"] = dict(mine)
    return {**blank(root), "language": language, "people": people}


def new_part(type_id: str, language: str) -> dict:
    """A document's part as a new page starts it: the required lists' first entries, the document
    date today, the standard questions in the case's language."""
    doc_type = DOCUMENT_TYPES[type_id]
    part = {**blank(section(type_id).fields), **doc_type.schema.initial_values(language=language)}
    part.pop("language", None)
    if "document_date" in section(type_id).fields.children:
        part["document_date"] = dt.date.today().isoformat()
    return part


def _posted_case() -> dict:
    raw = request.form.get("case", "")
    if not raw:
        return {}
    try:
        case = parse_json(raw.encode("utf-8"))
    except ApiError:
        abort(400)
    if not isinstance(case, dict):
        abort(400)
    return case


def _language(case: dict) -> str:
    language = case.get("language")
    return language if language in LANGUAGES else DEFAULT


def _store(case: dict, section_id: str, data: dict) -> dict:
    """The posted page's values into the case: the shared part replaces the case's shared keys; a
    document's part replaces its part, and a part still as its new page started it is left out
    (opening a page does not start a document)."""
    if section_id == COMMON:
        for name in section(COMMON).fields.children:
            if name in data:
                case[name] = data[name]
            else:
                case.pop(name, None)
    elif section_id in DOCUMENT_TYPES:
        documents = case.setdefault("documents", {})
        untouched = data == _comparable(new_part(section_id, _language(case)), section_id)
        if untouched and section_id not in documents:
            return case
        documents[section_id] = data
    return case


def _comparable(part: dict, section_id: str) -> dict:
    """A new part as the form would post it back (empty entries and blocks absent)."""
    return from_form(section(section_id).fields, to_form(section(section_id).fields, part))


def _page_data(case: dict, section_id: str) -> dict:
    if section_id == COMMON:
        return {k: case[k] for k in section(COMMON).fields.children if k in case} or new_case(_language(case))
    if section_id in DOCUMENT_TYPES:
        part = (case.get("documents") or {}).get(section_id)
        return part if isinstance(part, dict) else new_part(section_id, _language(case))
    return {}


def _local_errors(section_id: str, errors: list[dict]) -> list[dict]:
    """Errors named by their place in the case, as the fields of one page know them."""
    if section_id == COMMON:
        return [e for e in errors if not e.get("path", "").startswith("documents.")]
    prefix = f"documents.{section_id}."
    return [{**e, "path": e["path"][len(prefix):]} for e in errors if e.get("path", "").startswith(prefix)]


# --- pages ------------------------------------------------------------------------------------

@bp.get("")
@role("worker")
def start():
    """A new case: the shared page, in the page's language."""
    if request.args:
        abort(400)
    return render(new_case(current()), COMMON)


@bp.post("")
@role("worker")
def submit():
    case = _posted_case()
    current_id = request.form.get("section", COMMON)
    page = section(current_id)
    data = from_form(page.fields, request.form) if current_id != OVERVIEW else {}
    action, _sep, target = request.form.get("action", "goto:" + OVERVIEW).partition(":")
    output_format = request.form.get("format", formats.DOCX)
    if output_format not in dict(FORMATS):
        output_format = formats.DOCX
    if action in ("add", "remove", "up", "down"):
        try:
            focus = apply_action(page.fields, data, action, target)
        except BadPath:
            abort(400)
        return render(_store(case, current_id, data), current_id, page_data=data, focus=focus,
                      output_format=output_format)
    case = _store(case, current_id, data)
    if action == "goto":
        return render(case, section(target).id, output_format=output_format)
    if action == "language":
        if target not in LANGUAGES:  # a switch button's value, not typed by a person
            abort(400)
        i18n.use(target)
        html, status = render(case, current_id, page_data=data, focus=f"language-{target}", output_format=output_format)
        return i18n.remember(make_response(html, status), target)
    if action == "save":
        return _save(case)
    if action == "restore":  # after signing in again, or "Pysy kirjautuneena" without JavaScript
        return render(case, current_id, page_data=data, notice=restored_notice(target), output_format=output_format)
    if action == "produce":
        type_id, _sep2, rendition = target.partition(":")
        if type_id not in DOCUMENT_TYPES:
            abort(400)
        return _produce(case, current_id, f"{type_id}:{rendition or FAMILY}", output_format, None)
    if action == "bundle":
        if target not in (ZIP, SINGLE):
            abort(400)
        return _produce(case, current_id, None, formats.PDF if target == SINGLE else output_format, target)
    abort(400)


@bp.post("/avaa")
@role("worker")
def open_file():
    """A saved case file, or a file saved by a per-document form, into the case on the page."""
    case = _posted_case()
    payload, problem = _uploaded_json()
    if problem is None and payload is not None:
        if {"people", "documents"} & set(payload) or set(payload) <= {"case_ref", "language", "meetings"}:
            opened = payload
            notice = _("Tapaus avattiin. Tarkista tiedot ja jatka.")
        else:
            doc_type = carryover.detect(payload)
            if doc_type is None:
                problem = _("Tiedoston asiakirjatyyppiä ei tunnistettu.")
                opened = {}
            else:
                opened = case_from_document(doc_type, payload)
                notice = _("Asiakirjan {title} tiedot avattiin tapaukseen. Henkilöt ja yhteiset tiedot siirtyivät "
                           "yhteisiin tietoihin; tarkista ne.").format(title=doc_type.title())
        if problem is None:
            try:
                check_shape(opened)
            except ApiError:
                problem = _("Tiedostossa on tietoja, jotka eivät sovi tapaukseen. Tarkista, että valitsit oikean "
                            "tiedoston.")
    if problem:
        return render(case, OVERVIEW, open_error=problem, status=422)
    return render(merge(opened, case) if case.get("documents") or case.get("people") else opened, OVERVIEW,
                  notice=notice)


# --- producing and saving ---------------------------------------------------------------------

def _produce(case: dict, current_id: str, types: str | None, output_format: str, bundle: str | None):
    try:
        output = produce_case(template_store(), case, types, output_format, bundle,
                              converter(), audit=auditor())
    except ApiError as exc:
        if exc.status == 422 and exc.errors and types:
            type_id = types.split(":", 1)[0]
            return render(case, type_id, errors=_local_errors(type_id, exc.errors), status=422,
                          failure=translate(exc.message) if not _local_errors(type_id, exc.errors) else None,
                          output_format=output_format)
        return render(case, OVERVIEW, failure=translate(exc.message), status=exc.status, output_format=output_format)
    response = attachment(output.content, output.file_name, mimetype=output.mimetype)
    response.headers["Content-Language"] = output.language
    return response


def _save(case: dict):
    """The case file, to keep on the user's own computer: named by the case reference only."""
    case_ref = case.get("case_ref")
    language = _language(case)
    if isinstance(case_ref, str) and CASE_REF_RE.match(case_ref.strip()) and not HETU_LIKE_RE.search(case_ref):
        name = gettext("tapaus_{case_ref}.json", language).format(case_ref=case_ref.strip())
    else:
        name = gettext("tapaus.json", language)
    body = json.dumps(case, ensure_ascii=False, indent=2) + "\n"
    response = Response(body.encode("utf-8"), mimetype="application/json")
    response.headers["Content-Disposition"] = f'attachment; filename="{name}"'
    return response


def render(case: dict, section_id: str, *, page_data: dict | None = None, errors=None, focus=None, notice=None,
           open_error=None, failure=None, status=200, output_format=formats.DOCX):
    page_section = section(section_id)
    data = page_data if page_data is not None else _page_data(case, section_id)
    form_page = FormPage(page_section, data, errors, focus)  # type: ignore[arg-type]
    report = None
    if section_id == OVERVIEW:
        try:
            report = assess(check_shape(case)).as_dict()
        except ApiError as exc:
            failure = failure or translate(exc.message)
    if notice and not form_page.focus:
        form_page.focus = "notice"
    if (open_error or failure) and not form_page.focus:
        form_page.focus = "page-problem"
    html = render_template(
        "forms/case.html", page=form_page, section=page_section, sections=sections(), report=report,
        case_json=json.dumps(case, ensure_ascii=False), formats=FORMATS, output_format=output_format,
        notice=notice, open_error=open_error, failure=failure, overview=OVERVIEW, stay_form="lnp-form",
    )
    return html, status
