"""The Jinja environment templates run in: the immutable sandbox, narrowed, with a render budget.

Two layers stand between a hostile template and the machine. ``templating.analyse`` refuses at
load time everything a document template does not need (calls, assignments, macros, arithmetic
that can grow without bound). This module is the second layer, for whatever reaches rendering
anyway: the immutable sandbox with fewer globals, filters and methods than Jinja's default,
and a budget per document for loop iterations, output size and time, so a template that gets
past the check still cannot run for long or fill memory.
"""

from __future__ import annotations

import datetime as dt
import re
import time
from contextlib import contextmanager
from contextvars import ContextVar

from jinja2 import StrictUndefined, nodes, pass_context
from jinja2.compiler import CodeGenerator
from jinja2.exceptions import SecurityError
from jinja2.sandbox import ImmutableSandboxedEnvironment

from service.rendering import formatting

# Per document. The largest case the schemas accept (service/wordtemplates/largest.py; the
# template checker renders it at upload, tools/render_budget.py measures it) makes at most
# about 1,000 loop iterations, 2.2 M characters of XML (the family plan: every list full, every
# text at its cap) and 4,000 characters in one paragraph (a free text at LONG_MAX). The bounds
# leave about 4× that: enough for a convener's richer layout, too little for a template whose
# output grows with the data (a value-gated loop over long texts) to hold a LibreOffice worker.
MAX_ITERATIONS = 50_000  # loop iterations plus sandboxed calls
MAX_OUTPUT = 8 * 1024 * 1024  # characters of rendered XML, all parts together (largest: 2.2 M)
MAX_SECONDS = 2.0
# Characters of text in one paragraph as Word shows it (entities count one): the longest free
# text (LONG_MAX, 4,000) with its label fits four times over.
MAX_PARAGRAPH = 16 * 1024
MAX_RANGE = 1_000
MAX_VALUE = 1024 * 1024  # characters in one string or items in one list built by a template

LOOP_BUDGET_FILTER = "loop_budget"

# Jinja's own filters that stay: each is bounded by its input. Left out: those whose output
# a constant argument can blow up (center, indent, wordwrap, format, batch, slice, replace, round),
# those that produce markup that is not escaped (safe, tojson, xmlattr, urlize, pprint),
# ``attr`` (names built at run time slip past the load-time check) and ``random``.
JINJA_FILTERS = frozenset({
    "abs", "capitalize", "count", "d", "default", "dictsort", "e", "escape", "first", "float",
    "forceescape", "groupby", "int", "items", "join", "last", "length", "list", "lower", "map",
    "max", "min", "reject", "rejectattr", "reverse", "select", "selectattr", "sort", "string",
    "sum", "title", "trim", "truncate", "unique", "upper", "wordcount",
})

# Methods a template may reach at all; every other callable attribute is refused.
SAFE_METHODS: tuple[tuple[type, frozenset[str]], ...] = (
    (str, frozenset({"capitalize", "endswith", "isalpha", "isdigit", "isspace", "lower", "lstrip",
                     "rstrip", "split", "startswith", "strip", "title", "upper"})),
    (dict, frozenset({"get", "items", "keys", "values"})),
    (dt.date, frozenset({"isoformat", "isoweekday", "weekday"})),
)


class BudgetExceeded(SecurityError):
    """A render went over its budget: too many iterations, too much output or too long."""


class _Budget:
    __slots__ = ("ticks", "output", "deadline", "longest_paragraph")

    def __init__(self):
        self.ticks = MAX_ITERATIONS
        self.output = MAX_OUTPUT
        self.deadline = time.perf_counter() + MAX_SECONDS
        self.longest_paragraph = 0  # for tools/render_budget.py: how close a render came

    @property
    def used_output(self) -> int:
        return MAX_OUTPUT - self.output


_BUDGET: ContextVar[_Budget | None] = ContextVar("lnp_render_budget", default=None)


@contextmanager
def render_budget():
    """One budget for everything rendered inside: ``templating.render`` opens one per document.
    Yields the budget (what is left of it after the render says how much the document used)."""
    budget = _Budget()
    token = _BUDGET.set(budget)
    try:
        yield budget
    finally:
        _BUDGET.reset(token)


@contextmanager
def outside_budget():
    """The service's own work inside a render (drawing a picture the template prints): its time is
    not the template's, so the deadline moves by it."""
    started = time.perf_counter()
    try:
        yield
    finally:
        budget = _BUDGET.get()
        if budget is not None:
            budget.deadline += time.perf_counter() - started


def _charge(ticks: int) -> None:
    budget = _BUDGET.get()
    if budget is None:  # only reachable through Template.generate/stream, which nothing uses
        raise BudgetExceeded("render outside a budget")
    budget.ticks -= ticks
    if budget.ticks < 0:
        raise BudgetExceeded("too many loop iterations")
    if time.perf_counter() > budget.deadline:
        raise BudgetExceeded("render took too long")


@pass_context  # a context filter is never folded into a constant when the template is compiled
def _loop_budget(_context, iterable):
    """Wrapped around every ``{% for %}`` iterable by the code generator: a sized iterable is
    charged in full before the loop starts, so nested loops cost their product up front."""
    try:
        size = len(iterable)
    except TypeError:
        return _counted(iterable)
    _charge(size + 1)
    return iterable


def _counted(iterable):
    for index, item in enumerate(iterable):
        if not index & 63:
            _charge(64)
        yield item


# The text of one paragraph as Word shows it: runs' text, deleted text and field codes, each
# entity one character; a paragraph ends at </w:p> (a text box's paragraphs count in their own).
_PARAGRAPH_TEXT = re.compile(r"</w:p>|<w:(?:t|delText|instrText)(?:\s[^>]*)?>([^<]*)")
_ENTITY = re.compile(r"&#?\w{1,10};")


def longest_paragraph(xml: str) -> int:
    """The most characters of text in one paragraph of ``xml`` (rendered WordprocessingML)."""
    longest = length = 0
    for match in _PARAGRAPH_TEXT.finditer(xml):
        text = match.group(1)
        if text is None:
            longest, length = max(longest, length), 0
        elif text:
            length += len(text) if "&" not in text else len(_ENTITY.sub("&", text))
    return max(longest, length)


def _range(*args: int) -> range:
    numbers = range(*args)
    if len(numbers) > MAX_RANGE:
        raise BudgetExceeded("range too long")
    _charge(len(numbers))
    return numbers


def _bounded(value):
    if isinstance(value, (str, list, tuple)) and len(value) > MAX_VALUE:
        raise BudgetExceeded("value too large")
    return value


def _small(number):
    if isinstance(number, int) and number.bit_length() > 256:
        raise SecurityError("number out of range")
    return number


def _sized(value) -> int | None:
    return len(value) if isinstance(value, (str, list, tuple)) else None


class _BudgetCodeGenerator(CodeGenerator):
    """Compiles every for-loop iterable through the budget filter and every ``~`` through a size
    check. The AST is changed before code generation starts, so Jinja assigns the filter's
    identifier as it does for any filter the template names itself."""

    def visit_Template(self, node, frame=None):
        for loop in node.find_all(nodes.For):
            loop.iter = nodes.Filter(loop.iter, LOOP_BUDGET_FILTER, [], [], None, None, lineno=loop.lineno)
        super().visit_Template(node, frame)

    def visit_Concat(self, node, frame):
        self.write("environment.bounded(")
        super().visit_Concat(node, frame)
        self.write(")")

    def visit_ScopedEvalContextModifier(self, node, frame):
        self.fail("autoescape cannot be changed", node.lineno)

    visit_EvalContextModifier = visit_ScopedEvalContextModifier


class BudgetedSandbox(ImmutableSandboxedEnvironment):
    code_generator_class = _BudgetCodeGenerator
    # Repetition, powers and %-formatting are checked before Python runs them: they are how a
    # short expression asks for gigabytes or a near-endless big-integer computation.
    intercepted_binops = frozenset({"*", "**", "%", "+", "//"})

    bounded = staticmethod(_bounded)

    def concat(self, chunks) -> str:
        """Template.render joins the output here; the output cap is checked as it grows."""
        if _BUDGET.get() is None:
            with render_budget():
                return self._join(chunks)
        return self._join(chunks)

    @staticmethod
    def _join(chunks) -> str:
        budget = _BUDGET.get()
        if budget is None:  # render() always sets one (render_budget)
            raise BudgetExceeded("no render budget")
        out: list[str] = []
        append = out.append
        left = budget.output
        for count, chunk in enumerate(chunks):
            left -= len(chunk)
            if left < 0:
                raise BudgetExceeded("output too large")
            if not count & 255 and time.perf_counter() > budget.deadline:
                raise BudgetExceeded("render took too long")
            append(chunk)
        budget.output = left
        joined = "".join(out)
        # Only WordprocessingML has paragraphs; a document property is bounded by MAX_OUTPUT.
        longest = longest_paragraph(joined) if "<w:" in joined else 0
        if longest > MAX_PARAGRAPH:
            raise BudgetExceeded("paragraph too long")
        budget.longest_paragraph = max(budget.longest_paragraph, longest)
        return joined

    def call(__self, __context, __obj, *args, **kwargs):  # noqa: N805 - Jinja's own signature
        _charge(1)
        return super().call(__context, __obj, *args, **kwargs)

    def call_binop(self, context, operator, left, right):
        if operator == "%" and isinstance(left, str):
            raise SecurityError("string formatting is not allowed")
        if operator == "**":
            if not (isinstance(left, (int, float)) and isinstance(right, (int, float))) or abs(right) > 64 \
                    or abs(left) > 2 ** 64:
                raise SecurityError("power out of range")
        elif operator == "*":
            for seq, times in ((left, right), (right, left)):
                size = _sized(seq)
                if size is not None and isinstance(times, int) and size * times > MAX_VALUE:
                    raise BudgetExceeded("value too large")
            if isinstance(left, int) and isinstance(right, int) and left.bit_length() + right.bit_length() > 256:
                raise SecurityError("number out of range")
        elif operator == "+":
            left_size, right_size = _sized(left), _sized(right)
            if left_size is not None and right_size is not None and left_size + right_size > MAX_VALUE:
                raise BudgetExceeded("value too large")
        return _small(super().call_binop(context, operator, left, right))

    def wrap_str_format(self, value):
        # Jinja hands str.format a sandboxed formatter before asking is_safe_attribute; here
        # format is simply not among the allowed methods (a width of 10**9 is still a gigabyte).
        return None

    def is_safe_attribute(self, obj, attr, value) -> bool:
        if not super().is_safe_attribute(obj, attr, value):
            return False
        if not callable(value):
            return True
        return any(isinstance(obj, kind) and attr in names for kind, names in SAFE_METHODS)


def make_env(language: str = "fi") -> BudgetedSandbox:
    """The sandbox for templates in ``language``: its filters print that language."""
    env = BudgetedSandbox(
        autoescape=True,
        undefined=StrictUndefined,
        finalize=formatting.finalizer(language),
        keep_trailing_newline=True,
    )
    # ``safe`` and its kin would let a value bypass escaping and inject raw WordprocessingML.
    env.filters = {name: f for name, f in env.filters.items() if name in JINJA_FILTERS}
    env.filters.update(formatting.filters(language))
    env.filters[LOOP_BUDGET_FILTER] = _loop_budget
    # lipsum, cycler, joiner, namespace and dict are gone: namespace is mutable state across
    # iterations (doubling a string per iteration), lipsum makes text of any size.
    env.globals = {"range": _range}
    return env
