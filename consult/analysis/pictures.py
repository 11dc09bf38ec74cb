"""The pictures of each view, built from the figures the view already shows (never from other data).

A picture is drawn from a shown table, so what is hidden in the table is
hidden in the picture too: a suppressed cell arrives as ``None`` and draws no
bar.
"""

from __future__ import annotations

from flask_babel import gettext as _

from consult.analysis import charts
from consult.analysis.coverage import Coverage
from consult.analysis.remedy import Remedy
from consult.analysis.tables import TableView, percent
from consult.surveys.labels import MECHANISM_TYPES, UNGP31_CRITERIA, UNGP31_NAMES

#: Questions with more bars than this get their table only: a picture of them would not read (nor load fast).
MAX_PICTURED_BARS = 48
NBSP = "\u00a0"


def question_bars(chart_id: str, title: str, view: TableView) -> charts.Chart | None:
    """Bars of each answer option per column (group), from a shown table; ``None`` when a picture would not help."""
    lines = [line for line in view.lines if not line.key.startswith("__")]
    if not lines or not view.columns or len(lines) * len(view.columns) > MAX_PICTURED_BARS:
        return None
    categories = [line.label for line in lines]
    groups = [label for _key, label in view.columns]
    values, displays = {}, {}
    for line in lines:
        for (_key, label), cell in zip(view.columns, line.cells):
            values[(line.label, label)] = cell.share
            displays[(line.label, label)] = cell.text.replace(" %", NBSP + "%")
    return charts.grouped_bars(chart_id, title, categories, groups, values, displays)


def coverage_bars(coverage: Coverage) -> charts.Chart | None:
    """Respondents per group against the target."""
    if not coverage.groups:
        return None
    rows = [(row.label, row.count, row.target, str(row.count)) for row in coverage.groups]
    return charts.coverage_bars("coverage-chart", _("Respondents per group against the target"), rows)


def severity_matrix(cells: dict[tuple[int, int], int]) -> charts.Chart | None:
    """Reports per severity and likelihood score."""
    if not cells:
        return None
    return charts.severity_matrix(
        "severity-matrix", _("Reports by severity and likelihood"), cells, {key: str(n) for key, n in cells.items()}
    )


def criteria(remedy: Remedy) -> charts.Chart | None:
    """UNGP 31 criteria per mechanism type: shares answering yes, partly, no (don't know left out)."""
    rated = [m for m in remedy.mechanisms if m.criteria]
    if not rated:
        return None
    rows = [str(MECHANISM_TYPES.get(m.mechanism, m.mechanism)) for m in rated]
    names = [str(UNGP31_NAMES[c]) for c in UNGP31_CRITERIA if any(c in m.criteria for m in rated)]
    codes = [c for c in UNGP31_CRITERIA if any(c in m.criteria for m in rated)]
    values, displays = {}, {}
    for mechanism, row in zip(rated, rows):
        for code, name in zip(codes, names):
            answers = mechanism.criteria.get(code, {})
            known = sum(n for answer, n in answers.items() if answer != "dont_know")
            if not known:
                values[(row, name)] = None
                displays[(row, name)] = "–"
                continue
            shares = tuple(answers.get(a, 0) / known for a in ("yes", "partly", "no"))
            values[(row, name)] = shares
            displays[(row, name)] = _(
                "yes %(yes)s, partly %(partly)s, no %(no)s (n=%(n)d)",
                yes=percent(shares[0]),
                partly=percent(shares[1]),
                no=percent(shares[2]),
                n=known,
            ).replace(" %", NBSP + "%")
    return charts.criteria_chart("ungp31-chart", _("UNGP 31 criteria per mechanism"), rows, names, values, displays)
