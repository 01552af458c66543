#!/usr/bin/env python3
"""(Re)generate the version-0 Word templates in templates_docx/<language>/ (fi, sv, en).

    .venv/bin/python tools/build_templates.py            # build all four types in all languages
    .venv/bin/python tools/build_templates.py summary    # build one type (all languages)
    .venv/bin/python tools/build_templates.py --lang sv  # build one language
    .venv/bin/python tools/build_templates.py --check    # build, then check every template
                                                         # against its schema and the Swedish and
                                                         # English ones against their Finnish twin

The templates are docxtpl templates: plain Jinja tags in ordinary Word text, so conveners can
open them in Word, change the wording and upload them again. Rules kept here:

* every tag sits in ONE run (python-docx writes one run per ``add_run``/``add_paragraph``);
* ``{%p … %}`` tags have a paragraph of their own, ``{%tr … %}`` tags a table row of their own;
* no macros, no content controls, no tags in the core document properties;
* only Word's built-in styles (Title, Subtitle, Heading 1–2, Normal, List Bullet, List Number,
  Table Grid, Header, Footer) plus three small helper styles for table text (Finnish style ids,
  names in the template's language).

Each type is built once per language by the same code: every literal text (and the few column
widths the longer Swedish and English words need) comes from tools/template_texts.py, so the
Jinja tags, conditions, loops and renditions are identical in the three languages. The Finnish
templates are the source of truth; values are printed only through the service's filters.

The output is byte-for-byte reproducible (fixed zip timestamps and core properties), so
rebuilding without changes gives the same template hash.
"""

from __future__ import annotations

import argparse
import copy
import datetime as dt
import io
import re
import sys
import zipfile
from dataclasses import dataclass, field
from pathlib import Path

from docx import Document
from docx.enum.section import WD_ORIENT
from docx.enum.style import WD_STYLE_TYPE
from docx.enum.table import WD_TABLE_ALIGNMENT
from docx.enum.text import WD_ALIGN_PARAGRAPH, WD_BREAK
from docx.oxml import OxmlElement, parse_xml
from docx.opc.constants import RELATIONSHIP_TYPE as RT
from docx.oxml.ns import nsdecls, qn
from docx.shared import Cm, Pt, RGBColor

ROOT = Path(__file__).resolve().parent.parent
OUT_ROOT = ROOT / "templates_docx"

sys.path.insert(0, str(Path(__file__).resolve().parent))
from template_texts import LANGUAGES, LOCALES, TEXTS, WIDTHS  # noqa: E402

# --- house style ----------------------------------------------------------------------------

FONT = "Arial"  # Liberation Sans on Linux has the same metrics
BLUE = RGBColor(0x00, 0x00, 0xBF)  # Helsinki brand blue ("Bussi")
DARK = RGBColor(0x1A, 0x1A, 0x1A)
GREY = RGBColor(0x55, 0x55, 0x55)
HEADER_FILL = "DCE3F3"  # table header row
LABEL_FILL = "F1F3F8"  # label column of key–value tables
PAGE_W, PAGE_H = Cm(21.0), Cm(29.7)
MARGIN_LR = Cm(2.0)
TEXT_W = 17.0  # cm between the margins

BUILD_TIME = dt.datetime(2026, 1, 1, 0, 0, 0)

# The helper styles are created under these (Finnish) names, so their style ids are the same in
# every language; the name Word shows is then set from the language's table (style.*).
TABLE_TEXT = "Taulukon teksti"
TABLE_HEAD = "Taulukon otsikko"
SMALL = "Pieni teksti"
HELPER_STYLES = {TABLE_TEXT: "style.table_text", TABLE_HEAD: "style.table_head", SMALL: "style.small"}

NETWORK = 'doc.rendition == "network"'
FAMILY = 'doc.rendition == "family"'


class Lang:
    """One language's texts: ``L["key"]``, ``L.f("key", name=tag)`` and ``L.widths("table")``."""

    def __init__(self, code: str):
        self.code = code
        self.locale = LOCALES[code]
        self._texts = TEXTS[code]

    def __getitem__(self, key: str) -> str:
        return self._texts[key]

    def f(self, key: str, **tags: str) -> str:
        """The text with its ``{name}`` placeholders replaced by Jinja tags."""
        return self._texts[key].format(**tags)

    def widths(self, table: str) -> list[float]:
        return WIDTHS[self.code].get(table, WIDTHS["fi"][table])


# --- paragraph and run specs ----------------------------------------------------------------

@dataclass
class R:
    """A run. ``text`` may hold one Jinja tag (never split a tag over runs)."""

    text: str = ""
    bold: bool = False
    italic: bool = False
    color: RGBColor | None = None
    size: float | None = None
    br: bool = False  # a line break instead of text


@dataclass
class P:
    runs: list[R] = field(default_factory=list)
    style: str | None = None
    align: WD_ALIGN_PARAGRAPH | None = None
    keep_next: bool | None = None
    before: float | None = None
    after: float | None = None
    numbering: int | None = None  # numId override (to restart a numbered list)
    border_bottom: bool = False  # signature line


def p(*parts, **kwargs) -> P:
    """Paragraph from strings (plain runs) and R objects."""
    runs = [part if isinstance(part, R) else R(part) for part in parts]
    return P(runs=runs, **kwargs)


def b(text) -> R:
    return R(text, bold=True)


def i(text) -> R:
    return R(text, italic=True, color=GREY)


def tag(text: str) -> P:
    """A paragraph holding only a ``{%p … %}`` tag (docxtpl removes the whole paragraph)."""
    return P(runs=[R(text, color=GREY)])


# --- low-level XML helpers ------------------------------------------------------------------

def _set(el, name, **attrs):
    """Get or create child ``name`` of ``el`` and set its w: attributes."""
    child = el.find(qn(name))
    if child is None:
        child = OxmlElement(name)
        el.append(child)
    for key, value in attrs.items():
        child.set(qn(f"w:{key}"), str(value))
    return child


def shade(cell, fill):
    tc_pr = cell._tc.get_or_add_tcPr()
    for old in tc_pr.findall(qn("w:shd")):
        tc_pr.remove(old)
    shd = parse_xml(f'<w:shd {nsdecls("w")} w:val="clear" w:color="auto" w:fill="{fill}"/>')
    # schema order: tcW, gridSpan, vMerge, tcBorders, shd, noWrap, tcMar, …, vAlign
    anchor = None
    for name in ("w:noWrap", "w:tcMar", "w:textDirection", "w:tcFitText", "w:vAlign", "w:hideMark"):
        anchor = tc_pr.find(qn(name))
        if anchor is not None:
            break
    if anchor is not None:
        anchor.addprevious(shd)
    else:
        tc_pr.append(shd)


def table_borders(table, *, inner=True, outer=True, top_only=False, color="8C8C8C"):
    tbl_pr = table._tbl.tblPr
    for old in tbl_pr.findall(qn("w:tblBorders")):
        tbl_pr.remove(old)
    def edge(name, on):
        if on:
            return f'<w:{name} w:val="single" w:sz="4" w:space="0" w:color="{color}"/>'
        return f'<w:{name} w:val="nil"/>'
    if top_only:
        spec = {"top": True, "left": False, "bottom": False, "right": False, "insideH": False, "insideV": False}
    else:
        spec = {"top": outer, "left": outer, "bottom": outer, "right": outer, "insideH": inner, "insideV": inner}
    xml = "".join(edge(k, v) for k, v in spec.items())
    borders = parse_xml(f'<w:tblBorders {nsdecls("w")}>{xml}</w:tblBorders>')
    # tblBorders goes after tblW/jc/tblInd and before tblLayout/tblCellMar/tblLook
    anchor = None
    for name in ("w:shd", "w:tblLayout", "w:tblCellMar", "w:tblLook"):
        anchor = tbl_pr.find(qn(name))
        if anchor is not None:
            break
    if anchor is not None:
        anchor.addprevious(borders)
    else:
        tbl_pr.append(borders)


def fix_widths(table, widths_cm):
    """Fixed layout with explicit grid and cell widths (Word and LibreOffice agree then)."""
    table.autofit = False
    tbl = table._tbl
    tbl_pr = tbl.tblPr
    total = sum(widths_cm)
    _set(tbl_pr, "w:tblW", w=int(Cm(total).twips), type="dxa")
    layout = tbl_pr.find(qn("w:tblLayout"))
    if layout is None:
        layout = OxmlElement("w:tblLayout")
        tbl_pr.append(layout)
    layout.set(qn("w:type"), "fixed")
    grid = tbl.tblGrid
    for col, width in zip(grid.findall(qn("w:gridCol")), widths_cm):
        col.set(qn("w:w"), str(int(Cm(width).twips)))
    for row in table.rows:
        for cell, width in zip(row.cells, widths_cm):
            cell.width = Cm(width)
    # tblPr children must be in schema order: tblStyle, …, tblW, jc, …, tblBorders, shd,
    # tblLayout, tblCellMar, tblLook. Re-sort what we touched.
    order = ["tblStyle", "tblpPr", "tblOverlap", "bidiVisual", "tblStyleRowBandSize", "tblStyleColBandSize",
             "tblW", "jc", "tblCellSpacing", "tblInd", "tblBorders", "shd", "tblLayout", "tblCellMar", "tblLook"]
    children = list(tbl_pr)
    children.sort(key=lambda el: order.index(el.tag.split("}")[1]) if el.tag.split("}")[1] in order else 99)
    for el in children:
        tbl_pr.remove(el)
        tbl_pr.append(el)


def cell_margins(table, top=40, bottom=40, left=85, right=85):
    tbl_pr = table._tbl.tblPr
    mar = tbl_pr.find(qn("w:tblCellMar"))
    if mar is None:
        mar = OxmlElement("w:tblCellMar")
        look = tbl_pr.find(qn("w:tblLook"))
        if look is not None:
            look.addprevious(mar)
        else:
            tbl_pr.append(mar)
    for side, value in (("top", top), ("left", left), ("bottom", bottom), ("right", right)):
        _set(mar, f"w:{side}", w=value, type="dxa")


def row_flags(row, *, header=False, cant_split=True):
    tr_pr = row._tr.get_or_add_trPr()
    if cant_split:
        _set(tr_pr, "w:cantSplit")
    if header:
        _set(tr_pr, "w:tblHeader")


def add_field(paragraph, instr: str, placeholder: str = "1", bold=False):
    """A real Word field (PAGE, NUMPAGES) as begin/instr/separate/result/end runs."""
    def run_with(child, text=None):
        run = paragraph.add_run()
        run.bold = bold
        if child is not None:
            run._r.append(child)
        if text is not None:
            run.text = text
        return run
    begin = OxmlElement("w:fldChar"); begin.set(qn("w:fldCharType"), "begin")
    run_with(begin)
    instr_el = OxmlElement("w:instrText"); instr_el.set(qn("xml:space"), "preserve"); instr_el.text = f" {instr} "
    run_with(instr_el)
    sep = OxmlElement("w:fldChar"); sep.set(qn("w:fldCharType"), "separate")
    run_with(sep)
    run_with(None, placeholder)
    end = OxmlElement("w:fldChar"); end.set(qn("w:fldCharType"), "end")
    run_with(end)


def paragraph_border_bottom(paragraph):
    p_pr = paragraph._p.get_or_add_pPr()
    bdr = parse_xml(f'<w:pBdr {nsdecls("w")}><w:bottom w:val="single" w:sz="6" w:space="1" w:color="404040"/></w:pBdr>')
    # pBdr goes after keepNext/keepLines/pageBreakBefore/…/numPr and before shd/tabs/spacing/ind/jc
    anchor = None
    for name in ("w:shd", "w:tabs", "w:suppressAutoHyphens", "w:spacing", "w:ind", "w:contextualSpacing", "w:jc",
                 "w:rPr"):
        anchor = p_pr.find(qn(name))
        if anchor is not None:
            break
    if anchor is not None:
        anchor.addprevious(bdr)
    else:
        p_pr.append(bdr)


def fill_paragraph(par, spec: P):
    if spec.style:
        par.style = spec.style
    fmt = par.paragraph_format
    if spec.align is not None:
        par.alignment = spec.align
    if spec.keep_next is not None:
        fmt.keep_with_next = spec.keep_next
    if spec.before is not None:
        fmt.space_before = Pt(spec.before)
    if spec.after is not None:
        fmt.space_after = Pt(spec.after)
    if spec.numbering is not None:
        num_pr = par._p.get_or_add_pPr().get_or_add_numPr()  # python-docx keeps schema order
        num_pr.get_or_add_ilvl().val = 0
        num_pr.get_or_add_numId().val = spec.numbering
    if spec.border_bottom:
        paragraph_border_bottom(par)
    for r in spec.runs:
        run = par.add_run()
        if r.br:
            run.add_break(WD_BREAK.LINE)
            continue
        run.text = r.text
        if r.bold:
            run.bold = True
        if r.italic:
            run.italic = True
        if r.color is not None:
            run.font.color.rgb = r.color
        if r.size is not None:
            run.font.size = Pt(r.size)
    return par


# --- document builder -----------------------------------------------------------------------

class Builder:
    def __init__(self, L: Lang, *, title: str, header_title: str, subject: str, network_copy: bool):
        self.doc = Document()
        self.L = L
        self.title = title
        self.header_title = header_title
        self.network_copy = network_copy
        self._setup_page()
        self._setup_styles()
        self._setup_numbering()
        self._setup_header_footer()
        self._setup_properties(title, subject)

    # -- setup --------------------------------------------------------------------------------
    def _setup_page(self):
        s = self.doc.sections[0]
        s.orientation = WD_ORIENT.PORTRAIT
        s.page_width, s.page_height = PAGE_W, PAGE_H
        s.left_margin = s.right_margin = MARGIN_LR
        s.top_margin = Cm(2.6)
        s.bottom_margin = Cm(2.2)
        s.header_distance = Cm(1.0)
        s.footer_distance = Cm(1.0)

    def _setup_styles(self):
        styles = self.doc.styles
        # Document defaults: Arial 11 pt, the document's proofing language (fi-FI, sv-FI, en-GB).
        r_pr = styles.element.find(qn("w:docDefaults")).find(qn("w:rPrDefault")).find(qn("w:rPr"))
        fonts = r_pr.find(qn("w:rFonts"))
        for attr in list(fonts.attrib):
            del fonts.attrib[attr]
        for attr in ("ascii", "hAnsi", "cs", "eastAsia"):
            fonts.set(qn(f"w:{attr}"), FONT)
        lang = r_pr.find(qn("w:lang"))
        lang.set(qn("w:val"), self.L.locale)
        lang.set(qn("w:eastAsia"), self.L.locale)
        p_default = styles.element.find(qn("w:docDefaults")).find(qn("w:pPrDefault")).find(qn("w:pPr"))
        p_default.insert(0, OxmlElement("w:widowControl"))
        _set(p_default, "w:spacing", after=120, line=264, lineRule="auto")

        def font(style, size=None, bold=None, italic=None, color=None):
            rpr = style.element.get_or_add_rPr()
            fonts_el = rpr.find(qn("w:rFonts"))
            if fonts_el is not None:
                rpr.remove(fonts_el)
            style.font.name = FONT
            if size is not None:
                style.font.size = Pt(size)
            if bold is not None:
                style.font.bold = bold
            if italic is not None:
                style.font.italic = italic
            if color is not None:
                style.font.color.rgb = color
                c = rpr.find(qn("w:color"))
                for attr in ("themeColor", "themeShade", "themeTint"):
                    c.attrib.pop(qn(f"w:{attr}"), None)

        normal = styles["Normal"]
        font(normal, 11, color=DARK)
        normal.paragraph_format.space_after = Pt(6)
        normal.paragraph_format.line_spacing = 1.1

        title = styles["Title"]
        font(title, 20, bold=True, color=BLUE)
        t_ppr = title.element.pPr
        for old in t_ppr.findall(qn("w:pBdr")):
            t_ppr.remove(old)
        title.paragraph_format.space_before = Pt(0)
        title.paragraph_format.space_after = Pt(2)
        title.paragraph_format.keep_with_next = True
        rpr = title.element.rPr
        for name in ("w:spacing", "w:kern"):
            el = rpr.find(qn(name))
            if el is not None:
                rpr.remove(el)

        sub = styles["Subtitle"]
        font(sub, 12, bold=False, italic=False, color=DARK)
        sub.paragraph_format.space_before = Pt(0)
        sub.paragraph_format.space_after = Pt(10)
        s_rpr = sub.element.rPr
        for name in ("w:spacing", "w:i", "w:iCs"):
            el = s_rpr.find(qn(name))
            if el is not None:
                s_rpr.remove(el)

        h1 = styles["Heading 1"]
        font(h1, 13, bold=True, color=BLUE)
        h1.paragraph_format.space_before = Pt(16)
        h1.paragraph_format.space_after = Pt(5)
        h1.paragraph_format.keep_with_next = True

        h2 = styles["Heading 2"]
        font(h2, 11.5, bold=True, color=DARK)
        h2.paragraph_format.space_before = Pt(10)
        h2.paragraph_format.space_after = Pt(3)
        h2.paragraph_format.keep_with_next = True

        for name in ("List Bullet", "List Number"):
            st = styles[name]
            st.paragraph_format.space_after = Pt(3)
            # Word's default ignores the spacing between list items; we want it.
            for old in st.element.pPr.findall(qn("w:contextualSpacing")):
                st.element.pPr.remove(old)

        for name in ("Header", "Footer"):
            st = styles[name]
            font(st, 8.5, color=DARK)
            st.paragraph_format.space_after = Pt(0)
            st.paragraph_format.line_spacing = 1.0
            ppr = st.element.pPr
            if ppr is not None:
                for old in ppr.findall(qn("w:tabs")):
                    ppr.remove(old)

        tt = styles.add_style(TABLE_TEXT, WD_STYLE_TYPE.PARAGRAPH)
        tt.base_style = normal
        tt.quick_style = True
        font(tt, 9.5)
        tt.paragraph_format.space_before = Pt(1)
        tt.paragraph_format.space_after = Pt(1)
        tt.paragraph_format.line_spacing = 1.0

        th = styles.add_style(TABLE_HEAD, WD_STYLE_TYPE.PARAGRAPH)
        th.base_style = tt
        th.quick_style = True
        font(th, 9.5, bold=True)
        th.paragraph_format.keep_with_next = True

        sm = styles.add_style(SMALL, WD_STYLE_TYPE.PARAGRAPH)
        sm.base_style = normal
        sm.quick_style = True
        font(sm, 9, color=GREY)
        sm.paragraph_format.space_after = Pt(2)
        sm.paragraph_format.line_spacing = 1.0

    def _setup_numbering(self):
        """Own bullet and decimal lists for List Bullet / List Number, plus restart instances."""
        numbering = self.doc.part.numbering_part.element
        # Unlink the template's old list definitions from the two styles.
        for ps in numbering.iter(qn("w:pStyle")):
            if ps.get(qn("w:val")) in ("ListBullet", "ListNumber"):
                ps.getparent().remove(ps)
        bullet = f'''<w:abstractNum {nsdecls("w")} w:abstractNumId="50">
  <w:multiLevelType w:val="singleLevel"/>
  <w:lvl w:ilvl="0"><w:start w:val="1"/><w:numFmt w:val="bullet"/><w:lvlText w:val="•"/><w:lvlJc w:val="left"/>
    <w:pPr><w:ind w:left="397" w:hanging="284"/></w:pPr>
    <w:rPr><w:rFonts w:ascii="{FONT}" w:hAnsi="{FONT}" w:cs="{FONT}"/></w:rPr></w:lvl>
</w:abstractNum>'''
        decimal = f'''<w:abstractNum {nsdecls("w")} w:abstractNumId="51">
  <w:multiLevelType w:val="singleLevel"/>
  <w:lvl w:ilvl="0"><w:start w:val="1"/><w:numFmt w:val="decimal"/><w:lvlText w:val="%1."/><w:lvlJc w:val="left"/>
    <w:pPr><w:ind w:left="454" w:hanging="397"/></w:pPr>
    <w:rPr><w:b/></w:rPr></w:lvl>
</w:abstractNum>'''
        last_abstract = numbering.findall(qn("w:abstractNum"))[-1]
        last_abstract.addnext(parse_xml(decimal))
        last_abstract.addnext(parse_xml(bullet))
        numbering.append(parse_xml(f'<w:num {nsdecls("w")} w:numId="50"><w:abstractNumId w:val="50"/></w:num>'))
        numbering.append(parse_xml(f'<w:num {nsdecls("w")} w:numId="51"><w:abstractNumId w:val="51"/></w:num>'))
        # numId 52: a second decimal list that starts again from 1.
        numbering.append(parse_xml(
            f'<w:num {nsdecls("w")} w:numId="52"><w:abstractNumId w:val="51"/>'
            '<w:lvlOverride w:ilvl="0"><w:startOverride w:val="1"/></w:lvlOverride></w:num>'))
        for name, num_id in (("List Bullet", 50), ("List Number", 51)):
            ppr = self.doc.styles[name].element.pPr
            ppr.find(qn("w:numPr")).find(qn("w:numId")).set(qn("w:val"), str(num_id))

    def _setup_header_footer(self):
        section = self.doc.sections[0]
        # Header: city + document title on the left, confidentiality mark on the right.
        header = section.header
        header.is_linked_to_previous = False
        table = header.add_table(rows=1, cols=2, width=Cm(TEXT_W))
        fix_widths(table, self.L.widths("header"))
        table_borders(table, inner=False, outer=False)
        cell_margins(table, top=0, bottom=0, left=0, right=0)
        left, right = table.rows[0].cells
        left_specs = [p(b(self.L["city"]), style="Header"), p(self.header_title, style="Header")]
        if self.network_copy:
            left_specs += [tag(f"{{%p if {NETWORK} %}}"), p(b(self.L["header.network_copy"]), style="Header"),
                           tag("{%p endif %}")]
        self._fill_cell(left, left_specs, style="Header")
        self._fill_cell(right, [p(b(self.L["confidential"]), style="Header", align=WD_ALIGN_PARAGRAPH.RIGHT)],
                        style="Header")
        # The header must end with a paragraph: move the default empty one below the table
        # and make it a thin rule under the header.
        first = header.paragraphs[0]
        header._element.remove(first._p)
        header._element.append(first._p)
        first.style = "Header"
        first.paragraph_format.space_after = Pt(0)
        paragraph_border_bottom(first)
        run = first.add_run()
        run.font.size = Pt(2)

        footer = section.footer
        footer.is_linked_to_previous = False
        ftable = footer.add_table(rows=1, cols=3, width=Cm(TEXT_W))
        fix_widths(ftable, self.L.widths("footer"))
        table_borders(ftable, top_only=True, color="A0A0A0")
        cell_margins(ftable, top=60, bottom=0, left=0, right=0)
        c1, c2, c3 = ftable.rows[0].cells
        L = self.L
        self._fill_cell(c1, [p(L.f("footer.case_ref", case_ref="{{ case_ref }}"), style="Footer")], style="Footer")
        self._fill_cell(c2, [p(L.f("footer.date", date="{{ document_date|date }}"), "  ·  ",
                               L.f("footer.version", version="{{ version }}"), style="Footer",
                               align=WD_ALIGN_PARAGRAPH.CENTER)], style="Footer")
        page = c3.paragraphs[0]
        page.style = "Footer"
        page.alignment = WD_ALIGN_PARAGRAPH.RIGHT
        page.add_run(L["footer.page"])
        add_field(page, "PAGE")
        page.add_run(L["footer.page_of"])
        add_field(page, "NUMPAGES")
        last = footer.paragraphs[0]
        footer._element.remove(last._p)
        footer._element.append(last._p)
        last.style = "Footer"
        last.add_run().font.size = Pt(2)

    def _setup_properties(self, title, subject):
        cp = self.doc.core_properties
        cp.title = title
        cp.subject = subject
        cp.author = self.L["city"]
        cp.last_modified_by = self.L["city"]
        cp.comments = self.L["props.comments"]
        cp.keywords = self.L["props.keywords"]
        cp.category = self.L["props.category"]
        cp.language = self.L.locale
        cp.revision = 1
        cp.created = BUILD_TIME
        cp.modified = BUILD_TIME
        cp.last_printed = BUILD_TIME

    # -- body ---------------------------------------------------------------------------------
    def add(self, *specs: P):
        for spec in specs:
            fill_paragraph(self.doc.add_paragraph(), spec)

    def tag(self, text):
        self.add(tag(text))

    def title_block(self, title: str, subtitle: str):
        self.add(p(title, style="Title"), p(subtitle, style="Subtitle"))

    def h1(self, text):
        self.add(p(text, style="Heading 1"))

    def h2(self, text):
        self.add(p(text, style="Heading 2"))

    def text(self, *parts, **kwargs):
        self.add(p(*parts, **kwargs))

    def bullets(self, loop: str, *item_parts, after=None):
        self.tag(f"{{%p for {loop} %}}")
        self.add(p(*item_parts, style="List Bullet", after=after))
        self.tag("{%p endfor %}")

    def numbered(self, loop: str, *item_parts, restart=False, after=None):
        self.tag(f"{{%p for {loop} %}}")
        self.add(p(*item_parts, style="List Number", numbering=52 if restart else None, after=after))
        self.tag("{%p endfor %}")

    def _fill_cell(self, cell, specs, style=TABLE_TEXT):
        if not isinstance(specs, list):
            specs = [specs]
        first = True
        for spec in specs:
            if isinstance(spec, str):
                spec = p(spec)
            if spec.style is None:
                spec = copy.copy(spec)
                spec.style = style
            par = cell.paragraphs[0] if first else cell.add_paragraph()
            first = False
            fill_paragraph(par, spec)

    def table(self, widths, header: list[str] | None = None, *, label_col=False, borders=True):
        """A Table Grid table; returns a small helper to add rows."""
        table = self.doc.add_table(rows=0, cols=len(widths))
        table.style = self.doc.styles["Table Grid"]
        table.alignment = WD_TABLE_ALIGNMENT.LEFT
        if not borders:
            table_borders(table, inner=False, outer=False)
        else:
            table_borders(table, color="8C8C8C")
        cell_margins(table)
        helper = _Table(self, table, widths, label_col)
        if header:
            row = table.add_row()
            row_flags(row, header=True)
            for cell, text in zip(row.cells, header):
                shade(cell, HEADER_FILL)
                self._fill_cell(cell, [p(text, style=TABLE_HEAD)])
        return helper

    def spacer(self, size=4):
        """A small paragraph between two tables (Word would otherwise join them)."""
        self.add(P(runs=[], after=0, before=0))
        par = self.doc.paragraphs[-1]
        par.paragraph_format.line_spacing = Pt(size)

    def save(self, path: Path):
        # Word shows the helper styles under the language's own names (renamed only now: the
        # builder finds them by their Finnish names; the style ids stay the same).
        for name, key in HELPER_STYLES.items():
            if self.L[key] != name:
                self.doc.styles[name].name = self.L[key]
        body = self.doc.element.body
        # Word wants the body to end with a paragraph: never finish on a table.
        last = body[-2] if body[-1].tag == qn("w:sectPr") else body[-1]
        if last.tag == qn("w:tbl"):
            self.spacer(2)
        # python-docx's default template carries a thumbnail of an empty page: drop it.
        rels = self.doc.part.package.rels
        for r_id, rel in list(rels.items()):
            if rel.reltype == RT.THUMBNAIL:
                del rels[r_id]
        buffer = io.BytesIO()
        self.doc.save(buffer)
        path.parent.mkdir(parents=True, exist_ok=True)
        path.write_bytes(_reproducible_zip(buffer.getvalue()))


class _Table:
    def __init__(self, builder: Builder, table, widths, label_col):
        self.b = builder
        self.table = table
        self.widths = widths
        self.label_col = label_col

    def row(self, *cells, cant_split=True, spans: list[int] | None = None):
        """Add a row. ``spans`` merges cells: [1, 3] = first cell alone, next three merged."""
        row = self.table.add_row()
        row_flags(row, cant_split=cant_split)
        targets = list(row.cells)
        if spans:
            merged, index = [], 0
            for span in spans:
                start = targets[index]
                if span > 1:
                    start = start.merge(targets[index + span - 1])
                merged.append(start)
                index += span
            targets = merged
        for col, (cell, content) in enumerate(zip(targets, cells)):
            if self.label_col and col % 2 == 0:
                shade(cell, LABEL_FILL)
            self.b._fill_cell(cell, content if content is not None else [p("")])
        return row

    def kv(self, *pairs, spans=None):
        """Key–value row(s) in a label table: kv("Nimi", "{{ x }}", "Puhelin", "{{ y }}")."""
        return self.row(*pairs, spans=spans)

    def tag(self, text):
        """A row holding only a ``{%tr … %}`` tag (docxtpl removes the whole row)."""
        row = self.table.add_row()
        cells = row.cells
        cell = cells[0].merge(cells[-1]) if len(cells) > 1 else cells[0]
        self.b._fill_cell(cell, [tag(text)])
        return row

    def done(self):
        fix_widths(self.table, self.widths)
        return self.table


def _reproducible_zip(data: bytes) -> bytes:
    """Same input → same bytes: fixed timestamps, sorted-as-written order, deflate."""
    src = zipfile.ZipFile(io.BytesIO(data))
    out = io.BytesIO()
    with zipfile.ZipFile(out, "w", zipfile.ZIP_DEFLATED) as dst:
        for info in src.infolist():
            new = zipfile.ZipInfo(info.filename, date_time=(1980, 1, 1, 0, 0, 0))
            new.compress_type = zipfile.ZIP_DEFLATED
            new.external_attr = 0o600 << 16
            dst.writestr(new, src.read(info.filename))
    return out.getvalue()


# --- shared blocks --------------------------------------------------------------------------

def worker_table(bld: Builder, var: str, extra_rows=()):
    """Name, title, unit, organisation, phone and e-mail of a worker in a 4-column label table."""
    L = bld.L
    t = bld.table(L.widths("worker"), label_col=True)
    t.kv(L["worker.name"], f"{{{{ {var}|full_name }}}}", L["worker.title"], f"{{{{ {var}.title }}}}")
    t.kv(L["worker.unit"], f"{{{{ {var}.unit }}}}", L["worker.organisation"], f"{{{{ {var}.organisation }}}}")
    t.kv(L["worker.phone"], f"{{{{ {var}.work_phone }}}}", L["worker.email"], f"{{{{ {var}.work_email }}}}")
    for label, value in extra_rows:
        t.kv(label, value, spans=[1, 3])
    return t.done()


def children_brief_rows(t: _Table):
    """Children as "Elle, 13 v. (syntynyt 7.3.2013)" inside one label cell."""
    L = t.b.L
    t.kv(L["children"], [tag("{%p for c in children %}"),
                         p(b("{{ c.first_name }}"),
                           L.f("children.brief", age="{{ c.birth_date|age(document_date) }}",
                               birth_date="{{ c.birth_date|date }}")),
                         tag("{%p endfor %}")])


def author_rows(t: _Table, label: str):
    L = t.b.L
    t.kv(label, p(b("{{ author|full_name }}"), L.f("author.title", title="{{ author.title }}")))
    t.kv(L["worker.unit"], "{{ author.unit }}, {{ author.organisation }}")
    t.kv(L["author.contact"], "{{ author.work_phone }}, {{ author.work_email }}")


def document_rows(t: _Table):
    L = t.b.L
    t.kv(L["doc.date"], "{{ document_date|date }}")
    t.kv(L["doc.version"], "{{ version }}")
    t.kv(L["doc.language"], "{{ language|label }}")


def copy_marker(bld: Builder):
    """Which copy this is, under the title of the two-rendition documents."""
    L = bld.L
    bld.tag(f"{{%p if {NETWORK} %}}")
    bld.text(R(L["copy.network"], bold=True, color=BLUE), L["copy.network.note"], style=SMALL, after=8)
    bld.tag("{%p else %}")
    bld.text(b(L["copy.family"]), L["copy.family.note"], style=SMALL, after=8)
    bld.tag("{%p endif %}")


def sharing_section(bld: Builder):
    """Jakaminen: review date, approval, and the not-to-be-shared part (family copy only)."""
    L = bld.L
    bld.h1(L["sharing.heading"])
    t = bld.table(L.widths("sharing"), label_col=True)
    t.tag("{%tr if sharing.reviewed_with_family %}")
    t.kv(L["sharing.reviewed"], "{{ sharing.reviewed_with_family|date }}")
    t.tag("{%tr endif %}")
    t.kv(L["sharing.approved"], "{{ sharing.approved_for_network|yes_no }}")
    t.done()
    bld.tag(f"{{%p if {FAMILY} and sharing.not_to_be_shared %}}")
    bld.h2(L["sharing.not_shared"])
    bld.text(i(L["sharing.not_shared.note"]), style=SMALL)
    bld.text("{{ sharing.not_to_be_shared }}")
    bld.tag("{%p endif %}")


def bottom_lines(bld: Builder, heading: str, intro: str):
    L = bld.L
    bld.tag("{%p if must_include or not_acceptable %}")
    bld.h1(heading)
    bld.text(intro)
    bld.tag("{%p if must_include %}")
    bld.h2(L["bottom.must_include"])
    bld.bullets("item in must_include", "{{ item }}")
    bld.tag("{%p endif %}")
    bld.tag("{%p if not_acceptable %}")
    bld.h2(L["bottom.not_acceptable"])
    bld.bullets("item in not_acceptable", "{{ item }}")
    bld.tag("{%p endif %}")
    bld.tag("{%p endif %}")


# --- the four documents ---------------------------------------------------------------------

AGE = "{{ c.birth_date|age(document_date) }}"


def build_mandate_agreement(path: Path, L: Lang):
    bld = Builder(L, title=L["mandate.title"], header_title=L["mandate.header"],
                  subject=L["process"], network_copy=False)
    bld.title_block(L["mandate.title"], L["process"])
    bld.tag("{%p if file_copy %}")
    bld.text(R(L["mandate.file_copy"], bold=True, color=BLUE), L["mandate.file_copy.note"], style=SMALL, after=4)
    bld.tag("{%p endif %}")
    bld.tag("{%p if is_acute %}")
    bld.text(R(L["mandate.acute"], bold=True, color=BLUE), L["mandate.acute.note"], style=SMALL, after=4)
    bld.tag("{%p endif %}")

    t = bld.table(L.widths("mandate.meta"), [L["mandate.meta.place"], L["mandate.meta.date"],
                                             L["mandate.meta.version"], L["mandate.meta.case_ref"],
                                             L["mandate.meta.language"]])
    t.row("{{ place }}", "{{ document_date|date }}", "{{ version }}", "{{ case_ref }}", "{{ language|label }}")
    t.done()

    bld.text(L["mandate.intro"], before=8)

    # Lapset: the identity-code column exists only when some child has one (file copy).
    birth_date_age = L.f("mandate.birth_date_age", birth_date="{{ c.birth_date|date }}", age=AGE)
    bld.h1(L["mandate.children"])
    bld.tag('{%p if file_copy and children|selectattr("hetu")|list %}')
    t = bld.table(L.widths("mandate.children_hetu"),
                  [L["mandate.col.name"], L["mandate.col.calling_name"], L["mandate.col.birth_date"],
                   L["mandate.col.hetu"], L["mandate.col.school"]])
    t.tag("{%tr for c in children %}")
    t.row("{{ c|full_name }}", "{{ c.calling_name }}", birth_date_age, "{{ c.hetu }}",
          "{{ c.school_or_daycare }}")
    t.tag("{%tr endfor %}")
    t.done()
    bld.tag("{%p else %}")
    t = bld.table(L.widths("mandate.children"), [L["mandate.col.name"], L["mandate.col.calling_name"],
                                                 L["mandate.col.birth_date"], L["mandate.col.school"]])
    t.tag("{%tr for c in children %}")
    t.row("{{ c|full_name }}", "{{ c.calling_name }}", birth_date_age, "{{ c.school_or_daycare }}")
    t.tag("{%tr endfor %}")
    t.done()
    bld.tag("{%p endif %}")

    bld.h1(L["mandate.guardians"])
    t = bld.table(L.widths("mandate.guardians"),
                  [L["mandate.col.name"], L["mandate.col.calling_name"], L["mandate.col.relation"],
                   L["mandate.col.is_guardian"], L["mandate.col.language"], L["mandate.col.interpreter"]])
    t.tag("{%tr for g in guardians %}")
    t.row("{{ g|full_name }}", "{{ g.calling_name }}", "{{ g.relation_to_child|label }}",
          "{{ g.is_guardian|yes_no }}", "{{ g.language|language_name }}", "{{ g.interpreter_needed|yes_no }}")
    t.tag("{%tr endfor %}")
    t.done()
    bld.tag('{%p if guardians|selectattr("phone")|list or guardians|selectattr("email")|list '
            'or guardians|selectattr("postal_address")|list %}')
    bld.text(b(L["mandate.contacts"]), before=8, after=3, keep_next=True)
    t = bld.table(L.widths("mandate.contacts"), [L["mandate.col.name"], L["mandate.col.phone"],
                                                 L["mandate.col.email"], L["mandate.col.address"]])
    t.tag("{%tr for g in guardians %}")
    t.row("{{ g|calling_name }}", "{{ g.phone }}", "{{ g.email }}", "{{ g.postal_address|address }}")
    t.tag("{%tr endfor %}")
    t.done()
    bld.tag("{%p endif %}")

    bld.h1(L["mandate.social_worker"])
    worker_table(bld, "social_worker")

    bld.h1(L["mandate.coordinator"])
    bld.tag("{%p if coordinator %}")
    worker_table(bld, "coordinator", extra_rows=[
        (L["mandate.impartiality"],
         L.f("mandate.impartiality.value", confirmed="{{ coordinator.impartiality_confirmed|yes_no }}")),
    ])
    bld.tag("{%p else %}")
    bld.text(L["mandate.coordinator.later"])
    bld.tag("{%p endif %}")

    bld.h1(L["mandate.reason"])
    bld.text("{{ reason }}")

    bld.h1(L["mandate.themes"])
    bld.text(L["mandate.themes.intro"], keep_next=True)
    bld.numbered("theme in themes", "{{ theme }}")

    bld.h1(L["mandate.workers"])
    bld.tag("{%p if participating_workers %}")
    bld.text(L["mandate.workers.intro"], keep_next=True)
    t = bld.table(L.widths("mandate.workers"),
                  [L["mandate.workers.col.name"], L["mandate.workers.col.organisation"],
                   L["mandate.workers.col.contact"], L["mandate.workers.col.contribution"]])
    t.tag("{%tr for w in participating_workers %}")
    t.row([p(b("{{ w|full_name }}")), p("{{ w.title }}")],
          "{{ w.organisation }}",
          p("{{ w.work_phone }}", "{% if w.work_phone and w.work_email %}", R(br=True), "{% endif %}",
            "{{ w.work_email }}"),
          "{{ w.contribution }}")
    t.tag("{%tr endfor %}")
    t.done()
    bld.tag("{%p else %}")
    bld.text(L["mandate.workers.none"])
    bld.tag("{%p endif %}")

    bld.h1(L["mandate.child"])
    t = bld.table(L.widths("mandate.child"), label_col=True)
    t.kv(L["mandate.child.attends"], "{{ child_participation.attends|label }}")
    t.tag("{%tr if child_participation.how %}")
    t.kv(L["mandate.child.how"], "{{ child_participation.how }}")
    t.tag("{%tr endif %}")
    t.kv(L["mandate.child.assistant"], "{{ child_participation.needs_assistant|yes_no }}")
    t.done()

    bld.tag("{%p if accessibility %}")
    bld.h1(L["mandate.access"])
    t = bld.table(L.widths("mandate.access"), label_col=True)
    t.kv(L["mandate.access.language"], "{{ accessibility.meeting_language|language_name }}")
    t.tag("{%tr for x in accessibility.interpreting %}")
    t.kv(L["mandate.access.interpreting"], p("{{ x.language|language_name }}", " – ", "{{ x.for_whom }}"))
    t.tag("{%tr endfor %}")
    t.tag("{%tr if accessibility.needs %}")
    t.kv(L["mandate.access.needs"], "{{ accessibility.needs }}")
    t.tag("{%tr endif %}")
    t.done()
    bld.tag("{%p endif %}")

    bld.tag("{%p if safety_notes %}")
    bld.h1(L["mandate.safety"])
    bld.text(i(L["mandate.safety.note"]), style=SMALL)
    bld.text("{{ safety_notes }}")
    bld.tag("{%p endif %}")

    bld.tag("{%p if target_window %}")
    bld.h1(L["mandate.schedule"])
    bld.text(b(L["mandate.schedule.target"]), "{{ target_window|date_range }}")
    bld.tag("{%p endif %}")

    bld.h1(L["mandate.consent"])
    bld.tag("{%p if consent.to_coordinator and consent.to_network %}")
    bld.text(L["mandate.consent.both"])
    bld.tag("{%p elif consent.to_coordinator %}")
    bld.text(L["mandate.consent.coordinator"])
    bld.tag("{%p elif consent.to_network %}")
    bld.text(L["mandate.consent.network"])
    bld.tag("{%p else %}")
    bld.text(L["mandate.consent.none"])
    bld.tag("{%p endif %}")
    bld.tag("{%p if consent.scope_note %}")
    bld.text(b(L["mandate.consent.scope"]), "{{ consent.scope_note }}")
    bld.tag("{%p endif %}")
    bld.tag("{%p for c in children if c.own_consent is not none %}")
    bld.text(b(L["mandate.consent.child"]),
             L.f("mandate.consent.child.value", name="{{ c|calling_name }}", consent="{{ c.own_consent|yes_no }}"),
             after=3)
    bld.tag("{%p endfor %}")
    bld.text(b(L["mandate.consent.withdraw"]), L["mandate.consent.withdraw.how"], before=4)

    bld.h1(L["mandate.clauses"])
    bld.text(L["mandate.clauses.voluntary"], keep_next=True)
    bld.text(L["mandate.clauses.confidential"], keep_next=True)
    bld.text(L["mandate.clauses.future"])

    bld.h1(L["mandate.signatures"])
    bld.text(L["mandate.signatures.intro"], keep_next=True)
    signature_table(bld)
    bld.save(path)


def signature_table(bld: Builder):
    """One borderless row per signer: a line for place and date, a line for the signature with
    the printed name and role under it. Rows never split across pages."""
    L = bld.L
    t = bld.table(L.widths("signatures"), borders=False)

    def signer(name: str, role: str):
        left = [P(runs=[], style=TABLE_TEXT, before=26, border_bottom=True),
                p(L["sign.place_date"], style=SMALL)]
        right = [P(runs=[], style=TABLE_TEXT, before=26, border_bottom=True),
                 p(b(name), style=TABLE_TEXT), p(role, style=SMALL)]
        t.row(left, [p("")], right, cant_split=True)

    t.tag("{%tr for g in guardians if g.is_guardian %}")
    signer("{{ g|full_name }}", L.f("sign.guardian", relation="{{ g.relation_to_child|label }}"))
    t.tag("{%tr endfor %}")
    t.tag("{%tr for c in children if c.birth_date|age(document_date) >= 12 %}")
    signer("{{ c|full_name }}", L.f("sign.child", age=AGE))
    t.tag("{%tr endfor %}")
    signer("{{ social_worker|full_name }}", L.f("sign.social_worker", unit="{{ social_worker.unit }}"))
    t.tag("{%tr if coordinator %}")
    signer("{{ coordinator|full_name }}", L.f("sign.coordinator", unit="{{ coordinator.unit }}"))
    t.tag("{%tr endif %}")
    t.done()
    cell_margins(t.table, top=0, bottom=60, left=0, right=0)


def build_summary(path: Path, L: Lang):
    bld = Builder(L, title=L["summary.title"], header_title=L["summary.header"],
                  subject=L["process"], network_copy=True)
    bld.title_block(L["summary.title"], L["process"])
    copy_marker(bld)
    bld.text(L["summary.intro"])

    bld.h1(L["summary.basic"])
    t = bld.table(L.widths("basic"), label_col=True)
    children_brief_rows(t)
    author_rows(t, L["summary.author"])
    document_rows(t)
    t.done()

    bld.h1(L["summary.background"])
    t = bld.table(L.widths("summary.background"), label_col=True)
    t.kv(L["summary.background.service"], "{{ background.service_context|label }}")
    t.kv(L["summary.background.client_since"], L.f("summary.since", date="{{ background.client_since|date }}"))
    t.kv(L["summary.background.worker_since"], L.f("summary.since", date="{{ background.worker_since|date }}"))
    t.done()

    bld.h1(L["summary.situation"])
    bld.text("{{ current_situation }}")

    bld.h1(L["summary.services"])
    bld.tag("{%p if services %}")
    t = bld.table(L.widths("summary.services"),
                  [L["summary.services.col.service"], L["summary.services.col.provider"],
                   L["summary.services.col.period"], L["summary.services.col.status"],
                   L["summary.services.col.note"]])
    t.tag("{%tr for s in services %}")
    t.row(p(b("{{ s.service }}")), "{{ s.provider }}", "{{ s.period|date_range }}", "{{ s.status|label }}",
          "{{ s.note }}")
    t.tag("{%tr endfor %}")
    t.done()
    bld.tag("{%p else %}")
    bld.text(L["summary.services.none"])
    bld.tag("{%p endif %}")

    bld.tag("{%p if other_support %}")
    bld.h1(L["summary.other_support"])
    bld.text("{{ other_support }}")
    bld.tag("{%p endif %}")

    bld.h1(L["summary.strengths"])
    bld.bullets("item in strengths", "{{ item }}")

    bld.h1(L["summary.concerns"])
    bld.bullets("item in concerns", "{{ item }}")

    bld.h1(L["summary.child_views"])
    bld.text("{{ child_views.text }}", keep_next=True)
    bld.text(i(L["summary.child_views.source"]), R("{{ child_views.source|label }}", italic=True, color=GREY),
             style=SMALL)

    bld.h1(L["summary.guardian_views"])
    bld.tag("{%p for v in guardian_views %}")
    bld.text(b("{{ v.name }}"), keep_next=True, after=2)
    bld.text("{{ v.view }}")
    bld.tag("{%p endfor %}")

    bld.h1(L["summary.lead_in"])
    bld.text("{{ lead_in }}")

    sharing_section(bld)
    bld.save(path)


def build_questions(path: Path, L: Lang):
    bld = Builder(L, title=L["questions.title"], header_title=L["questions.header"],
                  subject=L["process"], network_copy=False)
    bld.title_block(L["questions.title"], L["process"])

    t = bld.table(L.widths("basic"), label_col=True)
    children_brief_rows(t)
    author_rows(t, L["questions.author"])
    document_rows(t)
    t.done()

    bld.text(L["questions.intro"], before=8)

    bld.h1(L["questions.case"])
    bld.numbered("q in case_questions", "{% if q.theme %}", b("{{ q.theme }}"), R(br=True), "{% endif %}",
                 "{{ q.text }}", after=8)

    bld.h1(L["questions.standard"])
    bld.text(L["questions.standard.intro"], keep_next=True)
    bld.numbered("q in standard_questions", R("{{ q.key|label }}: ", bold=True), "{{ q.text }}", restart=True)

    bottom_lines(bld, L["questions.bottom_lines"], L["questions.bottom_lines.intro"])

    bld.tag("{%p if if_no_plan %}")
    bld.h1(L["questions.if_no_plan"])
    bld.text("{{ if_no_plan }}")
    bld.tag("{%p endif %}")
    bld.save(path)


def build_follow_up_summary(path: Path, L: Lang):
    bld = Builder(L, title=L["follow_up.title"], header_title=L["follow_up.header"],
                  subject=L["process"], network_copy=True)
    bld.title_block(L["follow_up.title"], L["process"])
    copy_marker(bld)
    bld.text(L["follow_up.intro"])

    bld.h1(L["follow_up.basic"])
    t = bld.table(L.widths("basic"), label_col=True)
    children_brief_rows(t)
    author_rows(t, L["follow_up.author"])
    t.kv(L["follow_up.plan"], L.f("follow_up.plan.value", version="{{ refers_to_plan.version }}",
                                  date="{{ refers_to_plan.date|date }}"))
    document_rows(t)
    t.done()

    bld.h1(L["follow_up.worked_well"])
    bld.tag("{%p if worked_well %}")
    bld.bullets("w in worked_well", "{% if w.plan_item_ref %}", b("{{ w.plan_item_ref }}"), R(br=True), "{% endif %}",
                "{{ w.text }}", after=8)
    bld.tag("{%p else %}")
    bld.text(L["follow_up.worked_well.none"])
    bld.tag("{%p endif %}")

    bld.h1(L["follow_up.to_refine"])
    bld.tag("{%p if to_refine %}")
    t = bld.table(L.widths("follow_up.to_refine"), [L["follow_up.to_refine.col.item"],
                                                    L["follow_up.to_refine.col.what"],
                                                    L["follow_up.to_refine.col.how"]])
    t.tag("{%tr for r in to_refine %}")
    t.row(p(b("{{ r.plan_item_ref }}")), "{{ r.text }}", "{{ r.proposal }}")
    t.tag("{%tr endfor %}")
    t.done()
    bld.tag("{%p else %}")
    bld.text(L["follow_up.to_refine.none"])
    bld.tag("{%p endif %}")

    bld.tag("{%p if new_concerns %}")
    bld.h1(L["follow_up.new_concerns"])
    bld.text("{{ new_concerns }}")
    bld.tag("{%p endif %}")

    bld.h1(L["follow_up.cooperation"])
    bld.text("{{ cooperation }}")

    bld.h1(L["follow_up.questions"])
    bld.text(L["follow_up.questions.intro"], keep_next=True)
    bld.numbered("q in questions", "{{ q }}")

    bottom_lines(bld, L["follow_up.bottom_lines"], L["follow_up.bottom_lines.intro"])

    sharing_section(bld)
    bld.save(path)


BUILDERS = {
    "mandate-agreement": build_mandate_agreement,
    "summary": build_summary,
    "questions": build_questions,
    "follow-up-summary": build_follow_up_summary,
}


JINJA_TAG = re.compile(r"\{\{.*?\}\}|\{%.*?%\}|\{#.*?#\}", re.S)


def jinja_skeleton(docx_bytes: bytes) -> list[tuple[str, list[str]]]:
    """Every Jinja tag of every part docxtpl renders, in order, after docxtpl's preprocessing:
    what must be identical between the language versions of a template."""
    from service.templating import template_parts

    return [(name, JINJA_TAG.findall(xml)) for name, xml in template_parts(docx_bytes)]


def check(type_ids, langs) -> bool:
    """Load every template through the service's own check and list unused schema fields; the
    Swedish and English templates must also use the same fields and the same Jinja tags, in the
    same order, as their Finnish twin."""
    sys.path.insert(0, str(ROOT))
    from service.registry import CONTEXT_EXTRAS, DOCUMENT_TYPES
    from service.templating import TemplateInvalid, load_template

    ok = True
    for type_id in type_ids:
        t = DOCUMENT_TYPES[type_id]
        fi_data = (OUT_ROOT / "fi" / f"{type_id}.docx").read_bytes()
        fi_used = fi_skeleton = None
        for lang in ("fi", *[x for x in langs if x != "fi"]):
            name = f"{lang}/{type_id}.docx"
            data = (OUT_ROOT / name).read_bytes()
            label = f"{name}:".ljust(30)
            try:
                lt = load_template(name, data, t.fields, CONTEXT_EXTRAS)
            except TemplateInvalid as exc:
                ok = False
                print(f"{label} INVALID")
                for problem in exc.problems:
                    print(f"  {problem}")
                continue
            if lang == "fi":
                fi_used, fi_skeleton = lt.used_paths, jinja_skeleton(fi_data)
            problems = [f"unused field: {path}" for path in sorted({path for path, _ in t.fields.walk()} - lt.used_paths)]
            problems += [str(w) for w in lt.warnings]
            if lang != "fi":
                if fi_used is None:
                    problems.append("the Finnish template did not load: nothing to compare with")
                else:
                    problems += [f"field not used in fi: {path}" for path in sorted(lt.used_paths - fi_used)]
                    problems += [f"field used only in fi: {path}" for path in sorted(fi_used - lt.used_paths)]
                    if jinja_skeleton(data) != fi_skeleton:
                        problems.append("Jinja tags differ from the Finnish template")
            if lang != "fi" or lang in langs:
                ok = ok and not problems
                print(f"{label} {'ok' if not problems else 'PROBLEMS'}  sha256 {lt.sha256[:16]}")
                for problem in problems:
                    print(f"  {problem}")
    return ok


def main(argv=None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("types", nargs="*", metavar="TYPE", help=f"document types (default: all): {', '.join(BUILDERS)}")
    parser.add_argument("--lang", action="append", choices=LANGUAGES,
                        help="language to build (repeatable; default: all of " + ", ".join(LANGUAGES) + ")")
    parser.add_argument("--check", action="store_true",
                        help="check the templates against the schemas and the sv/en ones against fi")
    args = parser.parse_args(argv)
    type_ids = args.types or list(BUILDERS)
    langs = [x for x in LANGUAGES if x in (args.lang or LANGUAGES)]
    unknown = [t for t in type_ids if t not in BUILDERS]
    if unknown:
        parser.error(f"unknown document type: {', '.join(unknown)}")
    for lang in langs:
        L = Lang(lang)
        for type_id in type_ids:
            path = OUT_ROOT / lang / f"{type_id}.docx"
            BUILDERS[type_id](path, L)
            print(f"wrote {path.relative_to(ROOT)}")
    if args.check:
        return 0 if check(type_ids, langs) else 1
    return 0


if __name__ == "__main__":
    sys.exit(main())
