"""Small-cell suppression: hand-made tables with the expected masks, and properties over random tables.

The properties are checked from the published result alone (what a reader could see), with
their own notion of a published line, not with the module's internals.
"""

import math

import numpy as np
import pandas as pd
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from consult.analysis.suppression import (
    Reason,
    balanced_share,
    display_value,
    is_small,
    suppress,
    suppress_summary,
    suppress_value,
)

P, S, C = Reason.PRIMARY, Reason.SECONDARY, Reason.COMPLEMENT


def table(rows: list[list[int]]) -> pd.DataFrame:
    """Rows r0, r1… (categories) by columns g0, g1… (groups)."""
    return pd.DataFrame(rows, index=[f"r{i}" for i in range(len(rows))], columns=[f"g{j}" for j in range(len(rows[0]))])


def mask(result) -> list[list[bool]]:
    return result.hidden.to_numpy().tolist()


def published_lines(result) -> list[list[tuple[int, bool]]]:
    """Each equation a reader holds, as (value, hidden) pairs: rows with their totals, additive
    columns with their bases, and (both published) row totals against bases."""
    counts, hidden, lines = result.counts, result.hidden, []
    if result.row_totals is not None:
        for row in counts.index:
            assert result.row_totals[row] == counts.loc[row].sum()
            total = (result.row_totals[row], result.total_hidden[row])
            lines.append(list(zip(counts.loc[row], hidden.loc[row])) + [total])
    if result.additive_columns:
        for col in counts.columns:
            assert result.column_bases[col] == counts[col].sum()
            lines.append(list(zip(counts[col], hidden[col])) + [(result.column_bases[col], result.base_hidden[col])])
    if result.row_totals is not None and result.additive_columns:
        totals, bases = zip(result.row_totals, result.total_hidden), zip(result.column_bases, result.base_hidden)
        lines.append(list(totals) + list(bases))
    return lines


def assert_protected(result) -> None:
    """No small figure shown, and no published line with exactly one hidden non-zero figure."""
    k = result.threshold
    shown_cells = result.counts.to_numpy()[~result.hidden.to_numpy()]
    assert not any(is_small(int(n), k) for n in shown_cells)
    assert not any(is_small(int(n), k) for n in result.column_bases[~result.base_hidden])
    if result.row_totals is not None:
        assert not any(is_small(int(n), k) for n in result.row_totals[~result.total_hidden])
    for line in published_lines(result):
        assert sum(1 for value, hidden in line if hidden and value > 0) != 1, line


# --- hand-made tables -------------------------------------------------------------------------


def test_one_small_cell_in_an_additive_table_hides_the_cheapest_rectangle():
    result = suppress(table([[2, 10, 12], [8, 20, 30], [9, 15, 40]]), 5)

    assert mask(result) == [[True, True, False], [True, True, False], [False, False, False]]
    assert result.reasons.to_numpy().tolist() == [[P, S, None], [S, S, None], [None, None, None]]
    assert not result.base_hidden.any() and not result.total_hidden.any()
    assert result.display("r0", "g0") == result.display("r0", "g1") == "hidden"  # same label, any reason
    assert result.display("r2", "g0") == "9" and result.display_total("r0") == "24"
    assert_protected(result)


def test_multiple_choice_needs_only_the_row_partner():
    counts = table([[2, 10, 12], [8, 20, 30], [9, 15, 40]])
    bases = pd.Series({"g0": 30, "g1": 50, "g2": 90})

    result = suppress(counts, 5, column_bases=bases, additive_columns=False)

    assert mask(result) == [[True, True, False], [False, False, False], [False, False, False]]
    assert result.share("r1", "g1") == 20 / 50
    assert result.share("r0", "g1") is None
    assert result.balanced_share("r0") is None
    assert result.balanced_share("r1") == pytest.approx((8 / 30 + 20 / 50 + 30 / 90) / 3)
    assert result.pooled_share("r1") == 58 / 170
    assert_protected(result)


def test_a_small_base_hides_its_whole_column_and_zeros_protect_nothing():
    result = suppress(table([[0, 10], [3, 12], [0, 8]]), 5)

    assert mask(result) == [[True, False], [True, True], [True, True]]
    assert result.base("g0") is None and result.display_base("g0") == "hidden"
    assert result.base_reasons["g0"] == P
    # Row r2 is [hidden 0, hidden 8]: its total 8 would give the 8 away, so the total goes too.
    assert result.total("r2") is None and result.total_reasons["r2"] == S
    assert result.total("r0") == 10 and result.share("r0", "g1") == 10 / 30
    assert result.share("r0", "g0") is None and result.pooled_share("r0") is None
    assert_protected(result)


def test_a_total_or_base_is_hidden_when_no_cell_is_left_to_hide():
    result = suppress(table([[2, 8], [6, 0]]), 5)

    assert mask(result) == [[True, True], [True, False]]
    assert result.base_hidden.tolist() == [False, True] and result.total_hidden.tolist() == [False, True]
    assert result.display("r1", "g1") == "0"
    assert_protected(result)


def test_a_filtered_table_hides_what_the_unfiltered_one_would_give_away():
    filtered = table([[10, 7], [6, 9]])
    everyone = table([[12, 20], [30, 40]])

    result = suppress(filtered, 5, complement=everyone)

    assert result.reasons.to_numpy().tolist() == [[C, S], [S, S]]
    assert_protected(result)


def test_a_small_difference_in_a_base_hides_the_filtered_column():
    filtered = table([[10, 7], [20, 9]])
    bases, everyone_bases = pd.Series({"g0": 40, "g1": 30}), pd.Series({"g0": 43, "g1": 60})
    everyone = table([[10, 20], [21, 40]])

    result = suppress(
        filtered,
        5,
        column_bases=bases,
        additive_columns=False,
        row_totals=False,
        complement=everyone,
        complement_bases=everyone_bases,
    )

    assert result.base_hidden.tolist() == [True, False] and result.base_reasons["g0"] == C
    assert result.hidden["g0"].all() and result.share("r0", "g1") == 7 / 30


def test_a_table_without_small_cells_is_published_whole():
    counts = table([[0, 10, 12], [8, 20, 0], [9, 15, 40]])

    result = suppress(counts, 5)

    assert not result.hidden.to_numpy().any() and result.reasons.isna().all().all()
    assert result.published().equals(counts.astype("Int64"))


def test_exports_get_missing_values_not_numbers_for_hidden_cells():
    published = suppress(table([[2, 10, 12], [8, 20, 30], [9, 15, 40]]), 5).published()

    assert published.isna().to_numpy().tolist() == [[True, True, False], [True, True, False], [False] * 3]
    assert published.at["r2", "g2"] == 40


def test_row_totals_can_be_left_unpublished():
    bases = pd.Series({"g0": 30, "g1": 30})

    result = suppress(table([[2, 10], [8, 20]]), 5, column_bases=bases, additive_columns=False, row_totals=False)

    assert mask(result) == [[True, False], [False, False]]
    assert result.row_totals is None and result.total("r0") is None and result.pooled_share("r0") is None


@pytest.mark.parametrize(
    ("kwargs", "message"),
    [
        ({"counts": table([[1, -2]])}, "non-negative whole numbers"),
        ({"counts": table([[1.5, 2]])}, "non-negative whole numbers"),
        ({"threshold": 0}, "threshold"),
        ({"column_bases": pd.Series({"g0": 9, "g1": 9})}, "not answered"),
        ({"column_bases": pd.Series({"g0": 1, "g1": 9}), "additive_columns": False}, "larger than its base"),
        ({"additive_columns": False}, "required"),
        ({"complement": table([[0, 9]])}, "at least the filtered"),
        ({"complement": table([[1, 9, 9]])}, "same rows and columns"),
        ({"counts": pd.DataFrame([[1, 2]], columns=["g0", "g0"])}, "unique"),
    ],
)
def test_inconsistent_tables_are_refused(kwargs, message):
    arguments = {"counts": table([[3, 7]]), "threshold": 5} | kwargs

    with pytest.raises(ValueError, match=message):
        suppress(**arguments)


def test_lone_values_and_summaries():
    assert [is_small(n, 5) for n in (0, 1, 4, 5)] == [False, True, True, False]
    assert [suppress_value(n, 5) for n in (0, 3, 5, 212)] == [0, None, 5, 212]
    assert display_value(3, 5) == "fewer than 5" and display_value(0, 5) == "0" and display_value(12, 5) == "12"
    assert suppress_summary(4, 3.5, 5) is None and suppress_summary(0, None, 5) is None
    assert suppress_summary(5, 3.5, 5) == 3.5
    assert balanced_share([0.2, 0.6]) == pytest.approx(0.4)
    assert balanced_share([0.2, None]) is None and balanced_share([]) is None


def test_the_note_names_the_threshold():
    assert "7" in suppress(table([[1, 9]]), 7).note


# --- properties over random tables ------------------------------------------------------------

counts_cell = st.one_of(st.just(0), st.integers(0, 30))


@st.composite
def tables(draw, cell=counts_cell):
    rows, cols = draw(st.integers(1, 8)), draw(st.integers(1, 8))
    return table(draw(st.lists(st.lists(cell, min_size=cols, max_size=cols), min_size=rows, max_size=rows)))


thresholds = st.integers(2, 10)
fast = settings(deadline=None, max_examples=150)


@fast
@given(tables(), thresholds, st.booleans())
def test_property_single_choice_tables_are_protected(counts, k, row_totals):
    result = suppress(counts, k, row_totals=row_totals)

    assert_protected(result)
    assert (result.counts == counts).all().all()
    # Primary cells are exactly the small ones; nothing is hidden without a reason.
    small = counts.map(lambda n: is_small(n, k))
    assert (result.reasons.eq(P) | ~small).all().all()
    assert result.hidden.eq(result.reasons.notna()).all().all()


@fast
@given(tables(), thresholds, st.data())
def test_property_multiple_choice_tables_are_protected(counts, k, data):
    extra = data.draw(st.lists(st.integers(0, 30), min_size=counts.shape[1], max_size=counts.shape[1]))
    bases = counts.max() + extra

    result = suppress(counts, k, column_bases=bases, additive_columns=False, row_totals=data.draw(st.booleans()))

    assert_protected(result)
    for col in counts.columns:
        if is_small(bases[col], k):
            assert result.hidden[col].all() and result.base(col) is None


@fast
@given(tables(), thresholds, st.data())
def test_property_no_shown_filtered_figure_differs_from_the_unfiltered_by_a_few(counts, k, data):
    rest = table(
        data.draw(
            st.lists(
                st.lists(counts_cell, min_size=counts.shape[1], max_size=counts.shape[1]),
                min_size=counts.shape[0],
                max_size=counts.shape[0],
            )
        )
    )
    everyone = counts + rest

    result = suppress(counts, k, complement=everyone)

    assert_protected(result)
    assert not any(is_small(int(n), k) for n in rest.to_numpy()[~result.hidden.to_numpy()])
    assert not any(is_small(int(n), k) for n in rest.sum()[~result.base_hidden])
    assert not any(is_small(int(n), k) for n in rest.sum(axis=1)[~result.total_hidden])


@fast
@given(thresholds, st.data())
def test_property_tables_without_small_figures_are_unchanged(k, data):
    counts = data.draw(tables(cell=st.one_of(st.just(0), st.integers(k, 40))))

    result = suppress(counts, k)

    assert not result.hidden.to_numpy().any() and not result.base_hidden.any() and not result.total_hidden.any()
    assert result.published().equals(counts.astype("Int64"))


@fast
@given(tables(), thresholds)
def test_property_suppression_is_idempotent(counts, k):
    first = suppress(counts, k)
    again = suppress(first.counts, k)

    assert again.hidden.equals(first.hidden) and again.reasons.equals(first.reasons)
    assert again.base_hidden.equals(first.base_hidden) and again.total_hidden.equals(first.total_hidden)
    # And it is a fixed point of the secondary rule: no published line is left to fix.
    assert_protected(first)


@fast
@given(tables(), thresholds)
def test_property_shares_only_come_from_shown_figures(counts, k):
    result = suppress(counts, k)

    for row in counts.index:
        shares = []
        for col in counts.columns:
            share, base = result.share(row, col), counts[col].sum()
            if result.hidden.at[row, col] or result.base_hidden[col] or base == 0:
                assert share is None
            else:
                assert share == counts.at[row, col] / base
            if base > 0:
                shares.append(share)
        balanced = result.balanced_share(row)
        assert (balanced is None) == (not shares or None in shares)
        if balanced is not None:
            assert balanced == pytest.approx(sum(shares) / len(shares))
        if result.pooled_share(row) is not None:
            assert not result.total_hidden[row] and not result.base_hidden.any()


@given(st.lists(st.one_of(st.none(), st.floats(0, 1)), max_size=8))
def test_property_balanced_share_is_withheld_exactly_when_a_share_is_hidden(shares):
    balanced = balanced_share(shares)

    assert (balanced is None) == (not shares or None in shares)
    if balanced is not None:
        assert math.isclose(balanced, float(np.mean(shares)), abs_tol=1e-12)
