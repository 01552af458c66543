"""Suunnitelma – the family plan made at the conference and revised after a follow-up meeting
(domain spec §4.4).

The plan is the family's own document and the one shared beyond the meeting (spec §7.3-5): it
names people by name and role only. It has no henkilötunnus and no address field, and its free
texts refuse an identity code or a postal address typed into them (spec §7.3-4).

It answers the questions document: the same blocks (``case_questions``, ``standard_questions``,
``must_include``, ``not_acceptable``) may be sent with it as the questions document has them (in
a case they come from the questions document's part), and then every case question has its
answer and every bottom line its check. The service reads them; the plan prints each answer's and
each check's own words.
"""

from __future__ import annotations

import re

from marshmallow import ValidationError

from . import choices
from .common import (
    CoordinatorSchema,
    DocumentSchema,
    WorkerSchema,
    children_brief_field,
    must_include_field,
    not_acceptable_field,
)
from .fields import (
    NAME_MAX,
    StrictSchema,
    across_fields,
    boolean,
    choice,
    clock_time,
    date,
    entries,
    failed,
    listing,
    long_text,
    nested,
    nested_item,
    text,
    text_list,
)
from .follow_up_summary import PlanRefSchema
from .i18n import DEFAULT, Formatted, Msg, Plural
from .questions import (
    CaseQuestionSchema,
    StandardQuestionsHooks,
    standard_questions_field,
    with_standard_questions,
)

# A Finnish postal code followed by a place name ("00980 Helsinki"): the part of a postal address
# that no sentence of a plan needs.
POSTAL_ADDRESS_RE = re.compile(r"(?<!\d)\d{5}\s+[A-ZÅÄÖ][a-zåäö]+")

NO_ADDRESS = Msg("Suunnitelmaan ei kirjoiteta osoitteita (suunnitelma annetaan kaikille osallistujille). "
                 "Kirjoita paikka ilman osoitetta, esim. mummolassa.")


class PlanMeetingSchema(StrictSchema):
    date = date("Kokouksen päivä", "Päivä, jona suunnitelma tehtiin (versio 1: läheisneuvonpidon kokous, "
                "myöhemmät versiot: seurantakokous).", required=True)
    place = text("Kokouspaikka", "Esim. Perheneuvola, Kalasatama. Ei katuosoitetta.", required=True)
    start_time = clock_time("Alkoi")
    end_time = clock_time("Päättyi")

    @across_fields
    def _ends_after_start(self, data, original_data=None, **kwargs):
        start, end = data.get("start_time"), data.get("end_time")
        if start and end and end <= start:
            raise ValidationError(Msg("Kokouksen päättymisaika on ennen alkamisaikaa."), "end_time")


class PresenceSchema(StrictSchema):
    information = boolean("Tiedonantovaihe", default=False)
    private_time = boolean("Läheisten oma aika", default=False)
    plan_presentation = boolean("Suunnitelman esittely ja hyväksyminen", default=False)


class ParticipantSchema(StrictSchema):
    name = text("Nimi", "Etunimi tai koko nimi, kuten perhe haluaa.", required=True, max_length=NAME_MAX)
    relation_or_role = text("Suhde lapseen tai rooli", "Esim. mummo, naapuri, perheohjaaja, tulkki.",
                            required=True)
    present_in = nested(PresenceSchema, "Mukana kokouksen vaiheissa", required=True)
    is_assistant = boolean("Lapsen avustaja", "Läheinen, joka tuki lasta kokouksessa.", default=False)
    is_scribe = boolean("Kirjuri", "Kirjoitti suunnitelmaa läheisten omalla ajalla.", default=False)

    @across_fields
    def _present_somewhere(self, data, original_data=None, **kwargs):
        presence = data.get("present_in")
        if isinstance(presence, dict) and not any(presence.values()):
            raise ValidationError(Msg("Merkitse ainakin yksi kokouksen vaihe, jossa henkilö oli mukana."),
                                  "present_in")


class AbsentContributorSchema(StrictSchema):
    name = text("Nimi", required=True, max_length=NAME_MAX)
    relation_or_role = text("Suhde lapseen tai rooli")
    how = choice("Miten osallistui", choices.CONTRIBUTION_CHANNEL, required=True)


class ChildViewSchema(StrictSchema):
    child = text("Lapsi", "Lapsen etunimi, kuten kohdassa Lapset.", required=True, max_length=NAME_MAX)
    views = long_text("Lapsen näkemys ja toiveet", "Lapsen omin sanoin, jos mahdollista.", required=True,
                      max_length=2000, plural=True)
    how_obtained = choice("Miten näkemys saatiin", choices.VIEWS_SOURCE, required=True)


class ActionSchema(StrictSchema):
    what = long_text("Mitä tehdään", required=True, max_length=1000)
    who = text("Kuka tekee", required=True)
    by_when = text("Milloin", "Esim. joka arkiaamu, 15.11. mennessä tai heti.", required=True)
    who_checks = text("Kuka seuraa", "Kuka katsoo, että sovittu tehdään.", required=True)


class AnswerSchema(StrictSchema):
    question = long_text("Kysymys", "Kysymys sellaisenaan kysymykset-asiakirjasta.", required=True,
                         max_length=1000)
    theme = text("Teema")
    agreed = boolean("Vastauksesta sovittiin", "Poista valinta, jos läheiset eivät päässeet yhteiseen vastaukseen.",
                     default=True)
    answer = long_text("Vastaus perheen omin sanoin",
                       "Jos vastauksesta ei sovittu, kirjoita tähän halutessasi, mitä asiasta keskusteltiin.")
    actions = listing(nested_item(ActionSchema), "Sovitut tehtävät",
                      "Mitä tehdään, kuka tekee, milloin ja kuka seuraa.", item="tehtävä")

    @across_fields
    def _agreed_has_answer(self, data, original_data=None, **kwargs):
        if data.get("agreed") is True and "answer" not in data and not failed(data, original_data, "answer"):
            raise ValidationError(Msg("Kirjoita sovittu vastaus perheen omin sanoin, tai poista valinta "
                                      "Vastauksesta sovittiin."), "answer")


class WorkerSupportSchema(StrictSchema):
    from_whom = text("Keneltä", "Työntekijä tai palvelu, esim. perheohjaus.", required=True)
    what = long_text("Mihin tukea tarvitaan", required=True, max_length=1000)
    status = choice("Tilanne", choices.SUPPORT_STATUS, required=True)


class MonitoringSchema(StrictSchema):
    how = long_text("Miten seurataan", required=True, max_length=2000)
    who = text("Kuka seuraa", required=True)


class DistributionSchema(StrictSchema):
    recipient = text("Kenelle", "Nimi tai rooli, esim. äiti tai Ellen luokanohjaaja.", required=True)
    channel = choice("Miten annetaan", choices.DISTRIBUTION_CHANNEL, required=True)


class FollowUpSchema(StrictSchema):
    date = date("Seurantakokouksen päivä")
    month = text("Kuukausi, jos päivää ei ole sovittu", "Esim. maaliskuu 2027.", max_length=40)
    place = text("Paikka", "Ei katuosoitetta.")
    invitees = text_list("Keitä kutsutaan", required=True, min_items=1, item_max=200, item="kutsuttava")

    @across_fields
    def _date_or_month(self, data, original_data=None, **kwargs):
        if "date" not in data and "month" not in data and not failed(data, original_data, "date") \
                and not failed(data, original_data, "month"):
            raise ValidationError(Msg("Kirjoita seurantakokouksen päivä tai ainakin kuukausi."), "date")


class BottomLineCheckSchema(StrictSchema):
    bottom_line = long_text("Reunaehto", "Reunaehto sellaisenaan kysymykset-asiakirjasta.", required=True,
                            max_length=1000)
    how_met = long_text("Miten suunnitelma täyttää sen", required=True, max_length=2000)


class DissentSchema(StrictSchema):
    name = text("Kenen mielipide", required=True, max_length=NAME_MAX)
    view = long_text("Eriävä mielipide", required=True, max_length=2000)


class ApprovalSchema(StrictSchema):
    decision = choice("Päätös", choices.APPROVAL_DECISION, required=True)
    reasons = long_text("Perustelut", "Pakollinen, jos suunnitelmaa ei hyväksytä: miksi, ja mitä perhe voi "
                        "muuttaa.", max_length=2000, plural=True)
    conditions = long_text("Tarkennukset", "Pakollinen, kun suunnitelma hyväksytään tarkennuksin.",
                           max_length=2000, plural=True)
    approved_by = nested(WorkerSchema, "Arvioinut sosiaalityöntekijä", required=True)
    date = date("Päivä", required=True)

    @across_fields
    def _reasons_and_conditions(self, data, original_data=None, **kwargs):
        decision = data.get("decision")
        errors = {}
        if decision == "not_approved" and "reasons" not in data and not failed(data, original_data, "reasons"):
            errors["reasons"] = [Msg("Kun suunnitelmaa ei hyväksytä, perustelut kirjataan, jotta perhe tietää "
                                     "miksi ja voi muuttaa suunnitelmaa.")]
        if decision == "approved_with_conditions" and "conditions" not in data \
                and not failed(data, original_data, "conditions"):
            errors["conditions"] = [Msg("Kirjoita tarkennukset, joilla suunnitelma hyväksytään.")]
        if errors:
            raise ValidationError(errors)


class SignaturesSchema(StrictSchema):
    place = text("Allekirjoituspaikka", "Esim. Helsinki.", required=True)
    participant_lines = boolean(
        "Osallistujien hyväksymisrivit",
        "Tulostetaan allekirjoitusrivi jokaiselle, joka oli mukana läheisten omalla ajalla tekemässä "
        "suunnitelmaa.", default=False)


class FamilyPlanSchema(StandardQuestionsHooks, DocumentSchema):
    supersedes = nested(PlanRefSchema, "Korvaa suunnitelman",
                        "Aiempi versio, jonka tämä suunnitelma korvaa. Pakollinen versiosta 2 alkaen.")
    children = children_brief_field()
    meeting = nested(PlanMeetingSchema, "Kokous", required=True)
    coordinator = nested(CoordinatorSchema, "Koollekutsuja", "Kirjoitti suunnitelman puhtaaksi.", required=True)
    participants = listing(nested_item(ParticipantSchema), "Osallistujat", required=True, min_items=1,
                           item="osallistuja")
    absent_contributors = listing(nested_item(AbsentContributorSchema), "Poissa olleet, jotka osallistuivat",
                                  "Läheiset, jotka eivät olleet paikalla mutta kertoivat ajatuksensa.",
                                  max_items=15, item="poissa ollut")
    child_views = listing(nested_item(ChildViewSchema), "Lapsen näkemys ja toiveet",
                          "Jokaisen lapsen näkemys erikseen.", required=True, min_items=1, max_items=10,
                          item="lapsen näkemys")
    case_questions = listing(
        nested_item(CaseQuestionSchema), "Kysymykset-asiakirjan kysymykset",
        "Avaa tallennetut kysymykset, niin ne siirtyvät tähän. Kun kysymykset on annettu, jokaiseen vastataan "
        "samassa järjestyksessä kohdassa Vastaukset kysymyksiin.", item="kysymys")
    answers = listing(nested_item(AnswerSchema), "Vastaukset kysymyksiin",
                      "Yksi vastaus jokaiseen kysymykseen, myös niihin, joista ei sovittu.", required=True,
                      min_items=1, item="vastaus")
    standard_questions = standard_questions_field()
    worker_support = listing(nested_item(WorkerSupportSchema), "Työntekijöiltä tarvittava tuki",
                             "Jos tukea ei sovittu, jätä tyhjäksi: suunnitelmaan tulostuu, ettei tukea ole kirjattu.",
                             max_items=15, item="tuki")
    monitoring = nested(MonitoringSchema, "Seuranta", required=True)
    contingency = long_text("Jos tulee ongelmia", "Mitä tehdään ja kenelle ilmoitetaan.", required=True,
                            max_length=2000)
    distribution = listing(nested_item(DistributionSchema), "Kenelle suunnitelma annetaan", required=True,
                           min_items=1, item="vastaanottaja")
    follow_up = nested(FollowUpSchema, "Seurantakokous", required=True)
    must_include = must_include_field()
    not_acceptable = not_acceptable_field()
    # The questions document's blocks, sent with the plan so the service can check that every
    # question has its answer and every bottom line its check: read, never printed (each answer
    # and each check prints its own question or bottom line).
    for _read in (case_questions, must_include, not_acceptable):
        _read.metadata["x-service-only"] = True
    del _read
    bottom_lines_check = listing(nested_item(BottomLineCheckSchema), "Reunaehtojen täyttyminen",
                                 "Yksi kohta jokaista reunaehtoa kohden. Pakollinen, kun reunaehtoja on asetettu.",
                                 item="reunaehto")
    dissenting_views = listing(nested_item(DissentSchema), "Eriävät mielipiteet", max_items=15,
                               item="eriävä mielipide")
    approval = nested(ApprovalSchema, "Sosiaalityöntekijän arvio ja hyväksyntä", required=True)
    signatures = nested(SignaturesSchema, "Allekirjoitukset", required=True)

    @classmethod
    def initial_values(cls, language: str = DEFAULT) -> dict:
        return with_standard_questions(super().initial_values(language))


    @across_fields
    def _plan_rules(self, data, original_data=None, **kwargs):
        errors: dict = {}
        _version_rules(data, original_data, errors)
        _child_views_rules(data, original_data, errors)
        _answers_rules(data, original_data, errors)
        _bottom_lines_rules(data, original_data, errors)
        _date_rules(data, errors)
        _no_address(data, errors)
        if errors:
            raise ValidationError(errors)


def _add(errors: dict, path: tuple, message: Msg | Formatted) -> None:
    """Put ``message`` at ``path`` (keys and list indexes) in marshmallow's nested error shape; a
    message about a whole list that also has errors in its entries goes under ``_schema``."""
    node = errors
    for step in path[:-1]:
        if isinstance(node.get(step), list):
            node[step] = {"_schema": node[step]}
        node = node.setdefault(step, {})
    existing = node.get(path[-1])
    if isinstance(existing, dict):
        existing.setdefault("_schema", []).append(message)
    else:
        node.setdefault(path[-1], []).append(message)


def _same(left: str, right: str) -> bool:
    return " ".join(left.split()).casefold() == " ".join(right.split()).casefold()


def _version_rules(data, original, errors) -> None:
    version = data.get("version")
    supersedes = data.get("supersedes")
    if not isinstance(version, int) or failed(data, original, "supersedes"):
        return
    if version > 1 and supersedes is None:
        _add(errors, ("supersedes",), Msg("Versio {version} korvaa aiemman suunnitelman: kerro, minkä version ja "
                                          "minkä päivän.").format(version=version))
    elif version == 1 and supersedes is not None:
        _add(errors, ("supersedes",), Msg("Ensimmäinen versio ei korvaa aiempaa suunnitelmaa. Jätä kohta tyhjäksi "
                                          "tai muuta versiota."))
    elif supersedes is not None and isinstance(supersedes.get("version"), int) and supersedes["version"] >= version:
        _add(errors, ("supersedes", "version"), Msg("Korvattavan version on oltava pienempi kuin tämän suunnitelman "
                                                    "versio ({version}).").format(version=version))


def _child_views_rules(data, original, errors) -> None:
    """One entry per child, named by the child's first name."""
    children = entries(data, original, "children")
    sent = original.get("children") if isinstance(original, dict) else None
    views = entries(data, original, "child_views")
    if not views or not isinstance(sent, list) or len(children) != len(sent) \
            or any(failed(child, raw, "first_name") for _i, child, raw in children):
        return
    names = [child["first_name"] for _i, child, _raw in children if "first_name" in child]
    seen: list[str] = []
    for index, view, _raw in views:
        name = view.get("child")
        if name is None:
            continue
        if not any(_same(name, known) for known in names):
            _add(errors, ("child_views", index, "child"),
                 Msg("Lapsista ei löydy nimeä {name}. Kirjoita lapsen etunimi kuten kohdassa Lapset.").format(
                     name=name))
        elif any(_same(name, other) for other in seen):
            _add(errors, ("child_views", index, "child"), Msg("Tämän lapsen näkemys on jo kirjattu."))
        seen.append(name)
    sent_views = original.get("child_views") if isinstance(original, dict) else None
    named_wrong = "child_views" in errors  # a name mistyped: that message says it, not "missing" too
    if isinstance(sent_views, list) and len(views) == len(sent_views) and not named_wrong \
            and not any(failed(view, raw, "child") for _i, view, raw in views):
        missing = [name for name in names if not any(_same(name, other) for other in seen)]
        if missing:
            _add(errors, ("child_views",), Msg("Jokaisen lapsen näkemys kirjataan erikseen; puuttuu: {names}.").format(
                names=", ".join(missing)))


# The answers' count against the questions', each number with its noun in the plural form it asks for.
ANSWER_PER_QUESTION = Msg("Jokaiseen kysymykseen kirjataan yksi vastaus, myös silloin, kun siitä ei sovittu: "
                          "nyt on {questions} ja {answers}.")
QUESTION_COUNT = Plural("{questions} kysymys", "{questions} kysymystä", count="questions")
ANSWER_COUNT = Plural("{answers} vastaus", "{answers} vastausta", count="answers")


def _answers_rules(data, original, errors) -> None:
    """Given the questions document's questions, each has its answer, in the same order."""
    questions = data.get("case_questions")
    answers = data.get("answers")
    if not questions or not isinstance(answers, list) or failed(data, original, "case_questions"):
        return
    if len(answers) != len(questions):
        _add(errors, ("answers",), ANSWER_PER_QUESTION.format(
            questions=QUESTION_COUNT.format(questions=len(questions)),
            answers=ANSWER_COUNT.format(answers=len(answers))))
        return
    for index, answer, _raw in entries(data, original, "answers"):
        question = questions[index]
        if isinstance(answer.get("question"), str) and isinstance(question, dict) \
                and not _same(answer["question"], question.get("text", "")):
            _add(errors, ("answers", index, "question"),
                 Msg("Kysymys ei ole sama kuin kysymykset-asiakirjan kysymys {number}. Vastaa kysymyksiin samassa "
                     "järjestyksessä ja samoin sanoin.").format(number=index + 1))


def _bottom_lines_rules(data, original, errors) -> None:
    """Every bottom line the questions document set has one check, saying how the plan meets it."""
    if failed(data, original, "must_include") or failed(data, original, "not_acceptable") \
            or failed(data, original, "bottom_lines_check"):
        return
    lines = [line for line in (data.get("must_include") or []) + (data.get("not_acceptable") or [])
             if isinstance(line, str)]
    if not lines:
        return
    checks = entries(data, original, "bottom_lines_check")
    if not checks:
        _add(errors, ("bottom_lines_check",), Msg("Reunaehtoja on asetettu: kerro jokaisesta, miten suunnitelma "
                                                  "täyttää sen."))
        return
    named: list[str] = []
    for index, check, _raw in checks:
        line = check.get("bottom_line")
        if line is None:
            continue
        if not any(_same(line, known) for known in lines):
            _add(errors, ("bottom_lines_check", index, "bottom_line"),
                 Msg("Tätä reunaehtoa ei ole kysymykset-asiakirjan reunaehdoissa. Kirjoita reunaehto sellaisenaan."))
        elif any(_same(line, other) for other in named):
            _add(errors, ("bottom_lines_check", index, "bottom_line"), Msg("Tämä reunaehto on jo arvioitu."))
        named.append(line)
    sent = original.get("bottom_lines_check") if isinstance(original, dict) else None
    if isinstance(sent, list) and len(checks) == len(sent):
        missing = [line for line in lines if not any(_same(line, other) for other in named)]
        if missing:
            _add(errors, ("bottom_lines_check",), Msg("Jokaisesta reunaehdosta kerrotaan, miten suunnitelma täyttää "
                                                      "sen; puuttuu: {lines}").format(
                lines=" / ".join(f"«{line}»" for line in missing)))


def _date_rules(data, errors) -> None:
    meeting = data.get("meeting")
    day = meeting.get("date") if isinstance(meeting, dict) else None
    if day is None:
        return
    supersedes, approval, follow_up = (data.get(k) for k in ("supersedes", "approval", "follow_up"))
    if isinstance(supersedes, dict) and supersedes.get("date") and supersedes["date"] > day:
        _add(errors, ("supersedes", "date"), Msg("Korvattava suunnitelma on päivätty tämän suunnitelman kokouksen "
                                                 "jälkeen."))
    if isinstance(approval, dict) and approval.get("date") and approval["date"] < day:
        _add(errors, ("approval", "date"), Msg("Suunnitelma arvioidaan ja hyväksytään kokouksessa tai sen jälkeen, "
                                               "ei ennen kokousta."))
    if isinstance(follow_up, dict) and follow_up.get("date") and follow_up["date"] <= day:
        _add(errors, ("follow_up", "date"), Msg("Seurantakokous on tämän suunnitelman kokouksen jälkeen."))


def _no_address(data, errors, path: tuple = ()) -> None:
    """Every text of the plan: no postal address (spec §7.3-4; a henkilötunnus is refused by every
    text field of every document)."""
    if isinstance(data, dict):
        for key, value in data.items():
            _no_address(value, errors, (*path, key))
    elif isinstance(data, list):
        for index, value in enumerate(data):
            _no_address(value, errors, (*path, index))
    elif isinstance(data, str) and path:
        if POSTAL_ADDRESS_RE.search(data):
            _add(errors, path, NO_ADDRESS)
