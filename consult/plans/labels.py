"""The plans vocabulary: pillars, statuses, gender marker, UNGP principles and SDG targets, with translated labels.

Codes are stable (stored in plans and the action library); labels are lazy
gettext strings shown in the language of the request.
"""

from __future__ import annotations

from flask_babel import lazy_gettext as _l

from consult.plans.models import ActionStatus, CommentStatus, Pillar, PlanStatus

PILLARS = {
    Pillar.PROTECT.value: _l("Pillar I — the State's duty to protect"),
    Pillar.RESPECT.value: _l("Pillar II — the corporate responsibility to respect"),
    Pillar.REMEDY.value: _l("Pillar III — access to remedy"),
}

PILLAR_SHORT = {
    Pillar.PROTECT.value: _l("I. Protect"),
    Pillar.RESPECT.value: _l("II. Respect"),
    Pillar.REMEDY.value: _l("III. Remedy"),
}

PLAN_STATUSES = {
    PlanStatus.DRAFT.value: _l("Draft (not public)"),
    PlanStatus.COMMENT.value: _l("Open for public comment"),
    PlanStatus.FINAL.value: _l("Adopted"),
    PlanStatus.MONITORING.value: _l("Adopted, being monitored"),
}

ACTION_STATUSES = {
    ActionStatus.PLANNED.value: _l("Planned"),
    ActionStatus.IN_PROGRESS.value: _l("In progress"),
    ActionStatus.DELAYED.value: _l("Delayed"),
    ActionStatus.DONE.value: _l("Done"),
    ActionStatus.CANCELLED.value: _l("Cancelled"),
}

COMMENT_STATUSES = {
    CommentStatus.PENDING.value: _l("Waiting for moderation"),
    CommentStatus.APPROVED.value: _l("Published"),
    CommentStatus.REJECTED.value: _l("Not published"),
}

#: OECD DAC gender equality policy marker.
GENDER_MARKERS = {
    0: _l("Gender equality is not targeted"),
    1: _l("Gender equality is a significant objective"),
    2: _l("Gender equality is the principal objective"),
}

SECTION_TITLES = {
    "mandate": _l("Mandate"),
    "baseline": _l("Territorial baseline"),
    "methodology": _l("Methodology and participation"),
    "priorities": _l("Prioritised issues"),
    "actions": _l("Actions by pillar"),
    "governance": _l("Governance and monitoring"),
    "annex": _l("Evidence annex"),
}

#: The SDG targets DESIGN.md names for business and human rights plans.
SDG_TARGETS = {
    "8.4": _l("8.4 Resource efficiency in consumption and production"),
    "8.7": _l("8.7 End forced labour, modern slavery, trafficking and child labour"),
    "8.8": _l("8.8 Protect labour rights and safe working environments"),
    "10.2": _l("10.2 Social, economic and political inclusion of all"),
    "12.7": _l("12.7 Sustainable public procurement"),
    "16.10": _l("16.10 Public access to information and fundamental freedoms"),
    "17.6": _l("17.6 Cooperation on science, technology and innovation"),
}

#: UN Guiding Principles an action can cite (foundational and operational principles).
UNGP_PRINCIPLES = {str(n): _l("Principle %(number)s", number=n) for n in range(1, 32)}

#: The kinds of evidence a priority or an action can cite.
EVIDENCE_KINDS = {
    "question": _l("Answers to a question"),
    "salience": _l("Salient risk"),
    "divergence": _l("Divergence between groups"),
    "remedy": _l("Remedy figure"),
    "excerpt": _l("Testimony excerpt"),
    "theme": _l("Theme in free-text answers"),
}
