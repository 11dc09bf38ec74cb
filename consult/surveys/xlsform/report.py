"""What an XLSForm import reports: located issues, the result, and the one exception."""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any

from flask_babel import lazy_gettext as _l


class XLSFormError(ValueError):
    """The file cannot be read as an XLSForm workbook at all (not an .xlsx, damaged, too large).

    ``message`` is translated text for the person who uploaded it. Problems *inside*
    a readable workbook are never raised: they are ``ImportResult.errors``.
    """

    def __init__(self, message: Any) -> None:
        super().__init__(str(message))
        self.message = message


@dataclass(frozen=True)
class Issue:
    """One problem found in a workbook, where it is, and what it means.

    ``sheet`` is the sheet's name as written in the workbook (``None`` for the
    file as a whole), ``row`` the spreadsheet row number (1 is the header row),
    ``column`` the column header as written. ``message`` is a lazy translated
    string; ``str(issue)`` prefixes it with its place, translated too.
    """

    sheet: str | None
    row: int | None
    column: str | None
    message: Any

    def __str__(self) -> str:
        if self.sheet and self.row and self.column:
            return str(
                _l(
                    "Sheet %(sheet)s, row %(row)d, column %(column)s: %(message)s",
                    sheet=self.sheet,
                    row=self.row,
                    column=self.column,
                    message=self.message,
                )
            )
        if self.sheet and self.row:
            return str(
                _l("Sheet %(sheet)s, row %(row)d: %(message)s", sheet=self.sheet, row=self.row, message=self.message)
            )
        if self.sheet:
            return str(_l("Sheet %(sheet)s: %(message)s", sheet=self.sheet, message=self.message))
        return str(self.message)


@dataclass
class ImportResult:
    """The outcome of ``import_xlsform``.

    ``definition`` is the instrument definition (docs/instrument-format.md), or
    ``None`` when any error refuses the file. ``errors`` refuse it; ``warnings``
    describe what was imported differently or left out. ``version`` is the
    ``settings`` sheet's ``version`` (definitions carry no version of their own).
    """

    definition: dict[str, Any] | None = None
    errors: list[Issue] = field(default_factory=list)
    warnings: list[Issue] = field(default_factory=list)
    version: str | None = None
    #: Language parts of columns (``Wichi`` in ``label::Wichi``) whose code the person must give.
    unknown_languages: list[str] = field(default_factory=list)

    @property
    def ok(self) -> bool:
        """True when the file was imported (there may still be warnings)."""
        return self.definition is not None and not self.errors


class Reporter:
    """Collects issues while a workbook is read."""

    def __init__(self) -> None:
        self.errors: list[Issue] = []
        self.warnings: list[Issue] = []
        self.unknown_languages: list[str] = []

    def error(self, sheet: str | None, row: int | None, message: Any, column: str | None = None) -> None:
        """A problem that refuses the file."""
        self.errors.append(Issue(sheet, row, column, message))

    def warn(self, sheet: str | None, row: int | None, message: Any, column: str | None = None) -> None:
        """Something imported differently, or left out, that the person must know about."""
        self.warnings.append(Issue(sheet, row, column, message))
