"""Consent changes, withdrawal and retention, seen through the query helpers every consumer must use."""

from __future__ import annotations

from datetime import timedelta

import pytest
from sqlalchemy import func, select

from consult.core.db import utctoday
from consult.testimonies import queries, services, vault
from consult.testimonies.consent import change_consent, withdraw
from consult.testimonies.errors import TestimonyError
from consult.testimonies.models import (
    Actor,
    ConsentUse,
    ExcerptStatus,
    Testimony,
    TestimonyAnswer,
    TestimonyConsent,
    TestimonyExcerpt,
    TestimonyStatus,
    TestimonyTheme,
)
from tests.fixtures.testimonies import full_answers


@pytest.fixture
def world(db, create_consultation, create_testimony, create_user):
    """Two testimonies allowing aggregate use and quotes, each with an approved excerpt and a theme."""
    consultation = create_consultation(slug="remedio")
    moderator = create_user(roles={consultation.territory: ["moderator"]})
    second = create_user(roles={consultation.territory: ["moderator"]})
    made = []
    for _ in range(2):
        testimony, code = create_testimony(consultation)
        excerpt = services.propose_excerpt(testimony, "Un río envenenado.", moderator)
        services.decide_excerpt(excerpt, True, "Sin datos que identifiquen.", moderator)
        services.decide_excerpt(excerpt, True, "De acuerdo: nadie es identificable.", second)
        services.set_themes(testimony, ["water_sanitation", "reprisals"])
        made.append((testimony, code))
    db.session.commit()
    return consultation, made, moderator


def _ids(db, query) -> set[int]:
    return {row.id for row in db.session.scalars(query)}


def _counted(db, consultation) -> dict[str, int]:
    return {
        "aggregate": len(
            _ids(db, queries.consented_testimonies(ConsentUse.AGGREGATE, consultation_id=consultation.id))
        ),
        "quote": len(_ids(db, queries.consented_testimonies("quote", consultation_id=consultation.id))),
        "rows": len(db.session.scalars(queries.aggregate_answer_rows(consultation_id=consultation.id)).all()),
        "excerpts": len(db.session.scalars(queries.quotable_excerpts(consultation_id=consultation.id)).all()),
        "themes": sum(n for _t, n in db.session.execute(queries.theme_counts(consultation_id=consultation.id))),
    }


def test_the_helpers_return_consented_material(db, world):
    consultation, _made, _moderator = world
    assert _counted(db, consultation) == {
        "aggregate": 2,
        "quote": 2,
        "rows": _counted(db, consultation)["rows"],
        "excerpts": 2,
        "themes": 4,
    }
    assert _counted(db, consultation)["rows"] > 20
    counts = dict(
        ((p, o), n) for p, o, n in db.session.execute(queries.answer_counts("D2", consultation_id=consultation.id))
    )
    assert counts[(None, "water_sanitation")] == 2
    assert not _ids(db, queries.consented_testimonies(ConsentUse.PUBLISH))


def test_withdrawal_removes_the_content_at_once_and_excludes_it_everywhere(db, world):
    consultation, made, _moderator = world
    testimony, _code = made[0]
    withdraw(testimony, lang="es", actor=Actor.SUBMITTER)
    db.session.commit()
    after = _counted(db, consultation)
    assert after["aggregate"] == 1 and after["quote"] == 1 and after["excerpts"] == 1 and after["themes"] == 2
    assert testimony.id not in _ids(db, queries.consented_testimonies("aggregate"))
    assert testimony.id not in {r.testimony_id for r in db.session.scalars(queries.aggregate_answer_rows())}
    # The content is gone, not just hidden.
    testimony = db.session.get(Testimony, testimony.id)
    assert testimony.status == TestimonyStatus.WITHDRAWN and testimony.withdrawn_on == utctoday()
    assert testimony.sealed_answers is None and testimony.key_id is None
    for model in (TestimonyAnswer, TestimonyExcerpt, TestimonyTheme):
        assert db.session.scalar(select(func.count(model.id)).where(model.testimony_id == testimony.id)) == 0
    # History is kept: the earlier consent and the refusal, with who changed it.
    history = db.session.scalars(
        select(TestimonyConsent)
        .where(TestimonyConsent.testimony_id == testimony.id, TestimonyConsent.use == ConsentUse.AGGREGATE)
        .order_by(TestimonyConsent.id)
    ).all()
    assert [(h.is_granted, h.is_current, h.changed_by) for h in history] == [
        (True, False, Actor.SUBMITTER),
        (False, True, Actor.SUBMITTER),
    ]
    with pytest.raises(TestimonyError):
        services.add_information(testimony, "algo más", Actor.SUBMITTER)


def test_refusing_quotes_hides_excerpts_and_refusing_aggregate_drops_the_rows(db, world):
    consultation, made, _moderator = world
    first, second = made[0][0], made[1][0]
    change_consent(first, {ConsentUse.AGGREGATE}, lang="es", actor=Actor.SUBMITTER)
    change_consent(second, {ConsentUse.QUOTE}, lang="en", actor=Actor.CSO)
    db.session.commit()
    after = _counted(db, consultation)
    assert after["quote"] == 1 and after["excerpts"] == 1 and after["aggregate"] == 1
    assert (
        db.session.scalar(select(func.count(TestimonyAnswer.id)).where(TestimonyAnswer.testimony_id == second.id)) == 0
    )
    # The wording is recorded in the language the person saw.
    record = second.current_consents()[ConsentUse.AGGREGATE]
    assert not record.is_granted and record.language == "en" and record.wording.startswith("You may count my testimony")
    # Allowing aggregate use again rebuilds the rows from the sealed answers.
    change_consent(second, {ConsentUse.QUOTE, ConsentUse.AGGREGATE}, lang="es", actor=Actor.SUBMITTER)
    db.session.commit()
    assert (
        db.session.scalar(select(func.count(TestimonyAnswer.id)).where(TestimonyAnswer.testimony_id == second.id)) > 20
    )


def test_share_consent_needs_an_authority_and_is_filtered_by_it(db, world):
    consultation, made, _moderator = world
    testimony = made[0][0]
    with pytest.raises(TestimonyError):
        change_consent(testimony, {ConsentUse.SHARE_AUTHORITIES}, lang="es", actor=Actor.SUBMITTER)
    change_consent(
        testimony, {ConsentUse.SHARE_AUTHORITIES}, lang="es", actor=Actor.SUBMITTER, authority="Defensoría del Pueblo"
    )
    db.session.commit()
    query = queries.consented_testimonies(ConsentUse.SHARE_AUTHORITIES, authority="Defensoría del Pueblo")
    assert _ids(db, query) == {testimony.id}
    assert not _ids(db, queries.consented_testimonies(ConsentUse.SHARE_AUTHORITIES, authority="Fiscalía"))


def test_excerpts_need_quote_consent(db, world, create_testimony):
    consultation, _made, moderator = world
    testimony, _code = create_testimony(consultation, full_answers(A1=["aggregate"]))
    with pytest.raises(TestimonyError):
        services.propose_excerpt(testimony, "Cita", moderator)


def test_purge_deletes_content_past_retention_and_keeps_counts(db, world, runner, create_testimony):
    consultation, made, _moderator = world
    old, recent = made[0][0], made[1][0]
    services.save_settings(consultation, retention=30, version=None)
    old.submitted_on = utctoday() - timedelta(days=31)
    recent.submitted_on = utctoday() - timedelta(days=30)
    db.session.commit()
    result = runner.invoke(args=["testimonies", "purge"])
    assert result.exit_code == 0 and "testimonies purged: 1" in result.output
    old = db.session.get(Testimony, old.id)
    assert old.status == TestimonyStatus.PURGED and old.sealed_answers is None and old.purged_on == utctoday()
    assert (
        db.session.scalar(select(func.count(TestimonyExcerpt.id)).where(TestimonyExcerpt.testimony_id == old.id)) == 0
    )
    # Counts stay (no text in them); quotes and content-based uses do not.
    after = _counted(db, consultation)
    assert after["aggregate"] == 2 and after["quote"] == 1 and after["excerpts"] == 1
    assert vault.unseal(db.session.get(Testimony, recent.id), "sealed_answers")["D1"]
    # Running it again changes nothing.
    assert "testimonies purged: 0" in runner.invoke(args=["testimonies", "purge"]).output


def test_retention_settings_are_bounded(db, world):
    consultation, _made, _moderator = world
    for days in (0, 29, 3651):
        with pytest.raises(TestimonyError):
            services.save_settings(consultation, retention=days, version=None)
    assert services.retention_days(consultation) == services.DEFAULT_RETENTION_DAYS


def test_excerpt_decisions_need_a_reason(db, world):
    _consultation, made, moderator = world
    excerpt = services.propose_excerpt(made[0][0], "Otro pasaje.", moderator)
    with pytest.raises(TestimonyError):
        services.decide_excerpt(excerpt, False, "   ", moderator)
    services.decide_excerpt(excerpt, False, "Menciona la vereda.", moderator)
    assert excerpt.status == ExcerptStatus.REJECTED and vault.unseal(excerpt, "sealed_reason") == "Menciona la vereda."
