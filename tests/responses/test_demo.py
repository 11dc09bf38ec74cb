"""The demo seed opens a consultation per demo territory, with groups, targets and two invitation links,
and adds a closed, analysed one in Antioquia whose trade unions and women's organisations answered
an imported XLSForm."""

from __future__ import annotations

from sqlalchemy import func, select

from consult.responses.invitations import find_invitation
from consult.responses.models import Answer, Consultation, ConsultationState, Invitation, Response
from consult.surveys.models import Instrument, InstrumentVersion


def test_the_demo_opens_a_consultation_in_each_territory_once(app, db):
    # Imported here, not at collection: importing a room's demo module registers its
    # step, and steps run in the order registered (the app registers them bottom-up).
    from consult.demo import seed_demo
    from consult.responses.demo import demo_token

    seed_demo()
    seed_demo()
    consultations = db.session.scalars(
        select(Consultation).where(Consultation.state == ConsultationState.OPEN).order_by(Consultation.slug)
    ).all()
    assert [c.slug for c in consultations] == ["riesgos-antioquia-2026", "riesgos-salta-2026"]
    for consultation in consultations:
        assert consultation.is_accepting
        groups = {g.group_code: g for g in consultation.groups}
        assert groups["indigenous_people"].target and groups["company_large"].is_invitation_only
        slug = consultation.territory.slug
        assert find_invitation(consultation, demo_token(f"{slug}-community")).group_code == "rural_community"
        assert find_invitation(consultation, demo_token(f"{slug}-company")).group_code == "company_large"
        targets = {(t.group_code, t.locality.area) for t in consultation.locality_targets}
        assert (
            len(consultation.locality_targets) >= 6
            and ("indigenous_people", "Puna" if slug == "salta" else "Occidente") in targets
        )
    assert db.session.scalar(select(func.count(Invitation.id))) == 4
    salta = consultations[1]
    assert "qu" in salta.languages


def test_the_demo_closes_a_consultation_answered_partly_on_an_imported_xlsform(app, db):
    from consult.demo import DEMO_LOGINS, seed_demo
    from consult.responses.demo_closed import SLUG
    from consult.surveys.demo_xlsform import FORM_ID

    seed_demo()
    seed_demo()
    closed = db.session.scalar(select(Consultation).where(Consultation.slug == SLUG))
    assert closed.state == ConsultationState.ANALYSED and closed.territory.slug == "antioquia"
    own = {g.group_code: db.session.get(InstrumentVersion, g.instrument_version_id) for g in closed.groups}
    assert own["trade_union"].instrument.key == own["womens_organisation"].instrument.key == FORM_ID
    assert own["trade_union"].is_published and own["trade_union"].instrument.territory_id == closed.territory_id
    assert own["rural_community"].instrument.key == "community_risk"
    question = own["trade_union"].parsed().question("derechos")
    assert question.concept == "right" and question.option_code("agua") == "water_sanitation"
    # Answers in the form's own option names; a consultation of its own count
    options = set(
        db.session.scalars(
            select(Answer.option)
            .join(Response)
            .where(Response.consultation_id == closed.id, Answer.question_key == "derechos")
        )
    )
    assert {"agua", "sindicato", "trabajo"} <= options
    assert db.session.scalar(select(func.count(Response.id)).where(Response.consultation_id == closed.id)) == 300
    assert db.session.scalar(select(func.count(Instrument.id)).where(Instrument.key == FORM_ID)) == 1
    links = dict(DEMO_LOGINS)
    assert links[f"public results ({SLUG})"] == f"/c/{SLUG}/results"
    assert links[f"analysis ({SLUG})"] == f"/t/antioquia/consultations/{closed.id}/analysis"
    assert links[f"exports ({SLUG})"] == f"/t/antioquia/consultations/{closed.id}/exports"
