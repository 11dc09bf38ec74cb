"""Reading an .xlsx upload into plain rows, defensively.

An upload is untrusted: it may be a PNG, a CSV renamed ``.xlsx``, a damaged
zip, or a zip bomb. Before openpyxl sees it we check that it is a zip holding
a workbook and that it does not expand beyond a sane size; then we read it with
``read_only=True, data_only=True`` (formulas give their cached values, nothing
is evaluated) and stop at ``MAX_ROWS`` rows per sheet.
"""

from __future__ import annotations

import datetime
import io
import re
import zipfile
from dataclasses import dataclass, field
from typing import Any

import openpyxl
from flask_babel import lazy_gettext as _l

from consult.core.cells import restore
from consult.surveys.xlsform.report import XLSFormError

MAX_BYTES = 10 * 1024 * 1024
MAX_EXPANDED_BYTES = 100 * 1024 * 1024
MAX_ROWS = 5000
MAX_COLUMNS = 200
SHEETS = ("survey", "choices", "settings")

# Header spellings that XLSForm tools accept for the same column.
_HEADER_ALIASES = {
    "list name": "list_name",
    "relevance": "relevant",
    "caption": "label",
    "constraint message": "constraint_message",
    "required message": "required_message",
    "choice filter": "choice_filter",
    "repeat count": "repeat_count",
    "bind::relevant": "relevant",
    "bind::required": "required",
    "bind::constraint": "constraint",
    "bind::calculate": "calculation",
    "bind::jr:constraintmsg": "constraint_message",
    "bind::jr:requiredmsg": "required_message",
    "control::appearance": "appearance",
    "bind::consult:concept": "concept",
}


@dataclass
class Row:
    """A non-empty spreadsheet row: its number and its cells by normalised header."""

    number: int
    cells: dict[str, str]

    def get(self, column: str) -> str:
        """The stripped text of a cell, ``""`` when empty or absent."""
        return self.cells.get(column, "")


@dataclass
class Sheet:
    """A sheet: its name as written, its headers (normalised → as written) and its rows."""

    name: str
    headers: dict[str, str] = field(default_factory=dict)
    rows: list[Row] = field(default_factory=list)
    duplicate_headers: list[str] = field(default_factory=list)
    too_long: bool = False
    header_row: int = 1
    #: Rows holding a value in a column that has no header (that value cannot be read).
    unnamed_cells: list[int] = field(default_factory=list)


def normalise_header(text: str) -> str:
    """``" Label :: Español (es) "`` → ``"label::español (es)"``; aliases resolved."""
    parts = [re.sub(r"\s+", " ", part.strip()).lower() for part in text.split("::")]
    header = "::".join(parts)
    if header in _HEADER_ALIASES:
        return _HEADER_ALIASES[header]
    if parts[0] in _HEADER_ALIASES and len(parts) > 1:
        return "::".join([_HEADER_ALIASES[parts[0]], *parts[1:]])
    return header


def cell_text(value: Any) -> str:
    """A cell as stripped text: numbers without a spurious ``.0``, booleans as ``true``/``false``."""
    if value is None:
        return ""
    if isinstance(value, bool):
        return "true" if value else "false"
    if isinstance(value, float) and value.is_integer():
        return str(int(value))
    if isinstance(value, datetime.datetime):
        return value.date().isoformat() if value.time() == datetime.time() else value.isoformat()
    if isinstance(value, datetime.date):
        return value.isoformat()
    # consult's own exports mark texts a spreadsheet could run with an apostrophe (``consult.core.cells``).
    return restore(str(value).strip())


def _check_container(data: bytes) -> None:
    if not data:
        raise XLSFormError(_l("The file is empty."))
    if len(data) > MAX_BYTES:
        raise XLSFormError(
            _l("The file is larger than %(mb)d MB; an XLSForm is much smaller.", mb=MAX_BYTES // (1024 * 1024))
        )
    if data.startswith(b"\xd0\xcf\x11\xe0"):
        raise XLSFormError(
            _l(
                "This is an old Excel file (.xls). Open it and save it as an Excel workbook (.xlsx), then upload it "
                "again."
            )
        )
    if not zipfile.is_zipfile(io.BytesIO(data)):
        raise XLSFormError(
            _l("This file is not an Excel workbook (.xlsx). Save the form as an .xlsx workbook and upload it again.")
        )
    try:
        with zipfile.ZipFile(io.BytesIO(data)) as archive:
            names = set(archive.namelist())
            expanded = sum(info.file_size for info in archive.infolist())
    except (zipfile.BadZipFile, OSError, ValueError) as exc:
        raise XLSFormError(_l("The workbook is damaged and cannot be opened.")) from exc
    if "xl/workbook.xml" not in names:
        raise XLSFormError(
            _l("This file is not an Excel workbook (.xlsx). Save the form as an .xlsx workbook and upload it again.")
        )
    if expanded > MAX_EXPANDED_BYTES:
        raise XLSFormError(
            _l(
                "The workbook expands to more than %(mb)d MB; an XLSForm is much smaller.",
                mb=MAX_EXPANDED_BYTES // (1024 * 1024),
            )
        )


def read_workbook(data: bytes) -> dict[str, Sheet]:
    """The XLSForm sheets of an .xlsx file by lower-case name (``survey``, ``choices``, ``settings``).

    Raises ``XLSFormError`` when the bytes are not a readable workbook. Other
    sheets are not read. Empty rows are skipped; cells are stripped text.
    """
    _check_container(data)

    try:
        workbook = openpyxl.load_workbook(io.BytesIO(data), read_only=True, data_only=True)
    except Exception as exc:  # openpyxl raises many kinds (KeyError, XML errors...) on damaged files
        raise XLSFormError(_l("The workbook is damaged and cannot be opened.")) from exc
    sheets: dict[str, Sheet] = {}
    try:
        for worksheet in workbook.worksheets:
            lowered = worksheet.title.strip().lower()
            if lowered in SHEETS and lowered not in sheets:
                sheets[lowered] = _read_sheet(worksheet)
    except XLSFormError:
        raise
    except Exception as exc:
        raise XLSFormError(_l("The workbook is damaged and cannot be opened.")) from exc
    finally:
        workbook.close()
    return sheets


def _read_sheet(worksheet: Any) -> Sheet:
    sheet = Sheet(name=worksheet.title)
    columns: list[str | None] = []
    header_seen = False
    for number, values in enumerate(
        worksheet.iter_rows(max_row=MAX_ROWS + 1, max_col=MAX_COLUMNS, values_only=True), start=1
    ):
        texts = [cell_text(v) for v in values]
        if not header_seen:
            if not any(texts):
                continue
            header_seen = True
            for text in texts:
                if not text:
                    columns.append(None)
                    continue
                key = normalise_header(text)
                if key in sheet.headers:
                    sheet.duplicate_headers.append(text)
                    columns.append(None)
                    continue
                sheet.headers[key] = text
                columns.append(key)
            sheet.header_row = number
            continue
        if number > MAX_ROWS:
            sheet.too_long = True
            break
        cells = {columns[i]: t for i, t in enumerate(texts) if i < len(columns) and columns[i] and t}
        if any(t and (i >= len(columns) or columns[i] is None) for i, t in enumerate(texts)):
            sheet.unnamed_cells.append(number)
        if cells:
            sheet.rows.append(Row(number, cells))
    return sheet
