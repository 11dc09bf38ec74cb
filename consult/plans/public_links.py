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

from consult.plans import lifecycle
from consult.plans.models import PlanStatus
from consult.plans.yousaid import public_plan


def plan_links(consultation) -> list[tuple[str, str]]:
    """``(url, label)`` pairs of the consultation's public plan pages that exist now."""
    plan = public_plan(consultation.id)
    if plan is None:
        return []
    if lifecycle.comment_is_open(plan):
        links = [(url_for("plans.public_plan", slug=consultation.slug), _("Read the draft action plan and comment on it"))]
    else:
        links = [(url_for("plans.public_plan", slug=consultation.slug), _("Read the action plan"))]
    links.append((url_for("plans.you_said", slug=consultation.slug), _("You said, we did: what the action plan did with what people said")))
    if plan.status in (PlanStatus.FINAL, PlanStatus.MONITORING):
        links.append((url_for("plans.public_progress", slug=consultation.slug), _("Progress of the plan's actions")))
    return links
