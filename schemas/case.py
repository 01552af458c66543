"""The case file's shared blocks: the people of one conference, named once with an id that every
document refers to, and its meetings (domain spec §8, last rule).

A guardian's relation is to named children (``children``: the ids of the children this person is
a guardian or parent of), so a blended family with three guardians can be shown. Each document's
own part is composed with these blocks by the service (``service/cases``), from the registry.
"""

from __future__ import annotations

import re

from marshmallow import ValidationError, validates

from .common import ChildSchema, CoordinatorSchema, GuardianSchema, ParticipatingWorkerSchema, WorkerSchema
from .fields import StrictSchema, across_fields, date, entries, failed, listing, nested, nested_item, text
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
                       "Lapset, joiden huoltaja tai vanhempi henkilö on. Jätä tyhjäksi, jos hän on kaikkien tapauksen "
                       "lasten huoltaja tai vanhempi.", max_items=10, item="lapsi")


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

    @across_fields
    def _references(self, data, original_data=None, **kwargs):
        """Every id is unique in the case, and a guardian's children are children of the case."""
        errors: dict = {}
        seen: set[str] = set()
        for group in ("children", "guardians", "workers"):
            for index, person, _sent in entries(data, original_data, group):
                pid = person.get("id")
                if pid is None:
                    continue
                if pid in seen:
                    errors.setdefault(group, {}).setdefault(index, {})["id"] = [
                        Msg("Sama tunniste on jo toisella henkilöllä.")]
                seen.add(pid)
        # A child whose entry failed may be the one a guardian refers to: then no reference is judged.
        children = entries(data, original_data, "children")
        sent_children = original_data.get("children") if isinstance(original_data, dict) else None
        all_known = isinstance(sent_children, list) and len(children) == len(sent_children) \
            and not any(failed(child, sent, "id") for _index, child, sent in children)
        child_ids = {child.get("id") for _index, child, _sent in children}
        for index, guardian, _sent in entries(data, original_data, "guardians") if all_known else []:
            unknown = [ref for ref in guardian.get("children") or [] if isinstance(ref, str) and ref not in child_ids]
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
