"""Differential test: the prepared engine gives the same document as plain docxtpl."""

import base64
import datetime as dt
import io

import pytest
from docx import Document
from docx.opc.constants import RELATIONSHIP_TYPE as RT
from docx.opc.packuri import PackURI
from docx.opc.part import Part
from docx.oxml.ns import qn
from docx.shared import Cm

from service.registry import DOCUMENT_TYPES, TEMPLATES_DIR
from service.rendering.docx_template import ENV, load_template, render_docxtpl
from service.rendering.engine import PreparedDocx
from tests.conftest import TYPE_IDS, load_example

CONTEXT = {
    "title": "Otsikko & <alaotsikko>",
    "children": [
        {"name": "Aino", "age": 9, "hobbies": ["jalkapallo", "piirtäminen"]},
        {"name": "Ánde", "age": 13, "hobbies": []},
        {"name": "عائشة", "age": 4, "hobbies": ["laulu"]},
    ],
    "columns": ["Ma", "Ti", "Ke", "To"],
    "note": "rivi 1\nrivi 2\tsarkain",
    "empty": None,
    "flag": True,
    "day": dt.date(2026, 10, 2),
}

PNG = base64.b64decode(
    "iVBORw0KGgoAAAANSUhEUgAAAAEAAAABCAYAAAAfFcSJAAAADUlEQVR42mP8z8DwHwAFBQIAX8jx0gAAAABJRU5ErkJggg=="
)


def _save(doc) -> bytes:
    out = io.BytesIO()
    doc.save(out)
    return out.getvalue()


def t_paragraph_loops():
    doc = Document()
    doc.add_heading("{{ title }}", 1)
    doc.add_paragraph("{%p for c in children %}")
    doc.add_paragraph("{{ loop.index }}. {{ c.name }} ({{ c.age }} v.)")
    doc.add_paragraph("{%p endfor %}")
    return doc


def t_row_loop():
    doc = Document()
    table = doc.add_table(rows=3, cols=2)
    table.cell(0, 0).text, table.cell(0, 1).text = "Nimi", "Ikä"
    table.cell(1, 0).text = "{%tr for c in children %}"
    table.cell(2, 0).text, table.cell(2, 1).text = "{{ c.name }}", "{{ c.age }}"
    row = table.add_row()
    row.cells[0].text = "{%tr endfor %}"
    return doc


def t_cell_loop():
    doc = Document()
    table = doc.add_table(rows=2, cols=4)
    table.cell(0, 0).text = "Päivä"
    table.cell(0, 1).text = "{%tc for d in columns %}"
    table.cell(0, 2).text = "{{ d }}"
    table.cell(0, 3).text = "{%tc endfor %}"
    table.cell(1, 0).text = "x"
    return doc


def t_nested_loops_and_conditions():
    doc = Document()
    doc.add_paragraph("{%p for c in children %}")
    doc.add_paragraph("{{ c.name }}")
    doc.add_paragraph("{%p if c.hobbies %}")
    doc.add_paragraph("{%p for h in c.hobbies %}")
    doc.add_paragraph("– {{ h }}", style="List Bullet")
    doc.add_paragraph("{%p endfor %}")
    doc.add_paragraph("{%p else %}")
    doc.add_paragraph("Ei harrastuksia.")
    doc.add_paragraph("{%p endif %}")
    doc.add_paragraph("{%p endfor %}")
    doc.add_paragraph("{% if empty %}tyhjä{% else %}ei tyhjä{% endif %} {{ flag }} {{ day }}")
    return doc


def t_listing_and_runs():
    doc = Document()
    doc.add_paragraph("{{ note }}")
    p = doc.add_paragraph()
    p.add_run("{{r ")
    p.add_run("title").bold = True
    p.add_run(" }} lopuksi")
    doc.add_paragraph("{{ note|upper }} ja {{ title|length }}")
    return doc


def t_headers_footers():
    doc = Document()
    doc.add_paragraph("Runko {{ title }}")
    section = doc.sections[0]
    section.header.paragraphs[0].text = "Ylätunniste: {{ title }}"
    section.footer.paragraphs[0].text = "{% for c in children %}{{ c.name }} {% endfor %}"
    section.different_first_page_header_footer = True
    section.first_page_header.paragraphs[0].text = "Ensimmäinen sivu {{ children|length }}"
    return doc


def t_picture():
    doc = Document()
    doc.add_paragraph("{%p for c in children %}")
    doc.add_paragraph("{{ c.name }}")
    doc.add_picture(io.BytesIO(PNG), width=Cm(1))
    doc.add_paragraph("{%p endfor %}")
    return doc


FOOTNOTES = (
    '<?xml version="1.0" encoding="UTF-8" standalone="yes"?>\n'
    '<w:footnotes xmlns:w="http://schemas.openxmlformats.org/wordprocessingml/2006/main">'
    '<w:footnote w:type="separator" w:id="-1"><w:p><w:r><w:separator/></w:r></w:p></w:footnote>'
    '<w:footnote w:type="continuationSeparator" w:id="0"><w:p><w:r><w:continuationSeparator/></w:r></w:p></w:footnote>'
    '<w:footnote w:id="1"><w:p><w:r><w:t xml:space="preserve">Alaviite {{ title }} {{ children|length }}</w:t></w:r></w:p></w:footnote>'
    '</w:footnotes>'
)


def t_footnotes():
    doc = Document()
    p = doc.add_paragraph("Teksti, jossa on alaviite")
    run = p.add_run()
    ref = run._r.makeelement(qn("w:footnoteReference"), {qn("w:id"): "1"})
    run._r.append(ref)
    part = Part(PackURI("/word/footnotes.xml"),
                "application/vnd.openxmlformats-officedocument.wordprocessingml.footnotes+xml",
                FOOTNOTES.encode("utf-8"), doc.part.package)
    doc.part.relate_to(part, RT.FOOTNOTES)
    return doc


CORPUS = {f.__name__[2:]: f for f in (t_paragraph_loops, t_row_loop, t_cell_loop, t_nested_loops_and_conditions,
                                      t_listing_and_runs, t_headers_footers, t_picture, t_footnotes)}


def snapshot(content: bytes) -> dict:
    """What a reader and Word see: paragraphs with styles, tables with their grids, headers,
    footers, footnotes, properties, pictures' ids."""
    doc = Document(io.BytesIO(content))
    body = doc.element.body

    def para(p):
        text = "".join(
            (n.text or "") if n.tag == qn("w:t") else "\n" if n.tag == qn("w:br") else "\t"
            for n in p.iter(qn("w:t"), qn("w:br"), qn("w:tab"))
        )
        style = p.find(f"{qn('w:pPr')}/{qn('w:pStyle')}")
        return (style.get(qn("w:val")) if style is not None else None, text)

    snap = {
        "paragraphs": [para(p) for p in body.iter(qn("w:p"))],
        "tables": [
            {"grid": [g.get(qn("w:w")) for g in t.iter(qn("w:gridCol"))],
             "rows": [[[para(p)[1] for p in c.iter(qn("w:p"))] for c in r.iter(qn("w:tc"))] for r in t.iter(qn("w:tr"))]}
            for t in body.iter(qn("w:tbl"))
        ],
        "docpr": [e.get("id") for e in body.iter("{http://schemas.openxmlformats.org/drawingml/2006/wordprocessingDrawing}docPr")],
        "properties": {k: getattr(doc.core_properties, k) for k in ("author", "title", "subject", "comments")},
        "parts": sorted(p.partname for p in doc.part.package.parts),
    }
    for section in doc.sections:
        for kind in ("header", "footer", "first_page_header"):
            hf = getattr(section, kind)
            if not hf.is_linked_to_previous:
                snap[kind] = [para(p) for p in hf._element.iter(qn("w:p"))]
    for part in doc.part.package.parts:
        if part.partname.endswith("footnotes.xml"):
            from lxml import etree
            root = etree.fromstring(part.blob)
            snap["footnotes"] = ["".join(t.text or "" for t in fn.iter(qn("w:t"))) for fn in root.iter(qn("w:footnote"))]
    return snap


@pytest.mark.parametrize("name", sorted(CORPUS))
def test_engine_matches_docxtpl_on_the_corpus(name):
    data = _save(CORPUS[name]())
    ours = PreparedDocx(data, ENV).render(CONTEXT)
    theirs = render_docxtpl(data, CONTEXT)
    assert snapshot(ours) == snapshot(theirs)
    Document(io.BytesIO(ours))  # opens


def test_corpus_really_exercises_the_features():
    snaps = {name: snapshot(PreparedDocx(_save(f()), ENV).render(CONTEXT)) for name, f in CORPUS.items()}
    assert [p[1] for p in snaps["paragraph_loops"]["paragraphs"][1:]] == ["1. Aino (9 v.)", "2. Ánde (13 v.)", "3. عائشة (4 v.)"]
    assert len(snaps["row_loop"]["tables"][0]["rows"]) == 4
    assert len(snaps["cell_loop"]["tables"][0]["grid"]) == 5
    assert snaps["headers_footers"]["footer"][0][1] == "Aino Ánde عائشة "
    assert snaps["footnotes"]["footnotes"][-1] == "Alaviite Otsikko & <alaotsikko> 3"
    assert len(snaps["picture"]["docpr"]) == 3 and len(set(snaps["picture"]["docpr"])) == 3
    # A value's line break is a paragraph of its own (service/rendering/finishing.py), its tab a tab.
    assert [p[1] for p in snaps["listing_and_runs"]["paragraphs"]][:2] == ["rivi 1", "rivi 2\tsarkain"]


@pytest.mark.parametrize("type_id, rendition", [(t, r) for t in TYPE_IDS for r in DOCUMENT_TYPES[t].renditions])
def test_engine_matches_docxtpl_on_our_templates(type_id, rendition):
    doc_type = DOCUMENT_TYPES[type_id]
    data = (TEMPLATES_DIR / doc_type.template()).read_bytes()
    template = load_template(doc_type.template(), data, doc_type.template_fields, doc_type.context_names)
    assert template.prepared is not None
    context = doc_type.contexts(doc_type.schema().load(load_example(type_id)), rendition)[0]
    assert snapshot(template.prepared.render(context)) == snapshot(render_docxtpl(data, context))


def test_tags_in_properties_fall_back_to_docxtpl():
    doc = Document()
    doc.add_paragraph("x")
    doc.core_properties.title = "{{ title }}"
    data = _save(doc)
    template = load_template("t.docx", data, DOCUMENT_TYPES["summary"].fields,
                             {"title": DOCUMENT_TYPES["summary"].fields.children["case_ref"]})
    assert template.prepared is None


def test_broken_structure_is_an_error_not_a_corrupt_file():
    from service.rendering.engine import BrokenOutput

    doc = Document()
    doc.add_paragraph("{%p if flag %}")
    table = doc.add_table(rows=1, cols=1)
    table.cell(0, 0).text = "{%p endif %}"
    data = _save(doc)
    with pytest.raises(BrokenOutput):
        PreparedDocx(data, ENV).render({**CONTEXT, "flag": False})


@pytest.mark.parametrize("source, balanced", [
    ("<a><b>{{ x }}</b></a>", True),
    ("<a>{% if x %}<b/>{% else %}<c></c>{% endif %}</a>", True),
    # docxtpl style: a condition that closes and reopens the paragraph around its content
    ("<p><r><t>{% if x %}</t></r></p><p><r><t>{% endif %}</t></r></p>", True),
    ("<p>{% for i in x %}</p><p>{% endfor %}</p>", True),
    ("<a>{% if x %}<b>{% endif %}</b></a>", False),
    ("<a>{% for i in x %}<b>{% endfor %}</a>", False),
    ("<r>{% for i in x %}</p><p>{% endfor %}</r>", False),
    ("<a>{% if x %}</a><b>{% else %}</a><c>{% endif %}</b></a>", False),
    ("{% macro m() %}<b>{% endmacro %}<a>{{ m() }}</a>", False),
])
def test_structure_proof(source, balanced):
    from service.rendering.engine import provably_balanced

    assert provably_balanced(ENV, source) is balanced


@pytest.mark.parametrize("type_id", TYPE_IDS)
def test_our_templates_need_no_per_render_parse(type_id):
    doc_type = DOCUMENT_TYPES[type_id]
    data = (TEMPLATES_DIR / doc_type.template()).read_bytes()
    template = load_template(doc_type.template(), data, doc_type.template_fields, doc_type.context_names)
    assert not any(getattr(m, "check", False) for m in template.prepared.members)


@pytest.mark.parametrize("name", ["urlize", "xmlattr", "safe"])
def test_markup_filters_are_removed(name):
    assert name not in ENV.filters
