"""Which instruments a consultation's answers come from, and where each concept is asked.

Analysis works on meaning, not on question keys: a question says what it
measures with a concept tag (docs/instrument-format.md, "Concepts"), so a
community survey, a company self-assessment and an official's own XLSForm meet
on the same codes. Question keys are unique only within an instrument, so a
question is always named by ``(instrument_version_id, question_key)``.

Each instrument version is parsed once per process (``InstrumentVersion.parsed``
caches frozen versions), so this costs one small query per view.
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass, field

from sqlalchemy import and_, case, false, or_, select

from consult.extensions import db
from consult.responses.models import Consultation, ConsultationGroup
from consult.surveys.engine import Instrument, Question
from consult.surveys.models import InstrumentVersion


@dataclass(frozen=True, eq=False)
class Source:
    """One instrument version that answers of the consultation were given on, with the groups that answer it."""

    version: InstrumentVersion
    instrument: Instrument
    group_codes: tuple[str, ...] = field(default=())

    @property
    def version_id(self) -> int:
        """The instrument version's id."""
        return self.version.id


@dataclass(frozen=True, eq=False)
class Asked:
    """A question of one instrument version."""

    source: Source
    question: Question

    @property
    def ref(self) -> tuple[int, str]:
        """``(instrument_version_id, question_key)``: how answers name the question."""
        return (self.source.version_id, self.question.key)


def sources_of(consultation: Consultation, extra_version_ids: Iterable[int] = ()) -> list[Source]:
    """The instrument versions the consultation's groups answer (and ``extra_version_ids``), in a stable order."""
    groups = db.session.execute(
        select(ConsultationGroup.instrument_version_id, ConsultationGroup.group_code)
        .where(ConsultationGroup.consultation_id == consultation.id)
        .order_by(ConsultationGroup.id)
    ).all()
    by_version: dict[int, list[str]] = {}
    for version_id, group_code in groups:
        by_version.setdefault(version_id, []).append(group_code)
    for version_id in extra_version_ids:
        by_version.setdefault(version_id, [])
    if not by_version:
        return []
    versions = {
        v.id: v for v in db.session.scalars(select(InstrumentVersion).where(InstrumentVersion.id.in_(list(by_version))))
    }
    return [
        Source(versions[version_id], versions[version_id].parsed(), tuple(codes))
        for version_id, codes in by_version.items()
        if version_id in versions
    ]


def sources_for_versions(version_ids: Iterable[int]) -> list[Source]:
    """Sources for instrument versions that no group answers (the testimony form of a consultation)."""
    ids = sorted(set(version_ids))
    if not ids:
        return []
    versions = db.session.scalars(
        select(InstrumentVersion).where(InstrumentVersion.id.in_(ids)).order_by(InstrumentVersion.id)
    )
    return [Source(version, version.parsed()) for version in versions]


def with_concept(sources: Iterable[Source], *kinds: str) -> list[Asked]:
    """Every question of ``sources`` whose concept kind is one of ``kinds`` (e.g. ``"right"``), in instrument order.

    Reads the engine's per-instrument concept index (``Instrument.questions_with_concept``).
    """
    found = []
    for source in sources:
        questions = {q.index: q for kind in kinds for q in source.instrument.questions_with_concept(kind)}
        found += [Asked(source, questions[i]) for i in sorted(questions)]
    return found


def with_types(sources: Iterable[Source], types: Iterable[str]) -> list[Asked]:
    """Every question of ``sources`` of one of ``types`` (e.g. ``multiple_choice``), in order."""
    wanted = set(types)
    return [Asked(source, q) for source in sources for q in source.instrument.questions if q.type in wanted]


def matches(version_column, key_column, questions: Iterable[Asked]):
    """A SQL condition true for rows of exactly these ``(version, key)`` questions (false when there are none)."""
    by_version: dict[int, list[str]] = {}
    for item in questions:
        by_version.setdefault(item.source.version_id, []).append(item.question.key)
    if not by_version:
        return false()
    return or_(*(and_(version_column == v, key_column.in_(keys)) for v, keys in by_version.items()))


def code_case(version_column, key_column, option_column, questions: Iterable[Asked]):
    """A SQL ``CASE`` giving each answer option's concept code (``NULL`` for uncoded options).

    Option values are per question; the concept code is what instruments share
    (``agua`` in one, ``water_sanitation`` in another both give ``water_sanitation``).
    """
    whens = []
    for item in questions:
        for option in item.question.options:
            code = item.question.option_code(option.value)
            if code is not None:
                whens.append(
                    (
                        and_(
                            version_column == item.source.version_id,
                            key_column == item.question.key,
                            option_column == option.value,
                        ),
                        code,
                    )
                )
    if not whens:
        return None
    return case(*whens, else_=None)
