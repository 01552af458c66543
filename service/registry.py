"""The document registry: the one table the API, CLI, forms and template tools read.

Adding a document type means one schema module, one template and one line here.
"""

from __future__ import annotations

import json
from collections.abc import Callable
from dataclasses import dataclass
from functools import cached_property
from pathlib import Path

from schemas import invitation
from schemas.choices import NETWORK_SECTOR
from schemas.common import DocumentSchema
from schemas.family_plan import FamilyPlanSchema
from schemas.follow_up_summary import FollowUpSummarySchema
from schemas.i18n import DEFAULT, Msg, gettext, known_language
from schemas.mandate_agreement import MandateAgreementSchema
from schemas.network_map import NetworkMapSchema
from schemas.questions import QuestionsSchema
from schemas.summary import SummarySchema
from service.fieldtree import Node, fill_absent, tree
from service.rendering import diagram

ROOT = Path(__file__).resolve().parent.parent
TEMPLATES_DIR = ROOT / "templates_docx"
EXAMPLES_DIR = ROOT / "examples"

# Renditions: the family/worker copy holds everything; the network copy is what the invited
# relatives may read (spec §4.2): it leaves out what the family did not want shared.
FAMILY = "family"
NETWORK = "network"


@dataclass(frozen=True)
class DocumentType:
    id: str
    label: str  # Finnish name of the document
    description: str
    phase: str  # valmisteluvaihe / seurantavaihe
    schema: type[DocumentSchema]
    file_stem: str  # ASCII, Finnish; used in download file names (translated like any message)
    renditions: tuple[str, ...] = (FAMILY,)
    # Each revision is a new version that names the one it replaces: the file name carries the
    # version, and the form can start version n+1 from version n's saved data.
    versioned: bool = False
    # A mail merge (the invitation letters): ``letters`` splits the validated data into one letter's
    # data per recipient, each of the shape of ``letter_schema``, which is what templates are filled with.
    letters: Callable[[dict], list[dict]] | None = None
    letter_schema: type[DocumentSchema] | None = None
    letter_stem: str = ""  # one letter's file name stem (with its running number)
    # Names the service adds to this type's context at render time (the network map's diagram),
    # with their place in the field tree, and the function that makes them from the context.
    extra_names: tuple[tuple[str, Node], ...] = ()
    extras: Callable[[dict, str], dict] | None = None
    # Which fields an extra is made of: a template that uses "sectors[].members[].name" uses
    # "members[].name" (the checker's "required field never used" counts it).
    extra_sources: tuple[tuple[str, str], ...] = ()

    def fields_used(self, used: set[str]) -> set[str]:
        """Template paths as schema paths: an extra's paths also count for the fields it is made of."""
        out = set(used)
        for extra, source in self.extra_sources:
            out |= {source + path[len(extra):] for path in used if path == extra or path.startswith(extra + ".")}
        return out

    @cached_property
    def fields(self) -> Node:
        return tree(self.schema)

    @cached_property
    def template_fields(self) -> Node:
        """What a template of this type is filled with: the schema's fields, or one letter's."""
        return tree(self.letter_schema) if self.letter_schema is not None else self.fields

    @property
    def context_names(self) -> dict[str, Node]:
        """Names a template may use besides the fields (``doc`` and the type's own extras)."""
        return {**CONTEXT_EXTRAS, **dict(self.extra_names)}

    def template_example(self, language: str = DEFAULT) -> dict:
        """The example as a template sees it: for letters, the first letter's data."""
        example = self.example(language)
        if self.letters is None:
            return example
        return self.letters(self.schema().load(example))[0]

    @property
    def file_stem_network(self) -> str:
        return f"{self.file_stem}_laheisille"

    def template(self, language: str = DEFAULT) -> str:
        """The built-in template of one language, relative to TEMPLATES_DIR."""
        return f"{known_language(language)}/{self.id}.docx"

    def title(self, language: str | None = None) -> str:
        """The document's name in ``language`` (default: the current message language)."""
        return gettext(self.label, language)

    def example_path(self, language: str = DEFAULT) -> Path:
        return EXAMPLES_DIR / language / f"{self.id}.json"

    def example(self, language: str = DEFAULT) -> dict:
        return json.loads(self.example_path(language).read_text(encoding="utf-8"))

    def context(self, data: dict, rendition: str = FAMILY) -> dict:
        """The template context: validated data with absent optional keys as None, plus ``doc``
        (the title in the document's own language)."""
        context = fill_absent(self.template_fields, data)
        language = data.get("language") or DEFAULT
        withhold(self.template_fields, context, rendition, gettext(WITHHELD, language))
        context["doc"] = {"type": self.id, "title": self.title(language), "rendition": rendition}
        if self.extras is not None:
            context.update(self.extras(context, language))
        return context

    def contexts(self, data: dict, rendition: str = FAMILY) -> list[dict]:
        """The template contexts of validated data: one, or one per letter."""
        if self.letters is None:
            return [self.context(data, rendition)]
        return [self.context(letter, rendition) for letter in self.letters(data)]

    def file_name(self, case_ref: str, rendition: str = FAMILY, extension: str = "docx",
                  language: str = DEFAULT, version: int | None = None) -> str:
        """Type name (in the document's language), case reference and, for a versioned type, the
        version: never a person's name or identity code."""
        stem = self.file_stem if rendition == FAMILY else self.file_stem_network
        tail = f"_v{version}" if self.versioned and isinstance(version, int) and not isinstance(version, bool) else ""
        return f"{gettext(stem, language)}_{case_ref}{tail}.{extension}"

    def letter_file_name(self, case_ref: str, number: int, extension: str = "docx", language: str = DEFAULT) -> str:
        """One letter: the type, the case reference and the running number, never the recipient's name."""
        return f"{gettext(self.letter_stem, language)}_{case_ref}_{number:02d}.{extension}"


WITHHELD = Msg("Yhteystiedot eivät näy asiakirjassa.")


def withhold(node: Node, data, rendition: str, notice: str) -> None:
    """Take out of a template context, by construction, what the document must not show: the
    contact details of a person with a non-disclosure marking (turvakielto: the phone's place
    says ``notice`` instead) in every rendition, and what the family did not want shared in the
    relatives' copy. A template cannot print what its context does not hold."""
    if node.kind == "list" and isinstance(data, list):
        for item in data:
            withhold(node.each, item, rendition, notice)
        return
    if node.kind != "object" or not isinstance(data, dict):
        return
    protected = data.get("non_disclosure") is True
    for name, child in node.children.items():
        if (protected and child.contact) or (rendition == NETWORK and child.network_hidden):
            data[name] = None
        else:
            withhold(child, data.get(name), rendition, notice)
    if protected:  # the notice where the first contact detail would be (a child's: the school)
        shown = [name for name, child in node.children.items() if child.contact and child.kind == "str"]
        if shown:
            data["phone" if "phone" in shown else shown[0]] = notice


# Names a template may use besides the schema's own fields.
CONTEXT_EXTRAS = {
    "doc": Node("object", children={
        "type": Node("str", label="Asiakirjatyypin tunnus"),
        "title": Node("str", label="Asiakirjan nimi"),
        "rendition": Node("str", label="Kappale: family (perhe ja työntekijät) tai network (läheiset)"),
    }),
}

def network_extras(context: dict, language: str) -> dict:
    """The network map's people by sector (in the list's order, closest first) and its diagram."""
    members = context.get("members") or []
    sectors = [{"sector": code, "members": sorted((m for m in members if m["sector"] == code),
                                                   key=lambda m: m["closeness"])}
               for code in NETWORK_SECTOR.codes if any(m["sector"] == code for m in members)]
    return {"sectors": sectors, "diagram": diagram.picture(context, language)}


def _network_names() -> tuple[tuple[str, Node], ...]:
    member = tree(NetworkMapSchema).children["members"]
    return (
        ("sectors", Node("list", label="Henkilöt sektoreittain", item=Node("object", children={
            "sector": Node("str", label="Sektori", choices=NETWORK_SECTOR.name),
            "members": member}))),
        ("diagram", Node("picture", label="Verkostokartan kuva",
                         help="Kehät ja sektorit kuvana; vaihtoehtoinen teksti luettelee samat henkilöt.")),
    )


DOCUMENT_TYPES: dict[str, DocumentType] = {
    t.id: t
    for t in (
        DocumentType(
            id="mandate-agreement",
            label="Toimeksiantosopimus",
            description="Sosiaalityöntekijän, huoltajien ja lapsen sopimus läheisneuvonpidon järjestämisestä: "
                        "käsiteltävät asiat, osallistuvat työntekijät ja suostumus tietojen antamiseen.",
            phase="Valmisteluvaihe",
            schema=MandateAgreementSchema,
            file_stem="toimeksiantosopimus",
        ),
        DocumentType(
            id="summary",
            label="Yhteenveto",
            description="Sosiaalityöntekijän tosiasioihin perustuva yhteenveto lapsen tilanteesta läheisille.",
            phase="Valmisteluvaihe",
            schema=SummarySchema,
            file_stem="yhteenveto",
            renditions=(FAMILY, NETWORK),
        ),
        DocumentType(
            id="questions",
            label="Kysymykset",
            description="Avoimet kysymykset, joihin läheisten suunnitelma vastaa, viisi yleistä kysymystä "
                        "ja reunaehdot.",
            phase="Valmisteluvaihe",
            schema=QuestionsSchema,
            file_stem="kysymykset",
        ),
        DocumentType(
            id="family-plan",
            label="Läheisneuvonpidon suunnitelma",
            description="Perheen ja läheisten suunnitelma: vastaukset kysymyksiin, sovitut tehtävät, seuranta ja "
                        "sosiaalityöntekijän hyväksyntä. Seurantakokouksen jälkeen tehdään uusi versio.",
            phase="Läheisneuvonpidon kokous",
            schema=FamilyPlanSchema,
            file_stem="suunnitelma",
            versioned=True,
        ),
        DocumentType(
            id="follow-up-summary",
            label="Seurantakokouksen yhteenveto",
            description="Yhteenveto seurantakokousta varten 3–6 kuukautta läheisneuvonpidon jälkeen.",
            phase="Seurantavaihe",
            schema=FollowUpSummarySchema,
            file_stem="seurantakokouksen_yhteenveto",
            renditions=(FAMILY, NETWORK),
        ),
        DocumentType(
            id="network-map",
            label="Verkostokartta",
            description="Koollekutsujan ja perheen yhdessä laatima kartta lapsen läheisistä: kehät, sektorit ja "
                        "keitä kutsutaan. Vain koollekutsujalle ja perheelle.",
            phase="Valmisteluvaihe",
            schema=NetworkMapSchema,
            file_stem="verkostokartta",
            extra_names=_network_names(),
            extras=network_extras,
            extra_sources=(("sectors[].members[]", "members[]"), ("sectors[].sector", "members[].sector")),
        ),
        DocumentType(
            id="invitation",
            label="Kutsukirjeet",
            description="Kutsukirje jokaiselle kutsuttavalle läheisneuvonpidon kokoukseen tai seurantakokoukseen, "
                        "kunkin omalla kielellä.",
            phase="Valmisteluvaihe",
            schema=invitation.InvitationSchema,
            file_stem="kutsukirjeet",
            letters=invitation.letters,
            letter_schema=invitation.LetterSchema,
            letter_stem="kutsukirje",
        ),
    )
}
