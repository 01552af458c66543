"""What every rendered document gets, whatever its template: pages that hold together, free text as
real paragraphs and lists, and document properties that are the document's own.

A convener's template, or one added for a new document type, cannot forget any of it: it is done
to the rendered WordprocessingML, not written into each template.

* A heading (a paragraph style with an outline level, the title and subtitle) keeps with the
  next paragraph and is never split; so does a paragraph that ends with a colon (it introduces
  what follows).
* No table row breaks across a page (cantSplit). A table of up to ``WHOLE_TABLE`` rows and
  ``WHOLE_TABLE_LINES`` estimated lines stays on one page (each row keeps with the next: no lone
  "Puolueettomuus" row at the top of a page); a longer or taller one breaks between rows, keeping
  its heading rows with the first row (repeated on every page) and its last row with the one
  before.
* A block marked with a bookmark named ``Allekirjoitukset…``, ``Underskrifter…`` or
  ``Signatures…`` (a signature block: heading, text and every signature line) stays together.
* A value's line breaks are paragraphs of the paragraph it is printed in, and its lines that
  start with "- ", "* " or "• " a bulleted list with the numbering of the template's own
  *List Bullet* style (the filters mark them, formatting.PARAGRAPH_MARK and BULLET_MARK). Inside a
  numbered or bulleted paragraph they stay line breaks, so one item stays one item.
* The document properties: title and language of the document, created and modified at the
  render time, and none of the template's own remarks (comments, category, template name,
  editing statistics, the application it was last saved in).
"""

from __future__ import annotations

import copy
import datetime as dt
import io
import re
import zipfile
from dataclasses import dataclass

from lxml import etree

from service.rendering.formatting import BULLET_MARK, PARAGRAPH_MARK

W_NS = "http://schemas.openxmlformats.org/wordprocessingml/2006/main"
W = f"{{{W_NS}}}"
_PARSER = etree.XMLParser(recover=False, resolve_entities=False, no_network=True, huge_tree=True)

WHOLE_TABLE = 12
# A table estimated taller than this (about a third of a page, PAGE_LINES) is not kept whole: moved
# whole to the next page it would leave that much of its page empty behind its heading.
WHOLE_TABLE_LINES = 15
KEEP_TOGETHER = ("allekirjoitukset", "underskrifter", "signatures")
LOCALE_TAGS = {"fi": "fi-FI", "sv": "sv-FI", "en": "en-GB"}
APPLICATION = "lnp-docs"

# The order of a paragraph's properties (ECMA-376 CT_PPrBase): Word refuses them in another order.
PPR_ORDER = (
    "pStyle", "keepNext", "keepLines", "pageBreakBefore", "framePr", "widowControl", "numPr",
    "suppressLineNumbers", "pBdr", "shd", "tabs", "suppressAutoHyphens", "kinsoku", "wordWrap",
    "overflowPunct", "topLinePunct", "autoSpaceDE", "autoSpaceDN", "bidi", "adjustRightInd", "snapToGrid",
    "spacing", "ind", "contextualSpacing", "mirrorIndents", "suppressOverlap", "jc", "textDirection",
    "textAlignment", "textboxTightWrap", "outlineLvl", "divId", "cnfStyle", "rPr", "sectPr", "pPrChange",
)
# The row properties that come before cantSplit (CT_TrPrBase is a choice, but Word writes this order).
TRPR_FIRST = ("cnfStyle", "divId", "gridBefore", "gridAfter", "wBefore", "wAfter")


@dataclass(frozen=True)
class Styles:
    """What the finishing needs to know of a template's styles, read once per template."""

    headings: frozenset[str] = frozenset()  # paragraph style ids that are headings
    numbered: frozenset[str] = frozenset()  # paragraph style ids that carry numbering or bullets
    default: str | None = None  # the default paragraph style id
    bullet_num_id: str | None = None  # the numbering of the List Bullet style


def read_styles(styles_xml: bytes | None) -> Styles:
    if not styles_xml:
        return Styles()
    root = etree.fromstring(styles_xml, _PARSER)
    based_on: dict[str, str] = {}
    outline: dict[str, int] = {}
    numbering: dict[str, str] = {}
    names: dict[str, str] = {}
    default = None
    for style in root.iter(W + "style"):
        if style.get(W + "type") != "paragraph":
            continue
        sid = style.get(W + "styleId")
        name = style.find(W + "name")
        names[sid] = (name.get(W + "val") if name is not None else sid or "").casefold()
        if style.get(W + "default") in ("1", "true"):
            default = sid
        parent = style.find(W + "basedOn")
        if parent is not None:
            based_on[sid] = parent.get(W + "val")
        level = style.find(f"{W}pPr/{W}outlineLvl")
        if level is not None:
            outline[sid] = int(level.get(W + "val", "9"))
        num_id = style.find(f"{W}pPr/{W}numPr/{W}numId")
        if num_id is not None:
            numbering[sid] = num_id.get(W + "val")

    def inherited(sid, table):
        seen = set()
        while sid is not None and sid not in seen:
            if sid in table:
                return table[sid]
            seen.add(sid)
            sid = based_on.get(sid)
        return None

    headings = {sid for sid in names
                if (inherited(sid, outline) or 0) < 9 and inherited(sid, outline) is not None
                or names[sid] in ("title", "subtitle")}
    numbered = {sid for sid in names if inherited(sid, numbering) not in (None, "0")}
    bullet = next((sid for sid, name in names.items() if name == "list bullet"), None)
    return Styles(frozenset(headings), frozenset(numbered), default,
                  inherited(bullet, numbering) if bullet else None)


# --- small property helpers ------------------------------------------------------------------

def _child(parent, local: str):
    return parent.find(W + local)


def _ppr(paragraph):
    ppr = _child(paragraph, "pPr")
    if ppr is None:
        ppr = etree.SubElement(paragraph, W + "pPr")
        paragraph.remove(ppr)
        paragraph.insert(0, ppr)
    return ppr


def _set_in_order(parent, local: str, order: tuple[str, ...]) -> etree._Element:
    """The property ``local`` switched on (a toggle without w:val), placed where the schema wants it."""
    existing = _child(parent, local)
    if existing is not None:
        for attribute in list(existing.attrib):
            del existing.attrib[attribute]
        return existing
    element = etree.Element(W + local)
    position = order.index(local)
    later = set(order[position + 1:])
    for index, child in enumerate(parent):
        if etree.QName(child).localname in later:
            parent.insert(index, element)
            return element
    parent.append(element)
    return element


def keep_with_next(paragraph, lines: bool = True) -> None:
    ppr = _ppr(paragraph)
    _set_in_order(ppr, "keepNext", PPR_ORDER)
    if lines:
        _set_in_order(ppr, "keepLines", PPR_ORDER)


def _cant_split(row) -> None:
    trpr = _child(row, "trPr")
    if trpr is None:
        trpr = etree.Element(W + "trPr")
        first_cell = next((i for i, c in enumerate(row) if etree.QName(c).localname not in ("tblPrEx",)), len(row))
        row.insert(first_cell, trpr)
    if _child(trpr, "cantSplit") is None:
        element = etree.Element(W + "cantSplit")
        position = sum(1 for child in trpr if etree.QName(child).localname in TRPR_FIRST)
        trpr.insert(position, element)
    else:
        for attribute in list(_child(trpr, "cantSplit").attrib):
            del _child(trpr, "cantSplit").attrib[attribute]


def _may_split(row) -> None:
    trpr = _child(row, "trPr")
    if trpr is not None:
        for element in trpr.findall(W + "cantSplit"):
            trpr.remove(element)


def _style_of(paragraph, styles: Styles) -> str | None:
    style = paragraph.find(f"{W}pPr/{W}pStyle")
    return style.get(W + "val") if style is not None else styles.default


def is_heading(paragraph, styles: Styles) -> bool:
    level = paragraph.find(f"{W}pPr/{W}outlineLvl")
    if level is not None:
        return int(level.get(W + "val", "9")) < 9
    return _style_of(paragraph, styles) in styles.headings


def _is_list_item(paragraph, styles: Styles) -> bool:
    num_id = paragraph.find(f"{W}pPr/{W}numPr/{W}numId")
    if num_id is not None:
        return num_id.get(W + "val") != "0"
    return _style_of(paragraph, styles) in styles.numbered


def _text(element) -> str:
    return "".join(t.text or "" for t in element.iter(W + "t"))


# --- free text: paragraphs and bulleted lists ---------------------------------------------------

_MARKS = re.compile(f"([{PARAGRAPH_MARK}{BULLET_MARK}])")


def _new_paragraph(model, bullet: bool, styles: Styles):
    paragraph = etree.Element(W + "p")
    ppr = model.find(W + "pPr")
    if ppr is not None:
        ppr = copy.deepcopy(ppr)
        for local in ("pageBreakBefore", "sectPr"):
            for found in ppr.findall(W + local):
                ppr.remove(found)
        paragraph.append(ppr)
    if bullet:
        _make_bullet(paragraph, styles)
    return paragraph


def _make_bullet(paragraph, styles: Styles) -> None:
    ppr = _ppr(paragraph)
    for found in ppr.findall(W + "numPr"):
        ppr.remove(found)
    for found in ppr.findall(W + "ind"):
        ppr.remove(found)
    num_pr = _set_in_order(ppr, "numPr", PPR_ORDER)
    etree.SubElement(num_pr, W + "ilvl").set(W + "val", "0")
    etree.SubElement(num_pr, W + "numId").set(W + "val", styles.bullet_num_id or "0")


def _has_content(paragraph) -> bool:
    return any((t.text or "") for t in paragraph.iter(W + "t")) or paragraph.find(f".//{W}drawing") is not None


def _split_paragraph(paragraph, styles: Styles) -> list:
    """The paragraph cut at the marks its values carry: a run is cut where a mark is, each part
    keeps the run's formatting, and every new paragraph the paragraph's properties."""
    out = [paragraph]
    current = paragraph
    children = [child for child in paragraph if child.tag != W + "pPr"]
    for child in children:
        paragraph.remove(child)
    for child in children:
        if child.tag != W + "r" or not any(_MARKS.search(t.text or "") for t in child.iter(W + "t")):
            current.append(child)
            continue
        run_pr = child.find(W + "rPr")
        piece = _empty_run(run_pr)
        for part in child:
            if part.tag == W + "rPr":
                continue
            if part.tag != W + "t" or not _MARKS.search(part.text or ""):
                piece.append(part)
                continue
            for token in _MARKS.split(part.text or ""):
                if token not in (PARAGRAPH_MARK, BULLET_MARK):
                    if token:
                        _append_text(piece, token)
                    continue
                if _run_has_content(piece):
                    current.append(piece)
                piece = _empty_run(run_pr)
                if token == PARAGRAPH_MARK or _has_content(current):
                    current = _new_paragraph(paragraph, token == BULLET_MARK, styles)
                    out.append(current)
                else:  # a bulleted line where nothing stands yet: this paragraph is the item
                    _make_bullet(current, styles)
        if _run_has_content(piece):
            current.append(piece)
    # "Keep with the next paragraph" (the template's, for an answer and its task table) holds for
    # the last part only: on every part, a long text would be one chain longer than a page, which
    # LibreOffice can only run off the page's foot.
    for part in out[:-1]:
        _set_in_order(_ppr(part), "keepNext", PPR_ORDER).set(W + "val", "0")
    return out


def _append_text(run, value: str) -> None:
    text = etree.SubElement(run, W + "t")
    text.text = value
    text.set("{http://www.w3.org/XML/1998/namespace}space", "preserve")


def _run_has_content(run) -> bool:
    return any(child.tag != W + "rPr" for child in run)


def _empty_run(run_pr):
    run = etree.Element(W + "r")
    if run_pr is not None:
        run.append(copy.deepcopy(run_pr))
    return run


def _marks_as_lines(paragraph) -> None:
    """Inside a list item the value's lines stay lines of the item: a paragraph mark is a line
    break, a bulleted line gets its bullet as text."""
    for text in list(paragraph.iter(W + "t")):
        tokens = _MARKS.split(text.text or "")
        if len(tokens) == 1:
            continue
        text.text = tokens[0]
        anchor, bullet, started = text, False, bool(tokens[0])
        for token in tokens[1:]:
            if token in (PARAGRAPH_MARK, BULLET_MARK):
                if token == PARAGRAPH_MARK or started:
                    anchor.addnext(etree.Element(W + "br"))
                    anchor = anchor.getnext()
                bullet = token == BULLET_MARK
            elif token:
                new = etree.Element(W + "t")
                new.text = ("• " if bullet else "") + token
                new.set("{http://www.w3.org/XML/1998/namespace}space", "preserve")
                anchor.addnext(new)
                anchor, bullet, started = new, False, True


def _structure_free_text(body, styles: Styles) -> None:
    for paragraph in list(body.iter(W + "p")):
        if not any(_MARKS.search(t.text or "") for t in paragraph.iter(W + "t")):
            continue
        if _is_list_item(paragraph, styles) or styles.bullet_num_id is None:
            _marks_as_lines(paragraph)
            continue
        parent = paragraph.getparent()
        index = parent.index(paragraph)
        parts = _split_paragraph(paragraph, styles)
        for offset, part in enumerate(parts[1:], start=1):
            parent.insert(index + offset, part)


def flatten_marks(xml: str) -> str:
    """For parts other than the body (headers, footers): a value's paragraphs as lines."""
    return xml.replace(PARAGRAPH_MARK, "\n").replace(BULLET_MARK, "• ")


# --- pages that hold together -------------------------------------------------------------------

def keep_together_blocks(body) -> list[list]:
    """Each bookmarked signature block as the body elements (paragraphs, tables) it covers."""
    children = list(body)

    def top(element):
        while element.getparent() is not body:
            element = element.getparent()
        return element

    blocks = []
    for start in body.iter(W + "bookmarkStart"):
        if not (start.get(W + "name") or "").casefold().startswith(KEEP_TOGETHER):
            continue
        end = next((e for e in body.iter(W + "bookmarkEnd") if e.get(W + "id") == start.get(W + "id")), None)
        if end is None:
            continue
        first, last = children.index(top(start)), children.index(top(end))
        if top(end).tag == W + "bookmarkEnd":
            last -= 1
        blocks.append([e for e in children[first:last + 1] if e.tag in (W + "p", W + "tbl")])
    return blocks


# A signature block estimated at more lines than this does not fit on one page: its rows are kept
# whole and its heading with the first of them, but the block may go on to the next page.
PAGE_LINES = 44
SIGNATURE_ROW_SPACE = 3  # the lines a signature row's space to sign takes besides its text


def _block_lines(elements) -> int:
    lines = 0
    for element in elements:
        if element.tag == W + "tbl":
            lines += sum(estimated_lines(row) + SIGNATURE_ROW_SPACE for row in element.findall(W + "tr"))
        else:
            lines += max(1, -(-len(_text(element)) // 90))
    return lines


def _keep_block(elements) -> None:
    if _block_lines(elements) > PAGE_LINES:
        for element in elements:
            if element.tag == W + "tbl":
                for row in element.findall(W + "tr"):
                    if estimated_lines(row) <= TALL_ROW:
                        _cant_split(row)
            else:
                keep_with_next(element)
        return
    paragraphs = []
    for element in elements:
        if element.tag == W + "tbl":
            for row in element.iter(W + "tr"):
                _cant_split(row)
        paragraphs += list(element.iter(W + "p")) if element.tag == W + "tbl" else [element]
    last = elements[-1] if elements else None
    tail = set(last.findall(f"{W}tr")[-1].iter(W + "p")) if last is not None and last.tag == W + "tbl" \
        and last.findall(f"{W}tr") else {paragraphs[-1]} if paragraphs else set()
    for paragraph in paragraphs:
        if paragraph not in tail:
            keep_with_next(paragraph)


# A row estimated at more than TALL_ROW lines of table text (about 65-70 fill an A4 page with the
# templates' margins, measured in the layout check's stress cases) may be split over pages. Kept
# whole, a row taller than the page runs off its foot (LibreOffice cannot place it), and one nearly
# as tall leaves its heading and most of a page empty behind it.
TALL_ROW = 45
TWIPS_PER_CHARACTER = 100  # the average width of a character of table text (Arial 9-10 pt)
UNKNOWN_CELL_WIDTH = 3000  # twips, about a third of the text width


def _cell_width(cell) -> int:
    width = cell.find(f"{W}tcPr/{W}tcW")
    try:
        if width is not None and width.get(W + "type", "dxa") == "dxa":
            return max(600, int(width.get(W + "w")))
    except (TypeError, ValueError):
        pass
    return UNKNOWN_CELL_WIDTH


CELL_MARGINS = 216  # twips: Word's default left and right cell margins
LIST_INDENT = 360  # twips: a bulleted paragraph's indentation
WRAP_WASTE = 0.85  # a line breaks between words: on average it is this full


def estimated_lines(row) -> int:
    """The lines the row's tallest cell takes, from its text, the cell's width and the paragraphs'
    indentation (a bulleted line holds fewer characters)."""
    tallest = 0
    for cell in row.findall(W + "tc"):
        usable = _cell_width(cell) - CELL_MARGINS
        lines = 0
        for paragraph in cell.iter(W + "p"):
            indented = paragraph.find(f"{W}pPr/{W}numPr") is not None or paragraph.find(f"{W}pPr/{W}ind") is not None
            per_line = max(6, int((usable - (LIST_INDENT if indented else 0)) * WRAP_WASTE) // TWIPS_PER_CHARACTER)
            lines += max(1, -(-len(_text(paragraph)) // per_line))
        tallest = max(tallest, lines)
    return tallest


def _keep_rows(table) -> None:
    rows = list(table.findall(W + "tr"))
    short = [row for row in rows if estimated_lines(row) <= TALL_ROW]
    for row in rows:
        if row in short:
            _cant_split(row)
        else:  # also where the template says "cannot split": such a row would run off the page
            _may_split(row)
    if len(rows) < 2:
        return
    if len(rows) <= WHOLE_TABLE and sum(estimated_lines(row) for row in rows) <= WHOLE_TABLE_LINES:
        keeping = rows[:-1]
    else:
        headers = [row for row in rows if row.find(f"{W}trPr/{W}tblHeader") is not None]
        keeping = [row for row in dict.fromkeys(headers + [rows[-2]]) if row is not rows[-1]]
    for row in keeping:
        if row in short:  # a tall row is not chained to the next: the chain would not fit a page
            for paragraph in row.iter(W + "p"):
                keep_with_next(paragraph, lines=False)


def _introduces(paragraph) -> bool:
    return _text(paragraph).rstrip().endswith(":")


# A closing line this short (a confidentiality sentence, a greeting) never stands alone on the
# document's last page: what comes before it keeps with it.
CLOSING_LINE = 180


def _keep_closing_line(body) -> None:
    """The body's last paragraph, when it is a short closing line, takes the paragraph or the last
    table row before it along (empty paragraphs between them with it)."""
    elements = [e for e in body if e.tag in (W + "p", W + "tbl")]
    while elements and elements[-1].tag == W + "p" and not _has_content(elements[-1]):
        elements.pop()
    if len(elements) < 2 or elements[-1].tag != W + "p" or len(_text(elements[-1])) > CLOSING_LINE:
        return
    for element in reversed(elements[:-1]):
        if element.tag == W + "tbl":
            rows = element.findall(W + "tr")
            if rows and estimated_lines(rows[-1]) <= TALL_ROW:
                for paragraph in rows[-1].iter(W + "p"):
                    keep_with_next(paragraph, lines=False)
            return
        keep_with_next(element, lines=False)
        if _has_content(element):
            return


def finish_body(body, styles: Styles) -> None:
    """Every rule of the module on a rendered body (an lxml element), in place."""
    _structure_free_text(body, styles)
    for table in body.iter(W + "tbl"):
        _keep_rows(table)
    _keep_closing_line(body)
    for paragraph in body.iter(W + "p"):
        if paragraph.getparent() is not None and paragraph.getparent().tag == W + "body" and (
                is_heading(paragraph, styles) or _introduces(paragraph)):
            keep_with_next(paragraph)
    for block in keep_together_blocks(body):
        _keep_block(block)


def finish_body_xml(xml: str, styles: Styles) -> str:
    """finish_body for the engine's rendered ``<w:body>`` (with its namespace declarations)."""
    body = etree.fromstring(xml.encode("utf-8"), _PARSER)
    finish_body(body, styles)
    return etree.tostring(body, encoding="unicode")


# --- document properties --------------------------------------------------------------------------

CP = "{http://schemas.openxmlformats.org/package/2006/metadata/core-properties}"
DC = "{http://purl.org/dc/elements/1.1/}"
DCTERMS = "{http://purl.org/dc/terms/}"
XSI = "{http://www.w3.org/2001/XMLSchema-instance}"
EP = "{http://schemas.openxmlformats.org/officeDocument/2006/extended-properties}"
DROPPED_CORE = (CP + "category", CP + "lastPrinted", CP + "contentStatus", CP + "version", CP + "revision")
KEPT_APP = ("Application", "AppVersion", "DocSecurity", "HyperlinksChanged", "LinksUpToDate", "ScaleCrop",
            "SharedDoc")


def _set_text(root, tag: str, value: str, attributes: dict | None = None) -> None:
    element = root.find(tag)
    if element is None:
        element = etree.SubElement(root, tag)
    element.text = value
    for name, attribute in (attributes or {}).items():
        element.set(name, attribute)


def core_properties(xml: bytes, title: str, language: str, now: dt.datetime, templated: frozenset = frozenset()) -> bytes:
    """The package's core properties as the document's own: its title and language, created and
    modified now, and none of the template's remarks. Properties the template fills with tags
    (``templated``: title, subject…) keep what the template printed."""
    root = etree.fromstring(xml, _PARSER)
    for tag in DROPPED_CORE:
        for element in root.findall(tag):
            root.remove(element)
    if "comments" not in templated:
        for element in root.findall(DC + "description"):
            root.remove(element)
    stamp = now.astimezone(dt.UTC).replace(microsecond=0).strftime("%Y-%m-%dT%H:%M:%SZ")
    if "title" not in templated:
        _set_text(root, DC + "title", title)
    if "language" not in templated:
        _set_text(root, DC + "language", LOCALE_TAGS.get(language, language))
    for tag in (DCTERMS + "created", DCTERMS + "modified"):
        _set_text(root, tag, stamp, {XSI + "type": "dcterms:W3CDTF"})
    return etree.tostring(root, xml_declaration=True, encoding="UTF-8", standalone=True)


def app_properties(xml: bytes) -> bytes:
    """The extended properties without the template's history: the application is this service,
    and the template's page, word and editing-time counts (which describe the template, not the
    document) are left out."""
    root = etree.fromstring(xml, _PARSER)
    for element in list(root):
        if etree.QName(element).localname not in KEPT_APP:
            root.remove(element)
    _set_text(root, EP + "Application", APPLICATION)
    for element in root.findall(EP + "AppVersion"):
        root.remove(element)
    return etree.tostring(root, xml_declaration=True, encoding="UTF-8", standalone=True)


def properties(kind: str, xml: bytes, context: dict, now: dt.datetime, templated: frozenset = frozenset()) -> bytes:
    """The core ("core") or extended ("app") properties part of a document rendered with ``context``."""
    if kind == "app":
        return app_properties(xml)
    doc = context.get("doc") or {}
    return core_properties(xml, doc.get("title") or "", context.get("language") or "fi", now, templated)


def finish_package(data: bytes, context: dict, templated: frozenset = frozenset()) -> bytes:
    """Every rule of the module on a whole rendered .docx (the plain docxtpl path): its body,
    the marks in its headers and footers, its properties."""
    now = dt.datetime.now(dt.UTC)
    source = zipfile.ZipFile(io.BytesIO(data))
    names = source.namelist()
    styles = read_styles(source.read("word/styles.xml") if "word/styles.xml" in names else None)
    out = io.BytesIO()
    with zipfile.ZipFile(out, "w", zipfile.ZIP_DEFLATED) as target:
        for info in source.infolist():
            content = source.read(info)
            if info.filename == "word/document.xml":
                root = etree.fromstring(content, _PARSER)
                finish_body(root.find(W + "body"), styles)
                content = etree.tostring(root, xml_declaration=True, encoding="UTF-8", standalone=True)
            elif re.fullmatch(r"word/(header|footer|footnotes)\d*\.xml", info.filename):
                text = content.decode("utf-8")
                if PARAGRAPH_MARK in text or BULLET_MARK in text:
                    line = '</w:t><w:br/><w:t xml:space="preserve">'
                    content = text.replace(PARAGRAPH_MARK, line).replace(BULLET_MARK, "• ").encode("utf-8")
            elif info.filename == "docProps/core.xml":
                content = properties("core", content, context, now, templated)
            elif info.filename == "docProps/app.xml":
                content = properties("app", content, context, now)
            target.writestr(info, content)
    return out.getvalue()
