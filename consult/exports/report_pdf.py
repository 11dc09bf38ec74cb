"""The summary as a printable PDF report (WeasyPrint): A4, page numbers, the consultation's language.

The report holds the same suppressed tables as the workbook, shaped for
reading: each count printed with its share in one cell ("36 (80,0 %)"),
machine codes left out, results question by question with the picture of
the analysis room (``consult.analysis.charts``) as inline SVG above its table,
and a short account of the method and of who took part. Fonts are the ones
installed with the system (DejaVu Sans, Liberation Sans): nothing is fetched.
"""

from __future__ import annotations

import re
from collections.abc import Iterable
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any, BinaryIO

from flask import current_app
from flask_babel import format_decimal
from flask_babel import gettext as _
from markupsafe import Markup

from consult.analysis.charts import Chart
from consult.core.db import utctoday
from consult.exports.summary import HIDDEN, Area, Summary, Table, method_paragraphs
from consult.i18n import LANGUAGE_NAMES

TEMPLATES = Path(__file__).parent / "templates"
CSS = TEMPLATES / "exports" / "report.css"
#: Columns of machine codes, left out of the printed tables.
CODE_COLUMNS = frozenset(
    {
        "item",
        "question_key",
        "question",
        "part",
        "answer_code",
        "group_code",
        "locality_code",
        "right_code",
        "mechanism_code",
        "criterion_code",
        "theme_code",
        "code",
    }
)
#: A chart is drawn at most this tall on the page (mm); it narrows to fit, down to ``CHART_MIN_WIDTH_MM``:
#: a picture that would be narrower is left out (its table says it all, and tiny text helps nobody).
CHART_MAX_HEIGHT_MM = 180
CHART_MAX_WIDTH_MM = 100
CHART_MIN_WIDTH_MM = 55
_VIEWBOX = re.compile(r'viewBox="0 0 ([\d.]+) ([\d.]+)"')


@dataclass
class Block:
    """A printed table: header cells, body rows (first cell a row header), an optional heading, picture and note."""

    headers: list[str]
    rows: list[list[str]]
    #: Per column: figures (aligned to the end) or words (aligned to the start).
    numeric: list[bool] = field(default_factory=list)
    heading: str = ""
    subheading: str = ""
    chart: Chart | None = None
    chart_width: float = 0
    note: str = ""
    #: Rows (by index) that are the "people asked" line: printed as a footer line.
    base_rows: set[int] = field(default_factory=set)


def _number(value: Any) -> str:
    if isinstance(value, float):
        return format_decimal(value, format="#,##0.0")
    return format_decimal(value, format="#,##0") if isinstance(value, int) else str(value)


def _text(value: Any, hidden: str) -> str:
    if value is HIDDEN:
        return hidden
    if value is None or value == "":
        return "–"
    return _number(value) if isinstance(value, (int, float)) else str(value)


def _pair_text(columns, values, hidden: str) -> str:
    """A count and its share in one cell: "36 (80,0 %)"; named, asked and share: "30,6 % (11/36)"."""
    if any(v is HIDDEN for v in values):
        return hidden
    if all(v is None for v in values):
        return "–"
    if len(values) == 3:
        named, asked, share = values
        return f"{_text(share, hidden)}\u00a0% ({_text(named, hidden)}/{_text(asked, hidden)})"
    count, share = values
    return _text(count, hidden) if share is None else f"{_text(count, hidden)} ({_text(share, hidden)}\u00a0%)"


def _shape(table: Table, rows: list[list[Any]], hidden: str) -> tuple[list[str], list[list[str]], list[bool]]:
    """Headers, printed rows and which columns hold figures: codes left out, each count printed with its share."""
    keep = [i for i, c in enumerate(table.columns) if c.name not in CODE_COLUMNS]
    headers, spans = [], []
    index = 0
    while index < len(keep):
        column = table.columns[keep[index]]
        span = [keep[index]]
        while column.pair and index + 1 < len(keep) and table.columns[keep[index + 1]].pair == column.pair:
            index += 1
            span.append(keep[index])
        headers.append(column.pair or column.title)
        spans.append(span)
        index += 1
    printed = []
    for row in rows:
        cells = []
        for span in spans:
            if len(span) == 1:
                cells.append(_text(row[span[0]], hidden))
            else:
                cells.append(_pair_text([table.columns[i] for i in span], [row[i] for i in span], hidden))
        printed.append(cells)
    numeric = [any(table.columns[i].type != "string" for i in span) for span in spans]
    return headers, printed, numeric


def chart_width(chart: Chart) -> float:
    """The printed width (mm) that keeps the chart within ``CHART_MAX_HEIGHT_MM``."""
    found = _VIEWBOX.search(str(chart.svg))
    if not found:
        return CHART_MAX_WIDTH_MM
    width, height = float(found.group(1)), float(found.group(2))
    return round(min(CHART_MAX_WIDTH_MM, CHART_MAX_HEIGHT_MM * width / max(height, 1)), 1)


def _readable(chart: Chart | None) -> Chart | None:
    return chart if chart is not None and chart_width(chart) >= CHART_MIN_WIDTH_MM else None


def _blocks(area: Area, table: Table, hidden: str) -> list[Block]:
    """The printed blocks of a table: one per question for results, else one."""
    names = [c.name for c in table.columns]
    if "question_key" in names and table.rows:
        blocks, order = [], []
        by_question: dict[tuple[str, str], list[list[Any]]] = {}
        for row in table.rows:
            key = (row[0], row[2])
            if key not in by_question:
                by_question[key] = []
                order.append(key)
            by_question[key].append(row)
        drawn: set[str] = set()
        for key in order:
            rows = by_question[key]
            headers, printed, numeric = _shape(table, rows, hidden)
            headers[0] = _("Answer")
            # The picture is of a question's first table: it goes above that one only.
            chart = None if key[0] in drawn else _readable(area.charts.get(f"{table.name}:{key[0]}"))
            drawn.add(key[0])
            blocks.append(
                Block(
                    headers,
                    printed,
                    numeric,
                    heading=str(rows[0][1]),
                    subheading=str(key[1]),
                    chart=chart,
                    chart_width=chart_width(chart) if chart else 0,
                    base_rows={i for i, r in enumerate(rows) if r[3] == "__people_asked__"},
                )
            )
        if blocks:
            blocks[-1].note = table.note
        return blocks
    headers, printed, numeric = _shape(table, table.rows, hidden)
    chart = _readable(area.charts.get(table.name))
    code_index = (
        names.index("code") if "code" in names else names.index("answer_code") if "answer_code" in names else None
    )
    bases = {i for i, r in enumerate(table.rows) if code_index is not None and r[code_index] == "__people_asked__"}
    if "group_code" in names:
        bases |= {i for i, r in enumerate(table.rows) if r[names.index("group_code")] == "__all__"}
    return [
        Block(
            headers,
            printed,
            numeric,
            heading=table.title,
            chart=chart,
            chart_width=chart_width(chart) if chart else 0,
            note=table.note,
            base_rows=bases,
        )
    ]


def _took_part(summary: Summary) -> str:
    """A sentence on who took part, from the suppressed participation table."""
    table = next((t for t in summary.tables if t.name == "participation"), None)
    if table is None or not table.rows:
        return ""
    total = table.rows[-1][2]
    groups = [row for row in table.rows[:-1] if row[2] is HIDDEN or row[2]]
    return _(
        "%(n)s responses were counted, from %(groups)d stakeholder groups. Each group's count is set against "
        "the target the organisers set for it.",
        n=summary.hidden_label if total is HIDDEN else _number(total),
        groups=len(groups),
    )


#: More columns than this and an area's pages turn to landscape, so no table runs off the page.
WIDE_COLUMNS = 6


def render_html(summary: Summary) -> str:
    """The report as HTML (what WeasyPrint prints)."""
    consultation = summary.consultation
    hidden = summary.hidden_label
    sections = []
    for area in summary.areas:
        if area.key == "cover":
            continue
        blocks = [block for table in area.tables for block in _blocks(area, table, hidden)]
        # Tables of more than a handful of columns (one per stakeholder group) print on landscape pages.
        wide = any(len(block.headers or ()) > WIDE_COLUMNS for block in blocks)
        sections.append({"area": area, "blocks": blocks, "titles": [t.title for t in area.tables], "wide": wide})
    facts = [
        (_("Territory"), consultation.territory.name),
        (_("Organised by"), consultation.organiser),
        (_("Dates"), " – ".join(d.isoformat() for d in (consultation.opens_on, consultation.closes_on) if d)),
        (_("Languages"), ", ".join(str(LANGUAGE_NAMES.get(c, c)) for c in consultation.languages)),
        (_("Small-cell threshold"), _("Counts below %(n)d are hidden.", n=summary.threshold)),
        (_("Made on"), utctoday().isoformat()),
    ]
    # Rendered outside any request (jobs, the command line): the app's environment, no request context processors.
    template = current_app.jinja_env.get_template("exports/report.html")
    return template.render(
        summary=summary,
        lang=summary.lang,
        css=Markup(CSS.read_text(encoding="utf-8")),
        facts=[(label, value) for label, value in facts if value],
        method=method_paragraphs(summary.threshold, hidden),
        took_part=_took_part(summary),
        sections=sections,
    )


def write_pdf(summary: Summary, areas: Iterable[Area], out: BinaryIO) -> None:
    """Gather every area, then print the report to ``out``."""
    from weasyprint import HTML  # lazy: WeasyPrint is heavy and only needed to print

    summary.areas.extend(areas)
    html = render_html(summary)
    HTML(string=html, base_url=str(TEMPLATES)).write_pdf(out)
