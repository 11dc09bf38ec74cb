"""Salience: which risks (right × sector × place) are most severe, and how many independent sources say so.

Per report (a response or a testimony) DESIGN.md's rule: ``severity =
max(scale, scope, irremediability)``; likelihood only breaks ties; severity ≥ 4
or irremediability ≥ 4 marks the report urgent. A risk gathers the reports
naming its right, sector and place; it ranks by the median severity of its
reports, then the median likelihood, then the number of reports. Sources are
counted apart — community answers, company answers, testimonies — because a
risk that communities, companies and testimonies all name is better
established than one named many times by one of them.

The right a severity score is about: the instrument's ``main_right`` question
when it has one (the community survey asks for the main harm before rating
it), else every right the report names (a testimony rates the harm it tells).
Everything is counted in SQL; only the small grouped result comes to pandas.
"""

from __future__ import annotations

from dataclasses import dataclass

import pandas as pd
from sqlalchemy import String, and_, case, cast, func, literal, or_, select

from consult.analysis.instruments import Asked, Source, code_case, matches, with_concept
from consult.analysis.units import Unit
from consult.extensions import db

SCORE_PARTS = ("scale", "scope", "irremediability")
COMPANY_GROUPS = frozenset({"company_large", "company_sme", "state_owned_company", "business_association"})
UNSPECIFIED = "__unspecified__"
ALL = "__all__"
#: How finely risks are told apart: by right; right and sector; right, sector and place (DESIGN.md's risk).
LEVELS = {"right": ("right",), "sector": ("right", "sector"), "place": ("right", "sector", "locality")}


@dataclass(frozen=True)
class Risk:
    """One right × sector × place with its reports and their severity."""

    right: str
    sector: str
    locality: str
    reports: int
    severity: float | None
    likelihood: float | None
    urgent: int
    community: int
    company: int
    testimonies: int

    @property
    def sources(self) -> int:
        """How many kinds of source name the risk (community answers, company answers, testimonies)."""
        return sum(1 for n in (self.community, self.company, self.testimonies) if n)


def _score(unit: Unit, questions: list[Asked], parts: tuple[str, ...]):
    """The highest of ``parts`` of a report's severity, from a severity block or from single-score questions."""
    block = [q for q in questions if q.question.type == "severity"]
    single = [q for q in questions if q.question.type != "severity" and q.question.concept_detail in parts]
    condition = or_(
        and_(matches(unit.version, unit.answers.question_key, block), unit.answers.part.in_(parts)),
        matches(unit.version, unit.answers.question_key, single),
    )
    return func.max(case((condition, unit.answers.number), else_=None))


def _codes(unit: Unit, questions: list[Asked], name: str):
    """``(unit id, code)`` rows of the coded options of ``questions``, as a subquery."""
    code = code_case(unit.version, unit.answers.question_key, unit.answers.option, questions)
    if code is None:
        code = cast(literal(None), String)
    return (
        unit.select(unit.answer_unit.label("unit_id"), code.label(name))
        .where(matches(unit.version, unit.answers.question_key, questions))
        .subquery()
    )


def _rights_questions(sources: list[Source]) -> list[Asked]:
    found = []
    for source in sources:
        main = with_concept([source], "main_right")
        found += main or with_concept([source], "right")
    return found


def _scores(unit: Unit, sources: list[Source]):
    """Per report: its severity, likelihood and irremediability scores (a subquery)."""
    severity_questions = with_concept(sources, "severity")
    return (
        unit.select(
            unit.answer_unit.label("unit_id"),
            _score(unit, severity_questions, SCORE_PARTS).label("severity"),
            _score(unit, severity_questions, ("likelihood",)).label("likelihood"),
            _score(unit, severity_questions, ("irremediability",)).label("irremediability"),
        )
        .where(matches(unit.version, unit.answers.question_key, severity_questions))
        .group_by(unit.answer_unit)
        .subquery()
    )


def score_counts(unit: Unit, sources: list[Source]) -> dict[tuple[int, int], int]:
    """Reports per (severity, likelihood), each report once: the severity × likelihood picture."""
    if not with_concept(sources, "severity"):
        return {}
    scores = _scores(unit, sources)
    rows = db.session.execute(
        select(scores.c.severity, scores.c.likelihood, func.count())
        .where(scores.c.severity.is_not(None), scores.c.likelihood.is_not(None))
        .group_by(scores.c.severity, scores.c.likelihood)
    )
    return {(int(severity), int(likelihood)): int(n) for severity, likelihood, n in rows}


def report_rows(unit: Unit, sources: list[Source]) -> pd.DataFrame:
    """One row per (right, sector, place, group, severity, likelihood, urgent) with its number of reports."""
    rights = _rights_questions(sources)
    if not rights:
        return pd.DataFrame(columns=["right", "sector", "locality", "group", "severity", "likelihood", "urgent", "n"])
    scores = _scores(unit, sources)
    right_rows = _codes(unit, rights, "code")
    sector_rows = _codes(unit, with_concept(sources, "sector"), "code")
    urgent = case((or_(scores.c.severity >= 4, scores.c.irremediability >= 4), 1), else_=0)
    query = (
        unit.units(
            right_rows.c.code, sector_rows.c.code, unit.locality, unit.group,
            scores.c.severity, scores.c.likelihood, urgent, func.count(),
        )
        .join(right_rows, right_rows.c.unit_id == unit.unit_id)
        .outerjoin(sector_rows, sector_rows.c.unit_id == unit.unit_id)
        .outerjoin(scores, scores.c.unit_id == unit.unit_id)
        .where(right_rows.c.code.is_not(None))
        .group_by(
            right_rows.c.code, sector_rows.c.code, unit.locality, unit.group,
            scores.c.severity, scores.c.likelihood, urgent,
        )
    )
    frame = pd.DataFrame(
        db.session.execute(query).all(),
        columns=["right", "sector", "locality", "group", "severity", "likelihood", "urgent", "n"],
    )
    frame["sector"] = frame["sector"].fillna(UNSPECIFIED)
    # Ids come back as floats when a column holds NULLs ("1.0"): one text per place, whatever the source.
    frame["locality"] = frame["locality"].map(lambda v: UNSPECIFIED if v is None or pd.isna(v) else str(int(v)))
    return frame


def _weighted_median(values: pd.Series, weights: pd.Series) -> float | None:
    mask = values.notna()
    if not mask.any():
        return None
    ordered = pd.DataFrame({"v": values[mask], "w": weights[mask]}).groupby("v")["w"].sum().sort_index()
    total = ordered.sum()
    cumulative = ordered.cumsum()
    return float(cumulative.index[cumulative >= total / 2][0])


def rank(frames: dict[str, pd.DataFrame], level: str = "place") -> list[Risk]:
    """Risks from the report rows of each source kind (``community``, ``company``, ``testimony``), most salient first.

    ``level`` (a key of ``LEVELS``) sets what tells two risks apart; coarser
    levels pool places (and sectors), which steadies the medians of small counts.
    """
    parts = [frame.assign(source=kind) for kind, frame in frames.items() if not frame.empty]
    if not parts:
        return []
    rows = pd.concat(parts, ignore_index=True)
    keys = LEVELS.get(level, LEVELS["place"])
    for column in ("right", "sector", "locality"):
        if column not in keys:
            rows[column] = ALL
    risks = []
    for (right, sector, locality), group in rows.groupby(["right", "sector", "locality"], sort=False):
        by_source = group.groupby("source")["n"].sum()
        risks.append(
            Risk(
                right=right, sector=sector, locality=locality,
                reports=int(group["n"].sum()),
                severity=_weighted_median(group["severity"], group["n"]),
                likelihood=_weighted_median(group["likelihood"], group["n"]),
                urgent=int((group["urgent"] * group["n"]).sum()),
                community=int(by_source.get("community", 0)),
                company=int(by_source.get("company", 0)),
                testimonies=int(by_source.get("testimony", 0)),
            )
        )
    return sorted(risks, key=lambda r: (-(r.severity or 0), -(r.likelihood or 0), -r.reports, r.right, r.sector, r.locality))


def split_by_source(frame: pd.DataFrame) -> dict[str, pd.DataFrame]:
    """Response report rows split into community and company answers by the respondent's group."""
    is_company = frame["group"].isin(COMPANY_GROUPS)
    return {"community": frame[~is_company], "company": frame[is_company]}
