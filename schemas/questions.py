"""Kysymykset – the questions the family plan must answer, and bottom lines (domain spec §4.3)."""

from marshmallow import ValidationError, post_load, pre_load, validates

from . import choices
from .common import DocumentSchema, WorkerSchema, children_brief_field, must_include_field, not_acceptable_field
from .fields import StrictSchema, choice, listing, long_text, nested, nested_item, text
from .i18n import DEFAULT, LANGUAGES, Msg, gettext

# The Finnish wording; Swedish and English come from the catalogues (domain spec §4.3).
STANDARD_QUESTIONS = {
    "worker_support": "Jos tarvitsette työntekijöiden apua tai tukea, keneltä ja mihin?",
    "monitoring": "Miten suunnitelman toteutumista seurataan?",
    "if_problems": "Mitä tehdään, jos tulee ongelmia?",
    "distribution": "Kenelle suunnitelma annetaan?",
    "follow_up_meeting": "Milloin pidetään seurantakokous ja keitä siihen kutsutaan?",
}


def standard_questions(language: str = DEFAULT) -> list[dict]:
    """The five standard questions in ``language``, in their order."""
    return [{"key": key, "text": gettext(text, language)} for key, text in STANDARD_QUESTIONS.items()]


class CaseQuestionSchema(StrictSchema):
    theme = text("Teema", "Toimeksiantosopimuksen käsiteltävä asia, johon kysymys liittyy.")
    text = long_text("Kysymys", "Avoin, tulevaisuuteen suuntautuva kysymys lapsen näkökulmasta.",
                     required=True, max_length=1000)


class StandardQuestionSchema(StrictSchema):
    key = choice("Yleinen kysymys", choices.STANDARD_QUESTION, required=True)
    text = long_text("Kysymys", required=True, max_length=1000)


def standard_questions_field():
    """The five standard questions as a document carries them (the questions, and the family plan
    that answers them): left out, they are written in the document's language."""
    return listing(
        nested_item(StandardQuestionSchema), "Yleiset kysymykset",
        "Viisi vakiokysymystä; jos puuttuu, käytetään vakiosanamuotoja.",
        min_items=5, max_items=5, default_empty=False, item="yleinen kysymys",
    )


def with_standard_questions(data):
    """Before loading: left out, the five questions are written in the document's language."""
    if isinstance(data, dict) and "standard_questions" not in data:
        language = data.get("language")
        data = dict(data)
        data["standard_questions"] = standard_questions(language if language in LANGUAGES else DEFAULT)
    return data


def check_standard_questions(value) -> None:
    keys = [q.get("key") if isinstance(q, dict) else None for q in value]  # a null item: not a question
    if len(set(keys)) != len(keys) or set(keys) != set(STANDARD_QUESTIONS):
        raise ValidationError(Msg("Jokaisen viiden yleisen kysymyksen on oltava mukana kerran."))


def sort_standard_questions(data: dict) -> dict:
    """After loading: the five in their order, so that a template can name each by its place."""
    order = list(STANDARD_QUESTIONS)
    data["standard_questions"].sort(key=lambda q: order.index(q["key"]))
    return data


class StandardQuestionsHooks:
    """The five standard questions in a schema that has them (the questions document, the plan):
    filled in when absent, each once, in their order after loading."""

    @pre_load
    def _default_standard_questions(self, data, **kwargs):
        return with_standard_questions(data)

    @validates("standard_questions")
    def _each_standard_question_once(self, value, **kwargs):
        check_standard_questions(value)

    @post_load
    def _standard_questions_in_order(self, data, **kwargs):
        return sort_standard_questions(data)


class QuestionsSchema(StandardQuestionsHooks, DocumentSchema):
    children = children_brief_field()
    author = nested(WorkerSchema, "Laatija", required=True)
    case_questions = listing(nested_item(CaseQuestionSchema), "Teemakohtaiset kysymykset",
                             required=True, min_items=1, item="kysymys")
    standard_questions = standard_questions_field()
    must_include = must_include_field()
    not_acceptable = not_acceptable_field()
    if_no_plan = long_text("Jos suunnitelmaa ei synny tai sitä ei hyväksytä",
                           "Mitä viranomaiset silloin tekevät.", max_length=2000)

    @classmethod
    def initial_values(cls, language: str = DEFAULT) -> dict:
        return {**super().initial_values(language), "standard_questions": standard_questions(language)}

