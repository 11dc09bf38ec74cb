"""Tables owned by the analysis room: themes analysts code free text with, and the tags they set.

Answers themselves belong to the responses room and are never written here: a
tag is a row of its own that points at an answer, so coding free text leaves
what people said untouched, and deleting a theme deletes only its tags.
"""

from __future__ import annotations

from datetime import date, datetime

from sqlalchemy import Date, DateTime, ForeignKey, String, Text, UniqueConstraint
from sqlalchemy.orm import Mapped, mapped_column, relationship

from consult.core.db import utcnow, utctoday
from consult.extensions import db
from consult.responses.models import Consultation


class Theme(db.Model):
    """A code analysts give to free-text answers of one consultation (e.g. ``water_pollution``)."""

    __tablename__ = "analysis_themes"
    __table_args__ = (UniqueConstraint("consultation_id", "code"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    consultation_id: Mapped[int] = mapped_column(ForeignKey("consultations.id", ondelete="CASCADE"), index=True)
    #: Stable identifier, ``[a-z0-9_]+``, unique within the consultation.
    code: Mapped[str] = mapped_column(String(40))
    label: Mapped[str] = mapped_column(String(200))
    description: Mapped[str] = mapped_column(Text, default="")
    created_at: Mapped[datetime] = mapped_column(DateTime, default=utcnow)

    consultation: Mapped[Consultation] = relationship()

    def __repr__(self) -> str:
        return f"<Theme {self.code}>"


class AnswerTheme(db.Model):
    """One answer coded with one theme."""

    __tablename__ = "answer_themes"

    answer_id: Mapped[int] = mapped_column(ForeignKey("answers.id", ondelete="CASCADE"), primary_key=True)
    theme_id: Mapped[int] = mapped_column(
        ForeignKey("analysis_themes.id", ondelete="CASCADE"), primary_key=True, index=True
    )
    #: The date only, like a response's: when the tag was set is enough for an audit of the coding.
    tagged_on: Mapped[date] = mapped_column(Date, default=utctoday)
