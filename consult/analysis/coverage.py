"""Coverage: who has answered against the targets, missing groups and places first, while there is time to reach them.

Counts are of counted responses (set-aside batches left out) under the view's
filter; targets are the consultation's own (per group, and per group and
locality). Places of the territory that nobody has answered from yet are
listed too: an official plans the next visit from this page.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date

from sqlalchemy import func, select

from consult.accounts.models import Locality
from consult.core.db import utctoday
from consult.extensions import db
from consult.responses.models import Consultation, LocalityTarget, Response
from consult.responses.queries import ResponseFilter, counted_responses
from consult.surveys.labels import STAKEHOLDER_GROUPS


@dataclass(frozen=True)
class CoverageRow:
    """Respondents of one group (and place) against its target."""

    label: str
    count: int
    target: int | None
    group_code: str | None = None
    locality_id: int | None = None

    @property
    def missing(self) -> int:
        """How many more respondents the target asks for (0 when met or no target)."""
        return max((self.target or 0) - self.count, 0)

    @property
    def share_of_target(self) -> float | None:
        """Respondents as a share of the target (``None`` without a target)."""
        return self.count / self.target if self.target else None


@dataclass(frozen=True)
class Coverage:
    """Coverage of a consultation: per group, per group and place with targets, places not reached."""

    groups: list[CoverageRow]
    places: list[CoverageRow]
    unreached: list[str]
    total: int
    days_left: int | None
    is_open: bool


def days_left(consultation: Consultation, today: date | None = None) -> int | None:
    """Days until the closing date, counting today (``None`` without a closing date, 0 once passed)."""
    if consultation.closes_on is None:
        return None
    return max((consultation.closes_on - (today or utctoday())).days + 1, 0)


def _missing_first(rows: list[CoverageRow]) -> list[CoverageRow]:
    # The largest gap first; then groups with no target, fewest answers first.
    return sorted(rows, key=lambda r: (-r.missing, r.target is None, r.count, r.label))


def coverage(consultation: Consultation, where: ResponseFilter) -> Coverage:
    """Respondents per group and per place against the targets, missing first (two GROUP BY queries)."""
    per_group = dict(
        db.session.execute(
            counted_responses(consultation.id, where, Response.group_code, func.count()).group_by(Response.group_code)
        ).all()
    )
    per_place = {
        (group, place): n
        for group, place, n in db.session.execute(
            counted_responses(consultation.id, where, Response.group_code, Response.locality_id, func.count()).group_by(
                Response.group_code, Response.locality_id
            )
        )
    }
    groups = [
        CoverageRow(
            str(STAKEHOLDER_GROUPS.get(g.group_code, g.group_code)),
            per_group.get(g.group_code, 0),
            g.target,
            g.group_code,
        )
        for g in consultation.groups
        if where.group in (None, g.group_code)
    ]
    localities = db.session.execute(
        select(Locality.id, Locality.name)
        .where(Locality.territory_id == consultation.territory_id)
        .order_by(Locality.name)
    ).all()
    names = dict(localities)
    targets = db.session.scalars(select(LocalityTarget).where(LocalityTarget.consultation_id == consultation.id)).all()
    places = [
        CoverageRow(
            f"{STAKEHOLDER_GROUPS.get(t.group_code, t.group_code)} · {names.get(t.locality_id, '')}",
            per_place.get((t.group_code, t.locality_id), 0),
            t.target,
            t.group_code,
            t.locality_id,
        )
        for t in targets
        if where.group in (None, t.group_code) and where.locality_id in (None, t.locality_id)
    ]
    reached = {place for (_group, place), n in per_place.items() if n}
    unreached = [
        name for place_id, name in localities if place_id not in reached and where.locality_id in (None, place_id)
    ]
    return Coverage(
        groups=_missing_first(groups),
        places=_missing_first(places),
        unreached=unreached,
        total=sum(per_group.values()),
        days_left=days_left(consultation),
        is_open=consultation.is_accepting,
    )
