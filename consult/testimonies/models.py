"""Testimonies, their consent per use, moderation records, audit log and settings.

What a person wrote is never stored in clear: every ``sealed_*`` column holds an
AES-256-GCM envelope (``consult.testimonies.crypto``) bound to its table, row
and field, and each row carries the id of the key its fields were sealed under
(``key_id``), so that key rotation can find what is left to re-encrypt.

Dates, not times, for everything a submitter does (sending, adding, changing
consent): a time of day could tie a testimony to a person seen at a meeting
or in a network log.
"""

from __future__ import annotations

from datetime import date, datetime

from sqlalchemy import (
    JSON,
    BigInteger,
    Boolean,
    Date,
    DateTime,
    Float,
    ForeignKey,
    Index,
    Integer,
    LargeBinary,
    String,
    Text,
    UniqueConstraint,
)
from sqlalchemy.orm import Mapped, mapped_column, relationship

from consult.accounts.models import Organisation, Territory, User
from consult.core.db import str_enum, utcnow, utctoday
from consult.extensions import db
from consult.responses.models import Consultation
from consult.surveys.models import InstrumentVersion
from consult.testimonies.enums import (  # noqa: F401  (re-exported: the room imports them from here)
    ACTOR_LABELS,
    CLOSED_STATUSES,
    CONSENT_LABELS,
    EXCERPT_LABELS,
    ON_BEHALF_LABELS,
    STATUS_LABELS,
    Actor,
    ConsentUse,
    ExcerptStatus,
    OnBehalfOf,
    TestimonyStatus,
)


class TestimonySettings(db.Model):
    """A consultation's testimony settings: how long content is kept, which instrument version is used."""

    __test__ = False  # not a pytest test class, despite the name

    __tablename__ = "testimony_settings"

    id: Mapped[int] = mapped_column(primary_key=True)
    consultation_id: Mapped[int] = mapped_column(ForeignKey("consultations.id", ondelete="CASCADE"), unique=True)
    #: Days after the sending date when the content is deleted by ``testimonies purge``.
    retention_days: Mapped[int] = mapped_column(Integer, default=730)
    #: NULL: the built-in remedy testimony of the shared library.
    instrument_version_id: Mapped[int | None] = mapped_column(ForeignKey("instrument_versions.id", ondelete="SET NULL"))
    updated_at: Mapped[datetime] = mapped_column(DateTime, default=utcnow, onupdate=utcnow)

    consultation: Mapped[Consultation] = relationship()
    instrument_version: Mapped[InstrumentVersion | None] = relationship()


class Testimony(db.Model):
    """One remedy testimony. Its content is sealed; the rest is what moderation and counting need."""

    __test__ = False  # not a pytest test class, despite the name

    __tablename__ = "testimonies"
    __table_args__ = (Index("ix_testimonies_queue", "territory_id", "is_urgent", "submitted_on"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    consultation_id: Mapped[int] = mapped_column(ForeignKey("consultations.id", ondelete="CASCADE"), index=True)
    territory_id: Mapped[int] = mapped_column(ForeignKey("territories.id", ondelete="CASCADE"), index=True)
    instrument_version_id: Mapped[int] = mapped_column(ForeignKey("instrument_versions.id"), index=True)
    #: Set when a CSO account submitted it; that organisation sees it and nobody else outside staff.
    organisation_id: Mapped[int | None] = mapped_column(ForeignKey("organisations.id", ondelete="SET NULL"), index=True)
    on_behalf_of: Mapped[OnBehalfOf | None] = mapped_column(str_enum(OnBehalfOf, "testimony_on_behalf_of"))
    people_count: Mapped[int | None] = mapped_column(Integer)
    language: Mapped[str] = mapped_column(String(8))
    receipt_code_hash: Mapped[str] = mapped_column(String(64), unique=True)
    #: Hash of the draft's token: a second "send" of the same draft finds this row instead of making another.
    submission_key: Mapped[str] = mapped_column(String(64), unique=True)
    status: Mapped[TestimonyStatus] = mapped_column(
        str_enum(TestimonyStatus, "testimony_status"), default=TestimonyStatus.SUBMITTED
    )
    #: Reprisals or threats were reported: first in the moderators' queue.
    is_urgent: Mapped[bool] = mapped_column(Boolean, default=False)
    #: max(scale, scope, irremediability) of the severity answer, for ordering the queue.
    severity: Mapped[int | None] = mapped_column(Integer)
    submitted_on: Mapped[date] = mapped_column(Date, default=utctoday)
    #: The stakeholder group of the person or collective the testimony is about (a DESIGN.md code),
    #: from the instrument's first ``stakeholder_group`` question on the path.
    group_code: Mapped[str | None] = mapped_column(String(40))
    #: The questions the submitter was asked (on their path and shown): the base of every share.
    asked_set_id: Mapped[int | None] = mapped_column(ForeignKey("asked_sets.id", ondelete="SET NULL"), index=True)
    withdrawn_on: Mapped[date | None] = mapped_column(Date)
    purged_on: Mapped[date | None] = mapped_column(Date)
    key_id: Mapped[str | None] = mapped_column(String(32), index=True)
    #: Every on-path answer, free text included (JSON, sealed).
    sealed_answers: Mapped[bytes | None] = mapped_column(LargeBinary)
    #: The CSO's notes on the case (sealed).
    sealed_notes: Mapped[bytes | None] = mapped_column(LargeBinary)

    consultation: Mapped[Consultation] = relationship()
    territory: Mapped[Territory] = relationship()
    instrument_version: Mapped[InstrumentVersion] = relationship()
    organisation: Mapped[Organisation | None] = relationship()
    answers: Mapped[list[TestimonyAnswer]] = relationship(
        back_populates="testimony", cascade="all, delete-orphan", passive_deletes=True
    )
    themes: Mapped[list[TestimonyTheme]] = relationship(
        back_populates="testimony", cascade="all, delete-orphan", passive_deletes=True, order_by="TestimonyTheme.theme"
    )
    consents: Mapped[list[TestimonyConsent]] = relationship(
        back_populates="testimony", cascade="all, delete-orphan", passive_deletes=True, order_by="TestimonyConsent.id"
    )
    excerpts: Mapped[list[TestimonyExcerpt]] = relationship(
        back_populates="testimony", cascade="all, delete-orphan", passive_deletes=True, order_by="TestimonyExcerpt.id"
    )
    messages: Mapped[list[TestimonyMessage]] = relationship(
        back_populates="testimony", cascade="all, delete-orphan", passive_deletes=True, order_by="TestimonyMessage.id"
    )
    additions: Mapped[list[TestimonyAddition]] = relationship(
        back_populates="testimony", cascade="all, delete-orphan", passive_deletes=True, order_by="TestimonyAddition.id"
    )

    @property
    def is_closed(self) -> bool:
        """True once withdrawn or purged: no content is left."""
        return self.status in CLOSED_STATUSES

    def current_consents(self) -> dict[ConsentUse, TestimonyConsent]:
        """The latest consent record of each use."""
        return {c.use: c for c in self.consents if c.is_current}

    def allows(self, use: ConsentUse) -> bool:
        """True when the submitter currently allows ``use`` and the testimony is not withdrawn."""
        if self.status == TestimonyStatus.WITHDRAWN:
            return False
        record = self.current_consents().get(use)
        return bool(record and record.is_granted)

    def __repr__(self) -> str:
        return f"<Testimony {self.id} {self.status.value}>"


class TestimonyAnswer(db.Model):
    """A structured, non-identifying answer value kept for counting (only with consent to aggregate use).

    Same shape as ``responses.Answer`` minus the ``text`` column: free text is
    never stored outside the sealed answers.
    """

    __test__ = False  # not a pytest test class, despite the name

    __tablename__ = "testimony_answers"
    __table_args__ = (Index("ix_testimony_answers_question_key_option", "question_key", "option"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    testimony_id: Mapped[int] = mapped_column(ForeignKey("testimonies.id", ondelete="CASCADE"), index=True)
    question_key: Mapped[str] = mapped_column(String(64))
    part: Mapped[str | None] = mapped_column(String(64))
    option: Mapped[str | None] = mapped_column(String(64))
    number: Mapped[float | None] = mapped_column(Float)

    testimony: Mapped[Testimony] = relationship(back_populates="answers")


class TestimonyTheme(db.Model):
    """A theme a moderator tagged a testimony with, for analysis."""

    __test__ = False  # not a pytest test class, despite the name

    __tablename__ = "testimony_themes"
    __table_args__ = (UniqueConstraint("testimony_id", "theme"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    testimony_id: Mapped[int] = mapped_column(ForeignKey("testimonies.id", ondelete="CASCADE"), index=True)
    theme: Mapped[str] = mapped_column(String(40))

    testimony: Mapped[Testimony] = relationship(back_populates="themes")


class TestimonyConsent(db.Model):
    """One decision on one use, with the wording and language shown. Never edited: a change adds a row."""

    __test__ = False  # not a pytest test class, despite the name

    __tablename__ = "testimony_consents"

    id: Mapped[int] = mapped_column(primary_key=True)
    testimony_id: Mapped[int] = mapped_column(ForeignKey("testimonies.id", ondelete="CASCADE"), index=True)
    use: Mapped[ConsentUse] = mapped_column(str_enum(ConsentUse, "testimony_consent_use"))
    is_granted: Mapped[bool] = mapped_column(Boolean)
    #: For ``share_authorities``: the authority named (a protection route of the territory).
    authority: Mapped[str | None] = mapped_column(String(200))
    #: The exact words the person saw for this use, and their language.
    wording: Mapped[str] = mapped_column(Text)
    language: Mapped[str] = mapped_column(String(8))
    #: Which text that was: ``<instrument key>@<version number>``.
    wording_version: Mapped[str] = mapped_column(String(80))
    changed_on: Mapped[date] = mapped_column(Date, default=utctoday)
    changed_by: Mapped[Actor] = mapped_column(str_enum(Actor, "testimony_consent_actor"))
    #: True on the latest record of this use; earlier ones are history.
    is_current: Mapped[bool] = mapped_column(Boolean, default=True, index=True)

    testimony: Mapped[Testimony] = relationship(back_populates="consents")


class TestimonyExcerpt(db.Model):
    """A redacted, quotable passage a moderator made from a testimony; sealed like the original.

    Even redacted text is sealed: redaction is done by people and can miss a
    detail, and a stolen database copy must reveal nothing.
    """

    __test__ = False  # not a pytest test class, despite the name

    __tablename__ = "testimony_excerpts"

    id: Mapped[int] = mapped_column(primary_key=True)
    testimony_id: Mapped[int] = mapped_column(ForeignKey("testimonies.id", ondelete="CASCADE"), index=True)
    territory_id: Mapped[int] = mapped_column(ForeignKey("territories.id", ondelete="CASCADE"), index=True)
    status: Mapped[ExcerptStatus] = mapped_column(
        str_enum(ExcerptStatus, "testimony_excerpt_status"), default=ExcerptStatus.PROPOSED
    )
    key_id: Mapped[str | None] = mapped_column(String(32), index=True)
    sealed_text: Mapped[bytes | None] = mapped_column(LargeBinary)
    #: Why it was approved or rejected (sealed: a reason may quote the testimony).
    sealed_reason: Mapped[bytes | None] = mapped_column(LargeBinary)
    #: Why the first moderator approved it (sealed); ``sealed_reason`` holds the final decision's reason.
    sealed_first_reason: Mapped[bytes | None] = mapped_column(LargeBinary)
    proposed_by_id: Mapped[int | None] = mapped_column(ForeignKey("users.id", ondelete="SET NULL"))
    #: Four-eyes: the first approval, which leaves the excerpt awaiting a second, different moderator.
    first_approved_by_id: Mapped[int | None] = mapped_column(ForeignKey("users.id", ondelete="SET NULL"))
    first_approved_at: Mapped[datetime | None] = mapped_column(DateTime)
    #: The final decision: the second approval, or a rejection.
    decided_by_id: Mapped[int | None] = mapped_column(ForeignKey("users.id", ondelete="SET NULL"))
    created_at: Mapped[datetime] = mapped_column(DateTime, default=utcnow)
    decided_at: Mapped[datetime | None] = mapped_column(DateTime)

    testimony: Mapped[Testimony] = relationship(back_populates="excerpts")
    proposed_by: Mapped[User | None] = relationship(foreign_keys=[proposed_by_id])
    first_approved_by: Mapped[User | None] = relationship(foreign_keys=[first_approved_by_id])
    decided_by: Mapped[User | None] = relationship(foreign_keys=[decided_by_id])


class TestimonyMessage(db.Model):
    """A follow-up message from a moderator, which the submitter reads with the receipt code."""

    __test__ = False  # not a pytest test class, despite the name

    __tablename__ = "testimony_messages"

    id: Mapped[int] = mapped_column(primary_key=True)
    testimony_id: Mapped[int] = mapped_column(ForeignKey("testimonies.id", ondelete="CASCADE"), index=True)
    author_id: Mapped[int | None] = mapped_column(ForeignKey("users.id", ondelete="SET NULL"))
    key_id: Mapped[str | None] = mapped_column(String(32), index=True)
    sealed_text: Mapped[bytes | None] = mapped_column(LargeBinary)
    sent_on: Mapped[date] = mapped_column(Date, default=utctoday)

    testimony: Mapped[Testimony] = relationship(back_populates="messages")
    author: Mapped[User | None] = relationship()


class TestimonyAddition(db.Model):
    """Information the submitter (or the CSO) added after sending."""

    __test__ = False  # not a pytest test class, despite the name

    __tablename__ = "testimony_additions"

    id: Mapped[int] = mapped_column(primary_key=True)
    testimony_id: Mapped[int] = mapped_column(ForeignKey("testimonies.id", ondelete="CASCADE"), index=True)
    added_by: Mapped[Actor] = mapped_column(str_enum(Actor, "testimony_addition_actor"))
    key_id: Mapped[str | None] = mapped_column(String(32), index=True)
    sealed_text: Mapped[bytes | None] = mapped_column(LargeBinary)
    added_on: Mapped[date] = mapped_column(Date, default=utctoday)

    testimony: Mapped[Testimony] = relationship(back_populates="additions")


class TestimonyDraft(db.Model):
    """A testimony being written, kept server-side and sealed until it is sent or expires.

    The browser holds a random token in its session cookie; the table keeps its
    hash. Nothing of what is typed goes into the cookie.
    """

    __test__ = False  # not a pytest test class, despite the name

    __tablename__ = "testimony_drafts"

    id: Mapped[int] = mapped_column(primary_key=True)
    consultation_id: Mapped[int] = mapped_column(ForeignKey("consultations.id", ondelete="CASCADE"), index=True)
    organisation_id: Mapped[int | None] = mapped_column(ForeignKey("organisations.id", ondelete="CASCADE"), index=True)
    instrument_version_id: Mapped[int] = mapped_column(ForeignKey("instrument_versions.id", ondelete="CASCADE"))
    token_hash: Mapped[str] = mapped_column(String(64), unique=True)
    language: Mapped[str] = mapped_column(String(8))
    key_id: Mapped[str | None] = mapped_column(String(32), index=True)
    #: {"answers": {...}, "cso": {...}} sealed.
    sealed_state: Mapped[bytes | None] = mapped_column(LargeBinary)
    #: Rounded up to the hour, so it does not reveal when the person started.
    expires_at: Mapped[datetime] = mapped_column(DateTime, index=True)

    consultation: Mapped[Consultation] = relationship()


class TestimonyRecording(db.Model):
    """A spoken account given instead of (or beside) a long-text answer, sealed like the text.

    While the testimony is being written it belongs to the draft (``draft_id``);
    sending moves it to the testimony (``testimony_id``) and re-seals it there,
    since the associated data names the row it belongs to. The audio is mono Ogg
    Opus (``consult.core.audio.transcode``), sealed whole; a moderator's
    transcript is sealed too. Withdrawal and purge delete the row.
    """

    __test__ = False  # not a pytest test class, despite the name

    __tablename__ = "testimony_recordings"
    __table_args__ = (
        UniqueConstraint("draft_id", "question_key", name="uq_testimony_recordings_draft_question"),
        UniqueConstraint("testimony_id", "question_key", name="uq_testimony_recordings_testimony_question"),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    testimony_id: Mapped[int | None] = mapped_column(ForeignKey("testimonies.id", ondelete="CASCADE"), index=True)
    draft_id: Mapped[int | None] = mapped_column(ForeignKey("testimony_drafts.id", ondelete="CASCADE"), index=True)
    question_key: Mapped[str] = mapped_column(String(64))
    key_id: Mapped[str | None] = mapped_column(String(32), index=True)
    sealed_audio: Mapped[bytes | None] = mapped_column(LargeBinary)
    sealed_transcript: Mapped[bytes | None] = mapped_column(LargeBinary)
    seconds: Mapped[float] = mapped_column(Float)
    #: A date, not a time, like everything the submitter does.
    recorded_on: Mapped[date] = mapped_column(Date, default=utctoday)
    transcribed_by_id: Mapped[int | None] = mapped_column(ForeignKey("users.id", ondelete="SET NULL"))
    transcribed_at: Mapped[datetime | None] = mapped_column(DateTime)

    testimony: Mapped[Testimony | None] = relationship()
    transcribed_by: Mapped[User | None] = relationship()


class ChainedEntry:
    """Columns of an audit entry that is a link of a tamper-evident chain (``consult.testimonies.chain``).

    ``chain_record`` freezes, as canonical JSON, what the entry said when it was
    written (ids, never content); ``chain_hash`` is HMAC-SHA256 under the audit
    key over the chain's name, ``chain_prev`` (the previous link's hash) and that
    record. NULL in all four: an entry written before the chain existed, not yet sealed.
    """

    chain_seq: Mapped[int | None] = mapped_column(BigInteger, unique=True)
    chain_prev: Mapped[str | None] = mapped_column(String(64))
    chain_hash: Mapped[str | None] = mapped_column(String(64))
    chain_record: Mapped[str | None] = mapped_column(Text)


class AuditChainHead(db.Model):
    """The last link of each audit chain; its row is the lock that serialises appends."""

    __tablename__ = "audit_chain_heads"

    name: Mapped[str] = mapped_column(String(40), primary_key=True)
    last_seq: Mapped[int] = mapped_column(BigInteger, default=0)
    last_hash: Mapped[str] = mapped_column(String(64))


class DecryptionEvent(ChainedEntry, db.Model):
    """The audit log: someone's view opened a testimony's sealed content. Never the content itself."""

    __tablename__ = "testimony_audit_events"

    id: Mapped[int] = mapped_column(primary_key=True)
    territory_id: Mapped[int] = mapped_column(ForeignKey("territories.id", ondelete="CASCADE"), index=True)
    testimony_id: Mapped[int | None] = mapped_column(ForeignKey("testimonies.id", ondelete="SET NULL"), index=True)
    user_id: Mapped[int | None] = mapped_column(ForeignKey("users.id", ondelete="SET NULL"), index=True)
    actor: Mapped[Actor] = mapped_column(str_enum(Actor, "testimony_audit_actor"))
    #: What was opened and why: the view or command (``moderation.read``, ``excerpts.list``…).
    purpose: Mapped[str] = mapped_column(String(60))
    #: For a submitter's own visits, the day only.
    occurred_at: Mapped[datetime] = mapped_column(DateTime, default=utcnow, index=True)

    user: Mapped[User | None] = relationship()


class ProtectionRoute(db.Model):
    """Where a person under threat can turn in a territory (ombudsman, protection unit…), set by officials."""

    __tablename__ = "protection_routes"

    id: Mapped[int] = mapped_column(primary_key=True)
    territory_id: Mapped[int] = mapped_column(ForeignKey("territories.id", ondelete="CASCADE"), index=True)
    #: {language: text}
    name: Mapped[dict[str, str]] = mapped_column(JSON, default=dict)
    description: Mapped[dict[str, str]] = mapped_column(JSON, default=dict)
    #: Telephone, address or web page, as people should read it.
    contact: Mapped[str] = mapped_column(String(300), default="")
    position: Mapped[int] = mapped_column(Integer, default=0)
    #: Listed among the authorities a submitter may name in the "share" consent.
    is_authority: Mapped[bool] = mapped_column(Boolean, default=True)
    is_active: Mapped[bool] = mapped_column(Boolean, default=True)
    created_at: Mapped[datetime] = mapped_column(DateTime, default=utcnow)

    territory: Mapped[Territory] = relationship()

    def text(self, value: dict[str, str] | None, lang: str, fallback: str = "es") -> str:
        """``value`` in ``lang``, else in ``fallback``, else any language present."""
        value = value or {}
        return value.get(lang) or value.get(fallback) or next((v for v in value.values() if v), "")

    def name_in(self, lang: str, fallback: str = "es") -> str:
        """The name in ``lang``."""
        return self.text(self.name, lang, fallback)

    def description_in(self, lang: str, fallback: str = "es") -> str:
        """The description in ``lang``."""
        return self.text(self.description, lang, fallback)


#: Every model with sealed columns: (model, sealed column names). Rotation walks these.
SEALED_MODELS: tuple[tuple[type, tuple[str, ...]], ...] = (
    (Testimony, ("sealed_answers", "sealed_notes")),
    (TestimonyExcerpt, ("sealed_text", "sealed_reason", "sealed_first_reason")),
    (TestimonyMessage, ("sealed_text",)),
    (TestimonyAddition, ("sealed_text",)),
    (TestimonyDraft, ("sealed_state",)),
    (TestimonyRecording, ("sealed_audio", "sealed_transcript")),
)
