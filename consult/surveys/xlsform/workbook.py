"""Reading an upload into plain rows through pyxform, defensively.

An upload is untrusted: it may be a PNG, a CSV renamed ``.xlsx``, a damaged zip, or a zip bomb.
Before anything opens it we check that it is a zip holding a workbook and that no entry, nor the
whole, expands beyond a sane size or ratio; then pyxform (the reference XLSForm implementation)
reads it (``read_only``, ``data_only``: formulas give their cached values, nothing is evaluated)
and its own header parsing names the columns: aliases (``relevance``, ``list name``,
``constraint message``...), language parts with one colon or two (``label:english``,
``label::English (en)``), and the rest. consult keeps its own checks and messages on top.

Rows are numbered as pyxform numbers them (empty rows kept), so a report's row is the
spreadsheet's row.
"""

from __future__ import annotations

import io
import zipfile
from dataclasses import dataclass, field
from typing import Any

from flask_babel import lazy_gettext as _l
from pyxform import aliases
from pyxform.errors import PyXFormError
from pyxform.parsing.sheet_headers import process_header
from pyxform.question import MultipleChoiceQuestion, Option
from pyxform.survey import Survey
from pyxform.xls2json_backends import DefinitionData, get_xlsform

from consult.core.cells import restore
from consult.core.uploads import UploadRefused, check_zip
from consult.surveys.xlsform.report import XLSFormError

MAX_BYTES = 10 * 1024 * 1024
MAX_EXPANDED_BYTES = 100 * 1024 * 1024
# One entry may not expand more than this many times its compressed size (an XML sheet compresses
# about 10-30 times; a zip bomb thousands of times).
MAX_RATIO = 200
# Real field forms run past 5,000 rows (a biomass plot form has some 6,000); the size checks above
# bound the work, this bounds what the person waits for.
MAX_ROWS = 50_000
SHEETS = ("survey", "choices", "settings")

# pyxform's names for columns (``("bind", "relevant")``) back to the names consult reads them by.
_TOKENS = {
    ("bind", "relevant"): "relevant",
    ("bind", "required"): "required",
    ("bind", "constraint"): "constraint",
    ("bind", "calculate"): "calculation",
    ("bind", "jr:requiredMsg"): "required_message",
    ("bind", "jr:constraintMsg"): "constraint_message",
    ("jr:constraintMsg",): "constraint_message",
    ("jr:requiredMsg",): "required_message",
    ("control", "appearance"): "appearance",
    ("control", "jr:count"): "repeat_count",
    ("bind", "consult:type"): "bind::consult:type",
    ("bind", "consult:data"): "bind::consult:data",
    ("bind", "consult:concept"): "concept",
    ("list name",): "list_name",
    ("title",): "form_title",
    ("id_string",): "form_id",
    ("consult", "data"): "consult:data",
}
_LOWER_TOKENS = {tuple(t.lower() for t in k): v for k, v in _TOKENS.items()}
_SHEET_SPEC = {
    "survey": (aliases.survey_header, set(MultipleChoiceQuestion.get_slot_names())),
    "choices": (aliases.list_header, set(Option.get_slot_names())),
    "settings": (aliases.settings_header, set(Survey.get_slot_names())),
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
    #: Rows holding a value in a column that has no header (pyxform does not read those; kept for the report).
    unnamed_cells: list[int] = field(default_factory=list)


def normalise_header(text: str, sheet: str = "survey") -> str:
    """A header as consult reads it, parsed by pyxform: ``"Label:English"`` → ``"label::English"``.

    The column part is pyxform's (aliases resolved, case and spacing normalised); a language part
    is kept as written, since it may be a name (``English (en)``) that the import maps to a code.
    """
    header_aliases, columns = _SHEET_SPEC.get(sheet, _SHEET_SPEC["survey"])
    text = " ".join(text.split())
    lowered_base, sep, rest = text.partition("::")
    candidates = [text]
    if lowered_base.lower() != lowered_base:
        candidates.append(lowered_base.lower() + sep + rest)
    for candidate in reversed(candidates):
        _, tokens = process_header(candidate, "::" in candidate, header_aliases, columns)
        tokens = tuple(t for t in tokens if t)
        if not tokens:
            continue
        base = tokens[0].lower() if len(tokens) > 1 or tokens[0].lower() in columns else tokens[0]
        tokens = (base, *tokens[1:])
        for size in (3, 2, 1):
            name = _LOWER_TOKENS.get(tuple(t.lower() for t in tokens[:size])) if len(tokens) >= size else None
            if name:
                return "::".join([name, *tokens[size:]])
        if base.lower() in columns or base.lower() in ("label", "hint", "name", "type", "list_name", "media"):
            return "::".join([base.lower(), *tokens[1:]])
        return "::".join(tokens).lower() if len(tokens) == 1 else "::".join([base.lower(), *tokens[1:]])
    return text.lower()


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
    # The one zip check of every spreadsheet upload: sizes as declared, before a byte is expanded.
    try:
        check_zip(data, max_bytes=MAX_BYTES, max_expanded_bytes=MAX_EXPANDED_BYTES, required=(), max_ratio=MAX_RATIO)
    except UploadRefused as refused:
        raise XLSFormError(refused.message) from None
    with zipfile.ZipFile(io.BytesIO(data)) as archive:
        names = set(archive.namelist())
    if "xl/workbook.xml" not in names:
        raise XLSFormError(
            _l("This file is not an Excel workbook (.xlsx). Save the form as an .xlsx workbook and upload it again.")
        )


def read_workbook(data: bytes) -> dict[str, Sheet]:
    """The XLSForm sheets of an .xlsx file by lower-case name (``survey``, ``choices``, ``settings``).

    Raises ``XLSFormError`` when the bytes are not a readable workbook. Other sheets are not read.
    """
    _check_container(data)
    try:
        definition = get_xlsform(io.BytesIO(data), file_type=".xlsx")
    except PyXFormError as exc:
        text = str(exc)
        if text.startswith("Duplicate column header"):
            raise XLSFormError(
                _l(
                    "A sheet has the column %(column)s twice; keep one and upload the workbook again.",
                    column=text.partition(":")[2].strip(),
                )
            ) from None
        raise XLSFormError(_l("The workbook is damaged and cannot be opened.")) from exc
    except Exception as exc:  # openpyxl raises many kinds (KeyError, XML errors...) on damaged files
        raise XLSFormError(_l("The workbook is damaged and cannot be opened.")) from exc
    return sheets_from_definition(definition)


def sheets_from_definition(definition: DefinitionData, names: dict[str, str] | None = None) -> dict[str, Sheet]:
    """consult's sheets from pyxform's workbook data (an .xlsx read by pyxform, or a dict in its shape)."""
    titles = {name.lower(): name for name in (definition.sheet_names or [])}
    titles.update(names or {})
    sheets: dict[str, Sheet] = {}
    for key in SHEETS:
        rows = getattr(definition, key) or []
        header = getattr(definition, f"{key}_header") or []
        if not rows and not header and key not in titles:
            continue
        sheet = Sheet(name=titles.get(key, key))
        columns: dict[str, str] = {}
        for written in header[0] if header else {}:
            normalised = normalise_header(str(written), key)
            if normalised in sheet.headers:
                sheet.duplicate_headers.append(str(written))
                continue
            sheet.headers[normalised] = str(written)
            columns[str(written)] = normalised
        if len(rows) > MAX_ROWS:
            sheet.too_long = True
            rows = rows[:MAX_ROWS]
        for number, values in enumerate(rows, start=2):
            cells = {}
            for written, value in values.items():
                column = columns.get(written)
                text = restore(str(value).strip()) if value is not None else ""
                if column and text:
                    cells[column] = text
            if cells:
                sheet.rows.append(Row(number, cells))
        sheets[key] = sheet
    return sheets


def cell_text(value: Any) -> str:
    """A cell as stripped text, as pyxform writes it: numbers without a spurious ``.0``, dates in ISO form."""
    import datetime

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
    return restore(str(value).strip())
