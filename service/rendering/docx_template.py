"""Loading, checking and rendering the Word templates.

Templates are untrusted (conveners edit them): they are rendered only in Jinja's immutable
sandbox with autoescape on, and checked against the schema when loaded, so a misspelt field
is an error at load time rather than a blank in a family's document.
"""

from __future__ import annotations

import difflib
import hashlib
import io
import re
from dataclasses import dataclass, field

from docx.opc.constants import RELATIONSHIP_TYPE as RT
from docxtpl import DocxTemplate
from jinja2 import TemplateError, nodes

from schemas.i18n import DEFAULT, LANGUAGES, Msg, translate
from service.fieldtree import Node
from service.rendering import finishing
from service.rendering.engine import NotSupported, PreparedDocx
from service.rendering.formatting import BRACE_GUARD
from service.rendering.pictures import MAX_PICTURES, Collected, Picture, PictureOutOfPlace, collecting, drawing_xml
from service.rendering.sandbox import LOOP_BUDGET_FILTER, BudgetExceeded, make_env, render_budget

# Core properties docxtpl renders as templates (docxtpl.template.render_properties).
PROPERTY_NAMES = ("author", "comments", "identifier", "language", "subject", "title")

# Fields an object-taking filter reads, so that using the filter counts as using the fields.
FILTER_READS = {
    "full_name": ("given_names", "surname"),
    "calling_name": ("given_names", "calling_name", "surname"),
    "address": ("street", "postal_code", "post_office", "country"),
    "date_range": ("start", "end"),
}

MAX_SYNTAX_ERRORS = 20
_TAG_IN_LINE = re.compile(r"\{[{%#].*?[}%#]\}")

FORBIDDEN_STATEMENTS = (nodes.Include, nodes.Import, nodes.FromImport, nodes.Extends)

# The whole language a document template may use: output, fields, filters and tests, if/for,
# comparisons, literals. Anything else is refused when the template is loaded: calls and
# methods (format-string tricks, range, lipsum), assignments and macros (state that grows per
# iteration, recursion), autoescape blocks (would switch escaping off), and the arithmetic that
# a short expression can turn into gigabytes or endless big-integer work (* ** / // %).
ALLOWED_NODES = frozenset({
    nodes.Template, nodes.Output, nodes.TemplateData, nodes.Const, nodes.Name, nodes.Getattr,
    nodes.Getitem, nodes.Slice, nodes.Filter, nodes.Test, nodes.If, nodes.For, nodes.CondExpr,
    nodes.Compare, nodes.Operand, nodes.And, nodes.Or, nodes.Not, nodes.Neg, nodes.Pos, nodes.Add,
    nodes.Sub, nodes.Concat, nodes.List, nodes.Tuple, nodes.Dict, nodes.Pair, nodes.Keyword,
})
# Real templates nest loops one deep; each level multiplies the work of the one inside it, and
# Python refuses to compile code nested about twenty blocks deep.
MAX_LOOP_NESTING = 3
UNDERSCORE = Msg("Alaviivalla alkava nimi «{name}» ei ole sallittu asiakirjapohjassa.")
MAX_BLOCK_NESTING = 10
REFUSED_MESSAGES = {
    nodes.Call: Msg("Funktio- ja metodikutsut eivät ole sallittuja asiakirjapohjassa; käytä suodattimia "
                "(esim. «{{ document_date|date }}»)."),
    nodes.Assign: Msg("Muuttujan asettaminen ({% set %}) ei ole sallittua asiakirjapohjassa."),
    nodes.AssignBlock: Msg("Muuttujan asettaminen ({% set %}) ei ole sallittua asiakirjapohjassa."),
    nodes.With: Msg("{% with %} ei ole sallittu asiakirjapohjassa."),
    nodes.Macro: Msg("Makrot ({% macro %}) eivät ole sallittuja asiakirjapohjassa."),
    nodes.CallBlock: Msg("{% call %} ei ole sallittu asiakirjapohjassa."),
    nodes.FilterBlock: Msg("{% filter %} -lohko ei ole sallittu asiakirjapohjassa."),
    nodes.ScopedEvalContextModifier: Msg("{% autoescape %} ei ole sallittu asiakirjapohjassa: "
                                     "merkit suojataan aina."),
    nodes.Pow: Msg("Laskutoimitus ** ei ole sallittu asiakirjapohjassa."),
    nodes.Mul: Msg("Laskutoimitus * ei ole sallittu asiakirjapohjassa."),
    nodes.Div: Msg("Laskutoimitus / ei ole sallittu asiakirjapohjassa."),
    nodes.FloorDiv: Msg("Laskutoimitus // ei ole sallittu asiakirjapohjassa."),
    nodes.Mod: Msg("Laskutoimitus % (myös merkkijonon muotoilu) ei ole sallittu asiakirjapohjassa."),
}


ENVS = {language: make_env(language) for language in LANGUAGES}
ENV = ENVS[DEFAULT]  # parsing and the load-time check are the same in every language


# Filters that print a value as Python writes it (a list as "['a', 'b']", a date's repr).
RAW_FILTERS = frozenset({"string", "pprint", "list", "dictsort", "items", "tojson"})


@dataclass
class Problem:
    severity: str  # "error" or "warning"
    part: str
    line: int | None
    snippet: str
    message: str

    def __str__(self) -> str:
        where = self.part + (Msg(", kappale {number}").format(number=self.line) if self.line else "")
        snippet = f" «{self.snippet}»" if self.snippet else ""
        return f"{self.severity}: {where}{snippet}: {self.message}"


class TemplateInvalid(Exception):
    def __init__(self, problems: list[Problem]):
        super().__init__("; ".join(str(p) for p in problems))
        self.problems = problems


class RenderFailed(Exception):
    """The template could not be rendered with valid data (a template fault). ``over_budget``: it
    went over the render budget (sandbox.py), named in the message ("BudgetExceeded: output too
    large"); nothing of the case is in it."""

    def __init__(self, error: str, over_budget: bool = False):
        super().__init__(error)
        self.over_budget = over_budget

    @classmethod
    def of(cls, exc: BaseException) -> RenderFailed:
        if isinstance(exc, BudgetExceeded):
            return cls(f"{type(exc).__name__}: {exc}", over_budget=True)
        return cls(type(exc).__name__)


@dataclass
class LoadedTemplate:
    name: str
    data: bytes
    sha256: str
    used_paths: set[str] = field(default_factory=set)
    warnings: list[Problem] = field(default_factory=list)
    prepared: PreparedDocx | None = None  # None: rendered by plain docxtpl
    version: int = 0  # 0 = the built-in template of templates_docx/
    language: str = DEFAULT  # the document language its filters print


def template_parts(docx_bytes: bytes) -> list[tuple[str, str]]:
    """The parts docxtpl renders, after docxtpl's own tag preprocessing, as (name, xml)."""
    tpl = DocxTemplate(io.BytesIO(docx_bytes))
    tpl.init_docx()
    parts = [("body", tpl.patch_xml(tpl.get_xml()))]
    for rel in tpl.docx.part.rels.values():
        if rel.reltype in (RT.HEADER, RT.FOOTER):
            kind = "header" if rel.reltype == RT.HEADER else "footer"
            xml = rel.target_part.blob.decode("utf-8")
            parts.append((f"{kind} ({rel.target_part.partname.split('/')[-1]})", tpl.patch_xml(xml)))
    for part in tpl.docx.part.package.parts:
        if part.content_type.endswith("wordprocessingml.footnotes+xml"):
            parts.append(("footnotes", tpl.patch_xml(part.blob.decode("utf-8"))))
    props = tpl.docx.core_properties
    for name in PROPERTY_NAMES:
        value = getattr(props, name) or ""
        if "{" in value:
            parts.append((Msg("asiakirjan ominaisuus {name}").format(name=name), value))
    return parts


def _paragraph_lines(xml: str) -> str:
    # The same line split docxtpl makes before rendering, so line numbers count paragraphs.
    return re.sub(r"<w:p([ >])", r"\n<w:p\1", xml)


def _snippet(lines: list[str], lineno: int | None) -> str:
    if not lineno or lineno > len(lines):
        return ""
    text = re.sub(r"<[^>]+>", "", lines[lineno - 1]).strip()
    return text[:80]


class _Analyser:
    """Walks a Jinja AST and checks every variable against the schema's field tree."""

    ANY = Node("any")

    def __init__(self, root: Node, part: str, lines: list[str]):
        self.root = root
        self.part = part
        self.lines = lines
        self.problems: list[Problem] = []
        self.used: set[str] = set()

    def problem(self, node, message, severity="error"):
        line = getattr(node, "lineno", None)
        self.problems.append(Problem(severity, self.part, line, _snippet(self.lines, line), translate(message)))

    # --- expressions -------------------------------------------------------------------------
    def expr(self, n, scope) -> tuple[Node, str | None]:
        if isinstance(n, nodes.Name):
            if n.name in scope:
                node, path = scope[n.name]
                if path is not None:
                    self.used.add(path)
                return node, path
            if n.name in self.root.children:
                self.used.add(n.name)
                return self.root.children[n.name], n.name
            if n.name in ENV.globals:
                return self.ANY, None
            self.unknown(n, n.name, self.root.children)
            return self.ANY, None
        if isinstance(n, nodes.Getattr):
            if n.attr.startswith("_"):
                self.problem(n, UNDERSCORE.format(name=n.attr))
            return self.member(self.expr(n.node, scope), n.attr, n)
        if isinstance(n, nodes.Getitem):
            base = self.expr(n.node, scope)
            if isinstance(n.arg, nodes.Const) and isinstance(n.arg.value, str):
                if n.arg.value.startswith("_"):
                    self.problem(n, UNDERSCORE.format(name=n.arg.value))
                return self.member(base, n.arg.value, n)
            self.expr(n.arg, scope)
            node, path = base
            if node.kind == "list":
                return node.each, f"{path}[]"
            return self.ANY, None
        if isinstance(n, (nodes.Filter, nodes.Test)):
            registry, kind = (ENV.filters, "filter") if isinstance(n, nodes.Filter) else (ENV.tests, "test")
            if n.name not in registry or (kind == "filter" and n.name == LOOP_BUDGET_FILTER):
                self.unknown(n, n.name, registry, kind=kind)
            if n.node is not None:
                node, path = self.expr(n.node, scope)
                if n.name in FILTER_READS and node.kind == "object":
                    for child in FILTER_READS[n.name]:
                        if child in node.children:
                            self.used.add(f"{path}.{child}")
            for arg in list(n.args) + [kw.value for kw in n.kwargs]:
                self.expr(arg, scope)
            return self.ANY, None
        for child in n.iter_child_nodes():
            self.expr(child, scope)
        return self.ANY, None

    # --- what a tag prints ------------------------------------------------------------------------
    def peek(self, n, scope) -> Node:
        """The field an expression names, without recording anything (ANY when it is no field)."""
        if isinstance(n, nodes.Name):
            if n.name in scope:
                return scope[n.name][0]
            return self.root.children.get(n.name, self.ANY)
        if isinstance(n, nodes.Getattr):
            base = self.peek(n.node, scope)
            return base.children.get(n.attr, self.ANY) if base.kind == "object" else self.ANY
        if isinstance(n, nodes.Getitem):
            base = self.peek(n.node, scope)
            if base.kind == "list" and not (isinstance(n.arg, nodes.Const) and isinstance(n.arg.value, str)):
                return base.each
            return self.ANY
        return self.ANY

    def printable(self, n, scope) -> None:
        """A tag prints a value: never a function or a method (a memory address in the document),
        nor a whole group or list as Python writes it."""
        if isinstance(n, nodes.Name) and n.name not in scope and n.name not in self.root.children \
                and n.name in ENV.globals:
            self.problem(n, Msg("«{name}» on funktio, ei tulostettava arvo.").format(name=n.name))
        elif isinstance(n, nodes.Getattr) and not n.attr.startswith("_") \
                and self.peek(n.node, scope).kind not in ("object", "any"):  # "_" has its own message
            self.problem(n, Msg("«{name}» on arvon menetelmä, ei tulostettava arvo. Tulosta kenttä itse tai käytä "
                                "suodatinta.").format(name=n.attr))
        elif isinstance(n, nodes.Filter) and n.name in RAW_FILTERS:
            self.problem(n, Msg("Suodatin «{name}» tulostaisi arvon ohjelman sisäisessä muodossa. Tulosta kentät "
                                "tai käytä asiakirjan suodattimia.").format(name=n.name))
        elif self.peek(n, scope).kind in ("object", "list"):
            self.problem(n, Msg("Tagi tulostaisi koko ryhmän tai luettelon ohjelman sisäisessä muodossa. Tulosta "
                                "sen kentät (silmukalla) tai käytä suodatinta."))
        elif self.peek(n, scope).kind == "picture" and self.part != "body":
            self.problem(n, Msg("Kuvan voi sijoittaa vain leipätekstiin, ei ylä- tai alatunnisteeseen."))

    def member(self, base, attr, n):
        node, path = base
        if node.kind == "picture":
            self.problem(n, Msg("Kuvalla ei ole kenttiä: tulosta se sellaisenaan omaan kappaleeseensa."))
            return self.ANY, None
        if node.kind != "object":
            return self.ANY, None
        if attr not in node.children:
            self.unknown(n, attr, node.children, where=path)
            return self.ANY, None
        child_path = f"{path}.{attr}"
        self.used.add(child_path)
        return node.children[attr], child_path

    def unknown(self, n, name, known, where=None, kind="field"):
        close = difflib.get_close_matches(name, list(known), n=1)
        message: str
        if kind == "filter":
            message = Msg("Tuntematon suodatin «{name}».").format(name=name)
        elif kind == "test":
            message = Msg("Tuntematon testi «{name}».").format(name=name)
        elif where:
            message = Msg("Tuntematon kenttä «{name}» kohteessa «{where}».").format(name=name, where=where)
        else:
            message = Msg("Tuntematon kenttä «{name}».").format(name=name)
        if close:
            message += Msg(" Tarkoititko «{name}»?").format(name=close[0])
        self.problem(n, message)

    # --- the language ------------------------------------------------------------------------
    def language(self, ast: nodes.Template) -> None:
        """Report every construct outside ALLOWED_NODES, once per kind and line."""
        seen = set()
        for n in ast.find_all(nodes.Node):
            kind = type(n)
            if kind in ALLOWED_NODES and not (isinstance(n, nodes.For) and n.recursive):
                continue
            if kind in FORBIDDEN_STATEMENTS or (kind, n.lineno) in seen:
                continue  # include/import/extends have their own message from stmt()
            seen.add((kind, n.lineno))
            message: str
            if kind is nodes.For:
                message = Msg("Rekursiivinen silmukka (recursive) ei ole sallittu asiakirjapohjassa.")
            else:
                message = REFUSED_MESSAGES.get(kind) or Msg("Rakenne {kind} ei ole sallittu asiakirjapohjassa.").format(
                    kind=kind.__name__)
            self.problem(n, message)
        self.nesting(ast, 0, 0)

    def nesting(self, n, loops: int, blocks: int) -> None:
        for child in n.iter_child_nodes():
            deeper_loops = loops + isinstance(child, nodes.For)
            deeper_blocks = blocks + isinstance(child, (nodes.For, nodes.If))
            if deeper_loops > MAX_LOOP_NESTING and isinstance(child, nodes.For):
                self.problem(child, Msg("Silmukoita on sisäkkäin yli {max}.").format(max=MAX_LOOP_NESTING))
                continue
            if deeper_blocks > MAX_BLOCK_NESTING and isinstance(child, nodes.If):
                self.problem(child, Msg("Ehtoja ja silmukoita on sisäkkäin yli {max}.").format(max=MAX_BLOCK_NESTING))
                continue
            self.nesting(child, deeper_loops, deeper_blocks)

    # --- statements --------------------------------------------------------------------------
    def bind(self, target, value, scope):
        if isinstance(target, nodes.Name):
            scope[target.name] = value
        elif isinstance(target, (nodes.Tuple, nodes.List)):
            for item in target.items:
                self.bind(item, (self.ANY, None), scope)

    def stmts(self, body, scope):
        for s in body:
            self.stmt(s, scope)

    def stmt(self, s, scope):
        if isinstance(s, FORBIDDEN_STATEMENTS):
            self.problem(s, Msg("include, import ja extends eivät ole sallittuja asiakirjapohjassa."))
        elif isinstance(s, nodes.For):
            node, path = self.expr(s.iter, scope)
            inner = dict(scope)
            item = (node.item, f"{path}[]") if node.kind == "list" else (self.ANY, None)
            self.bind(s.target, item, inner)
            inner["loop"] = (self.ANY, None)
            if s.test is not None:
                self.expr(s.test, inner)
            self.stmts(s.body, inner)
            self.stmts(s.else_, scope)
        elif isinstance(s, nodes.If):
            self.expr(s.test, scope)
            self.stmts(s.body, scope)
            for elif_ in s.elif_:
                self.stmt(elif_, scope)
            self.stmts(s.else_, scope)
        elif isinstance(s, nodes.Output):
            for n in s.nodes:
                if not isinstance(n, nodes.TemplateData):
                    self.printable(n, scope)
                    self.expr(n, scope)
        else:
            for child in s.iter_child_nodes():
                if isinstance(child, nodes.Stmt):
                    self.stmt(child, scope)
                else:
                    self.expr(child, scope)


def analyse(docx_bytes: bytes, root: Node, extra_names: dict[str, Node] | None = None) -> tuple[list[Problem], set[str]]:
    """Check a template against a field tree; return (problems, used leaf paths)."""
    problems: list[Problem] = []
    used: set[str] = set()
    scope_root = Node("object", children={**root.children, **(extra_names or {})})
    try:
        parts = template_parts(docx_bytes)
    except Exception:  # noqa: BLE001 - any parse failure of an uploaded file is the same answer
        return [Problem("error", "tiedosto", None, "", translate(Msg("Tiedosto ei ole luettava Word-asiakirja (.docx).")))], used
    for part, xml in parts:
        source = _paragraph_lines(xml)
        lines = source.split("\n")
        ast = None
        # A syntax error stops Jinja at the first one. To report them all at once, the tags of
        # the failing line are blanked and the part parsed again, a bounded number of times.
        for _ in range(MAX_SYNTAX_ERRORS):
            try:
                ast = ENV.parse(source)
                break
            except TemplateError as exc:
                line = getattr(exc, "lineno", None)
                problems.append(Problem("error", part, line, _snippet(lines, line),
                                        Msg("Jinja-syntaksivirhe: {error}").format(error=exc.message)))
                current = source.split("\n")
                if not line or line > len(current) or not _TAG_IN_LINE.search(current[line - 1]):
                    break
                current[line - 1] = _TAG_IN_LINE.sub("", current[line - 1])
                source = "\n".join(current)
        if ast is None:
            continue
        analyser = _Analyser(scope_root, part, lines)
        analyser.language(ast)
        analyser.stmts(ast.body, {})
        problems.extend(analyser.problems)
        used |= analyser.used
    return problems, used


def load_template(name: str, docx_bytes: bytes, root: Node, extra_names: dict[str, Node] | None = None,
                  language: str = DEFAULT) -> LoadedTemplate:
    env = ENVS[language]
    problems, used = analyse(docx_bytes, root, extra_names)
    errors = [p for p in problems if p.severity == "error"]
    if errors:
        raise TemplateInvalid(errors)
    try:
        prepared = PreparedDocx(docx_bytes, env)
    except NotSupported:
        prepared = None
    except (TemplateError, SyntaxError, RecursionError) as exc:
        # What the check let through but Jinja or Python cannot compile is still the template's fault.
        raise TemplateInvalid([Problem("error", "tiedosto", None, "",
                                       Msg("Asiakirjapohjaa ei voitu kääntää ({error}).").format(
                                           error=type(exc).__name__))]) from None
    return LoadedTemplate(
        name=name,
        data=docx_bytes,
        sha256=hashlib.sha256(docx_bytes).hexdigest(),
        used_paths=used,
        warnings=[p for p in problems if p.severity != "error"],
        prepared=prepared,
        language=language,
    )


def render(template: LoadedTemplate, context: dict) -> bytes:
    """Render in memory with the prepared engine, or plain docxtpl for what it leaves alone,
    all parts of one document under one render budget (sandbox.py)."""
    with render_budget():
        if template.prepared is not None:
            try:
                return template.prepared.render(context)
            except Exception as exc:  # noqa: BLE001 - any failure here is the template's (data is validated)
                raise RenderFailed.of(exc) from None
        return render_docxtpl(template.data, context, template.language)


class _ExactDocxTemplate(DocxTemplate):
    """docxtpl, printing values exactly as sent: braces guarded by the finalizer are put back
    after docxtpl's own brace step, and the document properties are rendered without HTML
    escaping (python-docx escapes them for XML itself)."""

    def render_xml_part(self, src_xml, part, context, jinja_env=None):
        return super().render_xml_part(src_xml, part, context, jinja_env).replace(BRACE_GUARD, "_")

    def render_properties(self, context, jinja_env=None):
        super().render_properties(context, jinja_env.overlay(autoescape=False) if jinja_env else None)
        for name in PROPERTY_NAMES:
            value = getattr(self.docx.core_properties, name)
            if isinstance(value, str) and BRACE_GUARD in value:
                setattr(self.docx.core_properties, name, value.replace(BRACE_GUARD, "_"))


def render_docxtpl(data: bytes, context: dict, language: str = DEFAULT) -> bytes:
    """Plain docxtpl; a fresh DocxTemplate per call so concurrent renders share nothing. A picture
    goes into the part being rendered through python-docx."""
    tpl = _ExactDocxTemplate(io.BytesIO(data))
    placed: list[Picture] = []

    def add(picture: Picture) -> str:
        if len(placed) >= MAX_PICTURES:
            raise PictureOutOfPlace("too many pictures in one document")
        placed.append(picture)
        relationship_id, _image = tpl.current_rendering_part.get_or_add_image(io.BytesIO(picture.drawn().png))
        return drawing_xml(picture, relationship_id, Collected.FIRST_DOCPR + len(placed))

    try:
        tpl.init_docx()
        templated = frozenset(name for name in PROPERTY_NAMES if "{" in (getattr(tpl.docx.core_properties, name) or ""))
        with collecting(add):
            tpl.render(context, jinja_env=ENVS[language])
        out = io.BytesIO()
        tpl.save(out)
        return finishing.finish_package(out.getvalue(), context, templated)
    except Exception as exc:  # noqa: BLE001 - any failure here is the template's (data is validated)
        raise RenderFailed.of(exc) from None
