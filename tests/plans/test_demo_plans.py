"""From each demo consultation an official drafts a plan: the open ones once closed and analysed."""

from __future__ import annotations

from sqlalchemy import select

from consult.accounts.models import User
from consult.plans.models import Pillar, Plan
from consult.responses.models import Consultation, ConsultationState


def test_every_demo_consultation_gives_a_draft_with_evidence(app, client, db):
    from consult.demo import seed_demo
    from consult.responses import services

    seed_demo()
    for consultation in db.session.scalars(select(Consultation).order_by(Consultation.id)):
        territory = consultation.territory
        official = db.session.scalar(
            select(User).where(User.email == f"official.{territory.slug}@demo.consult.example")
        )
        assert official is not None, territory.slug
        client.login(official.email, "consult-demo-2026")
        home = f"/t/{territory.slug}/consultations/{consultation.id}/plan"
        if consultation.state != ConsultationState.ANALYSED:
            # Not analysed yet: the page says a plan comes after the analysis, and generating is refused.
            page = client.get(f"{home}?lang=en").get_data(as_text=True)
            assert "A plan can be drafted once the consultation is analysed." in page
            for state in (ConsultationState.CLOSED, ConsultationState.ANALYSED):
                services.change_state(consultation, state)
            db.session.commit()
        sent = client.submit(f"{home}?lang=en", {"language": consultation.fallback_language})
        assert sent.status_code == 302, sent.get_data(as_text=True)[:2000]
        plan = db.session.scalar(select(Plan).where(Plan.consultation_id == consultation.id))
        assert plan is not None and plan.version == 1
        page = client.get(f"/t/{territory.slug}/plans/{plan.id}?lang=en").get_data(as_text=True)
        assert plan.text(plan.title, "en") in page
        # Every pillar has proposed actions, and the evidence shown names its base.
        assert {a.pillar for a in plan.actions} == set(Pillar), consultation.slug
        assert plan.priorities, consultation.slug
        assert "(n=" in page
        client.post("/logout")
