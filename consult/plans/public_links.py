"""Links to a consultation's public plan pages, offered to the lower rooms' public templates.

The responses and analysis rooms must not import plans (imports flow
downward), yet their public pages (the consultation's landing page, its
public results) should lead to the plan once there is one. The plans room
registers ``plan_links`` as a Jinja global; those templates call it when it is
defined. Only pages that exist are listed: nothing while the plan is a draft,
the comment page only while comment is open, progress only once adopted.
"""

from __future__ import annotations

from flask import url_for
from flask_babel import gettext as _
from sqlalchemy import select

from consult.extensions import db
from consult.plans import lifecycle
from consult.plans.models import Plan, PlanStatus
from consult.plans.yousaid import public_plan

_LOOK_UP = object()


def plan_links(consultation, plan: Plan | None | object = _LOOK_UP) -> list[tuple[str, str]]:
    """``(url, label)`` pairs of the consultation's public plan pages that exist now.

    ``plan`` is the consultation's plan when the caller already has it (``plan_links_for``).
    """
    if plan is _LOOK_UP:
        plan = public_plan(consultation.id)
    if plan is None or plan.status == PlanStatus.DRAFT:
        return []
    if lifecycle.comment_is_open(plan):
        links = [
            (url_for("plans.public_plan", slug=consultation.slug), _("Read the draft action plan and comment on it"))
        ]
    else:
        links = [(url_for("plans.public_plan", slug=consultation.slug), _("Read the action plan"))]
    links.append(
        (
            url_for("plans.you_said", slug=consultation.slug),
            _("You said, we did: what the action plan did with what people said"),
        )
    )
    if plan.status in (PlanStatus.FINAL, PlanStatus.MONITORING):
        links.append((url_for("plans.public_progress", slug=consultation.slug), _("Progress of the plan's actions")))
    return links


def plan_links_for(consultations) -> dict[int, list[tuple[str, str]]]:
    """``plan_links`` of many consultations with one query for their plans (list pages, homes)."""
    ids = [consultation.id for consultation in consultations]
    plans = {
        plan.consultation_id: plan for plan in db.session.scalars(select(Plan).where(Plan.consultation_id.in_(ids)))
    }
    return {consultation.id: plan_links(consultation, plans.get(consultation.id)) for consultation in consultations}
