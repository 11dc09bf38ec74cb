"""Export jobs (a file being made for one account) and the export audit log.

A job's id is a random URL-safe token: it names the job page and the download,
and guessing another's is hopeless. Even so, a job is only shown to the account
that asked for it (see ``consult.exports.jobs.may_open``).

The audit log records who exported what and when — never the content — and
outlives the jobs and their files.
"""

from __future__ import annotations

import enum
import secrets
from datetime import datetime

from flask_babel import lazy_gettext as _l
from sqlalchemy import BigInteger, DateTime, ForeignKey, Integer, String
from sqlalchemy.orm import Mapped, mapped_column, relationship

from consult.accounts.models import User
from consult.core.db import str_enum, utcnow
from consult.extensions import db
from consult.testimonies.chain import Chain, register
from consult.testimonies.models import ChainedEntry


def new_job_id() -> str:
    """A fresh, unguessable job id (43 URL-safe characters)."""
    return secrets.token_urlsafe(32)


class JobStatus(str, enum.Enum):
    """Where a job has got to."""

    QUEUED = "queued"
    RUNNING = "running"
    DONE = "done"
    FAILED = "failed"

    @property
    def label(self):
        """The translated name of the status."""
        return JOB_STATUS_LABELS[self]


JOB_STATUS_LABELS = {
    JobStatus.QUEUED: _l("Waiting to start"),
    JobStatus.RUNNING: _l("Being written"),
    JobStatus.DONE: _l("Ready"),
    JobStatus.FAILED: _l("Failed"),
}

#: What went wrong, as a person should read it; the job stores the code, the page translates it.
JOB_ERRORS = {
    "failed": _l(
        "The export could not be written. Please try again; if it fails again, tell the network administrators."
    ),
    "interrupted": _l("The export was interrupted before it finished. Please start it again."),
    "not_allowed": _l("Your account may no longer make this export."),
    "gone": _l("The consultation no longer exists."),
    "queue": _l("The export could not be queued. Please try again in a few minutes."),
}


class ExportJob(db.Model):
    """A file being made in the background for one account, downloadable until it expires."""

    __tablename__ = "export_jobs"

    id: Mapped[str] = mapped_column(String(64), primary_key=True, default=new_job_id)
    user_id: Mapped[int] = mapped_column(ForeignKey("users.id", ondelete="CASCADE"), index=True)
    territory_id: Mapped[int] = mapped_column(ForeignKey("territories.id", ondelete="CASCADE"), index=True)
    consultation_id: Mapped[int] = mapped_column(ForeignKey("consultations.id", ondelete="CASCADE"), index=True)
    #: A kind of ``consult.exports.catalogue`` (summary, responses, excerpts), its format, layout and language.
    kind: Mapped[str] = mapped_column(String(20))
    fmt: Mapped[str] = mapped_column(String(20))
    layout: Mapped[str] = mapped_column(String(20), default="consult")
    lang: Mapped[str] = mapped_column(String(8))
    status: Mapped[JobStatus] = mapped_column(str_enum(JobStatus, "export_job_status"), default=JobStatus.QUEUED)
    progress_done: Mapped[int] = mapped_column(Integer, default=0)
    progress_total: Mapped[int] = mapped_column(Integer, default=0)
    #: The name the download gets; the stored file is named after the job id.
    file_name: Mapped[str] = mapped_column(String(200))
    path: Mapped[str | None] = mapped_column(String(500))
    size: Mapped[int | None] = mapped_column(BigInteger)
    #: A key of ``JOB_ERRORS``; never a traceback (that goes to the server log).
    error_code: Mapped[str | None] = mapped_column(String(40))
    created_at: Mapped[datetime] = mapped_column(DateTime, default=utcnow)
    finished_at: Mapped[datetime | None] = mapped_column(DateTime)
    expires_at: Mapped[datetime] = mapped_column(DateTime, index=True)

    user: Mapped[User] = relationship()

    @property
    def is_finished(self) -> bool:
        """True once the job is done or has failed."""
        return self.status in (JobStatus.DONE, JobStatus.FAILED)

    @property
    def is_expired(self) -> bool:
        """True once the file may no longer be downloaded."""
        return utcnow() >= self.expires_at

    @property
    def percent(self) -> int | None:
        """How far the job has got, 0–100, or None while the total is unknown."""
        if self.status == JobStatus.DONE:
            return 100
        if not self.progress_total:
            return None
        return min(100, int(100 * self.progress_done / self.progress_total))

    @property
    def error_message(self):
        """The translated sentence for ``error_code`` (None when nothing went wrong)."""
        if not self.error_code:
            return None
        return JOB_ERRORS.get(self.error_code, JOB_ERRORS["failed"])

    def __repr__(self) -> str:
        return f"<ExportJob {self.kind}/{self.fmt} {self.status.value}>"


class ExportVia(str, enum.Enum):
    """Where an export was asked for."""

    WEB = "web"
    COMMAND_LINE = "command_line"


class ExportOutcome(str, enum.Enum):
    """What became of an export."""

    STARTED = "started"
    DONE = "done"
    FAILED = "failed"

    @property
    def label(self):
        """The translated name of the outcome."""
        return OUTCOME_LABELS[self]


OUTCOME_LABELS = {
    ExportOutcome.STARTED: _l("Started"),
    ExportOutcome.DONE: _l("Written"),
    ExportOutcome.FAILED: _l("Failed"),
}


class ExportEvent(ChainedEntry, db.Model):
    """One line of the export audit log: who exported what of which consultation, when, and how it ended.

    Never the content, never an address. Rows stay when the job, the file or the
    account is gone (the ids are then empty). Each line is a link of a chain of
    keyed hashes (``consult.testimonies.chain``); the outcome, updated when the
    job ends, is outside the chained record.
    """

    __tablename__ = "export_events"

    id: Mapped[int] = mapped_column(primary_key=True)
    #: Empty for exports made on the command line (``via`` says so) or by an account since deleted.
    user_id: Mapped[int | None] = mapped_column(ForeignKey("users.id", ondelete="SET NULL"), index=True)
    via: Mapped[ExportVia] = mapped_column(str_enum(ExportVia, "export_via"), default=ExportVia.WEB)
    territory_id: Mapped[int | None] = mapped_column(ForeignKey("territories.id", ondelete="SET NULL"), index=True)
    consultation_id: Mapped[int | None] = mapped_column(ForeignKey("consultations.id", ondelete="SET NULL"), index=True)
    job_id: Mapped[str | None] = mapped_column(ForeignKey("export_jobs.id", ondelete="SET NULL"), index=True)
    kind: Mapped[str] = mapped_column(String(20))
    fmt: Mapped[str] = mapped_column(String(20))
    layout: Mapped[str] = mapped_column(String(20), default="consult")
    lang: Mapped[str] = mapped_column(String(8))
    outcome: Mapped[ExportOutcome] = mapped_column(
        str_enum(ExportOutcome, "export_outcome"), default=ExportOutcome.STARTED
    )
    created_at: Mapped[datetime] = mapped_column(DateTime, default=utcnow, index=True)

    user: Mapped[User | None] = relationship()

    def __repr__(self) -> str:
        return f"<ExportEvent {self.kind}/{self.fmt} {self.outcome.value}>"


# Who, what and when are chained; the outcome changes when the job ends, so it is not.
register(
    Chain(
        "export_audit",
        ExportEvent,
        ("user_id", "via", "territory_id", "consultation_id", "job_id", "kind", "fmt", "layout", "lang", "created_at"),
        may_become_null=("user_id", "territory_id", "consultation_id", "job_id"),
        defaults={"via": ExportVia.WEB, "layout": "consult", "created_at": utcnow},
    )
)
