"""Filling in what responses stored before asked sets existed were asked.

Responses sent since record their asked set when they are stored
(``sending.send``, ``storage.store_response`` / ``store_many``). Older ones
have none; their answers are replayed here through the path finder, which is
what sending would have recorded: answers are stored only when they count, so
the replay of the stored rows walks the same path.
"""

from __future__ import annotations

from sqlalchemy import select
from sqlalchemy.orm import selectinload

from consult.extensions import db
from consult.responses.models import Response
from consult.responses.sending import answers_of
from consult.surveys.asked import asked_set_for
from consult.surveys.engine import Instrument
from consult.surveys.models import InstrumentVersion

#: Responses loaded (with their answer rows) at a time.
BATCH = 500


def fill_missing(consultation_id: int) -> int:
    """Give every response of the consultation without an asked set its set; flushes (the caller commits).

    Returns how many responses were filled; running it again fills none.
    """
    instruments: dict[int, Instrument] = {}
    filled = 0
    last_id = 0
    while True:
        batch = db.session.scalars(
            select(Response)
            .where(Response.consultation_id == consultation_id, Response.asked_set_id.is_(None), Response.id > last_id)
            .order_by(Response.id)
            .limit(BATCH)
            .options(selectinload(Response.answers))
        ).all()
        if not batch:
            return filled
        for response in batch:
            instrument = instruments.get(response.instrument_version_id)
            if instrument is None:
                version = db.session.get(InstrumentVersion, response.instrument_version_id)
                instrument = instruments[response.instrument_version_id] = version.parsed()
            response.asked_set_id = asked_set_for(
                response.instrument_version_id, instrument, answers_of(instrument, response)
            )
            filled += 1
        last_id = batch[-1].id
        db.session.flush()
