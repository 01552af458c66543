"""The network map: its schema's rules, the table by sector and the drawn diagram with its
alternative text, in every language; only for the convener and the family (domain spec §4.7)."""

from __future__ import annotations

import io
import random
import zipfile

import pytest
from docx import Document
from lxml import etree
from PIL import Image

from service.pipeline import produce
from service.problems import ApiError
from service.registry import DOCUMENT_TYPES, FAMILY
from service.rendering import diagram
from service.rendering.docx_template import render_docxtpl
from service.wordtemplates.checker import check
from service.wordtemplates.store import TemplateStore
from tests.conftest import cli_auditor, load_example, post_json
from tests.docxtext import all_text, header_footer_text

MAP = DOCUMENT_TYPES["network-map"]
WP = "{http://schemas.openxmlformats.org/drawingml/2006/wordprocessingDrawing}"
ONLY_FOR = {"fi": "Vain koollekutsujalle ja perheelle", "sv": "Endast för sammankallaren och familjen",
            "en": "For the convener and the family only"}
SECTORS = ("family", "relatives", "friends", "school", "hobbies", "authorities", "others")
RELATIONS = {"family": "sibling", "relatives": "cousin", "friends": "friend", "school": "teacher", "hobbies": "other",
             "authorities": "worker", "others": "neighbour"}
LONG_NAMES = ("Aleksandra-Marianne Virtanen-Korhonen", "Juha-Pekka Östman-Lindqvist", "Abdirahman Mohamed Yusuf",
              "Марина Ёлкина", "سارة أحمد", "Máret Áile Saijets", "Kristiina Heikkinen-Mäkelä")


def members(count: int, seed: int = 7) -> list[dict]:
    """``count`` people over every sector and ring, long names among them, every decision."""
    rng = random.Random(seed)
    out = []
    for n in range(count):
        sector = SECTORS[n % len(SECTORS)]
        decision = ("invited", "invited", "considering", "not_invited")[n % 4]
        name = LONG_NAMES[n % len(LONG_NAMES)] if n % 3 == 0 else f"Henkilö{n:02d}"
        member = {"name": f"{name} {n:02d}" if n % 3 == 0 else name, "relation": RELATIONS[sector], "sector": sector,
                  "closeness": rng.choice((1, 2, 2, 3, 3, 3)), "invite_decision": decision}
        if decision == "not_invited":
            member["not_invited_reason"] = f"Peruste {n:02d}."
        out.append(member)
    return out


def make(payload: dict) -> bytes:
    return produce(TemplateStore(), MAP, payload, audit=cli_auditor()).content


def pictures(docx: bytes) -> list[tuple[str, bytes]]:
    """(alternative text, image bytes) of every picture in the body."""
    with zipfile.ZipFile(io.BytesIO(docx)) as archive:
        body = etree.fromstring(archive.read("word/document.xml"))
        rels = etree.fromstring(archive.read("word/_rels/document.xml.rels"))
        targets = {r.get("Id"): r.get("Target") for r in rels}
        found = []
        for inline in body.iter(WP + "inline"):
            descr = inline.find(WP + "docPr").get("descr")
            blip = inline.find(".//{http://schemas.openxmlformats.org/drawingml/2006/main}blip")
            embed = blip.get("{http://schemas.openxmlformats.org/officeDocument/2006/relationships}embed")
            found.append((descr, archive.read("word/" + targets[embed])))
        assert 'Extension="png"' in archive.read("[Content_Types].xml").decode()
        return found


@pytest.mark.parametrize("count", [8, 40])
@pytest.mark.parametrize("language", ["fi", "sv", "en"])
def test_the_diagram_is_a_picture_with_every_member_in_its_alternative_text(language, count):
    payload = load_example("network-map", language)
    payload["members"] = members(count)
    docx = make(payload)
    [(descr, png)] = pictures(docx)
    for member in payload["members"]:
        assert member["name"] in descr
    for child in payload["children"]:
        assert child["first_name"] in descr
    image = Image.open(io.BytesIO(png))
    image.load()  # decodes
    assert image.format == "PNG" and image.width > 1400 and image.height > 1400
    assert sum(1 for count in image.convert("L").histogram() if count) > 50  # drawn, not blank
    text = all_text(docx)
    assert all(member["name"] in text for member in payload["members"])  # and in the table


@pytest.mark.parametrize("language", ["fi", "sv", "en"])
def test_the_map_in_every_language(language):
    payload = load_example("network-map", language)
    docx = make(payload)
    text, chrome = all_text(docx), header_footer_text(docx)
    assert ONLY_FOR[language] in chrome  # the header says who the map is for
    from service.rendering import formatting

    for member in payload["members"]:
        assert member["name"] in text
        assert formatting.label(member["relation"], language) in text
        assert formatting.label(member["invite_decision"], language) in text
    for sector in {m["sector"] for m in payload["members"]}:
        assert formatting.label(sector, language) in text
    reason = next(m["not_invited_reason"] for m in payload["members"] if m.get("not_invited_reason"))
    assert reason in text
    [(descr, _png)] = pictures(docx)
    assert descr.startswith(diagram.gettext(diagram.TITLE, language))
    if language != "fi":
        assert "Kehä" not in descr and "kutsutaan" not in descr and "Henkilöt sektoreittain" not in text


def test_the_alternative_text_lists_the_people_ring_by_ring():
    payload = load_example("network-map")
    words = diagram.description(MAP.context(MAP.schema().load(payload)), "fi")
    lines = words.split("\n")
    assert lines[0] == "Verkostokartta. Keskellä: Elle ja Iisak."
    assert lines[1].startswith("Kehä 1 (lähimmät): Amal (äiti, perhe, kutsutaan); Ánde (isä, perhe, kutsutaan)")
    assert "Pekka (naapuri, muut, ei kutsuta)" in lines[3]


def test_the_engine_and_plain_docxtpl_place_the_same_picture():
    payload = load_example("network-map")
    template = TemplateStore().get(MAP)
    context = MAP.context(MAP.schema().load(payload))
    by_engine = template.prepared.render(context)
    by_docxtpl = render_docxtpl(template.data, MAP.context(MAP.schema().load(payload)))
    [(alt_engine, png_engine)], [(alt_docxtpl, png_docxtpl)] = pictures(by_engine), pictures(by_docxtpl)
    assert alt_engine == alt_docxtpl and png_engine == png_docxtpl


def test_a_protected_member_shows_name_and_role_only():
    payload = load_example("network-map")
    payload["members"][0].update(non_disclosure=True, phone="+358 40 111 2222", email="suojattu@example.com",
                                 postal_address={"street": "Suojatunkatu 1", "postal_code": "00100",
                                                 "post_office": "Helsinki"})
    docx = make(payload)
    with zipfile.ZipFile(io.BytesIO(docx)) as archive:
        raw = "".join(archive.read(n).decode("utf-8", "replace") for n in archive.namelist() if n.endswith(".xml"))
    for value in ("+358 40 111 2222", "suojattu@example.com", "Suojatunkatu"):
        assert value not in raw
    text = all_text(docx)
    assert "Amal" in text and "Yhteystiedot eivät näy asiakirjassa." in text


def test_a_member_not_invited_needs_a_reason_and_only_then():
    payload = load_example("network-map")
    payload["members"][8].pop("not_invited_reason")
    payload["members"][0]["not_invited_reason"] = "Ei syytä."
    with pytest.raises(ApiError) as caught:
        make(payload)
    paths = {e["path"] for e in caught.value.errors}
    assert paths == {"members[8].not_invited_reason", "members[0].not_invited_reason"}


def test_closeness_is_a_ring_from_one_to_three():
    payload = load_example("network-map")
    payload["members"][0]["closeness"] = 4
    with pytest.raises(ApiError) as caught:
        make(payload)
    assert caught.value.errors[0]["path"] == "members[0].closeness"


def test_the_map_is_for_the_convener_and_the_family_only(client):
    """No relatives' copy of the map, and no relatives' copy of any other document holds anything
    of it."""
    assert MAP.renditions == (FAMILY,)
    refused = post_json(client, "network-map", load_example("network-map"), query_string={"rendition": "network"})
    assert refused.status_code == 400
    from service.cases.bundle import produce_case
    from tests.test_cases import example_case

    case = example_case()
    for member in case["documents"]["network-map"]["members"]:
        member["name"] = f"Kartalla-{member['name']}"
    output = produce_case(TemplateStore(), case, "summary:network,follow-up-summary:network", "docx", "zip", None,
                          audit=cli_auditor())
    with zipfile.ZipFile(io.BytesIO(output.content)) as archive:
        for name in archive.namelist():
            assert "Kartalla-" not in all_text(archive.read(name))


def test_the_checker_keeps_the_picture_in_the_body():
    template = Document(io.BytesIO(TemplateStore().read("network-map", 0)))
    template.sections[0].header.add_paragraph("{{ diagram }}")
    template.add_paragraph("{{ diagram.png }}")
    out = io.BytesIO()
    template.save(out)
    messages = [f.message for f in check(out.getvalue(), MAP).findings if f.severity == "virhe"]
    assert any("ylä- tai alatunnisteeseen" in m for m in messages)
    assert any("Kuvalla ei ole kenttiä" in m for m in messages)


def test_a_map_of_sixty_people_is_drawn():
    payload = load_example("network-map")
    payload["members"] = members(60)
    [(descr, png)] = pictures(make(payload))
    assert descr.count(";") >= 57 and Image.open(io.BytesIO(png)).size[0] > 1400


def test_a_picture_printed_in_a_loop_is_refused():
    """Each print would put another copy of the image into the package: a few are allowed, a loop is
    a template fault (500), not a huge document."""
    template = Document(io.BytesIO(TemplateStore().read("network-map", 0)))
    template.add_paragraph("{% for m in members %}{{ diagram }}{% endfor %}")
    out = io.BytesIO()
    template.save(out)
    from service.rendering.docx_template import RenderFailed, load_template, render

    loaded = load_template("loop.docx", out.getvalue(), MAP.template_fields, MAP.context_names)
    with pytest.raises(RenderFailed):
        render(loaded, MAP.context(MAP.schema().load(load_example("network-map"))))


@pytest.mark.parametrize("language,count_text", [("fi", "10 lasta"), ("sv", "10 barn"), ("en", "10 children")])
def test_the_circle_in_the_middle_holds_the_childrens_names_or_their_number(language, count_text):
    """Names that fit the circle (smaller and narrower if need be) are drawn; ten that cannot are
    counted instead (the alternative text and the table still name them)."""
    def sizes(text: str, font_size: float) -> tuple[float, float]:  # about DejaVu Sans, in cm
        lines = text.split("\n")
        return max(len(line) for line in lines) * font_size * 0.021, len(lines) * font_size * 0.042

    two = {"children": [{"first_name": "Elle"}, {"first_name": "Iisak"}]}
    text, size = diagram._centre_text(two, language, sizes)
    assert "Elle" in text and "Iisak" in text and size == 9.0
    four = {"children": [{"first_name": n} for n in ("Åsa-Märta", "Örjan", "Nooa", "Elle")]}
    text, size = diagram._centre_text(four, language, sizes)
    assert all(n in text for n in ("Åsa-Märta", "Örjan", "Nooa", "Elle")) and size < 9.0
    ten = {"children": [{"first_name": f"Aleksandra{n}"} for n in range(10)]}
    assert diagram._centre_text(ten, language, sizes)[0].replace("\n", " ") == count_text


def test_a_long_name_lying_across_a_ring_may_take_three_lines():
    """At the sides of the circle a chip lies across its ring: "Jussi-Petteri Korhonen" on one
    line was wider than the ring and ran over the circle's edge and the sector's name."""
    assert diagram._wrap("Jussi-Petteri Korhonen", 12, lines_wanted=3) == "Jussi-\nPetteri\nKorhonen"
    assert diagram._wrap("Jussi-Petteri Korhonen", 12) == "Jussi-Petteri Korhonen"  # two lines wanted: wider
    assert diagram._wrap("Jussi-Petteri Korhonen") == "Jussi-Petteri\nKorhonen"
