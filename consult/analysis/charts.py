"""Server-rendered SVG charts for the analysis views: no JavaScript, strict CSP, screen readers.

Each builder returns a :class:`Chart`: the SVG (``chart.svg``, a ``Markup``) and
the same figures as a table (``chart.table``). Render both with the macro
``figure`` in ``analysis/_charts.html``::

    {% from "analysis/_charts.html" import figure %}
    {{ figure(chart) }}

A ``Chart`` also renders as its bare SVG (``{{ chart }}``), like a ``Markup``.

The accessible approach, chosen once for every chart: the SVG is **one image**
(``role="img"``, named by its ``<title>`` through ``aria-labelledby``,
described by its ``<desc>`` through ``aria-describedby``); a screen reader
announces it as a single picture whose description says the figures follow in
a table, and does not read its inner labels one by one. The ``<table>`` right
after it (caption, ``th scope``) is the reading path for every figure. So
nothing is hidden with ``aria-hidden`` and nothing is announced twice.

Drawing rules:

* The site's Content-Security-Policy forbids inline styles, so the SVG uses
  presentation attributes only (``fill``, ``stroke``, ``font-size``…). They are
  the weakest author styles, so the stylesheet (``.chart`` rules in
  ``consult/static/consult.css``) can still override them; the SVG also reads
  correctly on its own (exported, or with the stylesheet missing).
* The ``viewBox`` is 330 units wide, a phone's content width, so one unit is
  about one CSS pixel on a phone and text stays readable there; ``width="100%"`` scales it.
* Colour is never the only carrier: every bar or cell has its value written
  next to it, under-target coverage bars are hatched and say "missing N", and
  the yes / partly / no segments are solid / hatched / white. Colours reach
  WCAG 2.1 AA contrast against what they touch (text 4.5:1, shapes 3:1).
* Hidden (suppressed) values arrive as ``None`` with a display text such as
  "fewer than 5": no bar or shade is drawn, the display text is written instead.
* Every text is escaped; numbers are rounded to one decimal; the output is the
  same bytes for the same input. Text width is estimated (no font metrics on
  the server), so labels wrap a little early rather than overflow.
"""

from __future__ import annotations

import math
import re
from dataclasses import dataclass
from typing import Mapping, Sequence

from flask_babel import gettext as _
from flask_babel import lazy_gettext as _l
from markupsafe import Markup, escape

WIDTH = 330
FONT = 14
SMALL = 13
LINE = 17
CHAR = 0.57  # average glyph width per font-size unit, generous for wide fonts (DejaVu Sans)
BOLD = 1.12  # bold glyphs are wider

INK, MUTED, SOFT, LINE_GREY, WHITE = "#1b1b1b", "#4a4a4a", "#f3f4f1", "#b9bcb5", "#fff"
ACCENT = "#0b5b3e"
#: Bar colours per stakeholder group, all at least 7:1 against white text.
GROUP_COLOURS = ("#0b5b3e", "#1f4e9c", "#8a3b00", "#6a2c91", "#005f73", "#9c1b58", "#4a4a4a")
#: Matrix shades from few to many answers; the last one takes white text.
SHADES = ("#e3f0e8", "#b5d9c4", "#7fb89a", "#0b5b3e")
UNDER, UNDER_INK = "#f6e3d6", "#8a3b00"

SEVERITY = _l("Severity")
LIKELIHOOD = _l("Likelihood")
YES, PARTLY, NO = _l("Yes"), _l("Partly"), _l("No")
ANSWER, GROUP, CRITERION = _l("Answer"), _l("Group"), _l("Criterion")
COUNT, TARGET, MISSING = _l("Answers"), _l("Target"), _l("Missing")
TARGET_REACHED, UNDER_TARGET = _l("Target reached"), _l("Under target")
TABLE_FOLLOWS = _l("The figures are in the table that follows.")
GROUPED_DESC = _l("Horizontal bars: for each answer, the share of each stakeholder group that chose it.")
COVERAGE_DESC = _l("Horizontal bars: answers received against the target, marked by a vertical line.")
MATRIX_DESC = _l("A five by five grid of severity against likelihood; darker cells hold more answers.")
CRITERIA_DESC = _l("Stacked bars: for each mechanism type and criterion, the shares of yes, partly and no.")

_ID = re.compile(r"^[A-Za-z][A-Za-z0-9_-]*$")


@dataclass(frozen=True)
class Table:
    """The figures of a chart as a table: column headers, then one header and cells per row."""

    corner: str
    columns: tuple[str, ...]
    rows: tuple[tuple[str, tuple[str, ...]], ...]


@dataclass(frozen=True)
class Chart:
    """A drawn chart (``svg``) and its figures (``table``); renders as the SVG."""

    id: str
    title: str
    svg: Markup
    table: Table

    def __html__(self) -> Markup:
        """The SVG, so ``{{ chart }}`` embeds the drawing."""
        return self.svg

    def __str__(self) -> str:
        return str(self.svg)


# -- drawing primitives -------------------------------------------------------


def _num(value: float) -> str:
    """A coordinate with at most one decimal, the same text for the same value."""
    text = f"{round(value, 1):.1f}"
    return text[:-2] if text.endswith(".0") else text


def _attrs(attributes: Mapping[str, object]) -> str:
    parts = []
    for key, value in attributes.items():
        if value is None:
            continue
        shown = _num(value) if isinstance(value, float) else str(value)
        parts.append(f' {key}="{escape(shown)}"')
    return "".join(parts)


def _el(tag: str, text: str | None = None, **attributes: object) -> str:
    """One SVG element; ``class_`` and ``font_size`` style names become ``class`` and ``font-size``."""
    attrs = _attrs({k.rstrip("_").replace("_", "-"): v for k, v in attributes.items()})
    if text is None:
        return f"<{tag}{attrs}/>"
    return f"<{tag}{attrs}>{escape(text)}</{tag}>"


def _width(text: str, size: float) -> float:
    return len(text) * size * CHAR


def _words(text: str, per_line: int) -> list[tuple[str, str]]:
    """``(glue, word)`` pairs; a too-long word is split after its hyphens, glued back with ``""``."""
    words = []
    # Split on plain spaces only: a no-break space ("61\u00a0%") keeps a number with its unit.
    for word in [w for w in text.split(" ") if w] or [""]:
        if len(word) > per_line and "-" in word.strip("-"):
            pieces = word.split("-")
            words.append((" ", pieces[0] + "-"))
            words.extend(("", piece + "-") for piece in pieces[1:-1])
            words.append(("", pieces[-1]))
        else:
            words.append((" ", word))
    return words


def wrap(text: str, width: float, size: float = FONT, bold: bool = False) -> list[str]:
    """Split ``text`` into lines that fit ``width`` units at ``size`` (estimated; long words are cut)."""
    per_line = max(1, int(width / (size * CHAR * (BOLD if bold else 1))))
    lines: list[str] = []
    current = ""
    for glue, word in _words(str(text), per_line):
        while len(word) > per_line:
            if current:
                lines.append(current)
                current = ""
            lines.append(word[:per_line])
            word = word[per_line:]
        candidate = f"{current}{glue}{word}" if current else word
        if len(candidate) <= per_line:
            current = candidate
        else:
            lines.append(current)
            current = word
    lines.append(current)
    return lines


def _lines(parts: list[str], lines: list[str], x: float, y: float, size: float = FONT, **attrs: object) -> float:
    """Write ``lines`` from baseline ``y``; returns the y below the last line."""
    step = size + 3
    for index, line in enumerate(lines):
        parts.append(_el("text", line, x=float(x), y=float(y + index * step), font_size=size, **attrs))
    return y + len(lines) * step


def _hatch(pattern_id: str, ground: str, ink: str) -> str:
    """A diagonal hatch: a second cue, besides colour, for "under target" and "partly"."""
    return (
        f'<pattern id="{pattern_id}" width="6" height="6" patternUnits="userSpaceOnUse"'
        f' patternTransform="rotate(45)"><rect width="6" height="6" fill="{ground}"/>'
        f'<line x1="0" y1="0" x2="0" y2="6" stroke="{ink}" stroke-width="3"/></pattern>'
    )


def _legend(parts: list[str], items: Sequence[tuple[str, str]], y: float) -> float:
    """Swatches (``(swatch svg at 0,0, label)``) flowed left to right; returns the y below."""
    x = 0.0
    for swatch, label in items:
        span = 22 + _width(label, SMALL) + 14
        if x and x + span > WIDTH:
            x, y = 0.0, y + LINE + 4
        parts.append(f'<g transform="translate({_num(x)} {_num(y)})">{swatch}</g>')
        parts.append(_el("text", label, x=x + 22, y=y + 12, font_size=SMALL, fill=INK))
        x += span
    return y + LINE + 10


def _svg(chart_id: str, title: str, description: str, height: float, body: list[str], defs: str = "") -> Markup:
    """The outer ``<svg>`` with the accessible name, description and responsive size."""
    head = (
        f'<svg xmlns="http://www.w3.org/2000/svg" class="chart-svg" role="img" width="100%"'
        f' viewBox="0 0 {WIDTH} {_num(math.ceil(height))}"'
        f' aria-labelledby="{chart_id}-title" aria-describedby="{chart_id}-desc">'
        f'<title id="{chart_id}-title">{escape(title)}</title>'
        f'<desc id="{chart_id}-desc">{escape(description)} {escape(str(TABLE_FOLLOWS))}</desc>'
    )
    defs = f"<defs>{defs}</defs>" if defs else ""
    return Markup(head + defs + "".join(body) + "</svg>")


def _check_id(chart_id: str) -> str:
    if not _ID.match(chart_id):
        raise ValueError(f"a chart id must be a letter then letters, digits, - or _: {chart_id!r}")
    return chart_id


def _share_text(value: float | None) -> str:
    return "" if value is None else f"{round(_clamp(value) * 100)}\u00a0%"


def _display(displays: Mapping, key: object, fallback: str) -> str:
    shown = displays.get(key)
    return fallback if shown is None else str(shown)


def _clamp(value: float) -> float:
    """A share within 0..1; NaN (a share of nobody, from pandas) counts as 0."""
    value = float(value)
    return max(0.0, min(1.0, value)) if math.isfinite(value) else 0.0


# -- the charts -----------------------------------------------------------------

LABEL_W = 110  # the label column of bar rows
BAR_X = 116
BAR_W = WIDTH - BAR_X - 2


def grouped_bars(
    id: str,
    title: str,
    categories: Sequence[str],
    groups: Sequence[str],
    values: Mapping[tuple[str, str], float | None],
    displays: Mapping[tuple[str, str], str],
    description: str | None = None,
) -> Chart:
    """Horizontal bars, one block per answer option (``categories``), one bar per stakeholder group.

    ``values[(category, group)]`` is a share 0..1 or ``None`` when hidden;
    ``displays[(category, group)]`` is the text written by the bar (e.g.
    "61 % (n=212)" or "fewer than 5"). The table has one row per category and
    one column per group.
    """
    _check_id(id)
    parts: list[str] = []
    y = 0.0
    for category in categories:
        y = _lines(parts, wrap(category, WIDTH, bold=True), 0, y + FONT, font_weight="bold", fill=INK) + 2
        for index, group in enumerate(groups):
            value = values.get((category, group))
            shown = _display(displays, (category, group), _share_text(value))
            labels = wrap(group, LABEL_W, SMALL)
            _lines(parts, labels, LABEL_W, y + 13, SMALL, text_anchor="end", fill=INK)
            if value is None:
                parts.append(
                    _el("text", shown, x=float(BAR_X), y=y + 13, font_size=SMALL, fill=MUTED, font_style="italic")
                )
            else:
                length = _clamp(value) * BAR_W
                parts.append(_el("rect", x=float(BAR_X), y=y, width=float(BAR_W), height=18.0, fill=SOFT))
                parts.append(
                    _el(
                        "rect",
                        class_="chart-bar",
                        x=float(BAR_X),
                        y=y,
                        width=length,
                        height=18.0,
                        fill=GROUP_COLOURS[index % len(GROUP_COLOURS)],
                    )
                )
                if length + 4 + _width(shown, SMALL) <= BAR_W:
                    parts.append(_el("text", shown, x=BAR_X + length + 4, y=y + 13, font_size=SMALL, fill=INK))
                else:
                    parts.append(
                        _el(
                            "text",
                            shown,
                            x=BAR_X + length - 4,
                            y=y + 13,
                            font_size=SMALL,
                            fill=WHITE,
                            text_anchor="end",
                        )
                    )
            y += max(24.0, len(labels) * (SMALL + 3) + 6)
        y += 10
    rows = tuple(
        (str(c), tuple(_display(displays, (c, g), _share_text(values.get((c, g)))) for g in groups)) for c in categories
    )
    table = Table(str(ANSWER), tuple(str(g) for g in groups), rows)
    svg = _svg(id, str(title), str(description or GROUPED_DESC), y, parts)
    return Chart(id, str(title), svg, table)


def coverage_bars(
    id: str,
    title: str,
    rows: Sequence[tuple[str, int | None, int | None, str]],
    row_header: str | None = None,
    description: str | None = None,
) -> Chart:
    """Answers received against a target: ``rows`` of ``(label, count or None, target or None, display)``.

    A vertical line marks the target. A row under its target is hatched and
    says "missing N" in text; a hidden count (``None``) draws no bar and writes
    its display text. ``row_header`` names the label column of the table
    (default "Group").
    """
    _check_id(id)
    under_id = f"{id}-under"
    scale = max([1] + [n for _, count, target, _ in rows for n in (count, target) if n is not None])
    span = WIDTH - 4
    parts: list[str] = []
    solid = _el("rect", width=16.0, height=14.0, fill=ACCENT)
    hatched = _el("rect", width=16.0, height=14.0, fill=f"url(#{under_id})", stroke=UNDER_INK)
    marker = _el("line", x1=8.0, y1=-2.0, x2=8.0, y2=16.0, stroke=INK, stroke_width=2.5)
    y = _legend(parts, [(solid, str(TARGET_REACHED)), (hatched, str(UNDER_TARGET)), (marker, str(TARGET))], 0)
    table_rows = []
    for label, count, target, shown in rows:
        y = _lines(parts, wrap(label, WIDTH, bold=True), 0, y + FONT, font_weight="bold", fill=INK) + 2
        missing = target - count if count is not None and target is not None and count < target else None
        if count is not None:
            parts.append(
                _el(
                    "rect",
                    class_="chart-bar",
                    x=2.0,
                    y=y,
                    width=count / scale * span,
                    height=18.0,
                    fill=f"url(#{under_id})" if missing else ACCENT,
                    stroke=UNDER_INK if missing else None,
                )
            )
        if target is not None:
            x = 2 + target / scale * span
            parts.append(_el("line", x1=x, y1=y - 4, x2=x, y2=y + 22, stroke=INK, stroke_width=2.5))
        words = [str(shown)]
        if target is not None:
            words.append(_("target %(n)d", n=target))
        if missing:
            words.append(_("missing %(n)d", n=missing))
        y = _lines(parts, wrap(" · ".join(words), WIDTH, SMALL), 0, y + 24 + SMALL, SMALL, fill=INK) + 8
        table_rows.append(
            (
                str(label),
                (
                    str(shown),
                    "" if target is None else str(target),
                    "" if target is None or count is None else str(missing or 0),
                ),
            )
        )
    table = Table(str(row_header or GROUP), (str(COUNT), str(TARGET), str(MISSING)), tuple(table_rows))
    svg = _svg(id, str(title), str(description or COVERAGE_DESC), y, parts, _hatch(under_id, UNDER, UNDER_INK))
    return Chart(id, str(title), svg, table)


AXIS_W = 44
CELL = (WIDTH - AXIS_W - 2) / 5


def severity_matrix(
    id: str,
    title: str,
    counts: Mapping[tuple[int, int], int | None],
    displays: Mapping[tuple[int, int], str],
    description: str | None = None,
) -> Chart:
    """A 5×5 grid: severity 1–5 upwards, likelihood 1–5 rightwards; ``counts[(severity, likelihood)]``.

    Cells are shaded by count (four steps up to the largest count) and carry
    their display text (``displays``, default the count); a hidden count
    (``None``) gets a pale dashed cell and its display text. Missing cells count 0.
    """
    _check_id(id)
    known = [n for n in counts.values() if n is not None]
    largest = max(known + [1])
    parts: list[str] = []
    table_rows = []
    for row, severity in enumerate(range(5, 0, -1)):
        y = 2 + row * CELL
        parts.append(
            _el("text", str(severity), x=AXIS_W - 8.0, y=y + CELL / 2 + 5, font_size=FONT, fill=INK, text_anchor="end")
        )
        cells = []
        for column, likelihood in enumerate(range(1, 6)):
            x = AXIS_W + column * CELL
            count = counts.get((severity, likelihood), 0)
            shown = _display(displays, (severity, likelihood), "" if count is None else str(count))
            cells.append(shown)
            if count is None:
                fill, ink, stroke, dash = SOFT, MUTED, MUTED, "3 3"
            elif count == 0:
                fill, ink, stroke, dash = WHITE, INK, LINE_GREY, None
            else:
                level = min(len(SHADES), math.ceil(len(SHADES) * count / largest))
                shade = SHADES[level - 1]
                fill, ink, stroke, dash = shade, WHITE if level == len(SHADES) else INK, shade, None
            parts.append(
                _el(
                    "rect",
                    class_="chart-cell",
                    x=x + 1,
                    y=y + 1,
                    width=CELL - 2,
                    height=CELL - 2,
                    fill=fill,
                    stroke=stroke,
                    stroke_dasharray=dash,
                )
            )
            size = 18 if len(shown) <= 4 else 12
            lines = wrap(shown, CELL - 8, size)[:4]
            top = y + CELL / 2 - (len(lines) * (size + 3)) / 2 + size - 1
            _lines(
                parts,
                lines,
                x + CELL / 2,
                top,
                size,
                text_anchor="middle",
                fill=ink,
                font_weight="bold" if size == 18 else None,
            )
        table_rows.append((_("Severity %(n)d", n=severity), tuple(cells)))
    bottom = 2 + 5 * CELL
    for column in range(5):
        parts.append(
            _el(
                "text",
                str(column + 1),
                x=AXIS_W + (column + 0.5) * CELL,
                y=bottom + 18,
                font_size=FONT,
                fill=INK,
                text_anchor="middle",
            )
        )
    middle = 2 + 2.5 * CELL
    parts.append(
        _el(
            "text",
            str(SEVERITY),
            x=14.0,
            y=middle,
            font_size=FONT,
            font_weight="bold",
            fill=INK,
            text_anchor="middle",
            transform=f"rotate(-90 14 {_num(middle)})",
        )
    )
    parts.append(
        _el(
            "text",
            str(LIKELIHOOD),
            x=AXIS_W + 2.5 * CELL,
            y=bottom + 40,
            font_size=FONT,
            font_weight="bold",
            fill=INK,
            text_anchor="middle",
        )
    )
    columns = tuple(_("Likelihood %(n)d", n=n) for n in range(1, 6))
    table = Table("", columns, tuple(table_rows))
    svg = _svg(id, str(title), str(description or MATRIX_DESC), bottom + 48, parts)
    return Chart(id, str(title), svg, table)


def criteria_chart(
    id: str,
    title: str,
    rows: Sequence[str],
    criteria: Sequence[str],
    values: Mapping[tuple[str, str], tuple[float, float, float] | None],
    displays: Mapping[tuple[str, str], str],
    description: str | None = None,
) -> Chart:
    """UNGP 31 criteria per mechanism type: a small stacked bar (yes / partly / no) per criterion.

    ``rows`` are mechanism types (one block each), ``values[(row, criterion)]``
    the yes / partly / no shares (any scale; they are normalised) or ``None``
    when hidden; ``displays[(row, criterion)]`` is written under the bar (e.g.
    "yes 60 %, partly 20 %, no 20 % (n=15)"). The table has one row per
    criterion and one column per mechanism type.
    """
    _check_id(id)
    partly_id = f"{id}-partly"
    parts: list[str] = []
    fills = (ACCENT, f"url(#{partly_id})", WHITE)  # solid, hatched, empty: told apart without colour
    swatches = [_el("rect", width=16.0, height=14.0, fill=fill, stroke=MUTED) for fill in fills]
    y = _legend(parts, list(zip(swatches, (str(YES), str(PARTLY), str(NO)))), 0)
    for row in rows:
        y = _lines(parts, wrap(row, WIDTH, bold=True), 0, y + FONT, font_weight="bold", fill=INK) + 4
        for criterion in criteria:
            value = values.get((row, criterion))
            shown = _display(displays, (row, criterion), "")
            labels = wrap(criterion, LABEL_W, SMALL)
            below = _lines(parts, labels, LABEL_W, y + 12, SMALL, text_anchor="end", fill=INK)
            text_y = y + 12
            if value is not None:
                shares = [share if math.isfinite(share) and share > 0 else 0.0 for share in map(float, value)]
                total = sum(shares) or 1.0
                x = float(BAR_X)
                for share, fill in zip(shares, fills):
                    length = share / total * BAR_W
                    if length > 0:
                        parts.append(_el("rect", class_="chart-bar", x=x, y=y, width=length, height=14.0, fill=fill))
                    x += length
                parts.append(
                    _el("rect", x=float(BAR_X), y=y, width=float(BAR_W), height=14.0, fill="none", stroke=MUTED)
                )
                text_y = y + 14 + 3 + SMALL
            under = _lines(
                parts,
                wrap(shown, BAR_W, SMALL),
                BAR_X,
                text_y,
                SMALL,
                fill=MUTED if value is None else INK,
                font_style="italic" if value is None else None,
            )
            y = max(below, under) + 8
        y += 6
    table_rows = tuple((str(c), tuple(_display(displays, (r, c), "") for r in rows)) for c in criteria)
    table = Table(str(CRITERION), tuple(str(r) for r in rows), table_rows)
    svg = _svg(id, str(title), str(description or CRITERIA_DESC), y, parts, _hatch(partly_id, SHADES[1], ACCENT))
    return Chart(id, str(title), svg, table)
