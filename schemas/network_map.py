"""Läheisverkoston kartoitus / verkostokartta – the child's network map (domain spec §4.7).

The convener draws it up with the family. It holds contact details and the reasons why someone is
not invited, so it is for the convener and the family only: it has no relatives' copy, and the
invitation letters take from it only what a letter may show (schemas/invitation.py).
"""

from marshmallow import ValidationError

from . import choices
from .common import (
    CoordinatorSchema,
    DocumentSchema,
    PostalAddressSchema,
    children_brief_field,
    contact,
    non_disclosure_field,
)
from .fields import (
    NAME_MAX,
    StrictSchema,
    across_fields,
    boolean,
    choice,
    email,
    failed,
    integer,
    language_code,
    listing,
    long_text,
    nested,
    nested_item,
    phone,
    text,
)
from .i18n import Msg

MEMBERS_MAX = 60
NOT_INVITED = "not_invited"
INVITED = "invited"


class NetworkMemberSchema(StrictSchema):
    name = text("Nimi", "Etunimi, lempinimi tai koko nimi – niin kuin lapsi ja perhe henkilöä kutsuvat.",
                required=True, max_length=NAME_MAX)
    relation = choice("Suhde lapseen", choices.NETWORK_RELATION, required=True)
    relation_detail = text("Suhteen tarkennus", "Esim. äidinäiti, isän sisar, luokanohjaaja.", max_length=NAME_MAX)
    side = choice("Puoli", choices.FAMILY_SIDE, "Äidin vai isän puolelta.")
    sector = choice("Sektori", choices.NETWORK_SECTOR, required=True)
    closeness = integer("Läheisyys (kehä 1–3)", "Kehällä 1 ovat lähimmät ihmiset, kehällä 3 kauempana olevat.", required=True,
                        minimum=1, maximum=3)
    child_says_important = boolean("Lapsen mielestä tärkeä", "Lapsi on itse nimennyt henkilön tärkeäksi tai tuekseen.")
    is_child = boolean("Alaikäinen", "Henkilö on lapsi; hän saa lapsille kirjoitetun kutsukirjeen.", default=False)
    phone = contact(phone("Puhelin"))
    email = contact(email("Sähköposti"))
    postal_address = contact(nested(PostalAddressSchema, "Postiosoite"))
    non_disclosure = non_disclosure_field()
    invite_decision = choice("Kutsutaanko", choices.INVITE_DECISION, required=True)
    not_invited_reason = long_text("Peruste, jos ei kutsuta",
                                   "Pakollinen, kun henkilöä ei kutsuta. Näkyy vain koollekutsujalle ja perheelle.",
                                   max_length=800)
    participation = choice("Osallistuminen", choices.PARTICIPATION)
    role = choice("Tehtävä kokouksessa", choices.MEETING_ROLE)
    language = language_code("Kieli", "Kieli, jolla henkilön kanssa asioidaan. Kutsukirje kirjoitetaan tällä kielellä, "
                                      "jos se on suomi, ruotsi tai englanti; muuten asiakirjan kielellä.")
    interpreter_needed = boolean("Tulkki tarvitaan", default=False)

    @across_fields
    def _reason_only_when_not_invited(self, data, original_data=None, **kwargs):
        if failed(data, original_data, "invite_decision") or failed(data, original_data, "not_invited_reason"):
            return
        decision, reason = data.get("invite_decision"), data.get("not_invited_reason")
        if decision == NOT_INVITED and not reason:
            raise ValidationError(Msg("Kirjoita peruste, kun henkilöä ei kutsuta."), "not_invited_reason")
        if decision and decision != NOT_INVITED and reason:
            raise ValidationError(Msg("Perustetta käytetään vain, kun henkilöä ei kutsuta."), "not_invited_reason")


def members_field(required: bool = True):
    return listing(nested_item(NetworkMemberSchema), "Läheisverkosto",
                   "Lapselle tärkeät ihmiset: kuka, suhde lapseen, sektori, läheisyys ja kutsutaanko.",
                   required=required, min_items=1 if required else 0, max_items=MEMBERS_MAX, item="henkilö")


class NetworkMapSchema(DocumentSchema):
    children = children_brief_field()
    coordinator = nested(CoordinatorSchema, "Koollekutsuja", "Kartan laatija.", required=True)
    made_with = listing(text("Laatija", max_length=NAME_MAX), "Laadittu yhdessä",
                        "Keiden kanssa kartta tehtiin, esim. Elle tai äiti Amal.", required=True, min_items=1,
                        max_items=10, item="laatija")
    members = members_field()
