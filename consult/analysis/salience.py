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
from consult.analysis.stats import weighted_medians
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
            right_rows.c.code,
            sector_rows.c.code,
            unit.locality,
            unit.group,
            scores.c.severity,
            scores.c.likelihood,
            urgent,
            func.count(),
        )
        .join(right_rows, right_rows.c.unit_id == unit.unit_id)
        .outerjoin(sector_rows, sector_rows.c.unit_id == unit.unit_id)
        .outerjoin(scores, scores.c.unit_id == unit.unit_id)
        .where(right_rows.c.code.is_not(None))
        .group_by(
            right_rows.c.code,
            sector_rows.c.code,
            unit.locality,
            unit.group,
            scores.c.severity,
            scores.c.likelihood,
            urgent,
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


def rank(frames: dict[str, pd.DataFrame], level: str = "place") -> list[Risk]:
    """Risks from the report rows of each source kind (``community``, ``company``, ``testimony``), most salient first.

    ``level`` (a key of ``LEVELS``) sets what tells two risks apart; coarser
    levels pool places (and sectors), which steadies the medians of small counts.
    Whole-frame operations only: the cost follows the number of rows, not of risks.
    """
    parts = [frame.assign(source=kind) for kind, frame in frames.items() if not frame.empty]
    if not parts:
        return []
    rows = pd.concat(parts, ignore_index=True)
    keys = ["right", "sector", "locality"]
    chosen = LEVELS.get(level, LEVELS["place"])
    for column in keys:
        if column not in chosen:
            rows[column] = ALL
    rows["n"] = rows["n"].astype("int64")
    rows["urgent_n"] = rows["urgent"].astype("int64") * rows["n"]
    table = rows.groupby(keys)[["n", "urgent_n"]].sum()
    by_source = rows.pivot_table(index=keys, columns="source", values="n", aggfunc="sum", fill_value=0)
    table = table.join(by_source.reindex(columns=["community", "company", "testimony"], fill_value=0))
    table["severity"] = weighted_medians(rows, keys, "severity")
    table["likelihood"] = weighted_medians(rows, keys, "likelihood")
    table = table.reset_index()
    table["severity_key"] = table["severity"].fillna(0)
    table["likelihood_key"] = table["likelihood"].fillna(0)
    table = table.sort_values(
        ["severity_key", "likelihood_key", "n", "right", "sector", "locality"],
        ascending=[False, False, False, True, True, True],
    )
    return [
        Risk(
            right=row.right,
            sector=row.sector,
            locality=row.locality,
            reports=int(row.n),
            severity=None if pd.isna(row.severity) else float(row.severity),
            likelihood=None if pd.isna(row.likelihood) else float(row.likelihood),
            urgent=int(row.urgent_n),
            community=int(row.community),
            company=int(row.company),
            testimonies=int(row.testimony),
        )
        for row in table.itertuples(index=False)
    ]


def split_by_source(frame: pd.DataFrame) -> dict[str, pd.DataFrame]:
    """Response report rows split into community and company answers by the respondent's group."""
    is_company = frame["group"].isin(COMPANY_GROUPS)
    return {"community": frame[~is_company], "company": frame[is_company]}
