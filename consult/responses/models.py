"""Consultations, their groups and targets, invitation links, drafts, responses and answer rows.

Privacy by construction: no table here has a column for an IP address, a user
agent or a time of day of a response. A response keeps the *date* it was sent;
codes people hold (receipt, resume, invitation token) are kept only as hashes.
"""

from __future__ import annotations

import enum
from datetime import date, datetime

from flask_babel import lazy_gettext as _l
from sqlalchemy import (
    JSON,
    Boolean,
    Date,
    DateTime,
    Float,
    ForeignKey,
    Index,
    Integer,
    String,
    Text,
    UniqueConstraint,
)
from sqlalchemy.orm import Mapped, mapped_column, relationship

from consult.accounts.models import Locality, Organisation, Territory
from consult.core.db import str_enum, utcnow, utctoday
from consult.extensions import db


class ConsultationState(str, enum.Enum):
    """The lifecycle of DESIGN.md: draft → open → closed → analysed → plan in comment → plan final → monitoring."""

    DRAFT = "draft"
    OPEN = "open"
    CLOSED = "closed"
    ANALYSED = "analysed"
    PLAN_COMMENT = "plan_comment"
    PLAN_FINAL = "plan_final"
    MONITORING = "monitoring"

    @property
    def label(self):
        """The translated name of the state."""
        return STATE_LABELS[self]


STATE_LABELS = {
    ConsultationState.DRAFT: _l("Draft"),
    ConsultationState.OPEN: _l("Open for answers"),
    ConsultationState.CLOSED: _l("Closed"),
    ConsultationState.ANALYSED: _l("Analysed"),
    ConsultationState.PLAN_COMMENT: _l("Draft plan open for comment"),
    ConsultationState.PLAN_FINAL: _l("Plan final"),
    ConsultationState.MONITORING: _l("Monitoring"),
}


class EntryMode(str, enum.Enum):
    """How a response reached consult."""

    ONLINE = "online"
    ASSISTED = "assisted"
    PAPER = "paper"
    #: Answered in the offline app on a phone and sent when the connection returned (``offline.py``).
    OFFLINE = "offline"

    @property
    def label(self):
        """The translated name of the mode."""
        return ENTRY_MODE_LABELS[self]


ENTRY_MODE_LABELS = {
    EntryMode.ONLINE: _l("Online"),
    EntryMode.ASSISTED: _l("Assisted by a facilitator"),
    EntryMode.PAPER: _l("Paper form"),
    EntryMode.OFFLINE: _l("Answered offline on a device"),
}


class Consultation(db.Model):
    """A territory's consultation: who is asked what, in which languages, until when."""

    __tablename__ = "consultations"

    id: Mapped[int] = mapped_column(primary_key=True)
    territory_id: Mapped[int] = mapped_column(ForeignKey("territories.id", ondelete="CASCADE"), index=True)
    slug: Mapped[str] = mapped_column(String(64), unique=True)
    #: {language: text}
    title: Mapped[dict[str, str]] = mapped_column(JSON, default=dict)
    purpose: Mapped[dict[str, str]] = mapped_column(JSON, default=dict)
    #: Who runs it, as the public should read it (e.g. "Gobernación de Antioquia, Secretaría de Gobierno").
    organiser: Mapped[str] = mapped_column(String(200), default="")
    languages: Mapped[list[str]] = mapped_column(JSON, default=lambda: ["es"])
    fallback_language: Mapped[str] = mapped_column(String(8), default="es")
    state: Mapped[ConsultationState] = mapped_column(
        str_enum(ConsultationState, "consultation_state"), default=ConsultationState.DRAFT
    )
    opens_on: Mapped[date | None] = mapped_column(Date)
    closes_on: Mapped[date | None] = mapped_column(Date)
    small_cell_threshold: Mapped[int] = mapped_column(Integer, default=5)
    created_at: Mapped[datetime] = mapped_column(DateTime, default=utcnow)
    updated_at: Mapped[datetime] = mapped_column(DateTime, default=utcnow, onupdate=utcnow)

    territory: Mapped[Territory] = relationship()
    groups: Mapped[list[ConsultationGroup]] = relationship(
        back_populates="consultation", cascade="all, delete-orphan", order_by="ConsultationGroup.id"
    )
    locality_targets: Mapped[list[LocalityTarget]] = relationship(
        back_populates="consultation", cascade="all, delete-orphan", order_by="LocalityTarget.id"
    )
    invitations: Mapped[list[Invitation]] = relationship(
        back_populates="consultation", cascade="all, delete-orphan", order_by="Invitation.id"
    )

    @property
    def is_accepting(self) -> bool:
        """True while answers are accepted: the consultation is open and today is within its dates."""
        if self.state != ConsultationState.OPEN:
            return False
        today = utctoday()
        if self.opens_on and today < self.opens_on:
            return False
        if self.closes_on and today > self.closes_on:
            return False
        return True

    def text_and_language(self, value: dict[str, str] | None, lang: str) -> tuple[str, str]:
        """``value`` (a {language: text} object) in ``lang``, else the fallback, else any; with its language."""
        value = value or {}
        for code in (lang, self.fallback_language, *value):
            if value.get(code):
                return value[code], code
        return "", lang

    def text(self, value: dict[str, str] | None, lang: str) -> str:
        """``value`` (a {language: text} object) in ``lang``, else in the fallback language, else any."""
        return self.text_and_language(value, lang)[0]

    def title_in(self, lang: str) -> str:
        """The title in ``lang`` (or the fallback)."""
        return self.text(self.title, lang)

    def purpose_in(self, lang: str) -> str:
        """The purpose in ``lang`` (or the fallback)."""
        return self.text(self.purpose, lang)

    def group(self, code: str | None) -> ConsultationGroup | None:
        """The consultation's group with ``code``, if it takes part."""
        return next((g for g in self.groups if g.group_code == code), None)

    def __repr__(self) -> str:
        return f"<Consultation {self.slug}>"


class ConsultationGroup(db.Model):
    """A stakeholder group taking part: which instrument version it answers and how many people are hoped for."""

    __tablename__ = "consultation_groups"
    __table_args__ = (UniqueConstraint("consultation_id", "group_code"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    consultation_id: Mapped[int] = mapped_column(ForeignKey("consultations.id", ondelete="CASCADE"), index=True)
    #: A stakeholder group code of DESIGN.md (``indigenous_people``, ``company_large``…).
    group_code: Mapped[str] = mapped_column(String(40))
    instrument_version_id: Mapped[int] = mapped_column(ForeignKey("instrument_versions.id"), index=True)
    target: Mapped[int | None] = mapped_column(Integer)
    #: Only through an invitation link: the open public link does not offer this group
    #: (companies are invited one by one, so they cannot swamp the results).
    is_invitation_only: Mapped[bool] = mapped_column(Boolean, default=False)

    consultation: Mapped[Consultation] = relationship(back_populates="groups")


class LocalityTarget(db.Model):
    """A target number of participants of one group in one locality (optional, finer than per group)."""

    __tablename__ = "locality_targets"
    __table_args__ = (UniqueConstraint("consultation_id", "group_code", "locality_id"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    consultation_id: Mapped[int] = mapped_column(ForeignKey("consultations.id", ondelete="CASCADE"), index=True)
    group_code: Mapped[str] = mapped_column(String(40))
    locality_id: Mapped[int] = mapped_column(ForeignKey("localities.id", ondelete="CASCADE"), index=True)
    target: Mapped[int] = mapped_column(Integer)

    consultation: Mapped[Consultation] = relationship(back_populates="locality_targets")
    locality: Mapped[Locality] = relationship()


class Invitation(db.Model):
    """A link that lets people of one group (optionally of one organisation) answer.

    The token is shown once when the link is made and kept only as a hash; a use
    is a response sent through it.
    """

    __tablename__ = "invitations"

    id: Mapped[int] = mapped_column(primary_key=True)
    consultation_id: Mapped[int] = mapped_column(ForeignKey("consultations.id", ondelete="CASCADE"), index=True)
    group_code: Mapped[str] = mapped_column(String(40))
    organisation_id: Mapped[int | None] = mapped_column(ForeignKey("organisations.id", ondelete="SET NULL"), index=True)
    #: What officials call it, e.g. "Assembly in Segovia, 12 March".
    label: Mapped[str] = mapped_column(String(200), default="")
    token_hash: Mapped[str] = mapped_column(String(64), unique=True)
    expires_on: Mapped[date | None] = mapped_column(Date)
    max_uses: Mapped[int | None] = mapped_column(Integer)
    use_count: Mapped[int] = mapped_column(Integer, default=0)
    is_revoked: Mapped[bool] = mapped_column(Boolean, default=False)
    created_at: Mapped[datetime] = mapped_column(DateTime, default=utcnow)
    issued_at: Mapped[datetime] = mapped_column(DateTime, default=utcnow)

    consultation: Mapped[Consultation] = relationship(back_populates="invitations")
    organisation: Mapped[Organisation | None] = relationship()

    @property
    def is_expired(self) -> bool:
        """True after the expiry date (the link works through that day)."""
        return self.expires_on is not None and utctoday() > self.expires_on

    @property
    def is_used_up(self) -> bool:
        """True when every allowed use has been made."""
        return self.max_uses is not None and self.use_count >= self.max_uses


class ResponseDraft(db.Model):
    """Answers in progress, kept server-side until sent or expired.

    Found by its resume code (hashed), which the person's browser holds in its
    signed session cookie and the person may write down.
    """

    __tablename__ = "response_drafts"

    id: Mapped[int] = mapped_column(primary_key=True)
    consultation_id: Mapped[int] = mapped_column(ForeignKey("consultations.id", ondelete="CASCADE"), index=True)
    invitation_id: Mapped[int | None] = mapped_column(ForeignKey("invitations.id", ondelete="SET NULL"), index=True)
    organisation_id: Mapped[int | None] = mapped_column(ForeignKey("organisations.id", ondelete="SET NULL"))
    group_code: Mapped[str | None] = mapped_column(String(40))
    instrument_version_id: Mapped[int | None] = mapped_column(ForeignKey("instrument_versions.id"))
    resume_code_hash: Mapped[str] = mapped_column(String(64), unique=True)
    #: Random, sent back with the final "send": it makes sending idempotent.
    submission_token: Mapped[str] = mapped_column(String(64))
    language: Mapped[str] = mapped_column(String(8))
    entry_mode: Mapped[EntryMode] = mapped_column(str_enum(EntryMode, "draft_entry_mode"), default=EntryMode.ONLINE)
    is_collective: Mapped[bool] = mapped_column(Boolean, default=False)
    mandate_reference: Mapped[str | None] = mapped_column(String(300))
    people_represented: Mapped[int | None] = mapped_column(Integer)
    answers: Mapped[dict] = mapped_column(JSON, default=dict)
    #: The page the person was last sent to, where resuming starts.
    page_key: Mapped[str | None] = mapped_column(String(64))
    created_on: Mapped[date] = mapped_column(Date, default=utctoday)
    expires_at: Mapped[datetime] = mapped_column(DateTime, index=True)

    consultation: Mapped[Consultation] = relationship()
    invitation: Mapped[Invitation | None] = relationship()


class Response(db.Model):
    """One person's (or one collective's) sent answers to a consultation."""

    __tablename__ = "responses"
    __table_args__ = (Index("ix_responses_consultation_group", "consultation_id", "group_code"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    consultation_id: Mapped[int] = mapped_column(ForeignKey("consultations.id", ondelete="CASCADE"), index=True)
    instrument_version_id: Mapped[int] = mapped_column(ForeignKey("instrument_versions.id"), index=True)
    group_code: Mapped[str] = mapped_column(String(40))
    locality_id: Mapped[int | None] = mapped_column(ForeignKey("localities.id", ondelete="SET NULL"), index=True)
    language: Mapped[str] = mapped_column(String(8))
    entry_mode: Mapped[EntryMode] = mapped_column(str_enum(EntryMode, "entry_mode"), default=EntryMode.ONLINE)
    invitation_id: Mapped[int | None] = mapped_column(ForeignKey("invitations.id", ondelete="SET NULL"), index=True)
    organisation_id: Mapped[int | None] = mapped_column(ForeignKey("organisations.id", ondelete="SET NULL"), index=True)
    is_collective: Mapped[bool] = mapped_column(Boolean, default=False)
    mandate_reference: Mapped[str | None] = mapped_column(String(300))
    people_represented: Mapped[int | None] = mapped_column(Integer)
    #: The date only: no time of day, which could tie a response to a person in a meeting.
    submitted_on: Mapped[date] = mapped_column(Date, default=utctoday)
    #: Hash of the draft's submission token: a second "send" of the same draft finds this row.
    submission_key: Mapped[str] = mapped_column(String(64), unique=True)
    receipt_code_hash: Mapped[str] = mapped_column(String(64), unique=True)
    #: Set aside from analysis by an official after a capture signal (see capture.py); never deleted.
    is_set_aside: Mapped[bool] = mapped_column(Boolean, default=False)
    #: The questions this person was asked (on their path and shown): the base of every share.
    asked_set_id: Mapped[int | None] = mapped_column(ForeignKey("asked_sets.id", ondelete="SET NULL"), index=True)

    consultation: Mapped[Consultation] = relationship()
    locality: Mapped[Locality | None] = relationship()
    invitation: Mapped[Invitation | None] = relationship()
    organisation: Mapped[Organisation | None] = relationship()
    answers: Mapped[list[Answer]] = relationship(
        back_populates="response", cascade="all, delete-orphan", passive_deletes=True, order_by="Answer.id"
    )


class Answer(db.Model):
    """One atomic value of a response (docs/instrument-format.md, "Answer rows"): counting is a GROUP BY."""

    __tablename__ = "answers"
    __table_args__ = (Index("ix_answers_question_key_option", "question_key", "option"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    response_id: Mapped[int] = mapped_column(ForeignKey("responses.id", ondelete="CASCADE"), index=True)
    question_key: Mapped[str] = mapped_column(String(64))
    part: Mapped[str | None] = mapped_column(String(64))
    option: Mapped[str | None] = mapped_column(String(64))
    number: Mapped[float | None] = mapped_column(Float)
    text: Mapped[str | None] = mapped_column(Text)

    response: Mapped[Response] = relationship(back_populates="answers")
