"""``flask --app consult exports …``: write exports from the command line, run the job worker, purge old files.

    flask --app consult exports summary CONSULTATION --format xlsx|csv|pdf|datapackage --lang es --out PATH
    flask --app consult exports responses CONSULTATION --format csv|xlsx|sav [--layout consult|kobo] [--lang es]
        --out PATH
    flask --app consult exports excerpts CONSULTATION --format csv|xlsx --lang es --out PATH
    flask --app consult exports worker     # runs queued export jobs (RQ, CONSULT_JOBS_REDIS_URL)
    flask --app consult exports purge      # deletes expired export files

CONSULTATION is a consultation's slug or id. A progress bar goes to stderr.
Command-line exports are written to the audit log as made on the command line.
"""

from __future__ import annotations

import os
import sys
from pathlib import Path
from typing import Optional

import click
from flask.cli import with_appcontext
from sqlalchemy import select

from consult.exports import catalogue, jobs
from consult.exports.models import ExportOutcome
from consult.extensions import db
from consult.responses.models import Consultation


@click.group("exports")
def exports_cli() -> None:
    """Consultation summaries, open data, response data and excerpts as files."""


def find_consultation(reference: str) -> Consultation:
    """The consultation whose slug (or id) is ``reference``; a usage error when there is none."""
    consultation = db.session.scalar(select(Consultation).where(Consultation.slug == reference))
    if consultation is None and reference.isdigit():
        consultation = db.session.get(Consultation, int(reference))
    if consultation is None:
        raise click.BadParameter(f"no consultation has the slug or id {reference!r}", param_hint="CONSULTATION")
    return consultation


class _Bar:
    """Drives a click progress bar (on stderr) from a writer's ``(done, total)`` callback."""

    def __init__(self, label: str) -> None:
        self.label = label
        self.bar = None
        self.done = 0

    def __call__(self, done: int, total: int) -> None:
        if self.bar is None:
            self.bar = click.progressbar(length=max(total, 1), label=self.label, file=sys.stderr)
            self.bar.__enter__()
        elif total and self.bar.length != total:
            self.bar.length = total
        step = max(0, done - self.done)
        self.done = max(self.done, done)
        if step:
            self.bar.update(step)

    def close(self) -> None:
        if self.bar is not None:
            self.bar.__exit__(None, None, None)


def _export(kind_code: str, reference: str, fmt: str, lang: Optional[str], layout: Optional[str], out: str) -> None:
    consultation = find_consultation(reference)
    try:
        choice = jobs.check_choice(consultation, kind_code, fmt, layout, lang)
    except jobs.ExportRefused as refused:
        hint = {
            "format": "--format",
            "layout": "--layout",
            "lang": "--lang",
        }.get(refused.field)
        if refused.field == "lang":
            message = f"{refused.message} ({', '.join(catalogue.languages_of(consultation))})"
        else:
            message = refused.message
        raise click.BadParameter(message, param_hint=hint) if hint else click.UsageError(message)
    event = jobs.record_event(consultation, choice, user=None)
    db.session.commit()
    target = Path(out)
    partial = target.with_name(f".{target.name}.part")
    bar = _Bar(f"{choice.kind.code} {choice.fmt} {choice.lang}")
    try:
        with open(partial, "wb") as handle:
            jobs.write_export(consultation, choice, handle, user=None, progress=bar)
        os.replace(partial, target)
        bar.close()
    except BaseException:
        bar.close()
        partial.unlink(missing_ok=True)
        db.session.rollback()
        event.outcome = ExportOutcome.FAILED
        db.session.commit()
        raise
    db.session.commit()
    event.outcome = ExportOutcome.DONE
    db.session.commit()
    click.echo(f"Wrote {target} ({target.stat().st_size} bytes).")


def _options(kind_code: str, with_layout: bool = False):
    kind = catalogue.get(kind_code)
    formats = list(kind.formats) if kind else []

    def decorate(command):
        command = click.option(
            "--out", "out", required=True, type=click.Path(dir_okay=False, writable=True), help="The file to write."
        )(command)
        if with_layout:
            command = click.option(
                "--layout",
                default=None,
                help="consult (default) or kobo, the layout of KoboToolbox/ODK exports (csv and xlsx only).",
            )(command)
        command = click.option(
            "--lang", default=None, help="A language of the consultation (default: its fallback language)."
        )(command)
        command = click.option("--format", "fmt", required=True, help=f"One of: {', '.join(formats)}.")(command)
        return click.argument("consultation")(command)

    return decorate


@exports_cli.command("summary")
@_options("summary")
@with_appcontext
def summary_command(consultation: str, fmt: str, lang: Optional[str], out: str) -> None:
    """Write a consultation summary (suppressed results) as xlsx, csv (ZIP), pdf or datapackage (ZIP)."""
    _export("summary", consultation, fmt, lang, None, out)


@exports_cli.command("responses")
@_options("responses", with_layout=True)
@with_appcontext
def responses_command(consultation: str, fmt: str, lang: Optional[str], layout: Optional[str], out: str) -> None:
    """Write the response data as csv (ZIP), xlsx or sav (ZIP)."""
    _export("responses", consultation, fmt, lang, layout, out)


@exports_cli.command("excerpts")
@_options("excerpts")
@with_appcontext
def excerpts_command(consultation: str, fmt: str, lang: Optional[str], out: str) -> None:
    """Write the approved, redacted testimony excerpts as csv or xlsx."""
    _export("excerpts", consultation, fmt, lang, None, out)


@exports_cli.command("worker")
@click.option("--burst", is_flag=True, help="Stop when the queue is empty.")
@with_appcontext
def worker_command(burst: bool) -> None:
    """Run queued export jobs (needs CONSULT_JOBS_REDIS_URL). Run as many as the machine can take."""
    if not jobs.uses_queue():
        raise click.UsageError(
            "CONSULT_JOBS_REDIS_URL is not set: exports run in the web process, no worker is needed."
        )
    from rq import SimpleWorker  # only with a queue configured

    queue = jobs.queue()
    # SimpleWorker runs each job in this process, inside this application context (no fork per job).
    SimpleWorker([queue], connection=queue.connection).work(burst=burst, with_scheduler=False)


@exports_cli.command("purge")
@with_appcontext
def purge_command() -> None:
    """Delete the files of expired exports (and fail jobs that were lost)."""
    deleted = jobs.purge_expired()
    click.echo(f"Deleted {deleted} expired export file(s) from {jobs.exports_dir()}.")
