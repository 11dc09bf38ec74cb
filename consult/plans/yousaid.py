"""You said, we did: which actions of a public plan cite what people said, and what was not taken up, and why.

Everything shown here is already public elsewhere: the evidence sentences of
the plan (rendered by the evidence room with n and suppression applied, so a
small cell reads "fewer than N", a withdrawn testimony "gone") and the titles
and drop reasons officials wrote. No count is computed here, so nothing can
slip under the small-cell threshold, and nothing identifies anyone.

For one participant (found by their receipt code on the receipt page) we only
match their response against the plan's evidence: the questions they answered
in their group, and the themes analysts coded on their free-text answers.
"""

from __future__ import annotations

import json
from dataclasses import dataclass, field

from sqlalchemy import select

from consult.analysis.models import AnswerTheme, Theme
from consult.extensions import db
from consult.plans import evidence
from consult.plans.labels import EVIDENCE_KINDS
from consult.plans.models import EvidenceLink, Plan, PlanAction, PlanStatus
from consult.responses.models import Answer, Consultation, Response


@dataclass
class Cited:
    """One fact people contributed to (a question in a group, a theme, an excerpt…) and the actions citing it."""

    kind: str
    sentence: str
    actions: list[PlanAction] = field(default_factory=list)

    @property
    def kind_label(self) -> str:
        """The translated name of the kind of evidence."""
        return str(EVIDENCE_KINDS.get(self.kind, self.kind))


@dataclass
class NotTaken:
    """A priority or an action officials dropped, with their reason."""

    what: str  # "priority" or "action"
    title: str
    reason: str


@dataclass
class YouSaid:
    """What a public plan did with what people said."""

    plan: Plan
    lang: str
    cited: list[Cited]
    not_taken: list[NotTaken]


def public_plan(consultation_id: int) -> Plan | None:
    """The consultation's plan once it is public (in comment, adopted or monitored), else ``None``."""
    plan = db.session.scalar(select(Plan).where(Plan.consultation_id == consultation_id))
    if plan is None or plan.status == PlanStatus.DRAFT:
        return None
    return plan


def plan_language(plan: Plan, asked: str | None) -> str:
    """``asked`` if the plan is drafted in it, else the plan's main language."""
    return asked if asked in (plan.languages or []) else plan.language


def evidence_sentence(plan: Plan, link: EvidenceLink, lang: str) -> str:
    """The evidence link's published sentence in ``lang`` (else the plan's language), or the evidence room's marker."""
    return evidence.sentence(link, lang, plan.language)


def _key(link: EvidenceLink) -> tuple[str, str]:
    return link.kind, json.dumps(link.ref or {}, sort_keys=True)


def _citing_actions(plan: Plan, link: EvidenceLink) -> list[PlanAction]:
    """Kept actions citing ``link``: the action it is attached to, or the actions answering its priority."""
    if link.action_id is not None:
        return [action for action in plan.actions if action.id == link.action_id and not action.is_dropped]
    return [
        action for action in plan.actions if not action.is_dropped and link.priority_id in (action.priority_ids or [])
    ]


def _live_links(plan: Plan) -> list[EvidenceLink]:
    """Evidence links of kept priorities and of every action (dropped ones count for "not taken up")."""
    links = []
    for priority in plan.priorities:
        if not priority.is_dropped:
            links.extend(priority.evidence)
    for action in plan.actions:
        links.extend(action.evidence)
    return links


def _group(plan: Plan, links: list[EvidenceLink], lang: str) -> list[Cited]:
    """One entry per fact (same kind and reference), with the kept actions citing it, in the kinds' order."""
    entries: dict[tuple[str, str], Cited] = {}
    for link in links:
        entry = entries.setdefault(_key(link), Cited(link.kind, evidence_sentence(plan, link, lang)))
        for action in _citing_actions(plan, link):
            if action not in entry.actions:
                entry.actions.append(action)
    order = list(EVIDENCE_KINDS)
    cited = [entry for entry in entries.values() if entry.actions]
    for entry in cited:
        entry.actions.sort(key=lambda action: action.position)
    return sorted(cited, key=lambda entry: order.index(entry.kind) if entry.kind in order else len(order))


def _dropped(plan: Plan, lang: str, actions: list[PlanAction] | None = None, priorities: bool = True) -> list[NotTaken]:
    found = []
    if priorities:
        for priority in plan.priorities:
            if priority.is_dropped:
                found.append(
                    NotTaken("priority", plan.text(priority.title, lang), plan.text(priority.drop_reason, lang))
                )
    for action in actions if actions is not None else plan.actions:
        if action.is_dropped:
            found.append(NotTaken("action", plan.text(action.title, lang), plan.text(action.drop_reason, lang)))
    return found


def for_consultation(consultation: Consultation, lang: str) -> YouSaid | None:
    """What the consultation's public plan did with what people said; ``None`` while no plan is public.

    ``cited`` lists each fact cited as evidence (question × group, theme,
    excerpt, salience…) by its published sentence, with the actions citing it;
    ``not_taken`` the dropped priorities and actions with the officials' reason.
    """
    plan = public_plan(consultation.id)
    if plan is None:
        return None
    lang = plan_language(plan, lang)
    return YouSaid(plan, lang, _group(plan, _live_links(plan), lang), _dropped(plan, lang))


def _theme_codes(response: Response) -> tuple[set[str], set[int]]:
    """Codes and ids of the themes analysts coded on this response's answers."""

    rows = db.session.execute(
        select(Theme.code, Theme.id)
        .join(AnswerTheme, AnswerTheme.theme_id == Theme.id)
        .join(Answer, Answer.id == AnswerTheme.answer_id)
        .where(Answer.response_id == response.id)
    ).all()
    return {code for code, _id in rows}, {theme_id for _code, theme_id in rows}


def _matches(
    link: EvidenceLink, response: Response, questions: set[str], theme_codes: set[str], theme_ids: set[int]
) -> bool:
    ref = link.ref or {}
    if link.kind == "question":
        return ref.get("question") in questions and ref.get("group") == response.group_code
    if link.kind == "theme":
        theme = ref.get("theme", ref.get("code"))
        return theme in theme_codes or theme in theme_ids or ref.get("theme_id") in theme_ids
    return False


def for_response(response: Response, lang: str) -> YouSaid | None:
    """For one participant: the actions citing the questions they answered (in their group) and their themes.

    ``None`` while the consultation has no public plan. ``not_taken`` holds
    the dropped actions that cited those same facts, with the reason.
    """
    plan = public_plan(response.consultation_id)
    if plan is None:
        return None
    lang = plan_language(plan, lang)
    questions = set(db.session.scalars(select(Answer.question_key).where(Answer.response_id == response.id).distinct()))
    theme_codes, theme_ids = _theme_codes(response)
    links = [link for link in _live_links(plan) if _matches(link, response, questions, theme_codes, theme_ids)]
    dropped_ids = {link.action_id for link in links if link.action_id is not None}
    dropped = [action for action in plan.actions if action.is_dropped and action.id in dropped_ids]
    return YouSaid(plan, lang, _group(plan, links, lang), _dropped(plan, lang, dropped, priorities=False))
