"""The counts every results view is built from: four GROUP BY queries, whatever the number of questions.

- ``options``: answer rows per (version, question, part, option, number, column);
  a multiple choice stores one row per chosen option, so this counts *people*
  per option, not ticks;
- ``answered``: distinct responses that answered each question, per column;
- ``asked``: responses whose path showed the question (``asked_set_questions``,
  recorded at sending), per column: the denominator of every share;
- ``responses``: counted responses per version and column.

Each frame also carries ``weight``: the people represented by collective
answers (``people_represented``), used only where a view shows collective
answers weighted, and always labelled so.
"""

from __future__ import annotations

from dataclasses import dataclass

import pandas as pd
from sqlalchemy import case, func, select

from consult.analysis.breakdowns import Breakdown
from consult.analysis.instruments import Source, matches, with_types
from consult.extensions import db
from consult.responses.models import Answer, Consultation, Response
from consult.responses.queries import ResponseFilter, counted_answers, counted_responses
from consult.surveys.models import AskedSetQuestion

OPTION_COLUMNS = ["version_id", "question_key", "part", "option", "number", "col", "n", "weight"]
QUESTION_COLUMNS = ["version_id", "question_key", "col", "n", "weight"]
RESPONSE_COLUMNS = ["version_id", "col", "n", "weight"]
#: Question types that may store several rows for one answer (one per ticked option, one per part).
MULTI_ROW_TYPES = ("multiple_choice", "consent", "severity", "ungp31", "date_range", "territory")


@dataclass(frozen=True)
class Counts:
    """The four frames of a consultation's counts under one filter and breakdown (column ``col`` is the
    breakdown key).
    """

    options: pd.DataFrame
    answered: pd.DataFrame
    asked: pd.DataFrame
    responses: pd.DataFrame


def _person_weight():
    # People a collective answer speaks for; an individual answer is one person.
    return case((Response.is_collective.is_(True), func.coalesce(Response.people_represented, 1)), else_=1)


def _weight():
    return func.sum(_person_weight())


def _frame(rows, columns: list[str], breakdown: Breakdown) -> pd.DataFrame:
    frame = pd.DataFrame(list(rows), columns=columns)
    if "col" in frame:
        frame["col"] = [breakdown.key(value) for value in frame["col"]]
    for name in ("n", "weight"):
        if name in frame:
            frame[name] = frame[name].fillna(0).astype("int64")
    return frame


def count(consultation: Consultation, where: ResponseFilter, breakdown: Breakdown, sources: list[Source]) -> Counts:
    """Count the consultation's counted responses and answers under ``where``, split by ``breakdown``.

    Only responses given on the instrument versions of ``sources`` are counted.
    What it costs: one pass over the answer rows (``options``), one over the
    rows of multiple-choice questions only (``answered`` for them: every other
    type stores one row per answer, so its "answered" is the sum of its option
    rows), and passes over responses alone (``asked``, ``responses``): the asked
    base is counted per asked set first, then spread over the set's questions.
    """
    col = breakdown.column
    version_ids = [source.version_id for source in sources]

    def narrow(query):
        return query.where(Response.instrument_version_id.in_(version_ids))

    session = db.session
    options_query = narrow(
        breakdown.join(
            counted_answers(
                consultation.id,
                where,
                Response.instrument_version_id,
                Answer.question_key,
                Answer.part,
                Answer.option,
                Answer.number,
                col,
                func.count(),
                _weight(),
            )
        )
    ).group_by(Response.instrument_version_id, Answer.question_key, Answer.part, Answer.option, Answer.number, col)
    options = _frame(session.execute(options_query), OPTION_COLUMNS, breakdown)

    # A multiple choice stores a row per ticked option, a block a row per part: who answered at
    # all is a distinct count, over those questions' rows only; one row per (response, question)
    # lets it be weighted too.
    multi = with_types(sources, MULTI_ROW_TYPES)
    each_weight = _person_weight()
    per_response = (
        narrow(
            breakdown.join(
                counted_answers(
                    consultation.id,
                    where,
                    Response.instrument_version_id.label("version_id"),
                    Answer.question_key.label("question_key"),
                    col.label("col"),
                    each_weight.label("weight"),
                )
            )
        )
        .where(matches(Response.instrument_version_id, Answer.question_key, multi))
        # One row per (response, question): grouping, not a join back to responses, which PostgreSQL
        # planned as a nested loop (530 s at 100k responses).
        .group_by(Answer.response_id, Response.instrument_version_id, Answer.question_key, col, each_weight)
        .subquery("answered_per_response")
    )
    multi_answered = _frame(
        session.execute(
            select(
                per_response.c.version_id,
                per_response.c.question_key,
                per_response.c.col,
                func.count(),
                func.sum(per_response.c.weight),
            ).group_by(per_response.c.version_id, per_response.c.question_key, per_response.c.col)
        ),
        QUESTION_COLUMNS,
        breakdown,
    )
    single = options[~options["question_key"].isin({item.question.key for item in multi})] if multi else options
    single = single[single["part"].isna()] if not single.empty else single
    one_row_answered = (
        single.groupby(["version_id", "question_key", "col"], as_index=False)[["n", "weight"]].sum()
        if not single.empty
        else pd.DataFrame(columns=QUESTION_COLUMNS)
    )
    answered = (
        pd.concat([f for f in (one_row_answered, multi_answered) if not f.empty], ignore_index=True)
        if not (one_row_answered.empty and multi_answered.empty)
        else pd.DataFrame(columns=QUESTION_COLUMNS)
    )

    per_set = (
        narrow(
            breakdown.join(
                counted_responses(
                    consultation.id,
                    where,
                    Response.instrument_version_id.label("version_id"),
                    Response.asked_set_id.label("asked_set_id"),
                    col.label("col"),
                    func.count().label("n"),
                    _weight().label("weight"),
                )
            )
        )
        .group_by(Response.instrument_version_id, Response.asked_set_id, col)
        .subquery("per_asked_set")
    )
    asked_query = (
        select(
            per_set.c.version_id,
            AskedSetQuestion.question_key,
            per_set.c.col,
            func.sum(per_set.c.n),
            func.sum(per_set.c.weight),
        )
        .join(AskedSetQuestion, AskedSetQuestion.asked_set_id == per_set.c.asked_set_id)
        .group_by(per_set.c.version_id, AskedSetQuestion.question_key, per_set.c.col)
    )
    responses_query = select(
        per_set.c.version_id, per_set.c.col, func.sum(per_set.c.n), func.sum(per_set.c.weight)
    ).group_by(per_set.c.version_id, per_set.c.col)
    return Counts(
        options=options,
        answered=answered,
        asked=_frame(session.execute(asked_query), QUESTION_COLUMNS, breakdown),
        responses=_frame(session.execute(responses_query), RESPONSE_COLUMNS, breakdown),
    )
