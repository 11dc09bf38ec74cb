"""Filling in the asked set and the group of testimonies sent before they were recorded.

Testimonies sent since record both at sending (``intake.submit_draft``). For
older ones, the answers are rebuilt from the structured rows kept for
aggregate use (``TestimonyAnswer``) and replayed through the path finder;
the sealed answers are not opened (that would be a decryption to audit, for
every testimony). Only testimonies counted in aggregate analysis have those
rows, so only they are filled: the others are never counted anyway.

What the rows lack: free text, dates and consent answers are never kept
outside the sealed answers. A question or page whose ``when`` depends on one
of them replays as if it were unanswered. Instruments rarely make visibility
depend on free text; the built-in remedy testimony does not.
"""

from __future__ import annotations

from typing import Any

from sqlalchemy import select
from sqlalchemy.orm import selectinload

from consult.extensions import db
from consult.surveys.asked import asked_keys, asked_set_id
from consult.surveys.engine import Instrument
from consult.surveys.models import InstrumentVersion
from consult.surveys.types import question_type
from consult.testimonies.intake import group_from_answers
from consult.testimonies.models import ConsentUse, Testimony, TestimonyAnswer
from consult.testimonies.queries import consented_ids

#: Testimonies loaded (with their answer rows) at a time.
BATCH = 500


def answers_from_rows(instrument: Instrument, rows: list[TestimonyAnswer]) -> dict[str, Any]:
    """A testimony's countable answers rebuilt from its structured rows, ``{question_key: value}``."""
    by_key: dict[str, list[TestimonyAnswer]] = {}
    for row in rows:
        by_key.setdefault(row.question_key, []).append(row)
    answers = {}
    for key, found in by_key.items():
        if instrument.has_question(key):
            question = instrument.question(key)
            value = question_type(question.type).from_rows(question, found)
            if value is not None:
                answers[key] = value
    return answers


def fill_missing(consultation_id: int) -> int:
    """Fill the asked set (and the group, when unset) of the consultation's aggregate-consented testimonies.

    Flushes (the caller commits). Returns how many testimonies got an asked
    set; running it again fills none.
    """
    counted = consented_ids(ConsentUse.AGGREGATE, consultation_id=consultation_id)
    instruments: dict[int, Instrument] = {}
    filled = 0
    last_id = 0
    while True:
        batch = db.session.scalars(
            select(Testimony)
            .where(Testimony.id.in_(counted), Testimony.asked_set_id.is_(None), Testimony.id > last_id)
            .order_by(Testimony.id)
            .limit(BATCH)
            .options(selectinload(Testimony.answers))
        ).all()
        if not batch:
            return filled
        for testimony in batch:
            instrument = instruments.get(testimony.instrument_version_id)
            if instrument is None:
                version = db.session.get(InstrumentVersion, testimony.instrument_version_id)
                instrument = instruments[testimony.instrument_version_id] = version.parsed()
            answers = answers_from_rows(instrument, testimony.answers)
            asked = asked_keys(instrument, answers)
            testimony.asked_set_id = asked_set_id(testimony.instrument_version_id, asked)
            if testimony.group_code is None:
                testimony.group_code = group_from_answers(instrument, answers, asked)
            filled += 1
        last_id = batch[-1].id
        db.session.flush()
