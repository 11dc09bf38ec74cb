"""The only doors through which analysis, plans and exports may reach testimonies.

Every later consumer (analysis tables, plan evidence, exports, public pages)
must build its queries from these helpers and never select ``Testimony``,
``TestimonyAnswer`` or ``TestimonyExcerpt`` directly: each helper checks the
submitter's *current* consent for the use at hand and leaves out withdrawn
testimonies, so a withdrawal or a consent change takes effect everywhere at
once. Tests in ``tests/testimonies/test_consent_and_retention.py`` hold them to it.

They return ``Select`` statements, so callers can add ``where``, ``group_by``
and ``count`` and stay in SQL (GROUP BY, not Python loops).
"""

from __future__ import annotations

from sqlalchemy import ColumnElement, Select, and_, exists, func, select

from consult.testimonies.models import (
    ConsentUse,
    ExcerptStatus,
    Testimony,
    TestimonyAnswer,
    TestimonyConsent,
    TestimonyExcerpt,
    TestimonyStatus,
    TestimonyTheme,
)


def _consent_holds(use: ConsentUse, authority: str | None = None):
    condition = and_(
        TestimonyConsent.testimony_id == Testimony.id,
        TestimonyConsent.use == use,
        TestimonyConsent.is_current.is_(True),
        TestimonyConsent.is_granted.is_(True),
    )
    if authority is not None:
        condition = and_(condition, TestimonyConsent.authority == authority)
    return exists(select(TestimonyConsent.id).where(condition))


def consented_testimonies(
    use: ConsentUse | str,
    *,
    consultation_id: int | None = None,
    territory_id: int | None = None,
    authority: str | None = None,
) -> Select:
    """Testimonies whose submitter currently allows ``use``, never withdrawn ones.

    For uses that need the content (quote, publish, share), testimonies whose
    content was deleted at the end of the retention period are left out too;
    for aggregate use they stay, as their structured rows are kept.
    ``authority`` narrows ``share_authorities`` to one named authority.
    """
    use = ConsentUse(use)
    query = select(Testimony).where(Testimony.status != TestimonyStatus.WITHDRAWN, _consent_holds(use, authority))
    if use != ConsentUse.AGGREGATE:
        query = query.where(Testimony.status != TestimonyStatus.PURGED)
    if consultation_id is not None:
        query = query.where(Testimony.consultation_id == consultation_id)
    if territory_id is not None:
        query = query.where(Testimony.territory_id == territory_id)
    return query.order_by(Testimony.id)


def consented_ids(use: ConsentUse | str, **filters: int | str | None) -> Select:
    """The ids of ``consented_testimonies(use, ...)``, for ``IN`` sub-queries."""
    return consented_testimonies(use, **filters).with_only_columns(Testimony.id).order_by(None)


def aggregate_testimonies(*, consultation_id: int | None = None, territory_id: int | None = None) -> Select:
    """``(id, instrument_version_id, group_code, language, asked_set_id, submitted_on, people_count, on_behalf_of)``
    of testimonies counted in aggregate.

    What analysis groups by (the stakeholder group a testimony is about) and
    divides by (its asked set) without selecting ``Testimony`` itself.
    """
    ids = consented_ids(ConsentUse.AGGREGATE, consultation_id=consultation_id, territory_id=territory_id)
    return (
        select(
            Testimony.id,
            Testimony.instrument_version_id,
            Testimony.group_code,
            Testimony.language,
            Testimony.asked_set_id,
            Testimony.submitted_on,
            Testimony.people_count,
            Testimony.on_behalf_of,
        )
        .where(Testimony.id.in_(ids))
        .order_by(Testimony.id)
    )


def aggregate_answer_rows(*, consultation_id: int | None = None, territory_id: int | None = None) -> Select:
    """Structured answer rows of testimonies counted in aggregate analysis."""
    ids = consented_ids(ConsentUse.AGGREGATE, consultation_id=consultation_id, territory_id=territory_id)
    return select(TestimonyAnswer).where(TestimonyAnswer.testimony_id.in_(ids)).order_by(TestimonyAnswer.id)


def answer_counts(question_key: str, *, consultation_id: int | None = None, territory_id: int | None = None) -> Select:
    """``(part, option, testimonies)`` counts for one question, aggregate consent only."""
    ids = consented_ids(ConsentUse.AGGREGATE, consultation_id=consultation_id, territory_id=territory_id)
    return (
        select(TestimonyAnswer.part, TestimonyAnswer.option, func.count(func.distinct(TestimonyAnswer.testimony_id)))
        .where(TestimonyAnswer.testimony_id.in_(ids), TestimonyAnswer.question_key == question_key)
        .group_by(TestimonyAnswer.part, TestimonyAnswer.option)
        .order_by(TestimonyAnswer.part, TestimonyAnswer.option)
    )


def theme_counts(*, consultation_id: int | None = None, territory_id: int | None = None) -> Select:
    """``(theme, testimonies)`` counts, aggregate consent only."""
    ids = consented_ids(ConsentUse.AGGREGATE, consultation_id=consultation_id, territory_id=territory_id)
    return (
        select(TestimonyTheme.theme, func.count(TestimonyTheme.testimony_id))
        .where(TestimonyTheme.testimony_id.in_(ids))
        .group_by(TestimonyTheme.theme)
        .order_by(TestimonyTheme.theme)
    )


def excerpt_is_usable() -> ColumnElement[bool]:
    """The four-eyes rule, in one place: an excerpt may be used outside moderation only when it is approved
    and two *different* people approved it (the first approval and the final one).

    A row marked approved without a recorded first approval, or with the same account twice, stays unusable.
    """
    return and_(
        TestimonyExcerpt.status == ExcerptStatus.APPROVED,
        TestimonyExcerpt.first_approved_at.is_not(None),
        TestimonyExcerpt.decided_at.is_not(None),
        func.coalesce(TestimonyExcerpt.first_approved_by_id, -1) != func.coalesce(TestimonyExcerpt.decided_by_id, -2),
    )


def quotable_excerpts(*, consultation_id: int | None = None, territory_id: int | None = None) -> Select:
    """Excerpts approved by two different moderators, of testimonies whose submitter allows anonymous quotes.

    Their text is sealed: open it with ``audit.open_excerpts`` (which logs who read them).
    """
    ids = consented_ids(ConsentUse.QUOTE, consultation_id=consultation_id, territory_id=territory_id)
    return (
        select(TestimonyExcerpt)
        .where(TestimonyExcerpt.testimony_id.in_(ids), excerpt_is_usable())
        .order_by(TestimonyExcerpt.id)
    )
