"""Opening sealed testimony content for a person, and the audit log that records it.

Every function here that returns decrypted content first writes a
``DecryptionEvent`` (who, which testimony, when, through which view): never
the content. Views never call ``vault.unseal`` directly.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import datetime, time
from typing import Any, Iterable

from sqlalchemy import select

from consult.core.db import utcnow
from consult.extensions import db
from consult.testimonies import vault
from consult.testimonies.models import (
    Actor,
    DecryptionEvent,
    Testimony,
    TestimonyAddition,
    TestimonyExcerpt,
    TestimonyMessage,
)


def record(testimony: Testimony, purpose: str, actor: Actor, user: Any = None) -> DecryptionEvent:
    """Write that ``user`` (or the submitter, or the system) opened ``testimony`` for ``purpose``."""
    now = utcnow()
    if actor == Actor.SUBMITTER:
        # The day only: the time a person checks their testimony is theirs alone.
        now = datetime.combine(now.date(), time())
    event = DecryptionEvent(
        territory_id=testimony.territory_id,
        testimony_id=testimony.id,
        user_id=getattr(user, "id", None),
        actor=actor,
        purpose=purpose[:60],
        occurred_at=now,
    )
    db.session.add(event)
    db.session.flush()
    return event


@dataclass
class ExcerptView:
    """An excerpt with its opened text and reason."""

    excerpt: TestimonyExcerpt
    text: str
    reason: str | None
    #: Why the first moderator approved it (moderation pages only).
    first_reason: str | None = None


@dataclass
class Entry:
    """An addition or a follow-up message, opened."""

    row: TestimonyAddition | TestimonyMessage
    text: str


@dataclass
class TestimonyContent:
    """Everything sealed about one testimony, opened."""

    __test__ = False  # not a pytest test class, despite the name

    testimony: Testimony
    answers: dict[str, Any] = field(default_factory=dict)
    notes: str | None = None
    additions: list[Entry] = field(default_factory=list)
    messages: list[Entry] = field(default_factory=list)
    excerpts: list[ExcerptView] = field(default_factory=list)


def open_testimony(
    testimony: Testimony, *, purpose: str, actor: Actor, user: Any = None, with_excerpts: bool = True
) -> TestimonyContent:
    """Audit, then open the testimony's answers, notes, additions, messages (and excerpts)."""
    record(testimony, purpose, actor, user)
    content = TestimonyContent(testimony=testimony)
    if testimony.sealed_answers is not None:
        content.answers = vault.unseal(testimony, "sealed_answers") or {}
    content.notes = vault.unseal(testimony, "sealed_notes")
    content.additions = [Entry(a, vault.unseal(a, "sealed_text") or "") for a in testimony.additions]
    content.messages = [Entry(m, vault.unseal(m, "sealed_text") or "") for m in testimony.messages]
    if with_excerpts:
        content.excerpts = [
            ExcerptView(
                e,
                vault.unseal(e, "sealed_text") or "",
                vault.unseal(e, "sealed_reason"),
                vault.unseal(e, "sealed_first_reason"),
            )
            for e in testimony.excerpts
        ]
    return content


def open_messages(testimony: Testimony, *, purpose: str, actor: Actor, user: Any = None) -> TestimonyContent:
    """Audit, then open only what a submitter's status page shows: the follow-up messages."""
    record(testimony, purpose, actor, user)
    content = TestimonyContent(testimony=testimony)
    content.messages = [Entry(m, vault.unseal(m, "sealed_text") or "") for m in testimony.messages]
    return content


def open_excerpts(excerpts: Iterable[TestimonyExcerpt], *, purpose: str, user: Any) -> list[ExcerptView]:
    """Audit once per testimony, then open the excerpts' text (not the testimony itself)."""
    excerpts = list(excerpts)
    seen: set[int] = set()
    for excerpt in excerpts:
        if excerpt.testimony_id not in seen:
            seen.add(excerpt.testimony_id)
            record(excerpt.testimony, purpose, Actor.STAFF, user)
    return [ExcerptView(e, vault.unseal(e, "sealed_text") or "", None) for e in excerpts]


def events_of(territory_id: int, limit: int = 200) -> list[DecryptionEvent]:
    """The territory's latest audit events, newest first."""
    return list(
        db.session.scalars(
            select(DecryptionEvent)
            .where(DecryptionEvent.territory_id == territory_id)
            .order_by(DecryptionEvent.occurred_at.desc(), DecryptionEvent.id.desc())
            .limit(limit)
        )
    )
