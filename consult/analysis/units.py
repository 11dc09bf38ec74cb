"""What analysis counts: responses or testimonies, read only through their rooms' query doors.

A ``Unit`` hides where a report comes from, so salience and remedy count
answers of responses and of testimonies with the same code: a column for the
report's id, its instrument version, its stakeholder group and its place, and
``select``/``units`` that start a query already narrowed to what may be
counted (counted responses under the view's filter; testimonies whose submitter
currently allows aggregate use, never withdrawn ones).

Testimonies are filtered by group, language and dates; they have no entry mode
and their place is the one the testimony names, so the place filter applies to
that answer.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any, Callable

from sqlalchemy import Select, and_, select

from consult.accounts.models import Locality
from consult.analysis.instruments import Source, matches, with_concept
from consult.responses.models import Answer, Consultation, Response
from consult.responses.queries import ResponseFilter, counted_answers, counted_responses
from consult.testimonies.models import TestimonyAnswer
from consult.testimonies.queries import aggregate_testimonies


@dataclass(frozen=True)
class Unit:
    """A kind of report (responses or testimonies) with its columns and query starters."""

    kind: str
    answers: Any
    answer_unit: Any
    unit_id: Any
    version: Any
    group: Any
    locality: Any
    _select: Callable[..., Select]
    _units: Callable[..., Select]

    def select(self, *columns) -> Select:
        """``SELECT columns FROM answers JOIN units`` narrowed to what may be counted."""
        return self._select(*columns)

    def units(self, *columns) -> Select:
        """``SELECT columns FROM units`` narrowed to what may be counted."""
        return self._units(*columns)


def response_unit(consultation: Consultation, where: ResponseFilter) -> Unit:
    """Counted responses of the consultation under ``where``."""
    return Unit(
        kind="response",
        answers=Answer,
        answer_unit=Answer.response_id,
        unit_id=Response.id,
        version=Response.instrument_version_id,
        group=Response.group_code,
        locality=Response.locality_id,
        _select=lambda *columns: counted_answers(consultation.id, where, *columns),
        _units=lambda *columns: counted_responses(consultation.id, where, *columns),
    )


def testimony_unit(consultation: Consultation, where: ResponseFilter, sources: list[Source]) -> Unit:
    """Testimonies of the consultation counted in aggregate (consent held now), under the filters they can honour."""
    query = aggregate_testimonies(consultation_id=consultation.id)
    testimonies = query.subquery("counted_testimonies")
    places = with_concept(sources, "locality")
    place = (
        select(TestimonyAnswer.testimony_id.label("testimony_id"), Locality.id.label("locality_id"))
        .join(testimonies, testimonies.c.id == TestimonyAnswer.testimony_id)
        .join(
            Locality, and_(Locality.code == TestimonyAnswer.option, Locality.territory_id == consultation.territory_id)
        )
        .where(
            TestimonyAnswer.part == "locality",
            matches(testimonies.c.instrument_version_id, TestimonyAnswer.question_key, places),
        )
        .subquery("testimony_places")
    )

    def narrowed(query: Select) -> Select:
        query = query.outerjoin(place, place.c.testimony_id == testimonies.c.id)
        if where.group is not None:
            query = query.where(testimonies.c.group_code == where.group)
        if where.language is not None:
            query = query.where(testimonies.c.language == where.language)
        if where.date_from is not None:
            query = query.where(testimonies.c.submitted_on >= where.date_from)
        if where.date_to is not None:
            query = query.where(testimonies.c.submitted_on <= where.date_to)
        if where.locality_id is not None:
            query = query.where(place.c.locality_id == where.locality_id)
        if where.entry_mode is not None:
            # Testimonies have no entry mode: a view narrowed to one counts none of them.
            query = query.where(testimonies.c.id.is_(None))
        return query

    return Unit(
        kind="testimony",
        answers=TestimonyAnswer,
        answer_unit=TestimonyAnswer.testimony_id,
        unit_id=testimonies.c.id,
        version=testimonies.c.instrument_version_id,
        group=testimonies.c.group_code,
        locality=place.c.locality_id,
        _select=lambda *columns: narrowed(
            select(*columns)
            .select_from(TestimonyAnswer)
            .join(testimonies, testimonies.c.id == TestimonyAnswer.testimony_id)
        ),
        _units=lambda *columns: narrowed(select(*columns).select_from(testimonies)),
    )
