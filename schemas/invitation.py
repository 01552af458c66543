"""Kutsukirje – the invitation letters of a conference or a follow-up meeting (domain spec §4.6).

One request makes one letter per invitee (a mail merge). The invitees are given directly
(``invitees``) or taken from the network map's members whose decision is "invited" (``members``).
A letter is filled from :class:`LetterSchema`: the meeting, the children's first names, the
convener's work details and the unit's address, and its own recipient only. The other invitees,
the network map and anything the letters must not show are not in a letter's data at all, so no
template can print them (spec §4.6 "must not contain", §8 "never merge other invitees' data").
"""

from __future__ import annotations

import copy
from collections.abc import Iterator

from marshmallow import ValidationError

from . import choices
from .common import (
    CoordinatorSchema,
    DocumentSchema,
    PostalAddressSchema,
    WorkerSchema,
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
    clock_time,
    date,
    email,
    failed,
    language_code,
    listing,
    long_text,
    nested,
    nested_item,
    text,
)
from .i18n import LANGUAGES, Msg
from .network_map import INVITED, MEMBERS_MAX, members_field

# What a letter takes of an invited network member.
RECIPIENT_KEYS = ("name", "is_child", "postal_address", "email", "language", "interpreter_needed", "non_disclosure")


class InviteeSchema(StrictSchema):
    name = text("Nimi", "Nimi, jolla kirje osoitetaan.", required=True, max_length=NAME_MAX)
    is_child = boolean("Alaikäinen", "Vastaanottaja on lapsi; hän saa lapsille kirjoitetun kirjeen.", default=False)
    postal_address = contact(nested(PostalAddressSchema, "Postiosoite"))
    email = contact(email("Sähköposti"))
    language = language_code("Kieli", "Kirje kirjoitetaan tällä kielellä, jos se on suomi, ruotsi tai englanti; "
                                      "muuten asiakirjan kielellä.")
    interpreter_needed = boolean("Tulkki tarvitaan", default=False)
    non_disclosure = non_disclosure_field()


class _Letters(DocumentSchema):
    """What every letter of one mailing shares."""

    children = children_brief_field()  # a letter shows the first names only (LetterSchema)
    coordinator = nested(CoordinatorSchema, "Koollekutsuja",
                         "Kirjeen allekirjoittaja; kirjeissä näkyvät vain työyhteystiedot.", required=True)
    sender_address = nested(PostalAddressSchema, "Koollekutsujan yksikön osoite",
                            "Kirjeet lähetetään yksikön osoitteesta, ei koskaan kenenkään kotiosoitteesta.",
                            required=True)
    meeting_type = choice("Kokous", choices.MEETING_TYPE, required=True)
    meeting_date = date("Kokouspäivä", required=True)
    start_time = clock_time("Alkaa", required=True)
    end_time = clock_time("Päättyy arviolta", "Kokous kestää yleensä 3–6 tuntia.", required=True)
    venue = text("Kokouspaikka", "Esim. Perheneuvola, Kalasatama.", required=True)
    venue_address = text("Kokouspaikan osoite", required=True)
    accessibility_info = long_text("Saavutettavuus", "Esim. esteetön sisäänkäynti, induktiosilmukka.", max_length=800)
    invited_on_behalf_of = long_text(
        "Kutsujat", "Kuka toivoo osallistumista, esim. Elle, Iisak ja heidän äitinsä Amal toivovat, että tulet mukaan.",
        required=True, max_length=500)
    refreshments = text("Tarjoilu", "Esim. Kokouksessa on tarjolla lounas ja kahvia.")
    rsvp_by = date("Vastaa viimeistään", required=True)

    @across_fields
    def _meeting_rules(self, data, original_data=None, **kwargs):
        errors = {}
        start, end = data.get("start_time"), data.get("end_time")
        if start and end and end <= start:
            errors["end_time"] = [Msg("Päättymisaika on ennen alkamisaikaa.")]
        rsvp, meeting = data.get("rsvp_by"), data.get("meeting_date")
        if rsvp and meeting and rsvp > meeting:
            errors["rsvp_by"] = [Msg("Vastauspäivä on kokouksen jälkeen.")]
        if errors:
            raise ValidationError(errors)


class InvitationSchema(_Letters):
    invitees = listing(nested_item(InviteeSchema), "Kutsuttavat",
                       "Kutsuttavat suoraan annettuina. Verkostokartan henkilöistä kirje tehdään jokaiselle, jonka "
                       "päätös on kutsutaan.", max_items=MEMBERS_MAX, item="kutsuttava")
    members = members_field(required=False)

    @across_fields
    def _someone_is_invited(self, data, original_data=None, **kwargs):
        if failed(data, original_data, "invitees") or failed(data, original_data, "members"):
            return
        seen: set[str] = set()
        errors: dict = {}
        for (group, index), recipient in _placed_recipients(data):
            name = recipient.get("name")
            if not isinstance(name, str) or not name.strip():
                continue  # a name that failed its own check is reported there
            key = " ".join(name.casefold().split())
            if key in seen:  # two letters to one person: which of the two is meant is the user's choice
                errors.setdefault(group, {}).setdefault(index, {})["name"] = [TWICE.format(name=name)]
            seen.add(key)
        if errors:
            raise ValidationError(errors)
        count = len(recipients(data))
        if not count:
            raise ValidationError(Msg("Kutsuttavia ei ole: lisää kutsuttava tai verkostokartan henkilö, jonka päätös "
                                      "on kutsutaan."), "invitees")
        if count > MEMBERS_MAX:
            raise ValidationError(Msg("Kirjeitä voi tehdä kerralla enintään {max}.").format(max=MEMBERS_MAX), "invitees")


TWICE = Msg("{name} saisi kaksi kirjettä: sama nimi on kutsuttavana jo aiemmin (kutsuttavissa tai verkostokartalla "
            "kutsuttavana). Poista toinen tai erota nimet.")


class LetterChildSchema(StrictSchema):
    first_name = text("Etunimi", "Nimi, jolla lasta kutsutaan.", required=True, max_length=NAME_MAX)


class LetterSchema(_Letters):
    """One letter: the shared fields and its own recipient (what a letter template can use)."""

    children = listing(nested_item(LetterChildSchema), "Lapset", "Lapset, joita kokous koskee (vain etunimet).",
                       required=True, min_items=1, max_items=10, item="lapsi")
    language = choice("Kirjeen kieli", choices.DOCUMENT_LANGUAGE, "Vastaanottajan kieli, jos siitä on pohja; muuten "
                      "asiakirjan kieli. Valitsee pohjan, ei tulostu.", default="fi")
    language.metadata["x-service-only"] = True
    coordinator = nested(WorkerSchema, "Koollekutsuja", "Kirjeen allekirjoittaja; vain työyhteystiedot.",
                         required=True)
    recipient = nested(InviteeSchema, "Vastaanottaja", required=True)


def _placed_recipients(data: dict) -> Iterator[tuple[tuple[str, int], dict]]:
    """Each recipient with where it stands, ("invitees", n) or ("members", n): the invitees given
    directly, then the network members whose decision is "invited", in order."""
    for index, invitee in enumerate(data.get("invitees") or []):
        if isinstance(invitee, dict):
            yield ("invitees", index), invitee
    for index, member in enumerate(data.get("members") or []):
        if isinstance(member, dict) and member.get("invite_decision") == INVITED:
            yield ("members", index), member


def recipients(data: dict) -> list[dict]:
    """The recipients in order; a network member as far as a letter needs them."""
    return [recipient if group == "invitees" else {k: recipient[k] for k in RECIPIENT_KEYS if k in recipient}
            for (group, _), recipient in _placed_recipients(data)]


def letters(data: dict) -> list[dict]:
    """One letter's data per recipient (validated invitation data in, LetterSchema's shape out, and
    ``letter_number``, the running number its file is named by), each in the recipient's language
    when there is a template in it, else in the document's."""
    shared = {k: v for k, v in data.items() if k not in ("invitees", "members", "children")}
    shared["children"] = [{"first_name": child["first_name"]} for child in data.get("children") or []]
    shared["coordinator"] = {k: v for k, v in data["coordinator"].items() if k in WorkerSchema._declared_fields}
    out = []
    for number, recipient in enumerate(recipients(data), start=1):
        language = recipient.get("language") if recipient.get("language") in LANGUAGES else data["language"]
        out.append({**copy.deepcopy(shared), "language": language, "recipient": copy.deepcopy(recipient),
                    "letter_number": number})
    return out
