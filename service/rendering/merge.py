"""Several rendered .docx one after another in one file (the invitation letters as one document).

Each document becomes a section of its own: it starts on a new page, keeps its own header and
footer (a letter in Swedish keeps its Swedish header) and numbers its pages from 1 ("Sivu 1 / 2":
the footers' page count counts the section's pages). Header and footer parts that are the same
in several letters are stored once. In memory, with python-docx and lxml.

The documents are expected to come from templates of one family (the built-in ones and their
uploaded versions): the body keeps the first document's styles and list definitions.

A letter made with the same template as the first one differs from it only in its body
(``word/document.xml``) and its properties: then only its body is read (about 1 ms instead of
opening the whole package), and its relationship ids are already the first document's.
"""

from __future__ import annotations

import copy
import hashlib
import io
import zipfile

from docx import Document
from docx.opc.constants import RELATIONSHIP_TYPE as RT
from docx.oxml import OxmlElement, parse_xml
from docx.oxml.ns import qn

R_NS = "{http://schemas.openxmlformats.org/officeDocument/2006/relationships}"
BODY = "word/document.xml"
_OWN = (BODY, "docProps/core.xml", "docProps/app.xml", "docProps/custom.xml")  # may differ letter by letter
_AFTER_PAGE_NUMBERS = ("w:cols", "w:formProt", "w:vAlign", "w:noEndnote", "w:titlePg", "w:textDirection", "w:bidi",
                       "w:rtlGutter", "w:docGrid", "w:printerSettings", "w:sectPrChange")


def merge(documents: list[bytes]) -> bytes:
    if len(documents) == 1:
        return documents[0]
    base = Document(io.BytesIO(documents[0]))
    body = base.element.body
    adopted: dict[tuple[str, str], str] = {}  # (relationship type, part hash) → relationship id in base
    for rel_id, rel in base.part.rels.items():
        if not rel.is_external and rel.reltype in (RT.HEADER, RT.FOOTER):
            _count_sections_pages(rel.target_part)
            adopted[(rel.reltype, _digest(rel.target_part.blob))] = rel_id
    _restart_page_numbers(body.sectPr)
    shared = _shared_parts(documents[0])
    for data in documents[1:]:
        _end_section(body)
        own_body = _own_body(data, shared)
        if own_body is not None:  # the first one's template: its ids are the first one's
            for child in list(own_body):
                if child.tag != qn("w:sectPr"):
                    body.sectPr.addprevious(child)
            section = own_body.find(qn("w:sectPr"))
        else:
            other = Document(io.BytesIO(data))
            for child in list(other.element.body):
                if child.tag == qn("w:sectPr"):
                    continue
                element = copy.deepcopy(child)
                _relink(element, other.part, base.part, adopted)
                body.sectPr.addprevious(element)
            section = copy.deepcopy(other.element.body.sectPr)
            _relink(section, other.part, base.part, adopted)
        _restart_page_numbers(section)
        body.sectPr.getparent().replace(body.sectPr, section)
    out = io.BytesIO()
    base.save(out)
    return out.getvalue()


def _shared_parts(data: bytes) -> dict[str, bytes]:
    """The first document's parts that a letter of the same template has byte for byte."""
    with zipfile.ZipFile(io.BytesIO(data)) as package:
        return {name: package.read(name) for name in package.namelist() if name not in _OWN}


def _own_body(data: bytes, shared: dict[str, bytes]):
    """The document's ``w:body``, read alone, when every other part is the first document's;
    else None (another template, or a part of its own: then the whole package is opened)."""
    with zipfile.ZipFile(io.BytesIO(data)) as package:
        names = [name for name in package.namelist() if name not in _OWN]
        if sorted(names) != sorted(shared) or BODY not in package.namelist():
            return None
        if any(package.read(name) != shared[name] for name in names):
            return None
        element = parse_xml(package.read(BODY))
    own = element.find(qn("w:body"))
    return own if own is not None and own.find(qn("w:sectPr")) is not None else None


def _digest(blob: bytes) -> str:
    return hashlib.sha256(blob).hexdigest()


def _end_section(body) -> None:
    """The section so far ends with its last paragraph (a new empty one after a table): its
    properties move into that paragraph, so the next document starts on a new page."""
    section = body.sectPr
    last = section.getprevious()
    if last is None or last.tag != qn("w:p"):
        last = OxmlElement("w:p")
        section.addprevious(last)
    properties = last.get_or_add_pPr()
    properties.append(copy.deepcopy(section))


def _restart_page_numbers(section) -> None:
    numbering = section.find(qn("w:pgNumType"))
    if numbering is None:
        numbering = OxmlElement("w:pgNumType")
        following = next((section.find(qn(tag)) for tag in _AFTER_PAGE_NUMBERS if section.find(qn(tag)) is not None),
                         None)
        if following is not None:
            following.addprevious(numbering)
        else:
            section.append(numbering)
    numbering.set(qn("w:start"), "1")


def _count_sections_pages(part) -> None:
    """A footer's page count becomes the section's: each letter says "1 / 1", not "1 / 30"."""
    element = part.element
    for instruction in element.iter(qn("w:instrText")):
        if instruction.text and "NUMPAGES" in instruction.text:
            instruction.text = instruction.text.replace("NUMPAGES", "SECTIONPAGES")
    for field in element.iter(qn("w:fldSimple")):
        if "NUMPAGES" in (field.get(qn("w:instr")) or ""):
            field.set(qn("w:instr"), field.get(qn("w:instr")).replace("NUMPAGES", "SECTIONPAGES"))


def _relink(element, source, target, adopted: dict) -> None:
    """Point every relationship id in ``element`` (copied from ``source``'s content) at the same
    target from ``target``: external links as they are, parts adopted into the target package."""
    for node in element.iter():
        for attribute, rel_id in list(node.attrib.items()):
            if not attribute.startswith(R_NS) or rel_id not in source.rels:
                continue
            rel = source.rels[rel_id]
            if rel.is_external:
                node.set(attribute, target.relate_to(rel.target_ref, rel.reltype, is_external=True))
                continue
            part = rel.target_part
            if rel.reltype in (RT.HEADER, RT.FOOTER):
                _count_sections_pages(part)
            key = (rel.reltype, _digest(part.blob))
            if key not in adopted:
                _adopt(part, target.package)
                adopted[key] = target.relate_to(part, rel.reltype)
            node.set(attribute, adopted[key])


def _adopt(part, package, seen: set | None = None) -> None:
    """Give a part from another package (and the parts it refers to) names free in ``package``."""
    seen = seen if seen is not None else set()
    if id(part) in seen:
        return
    seen.add(id(part))
    name = str(part.partname)
    stem, _, extension = name.rpartition(".")
    template = stem.rstrip("0123456789") + "%d." + extension
    part.partname = package.next_partname(template)
    for rel in part.rels.values():
        if not rel.is_external:
            _adopt(rel.target_part, package, seen)
