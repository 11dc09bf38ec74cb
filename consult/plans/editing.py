"""Officials' edits of a plan: sections, priorities, actions, their order and their evidence.

Each function checks that the plan may be edited, changes it, and saves a
version with a short note of what changed (``versions.save``); the view
commits. An adopted plan (final or monitoring) is not edited here any more:
its actions' status and indicator values move through monitoring. While the
plan is out for comment, edits are allowed and the version note says so.
Errors are ``EditError`` with a translated message.
"""

from __future__ import annotations

from flask_babel import lazy_gettext as _l

from consult.extensions import db
from consult.plans import library, versions
from consult.plans.models import (
    ActionStatus,
    EvidenceLink,
    LibraryAction,
    Pillar,
    Plan,
    PlanAction,
    PlanPriority,
    PlanSection,
    PlanStatus,
)

#: Per-language texts of an action (the rest are codes, numbers and dates).
ACTION_TEXTS = ("title", "description", "lead_entity", "partners", "indicator_name", "indicator_source")
#: Fields an edit of an action may set besides the texts.
ACTION_VALUES = (
    "pillar",
    "ungp_principles",
    "priority_ids",
    "rights",
    "sectors",
    "places",
    "target_groups",
    "indicator_unit",
    "indicator_baseline",
    "indicator_target",
    "starts_on",
    "ends_on",
    "budget",
    "budget_currency",
    "sdg_targets",
    "gender_marker",
    "status",
)
#: Library texts copied into a new action (library field → action field).
_LIBRARY_TEXTS = {
    "title": "title",
    "description": "description",
    "indicator": "indicator_name",
    "lead_entity": "lead_entity",
    "partners": "partners",
}

ADOPTED = (PlanStatus.FINAL, PlanStatus.MONITORING)


class EditError(ValueError):
    """An edit that cannot be made; ``message`` is translated text for the person."""

    def __init__(self, message, field: str | None = None) -> None:
        super().__init__(str(message))
        self.message = message
        self.field = field


def can_edit(plan: Plan) -> bool:
    """True while the plan's texts and actions may change (draft or in comment)."""
    return plan.status not in ADOPTED


def check_editable(plan: Plan) -> None:
    """Refuse edits of an adopted plan."""
    if not can_edit(plan):
        raise EditError(
            _l(
                "The plan has been adopted: it can no longer be edited. Action status and indicator "
                "values are updated in monitoring."
            )
        )


def _save(plan: Plan, user, note) -> None:
    note = str(note)
    if plan.status == PlanStatus.COMMENT:
        note = str(_l("%(note)s (during the public comment period)", note=note))
    versions.save(plan, user, note)


def _set_text(field: dict | None, lang: str, value: str | None) -> dict:
    texts = dict(field or {})
    value = (value or "").strip()
    if value:
        texts[lang] = value
    else:
        texts.pop(lang, None)
    return texts


def _label(plan: Plan, field: dict, lang: str, fallback: str) -> str:
    text = plan.text(field, lang) or fallback
    return text if len(text) <= 80 else text[:79] + "…"


def edit_section(plan: Plan, section: PlanSection, lang: str, title: str, body: str, user) -> None:
    """Set a section's title and Markdown body in ``lang``."""
    check_editable(plan)
    if not (title or "").strip():
        raise EditError(_l("Give the section a title."), "title")
    section.title = _set_text(section.title, lang, title)
    section.body = _set_text(section.body, lang, body)
    _save(
        plan,
        user,
        _l("Section edited (%(lang)s): %(name)s", lang=lang, name=_label(plan, section.title, lang, section.key)),
    )


def edit_priority(plan: Plan, priority: PlanPriority, lang: str, title: str, justification: str, user) -> None:
    """Set a priority's title and justification (Markdown) in ``lang``."""
    check_editable(plan)
    if not (title or "").strip():
        raise EditError(_l("Give the priority a title."), "title")
    priority.title = _set_text(priority.title, lang, title)
    priority.justification = _set_text(priority.justification, lang, justification)
    _save(
        plan,
        user,
        _l("Priority edited (%(lang)s): %(name)s", lang=lang, name=_label(plan, priority.title, lang, priority.right)),
    )


def drop_priority(plan: Plan, priority: PlanPriority, lang: str, reason: str, user) -> None:
    """Leave a priority out of the plan, with the reason (shown on "you said, we did")."""
    check_editable(plan)
    if not (reason or "").strip():
        raise EditError(_l("Say why the priority is left out: people who raised it will read the reason."), "reason")
    priority.is_dropped = True
    priority.drop_reason = _set_text(priority.drop_reason, lang, reason)
    _save(plan, user, _l("Priority left out: %(name)s", name=_label(plan, priority.title, lang, priority.right)))


def restore_priority(plan: Plan, priority: PlanPriority, lang: str, user) -> None:
    """Take a left-out priority back into the plan."""
    check_editable(plan)
    priority.is_dropped = False
    priority.drop_reason = {}
    _save(plan, user, _l("Priority taken back: %(name)s", name=_label(plan, priority.title, lang, priority.right)))


def _check_action_values(plan: Plan, values: dict) -> None:
    # The form validates every code; this guards callers that are not the form.
    if "pillar" in values and values["pillar"] not in {p.value for p in Pillar}:
        raise EditError(_l("Choose one of the pillars."), "pillar")
    if "status" in values and values["status"] not in {s.value for s in ActionStatus}:
        raise EditError(_l("Choose one of the statuses."), "status")
    if "priority_ids" in values:
        known = {p.id for p in plan.priorities}
        if any(pid not in known for pid in values["priority_ids"]):
            raise EditError(_l("Choose priorities of this plan."), "priority_ids")
    if "gender_marker" in values and values["gender_marker"] not in (0, 1, 2):
        raise EditError(_l("Choose one of the gender markers."), "gender_marker")
    starts, ends = values.get("starts_on"), values.get("ends_on")
    if starts and ends and ends < starts:
        raise EditError(_l("The end date must not be before the start date."), "ends_on")
    for name in ("indicator_baseline", "indicator_target", "budget"):
        number = values.get(name)
        if number is not None and (number != number or abs(number) > 1e15):  # NaN or absurd
            raise EditError(_l("Write a number, for example 1500 or 12.5."), name)
    if values.get("budget") is not None and values["budget"] < 0:
        raise EditError(_l("A budget cannot be negative."), "budget")


def update_action(plan: Plan, action: PlanAction, lang: str, texts: dict, values: dict, user) -> None:
    """Set an action's texts in ``lang`` and its other fields (``ACTION_VALUES`` names).

    On an adopted plan only ``status`` may change (monitoring records it with a note).
    """
    if not can_edit(plan):
        raise EditError(_l("The plan has been adopted: only the status of an action changes now, in monitoring."))
    if not (texts.get("title") or "").strip():
        raise EditError(_l("Give the action a title."), "title")
    _check_action_values(plan, values)
    for name in ACTION_TEXTS:
        if name in texts:
            setattr(action, name, _set_text(getattr(action, name), lang, texts[name]))
    for name in ACTION_VALUES:
        if name not in values:
            continue
        value = values[name]
        if name == "pillar":
            value = Pillar(value)
        elif name == "status":
            value = ActionStatus(value)
        elif name == "budget_currency":
            value = (value or "").upper()
        elif name == "indicator_unit":
            value = (value or "").strip()[:40]
        elif isinstance(value, list):
            value = list(value)
        setattr(action, name, value)
    _save(plan, user, _l("Action edited (%(lang)s): %(name)s", lang=lang, name=_label(plan, action.title, lang, "")))


def _library_text(entry: LibraryAction, field: str, lang: str) -> str:
    return library.text(entry, field, lang) or ""


def _next_position(plan: Plan) -> int:
    return max((a.position for a in plan.actions), default=-1) + 1


def add_action(
    plan: Plan, pillar: str, lang: str, user, title: str = "", entry: LibraryAction | None = None
) -> PlanAction:
    """Add an action at the end of its pillar: blank (with ``title``) or copied from a library ``entry``.

    A library entry's texts are copied in every language of the plan.
    """
    check_editable(plan)
    if entry is None:
        if pillar not in {p.value for p in Pillar}:
            raise EditError(_l("Choose one of the pillars."), "pillar")
        if not (title or "").strip():
            raise EditError(_l("Give the action a title."), "title")
        action = PlanAction(
            plan_id=plan.id, pillar=Pillar(pillar), position=_next_position(plan), title={lang: title.strip()}
        )
    else:
        action = PlanAction(
            plan_id=plan.id,
            pillar=entry.pillar,
            position=_next_position(plan),
            library_code=entry.code,
            rights=list(entry.rights or []),
            sectors=list(entry.sectors or []),
            ungp_principles=list(entry.ungp_principles or []),
            sdg_targets=list(entry.sdg_targets or []),
            gender_marker=entry.gender_marker or 0,
            indicator_unit=entry.indicator_unit or "",
        )
        for source, target in _LIBRARY_TEXTS.items():
            texts = {}
            for code in plan.languages or [plan.language]:
                value = _library_text(entry, source, code)
                if value:
                    texts[code] = value
            setattr(action, target, texts)
    db.session.add(action)
    db.session.flush()
    _save(plan, user, _l("Action added: %(name)s", name=_label(plan, action.title, lang, "")))
    return action


def drop_action(plan: Plan, action: PlanAction, lang: str, reason: str, user) -> None:
    """Leave an action out of the plan with the reason (required; shown on "you said, we did")."""
    check_editable(plan)
    if not (reason or "").strip():
        raise EditError(_l("Say why the action is left out: the reason is published with the plan."), "reason")
    action.is_dropped = True
    action.drop_reason = _set_text(action.drop_reason, lang, reason)
    _save(plan, user, _l("Action left out: %(name)s", name=_label(plan, action.title, lang, "")))


def restore_action(plan: Plan, action: PlanAction, lang: str, user) -> None:
    """Take a left-out action back into the plan."""
    check_editable(plan)
    action.is_dropped = False
    action.drop_reason = {}
    _save(plan, user, _l("Action taken back: %(name)s", name=_label(plan, action.title, lang, "")))


def move_action(plan: Plan, action: PlanAction, direction: str, lang: str, user) -> bool:
    """Move an action one place up or down among the actions of its pillar; False when already at the end."""
    check_editable(plan)
    ordered = sorted(plan.actions, key=lambda a: (a.position, a.id))
    for position, each in enumerate(ordered):
        each.position = position
    same = [a for a in ordered if a.pillar == action.pillar]
    index = same.index(action)
    other_index = index - 1 if direction == "up" else index + 1
    if direction not in ("up", "down") or not 0 <= other_index < len(same):
        return False
    other = same[other_index]
    action.position, other.position = other.position, action.position
    _save(plan, user, _l("Action moved: %(name)s", name=_label(plan, action.title, lang, "")))
    return True


def move_priority(plan: Plan, priority: PlanPriority, direction: str, lang: str, user) -> bool:
    """Move a priority one place up or down; False when already at the end."""
    check_editable(plan)
    ordered = sorted(plan.priorities, key=lambda p: (p.position, p.id))
    for position, each in enumerate(ordered):
        each.position = position
    index = ordered.index(priority)
    other_index = index - 1 if direction == "up" else index + 1
    if direction not in ("up", "down") or not 0 <= other_index < len(ordered):
        return False
    other = ordered[other_index]
    priority.position, other.position = other.position, priority.position
    _save(plan, user, _l("Priority moved: %(name)s", name=_label(plan, priority.title, lang, priority.right)))
    return True


def citable_evidence(plan: Plan) -> list[EvidenceLink]:
    """The evidence links of the plan's priorities: what an action may cite."""
    return [link for priority in plan.priorities for link in priority.evidence]


def add_evidence(plan: Plan, action: PlanAction, source: EvidenceLink, lang: str, user) -> EvidenceLink:
    """Let ``action`` cite ``source`` (an evidence link of one of the plan's priorities), copied."""
    check_editable(plan)
    if source.plan_id != plan.id or source.priority_id is None:
        raise EditError(_l("Choose evidence cited by one of the plan's priorities."), "evidence")
    if any(link.kind == source.kind and link.ref == source.ref for link in action.evidence):
        raise EditError(_l("The action already cites this evidence."), "evidence")
    link = EvidenceLink(
        plan_id=plan.id,
        action_id=action.id,
        position=len(action.evidence),
        kind=source.kind,
        ref=dict(source.ref or {}),
        sentence=dict(source.sentence or {}),
        n=source.n,
        is_suppressed=source.is_suppressed,
        is_gone=source.is_gone,
        computed_at=source.computed_at,
    )
    db.session.add(link)
    db.session.flush()
    _save(plan, user, _l("Evidence cited by the action: %(name)s", name=_label(plan, action.title, lang, "")))
    return link


def remove_evidence(plan: Plan, action: PlanAction, link: EvidenceLink, lang: str, user) -> None:
    """Stop ``action`` citing ``link``."""
    check_editable(plan)
    if link.action_id != action.id:
        raise EditError(_l("This evidence is not cited by the action."), "evidence")
    db.session.delete(link)
    db.session.flush()
    _save(plan, user, _l("Evidence no longer cited by the action: %(name)s", name=_label(plan, action.title, lang, "")))


__all__ = [
    "EditError",
    "can_edit",
    "check_editable",
    "edit_section",
    "edit_priority",
    "drop_priority",
    "restore_priority",
    "update_action",
    "add_action",
    "drop_action",
    "restore_action",
    "move_action",
    "move_priority",
    "citable_evidence",
    "add_evidence",
    "remove_evidence",
    "ACTION_TEXTS",
    "ACTION_VALUES",
]
