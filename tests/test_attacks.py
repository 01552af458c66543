"""Attack tests: server-side template injection in templates, hostile values in case data.

Every template payload goes through both layers on its own:
- ``load_template`` (the load-time check, then a render if it loads): refused at load or cut off
  while rendering, never a document;
- the bare sandbox (``ENV.from_string``, no load-time check): stopped by the sandbox or the
  render budget with a Jinja error, within the time budget.
Payloads that would run a shell command touch a canary file; it must never appear.
"""

from __future__ import annotations

import copy
import io
import time
import uuid
from pathlib import Path

import pytest
from docx import Document
from jinja2 import TemplateError
from marshmallow import fields as mm_fields
from marshmallow import validate as mm_validate

from service.problems import ApiError
from service.registry import CONTEXT_EXTRAS, DOCUMENT_TYPES
from service.rendering import sandbox
from service.rendering.docx_template import ENV, RenderFailed, TemplateInvalid, load_template, render
from service.rendering.formatting import FormatError
from service.rendering.sandbox import BudgetExceeded, render_budget
from service.validation import validate
from tests.conftest import TYPE_IDS, load_example, post_json
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

def _largest(schema, data):
    """``data`` with every list filled to its maximum length with copies of its first item and
    every string at its maximum length, where the schema's validators say what that is."""
    for name, fld in schema.fields.items():
        if name not in data or data[name] is None:
            continue
        data[name] = _largest_value(fld, data[name])
    return data


def _max_length(fld):
    for v in fld.validators:
        if isinstance(v, mm_validate.Length) and v.max is not None:
            return v.max
    return None


def _largest_value(fld, value):
    if isinstance(fld, mm_fields.Nested):
        return _largest(fld.schema, value)
    if isinstance(fld, mm_fields.List) and value:
        limit = _max_length(fld) or len(value)
        items = [_largest_value(fld.inner, copy.deepcopy(value[i % len(value)])) for i in range(limit)]
        return items
    if isinstance(value, str) and fld.validators and getattr(fld, "metadata", {}).get("x-long-text", True):
        limit = _max_length(fld)
        if limit and limit > 200 and " " in value:
            return (value + " ") * (limit // (len(value) + 1)) or value
    return value


# A list whose entries are matched one to one with another list's (the plan: a view per child, a
# check per bottom line): kept as in the example together with the list it is matched with.
MATCHED_LISTS = {"child_views": ("children",), "bottom_lines_check": ("must_include", "not_acceptable")}


@pytest.mark.parametrize("type_id", TYPE_IDS)
def test_the_largest_valid_case_renders_within_the_budget(type_id):
    doc_type = DOCUMENT_TYPES[type_id]
    payload = _largest(doc_type.schema(), load_example(type_id))
    try:
        data = validate(doc_type, payload)
    except ApiError as exc:  # lists whose items must differ (ids): keep those as in the example
        bad = {e["path"].split("[")[0].split(".")[0] for e in exc.errors}
        bad |= {other for key in bad for other in MATCHED_LISTS.get(key, ())}
        example = load_example(type_id)
        payload = {k: (example[k] if k in bad else v) for k, v in payload.items()}
        data = validate(doc_type, payload)
    from service.wordtemplates.store import TemplateStore

    template = TemplateStore().get(doc_type)
    content = render(template, doc_type.context(data))
    assert len(all_text(content)) > len(all_text(render(template, doc_type.context(validate(doc_type, load_example(type_id)))))) * 3


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
