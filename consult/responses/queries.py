"""The one door through which analysis, plans and exports read responses: *counted* responses.

A response counts when it belongs to the consultation and has not been set
aside by an official after a capture signal (``capture.py``); answers stored
for a response are already only those on its path (``sending.answer_rows``).
Every later consumer builds on ``counted_responses`` so a set-aside batch or a
filter applies the same way everywhere, and counting stays a GROUP BY in SQL.

Filters are what officials narrow a view by and share as a URL: stakeholder
group, locality, language, entry mode and a range of sending dates.
"""

from __future__ import annotations

from dataclasses import dataclass, fields, replace
from datetime import date

from sqlalchemy import Select, func, select

from consult.extensions import db
from consult.responses.models import Answer, Consultation, EntryMode, Response


@dataclass(frozen=True)
class ResponseFilter:
    """What a view is narrowed to; every member ``None`` means "everything"."""

    group: str | None = None
    locality_id: int | None = None
    language: str | None = None
    entry_mode: EntryMode | None = None
    date_from: date | None = None
    date_to: date | None = None

    @property
    def is_empty(self) -> bool:
        """True when nothing is filtered."""
        return all(getattr(self, f.name) is None for f in fields(self))

    def without(self, *names: str) -> ResponseFilter:
        """The same filter with ``names`` cleared (e.g. the unfiltered twin of a locality view)."""
        return replace(self, **{name: None for name in names})

    def apply(self, query: Select) -> Select:
        """``query`` (which selects from ``responses``) narrowed to this filter."""
        if self.group is not None:
            query = query.where(Response.group_code == self.group)
        if self.locality_id is not None:
            query = query.where(Response.locality_id == self.locality_id)
        if self.language is not None:
            query = query.where(Response.language == self.language)
        if self.entry_mode is not None:
            query = query.where(Response.entry_mode == self.entry_mode)
        if self.date_from is not None:
            query = query.where(Response.submitted_on >= self.date_from)
        if self.date_to is not None:
            query = query.where(Response.submitted_on <= self.date_to)
        return query


NO_FILTER = ResponseFilter()


def counted_responses(consultation_id: int, where: ResponseFilter = NO_FILTER, *columns) -> Select:
    """``SELECT columns FROM responses`` of the counted responses of a consultation (default: the id)."""
    query = select(*(columns or (Response.id,))).where(
        Response.consultation_id == consultation_id, Response.is_set_aside.is_(False)
    )
    return where.apply(query)


def counted_answers(consultation_id: int, where: ResponseFilter = NO_FILTER, *columns) -> Select:
    """``SELECT columns FROM answers JOIN responses`` for the counted responses of a consultation."""
    query = select(*columns).select_from(Answer).join(Response, Response.id == Answer.response_id)
    query = query.where(Response.consultation_id == consultation_id, Response.is_set_aside.is_(False))
    return where.apply(query)


def has_counted_responses(consultation_id: int) -> bool:
    """True when the consultation has at least one counted response: its analysis has something to show."""
    return db.session.scalar(select(counted_responses(consultation_id).exists())) or False


def set_aside_count(consultation_id: int) -> int:
    """How many responses of the consultation were set aside (shown as a note beside results)."""
    return (
        db.session.scalar(
            select(func.count(Response.id)).where(
                Response.consultation_id == consultation_id, Response.is_set_aside.is_(True)
            )
        )
        or 0
    )


def response_dates(consultation_id: int) -> tuple[date | None, date | None]:
    """The first and last sending dates of the counted responses (bounds for the date filter)."""
    row = db.session.execute(
        counted_responses(consultation_id, NO_FILTER, func.min(Response.submitted_on), func.max(Response.submitted_on))
    ).one()
    return row[0], row[1]


# -- what has arrived (set-up pages) -------------------------------------------------------------
# The consultation pages compare what has *arrived* with the targets, so these
# count every received response, set-aside ones included; analysis counts with
# ``counted_responses`` instead.


def received_per_group(consultation_id: int) -> dict[str, int]:
    """``{group_code: responses received}`` for one consultation (set-aside ones included), one GROUP BY."""
    rows = db.session.execute(
        select(Response.group_code, func.count(Response.id))
        .where(Response.consultation_id == consultation_id)
        .group_by(Response.group_code)
    )
    return {code: count for code, count in rows}


def received_per_consultation(territory_id: int) -> dict[int, int]:
    """``{consultation_id: responses received}`` for every consultation of a territory (set-aside ones included).

    One GROUP BY for the whole consultations list, not one count per row.
    """
    rows = db.session.execute(
        select(Response.consultation_id, func.count(Response.id))
        .join(Consultation, Consultation.id == Response.consultation_id)
        .where(Consultation.territory_id == territory_id)
        .group_by(Response.consultation_id)
    )
    return {consultation_id: count for consultation_id, count in rows}
