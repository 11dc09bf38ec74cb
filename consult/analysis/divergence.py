"""Divergence: where groups see a right's risk differently — shown and ranked, not averaged away.

The measure (one, documented here and on the page): for each right, the share
of each group's respondents who name it among the people asked a ``right``
question (harmed, for communities; at risk, for companies). Communities and
companies are compared first: each side's share is group-balanced (the mean of
its groups' shares, so one large group does not speak for its side), and the
divergence is **communities minus companies, in percentage points**, with the
number asked on each side. Rights are ranked by the size of that gap; the
spread across all groups (highest minus lowest group share) ranks rights that
only one side was asked about, and is shown beside it.
"""

from __future__ import annotations

from dataclasses import dataclass, field

import pandas as pd
from sqlalchemy import func

from consult.analysis.instruments import Source, code_case, matches, with_concept
from consult.analysis.salience import COMPANY_GROUPS
from consult.extensions import db
from consult.responses.models import Answer, Consultation, Response
from consult.responses.queries import ResponseFilter, counted_answers, counted_responses
from consult.surveys.models import AskedSetQuestion


@dataclass
class RightDivergence:
    """How each group sees one right, and the gap between communities and companies."""

    right: str
    shares: dict[str, float]
    named: dict[str, int]
    asked: dict[str, int]
    community: float | None
    company: float | None
    community_n: int
    company_n: int
    spread: float | None
    spread_groups: tuple[str, str] | None = None
    small: list[str] = field(default_factory=list)

    @property
    def gap(self) -> float | None:
        """Communities minus companies, in percentage points (``None`` unless both sides were asked)."""
        if self.community is None or self.company is None:
            return None
        return round((self.community - self.company) * 100, 1)


def _balanced(shares: dict[str, float], groups: list[str]) -> float | None:
    values = [shares[g] for g in groups if g in shares]
    return sum(values) / len(values) if values else None


def divergence(
    consultation: Consultation, where: ResponseFilter, sources: list[Source], threshold: int
) -> list[RightDivergence]:
    """Rights ranked by how differently communities and companies (then all groups) see them; two GROUP BY queries."""
    questions = with_concept(sources, "right")
    code = code_case(Response.instrument_version_id, Answer.question_key, Answer.option, questions)
    if code is None:
        return []
    named_rows = db.session.execute(
        counted_answers(
            consultation.id, where, Response.group_code, code, func.count(func.distinct(Answer.response_id))
        )
        .where(matches(Response.instrument_version_id, Answer.question_key, questions))
        .group_by(Response.group_code, code)
    ).all()
    asked = {
        group: n
        for group, n in db.session.execute(
            counted_responses(consultation.id, where, Response.group_code, func.count(func.distinct(Response.id)))
            .join(AskedSetQuestion, AskedSetQuestion.asked_set_id == Response.asked_set_id)
            .where(matches(Response.instrument_version_id, AskedSetQuestion.question_key, questions))
            .group_by(Response.group_code)
        )
    }
    named = pd.DataFrame(named_rows, columns=["group", "right", "n"]).dropna(subset=["right"])
    results = []
    for right, rows in named.groupby("right"):
        counts = {str(g): int(n) for g, n in zip(rows["group"], rows["n"])}
        results.append(_right(str(right), counts, asked, threshold))
    # Rights named by nobody have no row: every side agrees on 0 %, there is no divergence to show.
    return sorted(results, key=lambda r: (r.gap is None, -abs(r.gap or 0), -(r.spread or 0), r.right))


def _right(right: str, counts: dict[str, int], asked: dict[str, int], threshold: int) -> RightDivergence:
    shares = {group: counts.get(group, 0) / n for group, n in asked.items() if n}
    community_groups = [g for g in shares if g not in COMPANY_GROUPS]
    company_groups = [g for g in shares if g in COMPANY_GROUPS]
    spread = None
    spread_groups = None
    if len(shares) > 1:
        high = max(shares, key=shares.get)
        low = min(shares, key=shares.get)
        spread, spread_groups = round((shares[high] - shares[low]) * 100, 1), (high, low)
    return RightDivergence(
        right=right,
        shares=shares,
        named={g: counts.get(g, 0) for g in asked},
        asked=dict(asked),
        community=_balanced(shares, community_groups),
        company=_balanced(shares, company_groups),
        community_n=sum(asked[g] for g in community_groups),
        company_n=sum(asked[g] for g in company_groups),
        spread=spread,
        spread_groups=spread_groups,
        small=[g for g, n in asked.items() if 0 < n < threshold],
    )
