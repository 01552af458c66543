"""A docxtpl-compatible renderer that prepares each template once.

Plain docxtpl re-reads the package, re-runs its tag preprocessing and recompiles every part
on every render. Here that happens once per template version: each part that holds tags is
preprocessed exactly as docxtpl does it (its own ``patch_xml``) and compiled in the sandboxed
environment; every other zip member is kept as its original compressed bytes. A render then
runs only the compiled Jinja templates, docxtpl's post-processing steps where the template
needs them, and writes the zip.

Pictures made at render time (service/rendering/pictures.py, the network map's diagram) are
printed into the body by their own ``__html__``; the engine adds each image as a new zip member
with its relationship and, when the package has none yet, the PNG content type.

Templates with features this engine does not reproduce (tags in the document properties) are
rendered by plain docxtpl instead: same result, just slower. Nothing per render is shared
mutable state: a prepared template is read-only after construction.
"""

from __future__ import annotations

import datetime as dt
import io
import re
import struct
import zlib
from dataclasses import dataclass
from xml.parsers import expat

from docx.opc.constants import RELATIONSHIP_TYPE as RT
from docxtpl import DocxTemplate
from jinja2 import Environment
from lxml import etree

from service.rendering import finishing
from service.rendering.formatting import BRACE_GUARD
from service.rendering.pictures import IMAGE_RELATIONSHIP, PNG_CONTENT_TYPE, Collected, collecting
from service.rendering.sandbox import outside_budget

XML_DECLARATION = '<?xml version="1.0" encoding="UTF-8" standalone="yes"?>\n'
_BODY_RE = re.compile(r"<w:body[ >/]")
_LISTING_CHARS = ("\n", "\t", "\a", "\f")
_DOCPR_RE = re.compile(r'(<wp:docPr\b[^>]*?\bid=")\d+(")')
_STRICT_PARSER = etree.XMLParser(recover=False, resolve_entities=False, no_network=True, huge_tree=False)


class Unbalanced(Exception):
    """A block's literal XML does not close what it opens in the same way on every path."""


_TAG_RE = re.compile(r"<(/?)([A-Za-z_][\w.:-]*)[^>]*?(/?)>")
_EMPTY = ((), ())


def _data_effect(text: str) -> tuple[tuple, tuple]:
    """What a piece of literal XML does to the element stack: (closes it needs, opens it leaves)."""
    needs: list[str] = []
    opened: list[str] = []
    for close, name, self_closing in _TAG_RE.findall(text):
        if self_closing:
            continue
        if not close:
            opened.append(name)
        elif opened:
            if opened.pop() != name:
                raise Unbalanced(name)
        else:
            needs.append(name)
    return tuple(needs), tuple(opened)


def _then(first, second):
    needs, opened = list(first[0]), list(first[1])
    for name in second[0]:
        if opened:
            if opened.pop() != name:
                raise Unbalanced(name)
        else:
            needs.append(name)
    return tuple(needs), tuple(opened + list(second[1]))


def _same(a, b):
    """Two alternatives are interchangeable when they leave any stack that satisfies both in the
    same state: the longer precondition wins (a loop body that closes and reopens a paragraph
    is interchangeable with emitting nothing)."""
    if len(a[0]) < len(b[0]):
        a, b = b, a
    if a[0][: len(b[0])] != b[0] or a[1] != tuple(reversed(a[0][len(b[0]):])) + b[1]:
        raise Unbalanced("branches differ")
    return a


def _effect(body) -> tuple[tuple, tuple]:
    from jinja2 import nodes

    effect = _EMPTY
    for node in body:
        if isinstance(node, nodes.Output):
            for child in node.nodes:
                if isinstance(child, nodes.TemplateData):
                    effect = _then(effect, _data_effect(child.data))
                # anything else prints escaped text: no tags
        elif isinstance(node, nodes.If):
            branches = [_effect(node.body)] + [_effect([e]) for e in node.elif_] + [_effect(node.else_)]
            combined = branches[0]
            for branch in branches[1:]:
                combined = _same(combined, branch)
            effect = _then(effect, combined)
        elif isinstance(node, nodes.For):
            loop = _same(_effect(node.body), _EMPTY)
            if loop[1] != tuple(reversed(loop[0])):
                raise Unbalanced("loop body")
            effect = _then(effect, _same(loop, _effect(node.else_)))
        elif isinstance(node, nodes.With):
            effect = _then(effect, _effect(node.body))
        elif isinstance(node, (nodes.Assign, nodes.ExprStmt)):
            continue
        else:
            # Macros, call and filter blocks, {% set %} blocks print markup where they are used:
            # leave those templates to the per-render check.
            raise Unbalanced(type(node).__name__)
    return effect


def provably_balanced(env: Environment, source: str) -> bool:
    """True when every render of ``source`` is well-formed XML, whatever the data: printed
    values are escaped, so only literal XML can unbalance the output, and every branch and
    loop of it closes what it opens."""
    try:
        return _effect(env.parse(source).body) == _EMPTY
    except Unbalanced:
        return False


class NotSupported(Exception):
    """The template uses something this engine leaves to plain docxtpl."""


@dataclass(frozen=True)
class _Member:
    """A zip member copied as it is: its local record is written from the original bytes."""

    name: bytes
    flags: int
    method: int
    dostime: int
    dosdate: int
    crc: int
    compressed: bytes
    size: int


@dataclass(frozen=True)
class _Properties:
    """The core or extended properties part, rewritten per render as the document's own."""

    name: bytes
    dostime: int
    dosdate: int
    kind: str  # "core" or "app"
    original: bytes


@dataclass(frozen=True)
class _Added:
    """A zip member a render adds (a picture)."""

    name: bytes
    dostime: int
    dosdate: int


@dataclass(frozen=True)
class _Rendered:
    """A zip member whose content is a compiled template."""

    name: bytes
    dostime: int
    dosdate: int
    kind: str  # "body", "part" (header/footer), "raw" (footnotes: docxtpl keeps the declaration)
    template: tuple  # (compiled Jinja template, whether paragraph line marks were added)
    # Whether each render is parsed to prove it well formed (when the template's structure
    # cannot be proven balanced once, at preparation).
    check: bool
    head: str = ""
    tail: str = ""


def _raw_member(data: bytes, info) -> _Member:
    # The local header's name and extra lengths may differ from the central directory's.
    offset = info.header_offset
    name_len, extra_len = struct.unpack("<HH", data[offset + 26: offset + 30])
    start = offset + 30 + name_len + extra_len
    dostime = (info.date_time[3] << 11) | (info.date_time[4] << 5) | (info.date_time[5] // 2)
    dosdate = ((info.date_time[0] - 1980) << 9) | (info.date_time[1] << 5) | info.date_time[2]
    return _Member(
        name=info.filename.encode("utf-8"),
        flags=info.flag_bits & 0x0800,  # keep only "UTF-8 name"; sizes are known, no data descriptor
        method=info.compress_type,
        dostime=dostime,
        dosdate=dosdate,
        crc=info.CRC,
        compressed=data[start: start + info.compress_size],
        size=info.file_size,
    )


def _compile(env: Environment, src: str):
    """docxtpl.render_xml_part puts each paragraph on a line of its own before rendering and
    takes those line breaks out afterwards; they only serve Jinja's line numbers (the load-time
    check reports places on its own). Where the part has no line break of its own, leaving
    them out gives the same output without the per-render cleanup."""
    if "\n" in src:
        return env.from_string(re.sub(r"<w:p([ >])", r"\n<w:p\1", src)), True
    return env.from_string(src), False


def _after_render(xml: str, marked: bool, body: bool = True) -> str:
    # The rest of docxtpl.render_xml_part, in the same order. A value's paragraph marks become
    # paragraphs in the body (finishing.py) and lines elsewhere (headers, footers).
    if not body:
        xml = finishing.flatten_marks(xml)
    if marked:
        xml = re.sub(r"\n<w:p([ >])", r"<w:p\1", xml)
    if "{_" in xml or "_}" in xml:
        xml = xml.replace("{_{", "{{").replace("}_}", "}}").replace("{_%", "{%").replace("%_}", "%}")
    if BRACE_GUARD in xml:
        xml = xml.replace(BRACE_GUARD, "_")
    if any(c in xml for c in _LISTING_CHARS):
        xml = _resolve_listing(xml)
    return xml


def _next_listing_char(xml: str, start: int) -> int:
    # str.find per character is far faster than a regex character class over a whole part.
    found = [i for i in (xml.find(c, start) for c in _LISTING_CHARS) if i >= 0]
    return min(found) if found else -1


def _resolve_listing(xml: str) -> str:
    """docxtpl.resolve_listing applied only to the paragraphs that hold a line break, tab,
    paragraph or page mark. Paragraphs are disjoint, so the result is the same as running it
    over the whole part, which costs a regex substitution per paragraph of the document."""
    if "txbxContent" in xml:  # nested paragraphs (text boxes): keep docxtpl's whole-part pass
        return DocxTemplate.resolve_listing(None, xml)
    out = []
    done = 0
    pos = _next_listing_char(xml, 0)
    while pos >= 0:
        start = max(xml.rfind("<w:p ", done, pos), xml.rfind("<w:p>", done, pos))
        end = xml.find("</w:p>", pos)
        if start < 0 or end < 0:  # outside a paragraph: docxtpl leaves it alone too
            pos = _next_listing_char(xml, pos + 1)
            continue
        end += len("</w:p>")
        out.append(xml[done:start])
        out.append(DocxTemplate.resolve_listing(None, xml[start:end]))
        done = end
        pos = _next_listing_char(xml, done)
    out.append(xml[done:])
    return "".join(out)


_CELL_TAG_RE = re.compile(r"</w:tc>\s*\{%|%\}\s*<w:tc[ >]")


def _cells_may_change(body_src: str) -> bool:
    """Whether rendering can change a table's cell count (cell loops or conditions, merges),
    or the template's own tables already disagree with their grids: then docxtpl's
    fix_tables has work to do."""
    if _CELL_TAG_RE.search(body_src):
        return True
    try:
        return _tables_need_fixing(etree.fromstring(body_src.encode("utf-8"), _STRICT_PARSER))
    except etree.XMLSyntaxError:
        return True


class PreparedDocx:
    """One template version, preprocessed and compiled once."""

    def __init__(self, data: bytes, env: Environment):
        import zipfile

        tpl = DocxTemplate(io.BytesIO(data))
        tpl.init_docx()
        props = tpl.docx.core_properties
        for name in ("author", "comments", "identifier", "language", "subject", "title"):
            if "{" in (getattr(props, name) or ""):
                raise NotSupported("tags in document properties")

        main = tpl.docx.part.partname.lstrip("/")
        templated: dict[str, tuple[str, tuple, str, str, bool]] = {}

        body_src = tpl.patch_xml(tpl.get_xml())
        raw_document = zipfile.ZipFile(io.BytesIO(data)).read(main).decode("utf-8")
        start = _BODY_RE.search(raw_document)
        end = raw_document.rfind("</w:body>")
        if start is None or end < 0:
            raise NotSupported("document body not found")
        head = raw_document[: start.start()]
        tail = raw_document[end + len("</w:body>"):]
        templated[main] = ("body", _compile(env, body_src), head, tail, not provably_balanced(env, body_src))
        self.fix_tables = "<w:tbl" in body_src and _cells_may_change(body_src)
        self.fix_docpr = "docPr" in body_src
        self.styles = finishing.read_styles(etree.tostring(tpl.docx.styles.element))
        properties = {part.partname.lstrip("/"): kind for part in tpl.docx.part.package.parts
                      for kind, suffix in (("core", "core-properties+xml"), ("app", "extended-properties+xml"))
                      if part.content_type.endswith(suffix)}

        for rel in tpl.docx.part.rels.values():
            if rel.is_external or rel.reltype not in (RT.HEADER, RT.FOOTER) or not rel.target_part.blob:
                continue
            part = rel.target_part
            src = tpl.patch_xml(tpl.get_part_xml(part))
            templated[part.partname.lstrip("/")] = ("part", _compile(env, src), "", "", not provably_balanced(env, src))
        for part in tpl.docx.part.package.parts:
            if part.content_type.endswith("wordprocessingml.footnotes+xml"):
                src = tpl.patch_xml(part.blob.decode("utf-8"))
                templated[part.partname.lstrip("/")] = ("raw", _compile(env, src), "", "", not provably_balanced(env, src))

        folder, _, part_file = main.rpartition("/")
        self._rels_name = f"{folder}/_rels/{part_file}.rels" if folder else f"_rels/{part_file}.rels"
        self._main_folder = f"{folder}/" if folder else ""
        members: list[_Member | _Rendered | _Properties] = []
        with zipfile.ZipFile(io.BytesIO(data)) as package:
            names = set(package.namelist())
            # Read once, rewritten only by a render that adds a picture.
            self._rels_xml = package.read(self._rels_name).decode("utf-8") if self._rels_name in names else None
            self._types_xml = package.read("[Content_Types].xml").decode("utf-8")
            # Pictures are named as python-docx names them (media/image<n>.png, the first free n).
            taken = {n for n in names if n.startswith(self._main_folder + "media/image")}
            self._first_image = next(n for n in range(1, len(taken) + 2)
                                     if f"{self._main_folder}media/image{n}.png" not in taken)
            for info in package.infolist():
                if info.filename in templated:
                    kind, template, head, tail, check = templated[info.filename]
                    raw = _raw_member(data, info)
                    members.append(_Rendered(raw.name, raw.dostime, raw.dosdate, kind, template, check, head, tail))
                elif info.filename in properties:
                    raw = _raw_member(data, info)
                    members.append(_Properties(raw.name, raw.dostime, raw.dosdate, properties[info.filename],
                                               package.read(info)))
                else:
                    members.append(_raw_member(data, info))
        self.members = tuple(members)

    def render(self, context: dict) -> bytes:
        contents: list[bytes | None] = []
        now = dt.datetime.now(dt.UTC)
        pictures = Collected()
        for member in self.members:
            if isinstance(member, _Member):
                contents.append(None)
                continue
            if isinstance(member, _Properties):
                contents.append(finishing.properties(member.kind, member.original, context, now))
                continue
            template, marked = member.template
            if member.kind == "body":
                with collecting(pictures.add):
                    xml = _after_render(template.render(context), marked, body=True)
            else:
                xml = _after_render(template.render(context), marked, body=False)
            if member.kind == "body":
                # The service's own finishing (free text into paragraphs and lists) is not the
                # template's time: the parts rendered after the body keep their whole budget.
                with outside_budget():
                    finished = self._finish_body(xml, bool(pictures.pictures))
                content = (member.head + finished + member.tail).encode("utf-8")
            elif member.kind == "part":
                content = (XML_DECLARATION + xml).encode("utf-8")
            else:
                content = xml.encode("utf-8")
            if member.check or (member.kind == "body" and pictures.pictures):
                _well_formed(content)
            contents.append(content)
        if pictures.pictures:
            return self._with_pictures(list(self.members), contents, pictures)
        return _write_zip(self.members, contents)

    def _image_name(self, number: int) -> str:
        return f"media/image{self._first_image + number - 1}.png"

    def _with_pictures(self, members: list, contents: list, pictures: Collected) -> bytes:
        """The package with each picture as a PNG member, its relationship from the main part, and
        the PNG content type."""
        if self._rels_xml is None:
            raise NotSupported("the main part has no relationships part")
        relationships = "".join(
            f'<Relationship Id="{pictures.relationship_id(n)}" Type="{IMAGE_RELATIONSHIP}" '
            f'Target="{self._image_name(n)}"/>' for n in range(1, len(pictures.pictures) + 1))
        rels = self._rels_xml.replace("</Relationships>", relationships + "</Relationships>")
        types = self._types_xml
        if not re.search(r'<Default\s[^>]*Extension="png"', types, re.IGNORECASE):
            types = types.replace("</Types>", f'<Default Extension="png" ContentType="{PNG_CONTENT_TYPE}"/></Types>')
        for index, member in enumerate(members):
            if member.name == self._rels_name.encode("utf-8"):
                contents[index] = rels.encode("utf-8")
            elif member.name == b"[Content_Types].xml":
                contents[index] = types.encode("utf-8")
        stamp = members[0]
        for number, picture in enumerate(pictures.pictures, start=1):
            name = (self._main_folder + self._image_name(number)).encode("utf-8")
            members.append(_Added(name, stamp.dostime, stamp.dosdate))
            contents.append(picture.drawn().png)
        return _write_zip(members, contents)

    def _finish_body(self, xml: str, pictures: bool = False) -> str:
        if self.fix_tables and _tables_need_fixing(etree.fromstring(xml.encode("utf-8"), _STRICT_PARSER)):
            # docxtpl.fix_tables, run on a tree parsed strictly (docxtpl's own parser recovers
            # from broken XML silently; here broken XML is an error).
            xml = etree.tostring(DocxTemplate.fix_tables(None, xml), encoding="unicode")
        if self.fix_docpr or pictures:
            counter = iter(range(1001, 1 << 30))
            xml = _DOCPR_RE.sub(lambda m: f"{m.group(1)}{next(counter)}{m.group(2)}", xml)
        try:
            return finishing.finish_body_xml(xml, self.styles)
        except etree.XMLSyntaxError:
            raise BrokenOutput("rendered XML is not well formed") from None


class BrokenOutput(ValueError):
    """Rendering produced XML that is not well formed (a template fault)."""


def _well_formed(content: bytes) -> None:
    """Expat checks well-formedness about three times faster than building an lxml tree."""
    parser = expat.ParserCreate()
    try:
        parser.Parse(content, True)
    except expat.ExpatError:
        raise BrokenOutput("rendered XML is not well formed") from None


_W = "{http://schemas.openxmlformats.org/wordprocessingml/2006/main}"


def _tables_need_fixing(tree) -> bool:
    """True where docxtpl.fix_tables would change something: a row with more cells than grid
    columns, or fewer cells (spans counted) in every row than grid columns."""
    for table in tree.iter(_W + "tbl"):
        grid = table.find(_W + "tblGrid")
        columns = len(grid.findall(_W + "gridCol")) if grid is not None else 0
        widest = 0
        for row in table.iter(_W + "tr"):
            cells = row.findall(_W + "tc")
            if len(cells) > columns:
                return True
            span = 0
            for cell in cells:
                gs = cell.find(f"{_W}tcPr/{_W}gridSpan")
                span += int(gs.get(_W + "val")) if gs is not None else 1
            widest = max(widest, span)
        if widest < columns:
            return True
    return False


def _write_zip(members, contents) -> bytes:
    out = bytearray()
    central = bytearray()
    for member, content in zip(members, contents):
        if content is None:
            name, flags, method, crc = member.name, member.flags, member.method, member.crc
            compressed, size = member.compressed, member.size
        else:
            name, flags, method = member.name, 0x0800 if not member.name.isascii() else 0, 8
            crc = zlib.crc32(content)
            compressor = zlib.compressobj(1, zlib.DEFLATED, -15)
            compressed = compressor.compress(content) + compressor.flush()
            size = len(content)
        offset = len(out)
        out += struct.pack("<4s5H3L2H", b"PK\x03\x04", 20, flags, method, member.dostime, member.dosdate,
                           crc, len(compressed), size, len(name), 0)
        out += name
        out += compressed
        central += struct.pack("<4s6H3L5H2L", b"PK\x01\x02", 20, 20, flags, method, member.dostime,
                               member.dosdate, crc, len(compressed), size, len(name), 0, 0, 0, 0, 0, offset)
        central += name
    cd_offset = len(out)
    out += central
    out += struct.pack("<4s4H2LH", b"PK\x05\x06", 0, 0, len(members), len(members), len(central), cd_offset, 0)
    return bytes(out)
