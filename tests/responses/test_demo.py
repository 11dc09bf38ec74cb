"""The demo seed opens a consultation per demo territory, with groups, targets and two invitation links."""

from __future__ import annotations

from sqlalchemy import func, select

from consult.responses.invitations import find_invitation
from consult.responses.models import Consultation, Invitation


def test_the_demo_opens_a_consultation_in_each_territory_once(app, db):
    # Imported here, not at collection: importing a room's demo module registers its
    # step, and steps run in the order registered (the app registers them bottom-up).
    from consult.demo import seed_demo
    from consult.responses.demo import demo_token

    seed_demo()
    seed_demo()
    consultations = db.session.scalars(select(Consultation).order_by(Consultation.slug)).all()
    assert [c.slug for c in consultations] == ["riesgos-antioquia-2026", "riesgos-salta-2026"]
    for consultation in consultations:
        assert consultation.is_accepting
        groups = {g.group_code: g for g in consultation.groups}
        assert groups["indigenous_people"].target and groups["company_large"].is_invitation_only
        slug = consultation.territory.slug
        assert find_invitation(consultation, demo_token(f"{slug}-community")).group_code == "rural_community"
        assert find_invitation(consultation, demo_token(f"{slug}-company")).group_code == "company_large"
    assert db.session.scalar(select(func.count(Invitation.id))) == 4
    salta = consultations[1]
    assert "qu" in salta.languages
