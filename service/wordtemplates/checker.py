"""The template checker conveners use: every problem at once, each placed in Word terms.

    check(data, doc_type, language="fi") → Report

Order of work: the upload safety checks (nothing is parsed before they pass), repair of tags
that Word split over several runs, the schema check of every variable and statement, required
fields the template never uses, and finally a dry render with the type's example case and
with the largest case the schemas accept (within the render budget).
"""

from __future__ import annotations

import io
import re
import zipfile
from dataclasses import asdict, dataclass, field

from lxml import etree

from schemas.i18n import DEFAULT, Msg, gettext
from service.registry import DocumentType
from service.rendering.docx_template import Problem, RenderFailed, analyse, load_template, render
from service.validation import validate
from service.wordtemplates.largest import largest
from service.wordtemplates.upload_safety import UnsafeTemplate, check_upload

W = "{http://schemas.openxmlformats.org/wordprocessingml/2006/main}"
_TAG_IN_TEXT = re.compile(r"\{[{%#].*?[}%#]\}", re.DOTALL)
_PARSER = etree.XMLParser(resolve_entities=False, no_network=True)

# Severity codes (stable in the JSON report); a report read by a person names them in the
# reader's language (:func:`severity_name`).
ERROR = "virhe"
WARNING = "varoitus"
FIXED = "korjattu"
SEVERITY_NAMES = {ERROR: Msg("virhe"), WARNING: Msg("varoitus"), FIXED: Msg("korjattu")}


def severity_name(code: str) -> str:
    return gettext(SEVERITY_NAMES[code]) if code in SEVERITY_NAMES else code


@dataclass
class Finding:
    severity: str  # virhe / varoitus / korjattu
    location: str  # Word terms: "leipäteksti, kappale 12", "taulukko 1, rivi 2, solu 3", "alatunniste"
    snippet: str
    message: str

    def __str__(self) -> str:
        snippet = f" «{self.snippet}»" if self.snippet else ""
        return f"{severity_name(self.severity)}: {self.location}{snippet}: {self.message}"


@dataclass
class Report:
    findings: list[Finding] = field(default_factory=list)
    fixed: bytes | None = None  # the template with split tags repaired, when anything was repaired
    used_paths: set[str] = field(default_factory=set)
    refused: bool = False  # the file failed the upload safety checks: never stored

    @property
    def ok(self) -> bool:
        return not any(f.severity == ERROR for f in self.findings)

    def as_dict(self) -> dict:
        return {"ok": self.ok, "findings": [asdict(f) for f in self.findings]}


def check(data: bytes, doc_type: DocumentType, example: dict | None = None, language: str = DEFAULT) -> Report:
    """``language``: the template's language; the dry render uses that language's example case
    (unless ``example`` is given) and prints with that language's filters."""
    report = Report()
    try:
        check_upload(data)
    except UnsafeTemplate as exc:
        report.findings = [Finding(ERROR, gettext("tiedosto"), "", m) for m in exc.messages]
        report.refused = True
        return report

    data, repairs = repair_split_tags(data)
    report.findings += repairs
    if repairs:
        report.fixed = data

    problems, used = analyse(data, doc_type.template_fields, doc_type.context_names)
    used = doc_type.fields_used(used)
    report.used_paths = used
    places = _Places(data)
    report.findings += places.unclosed_tags()
    report.findings += [places.finding(p) for p in problems]

    for path, _node, label in _required_leaves(doc_type.template_fields):
        if path not in used:
            report.findings.append(Finding(
                WARNING, gettext("koko asiakirja"), "",
                Msg("Pakollista kenttää «{path}» ({label}) ei käytetä asiakirjapohjassa.").format(
                    path=path, label=gettext(label))))
    if report.ok:
        report.findings += _dry_render(data, doc_type,
                                      example if example is not None else doc_type.example(language), language)
    return report


def _dry_render(data: bytes, doc_type: DocumentType, example: dict, language: str = DEFAULT) -> list[Finding]:
    """Render the example case, then the largest case the schemas accept (largest.py): a template
    whose output grows with the data past the render budget is refused here, at upload, rather
    than on the day a real case is that large."""
    template = load_template(doc_type.template(language), data, doc_type.template_fields, doc_type.context_names,
                             language=language)
    findings = []
    for rendition in doc_type.renditions:
        try:
            for context in doc_type.contexts(validate(doc_type, example, rendition), rendition):
                render(template, context)
        except RenderFailed as exc:
            findings.append(Finding(ERROR, gettext("koko asiakirja"), "",
                                    Msg("Koetäyttö esimerkkitapauksella epäonnistui ({rendition}: {error}). "
                                        "Tarkista ehto- ja toistorakenteet.").format(rendition=rendition, error=exc)))
    if findings:
        return findings
    biggest = largest(doc_type, language)
    for rendition in doc_type.renditions:
        try:
            for context in doc_type.contexts(validate(doc_type, biggest, rendition), rendition):
                render(template, context)
        except RenderFailed as exc:
            findings.append(Finding(ERROR, gettext("koko asiakirja"), "", (
                Msg("Asiakirjasta tulisi liian suuri, kun kaikki luettelot ovat täynnä ja kaikki tekstit "
                    "enimmäispituisia ({rendition}: {error}). Vähennä sisäkkäisiä toistoja ja toistettavaa "
                    "tekstiä.") if exc.over_budget else
                Msg("Koetäyttö suurimmalla sallitulla tapauksella epäonnistui ({rendition}: {error}). "
                    "Tarkista ehto- ja toistorakenteet.")).format(rendition=rendition, error=exc)))
    return findings


def _required_leaves(node, path="", required=True, label=""):
    if node.kind == "object":
        for name, child in node.children.items():
            yield from _required_leaves(child, f"{path}.{name}" if path else name, required and child.required,
                                        child.label)
    elif node.kind == "list":
        yield from _required_leaves(node.item, f"{path}[]", required, node.item.label or node.label)
    elif required:
        yield path, node, label


# --- split tags ------------------------------------------------------------------------------

def _templated_parts(names):
    return [n for n in names if re.fullmatch(r"word/(document|header\d*|footer\d*|footnotes|endnotes)\.xml", n)]


def repair_split_tags(data: bytes) -> tuple[bytes, list[Finding]]:
    """Move every Jinja tag that Word split over several runs into the run where it starts.

    The tag prints with that run's formatting anyway, so nothing visible changes; the stored
    template then has clean tags that a later editor can find and change as one piece.
    """
    findings: list[Finding] = []
    replaced: dict[str, bytes] = {}
    with zipfile.ZipFile(io.BytesIO(data)) as package:
        headings = heading_styles(package)
        for name in _templated_parts(package.namelist()):
            root = etree.fromstring(package.read(name), _PARSER)
            locations = _paragraph_locations(root, name, headings)
            changed = False
            for paragraph in root.iter(W + "p"):
                for tag in _repair_paragraph(paragraph):
                    changed = True
                    findings.append(Finding(FIXED, locations.get(paragraph, _part_label(name)),
                                            excerpt(_paragraph_text(paragraph), tag),
                                            gettext("Word oli jakanut tagin useaan osaan; osat yhdistettiin.")))
            if changed:
                replaced[name] = etree.tostring(root, xml_declaration=True, encoding="UTF-8", standalone=True)
        if not replaced:
            return data, findings
        out = io.BytesIO()
        with zipfile.ZipFile(out, "w", zipfile.ZIP_DEFLATED) as target:
            for info in package.infolist():
                target.writestr(info, replaced.get(info.filename, package.read(info)))
    return out.getvalue(), findings


def _repair_paragraph(paragraph) -> list[str]:
    texts = [t for t in paragraph.iter(W + "t") if _owning_paragraph(t) is paragraph]
    if len(texts) < 2:
        return []
    owner: list[int] = []
    chars: list[str] = []
    for index, t in enumerate(texts):
        chars.extend(t.text or "")
        owner.extend([index] * len(t.text or ""))
    joined = "".join(chars)
    repaired = []
    for match in _TAG_IN_TEXT.finditer(joined):
        start, end = match.span()
        if len(set(owner[start:end])) > 1:
            owner[start:end] = [owner[start]] * (end - start)
            repaired.append(match.group())
    if not repaired:
        return []
    new_texts: list[list[str]] = [[] for _ in texts]
    for char, index in zip(chars, owner):
        new_texts[index].append(char)
    for t, parts in zip(texts, new_texts):
        value = "".join(parts)
        if value != (t.text or ""):
            t.text = value
            t.set("{http://www.w3.org/XML/1998/namespace}space", "preserve")
            run = t.getparent()
            if not value and run.tag == W + "r" and all(c.tag in (W + "rPr", W + "t") for c in run):
                run.getparent().remove(run)
    return repaired


def _owning_paragraph(element):
    parent = element.getparent()
    while parent is not None and parent.tag != W + "p":
        parent = parent.getparent()
    return parent


# --- Word locations --------------------------------------------------------------------------

def _part_label(name: str) -> str:
    """A part of the package in Word terms, in the reader's language."""
    base = name.rsplit("/", 1)[-1]
    if base.startswith("header"):
        return Msg("ylätunniste ({part})").format(part=base)
    if base.startswith("footer"):
        return Msg("alatunniste ({part})").format(part=base)
    if base.startswith("footnotes"):
        return gettext("alaviitteet")
    if base.startswith("endnotes"):
        return gettext("loppuviitteet")
    return gettext("leipäteksti")


def heading_styles(package: zipfile.ZipFile) -> set[str]:
    """The ids of the paragraph styles that are headings: Word's built-in Heading 1-9 and Title
    (their names are English whatever the language of Word), any style with an outline level,
    and styles based on these."""
    try:
        root = etree.fromstring(package.read("word/styles.xml"), _PARSER)
    except KeyError:
        return set()
    based_on, found = {}, set()
    for style in root.iter(W + "style"):
        if style.get(W + "type") != "paragraph":
            continue
        style_id = style.get(W + "styleId")
        name = style.find(W + "name")
        parent = style.find(W + "basedOn")
        if parent is not None:
            based_on[style_id] = parent.get(W + "val")
        named = (name.get(W + "val") or "") if name is not None else ""
        if re.fullmatch(r"heading [1-9]|title", named, re.IGNORECASE) or style.find(f"{W}pPr/{W}outlineLvl") is not None:
            found.add(style_id)
    for style_id, parent in based_on.items():
        for _ in range(5):
            if parent in found:
                found.add(style_id)
                break
            parent = based_on.get(parent)
    return found


def _paragraph_text(paragraph) -> str:
    return "".join(t.text or "" for t in paragraph.iter(W + "t"))


def _is_heading(paragraph, headings: frozenset[str] | set[str]) -> bool:
    style = paragraph.find(f"{W}pPr/{W}pStyle")
    return (style is not None and style.get(W + "val") in headings) or \
        paragraph.find(f"{W}pPr/{W}outlineLvl") is not None


def _paragraph_locations(root, name: str, headings: frozenset[str] | set[str] = frozenset()) -> dict:
    """Each paragraph placed as a convener finds it in Word: under the heading above it, and its
    place there ("leipäteksti, otsikon «Reunaehdot» alla, kappale 2"; "otsikon «Lapset» alla,
    taulukko 1, rivi 2, solu 3"); before the first heading from the start ("leipäteksti,
    kappale 3")."""
    label = _part_label(name)
    body = _problem_part_key(name) == "body"
    locations: dict[object, str] = {}
    tables = {t: i for i, t in enumerate(root.iter(W + "tbl"), start=1)}
    number, heading = 0, ""
    for paragraph in root.iter(W + "p"):
        cell = next((a for a in paragraph.iterancestors(W + "tc")), None)
        if cell is None:
            text = _paragraph_text(paragraph).strip()
            if text and _is_heading(paragraph, headings):
                heading, number = text[:60], 0
                locations[paragraph] = Msg("{part}, otsikko «{heading}»").format(part=label, heading=heading)
                continue
            number += 1
            locations[paragraph] = (Msg("{part}, otsikon «{heading}» alla, kappale {number}").format(
                part=label, heading=heading, number=number) if heading else
                Msg("{part}, kappale {number}").format(part=label, number=number))
            continue
        row = cell.getparent()
        table = row.getparent()
        rows = [r for r in table if r.tag == W + "tr"]
        cells = [c for c in row if c.tag == W + "tc"]
        where = Msg("taulukko {table}, rivi {row}, solu {cell}").format(
            table=tables[table], row=rows.index(row) + 1, cell=cells.index(cell) + 1)
        if heading:
            where = Msg("otsikon «{heading}» alla, {place}").format(heading=heading, place=where)
        locations[paragraph] = where if body else f"{label}, {where}"
    return locations


EXCERPT = 80


def excerpt(text: str, tag: str = "") -> str:
    """About 80 characters of a paragraph's text centred on ``tag``, cut between words, with "…"
    where the paragraph goes on: the faulty tag with the words around it."""
    text, tag = " ".join(text.split()), " ".join(tag.split())
    if len(text) <= EXCERPT:
        return text
    at = text.find(tag) if tag else -1
    if at < 0:
        at, tag = 0, ""
    start = at if len(tag) >= EXCERPT else max(0, min(at + len(tag) // 2 - EXCERPT // 2, len(text) - EXCERPT))
    end = min(len(text), max(start + EXCERPT, at + len(tag)))
    if start > 0:  # from the start of a word, never into the tag
        space = text.find(" ", start, at)
        start = space + 1 if space != -1 else start
    if end < len(text):
        space = text.rfind(" ", at + len(tag), end)
        end = space if space != -1 else end
    return ("…" if start > 0 else "") + text[start:end] + ("…" if end < len(text) else "")


def _normalise(text: str) -> str:
    text = re.sub(r"\{([{%])\s*(?:p|tr|tc|r)\s", r"{\1 ", text)
    return re.sub(r"\s+", "", text)


class _Places:
    """Finds the Word paragraph behind a problem reported on the preprocessed template."""

    def __init__(self, data: bytes):
        self.parts: dict[str, list[tuple[str, str]]] = {}
        with zipfile.ZipFile(io.BytesIO(data)) as package:
            headings = heading_styles(package)
            for name in _templated_parts(package.namelist()):
                root = etree.fromstring(package.read(name), _PARSER)
                locations = _paragraph_locations(root, name, headings)
                texts = [(locations[p], _paragraph_text(p)) for p in root.iter(W + "p")]
                self.parts[_problem_part_key(name)] = texts

    def unclosed_tags(self) -> list[Finding]:
        """A tag left open in its paragraph: docxtpl would read on into the following
        paragraphs and silently swallow them, so this is an error of its own."""
        findings = []
        for paragraphs in self.parts.values():
            for location, text in paragraphs:
                rest = _TAG_IN_TEXT.sub("", text)
                match = re.search(r"\{[{%#]", rest)
                if match:
                    findings.append(Finding(ERROR, location, excerpt(text, rest[match.start():match.start() + 20]),
                                            Msg("Tagi «{tag}…» ei sulkeudu samassa kappaleessa (puuttuu }}}} tai %}})."
                                                ).format(tag=rest[match.start():match.start() + 20].strip())))
        return findings

    def finding(self, problem: Problem) -> Finding:
        paragraphs = self.parts.get(_problem_key(problem.part), [])
        needle = _normalise(problem.snippet)
        names = re.findall(r"«([^»]+)»", problem.message)
        candidates = []
        if needle:
            # the paragraph whose text holds the reported line; failing that, a paragraph with a
            # tag whose whole text is in it (a heading's few words would match any line)
            candidates = [(loc, text) for loc, text in paragraphs if needle in _normalise(text)]
            candidates = candidates or [(loc, text) for loc, text in paragraphs
                                        if "{" in text and _normalise(text) and _normalise(text) in needle]
        if not candidates and names:
            candidates = [(loc, text) for loc, text in paragraphs if names[0] in text]
        if candidates:
            # several paragraphs may show the same text: the line number orders them
            index = min(len(candidates) - 1, 0)
            location, text = candidates[index]
            return Finding(ERROR if problem.severity == "error" else WARNING, location,
                           excerpt(text, _tag_in(text, problem.snippet, names)), problem.message)
        label = _part_label_from_problem(problem.part)
        line = Msg(", noin kappale {number}").format(number=problem.line - 1) \
            if problem.line and problem.line > 1 else ""
        return Finding(ERROR if problem.severity == "error" else WARNING, label + line, problem.snippet,
                       problem.message)


def _tag_in(text: str, snippet: str, names: list[str]) -> str:
    """The tag of ``text`` a problem is about: the one reported, else the first naming the field
    the message names, else the first tag."""
    tags = [m.group() for m in _TAG_IN_TEXT.finditer(text)]
    needle = _normalise(snippet)
    for tag in tags:
        if needle and (needle in _normalise(tag) or _normalise(tag) in needle):
            return tag
    for tag in tags:
        if names and names[0] in tag:
            return tag
    return tags[0] if tags else snippet


def _problem_part_key(name: str) -> str:
    base = name.rsplit("/", 1)[-1]
    return "body" if base == "document.xml" else base


def _problem_key(part: str) -> str:
    # templating.Problem.part: "body", "header (header1.xml)", "footer (footer2.xml)", "footnotes"
    match = re.search(r"\(([^)]+)\)", part)
    if match:
        return match.group(1)
    return "footnotes.xml" if part == "footnotes" else part


def _part_label_from_problem(part: str) -> str:
    if part == "body":
        return gettext("leipäteksti")
    if part == "footnotes":
        return gettext("alaviitteet")
    match = re.search(r"\(([^)]+)\)", part)
    return _part_label(match.group(1)) if match else gettext(part)
