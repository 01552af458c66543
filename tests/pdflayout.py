"""Where things landed on the PDF pages: the layout faults a reader sees, read from a tagged PDF.

LibreOffice writes a tagged PDF (PDF/A-2b): every paragraph, heading, list and table row is a
structure element whose marked content is on one page or more. Those pages, the characters'
positions (pdfplumber) and the page margins of the .docx answer the layout questions:

* a heading that is the last thing on its page (the text it heads starts on the next one);
* a table row whose content is on two pages (unless the row alone is taller than a page);
* a signature block (the .docx's bookmark, service/rendering/finishing.py) on two pages;
* a character outside the page margins (body) or off the paper (header and footer);
* a word that should stand whole (a choice's label in a narrow column) broken over two lines.

pdfplumber's own structure tree gives a whole element the page of its first part, so the tree
is walked here, with each marked-content reference's own page.
"""

from __future__ import annotations

import io
import logging
import re
import unicodedata
from collections import defaultdict
from dataclasses import dataclass, field

import pdfplumber
from pdfminer.pdftypes import resolve1
from pdfminer.psparser import PSLiteral

# pdfminer logs the PDF's tokens (the document's own text) at DEBUG: never in a log.
logging.getLogger("pdfminer").setLevel(logging.WARNING)

HEADINGS = {"H", "H1", "H2", "H3", "H4", "H5", "H6"}
CONTAINERS = {"Document", "Part", "Sect", "Div", "Art", "NonStruct"}
TOLERANCE = 1.5  # points: rounding of positions and glyph side bearings
TALL_SHARE = 0.5  # a row whose text covers half a page's body or more may split


@dataclass
class Element:
    kind: str
    children: list[Element] = field(default_factory=list)
    content: list[tuple[int, int]] = field(default_factory=list)  # (page number, MCID) of its own text

    def marks(self) -> list[tuple[int, int]]:
        """Every (page, MCID) of the element and its descendants, in document order."""
        found = list(self.content)
        for child in self.children:
            found += child.marks()
        return found

    def rows(self):
        if self.kind == "TR":
            yield self
        for child in self.children:
            yield from child.rows()


@dataclass
class Problem:
    kind: str  # heading-at-foot, row-split, signatures-split, outside-margins, word-broken
    page: int
    text: str

    def __str__(self) -> str:
        return f"{self.kind} (page {self.page}): {self.text[:70]!r}"


def _name(value) -> str:
    value = resolve1(value)
    return value.name if isinstance(value, PSLiteral) else str(value)


class Layout:
    """A converted document: its structure elements, their text and pages, and every character."""

    def __init__(self, content: bytes):
        with pdfplumber.open(io.BytesIO(content)) as pdf:
            self.pages = len(pdf.pages)
            self.size = [(page.width, page.height) for page in pdf.pages]
            page_of = {page.page_obj.pageid: page.page_number for page in pdf.pages}
            root = resolve1(pdf.doc.catalog["StructTreeRoot"])
            roles = {name: _name(target) for name, target in (resolve1(root.get("RoleMap")) or {}).items()}
            self.root = Element("StructTreeRoot")
            self._walk(root.get("K"), self.root, None, page_of, roles)
            self.chars = [(page.page_number, char) for page in pdf.pages for char in page.chars]
            self.words = [(page.page_number, word["text"]) for page in pdf.pages for word in page.extract_words()]
        self.text: dict[tuple[int, int], str] = defaultdict(str)
        for page, char in self.chars:
            if char.get("mcid") is not None:
                self.text[(page, char["mcid"])] += char["text"]

    def _walk(self, node, parent: Element, page, page_of, roles) -> None:
        node = resolve1(node)
        if isinstance(node, list):
            for child in node:
                self._walk(child, parent, page, page_of, roles)
        elif isinstance(node, int):
            parent.content.append((page, node))
        elif isinstance(node, dict):
            own_page = node.get("Pg")
            if hasattr(own_page, "objid"):  # a reference to the page object
                page = page_of.get(own_page.objid, page)
            if "MCID" in node:  # a marked-content reference, possibly on another page than its element
                parent.content.append((page, node["MCID"]))
            elif "S" in node:
                kind = _name(node["S"])
                element = Element(roles.get(kind, kind))
                parent.children.append(element)
                if "K" in node:
                    self._walk(node["K"], element, page, page_of, roles)

    # --- reading ----------------------------------------------------------------------------
    def text_of(self, element: Element) -> str:
        return "".join(self.text.get(mark, "") for mark in element.marks())

    def blocks(self) -> list[Element]:
        """The document's paragraphs, headings, lists and tables in order (sections opened)."""
        found: list[Element] = []

        def visit(element: Element):
            for child in element.children:
                if child.kind in CONTAINERS:
                    visit(child)
                elif child.marks():
                    found.append(child)

        visit(self.root)
        return found

    def pages_of(self, element: Element) -> list[int]:
        return sorted({page for page, mcid in element.marks() if self.text.get((page, mcid), "").strip()})

    def extent(self, element: Element) -> float:
        """The height the element's characters cover, summed over its pages."""
        marks = set(element.marks())
        spans: dict[int, list[float]] = {}
        for page, char in self.chars:
            if (page, char.get("mcid")) in marks:
                low, high = spans.setdefault(page, [char["top"], char["bottom"]])
                spans[page] = [min(low, char["top"]), max(high, char["bottom"])]
        return sum(high - low for low, high in spans.values())


def compact(text: str) -> str:
    return re.sub(r"[\s\u200b]+", "", unicodedata.normalize("NFKC", text))


# A word shorter than this fits any column; in the page's text without spaces it could also be
# found across two words, which would count as broken.
WHOLE_WORD_MIN = 8


def broken_words(layout: Layout, words=()) -> list[Problem]:
    """Each of ``words`` that is somewhere on a page but not as (part of) one printed word: its
    letters are there in order, but over two lines (a column too narrow for it)."""
    found: list[Problem] = []
    for page in range(1, layout.pages + 1):
        text = compact("".join(char["text"] for number, char in layout.chars if number == page))
        printed = [compact(word) for number, word in layout.words if number == page]
        for word in sorted(w for w in words if len(w) >= WHOLE_WORD_MIN):
            if text.count(word) > sum(each.count(word) for each in printed):
                found.append(Problem("word-broken", page, word))
    return found


def problems(layout: Layout, margins: dict[str, float], signatures: list[list[str]] = (),
             words=()) -> list[Problem]:
    """Every layout fault of the document. ``margins``: the page margins in points (left, right,
    top, bottom); ``signatures``: each signature block as the texts of its paragraphs and
    tables in order, from the .docx; ``words``: words that must not break over lines."""
    found: list[Problem] = []
    blocks = [block for block in layout.blocks() if layout.pages_of(block)]
    body_height = min(height for _, height in layout.size) - margins["top"] - margins["bottom"]

    for index, block in enumerate(blocks[:-1]):
        if block.kind in HEADINGS:
            here, after = layout.pages_of(block)[-1], layout.pages_of(blocks[index + 1])[0]
            if after > here:
                found.append(Problem("heading-at-foot", here, layout.text_of(block)))

    for block in blocks:
        for row in block.rows():
            pages = layout.pages_of(row)
            # A row of most of a page's height may split (service/rendering/finishing.py, TALL_ROW):
            # kept whole it would leave its heading and most of a page empty, or run off the page.
            if len(pages) > 1 and layout.extent(row) < TALL_SHARE * body_height:
                found.append(Problem("row-split", pages[0], layout.text_of(row)))

    texts = [compact(layout.text_of(block)) for block in blocks]
    for signature in signatures:
        wanted = [compact(text) for text in signature if compact(text)]
        for start in range(len(blocks) - len(wanted) + 1):
            if texts[start:start + len(wanted)] == wanted:
                covered = blocks[start:start + len(wanted)]
                pages = sorted({page for block in covered for page in layout.pages_of(block)})
                # A block taller than a page cannot be on one (10 children and 8 guardians sign):
                # so it is when its text is, or when it began at the top of a page and still went on.
                at_top = next(b for b in blocks if pages[0] in layout.pages_of(b)) is covered[0]
                if len(pages) > 1 and not at_top and sum(layout.extent(block) for block in covered) < body_height:
                    found.append(Problem("signatures-split", pages[0], signature[0]))
                break
        else:
            found.append(Problem("signatures-not-found", 0, wanted[0] if wanted else ""))

    for page, char in layout.chars:
        if not char["text"].strip():
            continue
        width, height = layout.size[page - 1]
        outside = char["x0"] < margins["left"] - TOLERANCE or char["x1"] > width - margins["right"] + TOLERANCE
        if char.get("mcid") is not None:  # body text: inside the top and bottom margins too
            outside = outside or char["top"] < margins["top"] - TOLERANCE \
                or char["bottom"] > height - margins["bottom"] + TOLERANCE
        else:  # header and footer: on the paper
            outside = outside or char["top"] < 0 or char["bottom"] > height
        if outside:
            found.append(Problem("outside-margins", page, char["text"]))
            break
    return found + broken_words(layout, words)
