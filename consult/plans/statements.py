"""Company statements: a company's public reply to the evidence about its sector, shown beside it, never replacing it.

Who may reply. The issue says "companies named in the evidence". Evidence
never names a company: it names business *sectors* (a priority is a right ×
sector × place). Organisation accounts carry no sector either, so we keep it
simple and fair: every company account of the consultation's territory
(``organisation.territory``) may reply to any priority that names a sector, and
to the evidence links of that priority or of the actions that answer it. The
statement is moderated in the same queue as comments, then shown beside the
evidence it replies to; the evidence sentence always stays as it is.

Companies may reply once the plan is public (in comment, adopted or being
monitored), not while it is a draft.
"""

from __future__ import annotations

from dataclasses import dataclass

from flask_babel import lazy_gettext as _l
from sqlalchemy import case, select

from consult.accounts.models import Organisation, OrganisationKind
from consult.extensions import db
from consult.plans.comments import MAX_LENGTH, MAX_REASON, CommentError
from consult.plans.models import CommentStatus, CompanyStatement, EvidenceLink, Plan, PlanPriority, PlanStatus


class StatementError(CommentError):
    """A statement that cannot be recorded or moderated; ``message`` is translated."""


@dataclass(frozen=True)
class Target:
    """Something a company may reply to: a priority, or one evidence link (``evidence`` set)."""

    priority: PlanPriority | None
    evidence: EvidenceLink | None

    @property
    def value(self) -> str:
        """The form value naming this target: ``p<id>`` or ``e<id>``."""
        return f"e{self.evidence.id}" if self.evidence is not None else f"p{self.priority.id}"


def plan_is_public(plan: Plan) -> bool:
    """True once the plan is out of draft (in comment, adopted or monitored)."""
    return plan.status != PlanStatus.DRAFT


def may_state(plan: Plan, organisation: Organisation | None) -> bool:
    """True when ``organisation`` is a company of the plan's territory and the plan is public."""
    return (
        organisation is not None
        and organisation.kind == OrganisationKind.COMPANY
        and organisation.territory_id == plan.territory_id
        and plan_is_public(plan)
    )


def _sector_priorities(plan: Plan) -> list[PlanPriority]:
    return [priority for priority in plan.priorities if priority.sector and not priority.is_dropped]


def companies_named(plan: Plan) -> set[str]:
    """The business sectors the plan's evidence points at (its kept priorities' and actions' sectors)."""
    sectors = {priority.sector for priority in _sector_priorities(plan)}
    for action in plan.actions:
        if not action.is_dropped:
            sectors.update(action.sectors or [])
    return {sector for sector in sectors if sector}


def targets(plan: Plan) -> list[Target]:
    """What a company may reply to: each priority naming a sector, its evidence, and its actions' evidence."""
    found: list[Target] = []
    for priority in _sector_priorities(plan):
        found.append(Target(priority, None))
        found.extend(Target(priority, link) for link in priority.evidence)
        for action in plan.actions:
            if not action.is_dropped and priority.id in (action.priority_ids or []):
                found.extend(Target(priority, link) for link in action.evidence)
    # An evidence link of an action answering several priorities is listed once.
    unique: dict[str, Target] = {}
    for target in found:
        unique.setdefault(target.value, target)
    return list(unique.values())


def submit(
    plan: Plan,
    organisation: Organisation,
    user,
    body: str,
    language: str,
    priority_id: int | None = None,
    evidence_id: int | None = None,
) -> CompanyStatement:
    """Record a company's statement on a priority or an evidence link; it waits for moderation.

    Raises ``StatementError`` when the organisation may not reply, the target
    is not one it may reply to, the language is not the consultation's, or the
    text is empty or too long. The caller commits.
    """
    if not may_state(plan, organisation):
        raise StatementError(_l("Only company accounts of this territory can reply to the evidence of a public plan."))
    allowed = {target.value: target for target in targets(plan)}
    wanted = f"e{evidence_id}" if evidence_id is not None else f"p{priority_id}"
    target = allowed.get(wanted)
    if target is None:
        raise StatementError(_l("Choose the priority or the evidence your statement replies to."))
    if language not in plan.consultation.languages:
        raise StatementError(_l("Choose one of the consultation's languages."))
    text = (body or "").strip()
    if not text:
        raise StatementError(_l("Write your statement before sending it."))
    if len(text) > MAX_LENGTH:
        raise StatementError(_l("A statement can be at most %(max)s characters long.", max=MAX_LENGTH))
    statement = CompanyStatement(
        plan_id=plan.id,
        priority_id=target.priority.id,
        evidence_id=target.evidence.id if target.evidence is not None else None,
        organisation_id=organisation.id,
        user_id=user.id,
        language=language,
        body=text,
        status=CommentStatus.PENDING,
    )
    db.session.add(statement)
    db.session.flush()
    return statement


def approved(plan: Plan) -> list[CompanyStatement]:
    """The plan's published statements, oldest first."""
    return list(
        db.session.scalars(
            select(CompanyStatement)
            .where(CompanyStatement.plan_id == plan.id, CompanyStatement.status == CommentStatus.APPROVED)
            .order_by(CompanyStatement.id)
        )
    )


def beside(plan: Plan) -> dict[str, list[CompanyStatement]]:
    """Published statements keyed by where they are shown: ``e<evidence id>`` or ``p<priority id>``."""
    shown: dict[str, list[CompanyStatement]] = {}
    for statement in approved(plan):
        key = f"e{statement.evidence_id}" if statement.evidence_id else f"p{statement.priority_id}"
        shown.setdefault(key, []).append(statement)
    return shown


def of_organisation(plan: Plan, organisation_id: int) -> list[CompanyStatement]:
    """Every statement the organisation sent on ``plan`` (it sees its own, pending ones too)."""
    return list(
        db.session.scalars(
            select(CompanyStatement)
            .where(CompanyStatement.plan_id == plan.id, CompanyStatement.organisation_id == organisation_id)
            .order_by(CompanyStatement.id)
        )
    )


def for_moderation(plan: Plan) -> list[CompanyStatement]:
    """Every statement on ``plan``, waiting ones first."""
    waiting_first = case((CompanyStatement.status == CommentStatus.PENDING, 0), else_=1)
    return list(
        db.session.scalars(
            select(CompanyStatement)
            .where(CompanyStatement.plan_id == plan.id)
            .order_by(waiting_first, CompanyStatement.id)
        )
    )


def approve(statement: CompanyStatement, user) -> None:
    """Publish ``statement`` beside the evidence. The caller commits."""
    statement.status = CommentStatus.APPROVED
    statement.moderation_reason = ""


def reject(statement: CompanyStatement, user, reason: str | None) -> None:
    """Keep ``statement`` off the public page, with a required reason. The caller commits."""
    text = (reason or "").strip()
    if not text:
        raise StatementError(_l("Give the reason for not publishing this statement."))
    if len(text) > MAX_REASON:
        raise StatementError(_l("The reason can be at most %(max)s characters long.", max=MAX_REASON))
    statement.status = CommentStatus.REJECTED
    statement.moderation_reason = text
