"""What a dry run or an import of a spreadsheet of answers reports: invalid cells, columns left out, counts."""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any

from consult.responses.models import EntryMode


@dataclass
class Problem:
    """An invalid cell: its spreadsheet row, its column, what it held (shortened) and why it is invalid."""

    row: int
    column: str
    value: str
    message: str


@dataclass
class ColumnNote:
    """A column that is not imported, and why."""

    column: str
    reason: Any


@dataclass
class ImportReport:
    """What a dry run or an import found and did."""

    filename: str
    rows: int = 0
    valid_rows: int = 0
    problems: list[Problem] = field(default_factory=list)
    notes: list[ColumnNote] = field(default_factory=list)
    left_out: int = 0
    imported: int = 0
    file_error: Any = None

    @property
    def invalid_rows(self) -> int:
        """Rows with at least one problem."""
        return len({p.row for p in self.problems})

    @property
    def is_valid(self) -> bool:
        """A readable file whose every row is valid."""
        return self.file_error is None and self.rows > 0 and not self.problems


@dataclass(frozen=True)
class Defaults:
    """What rows without a ``group``, ``language`` or ``entry_mode`` column get."""

    group_code: str | None
    language: str
    entry_mode: EntryMode
