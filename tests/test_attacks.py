"""Attack tests: server-side template injection in templates, hostile values in case data.

Every template payload goes through both layers on its own:
- ``load_template`` (the load-time check, then a render if it loads): refused at load or cut off
  while rendering, never a document;
- the bare sandbox (``ENV.from_string``, no load-time check): stopped by the sandbox or the
  render budget with a Jinja error, within the time budget.
Payloads that would run a shell command touch a canary file; it must never appear.
"""

from __future__ import annotations

import io
import time
import uuid
from pathlib import Path

import pytest
from docx import Document
from jinja2 import TemplateError

from service.pipeline import produce
from service.problems import ApiError
from service.registry import CONTEXT_EXTRAS, DOCUMENT_TYPES
from service.rendering import sandbox
from service.rendering.docx_template import ENV, RenderFailed, TemplateInvalid, load_template, render
from service.rendering.formatting import FormatError
from service.rendering.sandbox import BudgetExceeded, render_budget
from service.validation import validate
from service.wordtemplates.checker import check
from service.wordtemplates.largest import largest
from tests.conftest import TYPE_IDS, cli_auditor, load_example, post_json
from tests.docxtext import all_text

SUMMARY = DOCUMENT_TYPES["summary"]
CANARY = Path(f"/tmp/lnp-ssti-canary-{uuid.uuid4().hex}")
SHELL = f"touch {CANARY}"
TEN = "[0,1,2,3,4,5,6,7,8,9]"


def nested(depth: int, body: str = "x") -> str:
    names = [f"v{i}" for i in range(depth)]
    return "".join(f"{{% for {n} in {TEN} %}}" for n in names) + body + "{% endfor %}" * depth


def doubling(times: int) -> str:
    return "{% set s = case_ref %}" + "{% set s = s ~ s %}" * times + "{{ s|length }}"


PAYLOADS = {
    # object traversal to globals, builtins and subclasses
    "cycler-globals-os": f"{{{{ cycler.__init__.__globals__.os.popen('{SHELL}').read() }}}}",
    "joiner-globals": "{{ joiner.__init__.__globals__ }}",
    "namespace-globals": f"{{{{ namespace.__init__.__globals__.os.system('{SHELL}') }}}}",
    "lipsum-globals": f"{{{{ lipsum.__globals__['os'].popen('{SHELL}').read() }}}}",
    "str-mro-subclasses": "{{ ''.__class__.__mro__[1].__subclasses__() }}",
    "tuple-bases-subclasses": "{{ ().__class__.__bases__[0].__subclasses__() }}",
    "list-base-subclasses": "{{ [].__class__.__base__.__subclasses__() }}",
    "dict-class": "{{ {}.__class__ }}",
    "subclass-index-globals": ("{{ ''.__class__.__base__.__subclasses__()[100].__init__.__globals__"
                               f"['sys'].modules['os'].system('{SHELL}') }}}}"),
    "self-context": "{{ self._TemplateReference__context.cycler.__init__.__globals__.os }}",
    "self-builtins-import": f"{{{{ self.__init__.__globals__.__builtins__.__import__('os').system('{SHELL}') }}}}",
    "data-class": "{{ case_ref.__class__ }}",
    "data-item-class": "{{ children[0]['__class__'] }}",
    "data-dict-in-loop": "{% for c in children %}{{ c.__dict__ }}{% endfor %}",
    "loop-object": "{% for c in children %}{{ loop.__class__.__init__.__globals__ }}{% endfor %}",
    "config-flask": "{{ config.items() }}",
    "request-flask": "{{ request.application.__globals__.__builtins__ }}",
    "getitem-built-name": "{{ case_ref[('_' * 2) ~ 'class' ~ ('_' * 2)] }}",
    # |attr and attribute-by-name tricks
    "attr-chain": "{{ cycler|attr('__init__')|attr('__globals__') }}",
    "attr-hex-escape": "{{ case_ref|attr('\\x5f\\x5fclass\\x5f\\x5f') }}",
    "attr-joined-name": "{{ case_ref|attr(['_', '_cla', 'ss_', '_']|join) }}",
    "map-attribute-dunder": "{{ children|map(attribute='__class__')|first }}",
    "selectattr-dunder": "{{ children|selectattr('__class__')|list }}",
    "sort-attribute-dunder": "{{ children|sort(attribute='__class__')|first }}",
    "map-attr-filter": "{{ children|map('attr', '__class__')|list }}",
    "mutate-update": "{{ (children|first).update({'given_names': 'x'}) }}",
    "mutate-append": "{% set x = children.append(1) %}{{ x }}",
    "mutate-pop": "{{ children.pop() }}",
    # format-string tricks
    "format-method-class": "{{ '{0.__class__}'.format(case_ref) }}",
    "format-map": "{{ '{a.__class__.__mro__}'.format_map({'a': case_ref}) }}",
    "percent-class": "{{ '%s' % case_ref.__class__ }}",
    "percent-width": "{{ '%999999999d' % 1 }}",
    "format-width": "{{ '{:>999999999}'.format(1) }}",
    "format-filter": "{{ '%999999999s'|format(1) }}",
    # huge repetitions
    "string-times": "{{ 'x' * 999999999 }}",
    "list-times": "{{ [1] * 999999999 }}",
    "power-tower": "{{ 9 ** 9 ** 9 }}",
    "power-big": "{{ 10 ** 100000000 }}",
    "int-multiply-chain": "{{ " + " * ".join(["999999999999999999999999999999"] * 40) + " }}",
    "range-huge": "{{ range(10**9)|list|length }}",
    "range-join": "{{ range(999999999)|join }}",
    "lipsum-huge": "{{ lipsum(99999) }}",
    "center-huge": "{{ case_ref|center(999999999) }}",
    "indent-huge": "{{ case_ref|indent(999999999, true) }}",
    "wordwrap": "{{ case_ref|wordwrap(1) }}",
    "batch-fill": "{{ children|batch(999999999, 'x')|list|length }}",
    "slice-huge": "{{ children|slice(999999999)|list|length }}",
    "replace-grow": "{{ case_ref|replace('', 'yyyyyyyyyyyyyyyyyyyyyyyyyyyyyyyyyyyyyyyy')|replace('', 'yyyyyyyyyyyyyyyy') }}",
    "round-huge": "{{ 5|round(-999999999) }}",
    "set-doubling": doubling(40),
    "namespace-doubling": ("{% set ns = namespace(s='xxxxxxxx') %}{% for i in range(60) %}"
                           "{% set ns.s = ns.s ~ ns.s %}{% endfor %}{{ ns.s|length }}"),
    # nested loops
    "nested-literal-loops": nested(7),
    "nested-literal-loops-big-body": nested(6, "<w:t>" + "x" * 2000 + "</w:t>"),
    "nested-data-loops": "".join(f"{{% for a{i} in current_situation %}}" for i in range(3)) + "x" + "{% endfor %}" * 3,
    "nested-too-deep-to-compile": "".join(f"{{% for a{i} in children %}}" for i in range(40)) + "x" + "{% endfor %}" * 40,
    "nested-range-loops": ("{% for a in range(1000) %}{% for b in range(1000) %}{% for c in range(1000) %}"
                           "{% endfor %}{% endfor %}{% endfor %}"),
    "recursive-loop": "{% for x in [1, 2] recursive %}{{ loop([1, 2]) }}{% endfor %}",
    "macro-recursion": "{% macro f(n) %}{{ f(n) }}{{ f(n) }}{% endmacro %}{{ f(1) }}",
    "loop-filter-generator": "{% for a in range(1000)|map('string') %}{% for b in range(1000)|select %}{% endfor %}{% endfor %}",
    # escaping switched off, raw markup, other files
    "autoescape-off": "{% autoescape false %}{{ case_ref }}{% endautoescape %}",
    "safe-filter": "{{ case_ref|safe }}",
    "tojson-markup": "{{ case_ref|tojson }}",
    "xmlattr-markup": "{{ {'a': case_ref}|xmlattr }}",
    "include": "{% include 'x' %}",
    "extends": "{% extends 'x' %}",
    "import": "{% import 'x' as y %}",
}


def make_docx(text: str) -> bytes:
    doc = Document()
    doc.add_paragraph("Alku")
    doc.add_paragraph(text)
    out = io.BytesIO()
    doc.save(out)
    return out.getvalue()


@pytest.fixture(scope="module")
def context():
    return SUMMARY.context(validate(SUMMARY, load_example("summary")))


@pytest.fixture(scope="module", autouse=True)
def canary_never_appears():
    yield
    assert not CANARY.exists(), "a template payload ran a shell command"


@pytest.mark.parametrize("name", sorted(PAYLOADS))
def test_payload_is_refused_at_load_or_cut_off_when_rendered(name, context):
    started = time.perf_counter()
    try:
        template = load_template("attack.docx", make_docx(PAYLOADS[name]), SUMMARY.fields, CONTEXT_EXTRAS)
    except TemplateInvalid:
        outcome = "refused at load"
    else:
        with pytest.raises(RenderFailed):
            render(template, context)
        outcome = "cut off"
    assert outcome
    assert time.perf_counter() - started < sandbox.MAX_SECONDS + 3


# How the bare sandbox may stop a payload: a Jinja error (SecurityError, BudgetExceeded,
# UndefinedError, unknown filter), Python's own limits on recursion and block nesting, the
# refusal to print a whole list (FormatError), or having no loader for include/import/extends.
STOPPED = (TemplateError, RecursionError, SyntaxError, FormatError)


@pytest.mark.parametrize("name", sorted(PAYLOADS))
def test_payload_is_stopped_by_the_sandbox_alone(name, context):
    # No load-time check here: the runtime layer has to hold on its own.
    started = time.perf_counter()
    with pytest.raises(Exception) as info:
        with render_budget():
            ENV.from_string(PAYLOADS[name]).render(context)
    exc = info.value
    assert isinstance(exc, STOPPED) or (isinstance(exc, TypeError) and "no loader" in str(exc)), repr(exc)
    assert time.perf_counter() - started < sandbox.MAX_SECONDS + 3


def test_every_payload_is_counted():
    # The report quotes this number; the corpus must not shrink by accident.
    assert len(PAYLOADS) >= 60


def test_the_budget_is_what_stops_loops_not_something_else(context):
    # A budget that never fires would let the "cut off" tests pass for other reasons.
    with pytest.raises(BudgetExceeded, match="iterations"):
        with render_budget():
            ENV.from_string(nested(7)).render(context)
    with pytest.raises(BudgetExceeded, match="output"):
        with render_budget():
            ENV.from_string(nested(4, "x" * 4000)).render(context)
    with render_budget():  # one level less is fine: 10,000 iterations, 40 MB less output
        assert ENV.from_string(nested(3, "x")).render(context) == "x" * 1000


def test_joining_two_texts_is_capped_at_the_value_limit():
    half = "x" * (sandbox.MAX_VALUE // 2)
    with render_budget():
        assert len(ENV.from_string("{{ a + b }}").render(a=half, b=half)) == sandbox.MAX_VALUE
    with pytest.raises(BudgetExceeded, match="value too large"):
        with render_budget():
            ENV.from_string("{{ a + b }}").render(a=half, b=half + "x")


# --- the budget leaves real documents alone ------------------------------------------------------

@pytest.mark.parametrize("language", ["fi", "sv", "en"])
@pytest.mark.parametrize("type_id", TYPE_IDS)
def test_the_largest_valid_case_renders_within_the_budget(type_id, language):
    # The same case the template checker renders at upload (service/wordtemplates/largest.py).
    doc_type = DOCUMENT_TYPES[type_id]
    data = validate(doc_type, largest(doc_type, language))
    from service.wordtemplates.store import TemplateStore

    template = TemplateStore().get(doc_type, language)
    content = render(template, doc_type.contexts(data)[0])  # a letter type: the first letter
    example = render(template, doc_type.contexts(validate(doc_type, doc_type.example(language)))[0])
    assert len(all_text(content)) > len(all_text(example)) * 3


# --- data-dependent bombs --------------------------------------------------------------------------
# A template whose output grows with the data: harmless with the example case, over the budget
# with the largest case the schemas accept. A text for each of 30 × 30 list entries, in one paragraph.
GROWS = "{% for a in concerns %}{% for b in strengths %}{{ lead_in }}{% endfor %}{% endfor %}"
# The same, printed only for one case reference: the checker's dry runs never see it.
GATED_REF = "LNP-POMMI-1"
GATED = '{% if case_ref == "' + GATED_REF + '" %}' + GROWS + "{% endif %}"


class NoConversion:
    """A converter that must never be reached."""

    retry_after = 1

    def convert(self, *args):
        raise AssertionError("a document over the render budget reached LibreOffice")


def test_the_checker_renders_the_largest_case_and_refuses_a_template_that_grows_past_the_budget():
    report = check(make_docx(GROWS), SUMMARY)
    errors = [f for f in report.findings if f.severity == "virhe"]
    assert not report.ok and len(errors) == len(SUMMARY.renditions), [str(f) for f in report.findings]
    for error, rendition in zip(errors, SUMMARY.renditions):
        assert "Asiakirjasta tulisi liian suuri, kun kaikki luettelot ovat täynnä" in error.message
        assert f"({rendition}: BudgetExceeded: paragraph too long)" in error.message
    # the example case alone renders: it is the largest case that is refused
    template = load_template("grows.docx", make_docx(GROWS), SUMMARY.fields, CONTEXT_EXTRAS)
    render(template, SUMMARY.context(validate(SUMMARY, load_example("summary"))))


def test_a_value_gated_bomb_passes_the_checker_but_is_refused_at_render_before_libreoffice():
    from service.wordtemplates.store import TemplateStore

    data = make_docx(GATED)
    assert check(data, SUMMARY).ok  # no dry run has this case reference
    template = load_template("gated.docx", data, SUMMARY.fields, CONTEXT_EXTRAS)
    payload = largest(SUMMARY, "fi")
    payload["case_ref"] = GATED_REF
    with pytest.raises(RenderFailed) as failed:
        render(template, SUMMARY.context(validate(SUMMARY, payload)))
    assert failed.value.over_budget and "paragraph too long" in str(failed.value)
    with pytest.raises(ApiError) as refused:
        produce(TemplateStore(), SUMMARY, payload, output_format="pdf", converter=NoConversion(),  # type: ignore[arg-type]
                template=template, audit=cli_auditor())
    assert refused.value.status == 422
    assert "liian suuri" in str(refused.value.message)


def test_two_million_characters_in_one_paragraph_are_over_budget():
    paragraph = "<w:p><w:r><w:t>{{ text }}</w:t></w:r></w:p>"
    with pytest.raises(BudgetExceeded, match="paragraph too long"):
        with render_budget():
            ENV.from_string("{% for i in range(500) %}" + paragraph[:-6] + "{% endfor %}</w:p>").render(
                text="y" * 4000)
    with render_budget():  # the same text over 500 paragraphs is a long document, not a bomb
        assert ENV.from_string("{% for i in range(500) %}" + paragraph + "{% endfor %}").render(text="y" * 4000)
    assert sandbox.longest_paragraph('<w:p><w:t xml:space="preserve">&amp;&lt;</w:t><w:t>ab</w:t></w:p>') == 4
    assert sandbox.MAX_PARAGRAPH >= 4 * 4000 > sandbox.MAX_PARAGRAPH / 2


# --- hostile values in case data -----------------------------------------------------------------

HOSTILE_TEXT = {
    "xml-close-and-inject": "</w:t></w:r></w:p><w:p><w:r><w:t>injected",
    "xml-entity": '<!DOCTYPE x [<!ENTITY e SYSTEM "file:///etc/passwd">]>&e;',
    "xml-cdata": "<![CDATA[ ]]> ]]>",
    "xml-pi": '<?xml version="1.0"?><?mso-application progid="Word.Document"?>',
    "xml-comment": "<!-- --> -->",
    "jinja-expression": "{{ 7*7 }}",
    "jinja-statement": "{% for x in range(3) %}x{% endfor %}",
    "jinja-traversal": "{{ cycler.__init__.__globals__.os }}",
    "docxtpl-tags": "{%p if true %}{%tr for x in y %}{{r x }}",
    "format-string": "{0.__class__} %s %n",
    "ampersands": "&amp; &lt; &#x0; &#0;",
}
HOSTILE_REFUSED = {
    "nul": "a\u0000b",
    "control-01": "a\u0001b",
    "vertical-tab": "a\u000bb",
    "control-1f": "a\u001fb",
    "noncharacter-fffe": "a\ufffeb",
    "lone-surrogate": "a\ud800b",
    "over-long": "x " * 2001,
}


@pytest.mark.parametrize("name", sorted(HOSTILE_TEXT))
def test_hostile_text_is_escaped_verbatim(client, example, name):
    payload = example("summary")
    payload["current_situation"] = HOSTILE_TEXT[name]
    response = post_json(client, "summary", payload)
    assert response.status_code == 200
    text = all_text(response.data)
    assert HOSTILE_TEXT[name] in text
    assert "injected" not in text.replace(HOSTILE_TEXT[name], "")
    assert "49" not in text.replace(HOSTILE_TEXT[name], "") or name != "jinja-expression"


@pytest.mark.parametrize("name", sorted(HOSTILE_REFUSED))
@pytest.mark.parametrize("field", ["current_situation", "case_ref"])
def test_hostile_text_is_refused_with_422_naming_the_field(client, example, name, field):
    payload = example("summary")
    payload[field] = HOSTILE_REFUSED[name]
    response = post_json(client, "summary", payload)
    assert response.status_code == 422
    body = response.get_data(as_text=True)
    assert any(e["path"] == field for e in response.get_json()["errors"])
    assert HOSTILE_REFUSED[name] not in body


def test_a_one_megabyte_value_is_refused(client, example):
    payload = example("summary")
    payload["current_situation"] = "x" * (1024 * 1024)
    # Over HTTP the size limit answers first (413); through produce() the schema does (422).
    assert post_json(client, "summary", payload).status_code == 413
    with pytest.raises(ApiError) as info:
        validate(SUMMARY, payload)
    assert info.value.status == 422
