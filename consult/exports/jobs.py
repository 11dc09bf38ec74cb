"""Exports as background jobs: start, run, wait a little, download, expire.

An export asked for on the web becomes an ``ExportJob`` bound to the account
that asked, and a line in the audit log. It then runs

* on RQ when ``CONSULT_JOBS_REDIS_URL`` is set (the production setting): the
  web process enqueues ``consult.exports.jobs.run_job(job_id)`` and
  ``flask --app consult exports worker`` runs it;
* otherwise in a daemon thread of the web process, with an application context
  (and so a database session) of its own.

The view waits a couple of seconds: a small export is sent straight away, a
large one shows its job page, which refreshes itself until the file is ready.
Files are written under a temporary name and renamed when complete, so a
download never sees half a file; they expire after ``CONSULT_EXPORT_HOURS``
and are deleted by ``flask exports purge`` and whenever a new job starts.
"""

from __future__ import annotations

import logging
import os
import threading
import time
from dataclasses import dataclass
from datetime import timedelta
from pathlib import Path
from typing import Any, BinaryIO, Optional

from flask import current_app, has_app_context
from flask_babel import gettext as _
from sqlalchemy import select, update
from sqlalchemy.exc import SQLAlchemyError
from sqlalchemy.orm import selectinload

from consult import create_app
from consult.accounts.models import User
from consult.analysis.services import has_analysis
from consult.core.db import utcnow
from consult.exports import catalogue
from consult.exports.catalogue import Kind
from consult.exports.models import ExportEvent, ExportJob, ExportOutcome, ExportVia, JobStatus
from consult.exports.progress import Progress
from consult.extensions import db
from consult.responses.models import Consultation

logger = logging.getLogger(__name__)

#: At most one progress write per this many seconds (a job row is not a counter to hammer).
PROGRESS_INTERVAL = 0.5
#: RQ stops a job after this long; a million responses as SAV takes minutes, not hours.
RQ_JOB_TIMEOUT = 6 * 3600


class ExportRefused(ValueError):
    """An export that cannot be made as asked; ``field`` names the form field at fault."""

    def __init__(self, field: str, message: str) -> None:
        super().__init__(message)
        self.field = field
        self.message = message


@dataclass(frozen=True)
class Choice:
    """A checked request for an export: the kind and what was chosen."""

    kind: Kind
    fmt: str
    layout: str
    lang: str


# -- what may be exported ---------------------------------------------------------------------------


def check_choice(
    consultation: Consultation, kind_code: str, fmt: str, layout: Optional[str], lang: Optional[str]
) -> Choice:
    """The checked choice, or ``ExportRefused`` with a translated reason and the field at fault.

    Checks what is asked, not who asks (``Kind.may_export`` does that).
    """
    kind = catalogue.get(kind_code or "")
    if kind is None:
        raise ExportRefused("kind", _("There is no such export."))
    if fmt not in kind.formats:
        raise ExportRefused("format", _("Choose one of the formats offered."))
    layout = layout or kind.default_layout
    if layout not in kind.layouts:
        raise ExportRefused("layout", _("Choose one of the layouts offered."))
    if not kind.allows(fmt, layout):
        raise ExportRefused("layout", _("This layout can only be written as CSV or XLSX."))
    languages = catalogue.languages_of(consultation)
    lang = lang or consultation.fallback_language
    if lang not in languages:
        raise ExportRefused("lang", _("Choose one of the consultation's languages."))
    if kind.needs_responses and not has_analysis(consultation):
        raise ExportRefused("kind", _("No responses have been counted yet, so there is nothing to summarise."))
    return Choice(kind, fmt, layout, lang)


def write_export(
    consultation: Consultation, choice: Choice, out: BinaryIO, *, user: Any = None, progress: Optional[Progress] = None
) -> None:
    """Write the export ``choice`` of ``consultation`` to ``out`` (the web jobs and the command line both use this)."""
    choice.kind.writer(
        consultation, choice.fmt, out, lang=choice.lang, layout=choice.layout, user=user, progress=progress
    )


def record_event(
    consultation: Consultation,
    choice: Choice,
    *,
    user: Optional[User],
    job: Optional[ExportJob] = None,
    outcome: ExportOutcome = ExportOutcome.STARTED,
) -> ExportEvent:
    """Add a line to the export audit log (not committed): who, what, when — never the content."""
    event = ExportEvent(
        user_id=user.id if user is not None else None,
        via=ExportVia.WEB if user is not None else ExportVia.COMMAND_LINE,
        territory_id=consultation.territory_id,
        consultation_id=consultation.id,
        job_id=job.id if job is not None else None,
        kind=choice.kind.code,
        fmt=choice.fmt,
        layout=choice.layout,
        lang=choice.lang,
        outcome=outcome,
    )
    db.session.add(event)
    return event


# -- starting and running ---------------------------------------------------------------------------


def exports_dir() -> Path:
    """The folder exported files wait in (made when missing)."""
    folder = Path(current_app.config.get("CONSULT_EXPORTS_DIR") or Path(current_app.instance_path) / "exports")
    folder.mkdir(parents=True, exist_ok=True)
    return folder


def start_export(user: User, consultation: Consultation, choice: Choice) -> ExportJob:
    """Record and start the export ``choice`` for ``user``; returns the job (queued, committed).

    The caller has checked that ``user`` may make this export.
    """
    try:
        purge_expired()
    except (OSError, SQLAlchemyError):  # housekeeping must never stop an export
        db.session.rollback()
        logger.exception("purging expired exports failed")
    hours = int(current_app.config.get("CONSULT_EXPORT_HOURS", 24))
    job = ExportJob(
        user_id=user.id,
        territory_id=consultation.territory_id,
        consultation_id=consultation.id,
        kind=choice.kind.code,
        fmt=choice.fmt,
        layout=choice.layout,
        lang=choice.lang,
        status=JobStatus.QUEUED,
        file_name=catalogue.file_name(consultation, choice.kind, choice.fmt, choice.layout, choice.lang),
        expires_at=utcnow() + timedelta(hours=hours),
    )
    db.session.add(job)
    db.session.flush()
    record_event(consultation, choice, user=user, job=job)
    db.session.commit()
    dispatch(job.id)
    return job


def uses_queue() -> bool:
    """True when jobs go to RQ (a Redis URL is configured), False when they run in a thread."""
    return bool(current_app.config.get("CONSULT_JOBS_REDIS_URL"))


def queue(connection=None):
    """The RQ queue of export jobs (``CONSULT_JOBS_QUEUE`` on ``CONSULT_JOBS_REDIS_URL``)."""
    from redis import Redis  # only with a queue configured
    from rq import Queue

    connection = connection or Redis.from_url(current_app.config["CONSULT_JOBS_REDIS_URL"])
    return Queue(current_app.config.get("CONSULT_JOBS_QUEUE") or "consult-exports", connection=connection)


def dispatch(job_id: str) -> None:
    """Hand the job to RQ, or to a thread when no queue is configured."""
    if uses_queue():
        try:
            queue().enqueue(
                "consult.exports.jobs.run_job",
                job_id,
                job_id=f"export-{job_id}",
                job_timeout=RQ_JOB_TIMEOUT,
                result_ttl=0,
                failure_ttl=24 * 3600,
            )
        except Exception:  # noqa: BLE001 — Redis down: the person gets a failed job, the log the cause
            logger.exception("could not enqueue export job")
            _finish(job_id, JobStatus.FAILED, error_code="queue")
        return
    app = current_app._get_current_object()  # type: ignore[attr-defined]
    threading.Thread(target=_run_in_thread, args=(app, job_id), name=f"export-{job_id[:8]}", daemon=True).start()


def _run_in_thread(app, job_id: str) -> None:
    # Its own application context: Flask-SQLAlchemy sessions belong to one context, never shared across threads.
    try:
        with app.app_context():
            run_job(job_id)
    except Exception:  # noqa: BLE001 — a thread's exception would otherwise vanish
        logger.exception("export job %s crashed", job_id)


class JobProgress:
    """A progress callback that writes to the job row at most every ``PROGRESS_INTERVAL`` seconds.

    It writes on a connection of its own, so the writer's streaming query (a
    server-side cursor on PostgreSQL) is never disturbed by a commit. Progress
    is best effort: a write that cannot get the database is skipped.
    """

    def __init__(self, job_id: str, interval: float = PROGRESS_INTERVAL) -> None:
        self.job_id = job_id
        self.interval = interval
        self.last = 0.0
        self.failures = 0
        self.writes = 0

    def __call__(self, done: int, total: int) -> None:
        now = time.monotonic()
        if now - self.last < self.interval or self.failures >= 3:
            return
        self.last = now
        try:
            with db.engine.begin() as connection:
                if connection.dialect.name == "sqlite":
                    # The writer's own session may hold SQLite's write lock (excerpts audit their opening):
                    # skip this update rather than stall the export for the usual five seconds.
                    connection.exec_driver_sql("PRAGMA busy_timeout=100")
                try:
                    connection.execute(
                        update(ExportJob)
                        .where(ExportJob.id == self.job_id)
                        .values(progress_done=int(done), progress_total=int(total or 0))
                    )
                finally:
                    if connection.dialect.name == "sqlite":
                        connection.exec_driver_sql("PRAGMA busy_timeout=5000")
            self.writes += 1
        except SQLAlchemyError:
            self.failures += 1


def run_job(job_id: str) -> None:
    """Write the file of job ``job_id`` (the RQ entry point; threads call it too).

    Safe to call twice: only a queued job runs. Any failure marks the job failed
    with a sentence for the person; the traceback goes to the log only.
    """
    if not has_app_context():
        # A plain ``rq worker`` (not ``flask exports worker``) has no application: make one.
        with create_app().app_context():
            return run_job(job_id)
    claimed = db.session.execute(
        update(ExportJob)
        .where(ExportJob.id == job_id, ExportJob.status == JobStatus.QUEUED)
        .values(status=JobStatus.RUNNING)
    ).rowcount
    db.session.commit()
    if not claimed:
        return
    job = db.session.get(ExportJob, job_id)
    if job is None:
        return
    consultation = db.session.get(Consultation, job.consultation_id)
    kind = catalogue.get(job.kind)
    if consultation is None or kind is None:
        _finish(job_id, JobStatus.FAILED, error_code="gone")
        return
    user = db.session.get(User, job.user_id)
    territory = consultation.territory
    if user is None or not user.is_active or not kind.may_export(user, territory):
        _finish(job_id, JobStatus.FAILED, error_code="not_allowed")
        return
    choice = Choice(kind, job.fmt, job.layout, job.lang)
    extension = kind.file_type(job.fmt, job.layout).extension
    folder = exports_dir()
    name = f"{job.id}.{extension}"
    partial = folder / f".{job.id}.part"
    progress = JobProgress(job.id)
    try:
        with open(partial, "wb") as out:
            write_export(consultation, choice, out, user=user, progress=progress)
        os.replace(partial, folder / name)
        db.session.commit()  # what the writer recorded (excerpts audit their opening)
    except Exception:  # noqa: BLE001 — any writer failure becomes a failed job, never a crash
        db.session.rollback()
        logger.exception("export job %s (%s/%s) failed", job_id, job.kind, job.fmt)
        partial.unlink(missing_ok=True)
        _finish(job_id, JobStatus.FAILED, error_code="failed")
        return
    _finish(job_id, JobStatus.DONE, path=name, size=(folder / name).stat().st_size)


def _finish(
    job_id: str, status: JobStatus, *, path: str | None = None, size: int | None = None, error_code: str | None = None
) -> None:
    """Mark the job finished and its audit line with the outcome."""
    hours = int(current_app.config.get("CONSULT_EXPORT_HOURS", 24))
    now = utcnow()
    job = db.session.get(ExportJob, job_id, populate_existing=True)
    if job is None:
        return
    job.status = status
    job.finished_at = now
    job.error_code = error_code
    if status == JobStatus.DONE:
        job.path, job.size = path, size
        job.progress_done = max(job.progress_done, job.progress_total)
        # The file is kept for the full period from when it is ready, however long it took.
        job.expires_at = now + timedelta(hours=hours)
    outcome = ExportOutcome.DONE if status == JobStatus.DONE else ExportOutcome.FAILED
    db.session.execute(update(ExportEvent).where(ExportEvent.job_id == job_id).values(outcome=outcome))
    db.session.commit()


# -- waiting, opening, downloading ------------------------------------------------------------------


def wait_for(job_id: str, seconds: float) -> Optional[ExportJob]:
    """The job once it has finished, or as it is after ``seconds``."""
    deadline = time.monotonic() + max(0.0, seconds)
    while True:
        # End the read transaction each time: SQLite (WAL) and PostgreSQL snapshots would hide the job's progress.
        db.session.commit()
        status = db.session.scalar(select(ExportJob.status).where(ExportJob.id == job_id))
        if status in (None, JobStatus.DONE, JobStatus.FAILED) or time.monotonic() >= deadline:
            break
        time.sleep(0.05)
    return db.session.get(ExportJob, job_id, populate_existing=True)


def may_open(job: Optional[ExportJob], user: Any, territory) -> bool:
    """True when ``user`` may see ``job``: they asked for it, in ``territory``, and may still make that export."""
    if job is None or not user.is_authenticated or job.user_id != user.id or job.territory_id != territory.id:
        return False
    kind = catalogue.get(job.kind)
    return kind is not None and kind.may_export(user, territory)


def file_path(job: ExportJob) -> Optional[Path]:
    """Where the job's finished file is, or None when there is none (not ready, failed, expired, purged)."""
    if job.status != JobStatus.DONE or not job.path or job.is_expired:
        return None
    path = exports_dir() / job.path
    return path if path.is_file() else None


def mimetype(job: ExportJob) -> str:
    """The media type of the job's file."""
    kind = catalogue.get(job.kind)
    return kind.file_type(job.fmt, job.layout).mimetype if kind else "application/octet-stream"


def recent_jobs(user: User, consultation: Consultation, limit: int = 10) -> list[ExportJob]:
    """The account's latest jobs for ``consultation``, newest first."""
    return list(
        db.session.scalars(
            select(ExportJob)
            .where(ExportJob.user_id == user.id, ExportJob.consultation_id == consultation.id)
            .order_by(ExportJob.created_at.desc())
            .limit(limit)
        )
    )


def recent_events(consultation: Consultation, limit: int = 20) -> list[ExportEvent]:
    """The consultation's latest export audit lines, newest first, with who made them."""
    return list(
        db.session.scalars(
            select(ExportEvent)
            .where(ExportEvent.consultation_id == consultation.id)
            .options(selectinload(ExportEvent.user))
            .order_by(ExportEvent.created_at.desc(), ExportEvent.id.desc())
            .limit(limit)
        )
    )


# -- expiry ---------------------------------------------------------------------------------------


def purge_expired(now=None) -> int:
    """Delete the files of expired jobs, fail jobs that never finished, and sweep stray files; returns files deleted."""
    now = now or utcnow()
    folder = exports_dir()
    deleted = 0
    for job in list(
        db.session.scalars(select(ExportJob).where(ExportJob.expires_at <= now, ExportJob.path.is_not(None)))
    ):
        (folder / job.path).unlink(missing_ok=True)
        job.path = None
        deleted += 1
    # A job still queued or running at its expiry was lost (a restarted process, a dead worker).
    for job in list(
        db.session.scalars(
            select(ExportJob).where(
                ExportJob.expires_at <= now, ExportJob.status.in_((JobStatus.QUEUED, JobStatus.RUNNING))
            )
        )
    ):
        job.status = JobStatus.FAILED
        job.error_code = "interrupted"
        job.finished_at = now
        db.session.execute(update(ExportEvent).where(ExportEvent.job_id == job.id).values(outcome=ExportOutcome.FAILED))
    db.session.commit()
    # Files nobody points at any more (a crash between writing and recording), once older than the expiry period.
    hours = int(current_app.config.get("CONSULT_EXPORT_HOURS", 24))
    cutoff = time.time() - hours * 3600
    kept = set(db.session.scalars(select(ExportJob.path).where(ExportJob.path.is_not(None))))
    for entry in folder.iterdir():
        if entry.is_file() and entry.name not in kept and entry.stat().st_mtime < cutoff:
            entry.unlink(missing_ok=True)
            deleted += 1
    return deleted
