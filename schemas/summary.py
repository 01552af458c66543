"""Yhteenveto – the social worker's summary for the relatives (domain spec §4.2)."""

from . import choices
from .common import DateRangeSchema, DocumentSchema, SharingSchema, WorkerSchema, children_brief_field
from .fields import (
    StrictSchema,
    choice,
    date,
    listing,
    long_text,
    nested,
    nested_item,
    text,
    text_list,
)


class BackgroundSchema(StrictSchema):
    client_since = date("Asiakkuus alkanut", required=True)
    worker_since = date("Nykyinen työntekijä aloittanut", required=True)
    service_context = choice("Palvelu", choices.SERVICE_CONTEXT, required=True)


class ServiceSchema(StrictSchema):
    service = text("Palvelu tai tukitoimi", required=True)
    provider = text("Palvelun tuottaja", required=True)
    period = nested(DateRangeSchema, "Ajanjakso")
    status = choice("Tila", choices.SERVICE_STATUS, required=True)
    note = long_text("Lisätieto", max_length=800)


class ChildViewsSchema(StrictSchema):
    text = long_text("Lapsen näkemys ja toiveet", "Jos näkemystä ei saatu, kerro miksi.", required=True,
                     plural=True)
    source = choice("Miten näkemys saatiin", choices.VIEWS_SOURCE, required=True)


class GuardianViewSchema(StrictSchema):
    name = text("Kenen näkemys", "Esim. äiti Sanna.", required=True)
    view = long_text("Näkemys ja toiveet", required=True, max_length=2000, plural=True)


class SummarySchema(DocumentSchema):
    children = children_brief_field()
    author = nested(WorkerSchema, "Laatija", "Yhteenvedon kirjoittanut työntekijä.", required=True)
    background = nested(BackgroundSchema, "Työskentelyn tausta", required=True)
    current_situation = long_text("Tilanne nyt", "Faktat, ei tulkintoja tai kuulopuheita.", required=True)
    services = listing(nested_item(ServiceSchema), "Tehty työ ja palvelut",
                       "Jätä tyhjäksi, jos palveluja ei ole ollut.", required=True, item="palvelu")
    other_support = long_text("Muu tuki", max_length=2000)
    strengths = text_list("Vahvuudet ja voimavarat, mikä toimii", required=True, min_items=1, item="vahvuus")
    concerns = text_list("Huolet", required=True, min_items=1, item="huoli")
    child_views = nested(ChildViewsSchema, "Lapsen näkemys ja toiveet", required=True)
    guardian_views = listing(nested_item(GuardianViewSchema), "Vanhempien ja huoltajien näkemykset",
                             required=True, min_items=1, max_items=8, item="näkemys")
    lead_in = long_text("Johdanto kysymyksiin", "Miksi suunnitelmaa tarvitaan.", required=True, max_length=2000)
    sharing = nested(SharingSchema, "Jakaminen", required=True)
