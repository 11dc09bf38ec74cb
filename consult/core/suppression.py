"""Small-cell suppression: the one gate for every figure that leaves the officials' screens.

The public results page, exports, plan evidence and the testimony counts page show counts
only through ``suppress`` (tables) or ``suppress_value`` (a lone count). It lives in core,
below every room, so that any room may use it without importing another room
(``consult.analysis.suppression`` re-exports it for the analysis room and its callers).

The rules, for a consultation whose ``small_cell_threshold`` is k (5 by default):

1. Primary. A count n with 1 <= n < k is hidden; 0 is shown (it discloses nobody). A
   published base (people asked in a group) or row total with 1 <= n < k is hidden as well,
   and so is every cell of its column or row.
2. Differencing. When a filtered table (one locality) is published beside the unfiltered one
   (all localities), a filtered figure is also hidden when unfiltered minus filtered is
   1 <= n < k: otherwise the few people outside the filter could be counted by subtraction.
3. Secondary. Each published total is an equation: the cells of a row add up to the row
   total; the cells of an additive column (single choice, "not answered" included) add up to
   its base; when both are published the row totals add up to the sum of the bases. A line
   with exactly one hidden non-zero figure gives that figure away, so one more is hidden: the
   shown non-zero cell that opens the fewest new such lines, the smallest among equals (a
   total only when no cell is left). Lines are checked again until none has exactly one.
   Hidden zeros do not protect anything: a reader may guess a zero.
4. Every hidden figure is displayed the same way, whatever the reason, so that nobody can
   tell the small count from the one hidden to protect it.

Shares are computed from shown figures only. A group-balanced share (the mean of the group
shares, each group weighing the same) is withheld when any group share is hidden, since
with the shown shares it would give the hidden one away.

Limits: the secondary rule is the usual line-by-line heuristic, not a solver of the whole
system of equations; the unfiltered table of a filtered pair must go through ``suppress``
too. Both are standard practice for tables of this size.
"""

from __future__ import annotations

from collections.abc import Hashable, Sequence
from dataclasses import dataclass
from enum import StrEnum

import numpy as np
import pandas as pd
from flask_babel import gettext as _


class Reason(StrEnum):
    """Why a figure is hidden (kept for auditors; never shown to readers)."""

    PRIMARY = "primary"  # 1 <= n < k, or in the column/row of such a base/total
    COMPLEMENT = "complement"  # unfiltered minus filtered is 1 <= n < k
    SECONDARY = "secondary"  # hidden so that another hidden figure cannot be worked out


def is_small(n: int, threshold: int) -> bool:
    """Whether a count would single out a handful of people: 1 <= n < threshold (0 is not)."""
    return 1 <= n < threshold


def suppress_value(n: int, threshold: int) -> int | None:
    """A lone published count (a coverage figure): the count, or None when it is small."""
    return None if is_small(n, threshold) else n


def display_value(n: int, threshold: int) -> str:
    """A lone published count as text: "12", or the translated "fewer than 5"."""
    return _("fewer than %(n)d", n=threshold) if is_small(n, threshold) else str(n)


def suppress_summary(n: int, value: float | None, threshold: int) -> float | None:
    """A summary (median, mean…) of n answers: the value, or None when n < threshold (0 included)."""
    return value if n >= threshold else None


def balanced_share(shares: Sequence[float | None]) -> float | None:
    """The group-balanced pooled share: the mean of the group shares, each group weighing the same.

    None when the list is empty or any share is None (hidden): the balanced figure and the
    shown shares would otherwise give the hidden one away.
    """
    if not shares or any(share is None for share in shares):
        return None
    return float(sum(shares)) / len(shares)  # type: ignore[arg-type]


@dataclass(frozen=True)
class SuppressedTable:
    """A table of counts with what may be published: which cells, bases and totals are hidden, and why.

    ``counts`` keeps the true counts for the officials' own screens; anything published goes
    through ``cell``, ``share``, ``display`` or ``published``. ``row_totals`` is None when the
    pooled totals are not published.
    """

    counts: pd.DataFrame
    threshold: int
    hidden: pd.DataFrame
    reasons: pd.DataFrame
    column_bases: pd.Series
    base_hidden: pd.Series
    base_reasons: pd.Series
    row_totals: pd.Series | None
    total_hidden: pd.Series | None
    total_reasons: pd.Series | None
    additive_columns: bool

    def cell(self, row: Hashable, col: Hashable) -> int | None:
        """The count of a cell, or None when it is hidden."""
        return None if self.hidden.at[row, col] else int(self.counts.at[row, col])

    def base(self, col: Hashable) -> int | None:
        """The base of a column (people asked in that group), or None when it is hidden."""
        return None if self.base_hidden[col] else int(self.column_bases[col])

    def total(self, row: Hashable) -> int | None:
        """The pooled total of a row, or None when it is hidden or row totals are not published."""
        if self.row_totals is None or self.total_hidden[row]:
            return None
        return int(self.row_totals[row])

    def share(self, row: Hashable, col: Hashable) -> float | None:
        """Cell over its column base; None when either is hidden or the base is 0."""
        count, base = self.cell(row, col), self.base(col)
        return None if count is None or not base else count / base

    def pooled_share(self, row: Hashable) -> float | None:
        """The raw pooled share: row total over the sum of the bases.

        None when the total or any base is hidden, as the pooled base would reveal it.
        """
        total, bases = self.total(row), [self.base(col) for col in self.counts.columns]
        if total is None or None in bases or not sum(bases):  # type: ignore[arg-type]
            return None
        return total / sum(bases)  # type: ignore[arg-type]

    def balanced_share(self, row: Hashable) -> float | None:
        """The group-balanced share of a row over the groups that were asked (base > 0 or hidden)."""
        cols = [col for col in self.counts.columns if self.base_hidden[col] or self.column_bases[col] > 0]
        return balanced_share([self.share(row, col) for col in cols])

    @property
    def hidden_label(self) -> str:
        """What a hidden figure reads as: the same for every reason (see the module's rule 4)."""
        return _("hidden")

    @property
    def note(self) -> str:
        """The sentence printed under a published table that has hidden figures."""
        return _(
            "Counts below %(n)d are hidden, and so are some other figures that would reveal them.",
            n=self.threshold,
        )

    def display(self, row: Hashable, col: Hashable) -> str:
        """A cell as text: "12", or the hidden label."""
        return self.hidden_label if self.cell(row, col) is None else str(self.cell(row, col))

    def display_base(self, col: Hashable) -> str:
        """A column base as text: "212", or the hidden label."""
        return self.hidden_label if self.base(col) is None else str(self.base(col))

    def display_total(self, row: Hashable) -> str:
        """A row total as text: "40", or the hidden label (also when totals are not published)."""
        return self.hidden_label if self.total(row) is None else str(self.total(row))

    def published(self) -> pd.DataFrame:
        """The counts as exports should write them: nullable integers, hidden cells missing (<NA>)."""
        return self.counts.astype("Int64").mask(self.hidden)


def _as_counts(frame: pd.DataFrame | pd.Series, name: str) -> np.ndarray:
    if isinstance(frame, pd.DataFrame) and not (frame.index.is_unique and frame.columns.is_unique):
        raise ValueError(f"the rows and columns of {name} must be unique")
    values = np.asarray(frame, dtype=float)
    if np.isnan(values).any() or (values < 0).any() or (values != np.round(values)).any():
        raise ValueError(f"{name} must hold non-negative whole numbers")
    return values.astype(np.int64)


def _bases(cells: np.ndarray, given: pd.Series | None, columns: pd.Index, additive: bool, name: str) -> np.ndarray:
    if given is None:
        if not additive:
            raise ValueError(f"{name} are required when columns are not additive")
        return cells.sum(axis=0)
    if not given.index.sort_values().equals(columns.sort_values()):
        raise ValueError(f"{name} must have one value per column")
    bases = _as_counts(given.reindex(columns), name)
    if additive and (bases != cells.sum(axis=0)).any():
        raise ValueError(
            f"{name} differ from the column sums: include the 'not answered' row, "
            "or pass additive_columns=False for multiple-choice tables"
        )
    if cells.size and (cells > bases).any():
        raise ValueError(f"a count is larger than its base in {name}")
    return bases


def suppress(
    counts: pd.DataFrame,
    threshold: int,
    *,
    column_bases: pd.Series | None = None,
    additive_columns: bool = True,
    row_totals: bool = True,
    complement: pd.DataFrame | None = None,
    complement_bases: pd.Series | None = None,
) -> SuppressedTable:
    """Apply the primary, differencing and secondary rules (module docstring) to a table of counts.

    ``counts``: rows are categories (answer options, "not answered" included for single
    choice), columns are groups or localities. ``column_bases``: the published bases (people
    asked per column); by default the column sums. ``additive_columns``: the cells of a
    column add up to its base (single choice); pass False for multiple choice, whose bases
    are larger. ``row_totals``: the pooled row totals (sum across columns) are published.
    ``complement`` (with ``complement_bases`` when bases are given): the unfiltered table
    published beside this filtered one, same rows and columns.
    """
    if isinstance(threshold, bool) or not isinstance(threshold, (int, np.integer)) or threshold < 1:
        raise ValueError("threshold must be a whole number of at least 1")
    cells = _as_counts(counts, "counts")
    n_rows, n_cols = cells.shape
    bases = _bases(cells, column_bases, counts.columns, additive_columns, "column_bases")
    values = np.concatenate([cells.ravel(), cells.sum(axis=1), bases])
    n_cells = n_rows * n_cols  # one flat array: cells row by row, then row totals, then bases
    total_ids, base_ids = n_cells + np.arange(n_rows), n_cells + n_rows + np.arange(n_cols)
    row_ids = [i * n_cols + np.arange(n_cols) for i in range(n_rows)]
    col_ids = [np.arange(n_rows) * n_cols + j for j in range(n_cols)]
    hidden, reasons = np.zeros(len(values), dtype=bool), np.full(len(values), None, dtype=object)

    def hide(ids: np.ndarray, why: Reason) -> None:
        fresh = ids[~hidden[ids]]
        hidden[fresh], reasons[fresh] = True, why

    def hide_small(amounts: np.ndarray, why: Reason) -> None:
        small = (amounts >= 1) & (amounts < threshold)
        hide(np.flatnonzero(small[:n_cells]), why)
        for j in np.flatnonzero(small[base_ids]):
            hide(np.append(col_ids[j], base_ids[j]), why)
        for i in np.flatnonzero(small[total_ids]) if row_totals else ():
            hide(np.append(row_ids[i], total_ids[i]), why)

    hide_small(values, Reason.PRIMARY)
    if complement is not None:
        if not (
            complement.index.sort_values().equals(counts.index.sort_values())
            and complement.columns.sort_values().equals(counts.columns.sort_values())
        ):
            raise ValueError("complement must have the same rows and columns as counts")
        if column_bases is not None and complement_bases is None:
            raise ValueError("complement_bases are required when column_bases are given")
        other = _as_counts(complement.reindex(index=counts.index, columns=counts.columns), "complement")
        other_bases = _bases(other, complement_bases, counts.columns, additive_columns, "complement_bases")
        difference = np.concatenate([other.ravel(), other.sum(axis=1), other_bases]) - values
        if (difference < 0).any():
            raise ValueError("complement (the unfiltered table) must be at least the filtered counts")
        hide_small(difference, Reason.COMPLEMENT)

    lines = [np.append(row_ids[i], total_ids[i]) for i in range(n_rows)] if row_totals else []
    lines += [np.append(col_ids[j], base_ids[j]) for j in range(n_cols)] if additive_columns else []
    if row_totals and additive_columns:
        lines.append(np.concatenate([total_ids, base_ids]))
    _secondary(values, hidden, reasons, lines, n_cells, n_cells + n_rows)

    def frame(flat: np.ndarray) -> pd.DataFrame:
        return pd.DataFrame(flat[:n_cells].reshape(n_rows, n_cols), index=counts.index, columns=counts.columns)

    bases_of = [pd.Series(flat[base_ids], index=counts.columns) for flat in (values, hidden, reasons)]
    totals_of = [
        pd.Series(flat[total_ids], index=counts.index) if row_totals else None for flat in (values, hidden, reasons)
    ]
    return SuppressedTable(
        frame(values), int(threshold), frame(hidden), frame(reasons), *bases_of, *totals_of, additive_columns
    )


def _secondary(
    values: np.ndarray,
    hidden: np.ndarray,
    reasons: np.ndarray,
    lines: list[np.ndarray],
    first_total: int,
    first_base: int,
) -> None:
    """Hide figures until no line has exactly one hidden non-zero figure (rule 3)."""
    lines_of: dict[int, list[int]] = {}
    for number, line in enumerate(lines):
        for element in line:
            lines_of.setdefault(int(element), []).append(number)

    def exposed(line: np.ndarray) -> int:
        return int((hidden[line] & (values[line] > 0)).sum())

    def cost(element: int, line_number: int) -> tuple[int, int, int, int]:
        # Cells before totals before bases (bases are denominators); then the fewest lines
        # newly left with one hidden figure, minus those this also closes; then the smallest.
        kind = 0 if element < first_total else 1 if element < first_base else 2
        others = [exposed(lines[n]) for n in lines_of[element] if n != line_number]
        return kind, others.count(0) - others.count(1), int(values[element]), element

    changed = True
    while changed:
        changed = False
        for number, line in enumerate(lines):
            if exposed(line) != 1:
                continue
            candidates = [int(e) for e in line if not hidden[e] and values[e] > 0]
            if candidates:  # always true for a line whose members add up; kept as a guard
                chosen = min(candidates, key=lambda e: cost(e, number))
                hidden[chosen], reasons[chosen] = True, Reason.SECONDARY
                changed = True
