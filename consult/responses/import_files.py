"""Reading an uploaded spreadsheet of answers (CSV or XLSX) into a header and rows of text, defensively.

An upload is untrusted. Before anything is parsed we look at the bytes: an
old Excel file, an OpenDocument sheet, a PDF or a picture gets a message that
says what to do instead of a traceback. A CSV must be UTF-8 (what
KoboToolbox, ODK Central and "CSV UTF-8" in Excel write); its separator
(comma, semicolon or tab) is detected. An XLSX is checked to be a zip holding
a workbook that does not expand beyond a sane size, then read with openpyxl
in read-only mode with cached values (formulas are never run); its first sheet
is read (a Kobo export keeps the main rows there, repeat groups on others).
At most ``MAX_ROWS`` rows.
"""

from __future__ import annotations

import csv
import io
import zipfile
from dataclasses import dataclass, field
from pathlib import PurePath

import openpyxl
from flask_babel import lazy_gettext as _l

from consult.core.uploads import UploadRefused, check_zip
from consult.surveys.xlsform.workbook import cell_text

MAX_ROWS = 5000
MAX_COLUMNS = 2000
MAX_BYTES = 50 * 1024 * 1024
MAX_EXPANDED_BYTES = 200 * 1024 * 1024
EXTENSIONS = {".csv": "csv", ".txt": "csv", ".tsv": "csv", ".xlsx": "xlsx"}


class ImportFileError(ValueError):
    """The upload cannot be read as a table; ``message`` says why, translated."""

    def __init__(self, message) -> None:
        super().__init__(str(message))
        self.message = message


@dataclass
class Table:
    """A sheet as text: the header row's names and the data rows ``(row number, cells)``, empty rows left out."""

    headers: list[str]
    rows: list[tuple[int, list[str]]] = field(default_factory=list)
    header_row: int = 1


NOT_A_TABLE = _l(
    "This file is not a CSV or XLSX spreadsheet. Export the answers as CSV (UTF-8) or as an Excel workbook (.xlsx)."
)


def read_table(data: bytes, filename: str) -> Table:
    """The table in an uploaded ``.csv`` or ``.xlsx`` file; raises ``ImportFileError`` with a clear message."""
    if not data:
        raise ImportFileError(_l("The file is empty."))
    kind = EXTENSIONS.get(PurePath(filename or "").suffix.lower())
    if data.startswith(b"\xd0\xcf\x11\xe0"):
        raise ImportFileError(
            _l(
                "This is an old Excel file (.xls). Save it as an Excel workbook (.xlsx) or as CSV UTF-8, then upload "
                "it again."
            )
        )
    if data.startswith(b"PK"):
        if kind != "xlsx" and kind is not None:
            raise ImportFileError(NOT_A_TABLE)
        return _read_xlsx(data)
    if kind is None:
        raise ImportFileError(NOT_A_TABLE)
    if kind == "xlsx":
        raise ImportFileError(
            _l("This file is named .xlsx but is not an Excel workbook. Save it again as .xlsx or as CSV UTF-8.")
        )
    return _read_csv(data)


def _read_csv(data: bytes) -> Table:
    if b"\x00" in data[:65536] or data.startswith((b"%PDF", b"\x89PNG", b"\xff\xd8")):
        raise ImportFileError(NOT_A_TABLE)
    try:
        text = data.decode("utf-8-sig")
    except UnicodeDecodeError:
        raise ImportFileError(
            _l(
                "The file is not in UTF-8, so accented letters would be garbled. In Excel choose “CSV UTF-8”; in "
                "LibreOffice choose the character set “Unicode (UTF-8)”."
            )
        ) from None
    if "\x00" in text:
        raise ImportFileError(NOT_A_TABLE)
    first_line = text.split("\n", 1)[0]
    try:
        dialect = csv.Sniffer().sniff(first_line, delimiters=",;\t")
        delimiter = dialect.delimiter
    except csv.Error:
        delimiter = ","
    reader = csv.reader(io.StringIO(text, newline=""), delimiter=delimiter)
    try:
        return _table((number, [cell.strip() for cell in cells]) for number, cells in enumerate(reader, start=1))
    except csv.Error:
        raise ImportFileError(
            _l("The CSV file is damaged (for example a quotation mark that is never closed).")
        ) from None


def _read_xlsx(data: bytes) -> Table:
    try:
        with zipfile.ZipFile(io.BytesIO(data)) as archive:
            names = set(archive.namelist())
    except (zipfile.BadZipFile, OSError, ValueError):
        raise ImportFileError(_l("The workbook is damaged and cannot be opened.")) from None
    if "xl/workbook.xml" not in names:
        if "content.xml" in names:
            raise ImportFileError(
                _l("This is an OpenDocument spreadsheet (.ods). Save it as an Excel workbook (.xlsx) or as CSV UTF-8.")
            )
        raise ImportFileError(NOT_A_TABLE)
    # The one zip check of every spreadsheet upload (consult.core.uploads): a bomb is refused from the sizes
    # it declares, at once, instead of after seconds of expanding it.
    try:
        check_zip(data, max_bytes=MAX_BYTES, max_expanded_bytes=MAX_EXPANDED_BYTES)
    except UploadRefused as refused:
        raise ImportFileError(refused.message) from None

    try:
        workbook = openpyxl.load_workbook(io.BytesIO(data), read_only=True, data_only=True)
    except Exception:  # openpyxl raises many kinds (KeyError, XML errors...) on damaged files
        raise ImportFileError(_l("The workbook is damaged and cannot be opened.")) from None
    try:
        sheet = workbook.worksheets[0]
        rows = sheet.iter_rows(max_row=MAX_ROWS + 50, max_col=MAX_COLUMNS, values_only=True)
        return _table((number, [cell_text(v) for v in values]) for number, values in enumerate(rows, start=1))
    except ImportFileError:
        raise
    except Exception:
        raise ImportFileError(_l("The workbook is damaged and cannot be opened.")) from None
    finally:
        workbook.close()


def _table(numbered_rows) -> Table:
    table: Table | None = None
    for number, cells in numbered_rows:
        if len(cells) > MAX_COLUMNS:
            raise ImportFileError(_l("The file has more than %(n)d columns.", n=MAX_COLUMNS))
        if not any(cells):
            continue
        if table is None:
            table = Table(headers=list(cells), header_row=number)
            continue
        if len(table.rows) >= MAX_ROWS:
            raise ImportFileError(_l("The file has more than %(n)d rows. Split it into smaller files.", n=MAX_ROWS))
        table.rows.append((number, cells))
    if table is None:
        raise ImportFileError(_l("The file is empty."))
    if not table.rows:
        raise ImportFileError(_l("The file has a header row but no answers under it."))
    return table
