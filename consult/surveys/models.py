"""Instruments and their versions, stored as JSON definitions.

An ``Instrument`` is the stable identity (a key, a territory or the shared
network library, a title); each ``InstrumentVersion`` holds one complete
definition (see docs/instrument-format.md). A version is *frozen* once it is
published or a consultation uses it: from then on it is never edited, and
editing makes a new draft version copied from it.
"""

from __future__ import annotations

import enum
from datetime import datetime
from typing import TYPE_CHECKING, Any

from flask_babel import lazy_gettext as _l
from sqlalchemy import JSON, DateTime, Enum, ForeignKey, Index, Integer, String, UniqueConstraint
from sqlalchemy.orm import Mapped, mapped_column, relationship

from consult.core.db import utcnow
from consult.extensions import db
from consult.surveys import engine

if TYPE_CHECKING:
    from consult.accounts.models import Territory


# Parsed frozen versions by (id, frozen_at); the id alone could be reused by a
# new row after a delete, a freeze time with it cannot in practice.
_PARSED: dict[tuple[int, datetime], Any] = {}
_PARSED_LIMIT = 64


class VersionStatus(str, enum.Enum):
    """Where a version is in its life."""

    DRAFT = "draft"
    PUBLISHED = "published"

    @property
    def label(self):
        """The translated name of the status."""
        return STATUS_LABELS[self]


STATUS_LABELS = {
    VersionStatus.DRAFT: _l("Draft"),
    VersionStatus.PUBLISHED: _l("Published"),
}


class Instrument(db.Model):
    """A survey, self-assessment or testimony form: its key, owner and versions.

    ``territory_id`` is NULL for the shared network library, which every
    territory sees and only network administrators edit.
    """

    __tablename__ = "instruments"
    __table_args__ = (
        UniqueConstraint("territory_id", "key"),
        # NULLs never collide in a unique constraint, so the library's keys
        # need their own (partial) unique index, on SQLite and PostgreSQL alike.
        Index(
            "uq_instruments_library_key",
            "key",
            unique=True,
            sqlite_where=db.text("territory_id IS NULL"),
            postgresql_where=db.text("territory_id IS NULL"),
        ),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    key: Mapped[str] = mapped_column(String(64))
    territory_id: Mapped[int | None] = mapped_column(ForeignKey("territories.id", ondelete="CASCADE"), index=True)
    #: The definition's title per language, kept in step with the latest version.
    title: Mapped[dict[str, str]] = mapped_column(JSON, default=dict)
    created_at: Mapped[datetime] = mapped_column(DateTime, default=utcnow)

    territory: Mapped[Territory | None] = relationship()
    versions: Mapped[list[InstrumentVersion]] = relationship(
        back_populates="instrument", cascade="all, delete-orphan", order_by="InstrumentVersion.number"
    )

    @property
    def is_library(self) -> bool:
        """True for an instrument of the shared network library."""
        return self.territory_id is None

    @property
    def latest_version(self) -> InstrumentVersion | None:
        """The highest-numbered version."""
        return self.versions[-1] if self.versions else None

    @property
    def latest_published(self) -> InstrumentVersion | None:
        """The highest-numbered published version, if any."""
        published = [v for v in self.versions if v.status == VersionStatus.PUBLISHED]
        return published[-1] if published else None

    def version(self, number: int) -> InstrumentVersion | None:
        """The version with ``number``, if it exists."""
        return next((v for v in self.versions if v.number == number), None)

    def title_in(self, lang: str) -> str:
        """The title in ``lang``, else in any language it has, else the key."""
        title = self.title or {}
        return title.get(lang) or next((t for t in title.values() if t), self.key)

    def __repr__(self) -> str:
        return f"<Instrument {self.key} territory={self.territory_id}>"


class InstrumentVersion(db.Model):
    """One numbered definition of an instrument.

    ``translation_review`` maps language → text path → a hash of the source
    (fallback-language) text the translation was made from; when the source
    changes, the hash no longer matches and the translation needs review.
    """

    __tablename__ = "instrument_versions"
    __table_args__ = (UniqueConstraint("instrument_id", "number"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    instrument_id: Mapped[int] = mapped_column(ForeignKey("instruments.id", ondelete="CASCADE"), index=True)
    number: Mapped[int] = mapped_column(Integer)
    definition: Mapped[dict[str, Any]] = mapped_column(JSON)
    status: Mapped[VersionStatus] = mapped_column(
        Enum(
            VersionStatus,
            name="instrument_version_status",
            native_enum=False,
            values_callable=lambda e: [m.value for m in e],
            length=20,
        ),
        default=VersionStatus.DRAFT,
    )
    translation_review: Mapped[dict[str, dict[str, str]]] = mapped_column(JSON, default=dict)
    #: The recorded audio prompts, language → text path → audio digest (``consult.surveys.prompts``).
    #: Loaded with the version (the answering flow has it at hand), so a page knows which texts
    #: have a recording without a query of its own; not part of the definition, so frozen versions
    #: get recordings too.
    recorded_audio: Mapped[dict[str, dict[str, str]] | None] = mapped_column(JSON, default=dict)
    created_at: Mapped[datetime] = mapped_column(DateTime, default=utcnow)
    published_at: Mapped[datetime | None] = mapped_column(DateTime)
    frozen_at: Mapped[datetime | None] = mapped_column(DateTime)

    instrument: Mapped[Instrument] = relationship(back_populates="versions")

    @property
    def is_frozen(self) -> bool:
        """True once published or used by a consultation: never edited again."""
        return self.frozen_at is not None

    @property
    def is_published(self) -> bool:
        """True once published."""
        return self.status == VersionStatus.PUBLISHED

    @property
    def languages(self) -> list[str]:
        """The content languages the definition declares."""
        return list(self.definition.get("languages") or [])

    @property
    def fallback_language(self) -> str:
        """The definition's fallback (source) language."""
        return self.definition.get("fallback_language") or (self.languages[0] if self.languages else "es")

    def parsed(self):
        """The engine's read-only view of this definition (``consult.surveys.engine.Instrument``).

        Every answering request needs it; parsing the community survey takes
        about a millisecond. A frozen version never changes and the parsed
        view is immutable, so it is kept per process; drafts are parsed afresh.
        """

        if self.frozen_at is None or self.id is None:
            instrument = engine.Instrument.from_dict(self.definition)
            instrument.version_id = self.id  # type: ignore[attr-defined]  (listen controls address the version)
            return instrument
        key = (self.id, self.frozen_at)
        instrument = _PARSED.get(key)
        if instrument is None:
            if len(_PARSED) >= _PARSED_LIMIT:
                _PARSED.pop(next(iter(_PARSED)))
            instrument = _PARSED[key] = engine.Instrument.from_dict(self.definition)
            instrument.version_id = self.id  # type: ignore[attr-defined]
        return instrument

    def __repr__(self) -> str:
        return f"<InstrumentVersion {self.instrument_id}:{self.number} {self.status.value}>"


class AskedSet(db.Model):
    """One distinct set of question keys that people answering a version were *asked*.

    A share's base is the people who were asked a question (it was on their
    path and shown), so each response and testimony points at the set of keys
    the path finder showed it (``consult.surveys.asked``). Paths through an
    instrument are few, so this table stays tiny while responses grow, and
    "asked" per question and group is one join and a ``GROUP BY`` in SQL.
    """

    __tablename__ = "asked_sets"
    __table_args__ = (UniqueConstraint("instrument_version_id", "digest"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    instrument_version_id: Mapped[int] = mapped_column(ForeignKey("instrument_versions.id", ondelete="CASCADE"))
    #: sha256 (hex) of the keys joined in instrument order: the unique constraint finds the set again.
    digest: Mapped[str] = mapped_column(String(64))

    questions: Mapped[list[AskedSetQuestion]] = relationship(
        back_populates="asked_set",
        cascade="all, delete-orphan",
        passive_deletes=True,
        order_by="AskedSetQuestion.question_key",
    )

    @property
    def keys(self) -> set[str]:
        """The question keys of the set."""
        return {q.question_key for q in self.questions}


class AskedSetQuestion(db.Model):
    """One question key of an ``AskedSet``."""

    __tablename__ = "asked_set_questions"

    asked_set_id: Mapped[int] = mapped_column(ForeignKey("asked_sets.id", ondelete="CASCADE"), primary_key=True)
    question_key: Mapped[str] = mapped_column(String(64), primary_key=True)

    asked_set: Mapped[AskedSet] = relationship(back_populates="questions")
