"""Blocks shared by the document schemas: people, workers, dates, sharing, document metadata."""

from __future__ import annotations

import datetime as dt
import re

from marshmallow import ValidationError, validates

from . import choices
from .fields import (
    NAME_MAX,
    WORK_EMAIL_EXAMPLE,
    WORK_PHONE_EXAMPLE,
    StrictSchema,
    across_fields,
    age_on,
    boolean,
    choice,
    date,
    email,
    failed,
    hetu,
    integer,
    language_code,
    listing,
    long_text,
    nested,
    nested_item,
    phone,
    text,
    text_list,
)
from .hetu import parse_hetu
from .i18n import DEFAULT, Msg

FINLAND = {"suomi", "finland", "fi", "fin"}
CASE_REF_RE = re.compile(r"^[A-Za-z0-9][A-Za-z0-9._-]{0,39}$")


class PersonNameSchema(StrictSchema):
    given_names = text("Etunimet", "Kaikki etunimet väestötietojärjestelmän mukaan (enintään neljä).",
                       required=True, max_length=NAME_MAX, plural=True)
    calling_name = text("Kutsumanimi", "Yksi etunimistä.", max_length=NAME_MAX)
    surname = text("Sukunimi", required=True, max_length=NAME_MAX)

    @validates("given_names")
    def _at_most_four(self, value, **kwargs):
        if len(value.split()) > 4:
            raise ValidationError(Msg("Etunimiä voi olla enintään neljä (etu- ja sukunimilaki 946/2017)."))

    @across_fields
    def _calling_name_is_given_name(self, data, original_data=None, **kwargs):
        calling = data.get("calling_name")
        given = data.get("given_names")
        if calling and given and calling.casefold() not in {n.casefold() for n in given.split()}:
            raise ValidationError(Msg("Kutsumanimen on oltava yksi etunimistä."), "calling_name")


def contact(field):
    """A person's contact detail (address, phone, e-mail, school): never printed for a person with
    a non-disclosure marking (turvakielto), in any document, rendition or language."""
    field.metadata["x-contact"] = True
    return field


def non_disclosure_field():
    field = boolean(
        "Turvakielto",
        "Henkilöllä on turvakielto (väestötietolaki 36 §): hänen osoitettaan, puhelinnumeroaan, "
        "sähköpostiaan tai koulua ei tulosteta mihinkään asiakirjaan, vain nimi ja rooli.",
        default=False,
    )
    field.metadata["x-service-only"] = True  # read by the service (it withholds), never printed
    return field


class PostalAddressSchema(StrictSchema):
    street = text("Katuosoite", required=True)
    postal_code = text("Postinumero", required=True, max_length=10)
    post_office = text("Postitoimipaikka", required=True, max_length=NAME_MAX)
    country = text("Maa", "Vain jos muu kuin Suomi.", max_length=NAME_MAX)

    @across_fields
    def _finnish_postal_code(self, data, original_data=None, **kwargs):
        code = data.get("postal_code")
        if failed(data, original_data, "country"):
            return
        in_finland = (data.get("country") or "suomi").casefold() in FINLAND
        if code and in_finland and not re.fullmatch(r"\d{5}", code):
            raise ValidationError(Msg("Suomalainen postinumero on viisi numeroa."), "postal_code")


class ChildSchema(PersonNameSchema):
    """A child on the mandate agreement (the only document that may carry a henkilötunnus)."""

    birth_date = date("Syntymäaika", required=True)
    hetu = hetu(
        "Henkilötunnus",
        "Tulostetaan vain arkistokappaleeseen (valitse Arkistokappale), ei koskaan läheisille annettaviin "
        "asiakirjoihin.",
    )
    school_or_daycare = contact(text("Koulu tai päiväkoti"))
    own_consent = boolean(
        "Lapsen oma suostumus",
        "Pakollinen, jos lapsi on täyttänyt 12 vuotta sopimuksen päivämäärään mennessä (LSL 21 §).",
    )
    non_disclosure = non_disclosure_field()

    @across_fields
    def _birth_date_matches_hetu(self, data, original_data=None, **kwargs):
        birth, code = data.get("birth_date"), data.get("hetu")
        if birth and birth > dt.date.today():
            raise ValidationError(Msg("Syntymäaika on tulevaisuudessa."), "birth_date")
        if birth and code and parse_hetu(code).birth_date != birth:
            raise ValidationError(Msg("Henkilötunnus ja syntymäaika eivät täsmää."), "hetu")


class ChildBriefSchema(StrictSchema):
    """A child in documents the relatives read: first name and age only (spec §3)."""

    first_name = text("Etunimi", "Nimi, jolla lasta kutsutaan.", required=True, max_length=NAME_MAX)
    birth_date = date("Syntymäaika", "Asiakirjaan tulostetaan ikä ja syntymäaika.", required=True)

    @validates("birth_date")
    def _not_future(self, value, **kwargs):
        if value > dt.date.today():
            raise ValidationError(Msg("Syntymäaika on tulevaisuudessa."))


class GuardianSchema(PersonNameSchema):
    relation_to_child = choice("Suhde lapseen", choices.RELATION_TO_CHILD, required=True)
    is_guardian = boolean("Huoltaja", "Onko henkilö lapsen huoltaja (allekirjoittaa sopimuksen).", default=True)
    phone = contact(phone("Puhelin"))
    email = contact(email("Sähköposti"))
    postal_address = contact(nested(PostalAddressSchema, "Postiosoite"))
    language = language_code("Asiointikieli", "Kieli, jolla henkilön kanssa asioidaan.", required=True)
    interpreter_needed = boolean("Tulkki tarvitaan", default=False)
    non_disclosure = non_disclosure_field()


class WorkerSchema(StrictSchema):
    given_names = text("Etunimi", required=True, max_length=NAME_MAX)
    surname = text("Sukunimi", required=True, max_length=NAME_MAX)
    title = text("Ammattinimike", "Esim. sosiaalityöntekijä.", required=True)
    organisation = text("Organisaatio", required=True)
    unit = text("Yksikkö", required=True)
    work_phone = phone("Työpuhelin", required=True, example=WORK_PHONE_EXAMPLE)
    work_email = email("Työsähköposti", required=True, example=WORK_EMAIL_EXAMPLE)


class CoordinatorSchema(WorkerSchema):
    impartiality_confirmed = boolean(
        "Puolueettomuus vahvistettu", "Koollekutsuja ei työskentele perheen asiassa.", default=False
    )


class ParticipatingWorkerSchema(StrictSchema):
    given_names = text("Etunimi", required=True, max_length=NAME_MAX)
    surname = text("Sukunimi", required=True, max_length=NAME_MAX)
    title = text("Rooli tai ammattinimike", required=True)
    organisation = text("Organisaatio", required=True)
    work_phone = phone("Työpuhelin", example=WORK_PHONE_EXAMPLE)
    work_email = email("Työsähköposti", example=WORK_EMAIL_EXAMPLE)
    contribution = long_text("Mitä tietoa tuo kokoukseen", required=True, max_length=800)


class DateRangeSchema(StrictSchema):
    start = date("Alkaen", required=True)
    end = date("Päättyen")

    @across_fields
    def _ordered(self, data, original_data=None, **kwargs):
        if data.get("start") and data.get("end") and data["end"] < data["start"]:
            raise ValidationError(Msg("Päättymispäivä on ennen alkamispäivää."), "end")


class SharingSchema(StrictSchema):
    reviewed_with_family = date("Käyty läpi perheen kanssa", "Päivä, jona yhteenveto käytiin läpi perheen kanssa.")
    approved_for_network = boolean(
        "Perhe on hyväksynyt jaettavaksi läheisille", required=True
    )
    not_to_be_shared = long_text(
        "Ei jaeta läheisille",
        "Tiedot, jotka perhe ei halua jaettavaksi. Eivät tulostu läheisille annettavaan kappaleeseen.",
        max_length=2000,
    )
    not_to_be_shared.metadata["x-network-hidden"] = True


class DocumentSchema(StrictSchema):
    """Fields every document has; ``docMeta`` of spec §3."""

    case_ref = text(
        "Asiaviite",
        "Asian pseudonyymi tunniste asiakastietojärjestelmästä (ei nimiä eikä henkilötunnusta). "
        "Käytetään tiedostonimessä.",
        required=True,
        max_length=40,
        example="LNP-2026-0042",
    )
    language = choice("Asiakirjan kieli", choices.DOCUMENT_LANGUAGE, default="fi")
    document_date = date("Päiväys", required=True)
    version = integer("Versio", "Ensimmäinen versio on 1; korjattu asiakirja saa seuraavan numeron.",
                      minimum=1, maximum=99, default=1)

    @classmethod
    def initial_values(cls, language: str = DEFAULT) -> dict:
        """What a new, empty document in ``language`` starts with (the forms show these pre-filled)."""
        return {"language": language}

    @validates("case_ref")
    def _case_ref_is_pseudonymous(self, value, **kwargs):
        if not CASE_REF_RE.match(value):  # (a henkilötunnus in it is refused by every text field)
            raise ValidationError(
                Msg("Asiaviitteessä voi olla vain kirjaimia A–Z, numeroita, piste, alaviiva ja yhdysmerkki.")
            )


def must_include_field():
    return text_list("Reunaehdot: suunnitelmaan on sisällyttävä", "Asiat, jotka suunnitelmassa on oltava.",
                     item="reunaehto")


def not_acceptable_field():
    return text_list("Reunaehdot: ei hyväksyttävää", "Asiat, joita ei voida hyväksyä suunnitelmaan.",
                     item="reunaehto")


def children_brief_field():
    return listing(nested_item(ChildBriefSchema), "Lapset", "Lapset, joita läheisneuvonpito koskee.",
                   required=True, min_items=1, max_items=10, item="lapsi")


def children_twelve_or_older(children, on: dt.date):
    return [c for c in children if isinstance(c, dict) and isinstance(c.get("birth_date"), dt.date)
            and age_on(c["birth_date"], on) >= 12]


