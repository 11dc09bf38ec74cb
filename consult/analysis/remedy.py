"""Remedy, what worked and what didn't: per mechanism type, who used it, what they got, how long, how fair, UNGP 31.

Reports are testimonies (counted only while the submitter allows aggregate
use) and any response whose instrument asks remedy questions (a company rates
its own grievance mechanism). Questions are found by concept, never by key.

Pairing: an outcome, a time taken, a fairness score and a UNGP 31 rating
belong to the report's *main* mechanism when the instrument asks for one
(``main_mechanism``), else to every mechanism the report used; a UNGP 31
question tagged ``ungp31:<type>`` rates that type. Pairing needs the answers
of one report side by side, so the rows of the few remedy questions (not of
the whole instrument) are read per report; the counting after that is pandas.
"""

from __future__ import annotations

from dataclasses import dataclass, field

import pandas as pd
from sqlalchemy import literal, select

from consult.analysis.breakdowns import NOT_STATED
from consult.analysis.instruments import Asked, Source, matches, with_concept
from consult.analysis.units import Unit
from consult.extensions import db
from consult.surveys.labels import UNGP31_CRITERIA

REMEDY_CONCEPTS = (
    "mechanism",
    "main_mechanism",
    "outcome",
    "barrier",
    "ungp31",
    "remedy_time",
    "remedy_fairness",
    "attribute",
)
#: Outcomes that mean the person got something (not "nothing", "still waiting" or "an agreement not kept").
OBTAINED = frozenset(
    {
        "apology",
        "restitution",
        "rehabilitation",
        "financial_compensation",
        "non_financial_compensation",
        "sanctions",
        "injunction",
        "non_repetition",
    }
)
UNGP31_ANSWER_CODES = ("yes", "partly", "no", "dont_know")


@dataclass
class MechanismSummary:
    """The plain-language line of one mechanism type."""

    mechanism: str
    used: int = 0
    #: Reports paired with this mechanism that say what came of it (the base of ``obtained``).
    with_outcome: int = 0
    obtained: int = 0
    median_months: float | None = None
    months_n: int = 0
    median_fairness: float | None = None
    fairness_n: int = 0
    #: {criterion: {answer: count}}
    criteria: dict[str, dict[str, int]] = field(default_factory=dict)
    outcomes: dict[str, int] = field(default_factory=dict)

    @property
    def obtained_share(self) -> float | None:
        """Share of reports with an outcome that obtained some remedy."""
        return self.obtained / self.with_outcome if self.with_outcome else None

    def criterion_n(self, criterion: str) -> int:
        """How many rated the criterion (every answer, "don't know" included)."""
        return sum(self.criteria.get(criterion, {}).values())


@dataclass
class Remedy:
    """Everything the remedy view shows."""

    mechanisms: list[MechanismSummary]
    #: Reports per (row code, column) for the by-group and by-gender tables.
    used_by_group: pd.DataFrame
    barriers_by_group: pd.DataFrame
    barriers_by_gender: pd.DataFrame
    outcomes_by_group: pd.DataFrame
    reports: dict[str, int]


ROW_COLUMNS = ["kind", "unit_id", "group", "version_id", "question_key", "part", "option", "number"]


def _rows(unit: Unit, questions: list[Asked]) -> list:
    """The rows of ``questions`` of the reports that answered a remedy question (not only "about you")."""
    remedy_questions = [q for q in questions if q.question.concept_kind != "attribute"]
    if not remedy_questions:
        return []
    # Computed once (MATERIALIZED): PostgreSQL, misjudging freshly loaded tables as one row each,
    # otherwise re-ran this subquery for every answer row (12 s instead of 0.1 s on the demo).
    reports = (
        unit.select(unit.answer_unit)
        .where(matches(unit.version, unit.answers.question_key, remedy_questions))
        .cte("remedy_reports")
        .prefix_with("MATERIALIZED", dialect="postgresql")
    )
    query = unit.select(
        literal(unit.kind),
        unit.answer_unit,
        unit.group,
        unit.version,
        unit.answers.question_key,
        unit.answers.part,
        unit.answers.option,
        unit.answers.number,
    ).where(matches(unit.version, unit.answers.question_key, questions), unit.answer_unit.in_(select(reports.c[0])))
    return list(db.session.execute(query).all())


def remedy(units: list[tuple[Unit, list[Source]]]) -> Remedy:
    """The remedy tables from each ``(unit, its sources)``."""
    frames, concept_of = [], {}
    for unit, sources in units:
        questions = with_concept(sources, *REMEDY_CONCEPTS)
        for item in questions:
            concept_of[(item.source.version_id, item.question.key)] = item
        frames += _rows(unit, questions)
    rows = pd.DataFrame(frames, columns=ROW_COLUMNS)
    rows["group"] = rows["group"].fillna(NOT_STATED)
    rows["report"] = rows["kind"].astype(str) + ":" + rows["unit_id"].astype(str)
    rows["concept"] = [
        concept_of[(v, k)].question.concept_kind for v, k in zip(rows["version_id"], rows["question_key"])
    ]
    rows["detail"] = [
        concept_of[(v, k)].question.concept_detail for v, k in zip(rows["version_id"], rows["question_key"])
    ]
    rows["code"] = [
        concept_of[(v, k)].question.option_code(o) if isinstance(o, str) else None
        for v, k, o in zip(rows["version_id"], rows["question_key"], rows["option"])
    ]
    return _shape(rows)


def _codes(rows: pd.DataFrame, concept: str, detail: str | None = None) -> pd.DataFrame:
    picked = rows[(rows["concept"] == concept) & rows["code"].notna()]
    if detail is not None:
        picked = picked[picked["detail"] == detail]
    return picked[["report", "group", "code"]].drop_duplicates()


def _table(pairs: pd.DataFrame, column: str) -> pd.DataFrame:
    """Distinct reports per (code, column) as a wide table."""
    if pairs.empty:
        return pd.DataFrame()
    return pairs.drop_duplicates(["report", "code", column]).pivot_table(
        index="code", columns=column, values="report", aggfunc="count", fill_value=0
    )


def _shape(rows: pd.DataFrame) -> Remedy:
    used = _codes(rows, "mechanism")
    main = _codes(rows, "main_mechanism")
    # A report's mechanisms for pairing: its main one if asked, else every one it used.
    with_main = set(main["report"])
    paired = pd.concat([main, used[~used["report"].isin(with_main)]], ignore_index=True)[["report", "code"]]
    paired = paired.rename(columns={"code": "mechanism"}).drop_duplicates()
    gender = _codes(rows, "attribute", "gender").rename(columns={"code": "gender"})[["report", "gender"]]
    outcomes = _codes(rows, "outcome")
    barriers = _codes(rows, "barrier").merge(gender, on="report", how="left").fillna({"gender": NOT_STATED})
    summaries: dict[str, MechanismSummary] = {}

    def summary(code: str) -> MechanismSummary:
        return summaries.setdefault(code, MechanismSummary(code))

    for code, n in used.groupby("code")["report"].nunique().items():
        summary(code).used = int(n)
    for code, n in main[~main["report"].isin(used["report"])].groupby("code")["report"].nunique().items():
        summary(code).used += int(n)  # named as the main place without being ticked among those used
    outcome_pairs = outcomes.merge(paired, on="report")
    for mechanism, group in outcome_pairs.groupby("mechanism"):
        item = summary(mechanism)
        item.with_outcome = int(group["report"].nunique())
        item.obtained = int(group[group["code"].isin(OBTAINED)]["report"].nunique())
        item.outcomes = {str(k): int(v) for k, v in group.groupby("code")["report"].nunique().items()}
    for concept, attribute in (("remedy_time", "months"), ("remedy_fairness", "fairness")):
        numbers = rows[(rows["concept"] == concept) & rows["number"].notna()][["report", "number"]].merge(
            paired, on="report"
        )
        for mechanism, group in numbers.groupby("mechanism"):
            setattr(summary(mechanism), f"median_{attribute}", float(group["number"].median()))
            setattr(summary(mechanism), f"{attribute}_n", int(group["report"].nunique()))
    ratings = rows[(rows["concept"] == "ungp31") & rows["option"].isin(UNGP31_ANSWER_CODES)]
    named = ratings[ratings["detail"].notna()].assign(mechanism=lambda f: f["detail"])
    unnamed = ratings[ratings["detail"].isna()].merge(
        main.rename(columns={"code": "mechanism"})[["report", "mechanism"]], on="report"
    )
    for (mechanism, criterion, answer), n in (
        pd.concat([named, unnamed]).groupby(["mechanism", "part", "option"])["report"].nunique().items()
    ):
        summary(mechanism).criteria.setdefault(criterion, {})[answer] = int(n)
    ordered = sorted(summaries.values(), key=lambda s: (-s.used, s.mechanism))
    reports = rows.drop_duplicates("report").groupby("kind")["report"].count().to_dict()
    return Remedy(
        mechanisms=ordered,
        used_by_group=_table(used, "group"),
        barriers_by_group=_table(barriers, "group"),
        barriers_by_gender=_table(barriers, "gender"),
        outcomes_by_group=_table(outcomes, "group"),
        reports={str(k): int(v) for k, v in reports.items()},
    )


def yes_share(summary: MechanismSummary) -> float | None:
    """Share of "yes" over every rated criterion of a mechanism ("don't know" left out of the base)."""
    yes = sum(summary.criteria.get(c, {}).get("yes", 0) for c in UNGP31_CRITERIA)
    known = sum(n for c in UNGP31_CRITERIA for a, n in summary.criteria.get(c, {}).items() if a != "dont_know")
    return yes / known if known else None
