"""How many responses each facilitator entered, per consultation and entry mode: counts kept apart from the answers.

See ``capture_models.FacilitatorTally`` for why the count is not a column of
the response.
"""

from __future__ import annotations

from sqlalchemy import select, update
from sqlalchemy.exc import IntegrityError

from consult.accounts.models import User
from consult.extensions import db
from consult.responses.capture_models import FacilitatorTally
from consult.responses.models import Consultation, EntryMode


def count_entry(consultation: Consultation, user: User, entry_mode: EntryMode) -> None:
    """Add one to ``user``'s tally of entries in ``consultation`` for ``entry_mode``."""
    where = (
        FacilitatorTally.consultation_id == consultation.id,
        FacilitatorTally.user_id == user.id,
        FacilitatorTally.entry_mode == entry_mode,
    )
    add_one = update(FacilitatorTally).where(*where).values(count=FacilitatorTally.count + 1)
    if db.session.execute(add_one).rowcount:
        return
    try:
        # The first entry: two tabs saving at once may both get here; the second adds to the row the first made.
        with db.session.begin_nested():
            db.session.add(
                FacilitatorTally(consultation_id=consultation.id, user_id=user.id, entry_mode=entry_mode, count=1)
            )
    except IntegrityError:
        db.session.execute(add_one)


def entries_by(consultation: Consultation, user: User) -> int:
    """How many responses ``user`` has entered in ``consultation`` (every mode)."""
    counts = db.session.scalars(
        select(FacilitatorTally.count).where(
            FacilitatorTally.consultation_id == consultation.id, FacilitatorTally.user_id == user.id
        )
    )
    return sum(counts)
