"""Public comments on a plan in comment: sent anonymously (with a receipt code) or as an organisation; moderated.

An anonymous comment gets a receipt code, shown once and stored only as its
hash (``consult.core.codes``), with which the person later reads the
moderation status and the officials' public answer. An organisation account
(a CSO, a company…) comments under its organisation's name and needs no code.
Nothing about the sender's connection (address, browser) is ever stored; the
date is kept without a time of day.
"""

from __future__ import annotations

from flask_babel import lazy_gettext as _l
from sqlalchemy import case, func, select

from consult.accounts.models import OrganisationKind
from consult.core.codes import hash_code, new_code, normalise_code
from consult.core.db import utctoday
from consult.extensions import db
from consult.plans.lifecycle import comment_is_open
from consult.plans.models import AuthorKind, CommentStatus, CompanyStatement, Plan, PlanAction, PlanComment, PlanStatus

#: The longest comment accepted, in characters.
MAX_LENGTH = 5000
#: The longest moderation reason (the column's size).
MAX_REASON = 300


class CommentError(Exception):
    """A comment (or a moderation step) that cannot be done; ``message`` is translated for the person."""

    def __init__(self, message) -> None:
        super().__init__(str(message))
        self.message = message


def author_kind_of(user) -> AuthorKind:
    """How a comment by ``user`` is signed: its organisation (company or other) or anonymous."""
    organisation = getattr(user, "organisation", None) if user is not None and user.is_authenticated else None
    if organisation is None:
        return AuthorKind.ANONYMOUS
    return AuthorKind.COMPANY if organisation.kind == OrganisationKind.COMPANY else AuthorKind.CSO


def commentable_action(plan: Plan, action_id: int | None) -> PlanAction | None:
    """The plan's action ``action_id`` if people may comment on it (not dropped), else ``None``."""
    if action_id is None:
        return None
    action = db.session.get(PlanAction, action_id)
    if action is None or action.plan_id != plan.id or action.is_dropped:
        return None
    return action


def check_body(body: str | None) -> str:
    """The comment text stripped, or ``CommentError`` when empty or too long."""
    text = (body or "").strip()
    if not text:
        raise CommentError(_l("Write your comment before sending it."))
    if len(text) > MAX_LENGTH:
        raise CommentError(_l("A comment can be at most %(max)s characters long.", max=MAX_LENGTH))
    return text


def submit(
    plan: Plan,
    *,
    body: str,
    language: str,
    section_key: str | None = None,
    action_id: int | None = None,
    user=None,
) -> tuple[PlanComment, str | None]:
    """Record a comment on a section or an action of ``plan``; returns ``(comment, receipt code or None)``.

    The comment waits for moderation. Anonymous senders (no organisation
    account) get a new receipt code, returned here only, stored hashed.
    Raises ``CommentError`` when comments are closed, the target is not part
    of the plan, the language is not one of the consultation's, or the text is
    empty or too long. The caller commits.
    """
    if not comment_is_open(plan):
        raise CommentError(_l("This plan is not open for comments."))
    if (section_key is None) == (action_id is None):
        raise CommentError(_l("Choose a section or an action of the plan to comment on."))
    if section_key is not None and section_key not in {section.key for section in plan.sections}:
        raise CommentError(_l("Choose a section or an action of the plan to comment on."))
    if action_id is not None and commentable_action(plan, action_id) is None:
        raise CommentError(_l("Choose a section or an action of the plan to comment on."))
    if language not in plan.consultation.languages:
        raise CommentError(_l("Choose one of the consultation's languages."))
    text = check_body(body)
    kind = author_kind_of(user)
    code = None
    comment = PlanComment(
        plan_id=plan.id,
        section_key=section_key,
        action_id=action_id,
        language=language,
        body=text,
        author_kind=kind,
        status=CommentStatus.PENDING,
    )
    if kind == AuthorKind.ANONYMOUS:
        code = new_code()
        comment.receipt_code_hash = hash_code(code)
    else:
        comment.organisation_id = user.organisation.id
        comment.user_id = user.id
    db.session.add(comment)
    db.session.flush()
    return comment, code


def find_by_code(code: str | None) -> PlanComment | None:
    """The anonymous comment whose receipt code is ``code`` (as typed), or ``None``."""
    if not normalise_code(code or ""):
        return None
    return db.session.scalar(select(PlanComment).where(PlanComment.receipt_code_hash == hash_code(code or "")))


def approved(plan: Plan) -> list[PlanComment]:
    """The plan's published comments, oldest first."""
    return list(
        db.session.scalars(
            select(PlanComment)
            .where(PlanComment.plan_id == plan.id, PlanComment.status == CommentStatus.APPROVED)
            .order_by(PlanComment.id)
        )
    )


def of_organisation(plan: Plan, organisation_id: int) -> list[PlanComment]:
    """Every comment the organisation sent on ``plan`` (pending and rejected too: it sees its own)."""
    return list(
        db.session.scalars(
            select(PlanComment)
            .where(PlanComment.plan_id == plan.id, PlanComment.organisation_id == organisation_id)
            .order_by(PlanComment.id)
        )
    )


def for_moderation(plan: Plan) -> list[PlanComment]:
    """Every comment on ``plan``, the ones waiting for moderation first, then oldest first."""
    waiting_first = case((PlanComment.status == CommentStatus.PENDING, 0), else_=1)
    return list(
        db.session.scalars(
            select(PlanComment).where(PlanComment.plan_id == plan.id).order_by(waiting_first, PlanComment.id)
        )
    )


def approve(comment: PlanComment, user) -> None:
    """Publish ``comment``. The caller commits."""
    comment.status = CommentStatus.APPROVED
    comment.moderation_reason = ""
    comment.moderated_by_id = user.id


def reject(comment: PlanComment, user, reason: str | None) -> None:
    """Keep ``comment`` off the public page, with a reason (required, shown to its sender). The caller commits."""
    text = (reason or "").strip()
    if not text:
        raise CommentError(_l("Give the reason for not publishing this comment."))
    if len(text) > MAX_REASON:
        raise CommentError(_l("The reason can be at most %(max)s characters long.", max=MAX_REASON))
    comment.status = CommentStatus.REJECTED
    comment.moderation_reason = text
    comment.moderated_by_id = user.id


def answer(comment: PlanComment, user, text: str | None) -> None:
    """Give the officials' public answer to a published comment (replacing an earlier one). The caller commits."""
    if comment.status != CommentStatus.APPROVED:
        raise CommentError(_l("Only a published comment can be answered."))
    body = (text or "").strip()
    if not body:
        raise CommentError(_l("Write the answer before sending it."))
    if len(body) > MAX_LENGTH:
        raise CommentError(_l("An answer can be at most %(max)s characters long.", max=MAX_LENGTH))
    comment.answer = body
    comment.answered_by_id = user.id
    comment.answered_on = utctoday()


def public_plans_of(territory_id: int) -> list[Plan]:
    """The territory's plans that are public (in comment or later), newest first."""
    return list(
        db.session.scalars(
            select(Plan)
            .where(Plan.territory_id == territory_id, Plan.status != PlanStatus.DRAFT)
            .order_by(Plan.id.desc())
        )
    )


def waiting_counts(plan_ids: list[int]) -> dict[int, int]:
    """Comments and company statements waiting for a decision, per plan (one GROUP BY each)."""
    waiting: dict[int, int] = {}
    for model in (PlanComment, CompanyStatement):
        rows = db.session.execute(
            select(model.plan_id, func.count())
            .where(model.status == CommentStatus.PENDING, model.plan_id.in_(plan_ids))
            .group_by(model.plan_id)
        )
        for plan_id, count in rows:
            waiting[plan_id] = waiting.get(plan_id, 0) + count
    return waiting
