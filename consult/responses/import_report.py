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
    #: SHA-256 (hex) of the file's bytes.
    digest: str = ""
    #: The fingerprint of each valid row, by spreadsheet row number (``import_models.ImportedRow``).
    fingerprints: dict[int, str] = field(default_factory=dict)
    #: Earlier imports of the same file into the consultation (``ImportRecord``), oldest first.
    earlier: list[Any] = field(default_factory=list)
    #: Valid rows whose fingerprint an earlier import recorded.
    repeated_rows: list[int] = field(default_factory=list)
    #: The import was held back: the file or some rows were imported before, and nobody said "import again".
    needs_confirmation: bool = False

    @property
    def invalid_rows(self) -> int:
        """Rows with at least one problem."""
        return len({p.row for p in self.problems})

    @property
    def imported_before(self) -> bool:
        """The same file, or some of its rows, were imported into the consultation before."""
        return bool(self.earlier or self.repeated_rows)


@dataclass(frozen=True)
class Defaults:
    """What rows without a ``group``, ``language`` or ``entry_mode`` column get."""

    group_code: str | None
    language: str
    entry_mode: EntryMode
