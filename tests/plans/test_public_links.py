"""The consultation's public pages (landing, public results) lead to the plan only once it is public."""

from __future__ import annotations

from datetime import date, timedelta

from consult.plans.models import PlanStatus


def test_landing_and_results_link_to_the_plan_only_when_it_exists(hand_plan, client, db):
    plan, _official = hand_plan
    slug = plan.consultation.slug
    pages = (f"/c/{slug}/?lang=en", f"/c/{slug}/results?lang=en")

    # A draft is not public: no page mentions a plan.
    for url in pages:
        body = client.get(url).get_data(as_text=True)
        assert "/plan" not in body and "you-said-we-did" not in body

    # Out for comment: the draft and "you said, we did", not yet the progress page.
    plan.status = PlanStatus.COMMENT
    plan.comment_opens_on = date.today() - timedelta(days=1)
    plan.comment_closes_on = date.today() + timedelta(days=10)
    db.session.commit()
    for url in pages:
        body = client.get(url).get_data(as_text=True)
        assert "Read the draft action plan and comment on it" in body
        assert f'href="/c/{slug}/you-said-we-did"' in body
        assert "/plan/progress" not in body
    assert client.get(f"/c/{slug}/plan?lang=en").status_code == 200

    # Adopted: the plan, and the progress of its actions.
    plan.status = PlanStatus.FINAL
    plan.adopted_on = date.today()
    db.session.commit()
    body = client.get(f"/c/{slug}/results?lang=en").get_data(as_text=True)
    assert "Read the action plan" in body and "Read the draft action plan" not in body
    assert f'href="/c/{slug}/plan/progress"' in body
    assert client.get(f"/c/{slug}/plan/progress?lang=en").status_code == 200
