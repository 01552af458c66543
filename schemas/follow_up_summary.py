"""Seurantakokouksen yhteenveto – summary for the follow-up meeting (domain spec §4.5)."""

from . import choices
from .common import (
    DocumentSchema,
    SharingSchema,
    WorkerSchema,
    children_brief_field,
    must_include_field,
    not_acceptable_field,
)
from .fields import StrictSchema, choice, date, integer, listing, long_text, nested, nested_item, text, text_list


class PlanRefSchema(StrictSchema):
    version = integer("Suunnitelman versio", required=True, minimum=1, maximum=99)
    date = date("Suunnitelman päiväys", required=True)


class WorkedWellSchema(StrictSchema):
    plan_item_ref = text("Suunnitelman kohta", "Esim. kysymys 2 tai kohta 'Koulumatkat'.")
    text = long_text("Mikä toimi", required=True, max_length=2000)


class ToRefineSchema(StrictSchema):
    plan_item_ref = text("Suunnitelman kohta")
    text = long_text("Mitä tarkennetaan", required=True, max_length=2000)
    proposal = long_text("Miten", "Ehdotus tarkennukseksi.", required=True, max_length=2000)


class FollowUpSummarySchema(DocumentSchema):
    children = children_brief_field()
    author = nested(WorkerSchema, "Laatija", required=True)
    refers_to_plan = nested(PlanRefSchema, "Suunnitelma, jota seurataan", required=True)
    worked_well = listing(nested_item(WorkedWellSchema), "Toimineet osat",
                          "Mitkä suunnitelman osat toimivat ja voivat jatkua.", required=True, item="toiminut osa")
    to_refine = listing(nested_item(ToRefineSchema), "Tarkennettavaa ja miten", required=True, item="tarkennus")
    new_concerns = long_text("Uudet huolet tai muutokset", plural=True)
    cooperation = long_text("Yhteistyön sujuminen",
                            "Miten työskentely asiakkaan ja läheisten kanssa on sujunut suunnitelman mukaan.",
                            required=True)
    questions = text_list("Kysymykset läheisille", "Asiat, joista halutaan läheisten arvio.",
                          required=True, min_items=1, item="kysymys")
    must_include = must_include_field()
    not_acceptable = not_acceptable_field()
    sharing = nested(SharingSchema, "Jakaminen", required=True)
    outcome = choice(
        "Seurantakokouksen tulos", choices.FOLLOW_UP_OUTCOME,
        "Täytetään seurantakokouksen jälkeen. Kun suunnitelmaa päivitetään, suunnitelman lomake aloittaa seuraavan "
        "version edellisen version tallennetuista tiedoista.",
    )
