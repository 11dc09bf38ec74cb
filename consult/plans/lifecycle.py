"""A plan's lifecycle: draft → open for public comment → adopted → monitored.

Only these functions move a consultation into PLAN_COMMENT, PLAN_FINAL or
MONITORING (the responses room does not offer those states by hand), so the
consultation's state always says what exists. Each move checks where the plan
stands, sets ``plan.status`` and ``consultation.state`` together, saves a
version and flushes; the view commits.
"""

from __future__ import annotations

from datetime import date

from flask_babel import lazy_gettext as _l

from consult.core.db import utctoday
from consult.extensions import db
from consult.plans import versions
from consult.plans.labels import PLAN_STATUSES
from consult.plans.models import Plan, PlanStatus
from consult.responses.models import ConsultationState


class LifecycleError(ValueError):
    """A lifecycle move that cannot be made; ``message`` is translated text for the person."""

    def __init__(self, message, field: str | None = None) -> None:
        super().__init__(str(message))
        self.message = message
        self.field = field


def _expect(plan: Plan, status: PlanStatus) -> None:
    if plan.status != status:
        raise LifecycleError(
            _l("This cannot be done while the plan is: %(status)s.", status=PLAN_STATUSES[plan.status.value])
        )


def publish_for_comment(plan: Plan, opens_on: date | None, closes_on: date | None, user, today: date | None = None):
    """Publish a draft for public comment from ``opens_on`` to ``closes_on`` (both included).

    The period may not start in the past and must end after it starts. The
    consultation moves to "draft plan open for comment".
    """
    today = today or utctoday()
    _expect(plan, PlanStatus.DRAFT)
    if opens_on is None:
        raise LifecycleError(_l("Give the date the comment period opens."), "opens_on")
    if closes_on is None:
        raise LifecycleError(_l("Give the date the comment period closes."), "closes_on")
    if opens_on < today:
        raise LifecycleError(_l("The comment period cannot open in the past."), "opens_on")
    if closes_on <= opens_on:
        raise LifecycleError(_l("The comment period must close after it opens."), "closes_on")
    if plan.consultation.state != ConsultationState.ANALYSED:
        raise LifecycleError(_l("Only the plan of an analysed consultation can be published for comment."))
    plan.comment_opens_on = opens_on
    plan.comment_closes_on = closes_on
    plan.status = PlanStatus.COMMENT
    plan.consultation.state = ConsultationState.PLAN_COMMENT
    db.session.flush()
    return versions.save(
        plan,
        user,
        str(
            _l(
                "Published for comment from %(opens)s to %(closes)s",
                opens=opens_on.isoformat(),
                closes=closes_on.isoformat(),
            )
        ),
    )


def comment_is_open(plan: Plan, today: date | None = None) -> bool:
    """True while the plan is out for comment and today falls in its comment period."""
    today = today or utctoday()
    if plan.status != PlanStatus.COMMENT or plan.comment_opens_on is None or plan.comment_closes_on is None:
        return False
    return plan.comment_opens_on <= today <= plan.comment_closes_on


def comment_has_closed(plan: Plan, today: date | None = None) -> bool:
    """True when the plan's comment period is over (its closing day has passed)."""
    today = today or utctoday()
    return plan.comment_closes_on is not None and plan.comment_closes_on < today


def adopt(plan: Plan, user, close_early: bool = False, today: date | None = None):
    """Adopt a plan that was out for comment.

    While the comment period runs, the official must confirm closing it early
    (``close_early``); the closing date then becomes today, and as the plan is
    no longer in comment no comment form is offered any more. The consultation moves to "plan final".
    """
    today = today or utctoday()
    _expect(plan, PlanStatus.COMMENT)
    early = not comment_has_closed(plan, today)
    if early:
        if not close_early:
            raise LifecycleError(
                _l(
                    "The comment period is open until %(date)s. Confirm that you close it early to adopt the plan now.",
                    date=plan.comment_closes_on.isoformat() if plan.comment_closes_on else "…",
                ),
                "close_early",
            )
        # The period ends today: the page then tells the truth about when comments stopped.
        plan.comment_closes_on = today
        if plan.comment_opens_on is None or plan.comment_opens_on > today:
            plan.comment_opens_on = today
    plan.status = PlanStatus.FINAL
    plan.adopted_on = today
    plan.consultation.state = ConsultationState.PLAN_FINAL
    db.session.flush()
    note = _l("Adopted, comment period closed early") if early else _l("Adopted")
    return versions.save(plan, user, str(note))


def start_monitoring(plan: Plan, user):
    """Start monitoring an adopted plan; the consultation moves to "monitoring"."""
    _expect(plan, PlanStatus.FINAL)
    plan.status = PlanStatus.MONITORING
    plan.consultation.state = ConsultationState.MONITORING
    db.session.flush()
    return versions.save(plan, user, str(_l("Monitoring started")))


__all__ = [
    "LifecycleError",
    "publish_for_comment",
    "comment_is_open",
    "comment_has_closed",
    "adopt",
    "start_monitoring",
]
