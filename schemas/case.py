"""The case file's shared blocks: the people of one conference, named once with an id that every
document refers to, and its meetings (domain spec §8, last rule).

A guardian's relation is to named children (``children``: the ids of the children this person is
a guardian or parent of), so a blended family with three guardians can be shown. Each document's
own part is composed with these blocks by the service (``service/cases``), from the registry.
"""

from __future__ import annotations

import re

from marshmallow import ValidationError, validates, validates_schema

from .common import ChildSchema, CoordinatorSchema, GuardianSchema, ParticipatingWorkerSchema, WorkerSchema
from .fields import StrictSchema, date, listing, nested, nested_item, text
from .i18n import Msg

REF_RE = r"^[a-z][a-z0-9_-]{0,19}$"


def person_id(label: str = "Tunniste"):
    """A short id that names a person inside one case file (not a name, not an identity code)."""
    field = text(label, "Lyhyt tunniste, jolla asiakirjat viittaavat henkilöön, esim. lapsi1.", required=True,
                 max_length=20)
    field.metadata["pattern"] = REF_RE
    return field


class _Named:
    """A person of the case: an ``id`` the documents refer to them by."""

    id = person_id()

    @validates("id")
    def _id(self, value, **kwargs):
        if not re.fullmatch(REF_RE, value):
            raise ValidationError(Msg("Tunnisteessa voi olla vain pieniä kirjaimia a–z, numeroita, - ja _ "
                                      "(enintään 20 merkkiä, alkaa kirjaimella)."))


class CaseChildSchema(_Named, ChildSchema):
    pass


class CaseGuardianSchema(_Named, GuardianSchema):
    children = listing(text("Lapsi", max_length=20), "Kenen lasten huoltaja tai vanhempi",
                       "Lasten tunnisteet; tyhjä = kaikkien tapauksen lasten.", max_items=10, item="lapsi")


class CaseWorkerSchema(_Named, ParticipatingWorkerSchema):
    pass


class PeopleSchema(StrictSchema):
    children = listing(nested_item(CaseChildSchema), "Lapset", "Lapset, joita läheisneuvonpito koskee.",
                       required=True, min_items=1, max_items=10, item="lapsi")
    guardians = listing(nested_item(CaseGuardianSchema), "Huoltajat ja vanhemmat", required=True,
                        min_items=1, max_items=8, item="huoltaja tai vanhempi")
    social_worker = nested(WorkerSchema, "Vastuusosiaalityöntekijä", required=True)
    convener = nested(CoordinatorSchema, "Koollekutsuja", "Voidaan täydentää myöhemmin.")
    workers = listing(nested_item(CaseWorkerSchema), "Osallistuvat työntekijät",
                      "Työntekijät, jotka kutsutaan antamaan tietoa.", max_items=15, item="työntekijä")

    @validates_schema
    def _references(self, data, **kwargs):
        """Every id is unique in the case, and a guardian's children are children of the case."""
        errors: dict = {}
        seen: set[str] = set()
        for group in ("children", "guardians", "workers"):
            for index, person in enumerate(data.get(group) or []):
                pid = person.get("id")
                if pid in seen:
                    errors.setdefault(group, {}).setdefault(index, {})["id"] = [
                        Msg("Sama tunniste on jo toisella henkilöllä.")]
                seen.add(pid)
        child_ids = {c.get("id") for c in data.get("children") or []}
        for index, guardian in enumerate(data.get("guardians") or []):
            unknown = [ref for ref in guardian.get("children") or [] if ref not in child_ids]
            if unknown:
                errors.setdefault("guardians", {}).setdefault(index, {})["children"] = [
                    Msg("Tapauksessa ei ole lasta tunnisteella {refs}.").format(refs=", ".join(unknown))]
        if errors:
            raise ValidationError(errors)


class MeetingSchema(StrictSchema):
    date = date("Päivä", required=True)
    place = text("Paikka", "Kokouspaikka, esim. Perheneuvola, Kalasatama.")


class MeetingsSchema(StrictSchema):
    conference = nested(MeetingSchema, "Läheisneuvonpidon kokous")
    follow_up = nested(MeetingSchema, "Seurantakokous", "Yleensä 3–6 kuukautta kokouksen jälkeen.")
