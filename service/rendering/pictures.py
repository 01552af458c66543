"""Pictures made at render time (the network map's diagram) and placed where a template prints them.

A :class:`Picture` in the template context prints, through Jinja's ``__html__`` protocol (the
sandbox escapes every other value), the WordprocessingML of an inline picture: the run that holds
the tag is closed, a run with the drawing follows, and a new run takes the text after the tag, as
docxtpl's own InlineImage does. The PNG itself goes into the package through whoever is rendering
(the compile-once engine or plain docxtpl), which opens a :func:`collecting` block for the body
and receives the picture there. Outside such a block (a header, a footer, the document's
properties) a picture cannot be printed: an error, never a silently missing picture.

The picture is drawn only when a template prints it, and its alternative text (``descr``, what a
screen reader and a tagged PDF read) is given with it.
"""

from __future__ import annotations

from collections.abc import Callable, Iterator
from contextlib import contextmanager
from contextvars import ContextVar
from dataclasses import dataclass
from xml.sax.saxutils import escape

from service.rendering.sandbox import outside_budget

EMU_PER_CM = 360_000
IMAGE_RELATIONSHIP = "http://schemas.openxmlformats.org/officeDocument/2006/relationships/image"
PNG_CONTENT_TYPE = "image/png"


# A template that prints a picture in a loop would put a copy of the image in the package each time.
MAX_PICTURES = 4


class PictureOutOfPlace(Exception):
    """A picture was printed where no picture can go (outside the document body), or too often."""


@dataclass(frozen=True)
class Drawn:
    png: bytes
    width_px: int
    height_px: int


class Picture:
    """A picture of ``width_cm``, drawn by ``draw`` when printed, with its alternative text.

    Only underscore attributes: the sandbox refuses them, so a template can print the picture and
    nothing else of it (``str()`` gives the alternative text)."""

    __slots__ = ("_draw", "_description", "_name", "_width_cm", "_drawn")

    def __init__(self, draw: Callable[[], Drawn], description: str, name: str, width_cm: float):
        self._draw = draw
        self._description = description
        self._name = name
        self._width_cm = width_cm
        self._drawn: Drawn | None = None

    def drawn(self) -> Drawn:
        if self._drawn is None:
            with outside_budget():
                self._drawn = self._draw()
        return self._drawn

    @property
    def description(self) -> str:
        return self._description

    def __html__(self) -> str:
        sink = _SINK.get()
        if sink is None:
            raise PictureOutOfPlace("a picture can only be printed in the document body")
        return sink(self)

    def __str__(self) -> str:
        return self._description


_SINK: ContextVar[Callable[[Picture], str] | None] = ContextVar("lnp_picture_sink", default=None)


@contextmanager
def collecting(add: Callable[[Picture], str]) -> Iterator[None]:
    """Pictures printed inside the block go to ``add``, which puts the image into the package and
    returns its relationship id's drawing (:func:`drawing_xml`)."""
    token = _SINK.set(add)
    try:
        yield
    finally:
        _SINK.reset(token)


def _attribute(text: str) -> str:
    return escape(text, {'"': "&quot;", "\n": "&#10;", "\r": "&#13;", "\t": "&#9;"})


def drawing_xml(picture: Picture, relationship_id: str, number: int) -> str:
    """The inline drawing of ``picture`` (image ``relationship_id``), ending the run the tag was
    in and opening a new one after it (as docxtpl's InlineImage)."""
    drawn = picture.drawn()
    cx = round(picture._width_cm * EMU_PER_CM)
    cy = round(cx * drawn.height_px / drawn.width_px)
    name, descr = _attribute(picture._name), _attribute(picture.description)
    return (
        '</w:t></w:r><w:r><w:drawing>'
        '<wp:inline distT="0" distB="0" distL="0" distR="0" '
        'xmlns:wp="http://schemas.openxmlformats.org/drawingml/2006/wordprocessingDrawing" '
        'xmlns:r="http://schemas.openxmlformats.org/officeDocument/2006/relationships">'
        f'<wp:extent cx="{cx}" cy="{cy}"/>'
        f'<wp:docPr id="{number}" name="{name}" descr="{descr}"/>'
        '<wp:cNvGraphicFramePr><a:graphicFrameLocks xmlns:a="http://schemas.openxmlformats.org/drawingml/2006/main" '
        'noChangeAspect="1"/></wp:cNvGraphicFramePr>'
        '<a:graphic xmlns:a="http://schemas.openxmlformats.org/drawingml/2006/main">'
        '<a:graphicData uri="http://schemas.openxmlformats.org/drawingml/2006/picture">'
        '<pic:pic xmlns:pic="http://schemas.openxmlformats.org/drawingml/2006/picture">'
        f'<pic:nvPicPr><pic:cNvPr id="0" name="{name}" descr="{descr}"/><pic:cNvPicPr/></pic:nvPicPr>'
        f'<pic:blipFill><a:blip r:embed="{relationship_id}"/><a:stretch><a:fillRect/></a:stretch></pic:blipFill>'
        f'<pic:spPr><a:xfrm><a:off x="0" y="0"/><a:ext cx="{cx}" cy="{cy}"/></a:xfrm>'
        '<a:prstGeom prst="rect"><a:avLst/></a:prstGeom></pic:spPr>'
        '</pic:pic></a:graphicData></a:graphic></wp:inline>'
        '</w:drawing></w:r><w:r><w:t xml:space="preserve">'
    )


class Collected:
    """The pictures of one render, numbered in the order printed (for the compile-once engine)."""

    FIRST_DOCPR = 7001  # away from the ids a template's own drawings use

    def __init__(self):
        self.pictures: list[Picture] = []

    def add(self, picture: Picture) -> str:
        if len(self.pictures) >= MAX_PICTURES:
            raise PictureOutOfPlace("too many pictures in one document")
        self.pictures.append(picture)
        number = len(self.pictures)
        return drawing_xml(picture, self.relationship_id(number), self.FIRST_DOCPR + number)

    @staticmethod
    def relationship_id(number: int) -> str:
        return f"rIdLnpPicture{number}"
