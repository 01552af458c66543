#!/usr/bin/env python3
"""(Re)generate the version-0 Finnish Word templates in templates_docx/fi/.

    .venv/bin/python tools/build_templates.py            # build all four
    .venv/bin/python tools/build_templates.py summary    # build one
    .venv/bin/python tools/build_templates.py --check    # build, then check every template
                                                         # against its schema

The templates are docxtpl templates: plain Jinja tags in ordinary Word text, so conveners can
open them in Word, change the wording and upload them again. Rules kept here:

* every tag sits in ONE run (python-docx writes one run per ``add_run``/``add_paragraph``);
* ``{%p … %}`` tags have a paragraph of their own, ``{%tr … %}`` tags a table row of their own;
* no macros, no content controls, no tags in the core document properties;
* only Word's built-in styles (Title, Subtitle, Heading 1–2, Normal, List Bullet, List Number,
  Table Grid, Header, Footer) plus three small Finnish-named helper styles for table text.

The output is byte-for-byte reproducible (fixed zip timestamps and core properties), so
rebuilding without changes gives the same template hash.
"""

from __future__ import annotations

import argparse
import copy
import datetime as dt
import io
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
OUT_DIR = ROOT / "templates_docx" / "fi"

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

CONFIDENTIAL = "SALASSA PIDETTÄVÄ – JulkL 24 § 1 mom 25 k"
CITY = "Helsingin kaupunki"
BUILD_TIME = dt.datetime(2026, 1, 1, 0, 0, 0)

TABLE_TEXT = "Taulukon teksti"
TABLE_HEAD = "Taulukon otsikko"
SMALL = "Pieni teksti"

NETWORK = 'doc.rendition == "network"'
FAMILY = 'doc.rendition == "family"'


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
    def __init__(self, *, title: str, header_title: str, subject: str, network_copy: bool):
        self.doc = Document()
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
        # Document defaults: Arial 11 pt, Finnish proofing language.
        r_pr = styles.element.find(qn("w:docDefaults")).find(qn("w:rPrDefault")).find(qn("w:rPr"))
        fonts = r_pr.find(qn("w:rFonts"))
        for attr in list(fonts.attrib):
            del fonts.attrib[attr]
        for attr in ("ascii", "hAnsi", "cs", "eastAsia"):
            fonts.set(qn(f"w:{attr}"), FONT)
        lang = r_pr.find(qn("w:lang"))
        lang.set(qn("w:val"), "fi-FI")
        lang.set(qn("w:eastAsia"), "fi-FI")
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
        fix_widths(table, [9.0, 8.0])
        table_borders(table, inner=False, outer=False)
        cell_margins(table, top=0, bottom=0, left=0, right=0)
        left, right = table.rows[0].cells
        left_specs = [p(b(CITY), style="Header"), p(self.header_title, style="Header")]
        if self.network_copy:
            left_specs += [tag(f"{{%p if {NETWORK} %}}"), p(b("Läheisille annettava kappale"), style="Header"),
                           tag("{%p endif %}")]
        self._fill_cell(left, left_specs, style="Header")
        self._fill_cell(right, [p(b(CONFIDENTIAL), style="Header", align=WD_ALIGN_PARAGRAPH.RIGHT)], style="Header")
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
        fix_widths(ftable, [5.2, 6.6, 5.2])
        table_borders(ftable, top_only=True, color="A0A0A0")
        cell_margins(ftable, top=60, bottom=0, left=0, right=0)
        c1, c2, c3 = ftable.rows[0].cells
        self._fill_cell(c1, [p("Asiaviite {{ case_ref }}", style="Footer")], style="Footer")
        self._fill_cell(c2, [p("Päiväys {{ document_date|date }}", "  ·  ", "Versio {{ version }}", style="Footer",
                               align=WD_ALIGN_PARAGRAPH.CENTER)], style="Footer")
        page = c3.paragraphs[0]
        page.style = "Footer"
        page.alignment = WD_ALIGN_PARAGRAPH.RIGHT
        page.add_run("Sivu ")
        add_field(page, "PAGE")
        page.add_run(" / ")
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
        cp.author = CITY
        cp.last_modified_by = CITY
        cp.comments = "Läheisneuvonpidon asiakirjapohja, versio 0 (tools/build_templates.py)."
        cp.keywords = "läheisneuvonpito"
        cp.category = "Asiakirjapohja"
        cp.language = "fi-FI"
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
    t = bld.table([3.1, 5.4, 2.9, 5.6], label_col=True)
    t.kv("Nimi", f"{{{{ {var}|full_name }}}}", "Ammattinimike", f"{{{{ {var}.title }}}}")
    t.kv("Yksikkö", f"{{{{ {var}.unit }}}}", "Organisaatio", f"{{{{ {var}.organisation }}}}")
    t.kv("Puhelin", f"{{{{ {var}.work_phone }}}}", "Sähköposti", f"{{{{ {var}.work_email }}}}")
    for label, value in extra_rows:
        t.kv(label, value, spans=[1, 3])
    return t.done()


def children_brief_rows(t: _Table):
    """Children as "Elle, 13 v. (syntynyt 7.3.2013)" inside one label cell."""
    t.kv("Lapset", [tag("{%p for c in children %}"),
                    p(b("{{ c.first_name }}"), ", {{ c.birth_date|age(document_date) }} v. "
                      "(syntynyt {{ c.birth_date|date }})"),
                    tag("{%p endfor %}")])


def author_rows(t: _Table, label="Laatija"):
    t.kv(label, p(b("{{ author|full_name }}"), ", {{ author.title }}"))
    t.kv("Yksikkö", "{{ author.unit }}, {{ author.organisation }}")
    t.kv("Yhteystiedot", "{{ author.work_phone }}, {{ author.work_email }}")


def document_rows(t: _Table):
    t.kv("Päiväys", "{{ document_date|date }}")
    t.kv("Versio", "{{ version }}")
    t.kv("Asiakirjan kieli", "{{ language|label }}")


def copy_marker(bld: Builder):
    """Which copy this is, under the title of the two-rendition documents."""
    bld.tag(f"{{%p if {NETWORK} %}}")
    bld.text(R("LÄHEISILLE ANNETTAVA KAPPALE", bold=True, color=BLUE),
             " – sisältää vain ne tiedot, jotka perhe on hyväksynyt jaettavaksi.", style=SMALL, after=8)
    bld.tag("{%p else %}")
    bld.text(b("Perheen ja työntekijöiden kappale"),
             " – läheisille annetaan erillinen kappale.", style=SMALL, after=8)
    bld.tag("{%p endif %}")


def sharing_section(bld: Builder):
    """Jakaminen: review date, approval, and the not-to-be-shared part (family copy only)."""
    bld.h1("Yhteenvedon jakaminen")
    t = bld.table([9.0, 8.0], label_col=True)
    t.tag("{%tr if sharing.reviewed_with_family %}")
    t.kv("Yhteenveto on käyty läpi perheen kanssa", "{{ sharing.reviewed_with_family|date }}")
    t.tag("{%tr endif %}")
    t.kv("Perhe on hyväksynyt yhteenvedon jaettavaksi läheisille", "{{ sharing.approved_for_network|yes_no }}")
    t.done()
    bld.tag(f"{{%p if {FAMILY} and sharing.not_to_be_shared %}}")
    bld.h2("Ei jaeta läheisille")
    bld.text(i("Perhe ei halua, että näitä tietoja kerrotaan läheisille. Ne eivät tulostu läheisille "
               "annettavaan kappaleeseen."), style=SMALL)
    bld.text("{{ sharing.not_to_be_shared }}")
    bld.tag("{%p endif %}")


def bottom_lines(bld: Builder, heading: str, intro: str):
    bld.tag("{%p if must_include or not_acceptable %}")
    bld.h1(heading)
    bld.text(intro)
    bld.tag("{%p if must_include %}")
    bld.h2("Suunnitelmaan on sisällyttävä")
    bld.bullets("item in must_include", "{{ item }}")
    bld.tag("{%p endif %}")
    bld.tag("{%p if not_acceptable %}")
    bld.h2("Ei hyväksyttävää")
    bld.bullets("item in not_acceptable", "{{ item }}")
    bld.tag("{%p endif %}")
    bld.tag("{%p endif %}")


# --- the four documents ---------------------------------------------------------------------

def build_mandate_agreement(path: Path):
    bld = Builder(title="Toimeksiantosopimus", header_title="TOIMEKSIANTOSOPIMUS – läheisneuvonpito",
                  subject="Läheisneuvonpito", network_copy=False)
    bld.title_block("Toimeksiantosopimus", "Läheisneuvonpito")
    bld.tag("{%p if file_copy %}")
    bld.text(R("ARKISTOKAPPALE", bold=True, color=BLUE),
             " – sisältää henkilötunnuksia; ei anneta läheisille.", style=SMALL, after=4)
    bld.tag("{%p endif %}")
    bld.tag("{%p if is_acute %}")
    bld.text(R("AKUUTTINEUVONPITO", bold=True, color=BLUE),
             " – läheisneuvonpito järjestetään kiireellisellä aikataululla.", style=SMALL, after=4)
    bld.tag("{%p endif %}")

    t = bld.table([3.6, 3.0, 2.0, 4.6, 3.8], ["Paikka", "Päiväys", "Versio", "Asiaviite", "Asiakirjan kieli"])
    t.row("{{ place }}", "{{ document_date|date }}", "{{ version }}", "{{ case_ref }}", "{{ language|label }}")
    t.done()

    bld.text("Tällä sopimuksella lapsen huoltajat, lapsi ja vastuusosiaalityöntekijä sopivat "
             "läheisneuvonpidon järjestämisestä: mistä lasta koskevista asioista läheiset laativat "
             "suunnitelman, keitä työntekijöitä kokoukseen kutsutaan ja mitä tietoja saa antaa eteenpäin.",
             before=8)

    # Lapset: the identity-code column exists only when some child has one (file copy).
    bld.h1("Lapset")
    bld.tag('{%p if file_copy and children|selectattr("hetu")|list %}')
    t = bld.table([4.3, 2.5, 3.0, 2.7, 4.5],
                  ["Nimi", "Kutsumanimi", "Syntymäaika", "Henkilötunnus", "Koulu tai päiväkoti"])
    t.tag("{%tr for c in children %}")
    t.row("{{ c|full_name }}", "{{ c.calling_name }}",
          "{{ c.birth_date|date }} ({{ c.birth_date|age(document_date) }} v.)", "{{ c.hetu }}",
          "{{ c.school_or_daycare }}")
    t.tag("{%tr endfor %}")
    t.done()
    bld.tag("{%p else %}")
    t = bld.table([5.0, 2.8, 3.4, 5.8], ["Nimi", "Kutsumanimi", "Syntymäaika", "Koulu tai päiväkoti"])
    t.tag("{%tr for c in children %}")
    t.row("{{ c|full_name }}", "{{ c.calling_name }}",
          "{{ c.birth_date|date }} ({{ c.birth_date|age(document_date) }} v.)", "{{ c.school_or_daycare }}")
    t.tag("{%tr endfor %}")
    t.done()
    bld.tag("{%p endif %}")

    bld.h1("Huoltajat ja vanhemmat")
    t = bld.table([4.2, 2.5, 2.9, 2.0, 3.2, 2.2],
                  ["Nimi", "Kutsumanimi", "Suhde lapseen", "Huoltaja", "Asiointikieli", "Tulkki tarvitaan"])
    t.tag("{%tr for g in guardians %}")
    t.row("{{ g|full_name }}", "{{ g.calling_name }}", "{{ g.relation_to_child|label }}",
          "{{ g.is_guardian|yes_no }}", "{{ g.language|language_name }}", "{{ g.interpreter_needed|yes_no }}")
    t.tag("{%tr endfor %}")
    t.done()
    bld.tag('{%p if guardians|selectattr("phone")|list or guardians|selectattr("email")|list '
            'or guardians|selectattr("postal_address")|list %}')
    bld.text(b("Yhteystiedot"), before=8, after=3, keep_next=True)
    t = bld.table([3.4, 3.3, 5.1, 5.2], ["Nimi", "Puhelin", "Sähköposti", "Postiosoite"])
    t.tag("{%tr for g in guardians %}")
    t.row("{{ g|calling_name }}", "{{ g.phone }}", "{{ g.email }}", "{{ g.postal_address|address }}")
    t.tag("{%tr endfor %}")
    t.done()
    bld.tag("{%p endif %}")

    bld.h1("Vastuusosiaalityöntekijä")
    worker_table(bld, "social_worker")

    bld.h1("Koollekutsuja")
    bld.tag("{%p if coordinator %}")
    worker_table(bld, "coordinator", extra_rows=[
        ("Puolueettomuus", "Vahvistettu, ettei koollekutsuja työskentele perheen asiassa: "
                           "{{ coordinator.impartiality_confirmed|yes_no }}"),
    ])
    bld.tag("{%p else %}")
    bld.text("Koollekutsuja nimetään myöhemmin. Koollekutsuja on puolueeton: hän ei työskentele perheen asiassa.")
    bld.tag("{%p endif %}")

    bld.h1("Lähtötilanne: miksi läheisneuvonpito")
    bld.text("{{ reason }}")

    bld.h1("Käsiteltävät asiat")
    bld.text("Sovimme, että läheisneuvonpidossa laaditaan suunnitelma seuraavista lasta koskevista asioista:",
             keep_next=True)
    bld.numbered("theme in themes", "{{ theme }}")

    bld.h1("Osallistuvat työntekijät")
    bld.tag("{%p if participating_workers %}")
    bld.text("Vastuusosiaalityöntekijän lisäksi läheisneuvonpitoon osallistuvat seuraavat työntekijät, "
             "jotka kertovat kokouksen tiedonantovaiheessa:", keep_next=True)
    t = bld.table([3.9, 3.6, 3.9, 5.6], ["Nimi ja tehtävä", "Organisaatio", "Yhteystiedot",
                                          "Mitä tietoa tuo kokoukseen"])
    t.tag("{%tr for w in participating_workers %}")
    t.row([p(b("{{ w|full_name }}")), p("{{ w.title }}")],
          "{{ w.organisation }}",
          p("{{ w.work_phone }}", "{% if w.work_phone and w.work_email %}", R(br=True), "{% endif %}",
            "{{ w.work_email }}"),
          "{{ w.contribution }}")
    t.tag("{%tr endfor %}")
    t.done()
    bld.tag("{%p else %}")
    bld.text("Työntekijöistä läheisneuvonpitoon osallistuu vain vastuusosiaalityöntekijä.")
    bld.tag("{%p endif %}")

    bld.h1("Lapsen osallistuminen")
    t = bld.table([6.0, 11.0], label_col=True)
    t.kv("Osallistuuko lapsi kokoukseen", "{{ child_participation.attends|label }}")
    t.tag("{%tr if child_participation.how %}")
    t.kv("Miten lapsi osallistuu", "{{ child_participation.how }}")
    t.tag("{%tr endif %}")
    t.kv("Lapsi tarvitsee avustajan", "{{ child_participation.needs_assistant|yes_no }}")
    t.done()

    bld.tag("{%p if accessibility %}")
    bld.h1("Kieli ja saavutettavuus")
    t = bld.table([6.0, 11.0], label_col=True)
    t.kv("Kokouskieli", "{{ accessibility.meeting_language|language_name }}")
    t.tag("{%tr for x in accessibility.interpreting %}")
    t.kv("Tulkkaus", p("{{ x.language|language_name }}", " – ", "{{ x.for_whom }}"))
    t.tag("{%tr endfor %}")
    t.tag("{%tr if accessibility.needs %}")
    t.kv("Erityistarpeet", "{{ accessibility.needs }}")
    t.tag("{%tr endif %}")
    t.done()
    bld.tag("{%p endif %}")

    bld.tag("{%p if safety_notes %}")
    bld.h1("Turvallisuus")
    bld.text(i("Henkilöt, joita ei kutsuta, ja turvallisuusjärjestelyt. Näitä tietoja ei anneta läheisille."),
             style=SMALL)
    bld.text("{{ safety_notes }}")
    bld.tag("{%p endif %}")

    bld.tag("{%p if target_window %}")
    bld.h1("Aikataulu")
    bld.text(b("Tavoiteaika kokoukselle: "), "{{ target_window|date_range }}")
    bld.tag("{%p endif %}")

    bld.h1("Suostumus tietojen luovuttamiseen")
    bld.tag("{%p if consent.to_coordinator and consent.to_network %}")
    bld.text("Annamme suostumuksemme siihen, että sosiaalityöntekijän laatima yhteenveto annetaan "
             "koollekutsujalle ja, siltä osin kuin olemme sen hyväksyneet, kokoukseen kutsutuille läheisille.")
    bld.tag("{%p elif consent.to_coordinator %}")
    bld.text("Annamme suostumuksemme siihen, että sosiaalityöntekijän laatima yhteenveto annetaan "
             "koollekutsujalle. Emme anna suostumusta yhteenvedon antamiseen kokoukseen kutsutuille läheisille.")
    bld.tag("{%p elif consent.to_network %}")
    bld.text("Annamme suostumuksemme siihen, että sosiaalityöntekijän laatima yhteenveto annetaan, siltä osin "
             "kuin olemme sen hyväksyneet, kokoukseen kutsutuille läheisille. Emme anna suostumusta "
             "yhteenvedon antamiseen koollekutsujalle.")
    bld.tag("{%p else %}")
    bld.text("Emme anna suostumusta yhteenvedon antamiseen koollekutsujalle emmekä kokoukseen kutsutuille "
             "läheisille.")
    bld.tag("{%p endif %}")
    bld.tag("{%p if consent.scope_note %}")
    bld.text(b("Suostumuksen rajaukset: "), "{{ consent.scope_note }}")
    bld.tag("{%p endif %}")
    bld.tag("{%p for c in children if c.own_consent is not none %}")
    bld.text(b("Lapsen oma suostumus"), " – {{ c|calling_name }}: {{ c.own_consent|yes_no }}", after=3)
    bld.tag("{%p endfor %}")
    bld.text(b("Suostumuksen voi perua."), " Perumisesta ilmoitetaan vastuusosiaalityöntekijälle.", before=4)

    bld.h1("Vapaaehtoisuus ja luottamuksellisuus")
    bld.text("Läheisneuvonpito on vapaaehtoinen. Perhe voi perua osallistumisensa missä vaiheessa tahansa, "
             "eikä se vaikuta perheen oikeuteen saada palveluja.", keep_next=True)
    bld.text("Läheisneuvonpidossa käsiteltävät asiat ovat luottamuksellisia. Työntekijöitä sitoo "
             "vaitiolovelvollisuus, ja kokoukseen osallistuvia läheisiä pyydetään olemaan kertomatta "
             "kuulemiaan asioita ulkopuolisille.", keep_next=True)
    bld.text("Läheisneuvonpidossa katsotaan tulevaisuuteen: tavoitteena on yhdessä sovittu suunnitelma lapsen "
             "hyväksi. Ketään ei syyllistetä.")

    bld.h1("Allekirjoitukset")
    bld.text("Allekirjoituksellamme vahvistamme, että olemme sopineet läheisneuvonpidosta edellä kuvatulla "
             "tavalla.", keep_next=True)
    signature_table(bld)
    bld.save(path)


def signature_table(bld: Builder):
    """One borderless row per signer: a line for place and date, a line for the signature with
    the printed name and role under it. Rows never split across pages."""
    t = bld.table([6.2, 1.0, 9.8], borders=False)

    def signer(name: str, role: str):
        left = [P(runs=[], style=TABLE_TEXT, before=26, border_bottom=True),
                p("Paikka ja aika", style=SMALL)]
        right = [P(runs=[], style=TABLE_TEXT, before=26, border_bottom=True),
                 p(b(name), style=TABLE_TEXT), p(role, style=SMALL)]
        t.row(left, [p("")], right, cant_split=True)

    t.tag("{%tr for g in guardians if g.is_guardian %}")
    signer("{{ g|full_name }}", "Huoltaja ({{ g.relation_to_child|label }})")
    t.tag("{%tr endfor %}")
    t.tag("{%tr for c in children if c.birth_date|age(document_date) >= 12 %}")
    signer("{{ c|full_name }}", "Lapsi ({{ c.birth_date|age(document_date) }} v.)")
    t.tag("{%tr endfor %}")
    signer("{{ social_worker|full_name }}", "Vastuusosiaalityöntekijä, {{ social_worker.unit }}")
    t.tag("{%tr if coordinator %}")
    signer("{{ coordinator|full_name }}", "Koollekutsuja, {{ coordinator.unit }}")
    t.tag("{%tr endif %}")
    t.done()
    cell_margins(t.table, top=0, bottom=60, left=0, right=0)


def build_summary(path: Path):
    bld = Builder(title="Yhteenveto", header_title="YHTEENVETO – läheisneuvonpito",
                  subject="Läheisneuvonpito", network_copy=True)
    bld.title_block("Yhteenveto", "Läheisneuvonpito")
    copy_marker(bld)
    bld.text("Tämä yhteenveto on laadittu läheisneuvonpitoa varten. Se sisältää tietoja, jotka läheisten on "
             "hyvä tietää suunnitelman tekemiseksi.")

    bld.h1("Perustiedot")
    t = bld.table([5.0, 12.0], label_col=True)
    children_brief_rows(t)
    author_rows(t, "Yhteenvedon laatija")
    document_rows(t)
    t.done()

    bld.h1("Työskentelyn tausta")
    t = bld.table([6.5, 10.5], label_col=True)
    t.kv("Palvelu", "{{ background.service_context|label }}")
    t.kv("Perhe on ollut asiakkaana", "{{ background.client_since|date }} alkaen")
    t.kv("Nykyinen työntekijä on työskennellyt perheen kanssa", "{{ background.worker_since|date }} alkaen")
    t.done()

    bld.h1("Tilanne nyt")
    bld.text("{{ current_situation }}")

    bld.h1("Tehty työ ja palvelut")
    bld.tag("{%p if services %}")
    t = bld.table([3.4, 3.5, 3.3, 2.1, 4.7], ["Palvelu tai tukitoimi", "Palvelun tuottaja", "Ajanjakso", "Tila",
                                               "Lisätieto"])
    t.tag("{%tr for s in services %}")
    t.row(p(b("{{ s.service }}")), "{{ s.provider }}", "{{ s.period|date_range }}", "{{ s.status|label }}",
          "{{ s.note }}")
    t.tag("{%tr endfor %}")
    t.done()
    bld.tag("{%p else %}")
    bld.text("Palveluja ei ole ollut käytössä.")
    bld.tag("{%p endif %}")

    bld.tag("{%p if other_support %}")
    bld.h1("Muu tuki")
    bld.text("{{ other_support }}")
    bld.tag("{%p endif %}")

    bld.h1("Vahvuudet ja voimavarat – mikä toimii")
    bld.bullets("item in strengths", "{{ item }}")

    bld.h1("Huolet")
    bld.bullets("item in concerns", "{{ item }}")

    bld.h1("Lapsen näkemys ja toiveet")
    bld.text("{{ child_views.text }}", keep_next=True)
    bld.text(i("Miten näkemys saatiin: "), R("{{ child_views.source|label }}", italic=True, color=GREY),
             style=SMALL)

    bld.h1("Vanhempien ja huoltajien näkemykset")
    bld.tag("{%p for v in guardian_views %}")
    bld.text(b("{{ v.name }}"), keep_next=True, after=2)
    bld.text("{{ v.view }}")
    bld.tag("{%p endfor %}")

    bld.h1("Miksi suunnitelmaa tarvitaan")
    bld.text("{{ lead_in }}")

    sharing_section(bld)
    bld.save(path)


def build_questions(path: Path):
    bld = Builder(title="Kysymykset", header_title="KYSYMYKSET – läheisneuvonpito",
                  subject="Läheisneuvonpito", network_copy=False)
    bld.title_block("Kysymykset", "Läheisneuvonpito")

    t = bld.table([5.0, 12.0], label_col=True)
    children_brief_rows(t)
    author_rows(t, "Kysymysten laatija")
    document_rows(t)
    t.done()

    bld.text("Läheisneuvonpidon kokouksessa läheiset laativat omalla ajallaan suunnitelman, joka vastaa näihin "
             "kysymyksiin. Kysymykset on laadittu yhdessä perheen kanssa.", before=8)

    bld.h1("Kysymykset läheisille")
    bld.numbered("q in case_questions", "{% if q.theme %}", b("{{ q.theme }}"), R(br=True), "{% endif %}",
                 "{{ q.text }}", after=8)

    bld.h1("Yleiset kysymykset")
    bld.text("Jokaisessa suunnitelmassa vastataan myös seuraaviin kysymyksiin:", keep_next=True)
    bld.numbered("q in standard_questions", R("{{ q.key|label }}: ", bold=True), "{{ q.text }}", restart=True)

    bottom_lines(bld, "Reunaehdot",
                 "Reunaehdot ovat viranomaisten asettamia ehtoja, jotka suunnitelman on täytettävä, "
                 "jotta se voidaan hyväksyä.")

    bld.tag("{%p if if_no_plan %}")
    bld.h1("Jos suunnitelmaa ei synny tai sitä ei hyväksytä")
    bld.text("{{ if_no_plan }}")
    bld.tag("{%p endif %}")
    bld.save(path)


def build_follow_up_summary(path: Path):
    bld = Builder(title="Seurantakokouksen yhteenveto",
                  header_title="SEURANTAKOKOUKSEN YHTEENVETO – läheisneuvonpito",
                  subject="Läheisneuvonpito", network_copy=True)
    bld.title_block("Seurantakokouksen yhteenveto", "Läheisneuvonpito")
    copy_marker(bld)
    bld.text("Tämä yhteenveto on laadittu seurantakokousta varten. Siinä kerrotaan, miten läheisneuvonpidossa "
             "laadittu suunnitelma on toteutunut ja mitä siihen on tarpeen tarkentaa.")

    bld.h1("Perustiedot")
    t = bld.table([5.0, 12.0], label_col=True)
    children_brief_rows(t)
    author_rows(t, "Yhteenvedon laatija")
    t.kv("Seurattava suunnitelma", "Versio {{ refers_to_plan.version }}, päivätty {{ refers_to_plan.date|date }}")
    document_rows(t)
    t.done()

    bld.h1("Mikä on toiminut ja voi jatkua")
    bld.tag("{%p if worked_well %}")
    bld.bullets("w in worked_well", "{% if w.plan_item_ref %}", b("{{ w.plan_item_ref }}"), R(br=True), "{% endif %}",
                "{{ w.text }}", after=8)
    bld.tag("{%p else %}")
    bld.text("Toimineiksi todettuja suunnitelman kohtia ei ole kirjattu.")
    bld.tag("{%p endif %}")

    bld.h1("Tarkennettavaa ja miten")
    bld.tag("{%p if to_refine %}")
    t = bld.table([4.0, 6.5, 6.5], ["Suunnitelman kohta", "Mitä tarkennetaan", "Ehdotus: miten"])
    t.tag("{%tr for r in to_refine %}")
    t.row(p(b("{{ r.plan_item_ref }}")), "{{ r.text }}", "{{ r.proposal }}")
    t.tag("{%tr endfor %}")
    t.done()
    bld.tag("{%p else %}")
    bld.text("Tarkennettavia suunnitelman kohtia ei ole kirjattu.")
    bld.tag("{%p endif %}")

    bld.tag("{%p if new_concerns %}")
    bld.h1("Uudet huolet tai muutokset")
    bld.text("{{ new_concerns }}")
    bld.tag("{%p endif %}")

    bld.h1("Yhteistyön sujuminen")
    bld.text("{{ cooperation }}")

    bld.h1("Kysymykset läheisille")
    bld.text("Seurantakokouksessa pyydetään läheisten arviota seuraavista asioista:", keep_next=True)
    bld.numbered("q in questions", "{{ q }}")

    bottom_lines(bld, "Päivitetyt reunaehdot",
                 "Viranomaisten asettamat reunaehdot, jotka päivitetyn suunnitelman on täytettävä:")

    sharing_section(bld)
    bld.save(path)


BUILDERS = {
    "mandate-agreement": build_mandate_agreement,
    "summary": build_summary,
    "questions": build_questions,
    "follow-up-summary": build_follow_up_summary,
}


def check(type_ids) -> bool:
    """Load every template through the service's own check and list unused schema fields."""
    sys.path.insert(0, str(ROOT))
    from service.registry import CONTEXT_EXTRAS, DOCUMENT_TYPES, TEMPLATES_DIR
    from service.templating import TemplateInvalid, load_template

    ok = True
    for type_id in type_ids:
        t = DOCUMENT_TYPES[type_id]
        data = (TEMPLATES_DIR / t.template).read_bytes()
        try:
            lt = load_template(t.template, data, t.fields, CONTEXT_EXTRAS)
        except TemplateInvalid as exc:
            ok = False
            print(f"{type_id}: INVALID")
            for problem in exc.problems:
                print(f"  {problem}")
            continue
        unused = sorted({path for path, _ in t.fields.walk()} - lt.used_paths)
        warnings = [str(w) for w in lt.warnings]
        status = "ok" if not unused and not warnings else "PROBLEMS"
        ok = ok and status == "ok"
        print(f"{type_id}: {status}  sha256 {lt.sha256[:16]}")
        for path in unused:
            print(f"  unused field: {path}")
        for warning in warnings:
            print(f"  {warning}")
    return ok


def main(argv=None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("types", nargs="*", metavar="TYPE", help=f"document types (default: all): {', '.join(BUILDERS)}")
    parser.add_argument("--check", action="store_true", help="check the templates against the schemas")
    args = parser.parse_args(argv)
    type_ids = args.types or list(BUILDERS)
    unknown = [t for t in type_ids if t not in BUILDERS]
    if unknown:
        parser.error(f"unknown document type: {', '.join(unknown)}")
    for type_id in type_ids:
        path = OUT_DIR / f"{type_id}.docx"
        BUILDERS[type_id](path)
        print(f"wrote {path.relative_to(ROOT)}")
    if args.check:
        return 0 if check(type_ids) else 1
    return 0


if __name__ == "__main__":
    sys.exit(main())
