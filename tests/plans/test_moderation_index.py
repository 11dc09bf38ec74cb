"""Moderators reach the comments of their territory's public plans from the territory page."""

from __future__ import annotations

from datetime import date, timedelta

from consult.plans import comments
from consult.plans.models import PlanStatus


def test_a_moderator_finds_the_plans_with_comments_waiting(hand_plan, create_user, client, db):
    plan, _official = hand_plan
    territory = plan.consultation.territory
    moderator = create_user(roles={territory: ["moderator"]})
    analyst = create_user(roles={territory: ["analyst"]})
    client.login(moderator.email)

    home = client.get(f"/t/{territory.slug}/?lang=en").get_data(as_text=True)
    assert f'href="/t/{territory.slug}/plan-comments"' in home
    # A draft is not public: nothing to moderate, and the page says so.
    page = client.get(f"/t/{territory.slug}/plan-comments?lang=en").get_data(as_text=True)
    assert "No action plan of this territory has been published for comment yet." in page

    plan.status = PlanStatus.COMMENT
    plan.comment_opens_on = date.today() - timedelta(days=1)
    plan.comment_closes_on = date.today() + timedelta(days=5)
    db.session.commit()
    comments.submit(plan, body="Falta el agua en la vereda.", language="es", section_key="mandate")
    db.session.commit()
    page = client.get(f"/t/{territory.slug}/plan-comments?lang=en").get_data(as_text=True)
    assert "1 comment or statement waits for a decision" in page
    assert f'href="/t/{territory.slug}/plans/{plan.id}/comments"' in page
    assert "Falta el agua en la vereda." in client.get(
        f"/t/{territory.slug}/plans/{plan.id}/comments?lang=en"
    ).get_data(as_text=True)

    client.post("/logout")
    client.login(analyst.email)
    assert client.get(f"/t/{territory.slug}/plan-comments").status_code == 403
