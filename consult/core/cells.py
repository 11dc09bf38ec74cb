"""Spreadsheet cells that never run: the one rule every CSV and XLSX file consult writes follows.

A spreadsheet reads a cell that starts with ``=``, ``+``, ``-``, ``@``, a tab or a
carriage return as a formula (CSV injection, OWASP). consult writes such a
text with a leading apostrophe, the mark spreadsheets themselves use for
"this is text", in CSV and XLSX alike; in XLSX the cell is also typed as a
string, so no reader ever sees a formula. A plain number such as ``-3`` or
``+4.5`` is left alone: it is a number to every reader, never a formula.

Readers of consult's own files (translation and XLSForm imports) undo the mark
with ``restore`` so that a round trip gives back the text exactly.
"""

from __future__ import annotations

import csv
import operator
import re
from typing import Any, Iterable, TextIO

#: First characters a spreadsheet may read as the start of a formula.
FORMULA_START = ("=", "+", "-", "@", "\t", "\r")

_PLAIN_NUMBER = re.compile(r"[+-]?(?:\d+(?:[.,]\d+)?|[.,]\d+)(?:[eE][+-]?\d+)?")
#: Characters XLSX cannot hold (openpyxl and XlsxWriter refuse or corrupt them).
_ILLEGAL = re.compile(r"[\x00-\x08\x0b\x0c\x0e-\x1f]")


def is_formula_like(text: str) -> bool:
    """True when a spreadsheet could read ``text`` as a formula."""
    return bool(text) and text.startswith(FORMULA_START) and not _PLAIN_NUMBER.fullmatch(text)


def safe_text(value: str) -> str:
    """``value`` as a cell text that no spreadsheet will run as a formula."""
    return "'" + value if is_formula_like(value) else value


def restore(value: str) -> str:
    """Undo ``safe_text``: the text as it was before it was written."""
    return value[1:] if value.startswith("'") and is_formula_like(value[1:]) else value


def safe_cell(value: Any) -> Any:
    """A value ready for a CSV or XLSX cell: texts made safe, numbers, dates and ``None`` as they are."""
    if isinstance(value, str):
        return safe_text(value)
    return value


#: ``FORMULA_START`` as a set of first characters, for ``safe_cells``'s quick test.
_FORMULA_FIRST = frozenset(FORMULA_START)
_IS_TEXT = str.__instancecheck__
_FIRST_CHARACTER = operator.itemgetter(slice(0, 1))


def safe_cells(row: list[Any]) -> list[Any]:
    """``row`` with its texts made safe, changed in place and returned: the cells ``SafeWriter`` would write.

    The same rule as ``safe_text``, for hot loops: only a text whose first
    character may start a formula is looked at further.
    """
    # First, at C speed, whether any text (``isinstance``: a superset of what is changed) starts like a formula;
    # most rows have none and are returned as they are.
    if _FORMULA_FIRST.isdisjoint(map(_FIRST_CHARACTER, filter(_IS_TEXT, row))):
        return row
    for index, value in enumerate(row):
        if value.__class__ is str and value[:1] in _FORMULA_FIRST:
            row[index] = safe_text(value)
    return row


def xlsx_text(value: str) -> str:
    """A text for an XLSX cell: safe, without the control characters XLSX cannot hold."""
    return safe_text(_ILLEGAL.sub("", value))


class SafeWriter:
    """``csv.writer`` whose every text cell goes through ``safe_text``."""

    __slots__ = ("_writer",)

    def __init__(self, stream: TextIO, **options: Any) -> None:
        options.setdefault("lineterminator", "\r\n")
        self._writer = csv.writer(stream, **options)

    def writerow(self, row: Iterable[Any]) -> None:
        """Write one row, its texts made safe."""
        self._writer.writerow([safe_text(v) if v.__class__ is str else v for v in row])

    def writelist(self, row: list[Any]) -> None:
        """Write one row given as a list of ours, its texts made safe in place (``safe_cells``, faster)."""
        self._writer.writerow(safe_cells(row))

    def writerows(self, rows: Iterable[Iterable[Any]]) -> None:
        """Write rows, their texts made safe."""
        for row in rows:
            self.writerow(row)


def csv_writer(stream: TextIO, **options: Any) -> SafeWriter:
    """A CSV writer on ``stream`` that never writes a formula."""
    return SafeWriter(stream, **options)


def append_row(sheet: Any, values: Iterable[Any]) -> None:
    """Append ``values`` to an openpyxl worksheet as safe text cells (numbers stay numbers).

    Empty strings become empty cells; text cells are typed as strings so that
    openpyxl never writes one as a formula.
    """
    row = []
    for value in values:
        if isinstance(value, str):
            row.append(xlsx_text(value) if value else None)
        else:
            row.append(value)
    sheet.append(row)
    for cell in sheet[sheet.max_row]:
        if isinstance(cell.value, str):
            cell.data_type = "s"


def write_xlsx_row(worksheet: Any, row_number: int, values: Iterable[Any], cell_format: Any = None) -> None:
    """Write ``values`` to an XlsxWriter worksheet at ``row_number``, texts as safe strings, never formulas.

    XlsxWriter's ``write`` would turn a text starting with ``=`` into a formula;
    this writes strings with ``write_string`` and numbers with ``write_number``.
    """
    for column, value in enumerate(values):
        if value is None or value == "":
            continue
        if isinstance(value, str):
            worksheet.write_string(row_number, column, xlsx_text(value), cell_format)
        elif isinstance(value, bool):
            worksheet.write_boolean(row_number, column, value, cell_format)
        elif isinstance(value, (int, float)):
            worksheet.write_number(row_number, column, value, cell_format)
        else:
            worksheet.write_string(row_number, column, xlsx_text(str(value)), cell_format)


class XlsxRowWriter:
    """``write_xlsx_row`` for many rows of one XlsxWriter worksheet, faster: the same cells, the same rule.

    The writer methods are bound once, a cell's writer is chosen by its class
    (no ``isinstance`` chain), and the safe form of short texts is remembered
    (a response export repeats the same option codes a million times).
    """

    __slots__ = ("_by_class", "_cache", "_format", "_strings", "_number", "_other")

    #: Texts up to this length have their safe form remembered, up to ``_CACHED`` of them.
    _SHORT = 64
    _CACHED = 50_000

    def __init__(self, worksheet: Any, cell_format: Any = None) -> None:
        self._format = cell_format
        self._strings = worksheet.write_string
        self._number = worksheet.write_number
        self._other = worksheet
        self._cache: dict[str, str] = {}
        self._by_class = {int: self._number, float: self._number}

    def write(self, row_number: int, values: Iterable[Any]) -> None:
        """Write ``values`` at ``row_number``: what ``write_xlsx_row(worksheet, row_number, values, cell_format)``
        writes.
        """
        by_class, cache, cell_format = self._by_class, self._cache, self._format
        for column, value in enumerate(values):
            if value is None:
                continue
            kind = value.__class__
            if kind is str:
                if not value:
                    continue
                text = cache.get(value)
                if text is None:
                    text = xlsx_text(value)
                    if len(value) <= self._SHORT and len(cache) < self._CACHED:
                        cache[value] = text
                self._strings(row_number, column, text, cell_format)
                continue
            write = by_class.get(kind)
            if write is not None:
                write(row_number, column, value, cell_format)
            else:
                write_xlsx_row(self._other, row_number, [None] * column + [value], cell_format)
