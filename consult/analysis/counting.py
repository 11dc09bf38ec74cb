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
from consult.extensions import db
from consult.responses.models import Answer, Consultation, Response
from consult.responses.queries import ResponseFilter, counted_answers, counted_responses
from consult.surveys.models import AskedSetQuestion

OPTION_COLUMNS = ["version_id", "question_key", "part", "option", "number", "col", "n", "weight"]
QUESTION_COLUMNS = ["version_id", "question_key", "col", "n", "weight"]
RESPONSE_COLUMNS = ["version_id", "col", "n", "weight"]


@dataclass(frozen=True)
class Counts:
    """The four frames of a consultation's counts under one filter and breakdown (column ``col`` is the breakdown key)."""

    options: pd.DataFrame
    answered: pd.DataFrame
    asked: pd.DataFrame
    responses: pd.DataFrame


def _weight():
    # People a collective answer speaks for; an individual answer is one person.
    return func.sum(case((Response.is_collective.is_(True), func.coalesce(Response.people_represented, 1)), else_=1))


def _frame(rows, columns: list[str], breakdown: Breakdown) -> pd.DataFrame:
    frame = pd.DataFrame(list(rows), columns=columns)
    if "col" in frame:
        frame["col"] = [breakdown.key(value) for value in frame["col"]]
    for name in ("n", "weight"):
        if name in frame:
            frame[name] = frame[name].fillna(0).astype("int64")
    return frame


def count(consultation: Consultation, where: ResponseFilter, breakdown: Breakdown, version_ids=None) -> Counts:
    """Count the consultation's counted responses and answers under ``where``, split by ``breakdown``.

    ``version_ids`` narrows the count to responses given on those instrument versions.
    """
    col = breakdown.column
    narrow = (lambda query: query.where(Response.instrument_version_id.in_(version_ids))) if version_ids else (lambda query: query)
    options_query = narrow(breakdown.join(
        counted_answers(
            consultation.id, where,
            Response.instrument_version_id, Answer.question_key, Answer.part, Answer.option, Answer.number,
            col, func.count(), _weight(),
        )
    )).group_by(Response.instrument_version_id, Answer.question_key, Answer.part, Answer.option, Answer.number, col)
    # One row per (response, question) answered, so "answered" can be weighted like "asked":
    # a weighted "not answered" is weighted asked minus weighted answered.
    answered_pairs = (
        select(Answer.response_id.label("response_id"), Answer.question_key.label("question_key"))
        .join(Response, Response.id == Answer.response_id)
        .where(Response.consultation_id == consultation.id)
        .distinct()
        .subquery("answered_pairs")
    )
    answered_query = narrow(breakdown.join(
        counted_responses(
            consultation.id, where, Response.instrument_version_id, answered_pairs.c.question_key, col, func.count(), _weight(),
        ).join(answered_pairs, answered_pairs.c.response_id == Response.id)
    )).group_by(Response.instrument_version_id, answered_pairs.c.question_key, col)
    asked_query = narrow(breakdown.join(
        counted_responses(
            consultation.id, where,
            Response.instrument_version_id, AskedSetQuestion.question_key, col, func.count(), _weight(),
        ).join(AskedSetQuestion, AskedSetQuestion.asked_set_id == Response.asked_set_id)
    )).group_by(Response.instrument_version_id, AskedSetQuestion.question_key, col)
    responses_query = narrow(breakdown.join(
        counted_responses(consultation.id, where, Response.instrument_version_id, col, func.count(), _weight())
    )).group_by(Response.instrument_version_id, col)
    session = db.session
    return Counts(
        options=_frame(session.execute(options_query), OPTION_COLUMNS, breakdown),
        answered=_frame(session.execute(answered_query), QUESTION_COLUMNS, breakdown),
        asked=_frame(session.execute(asked_query), QUESTION_COLUMNS, breakdown),
        responses=_frame(session.execute(responses_query), RESPONSE_COLUMNS, breakdown),
    )
