"""Who sees what: nothing public while the plan is a draft; moderation only for officials and moderators there."""

from __future__ import annotations

from datetime import timedelta

import pytest

from consult.core.db import utctoday
from consult.plans.models import PlanStatus
from consult.responses.models import ConsultationState


def test_a_draft_plan_has_no_public_address(app, client, hand_plan, db):
    plan, _official = hand_plan
    slug = plan.consultation.slug
    for url in (
        f"/c/{slug}/plan",
        f"/c/{slug}/you-said-we-did",
        f"/c/{slug}/plan/my-comment",
        f"/c/{slug}/plan/comment/sent",
    ):
        assert client.get(url).status_code == 404, url
    token = client.csrf_token("/login")
    refused = client.post(
        f"/c/{slug}/plan/comment",
        data={
            "csrf_token": token,
            "target": "section-mandate",
            "c-section-mandate-body": "Hola",
            "c-section-mandate-language": "es",
        },
    )
    assert refused.status_code == 404
    # Once out for comment, every public address answers.
    plan.status = PlanStatus.COMMENT
    plan.comment_opens_on = utctoday() - timedelta(days=1)
    plan.comment_closes_on = utctoday() + timedelta(days=3)
    plan.consultation.state = ConsultationState.PLAN_COMMENT
    db.session.commit()
    for url in (f"/c/{slug}/plan", f"/c/{slug}/you-said-we-did", f"/c/{slug}/plan/my-comment"):
        assert client.get(url).status_code == 200, url
    assert client.get(f"/c/{slug}/plan?lang=en").status_code == 200  # not drafted in en: falls back to es


def test_an_adopted_plan_is_public_without_comment_forms(client, hand_plan, db):
    plan, _official = hand_plan
    plan.status = PlanStatus.FINAL
    plan.adopted_on = utctoday()
    plan.consultation.state = ConsultationState.PLAN_FINAL
    db.session.commit()
    page = client.get(f"/c/{plan.consultation.slug}/plan").get_data(as_text=True)
    assert "Programa de inspección" in page and 'name="target"' not in page


@pytest.mark.parametrize(
    ("role", "status"),
    [("official", 200), ("moderator", 200), ("analyst", 403), ("facilitator", 403)],
)
def test_moderation_role_matrix(client, hand_plan, create_user, role, status):
    plan, _official = hand_plan
    person = create_user(roles={plan.territory: [role]})
    client.login(person.email)
    assert client.get(f"/t/{plan.territory.slug}/plans/{plan.id}/comments").status_code == status


def test_moderation_of_another_territory_or_anonymous(app, client, hand_plan, create_user, create_territory):
    plan, _official = hand_plan
    url = f"/t/{plan.territory.slug}/plans/{plan.id}/comments"
    anonymous = client.get(url)
    assert anonymous.status_code == 302 and "/login" in anonymous.headers["Location"]
    other = create_territory()
    client.login(create_user(roles={other: ["official", "moderator"]}).email)
    assert client.get(f"/t/{other.slug}/plans/{plan.id}/comments").status_code == 404
    assert client.get(url).status_code == 403
