"""The sandbox and the load-time check, on small templates made here."""

import io

import pytest
from docx import Document

from service.registry import CONTEXT_EXTRAS, DOCUMENT_TYPES, TEMPLATES_DIR
from service.rendering.docx_template import TemplateInvalid, load_template, render
from tests.docxtext import all_text

SUMMARY = DOCUMENT_TYPES["summary"]


def make_docx(*paragraphs: str, header: str | None = None) -> bytes:
    doc = Document()
    for text in paragraphs:
        doc.add_paragraph(text)
    if header:
        doc.sections[0].header.paragraphs[0].text = header
    out = io.BytesIO()
    doc.save(out)
    return out.getvalue()


def load(*paragraphs, header=None):
    return load_template("test.docx", make_docx(*paragraphs, header=header), SUMMARY.fields, CONTEXT_EXTRAS)


def context(example):
    return SUMMARY.context(SUMMARY.schema().load(example("summary")))


@pytest.mark.parametrize("expression", [
    "{{ cycler.__init__.__globals__ }}",
    "{{ joiner.__init__.__globals__.os }}",
    "{{ ''.__class__.__mro__[1].__subclasses__() }}",
    "{{ case_ref.__class__ }}",
    "{{ children[0]['__class__'] }}",
    "{% for c in children %}{{ c.__dict__ }}{% endfor %}",
])
def test_dunder_access_is_refused_when_loaded(expression):
    with pytest.raises(TemplateInvalid) as info:
        load("Alku", expression)
    assert "Alaviivalla" in str(info.value)


@pytest.mark.parametrize("expression", [
    "{{ (cycler|attr('__init__')|attr('__globals__')) }}",
    "{{ lipsum|attr('__globals__') }}",
    "{{ '{0.__class__}'.format(case_ref) }}",
    "{{ range(10**9)|list|length }}",
    "{{ (children|first).update({'first_name': 'x'}) }}",
    "{% set x = children.append(1) %}{{ x }}",
])
def test_names_built_at_run_time_are_refused_when_loaded(expression):
    # The names these reach are built at run time, out of the check's sight: the constructs that
    # build them (calls, attr, set, **) are refused instead. tests/test_attacks.py has the corpus.
    with pytest.raises(TemplateInvalid):
        load(expression)


def test_data_is_never_evaluated(example):
    template = load("{{ current_situation }}")
    ctx = context(example)
    ctx["current_situation"] = "{{ 7*7 }} {% if true %}x{% endif %} <w:p/>"
    text = all_text(render(template, ctx))
    assert "{{ 7*7 }} {% if true %}x{% endif %} <w:p/>" in text
    assert "49" not in text


def test_safe_filter_is_removed():
    with pytest.raises(TemplateInvalid, match="Tuntematon suodatin"):
        load("{{ current_situation|safe }}")


def test_unknown_variable_is_an_error_at_load_with_a_suggestion():
    with pytest.raises(TemplateInvalid) as info:
        load("Tilanne: {{ curent_situation }}")
    problem = info.value.problems[0]
    assert "curent_situation" in problem.message and "current_situation" in problem.message
    assert problem.part == "body" and "Tilanne" in problem.snippet


def test_unknown_nested_field_inside_a_loop_is_an_error():
    with pytest.raises(TemplateInvalid) as info:
        load("{%p for c in children %}", "{{ c.frist_name }}", "{%p endfor %}")
    assert "first_name" in str(info.value)


def test_unknown_field_in_header_is_found():
    with pytest.raises(TemplateInvalid) as info:
        load("ok", header="{{ case_reff }}")
    assert info.value.problems[0].part.startswith("header")


def test_jinja_syntax_error_is_reported_with_place():
    with pytest.raises(TemplateInvalid) as info:
        load("Ensimmäinen", "{% if case_ref %}ei loppua")
    assert "syntaksivirhe" in str(info.value)


def test_all_problems_are_reported_at_once():
    with pytest.raises(TemplateInvalid) as info:
        load("{{ a1 }}", "{{ b2 }}", "{{ author.nme }}")
    assert len(info.value.problems) == 3


def test_include_is_refused():
    with pytest.raises(TemplateInvalid, match="include"):
        load("{% include 'x' %}")


def test_printing_a_whole_object_is_an_error_not_a_repr(example):
    # Refused when the template is loaded (the checker), before any case reaches it.
    for tag in ("{{ author }}", "{{ children }}", "{{ range }}", "{{ document_date.isoformat }}",
                "{{ children|string }}"):
        with pytest.raises(TemplateInvalid):
            load(tag)


def test_filters_format_in_finnish(example):
    template = load(
        "{{ document_date }}|{{ document_date|date_long }}|{{ children[0].birth_date|age(document_date) }}",
        "{{ author|full_name }}|{{ background.service_context|label }}|{{ sharing.approved_for_network }}",
        "{{ services[0].period|date_range }}",
    )
    ctx = context(example)
    ctx["services"][0]["period"] = {"start": __import__("datetime").date(2026, 2, 1),
                                    "end": __import__("datetime").date(2026, 2, 5)}
    text = all_text(render(template, ctx))
    assert "2.10.2026|perjantai 2. lokakuuta 2026|" in text
    assert "Katja Lehtonen|perhesosiaalityö|kyllä" in text
    assert "1.–5.2.2026" in text


@pytest.mark.parametrize("type_id", sorted(DOCUMENT_TYPES))
def test_every_schema_field_appears_in_its_template(type_id):
    doc_type = DOCUMENT_TYPES[type_id]
    data = (TEMPLATES_DIR / doc_type.template()).read_bytes()
    template = load_template(doc_type.template(), data, doc_type.template_fields, doc_type.context_names)
    # What the service only reads (the non-disclosure marking: it withholds the contact details;
    # a letter's language: it chooses the template) is never printed. A letter is filled with one
    # letter's fields; the network map's diagram and table are made of the members.
    leaves = doc_type.template_fields.printable_leaves()
    assert sorted(leaves - doc_type.fields_used(template.used_paths)) == []
    assert not template.warnings
