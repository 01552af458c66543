"""The network map's concentric diagram, drawn at render time with matplotlib.

The children are in the middle; each person is on ring 1, 2 or 3 by closeness, in the slice of
their sector (slices sized by how many people they hold). A person is a labelled chip: invited
people have a dark border, a tinted chip and a check mark, people still considered a dashed
border and a question mark, people not invited a thin grey border and a dash, so the marking never
depends on colour alone. The chips are spread within their slice and ring until none overlaps;
when the people do not fit, the type gets smaller (down to 6 pt at print size) before anything
overlaps. Long names wrap on two lines (three for very long ones).

matplotlib (the Agg renderer) measures every text with the font it draws it in (its own DejaVu
Sans, shipped with the package, so the picture is the same on every machine), lays out bidirectional
and complex scripts (Arabic, for instance) itself, and writes the PNG in memory. It is imported only
when a map is drawn: no other document pays for it.

The same people are listed in words in the picture's alternative text (:func:`description`).
"""

from __future__ import annotations

import io
import math
import textwrap
from dataclasses import dataclass
from typing import Any

from schemas.choices import NETWORK_SECTOR
from schemas.i18n import Msg, gettext
from service.rendering import formatting
from service.rendering.pictures import Drawn, Picture

WIDTH_CM = 16.5  # the picture's width on the page (A4 with 2 cm margins leaves 17 cm)
DPI = 220
CM = 1 / 2.54

INVITED, CONSIDERING, NOT_INVITED = "invited", "considering", "not_invited"
MARKS = {INVITED: "\u2713", CONSIDERING: "?", NOT_INVITED: "\u2013"}
CHIP_STYLES: dict[str, dict[str, Any]] = {
    INVITED: {"facecolor": "#dcefd9", "edgecolor": "#1b5e20", "linewidth": 1.3, "linestyle": "solid"},
    CONSIDERING: {"facecolor": "#ffffff", "edgecolor": "#1a1a1a", "linewidth": 0.9, "linestyle": (0, (2, 1.5))},
    NOT_INVITED: {"facecolor": "#ffffff", "edgecolor": "#8c8c8c", "linewidth": 0.6, "linestyle": "solid"},
}
SECTOR_TINTS = ("#e8f1fb", "#fdf1e3", "#eaf6ec", "#f6ecf6", "#fbf7e1", "#e9f4f4", "#f1f1f1")

TITLE = Msg("Verkostokartta")
CENTRE = Msg("Keskellä: {children}.")
RING = Msg("Kehä {ring}")
RING_CLOSEST = Msg("Kehä 1 (lähimmät)")
PERSON = Msg("{name} ({relation}, {sector}, {decision})")
NOBODY = Msg("ei ketään")
LEGEND_RINGS = Msg("Kehä 1 = lähimmät, kehä 3 = kauimpana")
AND = Msg("ja")
CHILDREN_COUNT = Msg("{count} lasta")  # in the circle when the names do not fit (there are at least two)


def _relation(member: dict, language: str) -> str:
    return member.get("relation_detail") or formatting.label(member["relation"], language)


def _children(context: dict, language: str) -> str:
    names = [c["first_name"] for c in context.get("children") or []]
    if len(names) <= 1:
        return "".join(names)
    return f"{', '.join(names[:-1])} {gettext(AND, language)} {names[-1]}"


def _centre_text(context: dict, language: str, sizes) -> tuple[str, float]:
    """The children's names for the circle in the middle, and their font size: smaller and
    wrapped narrower until they fit inside it; when even that does not do, their number (the
    names are in the picture's alternative text and in the table)."""
    names = _children(context, language)
    if not names:
        return "\u2013", 9.0
    room = RADII[0] - 0.15
    for font_size, width in ((9.0, 12), (8.0, 12), (7.0, 14), (6.5, 16)):
        text = "\n".join(textwrap.wrap(names, width, break_long_words=False))
        w, h = sizes(text, font_size)
        if (w * 1.08 / 2) ** 2 + (h / 2) ** 2 <= room ** 2:  # bold is a little wider than measured
            return text, font_size
    count = len(context.get("children") or [])
    return "\n".join(textwrap.wrap(gettext(CHILDREN_COUNT, language).format(count=count), 12)), 9.0


def description(context: dict, language: str) -> str:
    """The diagram in words, ring by ring (what a screen reader reads instead of the picture)."""
    lines = [f"{gettext(TITLE, language)}. " + gettext(CENTRE, language).format(children=_children(context, language))]
    members = context.get("members") or []
    for ring in (1, 2, 3):
        people = [gettext(PERSON, language).format(
            name=m["name"], relation=_relation(m, language), sector=formatting.label(m["sector"], language),
            decision=formatting.label(m["invite_decision"], language))
            for m in _ordered(members) if m["closeness"] == ring]
        heading = gettext(RING_CLOSEST if ring == 1 else RING, language).format(ring=ring)
        lines.append(f"{heading}: {'; '.join(people) if people else gettext(NOBODY, language)}.")
    return "\n".join(lines)


def _ordered(members: list[dict]) -> list[dict]:
    order = NETWORK_SECTOR.codes
    return sorted(members, key=lambda m: (order.index(m["sector"]), m["closeness"]))


def picture(context: dict, language: str) -> Picture:
    """The diagram of a validated network map's template context, drawn when a template prints it."""
    return Picture(lambda: draw(context, language), description(context, language),
                   gettext(TITLE, language), WIDTH_CM)


# --- layout --------------------------------------------------------------------------------------

@dataclass
class _Chip:
    member: dict
    text: str
    sector: int
    ring: int
    angle: float  # radians, 0 = up, clockwise
    radius: float  # cm from the centre
    width: float = 0.0  # cm
    height: float = 0.0

    def centre(self) -> tuple[float, float]:
        return self.radius * math.sin(self.angle), self.radius * math.cos(self.angle)


def _wrap(name: str, width: int = 16, lines_wanted: int = 2) -> str:
    """A name on at most ``lines_wanted`` lines (three for a very long one), broken between words or
    after a hyphen."""
    if len(name) <= width:
        return name
    lines = textwrap.wrap(name, width=width, break_long_words=False, break_on_hyphens=True)
    if len(lines) > lines_wanted:
        lines = textwrap.wrap(name, width=max(width, 22), break_long_words=True, break_on_hyphens=True)
    if len(lines) > 3:
        lines = lines[:3]
        lines[2] = lines[2][:-1] + "\u2026"
    return "\n".join(lines)


RADII = (1.3, 3.25, 5.2, 7.15)  # cm: the children's circle and the outer edges of rings 1-3
LABEL_ROOM = 2.25  # cm around the outer ring for the sector names
PADDING = 0.08  # cm between chips
EDGE = 0.06  # cm between a chip and the lines of its slice and ring


def _spans(demands: list[float]) -> list[tuple[float, float]]:
    """Each present sector's (start, end) angle: a share by the room its people need, never less
    than a minimum."""
    weights = [max(demand, 0.35) for demand in demands]
    total = sum(weights)
    spans, start = [], 0.0
    for weight in weights:
        end = start + 2 * math.pi * weight / total
        spans.append((start, end))
        start = end
    return spans


def _corners(chip: _Chip) -> list[tuple[float, float]]:
    x, y = chip.centre()
    w, h = chip.width / 2, chip.height / 2
    return [(x - w, y - h), (x + w, y - h), (x - w, y + h), (x + w, y + h)]


def _keep_inside(chip: _Chip, span: tuple[float, float]) -> None:
    """Move a chip so that the whole of it lies in its slice and ring (as far as it fits)."""
    low, high = RADII[chip.ring - 1] + EDGE, RADII[chip.ring] - EDGE
    for _ in range(3):
        corners = _corners(chip)
        x, y = chip.centre()
        w, h = chip.width / 2, chip.height / 2
        nearest = math.hypot(max(abs(x) - w, 0.0), max(abs(y) - h, 0.0))
        farthest = max(math.hypot(cx, cy) for cx, cy in corners)
        if nearest < low:  # never over the children's circle or a nearer ring, even if it then reaches out
            chip.radius += low - nearest
        elif farthest > high:
            chip.radius -= farthest - high
        offsets = [math.remainder(math.atan2(cx, cy) - chip.angle, 2 * math.pi) for cx, cy in _corners(chip)]
        start, end = span[0] + EDGE / chip.radius, span[1] - EDGE / chip.radius
        if max(offsets) - min(offsets) >= end - start:
            continue
        if chip.angle + min(offsets) < start:
            chip.angle = start - min(offsets)
        elif chip.angle + max(offsets) > end:
            chip.angle = end - max(offsets)


def _settle(chips: list[_Chip], spans: list[tuple[float, float]]) -> int:
    """Push overlapping chips apart within their slice and ring; the number of overlaps left."""
    import numpy as np

    width = np.array([c.width for c in chips])
    height = np.array([c.height for c in chips])
    need_x = (width[:, None] + width[None, :]) / 2 + PADDING
    need_y = (height[:, None] + height[None, :]) / 2 + PADDING
    np.fill_diagonal(need_x, 0)
    overlaps = 0
    for _ in range(250):
        for chip in chips:
            _keep_inside(chip, spans[chip.sector])
        x = np.array([c.radius * math.sin(c.angle) for c in chips])
        y = np.array([c.radius * math.cos(c.angle) for c in chips])
        dx = need_x - np.abs(x[:, None] - x[None, :])
        dy = need_y - np.abs(y[:, None] - y[None, :])
        pairs = np.argwhere(np.triu((dx > 0) & (dy > 0), 1))
        overlaps = len(pairs)
        if not overlaps:
            return 0
        for i, j in pairs:
            a, b = chips[i], chips[j]
            push = min(dx[i, j], dy[i, j]) / 2 + 0.01
            if a.sector == b.sector and a.ring == b.ring:
                first, second = (a, b) if a.angle <= b.angle else (b, a)
                step = push / max(first.radius, 1.0)
                first.angle -= step
                second.angle += step
            inner, outer = (a, b) if a.radius <= b.radius else (b, a)
            inner.radius -= push * 0.3
            outer.radius += push * 0.3
    return overlaps


def _tangential(width: float, height: float, angle: float) -> float:
    """How much of the ring's length a chip takes at ``angle``: side by side at the top and the
    bottom, one above another at the sides."""
    return abs(width * math.cos(angle)) + abs(height * math.sin(angle))


def _rows(count: int, height: float, ring: int) -> int:
    band = RADII[ring] - RADII[ring - 1] - 2 * EDGE
    return max(1, min(count, int(band // (height + PADDING)), 3))


def _fitted(member: dict, text: str, size: tuple[float, float], angle: float, ring: int, sizes,
            font_size: float) -> tuple[str, tuple[float, float]]:
    """A chip at the sides of the circle lies across its ring: a long name is wrapped narrower
    until the chip fits the ring's width (or cannot be wrapped further)."""
    band = RADII[ring] - RADII[ring - 1] - 2 * EDGE
    for width in (12, 9, 7):
        if abs(size[0] * math.sin(angle)) + abs(size[1] * math.cos(angle)) <= band:
            break
        text = f"{MARKS[member['invite_decision']]} {_wrap(member['name'], width, lines_wanted=3)}"
        measured = sizes(text, font_size)
        size = (measured[0] + 0.22, measured[1] + 0.14)
    return text, size


def _place(members: list[dict], sizes, font_size: float) -> tuple[list[_Chip], list[tuple[float, float]], list[str], int]:
    present = [code for code in NETWORK_SECTOR.codes if any(m["sector"] == code for m in members)]
    texts = {id(m): f"{MARKS[m['invite_decision']]} {_wrap(m['name'])}" for m in members}
    box = {key: (w + 0.22, h + 0.14) for key, (w, h) in ((k, sizes(t, font_size)) for k, t in texts.items())}
    cells = {(code, ring): [m for m in members if m["sector"] == code and m["closeness"] == ring]
             for code in present for ring in (1, 2, 3)}

    def demand(code: str, angle: float) -> float:
        """The angle the fullest ring of a sector needs at ``angle``, its chips in rows."""
        need = 0.0
        for ring in (1, 2, 3):
            group = cells[(code, ring)]
            if not group:
                continue
            extents = [_tangential(*box[id(m)], angle) + PADDING for m in group]
            rows = _rows(len(group), max(box[id(m)][1] for m in group), ring)
            middle = (RADII[ring - 1] + RADII[ring]) / 2
            need = max(need, (sum(extents) / rows + max(extents)) / middle)
        return need

    spans = _spans([1.0] * len(present))
    for _ in range(4):  # the demand depends on where the slice ends up
        spans = _spans([demand(code, (start + end) / 2) for code, (start, end) in zip(present, spans)])

    chips = []
    for index, code in enumerate(present):
        start, end = spans[index]
        middle_angle = (start + end) / 2
        for ring in (1, 2, 3):
            group = cells[(code, ring)]
            if not group:
                continue
            rows = _rows(len(group), max(box[id(m)][1] for m in group), ring)
            band_low, band_high = RADII[ring - 1], RADII[ring]
            for row in range(rows):
                members_in_row = group[row::rows]
                radius = band_low + (band_high - band_low) * (row + 1) / (rows + 1)
                extents = [(_tangential(*box[id(m)], middle_angle) + PADDING) / radius for m in members_in_row]
                spare = (end - start) - sum(extents)
                gap = spare / (len(extents) + 1) if spare > 0 else spare / max(len(extents) - 1, 1)
                angle = start + (gap if spare > 0 else 0)
                for member, extent in zip(members_in_row, extents):
                    text, (width, height) = _fitted(member, texts[id(member)], box[id(member)], middle_angle, ring,
                                                    sizes, font_size)
                    chips.append(_Chip(member, text, index, ring, angle + extent / 2, radius, width, height))
                    angle += extent + max(gap, 0)
    return chips, spans, present, _settle(chips, spans) if chips else 0


def draw(context: dict, language: str) -> Drawn:
    import logging

    import matplotlib

    # Its font manager logs every font it weighs at debug level: not this service's log's business.
    logging.getLogger("matplotlib").setLevel(logging.WARNING)
    matplotlib.use("agg", force=False)
    from matplotlib.backends.backend_agg import FigureCanvasAgg
    from matplotlib.figure import Figure
    from matplotlib.font_manager import FontProperties
    from matplotlib.patches import Circle, FancyBboxPatch, Wedge

    members = list(context.get("members") or [])
    half = RADII[3] + LABEL_ROOM
    legend_height = 1.1
    width_cm, height_cm = 2 * half, 2 * half + legend_height
    figure = Figure(figsize=(width_cm * CM, height_cm * CM), dpi=DPI)
    canvas = FigureCanvasAgg(figure)
    axes = figure.add_axes((0, 0, 1, 1))
    axes.set_xlim(-half, half)
    axes.set_ylim(-half - legend_height, half)
    axes.set_aspect("equal")
    axes.set_axis_off()
    renderer = canvas.get_renderer()
    measured: dict[tuple[str, float], tuple[float, float]] = {}

    def sizes(text: str, font_size: float) -> tuple[float, float]:
        """A text's width and height in cm, as the renderer will draw it."""
        key = (text, font_size)
        if key not in measured:
            font = FontProperties(size=font_size)
            lines = [renderer.get_text_width_height_descent(line or " ", font, ismath=False) for line in text.split("\n")]
            line_height = renderer.get_text_width_height_descent("lp", font, ismath=False)[1]
            height = line_height * (1 + 1.1 * (len(lines) - 1) * 1.2)
            measured[key] = (max(w for w, _h, _d in lines) / DPI * 2.54, height / DPI * 2.54)
        return measured[key]

    font_size = 7.5
    while True:
        chips, spans, present, overlaps = _place(members, sizes, font_size)
        if not overlaps or font_size <= 6.0:
            break
        font_size -= 0.5

    # Slices, rings and the sector names.
    for index, code in enumerate(present):
        start, end = spans[index]
        theta1, theta2 = 90 - math.degrees(end), 90 - math.degrees(start)
        axes.add_patch(Wedge((0, 0), RADII[3], theta1, theta2, width=RADII[3] - RADII[0],
                             facecolor=SECTOR_TINTS[NETWORK_SECTOR.codes.index(code) % len(SECTOR_TINTS)],
                             edgecolor="#6b6b6b", linewidth=0.8))
        middle = (start + end) / 2
        x, y = (RADII[3] + 0.3) * math.sin(middle), (RADII[3] + 0.3) * math.cos(middle)
        horizontal = "left" if x > 0.3 else "right" if x < -0.3 else "center"
        vertical = "bottom" if y > 0.3 else "top" if y < -0.3 else "center"
        sector_name = "\n".join(textwrap.wrap(formatting.label(code, language), 13, break_long_words=False))
        axes.text(x, y, sector_name, fontsize=7.5,
                  fontweight="bold", ha=horizontal, va=vertical, color="#1a1a1a", linespacing=1.1)
    for radius in RADII[1:3]:
        axes.add_patch(Circle((0, 0), radius, fill=False, edgecolor="#8c8c8c", linewidth=0.7, linestyle=(0, (4, 3))))
    for ring in (1, 2, 3):
        axes.text(0.08, RADII[ring] - 0.12, str(ring), fontsize=6.5, color="#4d4d4d", ha="left", va="top")

    axes.add_patch(Circle((0, 0), RADII[0], facecolor="#ffffff", edgecolor="#1a1a1a", linewidth=1.2))
    centre, centre_size = _centre_text(context, language, sizes)
    axes.text(0, 0, centre, fontsize=centre_size, fontweight="bold", ha="center", va="center", linespacing=1.1)

    for chip in chips:
        x, y = chip.centre()
        decision = chip.member["invite_decision"]
        style = CHIP_STYLES[decision]
        axes.add_patch(FancyBboxPatch((x - chip.width / 2, y - chip.height / 2), chip.width, chip.height,
                                      boxstyle="round,pad=0,rounding_size=0.12", **style))
        axes.text(x, y, chip.text, fontsize=font_size, ha="center", va="center", linespacing=1.1,
                  color="#1a1a1a", fontweight="bold" if decision == INVITED else "normal")

    legend_y = -half - legend_height / 2 + 0.15
    entries = [(INVITED, formatting.label(INVITED, language)), (CONSIDERING, formatting.label(CONSIDERING, language)),
               (NOT_INVITED, formatting.label(NOT_INVITED, language))]
    x = -half + 0.3
    for decision, words in entries:
        text = f"{MARKS[decision]} {words}"
        width, height = sizes(text, 8)
        style = CHIP_STYLES[decision]
        axes.add_patch(FancyBboxPatch((x, legend_y - (height + 0.14) / 2), width + 0.22, height + 0.14,
                                      boxstyle="round,pad=0,rounding_size=0.12", **style))
        axes.text(x + 0.11 + width / 2, legend_y, text, fontsize=8, ha="center", va="center")
        x += width + 0.7
    axes.text(x + 0.2, legend_y, gettext(LEGEND_RINGS, language), fontsize=8, ha="left", va="center", color="#1a1a1a")

    out = io.BytesIO()
    canvas.print_png(out)
    width_px, height_px = canvas.get_width_height()
    return Drawn(out.getvalue(), int(width_px), int(height_px))
