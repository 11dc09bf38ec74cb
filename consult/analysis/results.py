"""Results per question: counts and shares per breakdown column (stakeholder group first), pooled two ways.

Shaping happens here, in pandas, from the four frames of ``counting.count``.
A share's base is the people who were *asked* the question; "asked but not
answered" is its own row. The pooled figure is shown twice: raw (everyone
counted together) and group-balanced (each group weighs the same, so a
thousand company answers cannot outweigh fifty from an indigenous people),
with the difference between them.
"""

from __future__ import annotations

from dataclasses import dataclass, field

import pandas as pd
from flask_babel import gettext as _
from flask_babel import lazy_gettext as _l

from consult.analysis.breakdowns import Breakdown
from consult.analysis.counting import Counts
from consult.analysis.instruments import Source
from consult.analysis.stats import weighted_medians
from consult.analysis.tables import CountTable
from consult.surveys.engine import Question
from consult.surveys.types import FieldContext, question_type

NOT_ANSWERED = "__not_answered__"
NOT_ANSWERED_LABEL = _l("Asked, not answered")
#: Numbers with more distinct values than this are summarised (median, quartiles), not listed.
MAX_LISTED_VALUES = 15


@dataclass
class QuestionResult:
    """What one question got: one table per part (one for most types), medians for numbers."""

    source: Source
    question: Question
    text: str
    kind: str
    tables: list[tuple[str | None, CountTable]] = field(default_factory=list)
    #: For numbers and scores: {column: median}, {column: n}.
    medians: dict[str | None, dict[str, float]] = field(default_factory=dict)
    answered: dict[str, int] = field(default_factory=dict)
    asked: dict[str, int] = field(default_factory=dict)

    @property
    def anchor(self) -> str:
        """A stable HTML id for the question (versions may share keys)."""
        return f"q-{self.source.version_id}-{self.question.key}"


def _by_question(frame: pd.DataFrame) -> dict[tuple[int, str], pd.DataFrame]:
    if frame.empty:
        return {}
    return {key: group for key, group in frame.groupby(["version_id", "question_key"], sort=False)}


def _series(frame: pd.DataFrame | None, value: str = "n") -> dict[str, int]:
    if frame is None or frame.empty:
        return {}
    return {str(k): int(v) for k, v in frame.groupby("col")[value].sum().items()}


def question_results(
    sources: list[Source], counts: Counts, breakdown: Breakdown, ctx_for, *, weighted: bool = False
) -> list[QuestionResult]:
    """A result for every question of every instrument, in instrument order.

    ``ctx_for(source)`` gives the ``FieldContext`` that labels choices in the
    reader's language. ``weighted`` counts collective answers by the people
    they represent (the caller labels the view so).
    """
    value = "weight" if weighted else "n"
    options = _by_question(counts.options)
    answered = _by_question(counts.answered)
    asked = _by_question(counts.asked)
    results = []
    for source in sources:
        ctx: FieldContext = ctx_for(source)
        for question in source.instrument.questions:
            kind = question_type(question.type).summary_kind
            if kind is None:
                continue
            ref = (source.version_id, question.key)
            result = QuestionResult(
                source,
                question,
                ctx.content(question.text).text,
                kind,
                answered=_series(answered.get(ref), value),
                asked=_series(asked.get(ref), value),
            )
            rows = options.get(ref)
            rows = rows if rows is not None else pd.DataFrame(columns=counts.options.columns)
            _fill(result, rows, ctx, value)
            results.append(result)
    return results


def _fill(result: QuestionResult, rows: pd.DataFrame, ctx: FieldContext, value: str) -> None:
    question, kind = result.question, result.kind
    kind_type = question_type(question.type)
    if kind in ("categorical", "multi"):
        choices = [(c.value, c.label.text) for c in kind_type.choices(question, ctx)]
        if question.other and "other" not in {code for code, _label in choices}:
            choices.append(("other", ctx.content(question.other).text or _("Other")))
        table = _option_table(rows, choices, value)
        result.tables.append((None, _with_not_answered(table, result)))
    elif kind == "numeric":
        result.tables.append((None, _of_asked(_number_table(rows, question, ctx, value), result)))
        result.medians[None] = _medians(rows, value)
    elif kind == "parts":
        for part, label in kind_type.parts(question, ctx):
            part_rows = rows[rows["part"] == part]
            if question.type == "severity":
                choices = [(str(n), str(n)) for n in range(1, 6)]
                table = _option_table(part_rows.assign(option=part_rows["number"].map(_int_text)), choices, value)
                result.medians[str(label)] = _medians(part_rows, value)
            elif question.type == "territory" and part == "area":
                continue  # places are counted by locality; areas follow from them
            else:
                choices = [(c.value, c.label.text) for c in kind_type.choices(question, ctx, part)]
                table = _option_table(part_rows, choices, value)
            result.tables.append((str(label), _of_asked(table, result)))


def _int_text(number) -> str | None:
    return None if pd.isna(number) else str(int(number))


def _option_table(rows: pd.DataFrame, choices: list[tuple[str, str]], value: str) -> CountTable:
    """Counts per choice (rows) and column; choices nobody chose still show, with 0."""
    wide = (
        rows.pivot_table(index="option", columns="col", values=value, aggfunc="sum", fill_value=0)
        if not rows.empty
        else None
    )
    labels = dict(reversed(choices))  # the first label of a code wins
    index = list(dict.fromkeys(code for code, _label in choices))
    if wide is not None:
        extra = [code for code in wide.index if code not in labels and code is not None]
        index += extra
        wide = wide.reindex(index, fill_value=0)
    else:
        wide = pd.DataFrame(index=index)
    return CountTable(wide.astype("int64"), {code: labels.get(code, code) for code in index})


def _of_asked(table: CountTable, result: QuestionResult) -> CountTable:
    """``table`` with the people asked as its bases: shares of scores and parts are of those asked too."""
    return CountTable(table.counts, table.labels, bases=pd.Series(result.asked, dtype="int64"))


def _with_not_answered(table: CountTable, result: QuestionResult) -> CountTable:
    columns = sorted(set(table.counts.columns) | set(result.asked))
    counts = table.counts.reindex(columns=columns, fill_value=0)
    missing = pd.DataFrame(
        [[max(result.asked.get(col, 0) - result.answered.get(col, 0), 0) for col in columns]],
        index=[NOT_ANSWERED],
        columns=columns,
    )
    counts = pd.concat([counts, missing]) if len(counts.index) else missing
    labels = dict(table.labels)
    labels[NOT_ANSWERED] = str(NOT_ANSWERED_LABEL)
    return CountTable(
        counts.fillna(0).astype("int64"),
        labels,
        bases=pd.Series(result.asked, dtype="int64"),
        additive=result.kind == "categorical",
    )


def _number_table(rows: pd.DataFrame, question: Question, ctx: FieldContext, value: str) -> CountTable:
    if question.type == "scale":
        choices = [
            (str(int(p["value"])), ctx.content(p.get("label")).text or str(p["value"]))
            for p in question.get("points") or ()
        ]
        if question.get("dont_know"):
            choices.append(("dont_know", _("Don't know")))
        as_options = rows.assign(
            option=[o if isinstance(o, str) else _int_text(n) for o, n in zip(rows["option"], rows["number"])]
        )
        return _option_table(as_options, choices, value)
    numbers = rows.dropna(subset=["number"])
    distinct = sorted(numbers["number"].unique()) if not numbers.empty else []
    if len(distinct) > MAX_LISTED_VALUES:
        return CountTable(pd.DataFrame(), {})
    choices = [(_number_text(n), _number_text(n)) for n in distinct]
    return _option_table(numbers.assign(option=numbers["number"].map(_number_text)), choices, value)


def _number_text(number: float) -> str:
    return str(int(number)) if float(number).is_integer() else f"{number:g}"


def _medians(rows: pd.DataFrame, value: str) -> dict[str, float]:
    """The median per column from a distribution of (number, count) rows."""
    return {str(col): float(m) for col, m in weighted_medians(rows, ["col"], "number", value).items()}
