"""Count tables and how they are shown: shares of the people asked, pooled raw and group-balanced,
suppressed when published.

Officials of the territory see exact counts (small cells are marked, so they
know what a published table will hide). Anything published — the public
results page, and later exports and plan evidence — goes through
``suppression.suppress`` at the consultation's own threshold.
"""

from __future__ import annotations

from dataclasses import dataclass, field

import pandas as pd
from flask_babel import format_percent

from consult.analysis.suppression import balanced_share, suppress


@dataclass
class CountTable:
    """Counts per category (rows) and breakdown column, with their labels and the people asked per column."""

    counts: pd.DataFrame
    labels: dict[str, str]
    #: People asked per column (the base of every share); ``None``: the column sums.
    bases: pd.Series | None = None
    #: True when the rows of a column add up to its base (single choice with "not answered").
    additive: bool = False

    @property
    def is_empty(self) -> bool:
        """True when there is nothing to show."""
        return self.counts.empty or len(self.counts.index) == 0


@dataclass(frozen=True)
class Cell:
    """One figure as shown: the count and share, or neither when hidden."""

    count: int | None
    share: float | None
    text: str
    is_hidden: bool = False
    is_small: bool = False


@dataclass
class Line:
    """A row of a shown table."""

    key: str
    label: str
    cells: list[Cell]
    pooled: Cell
    balanced: Cell | None = None
    #: Balanced minus raw pooled share, in percentage points (``None`` when either is hidden).
    difference: float | None = None


@dataclass
class TableView:
    """A table ready for a template."""

    columns: list[tuple[str, str]]
    lines: list[Line] = field(default_factory=list)
    bases: list[Cell] = field(default_factory=list)
    pooled_base: Cell | None = None
    show_balanced: bool = False
    published: bool = False
    #: Under a published table with hidden figures: why they are hidden.
    note: str = ""


def percent(share: float | None) -> str:
    """A share as a percentage in the reader's locale ("61 %"), or an empty string."""
    return "" if share is None else format_percent(share, format="#,##0 %")


def _text(count: int, share: float | None) -> str:
    return f"{count} ({percent(share)})" if share is not None else str(count)


def _consistent(counts: pd.DataFrame, bases: pd.Series, additive: bool) -> pd.Series:
    """Bases the suppression can trust: a column's rows add up to it (additive) or never exceed it.

    Only responses stored before what people were asked was recorded can break
    this; their base is then what they answered, never less.
    """
    if counts.empty:
        return bases
    if additive:
        return counts.sum()
    return bases.clip(lower=counts.max())


def present(
    table: CountTable,
    columns: list[tuple[str, str]],
    threshold: int,
    *,
    published: bool = False,
    balanced: bool = False,
    complement: CountTable | None = None,
) -> TableView:
    """Shape ``table`` for display in the column order given; suppress when ``published``.

    ``balanced`` adds the group-balanced pooled share (the mean of the column
    shares). ``complement`` is the same table without the current filter: a
    published filtered table then also hides cells whose difference to it is small.
    """
    keys = [key for key, _label in columns]
    counts = table.counts.reindex(columns=keys, fill_value=0).fillna(0).astype("int64")
    raw_bases = table.bases if table.bases is not None else counts.sum()
    bases = _consistent(counts, raw_bases.reindex(keys, fill_value=0).fillna(0).astype("int64"), table.additive)
    view = TableView(columns=columns, show_balanced=balanced and len(keys) > 1, published=published)
    if published and not counts.empty:
        _published(view, table, counts, bases, threshold, complement)
        return view
    for key in keys:
        base = int(bases[key])
        view.bases.append(Cell(base, None, str(base), is_small=0 < base < threshold))
    pooled_base = int(bases.sum())
    view.pooled_base = Cell(pooled_base, None, str(pooled_base))
    for row in counts.index:
        cells, shares = [], []
        for key in keys:
            n, base = int(counts.at[row, key]), int(bases[key])
            share = n / base if base else None
            cells.append(Cell(n, share, _text(n, share), is_small=0 < n < threshold))
            if base:
                shares.append(share)
        total = int(counts.loc[row].sum())
        pooled_share = total / pooled_base if pooled_base else None
        line = Line(
            str(row), table.labels.get(row, str(row)), cells, Cell(total, pooled_share, _text(total, pooled_share))
        )
        if view.show_balanced:
            _balance(line, balanced_share(shares) if shares else None)
        view.lines.append(line)
    return view


def _balance(line: Line, value: float | None) -> None:
    line.balanced = Cell(None, value, percent(value), value is None)
    if value is not None and line.pooled.share is not None:
        line.difference = round((value - line.pooled.share) * 100, 1)


def _published(
    view: TableView, table: CountTable, counts, bases, threshold: int, complement: CountTable | None
) -> None:
    """Fill ``view`` with what may be published: every figure through the one suppression function."""
    keys = list(counts.columns)
    other = other_bases = None
    if complement is not None:
        other = complement.counts.reindex(index=counts.index, columns=keys, fill_value=0).fillna(0).astype("int64")
        raw = complement.bases if complement.bases is not None else other.sum()
        # The unfiltered table holds at least what the filtered one does.
        other = other.clip(lower=counts)
        other_bases = _consistent(
            other, raw.reindex(keys, fill_value=0).fillna(0).astype("int64").clip(lower=bases), table.additive
        )
    result = suppress(
        counts,
        threshold,
        column_bases=bases,
        additive_columns=table.additive,
        complement=other,
        complement_bases=other_bases,
    )
    hidden = result.hidden_label
    view.bases = [Cell(result.base(key), None, result.display_base(key), result.base(key) is None) for key in keys]
    # The pooled base would reveal a hidden base: it is shown only when every base is.
    pooled_base = None if result.base_hidden.any() else int(bases.sum())
    view.pooled_base = Cell(pooled_base, None, hidden if pooled_base is None else str(pooled_base), pooled_base is None)
    for row in counts.index:
        cells = []
        for key in keys:
            n, share = result.cell(row, key), result.share(row, key)
            cells.append(Cell(None, None, hidden, True) if n is None else Cell(n, share, _text(n, share)))
        total, pooled_share = result.total(row), result.pooled_share(row)
        pooled = (
            Cell(None, None, hidden, True) if total is None else Cell(total, pooled_share, _text(total, pooled_share))
        )
        line = Line(str(row), table.labels.get(row, str(row)), cells, pooled)
        if view.show_balanced:
            _balance(line, result.balanced_share(row))
        view.lines.append(line)
    view.note = result.note if result.hidden.values.any() or result.base_hidden.any() else ""
