"""Tables of assisted entry and of the signals against capture.

``CaptureDecision`` is the log of officials setting a batch of responses
aside from analysis (and undoing it): who, when, why, which responses. Nothing
is deleted: a set-aside response keeps its answers and carries
``Response.is_set_aside``, which analysis filters on.

``FacilitatorTally`` counts how many responses each facilitator entered per
consultation and entry mode. The count is kept *apart* from the responses on
purpose: a facilitator id stored with each response would tie answers to the
meeting where that facilitator worked, which in a small village can name the
person who answered.
"""

from __future__ import annotations

import enum
from datetime import date, datetime

from flask_babel import lazy_gettext as _l
from sqlalchemy import Column, Date, DateTime, ForeignKey, Integer, String, Table, Text, UniqueConstraint
from sqlalchemy.orm import Mapped, mapped_column, relationship

from consult.accounts.models import User
from consult.core.db import str_enum, utcnow
from consult.extensions import db
from consult.responses.models import EntryMode, Response


class CaptureAction(str, enum.Enum):
    """What a capture decision did."""

    SET_ASIDE = "set_aside"
    RESTORE = "restore"

    @property
    def label(self):
        """The translated name of the action."""
        return CAPTURE_ACTION_LABELS[self]


CAPTURE_ACTION_LABELS = {
    CaptureAction.SET_ASIDE: _l("Set aside from analysis"),
    CaptureAction.RESTORE: _l("Taken back into analysis"),
}


class SourceKind(str, enum.Enum):
    """Where a batch of responses came from."""

    INVITATION = "invitation"
    ORGANISATION = "organisation"
    PUBLIC = "public"
    ENTRY = "entry"


capture_decision_responses = Table(
    "capture_decision_responses",
    db.Model.metadata,
    Column("decision_id", ForeignKey("capture_decisions.id", ondelete="CASCADE"), primary_key=True),
    Column("response_id", ForeignKey("responses.id", ondelete="CASCADE"), primary_key=True, index=True),
)


class CaptureDecision(db.Model):
    """An official's decision to set a flagged batch aside from analysis, or to take it back."""

    __tablename__ = "capture_decisions"

    id: Mapped[int] = mapped_column(primary_key=True)
    consultation_id: Mapped[int] = mapped_column(ForeignKey("consultations.id", ondelete="CASCADE"), index=True)
    action: Mapped[CaptureAction] = mapped_column(str_enum(CaptureAction, "capture_action"))
    #: The batch: which link, organisation or channel, and which day.
    source_kind: Mapped[SourceKind] = mapped_column(str_enum(SourceKind, "capture_source_kind"))
    source_id: Mapped[int | None] = mapped_column(Integer)
    source_label: Mapped[str] = mapped_column(String(300), default="")
    batch_on: Mapped[date | None] = mapped_column(Date)
    reason: Mapped[str] = mapped_column(Text)
    decided_by_id: Mapped[int | None] = mapped_column(ForeignKey("users.id", ondelete="SET NULL"), index=True)
    #: The name as it was, so the log still says who after an account is removed.
    decided_by_name: Mapped[str] = mapped_column(String(200), default="")
    decided_at: Mapped[datetime] = mapped_column(DateTime, default=utcnow)
    #: For a restore: the set-aside decision it undoes.
    undoes_id: Mapped[int | None] = mapped_column(ForeignKey("capture_decisions.id", ondelete="SET NULL"))
    #: For a set-aside: the restore that undid it, if any.
    undone_by_id: Mapped[int | None] = mapped_column(ForeignKey("capture_decisions.id", ondelete="SET NULL"))

    decided_by: Mapped[User | None] = relationship()
    responses: Mapped[list[Response]] = relationship(secondary=capture_decision_responses, order_by="Response.id")

    @property
    def is_active(self) -> bool:
        """A set-aside decision that has not been undone."""
        return self.action == CaptureAction.SET_ASIDE and self.undone_by_id is None


class FacilitatorTally(db.Model):
    """How many responses one facilitator entered in one consultation, per entry mode (a count only)."""

    __tablename__ = "facilitator_tallies"
    __table_args__ = (UniqueConstraint("consultation_id", "user_id", "entry_mode"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    consultation_id: Mapped[int] = mapped_column(ForeignKey("consultations.id", ondelete="CASCADE"), index=True)
    user_id: Mapped[int] = mapped_column(ForeignKey("users.id", ondelete="CASCADE"), index=True)
    entry_mode: Mapped[EntryMode] = mapped_column(str_enum(EntryMode, "tally_entry_mode"))
    count: Mapped[int] = mapped_column(Integer, default=0)

    user: Mapped[User] = relationship()
