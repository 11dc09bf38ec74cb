"""Tables owned by the plans room: a consultation's action plan, its versions, evidence, comments and monitoring.

Texts a person reads are stored per language (``{"es": ..., "en": ...}``), so
one plan carries the consultation's main language and any other it was drafted
in on demand; a missing language falls back to the plan's main language.

A plan belongs to one consultation (one plan per consultation). Its status
drives the consultation's lifecycle state (``plans.lifecycle``): a consultation
says "plan in comment" only while a plan is actually published for comment.
"""

from __future__ import annotations

import enum
from datetime import date, datetime

from sqlalchemy import JSON, Boolean, Date, DateTime, ForeignKey, Integer, String, Text, UniqueConstraint
from sqlalchemy.orm import Mapped, mapped_column, relationship

from consult.accounts.models import Organisation, Territory, User
from consult.core.db import str_enum, utcnow, utctoday
from consult.extensions import db
from consult.responses.models import Consultation


class PlanStatus(str, enum.Enum):
    """Where a plan stands: drafted by officials, out for public comment, adopted, being monitored."""

    DRAFT = "draft"
    COMMENT = "comment"
    FINAL = "final"
    MONITORING = "monitoring"


class Pillar(str, enum.Enum):
    """The three pillars of the UN Guiding Principles."""

    PROTECT = "protect"
    RESPECT = "respect"
    REMEDY = "remedy"


class ActionStatus(str, enum.Enum):
    """How far an adopted action has come."""

    PLANNED = "planned"
    IN_PROGRESS = "in_progress"
    DELAYED = "delayed"
    DONE = "done"
    CANCELLED = "cancelled"


class CommentStatus(str, enum.Enum):
    """Comments and company statements are moderated before anyone else sees them."""

    PENDING = "pending"
    APPROVED = "approved"
    REJECTED = "rejected"


class AuthorKind(str, enum.Enum):
    """Who wrote a comment: an anonymous person (with a receipt code), a CSO or a company account."""

    ANONYMOUS = "anonymous"
    CSO = "cso"
    COMPANY = "company"


#: The sections of a plan, in order (DESIGN.md, "Action plan").
SECTION_KEYS = ("mandate", "baseline", "methodology", "priorities", "actions", "governance", "annex")


class LibraryAction(db.Model):
    """An action of the library shared across the network (shipped with consult or added by a network admin).

    ``texts`` holds ``{lang: {"title", "description", "indicator", "lead_entity", "partners"}}``.
    """

    __tablename__ = "plan_library_actions"

    id: Mapped[int] = mapped_column(primary_key=True)
    #: Stable identifier, ``[a-z0-9_]+``; the shipped ones keep theirs across upgrades.
    code: Mapped[str] = mapped_column(String(64), unique=True)
    pillar: Mapped[Pillar] = mapped_column(str_enum(Pillar, "library_pillar"))
    rights: Mapped[list[str]] = mapped_column(JSON, default=list)
    #: Remedy barriers (DESIGN.md codes) this action answers, e.g. ``language``.
    barriers: Mapped[list[str]] = mapped_column(JSON, default=list)
    sectors: Mapped[list[str]] = mapped_column(JSON, default=list)
    ungp_principles: Mapped[list[str]] = mapped_column(JSON, default=list)
    sdg_targets: Mapped[list[str]] = mapped_column(JSON, default=list)
    gender_marker: Mapped[int] = mapped_column(Integer, default=0)
    indicator_unit: Mapped[str] = mapped_column(String(40), default="")
    texts: Mapped[dict] = mapped_column(JSON, default=dict)
    is_shipped: Mapped[bool] = mapped_column(Boolean, default=False)
    is_active: Mapped[bool] = mapped_column(Boolean, default=True)
    created_by_id: Mapped[int | None] = mapped_column(ForeignKey("users.id", ondelete="SET NULL"))
    created_at: Mapped[datetime] = mapped_column(DateTime, default=utcnow)


class Plan(db.Model):
    """The action plan drawn from one consultation."""

    __tablename__ = "plans"

    id: Mapped[int] = mapped_column(primary_key=True)
    consultation_id: Mapped[int] = mapped_column(ForeignKey("consultations.id", ondelete="CASCADE"), unique=True)
    territory_id: Mapped[int] = mapped_column(ForeignKey("territories.id", ondelete="CASCADE"), index=True)
    status: Mapped[PlanStatus] = mapped_column(str_enum(PlanStatus, "plan_status"), default=PlanStatus.DRAFT)
    #: The language the plan was first drafted in (the consultation's main language).
    language: Mapped[str] = mapped_column(String(8))
    #: Every language the plan has been drafted in; the first is ``language``.
    languages: Mapped[list[str]] = mapped_column(JSON, default=list)
    title: Mapped[dict] = mapped_column(JSON, default=dict)
    comment_opens_on: Mapped[date | None] = mapped_column(Date)
    comment_closes_on: Mapped[date | None] = mapped_column(Date)
    adopted_on: Mapped[date | None] = mapped_column(Date)
    #: The number of the latest saved version (0 before the first save).
    version: Mapped[int] = mapped_column(Integer, default=0)
    generated_at: Mapped[datetime] = mapped_column(DateTime, default=utcnow)
    created_by_id: Mapped[int | None] = mapped_column(ForeignKey("users.id", ondelete="SET NULL"))
    created_at: Mapped[datetime] = mapped_column(DateTime, default=utcnow)
    updated_at: Mapped[datetime] = mapped_column(DateTime, default=utcnow, onupdate=utcnow)

    consultation: Mapped[Consultation] = relationship()
    territory: Mapped[Territory] = relationship()
    sections: Mapped[list[PlanSection]] = relationship(
        back_populates="plan", cascade="all, delete-orphan", order_by="PlanSection.position"
    )
    priorities: Mapped[list[PlanPriority]] = relationship(
        back_populates="plan", cascade="all, delete-orphan", order_by="PlanPriority.position"
    )
    actions: Mapped[list[PlanAction]] = relationship(
        back_populates="plan", cascade="all, delete-orphan", order_by="PlanAction.position"
    )

    def text(self, field: dict, lang: str) -> str:
        """``field`` (a ``{lang: text}`` dict) in ``lang``, falling back to the plan's main language."""
        return (field or {}).get(lang) or (field or {}).get(self.language) or ""


class PlanSection(db.Model):
    """One section of the plan's text (Markdown, sanitised when shown)."""

    __tablename__ = "plan_sections"
    __table_args__ = (UniqueConstraint("plan_id", "key"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    plan_id: Mapped[int] = mapped_column(ForeignKey("plans.id", ondelete="CASCADE"), index=True)
    key: Mapped[str] = mapped_column(String(32))
    position: Mapped[int] = mapped_column(Integer, default=0)
    title: Mapped[dict] = mapped_column(JSON, default=dict)
    body: Mapped[dict] = mapped_column(JSON, default=dict)

    plan: Mapped[Plan] = relationship(back_populates="sections")


class PlanPriority(db.Model):
    """A prioritised issue (a salient risk: right × sector × place) with its justification."""

    __tablename__ = "plan_priorities"

    id: Mapped[int] = mapped_column(primary_key=True)
    plan_id: Mapped[int] = mapped_column(ForeignKey("plans.id", ondelete="CASCADE"), index=True)
    position: Mapped[int] = mapped_column(Integer, default=0)
    right: Mapped[str] = mapped_column(String(64))
    sector: Mapped[str | None] = mapped_column(String(64))
    place: Mapped[str | None] = mapped_column(String(64))
    title: Mapped[dict] = mapped_column(JSON, default=dict)
    justification: Mapped[dict] = mapped_column(JSON, default=dict)
    #: Not taken up into the plan, with the reason shown on "you said, we did".
    is_dropped: Mapped[bool] = mapped_column(Boolean, default=False)
    drop_reason: Mapped[dict] = mapped_column(JSON, default=dict)

    plan: Mapped[Plan] = relationship(back_populates="priorities")
    evidence: Mapped[list[EvidenceLink]] = relationship(
        back_populates="priority", cascade="all, delete-orphan", order_by="EvidenceLink.position"
    )


class PlanAction(db.Model):
    """An action of the plan, with the fields of DESIGN.md."""

    __tablename__ = "plan_actions"

    id: Mapped[int] = mapped_column(primary_key=True)
    plan_id: Mapped[int] = mapped_column(ForeignKey("plans.id", ondelete="CASCADE"), index=True)
    library_code: Mapped[str | None] = mapped_column(String(64))
    position: Mapped[int] = mapped_column(Integer, default=0)
    pillar: Mapped[Pillar] = mapped_column(str_enum(Pillar, "action_pillar"))
    title: Mapped[dict] = mapped_column(JSON, default=dict)
    description: Mapped[dict] = mapped_column(JSON, default=dict)
    ungp_principles: Mapped[list[str]] = mapped_column(JSON, default=list)
    #: Ids of the plan's priorities this action answers.
    priority_ids: Mapped[list[int]] = mapped_column(JSON, default=list)
    rights: Mapped[list[str]] = mapped_column(JSON, default=list)
    sectors: Mapped[list[str]] = mapped_column(JSON, default=list)
    places: Mapped[list[str]] = mapped_column(JSON, default=list)
    target_groups: Mapped[list[str]] = mapped_column(JSON, default=list)
    lead_entity: Mapped[dict] = mapped_column(JSON, default=dict)
    partners: Mapped[dict] = mapped_column(JSON, default=dict)
    indicator_name: Mapped[dict] = mapped_column(JSON, default=dict)
    indicator_unit: Mapped[str] = mapped_column(String(40), default="")
    indicator_baseline: Mapped[float | None] = mapped_column()
    indicator_target: Mapped[float | None] = mapped_column()
    indicator_source: Mapped[dict] = mapped_column(JSON, default=dict)
    #: The latest value recorded in monitoring (also kept in each ``MonitoringUpdate``).
    indicator_current: Mapped[float | None] = mapped_column()
    starts_on: Mapped[date | None] = mapped_column(Date)
    ends_on: Mapped[date | None] = mapped_column(Date)
    budget: Mapped[float | None] = mapped_column()
    budget_currency: Mapped[str] = mapped_column(String(3), default="")
    sdg_targets: Mapped[list[str]] = mapped_column(JSON, default=list)
    #: OECD DAC gender equality marker: 0 not targeted, 1 significant, 2 principal.
    gender_marker: Mapped[int] = mapped_column(Integer, default=0)
    status: Mapped[ActionStatus] = mapped_column(str_enum(ActionStatus, "action_status"), default=ActionStatus.PLANNED)
    #: A proposed action officials dropped, with the reason shown on "you said, we did".
    is_dropped: Mapped[bool] = mapped_column(Boolean, default=False)
    drop_reason: Mapped[dict] = mapped_column(JSON, default=dict)

    plan: Mapped[Plan] = relationship(back_populates="actions")
    evidence: Mapped[list[EvidenceLink]] = relationship(
        back_populates="action", cascade="all, delete-orphan", order_by="EvidenceLink.position"
    )
    updates: Mapped[list[MonitoringUpdate]] = relationship(
        back_populates="action", cascade="all, delete-orphan", order_by="MonitoringUpdate.id"
    )


class EvidenceLink(db.Model):
    """A live reference to an analysis fact, attached to a priority or an action.

    ``kind`` and ``ref`` say which fact (see ``plans.evidence``); ``sentence``
    caches its rendering per language with n and suppression applied, and is
    recomputed whenever the draft is regenerated (``computed_at``).
    """

    __tablename__ = "plan_evidence"

    id: Mapped[int] = mapped_column(primary_key=True)
    plan_id: Mapped[int] = mapped_column(ForeignKey("plans.id", ondelete="CASCADE"), index=True)
    priority_id: Mapped[int | None] = mapped_column(ForeignKey("plan_priorities.id", ondelete="CASCADE"), index=True)
    action_id: Mapped[int | None] = mapped_column(ForeignKey("plan_actions.id", ondelete="CASCADE"), index=True)
    position: Mapped[int] = mapped_column(Integer, default=0)
    #: ``question``, ``salience``, ``divergence``, ``remedy``, ``excerpt`` or ``theme``.
    kind: Mapped[str] = mapped_column(String(20))
    ref: Mapped[dict] = mapped_column(JSON, default=dict)
    sentence: Mapped[dict] = mapped_column(JSON, default=dict)
    #: The base n of the fact (None when suppressed or not applicable).
    n: Mapped[int | None] = mapped_column(Integer)
    is_suppressed: Mapped[bool] = mapped_column(Boolean, default=False)
    #: The fact no longer exists (a withdrawn testimony, a deleted theme): shown as such, never silently.
    is_gone: Mapped[bool] = mapped_column(Boolean, default=False)
    computed_at: Mapped[datetime] = mapped_column(DateTime, default=utcnow)

    plan: Mapped[Plan] = relationship()
    priority: Mapped[PlanPriority | None] = relationship(back_populates="evidence")
    action: Mapped[PlanAction | None] = relationship(back_populates="evidence")


class PlanVersion(db.Model):
    """A saved state of the whole plan (every save is one), compared side by side."""

    __tablename__ = "plan_versions"
    __table_args__ = (UniqueConstraint("plan_id", "number"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    plan_id: Mapped[int] = mapped_column(ForeignKey("plans.id", ondelete="CASCADE"), index=True)
    number: Mapped[int] = mapped_column(Integer)
    #: What changed, in the words of who saved (or the generated description of the operation).
    note: Mapped[str] = mapped_column(String(300), default="")
    snapshot: Mapped[dict] = mapped_column(JSON, default=dict)
    created_by_id: Mapped[int | None] = mapped_column(ForeignKey("users.id", ondelete="SET NULL"))
    created_at: Mapped[datetime] = mapped_column(DateTime, default=utcnow)

    created_by: Mapped[User | None] = relationship()


class PlanComment(db.Model):
    """A public comment on a section or an action of a plan in comment; moderated before it is shown."""

    __tablename__ = "plan_comments"

    id: Mapped[int] = mapped_column(primary_key=True)
    plan_id: Mapped[int] = mapped_column(ForeignKey("plans.id", ondelete="CASCADE"), index=True)
    section_key: Mapped[str | None] = mapped_column(String(32))
    action_id: Mapped[int | None] = mapped_column(ForeignKey("plan_actions.id", ondelete="SET NULL"), index=True)
    language: Mapped[str] = mapped_column(String(8))
    body: Mapped[str] = mapped_column(Text)
    author_kind: Mapped[AuthorKind] = mapped_column(str_enum(AuthorKind, "comment_author_kind"))
    #: Organisation accounts comment under their organisation's name; anonymous comments have none.
    organisation_id: Mapped[int | None] = mapped_column(ForeignKey("organisations.id", ondelete="SET NULL"))
    user_id: Mapped[int | None] = mapped_column(ForeignKey("users.id", ondelete="SET NULL"))
    #: Hash of the receipt code an anonymous commenter keeps to read the answer later.
    receipt_code_hash: Mapped[str | None] = mapped_column(String(64), unique=True)
    status: Mapped[CommentStatus] = mapped_column(
        str_enum(CommentStatus, "comment_status"), default=CommentStatus.PENDING
    )
    moderation_reason: Mapped[str] = mapped_column(String(300), default="")
    moderated_by_id: Mapped[int | None] = mapped_column(ForeignKey("users.id", ondelete="SET NULL"))
    answer: Mapped[str] = mapped_column(Text, default="")
    answered_by_id: Mapped[int | None] = mapped_column(ForeignKey("users.id", ondelete="SET NULL"))
    answered_on: Mapped[date | None] = mapped_column(Date)
    #: The date only: no time of day.
    submitted_on: Mapped[date] = mapped_column(Date, default=utctoday)

    plan: Mapped[Plan] = relationship()
    organisation: Mapped[Organisation | None] = relationship()


class CompanyStatement(db.Model):
    """A company's public statement in reply to evidence naming its sector; shown beside it, never replacing it."""

    __tablename__ = "plan_company_statements"

    id: Mapped[int] = mapped_column(primary_key=True)
    plan_id: Mapped[int] = mapped_column(ForeignKey("plans.id", ondelete="CASCADE"), index=True)
    evidence_id: Mapped[int | None] = mapped_column(ForeignKey("plan_evidence.id", ondelete="SET NULL"), index=True)
    priority_id: Mapped[int | None] = mapped_column(ForeignKey("plan_priorities.id", ondelete="SET NULL"), index=True)
    organisation_id: Mapped[int] = mapped_column(ForeignKey("organisations.id", ondelete="CASCADE"), index=True)
    user_id: Mapped[int | None] = mapped_column(ForeignKey("users.id", ondelete="SET NULL"))
    language: Mapped[str] = mapped_column(String(8))
    body: Mapped[str] = mapped_column(Text)
    status: Mapped[CommentStatus] = mapped_column(
        str_enum(CommentStatus, "statement_status"), default=CommentStatus.PENDING
    )
    moderation_reason: Mapped[str] = mapped_column(String(300), default="")
    submitted_on: Mapped[date] = mapped_column(Date, default=utctoday)

    plan: Mapped[Plan] = relationship()
    organisation: Mapped[Organisation] = relationship()


class MonitoringUpdate(db.Model):
    """An official's update of an adopted action: its status and indicator value on a date, with a note."""

    __tablename__ = "plan_monitoring_updates"

    id: Mapped[int] = mapped_column(primary_key=True)
    action_id: Mapped[int] = mapped_column(ForeignKey("plan_actions.id", ondelete="CASCADE"), index=True)
    as_of: Mapped[date] = mapped_column(Date, default=utctoday)
    status: Mapped[ActionStatus] = mapped_column(str_enum(ActionStatus, "update_status"))
    indicator_value: Mapped[float | None] = mapped_column()
    note: Mapped[dict] = mapped_column(JSON, default=dict)
    recorded_by_id: Mapped[int | None] = mapped_column(ForeignKey("users.id", ondelete="SET NULL"))
    recorded_at: Mapped[datetime] = mapped_column(DateTime, default=utcnow)

    action: Mapped[PlanAction] = relationship(back_populates="updates")
