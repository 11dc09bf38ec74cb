"""The history of bulk imports: which file was imported when and by whom, and a fingerprint of each row.

``ImportRecord`` says that a file (known by the SHA-256 of its bytes) was
imported into a consultation, when, by whom and how many responses it gave:
enough to ask "This file was imported on <date> by <who>: N responses. Import
again anyway?" before the same file doubles the responses.

``ImportedRow`` keeps one fingerprint per imported row: a SHA-256 of the
consultation, the group and the normalised answers (the place is one of them),
and the date the file gives the row when it has a date column; or of the
file's submission id when it has one. A fingerprint is not linked to the
response it became (no response id): the history tells that a row was imported
before, not which response came from which official's import.
"""

from __future__ import annotations

from datetime import datetime

from sqlalchemy import DateTime, ForeignKey, Index, Integer, String
from sqlalchemy.orm import Mapped, mapped_column, relationship

from consult.core.db import utcnow
from consult.extensions import db


class ImportRecord(db.Model):
    """One import of a spreadsheet of answers into a consultation."""

    __tablename__ = "import_records"
    __table_args__ = (Index("ix_import_records_consultation_file", "consultation_id", "file_sha256"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    consultation_id: Mapped[int] = mapped_column(ForeignKey("consultations.id", ondelete="CASCADE"))
    #: SHA-256 (hex) of the file's bytes.
    file_sha256: Mapped[str] = mapped_column(String(64))
    filename: Mapped[str] = mapped_column(String(255), default="")
    rows: Mapped[int] = mapped_column(Integer, default=0)
    imported: Mapped[int] = mapped_column(Integer, default=0)
    imported_by_id: Mapped[int | None] = mapped_column(ForeignKey("users.id", ondelete="SET NULL"), index=True)
    #: The name as it was, so the history still says who after an account is removed.
    imported_by_name: Mapped[str] = mapped_column(String(200), default="")
    imported_at: Mapped[datetime] = mapped_column(DateTime, default=utcnow)

    fingerprints: Mapped[list["ImportedRow"]] = relationship(
        back_populates="record", cascade="all, delete-orphan", passive_deletes=True
    )


class ImportedRow(db.Model):
    """The fingerprint of one imported row (see the module docstring)."""

    __tablename__ = "imported_rows"
    __table_args__ = (Index("ix_imported_rows_consultation_fingerprint", "consultation_id", "fingerprint"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    import_id: Mapped[int] = mapped_column(ForeignKey("import_records.id", ondelete="CASCADE"), index=True)
    consultation_id: Mapped[int] = mapped_column(ForeignKey("consultations.id", ondelete="CASCADE"))
    fingerprint: Mapped[str] = mapped_column(String(64))

    record: Mapped[ImportRecord] = relationship(back_populates="fingerprints")
