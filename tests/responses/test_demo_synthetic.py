"""The synthetic demo answers: deterministic, idempotent, valid, plausible, fast."""

from __future__ import annotations

from collections import Counter

from sqlalchemy import func, select

from consult.responses import capture, services
from consult.responses.demo_generator import synthetic_responses
from consult.responses.demo_profiles import RESPONSES
from consult.responses.models import Answer, EntryMode, Response
from consult.responses.survey import localities_of
from consult.surveys.types import FieldContext, question_type


def _seed():
    from consult.demo import seed_demo

    seed_demo()


def _summary(db):
    counts = db.session.execute(
        select(
            Response.consultation_id,
            Response.group_code,
            Response.language,
            Response.entry_mode,
            func.count(Response.id),
        )
        .group_by(Response.consultation_id, Response.group_code, Response.language, Response.entry_mode)
        .order_by(Response.consultation_id, Response.group_code, Response.language, Response.entry_mode)
    ).all()
    first = db.session.scalar(select(Response).order_by(Response.id))
    rows = sorted((a.question_key, a.part, a.option, a.number) for a in first.answers)
    return counts, rows, db.session.scalar(select(func.count(Answer.id)))


def test_the_demo_answers_are_the_same_every_time_and_added_once(app, db):
    _seed()
    once = _summary(db)
    _seed()
    assert _summary(db) == once
    from consult.responses.demo_closed import RESPONSES as CLOSED_RESPONSES  # after seeding: see _seed

    total = db.session.scalar(select(func.count(Response.id)))
    from consult.responses.demo_generator import BURST

    # Every planned response, the scripted near-identical burst in Antioquia, and last year's consultation.
    assert total == sum(RESPONSES.values()) + BURST + CLOSED_RESPONSES
    # Generated again from the same seed: the same answers as stored
    for slug in RESPONSES:
        consultation = services.find_by_slug(slug)
        again = synthetic_responses(consultation, RESPONSES[slug])
        stored = db.session.scalars(
            select(Response).where(Response.consultation_id == consultation.id).order_by(Response.id).limit(3)
        ).all()
        for item, response in zip(again, stored):
            assert (item.group_code, item.language, item.entry_mode) == (
                response.group_code,
                response.language,
                response.entry_mode,
            )
            assert item.submission_key == response.submission_key


def test_the_demo_answers_are_valid_and_plausible(app, db):
    _seed()
    antioquia, salta = (services.find_by_slug(slug) for slug in ("riesgos-antioquia-2026", "riesgos-salta-2026"))
    for consultation in (antioquia, salta):
        context = None
        for item in synthetic_responses(consultation, RESPONSES[consultation.slug]):
            instrument = item.version.parsed() if item.instrument is None else item.instrument
            context = FieldContext(instrument, "es", "es", localities_of(consultation))
            for key, value in item.answers.items():
                question = instrument.question(key)
                kind = question_type(question.type)
                parsed = kind.parse(question, kind.form_data(question, value), context)
                assert not parsed.errors and parsed.value == value, (key, value, parsed.errors)
    # Every group, mode and (in Salta) Quechua and Guaraní
    modes = set(db.session.scalars(select(Response.entry_mode).distinct()))
    assert modes == {EntryMode.ONLINE, EntryMode.ASSISTED, EntryMode.PAPER}
    salta_languages = Counter(db.session.scalars(select(Response.language).where(Response.consultation_id == salta.id)))
    assert salta_languages["qu"] and salta_languages["gn"] and salta_languages["es"] > salta_languages["en"]
    # Communities see more harm than companies say they cause
    community_none = _share(db, "C1", "none", ("rural_community", "indigenous_people", "afro_descendant"))
    company_none = _share(db, "B2", "none", ("company_large", "company_sme"))
    assert community_none < 0.2 < company_none
    # Mining where the mines are; agro-industry in the Valle de Lerma
    assert _sector_share(db, antioquia, ("Nordeste", "Bajo Cauca"), "mining") > 0.6
    assert _sector_share(db, salta, ("Valle de Lerma",), "agro_industry") > 0.6


def _share(db, question, option, groups) -> float:
    answered = db.session.scalar(
        select(func.count(func.distinct(Answer.response_id)))
        .join(Response)
        .where(Answer.question_key == question, Response.group_code.in_(groups))
    )
    chose = db.session.scalar(
        select(func.count(func.distinct(Answer.response_id)))
        .join(Response)
        .where(Answer.question_key == question, Answer.option == option, Response.group_code.in_(groups))
    )
    return chose / answered


def _sector_share(db, consultation, areas, sector) -> float:
    in_areas = (
        select(Answer.response_id)
        .join(Response)
        .where(
            Response.consultation_id == consultation.id,
            Answer.question_key == "A1",
            Answer.part == "area",
            Answer.text.in_(areas),
        )
    )
    total = db.session.scalar(select(func.count()).select_from(in_areas.subquery()))
    with_sector = db.session.scalar(
        select(func.count(func.distinct(Answer.response_id))).where(
            Answer.response_id.in_(in_areas), Answer.question_key == "B1", Answer.option == sector
        )
    )
    return with_sector / total


def test_the_demo_shows_one_capture_flag(app, db):
    _seed()
    flags = capture.find_flags(services.find_by_slug("riesgos-antioquia-2026"))
    assert [(f.kind.value, len(f.response_ids)) for f in flags] == [("invitation", 7)]
    assert capture.find_flags(services.find_by_slug("riesgos-salta-2026")) == []
