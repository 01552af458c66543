"""What a case's documents are, each: not started, incomplete (with what is missing) or ready; and
the cross-document rules of the domain spec §8, checked on the whole case.

An error blocks the documents it concerns; a warning is shown and blocks nothing. Each finding
names the fields of both documents (``path`` and ``related``), as paths in the case file.
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass, field

from marshmallow import ValidationError

from schemas.choices import DOCUMENT_LANGUAGE
from schemas.i18n import LANGUAGES, Msg, gettext, translate
from schemas.invitation import recipients
from service.cases.compose import document_payload
from service.problems import flatten
from service.registry import DOCUMENT_TYPES, DocumentType
from service.validation import schema_for

NOT_STARTED = "not_started"
INCOMPLETE = "incomplete"
READY = "ready"
BLOCKED = "blocked"

AGREEMENT, SUMMARY, QUESTIONS, FOLLOW_UP = "mandate-agreement", "summary", "questions", "follow-up-summary"
PLAN, INVITATION = "family-plan", "invitation"
# The questions document's blocks the family plan answers (the case supplies them to the plan).
ANSWERED_BLOCKS = ("case_questions", "must_include", "not_acceptable")
NETWORK_COPIES = (SUMMARY, FOLLOW_UP)


@dataclass
class Finding:
    severity: str  # "error" or "warning"
    path: str
    message: str
    related: list[str] = field(default_factory=list)
    blocks: list[str] = field(default_factory=list)  # type ids (":network" for a relatives' copy only)

    def as_dict(self) -> dict:
        return {"severity": self.severity, "path": self.path, "message": translate(self.message),
                "related": self.related, "blocks": self.blocks}


@dataclass
class DocumentState:
    type_id: str
    status: str
    errors: list[dict] = field(default_factory=list)  # what is missing or wrong, from its own schema
    data: dict | None = None  # the validated document when ready

    def as_dict(self) -> dict:
        return {"type": self.type_id, "status": self.status,
                "errors": [{k: e[k] for k in ("path", "label", "message")} for e in self.errors]}


def _date(value) -> dt.date | None:
    try:
        return dt.date.fromisoformat(value) if isinstance(value, str) else None
    except ValueError:
        return None


def _dict(value) -> dict:
    return value if isinstance(value, dict) else {}


def _part(case: dict, type_id: str) -> dict:
    part = (case.get("documents") or {}).get(type_id)
    return part if isinstance(part, dict) else {}


def _doc(type_id: str, path: str = "") -> str:
    return f"documents.{type_id}" + (f".{path}" if path else "")


def cross_document(case: dict) -> list[Finding]:
    """The rules of spec §8 that span documents."""
    findings: list[Finding] = []
    agreement, summary, questions, follow_up = (_part(case, t) for t in (AGREEMENT, SUMMARY, QUESTIONS, FOLLOW_UP))

    themes = agreement.get("themes")
    if isinstance(themes, list) and themes:
        known = {t.strip().casefold() for t in themes if isinstance(t, str)}
        for index, question in enumerate(questions.get("case_questions") or []):
            theme = question.get("theme") if isinstance(question, dict) else None
            if isinstance(theme, str) and theme.strip() and theme.strip().casefold() not in known:
                findings.append(Finding(
                    "error", _doc(QUESTIONS, f"case_questions[{index}].theme"),
                    Msg("Kysymyksen teema ei ole toimeksiantosopimuksen käsiteltävissä asioissa. Valitse jokin "
                        "sopimuksen asioista tai lisää asia sopimukseen."),
                    [_doc(AGREEMENT, "themes")], [QUESTIONS]))

    consent: dict = agreement["consent"] if isinstance(agreement.get("consent"), dict) else {}
    if consent.get("to_network") is False:
        for type_id, part in ((SUMMARY, summary), (FOLLOW_UP, follow_up)):
            sharing: dict = part["sharing"] if isinstance(part.get("sharing"), dict) else {}
            if sharing.get("approved_for_network") is True:
                findings.append(Finding(
                    "error", _doc(type_id, "sharing.approved_for_network"),
                    Msg("Huoltajat eivät ole toimeksiantosopimuksessa antaneet suostumusta tietojen antamiseen "
                        "läheisille, joten läheisille annettavaa kappaletta ei tehdä."),
                    [_doc(AGREEMENT, "consent.to_network")], [f"{type_id}:network"]))

    meetings: dict = case["meetings"] if isinstance(case.get("meetings"), dict) else {}
    conference = _date((meetings.get("conference") or {}).get("date"))
    review = _date((meetings.get("follow_up") or {}).get("date"))
    if conference and review:
        months = (review.year - conference.year) * 12 + review.month - conference.month \
            - (1 if review.day < conference.day else 0)
        if review <= conference:
            findings.append(Finding("error", "meetings.follow_up.date",
                                    Msg("Seurantakokous on ennen läheisneuvonpidon kokousta tai samana päivänä."),
                                    ["meetings.conference.date"], [FOLLOW_UP]))
        elif not 3 <= months < 6 and review != _add_months(conference, 6):
            findings.append(Finding("warning", "meetings.follow_up.date",
                                    Msg("Seurantakokous pidetään yleensä 3–6 kuukauden kuluttua kokouksesta; nyt "
                                        "väli on {months} kk.").format(months=months),
                                    ["meetings.conference.date"]))
    findings += _same_meetings(case, meetings)
    findings += _plan_answers_the_questions(case, questions)
    findings += _letters_in_other_languages(case)
    return findings


def _letters_in_other_languages(case: dict) -> list[Finding]:
    """A letter is in its recipient's language, but what the convener typed (on whose behalf, the
    venue, accessibility, refreshments, the sender's address) prints as typed: said before the
    letters go out, so a Swedish letter with Finnish sentences is a choice, not a surprise."""
    part = _part(case, INVITATION)
    if not part:
        return []
    payload = document_payload(case, DOCUMENT_TYPES[INVITATION])
    if not all(isinstance(payload.get(key, []), list) for key in ("invitees", "members")):
        return []  # a malformed list is the invitation's own error
    own = payload.get("language")
    others = sorted({str(r["language"]) for r in recipients(payload)
                     if r.get("language") in LANGUAGES and r.get("language") != own})
    if not others:
        return []
    names = ", ".join(gettext(DOCUMENT_LANGUAGE.labels[code]) for code in others)
    return [Finding("warning", _doc(INVITATION, "invited_on_behalf_of"), Msg(
        "Osa kirjeistä tulostuu vastaanottajan kielellä ({languages}), mutta kirjoittamasi tekstit (kenen puolesta "
        "kutsutaan, paikka, saavutettavuus, tarjoilu, lähettäjän osoite) tulostuvat niihin sellaisinaan. Kirjoita ne "
        "tarvittaessa myös vastaanottajan kielellä.").format(languages=names),
        [_doc(INVITATION, "invitees"), _doc("network-map", "members")])]


def _same_meetings(case: dict, meetings: dict) -> list[Finding]:
    """A document's meeting is the case's meeting: the plan's conference and follow-up meeting, and
    the day an invitation letter invites to."""
    findings: list[Finding] = []
    plan, invitation = _part(case, PLAN), _part(case, INVITATION)
    dated = [(PLAN, "meeting.date", _dict(plan.get("meeting")).get("date"), "conference"),
             (PLAN, "follow_up.date", _dict(plan.get("follow_up")).get("date"), "follow_up")]
    kind = invitation.get("meeting_type")
    if kind in ("conference", "follow_up"):
        dated.append((INVITATION, "meeting_date", invitation.get("meeting_date"), kind))
    for type_id, path, value, meeting in dated:
        ours = _date(value)
        case_day = _date(_dict(meetings.get(meeting)).get("date"))
        if ours and case_day and ours != case_day:
            message = (Msg("Päivä ei ole tapauksen läheisneuvonpidon kokouksen päivä ({day}).") if meeting == "conference"
                       else Msg("Päivä ei ole tapauksen seurantakokouksen päivä ({day})."))
            findings.append(Finding("error", _doc(type_id, path), message.format(day=case_day.isoformat()),
                                    [f"meetings.{meeting}.date"], [type_id]))
    return findings


def _plan_answers_the_questions(case: dict, questions: dict) -> list[Finding]:
    """A plan part that carries the questions' blocks itself (taken in from a plan's file) must
    carry the questions document's own: a plan answers the questions the relatives were asked."""
    findings: list[Finding] = []
    plan = _part(case, PLAN)
    if not plan or not questions:
        return findings
    for name in ANSWERED_BLOCKS:
        if name in plan and name in questions and plan[name] != questions[name]:
            findings.append(Finding(
                "error", _doc(PLAN, name),
                Msg("Suunnitelman kysymykset tai reunaehdot eivät ole samat kuin tapauksen kysymykset-asiakirjassa. "
                    "Poista ne suunnitelmasta, niin suunnitelma vastaa kysymykset-asiakirjan kysymyksiin."),
                [_doc(QUESTIONS, name)], [PLAN]))
    return findings


def _add_months(day: dt.date, months: int) -> dt.date:
    month = day.month - 1 + months
    year, month = day.year + month // 12, month % 12 + 1
    for last in (31, 30, 29, 28):
        try:
            return day.replace(year=year, month=month, day=min(day.day, last))
        except ValueError:
            continue
    return day


def document_state(case: dict, doc_type: DocumentType) -> DocumentState:
    """Not started (no part in the case), incomplete (what its own schema says is missing or
    wrong), or ready (its validated data)."""
    if doc_type.id not in (case.get("documents") or {}):
        return DocumentState(doc_type.id, NOT_STARTED)
    try:
        data = schema_for(doc_type).load(document_payload(case, doc_type))
    except ValidationError as exc:
        errors = flatten(exc.messages, doc_type.fields)
        for error in errors:
            error["path"] = _case_path(doc_type, error["path"])
        return DocumentState(doc_type.id, INCOMPLETE, errors)
    return DocumentState(doc_type.id, READY, data=data)


def _case_path(doc_type: DocumentType, path: str) -> str:
    """Where a document's field lives in the case file."""
    head = path.split(".", 1)[0].split("[", 1)[0]
    people = {"children": "people.children", "guardians": "people.guardians", "social_worker": "people.social_worker",
              "coordinator": "people.convener", "participating_workers": "people.workers"}
    if head in ("case_ref", "language"):
        return path
    if head in people:
        return people[head] + path[len(head):]
    return _doc(doc_type.id, path)


@dataclass
class CaseReport:
    documents: dict[str, DocumentState]
    findings: list[Finding]

    def blocked(self, type_id: str, rendition: str = "family") -> list[Finding]:
        keys = {type_id} if rendition == "family" else {type_id, f"{type_id}:{rendition}"}
        return [f for f in self.findings if f.severity == "error" and keys & set(f.blocks)]

    def status(self, type_id: str) -> str:
        state = self.documents[type_id]
        if state.status == READY and self.blocked(type_id):
            return BLOCKED
        return state.status

    def as_dict(self) -> dict:
        return {
            "documents": [{**state.as_dict(), "status": self.status(type_id), "title": gettext(
                DOCUMENT_TYPES[type_id].label)} for type_id, state in self.documents.items()],
            "findings": [f.as_dict() for f in self.findings],
        }


def assess(case: dict) -> CaseReport:
    return CaseReport({type_id: document_state(case, doc_type) for type_id, doc_type in DOCUMENT_TYPES.items()},
                      cross_document(case))
