"""Toimeksiantosopimus – mandate agreement (domain spec §4.1)."""

from marshmallow import ValidationError

from . import choices
from .common import (
    ChildSchema,
    CoordinatorSchema,
    DateRangeSchema,
    DocumentSchema,
    GuardianSchema,
    ParticipatingWorkerSchema,
    WorkerSchema,
    children_twelve_or_older,
)
from .fields import (
    StrictSchema,
    across_fields,
    boolean,
    choice,
    entries,
    failed,
    language_code,
    listing,
    long_text,
    nested,
    nested_item,
    text,
    text_list,
)
from .i18n import Msg


class ChildParticipationSchema(StrictSchema):
    attends = choice("Osallistuuko lapsi kokoukseen", choices.ATTENDANCE, required=True)
    how = long_text("Miten lapsi osallistuu", "Esim. tiedonantovaiheeseen avustajan kanssa.", max_length=800)
    needs_assistant = boolean("Lapsi tarvitsee avustajan", required=True)


class InterpretingSchema(StrictSchema):
    language = language_code("Tulkattava kieli", required=True)
    for_whom = text("Kenelle", "Esim. äiti.", required=True)


class AccessibilitySchema(StrictSchema):
    meeting_language = language_code("Kokouskieli", default="fi")
    interpreting = listing(nested_item(InterpretingSchema), "Tulkkaus", max_items=10, item="tulkkaus")
    needs = long_text("Erityistarpeet", "Esim. esteettömyys, kuulon apuvälineet.", max_length=800,
                      plural=True)


class ConsentSchema(StrictSchema):
    to_coordinator = boolean(
        "Suostumus: yhteenveto koollekutsujalle",
        "Huoltajat (ja lapsi) antavat suostumuksen yhteenvedon antamiseen koollekutsujalle.",
        required=True,
    )
    to_network = boolean(
        "Suostumus: hyväksytyt tiedot kutsutuille läheisille",
        "Tiedot annetaan läheisille vain siltä osin kuin perhe on ne hyväksynyt.",
        required=True,
    )
    scope_note = long_text("Suostumuksen rajaukset", max_length=800, plural=True)


class MandateAgreementSchema(DocumentSchema):
    place = text("Paikka", "Sopimuksen tekopaikka, esim. Helsinki.", required=True)
    file_copy = boolean(
        "Arkistokappale",
        "Arkistoon tallennettava kappale. Vain arkistokappaleeseen voi tulostaa henkilötunnuksen.",
        default=False,
    )
    is_acute = boolean("Akuuttineuvonpito", "Kiireellinen läheisneuvonpito nopealla aikataululla.", default=False)
    children = listing(nested_item(ChildSchema), "Lapset", "Lapset, joita läheisneuvonpito koskee.",
                       required=True, min_items=1, max_items=10, item="lapsi")
    guardians = listing(nested_item(GuardianSchema), "Huoltajat ja vanhemmat", required=True,
                        min_items=1, max_items=8, item="huoltaja tai vanhempi")
    social_worker = nested(WorkerSchema, "Vastuusosiaalityöntekijä", required=True)
    coordinator = nested(CoordinatorSchema, "Koollekutsuja", "Voidaan täydentää myöhemmin.")
    reason = long_text("Miksi läheisneuvonpito", "Lähtötilanne lyhyesti.", required=True, max_length=1000)
    themes = text_list("Käsiteltävät asiat", "Lasta koskevat asiat, joista suunnitelma laaditaan.",
                       required=True, min_items=1, max_items=15, item_max=500, item="käsiteltävä asia")
    participating_workers = listing(
        nested_item(ParticipatingWorkerSchema), "Osallistuvat työntekijät",
        "Työntekijät, jotka kutsutaan antamaan tietoa. Jätä tyhjäksi, jos kokoukseen tulee vain "
        "vastuusosiaalityöntekijä.",
        required=True, max_items=15, item="työntekijä",
    )
    child_participation = nested(ChildParticipationSchema, "Lapsen osallistuminen", required=True)
    accessibility = nested(AccessibilitySchema, "Kieli ja saavutettavuus")
    safety_notes = long_text(
        "Turvallisuus", "Henkilöt, joita ei kutsuta, ja turvallisuusjärjestelyt. Ei läheisille.", max_length=2000
    )
    target_window = nested(DateRangeSchema, "Tavoiteaika kokoukselle")
    consent = nested(ConsentSchema, "Suostumus tietojen luovuttamiseen", required=True)

    @across_fields
    def _agreement_rules(self, data, original_data=None, **kwargs):
        errors = {}
        on = data.get("document_date")
        file_copy_known = not failed(data, original_data, "file_copy")
        for index, child, sent in entries(data, original_data, "children"):
            if child.get("hetu") and file_copy_known and not data.get("file_copy"):
                errors.setdefault("children", {}).setdefault(index, {})["hetu"] = [
                    Msg("Henkilötunnus tulostetaan vain arkistokappaleeseen: valitse Arkistokappale tai jätä "
                        "tunnus pois.")
                ]
            if on and children_twelve_or_older([child], on) and child.get("own_consent") is not True \
                    and not failed(child, sent, "own_consent"):
                errors.setdefault("children", {}).setdefault(index, {})["own_consent"] = [
                    Msg("12 vuotta täyttäneen lapsen oma suostumus vaaditaan (LSL 21 §).")
                ]
        guardians = entries(data, original_data, "guardians")
        marked = [guardian.get("is_guardian") for _index, guardian, sent in guardians
                  if not failed(guardian, sent, "is_guardian")]
        if guardians and len(marked) == len(guardians) and not any(marked):
            errors["guardians"] = [Msg("Vähintään yhden henkilön on oltava lapsen huoltaja.")]
        if errors:
            raise ValidationError(errors)
