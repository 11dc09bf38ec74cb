"""A plan's lifecycle moves the consultation with it: comment, adoption, monitoring — and nothing by hand."""

from __future__ import annotations

from datetime import date, timedelta

import pytest

from consult.plans import lifecycle
from consult.plans.models import PlanStatus
from consult.responses.models import ConsultationState


def _base(plan):
    return f"/t/{plan.territory.slug}/plans/{plan.id}"


def _post(client, url, data, base):
    """POST a lifecycle form and read the plan page that follows in English (the flash messages)."""
    response = client.submit(url, data, form_url=f"{base}?lang=en")
    assert response.status_code == 302
    return client.get(f"{base}?lang=en").get_data(as_text=True)


def test_publish_adopt_monitor_through_the_pages(client, hand_plan, db):
    plan, official = hand_plan
    client.login(official.email)
    today = date.today()
    base = _base(plan)
    # Refused: closes before it opens, opens in the past, not a date.
    for opens, closes, message in (
        (today + timedelta(days=5), today + timedelta(days=1), "The comment period must close after it opens."),
        (today - timedelta(days=3), today + timedelta(days=10), "The comment period cannot open in the past."),
        ("someday", today + timedelta(days=10), "Write a date as year-month-day, for example 2026-03-31."),
    ):
        page = _post(client, f"{base}/publish", {"opens_on": str(opens), "closes_on": str(closes)}, base)
        assert message in page
        assert plan.status == PlanStatus.DRAFT
    response = client.submit(
        f"{base}/publish", {"opens_on": str(today), "closes_on": str(today + timedelta(days=30))}, form_url=base
    )
    assert response.status_code == 302
    db.session.refresh(plan)
    assert plan.status == PlanStatus.COMMENT and plan.consultation.state == ConsultationState.PLAN_COMMENT
    assert lifecycle.comment_is_open(plan)
    # The consultation's page offers no plan state by hand.
    detail = client.get(f"/t/{plan.territory.slug}/consultations/{plan.consultation_id}").get_data(as_text=True)
    assert "Move to:" not in detail and "Open the action plan" in detail
    # Adopting while comments run needs the early close confirmed.
    assert "Confirm that you close it early" in _post(client, f"{base}/adopt", {}, base)
    db.session.refresh(plan)
    assert plan.status == PlanStatus.COMMENT
    assert client.submit(f"{base}/adopt", {"close_early": "y"}, form_url=base).status_code == 302
    db.session.refresh(plan)
    assert plan.status == PlanStatus.FINAL and plan.adopted_on == today and plan.comment_closes_on == today
    assert plan.consultation.state == ConsultationState.PLAN_FINAL
    assert not lifecycle.comment_is_open(plan)
    assert client.submit(f"{base}/monitor", {}, form_url=base).status_code == 302
    db.session.refresh(plan)
    assert plan.status == PlanStatus.MONITORING and plan.consultation.state == ConsultationState.MONITORING
    notes = [v.note for v in __import__("consult.plans.versions", fromlist=["x"]).versions_of(plan)]
    assert notes[0] == "Monitoring started" and notes[1].startswith("Adopted")
    assert notes[2].startswith("Published for comment")
    # Backwards or repeated moves are refused with a message.
    page = _post(client, f"{base}/publish", {"opens_on": str(today), "closes_on": str(today + timedelta(days=3))}, base)
    assert "This cannot be done while the plan is" in page
    assert plan.status == PlanStatus.MONITORING


def test_invalid_moves_are_refused(hand_plan, db):
    plan, official = hand_plan
    with pytest.raises(lifecycle.LifecycleError):
        lifecycle.adopt(plan, official)
    with pytest.raises(lifecycle.LifecycleError):
        lifecycle.start_monitoring(plan, official)
    with pytest.raises(lifecycle.LifecycleError):
        lifecycle.publish_for_comment(plan, None, date.today(), official)
    today = date(2027, 3, 1)
    lifecycle.publish_for_comment(plan, today, today + timedelta(days=14), official, today=today)
    assert lifecycle.comment_is_open(plan, today=today + timedelta(days=14))
    assert not lifecycle.comment_is_open(plan, today=today + timedelta(days=15))
    # After the period closed, adoption needs no confirmation.
    lifecycle.adopt(plan, official, today=today + timedelta(days=20))
    assert plan.comment_closes_on == today + timedelta(days=14) and plan.adopted_on == today + timedelta(days=20)
    with pytest.raises(lifecycle.LifecycleError):
        lifecycle.publish_for_comment(plan, today, today + timedelta(days=14), official, today=today)
    assert plan.version == 3


def test_a_consultation_that_is_not_analysed_cannot_get_a_plan_in_comment(hand_plan, db):
    plan, official = hand_plan
    plan.consultation.state = ConsultationState.CLOSED
    with pytest.raises(lifecycle.LifecycleError):
        lifecycle.publish_for_comment(plan, date.today(), date.today() + timedelta(days=3), official)
    assert plan.status == PlanStatus.DRAFT


def test_responses_room_offers_no_plan_state_by_hand():
    from consult.responses import services

    for state in (ConsultationState.PLAN_COMMENT, ConsultationState.PLAN_FINAL, ConsultationState.MONITORING):
        assert all(state not in moves for moves in services.TRANSITIONS.values())
    assert services.TRANSITIONS[ConsultationState.ANALYSED] == ()
