"""The summary as files people open: an XLSX workbook and a ZIP of CSV files.

Both hold the same tables with the same translated headers. A hidden figure is
written as the public page's hidden mark (``Summary.hidden_label``), a figure
that does not apply as an empty cell. Every cell goes through
``consult.core.cells``, so no text is ever read as a formula.

* XLSX: the cover sheet first (consultation, dates, languages, threshold,
  method), then one sheet per area; each table is a block: title, description,
  header, rows, the note on hidden figures, a blank line.
* CSV: ``<table name>.csv`` per table (UTF-8 with a BOM so spreadsheet
  programs read accents, as every CSV consult writes; comma separated; CRLF),
  plus ``README.txt`` with the method and the notes.
"""

from __future__ import annotations

import io
import re
import zipfile
from collections.abc import Iterable
from typing import Any, BinaryIO

from flask_babel import gettext as _
from openpyxl import Workbook
from openpyxl.styles import Alignment, Font, PatternFill
from openpyxl.utils import get_column_letter

from consult.core.cells import append_row, csv_writer
from consult.exports.summary import HIDDEN, Area, Summary, Table, method_paragraphs

_SHEET_FORBIDDEN = re.compile(r"[\[\]:*?/\\]")
HEADER_FILL = PatternFill("solid", fgColor="E3F0E8")


def cell_value(value: Any, hidden: str) -> Any:
    """A summary value as a file cell: the hidden mark, a number, a text, or ``None`` (empty)."""
    if value is HIDDEN:
        return hidden
    return value


def sheet_title(title: str, taken: set[str]) -> str:
    """A valid, unique sheet name (at most 31 characters, none of ``[]:*?/\\``)."""
    base = _SHEET_FORBIDDEN.sub(" ", title).strip()[:31] or "Sheet"
    name, n = base, 2
    while name.lower() in taken:
        suffix = f" {n}"
        name, n = base[: 31 - len(suffix)] + suffix, n + 1
    taken.add(name.lower())
    return name


def _write_table(sheet, table: Table, hidden: str, widths: dict[int, int]) -> None:
    append_row(sheet, [table.title])
    sheet.cell(sheet.max_row, 1).font = Font(bold=True, size=12)
    if table.description:
        append_row(sheet, [table.description])
        sheet.cell(sheet.max_row, 1).font = Font(italic=True)
    append_row(sheet, [column.title for column in table.columns])
    for cell in sheet[sheet.max_row]:
        cell.font = Font(bold=True)
        cell.fill = HEADER_FILL
        cell.alignment = Alignment(wrap_text=True, vertical="top")
    for index, column in enumerate(table.columns, 1):
        widths[index] = max(widths.get(index, 0), min(len(column.title), 24))
    for row in table.rows:
        append_row(sheet, [cell_value(value, hidden) for value in row])
        for index, (column, value) in enumerate(zip(table.columns, row), 1):
            if column.type == "number" and isinstance(value, float):
                sheet.cell(sheet.max_row, index).number_format = "0.0"
            if isinstance(value, str):
                widths[index] = max(widths.get(index, 0), min(len(value), 60))
    if not table.rows:
        append_row(sheet, [_("Nothing to show yet.")])
    if table.note:
        append_row(sheet, [table.note])
        sheet.cell(sheet.max_row, 1).font = Font(italic=True)
    append_row(sheet, [])


def write_xlsx(summary: Summary, areas: Iterable[Area], out: BinaryIO) -> None:
    """Write the workbook: the cover sheet, then a sheet per area, each written as soon as it is counted."""
    book = Workbook()
    book.remove(book.active)
    taken: set[str] = set()
    for area in areas:
        summary.areas.append(area)
        sheet = book.create_sheet(sheet_title(area.title, taken))
        widths: dict[int, int] = {}
        for line in area.intro:
            append_row(sheet, [line])
        if area.intro:
            append_row(sheet, [])
        for table in area.tables:
            _write_table(sheet, table, summary.hidden_label, widths)
        for index, width in widths.items():
            sheet.column_dimensions[get_column_letter(index)].width = max(10, width + 2)
    book.save(out)


def readme(summary: Summary) -> str:
    """The words that go with the CSV files: what they are, the method, the hidden mark, the notes."""
    lines = [
        summary.title,
        "",
        _("Small-cell threshold: counts below %(n)d are hidden.", n=summary.threshold),
        _("Hidden figures read: %(mark)s", mark=summary.hidden_label),
        "",
    ]
    lines += method_paragraphs(summary.threshold, summary.hidden_label)
    lines += [""]
    for table in summary.tables:
        lines.append(f"{table.name}.csv — {table.title}")
        if table.description:
            lines.append("  " + table.description)
        if table.note:
            lines.append("  " + table.note)
    return "\r\n".join(lines) + "\r\n"


def write_csv_zip(summary: Summary, areas: Iterable[Area], out: BinaryIO) -> None:
    """Write a ZIP of one CSV per table (UTF-8 with a BOM), then ``README.txt``."""
    with zipfile.ZipFile(out, "w", compression=zipfile.ZIP_DEFLATED) as archive:
        for area in areas:
            summary.areas.append(area)
            for table in area.tables:
                with archive.open(f"{table.name}.csv", "w") as raw:
                    stream = io.TextIOWrapper(raw, encoding="utf-8-sig", newline="")
                    writer = csv_writer(stream)
                    writer.writerow([column.title for column in table.columns])
                    for row in table.rows:
                        writer.writerow(["" if v is None else cell_value(v, summary.hidden_label) for v in row])
                    stream.flush()
                    stream.detach()
        archive.writestr("README.txt", readme(summary).encode("utf-8-sig"))
