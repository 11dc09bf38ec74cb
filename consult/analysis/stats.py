"""Statistics computed from counts the database already grouped: no row per answer reaches Python."""

from __future__ import annotations

import pandas as pd


def weighted_medians(rows: pd.DataFrame, keys: list[str], value: str, weight: str = "n") -> pd.Series:
    """The median of ``value`` per ``keys`` group, each row counting ``weight`` times, in whole-frame operations.

    The usual median: the middle value, or the mean of the two middle values
    when the count is even (as everywhere else in analysis).
    """
    scored = rows.dropna(subset=[value])
    if scored.empty:
        return pd.Series(dtype=float)
    spread = scored.groupby(keys + [value], sort=True)[weight].sum().reset_index()
    spread = spread[spread[weight] > 0]
    spread["cumulative"] = spread.groupby(keys)[weight].cumsum()
    total = spread.groupby(keys)[weight].transform("sum")
    low_rank, high_rank = (total + 1) // 2, total // 2 + 1
    low = spread[spread["cumulative"] >= low_rank].groupby(keys)[value].first()
    high = spread[spread["cumulative"] >= high_rank].groupby(keys)[value].first()
    return (low + high) / 2
