"""The columns results are split by: stakeholder group first, then place, language, entry mode, gender, collective.

A breakdown is a SQL expression over ``responses`` (plus, for gender, a join to
the answer of the instrument's ``attribute:gender`` question), so every count
of a view is one GROUP BY whatever the breakdown.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass, field

from flask_babel import lazy_gettext as _l
from sqlalchemy import Select, String, cast, null, select

from consult.accounts.models import Locality
from consult.analysis.instruments import Source, code_case, matches, with_concept
from consult.extensions import db
from consult.i18n import LANGUAGE_NAMES
from consult.responses.models import ENTRY_MODE_LABELS, Answer, Consultation, EntryMode, Response
from consult.surveys.labels import GENDERS, STAKEHOLDER_GROUPS

BREAKDOWNS = {
    "group": _l("Stakeholder group"),
    "locality": _l("Place"),
    "language": _l("Language"),
    "entry_mode": _l("How it was answered"),
    "gender": _l("Gender"),
    "collective": _l("Individual or collective answer"),
}

NOT_STATED = "__none__"
NOT_STATED_LABEL = _l("Not stated")
COLLECTIVE_LABELS = {"individual": _l("Individual answers"), "collective": _l("Collective answers")}


@dataclass(frozen=True)
class Breakdown:
    """How to split counts: a SQL column over ``responses``, a join it needs, and labels of its values."""

    name: str
    column: object
    join: Callable[[Select], Select] = field(default=lambda query: query)
    labels: dict[str, object] = field(default_factory=dict)
    #: Values in the order shown (others follow, sorted by label).
    order: tuple[str, ...] = ()

    def key(self, value: object) -> str:
        """A raw database value as a stable string key (``None`` → "not stated")."""
        if value is None:
            return NOT_STATED
        if isinstance(value, bool):
            return "collective" if value else "individual"
        if isinstance(value, EntryMode):
            return value.value
        return str(value)

    def label(self, key: str) -> str:
        """The translated label of a key."""
        if key == NOT_STATED:
            return str(NOT_STATED_LABEL)
        return str(self.labels.get(key, key))

    def ordered(self, keys) -> list[str]:
        """``keys`` in display order: the declared order first, then by label, "not stated" last."""
        keys = list(dict.fromkeys(keys))
        first = [k for k in self.order if k in keys]
        rest = sorted((k for k in keys if k not in first and k != NOT_STATED), key=self.label)
        return first + rest + ([NOT_STATED] if NOT_STATED in keys else [])


def breakdown_for(name: str, consultation: Consultation, sources: list[Source]) -> Breakdown:
    """The breakdown called ``name`` (unknown names fall back to stakeholder group)."""
    if name == "locality":
        names = dict(
            db.session.execute(
                select(Locality.id, Locality.name).where(Locality.territory_id == consultation.territory_id)
            ).all()
        )
        return Breakdown("locality", Response.locality_id, labels={str(k): v for k, v in names.items()})
    if name == "language":
        return Breakdown(
            "language",
            Response.language,
            labels={code: LANGUAGE_NAMES.get(code, code) for code in consultation.languages},
            order=tuple(consultation.languages),
        )
    if name == "entry_mode":
        return Breakdown(
            "entry_mode",
            Response.entry_mode,
            labels={m.value: label for m, label in ENTRY_MODE_LABELS.items()},
            order=tuple(m.value for m in EntryMode),
        )
    if name == "collective":
        return Breakdown(
            "collective", Response.is_collective, labels=dict(COLLECTIVE_LABELS), order=("individual", "collective")
        )
    if name == "gender":
        return _gender(consultation, sources)
    groups = tuple(g.group_code for g in consultation.groups)
    return Breakdown("group", Response.group_code, labels=dict(STAKEHOLDER_GROUPS), order=groups)


def _gender(consultation: Consultation, sources: list[Source]) -> Breakdown:
    # One gender question per instrument: a second one would count a person twice.
    seen: set[int] = set()
    questions = []
    for item in with_concept(sources, "attribute"):
        if item.question.concept_detail == "gender" and item.source.version_id not in seen:
            seen.add(item.source.version_id)
            questions.append(item)
    code = code_case(Response.instrument_version_id, Answer.question_key, Answer.option, questions)
    labels = dict(GENDERS)
    if code is None:
        # No instrument asks it: everyone is "not stated".
        return Breakdown("gender", cast(null(), String), labels=labels)
    sub = (
        select(Answer.response_id.label("response_id"), code.label("gender"))
        .select_from(Answer)
        .join(Response, Response.id == Answer.response_id)
        .where(
            Response.consultation_id == consultation.id,
            matches(Response.instrument_version_id, Answer.question_key, questions),
        )
        .subquery("gender_answers")
    )
    return Breakdown(
        "gender",
        sub.c.gender,
        join=lambda query: query.outerjoin(sub, sub.c.response_id == Response.id),
        labels=labels,
        order=tuple(GENDERS),
    )
