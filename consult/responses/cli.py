"""``flask --app consult responses …`` commands."""

from __future__ import annotations

import click
from flask.cli import with_appcontext
from sqlalchemy import select

from consult.extensions import db
from consult.responses import import_store
from consult.responses.drafts import purge_expired
from consult.responses.models import Consultation
from consult.responses.paths_backfill import fill_missing

# The command line is the top of the application: it may reach the testimonies room above this one.
from consult.testimonies.asked_backfill import fill_missing as fill_missing_testimonies


@click.group("responses")
def responses_cli() -> None:
    """Answers to consultations."""


@responses_cli.command("purge-drafts")
@with_appcontext
def purge_drafts() -> None:
    """Delete answers in progress whose time has run out (run it daily, e.g. from cron)."""
    count = purge_expired()
    db.session.commit()
    click.echo(f"{count} expired drafts deleted.")
    # Checked import files wait an hour for their import; any left behind go with the drafts.
    click.echo(f"{import_store.purge_expired()} expired checked import files deleted.")


@responses_cli.command("fill-asked")
@with_appcontext
def fill_asked() -> None:
    """Record what was asked for responses and testimonies stored before asked sets existed (safe to run again)."""
    responses = testimonies = 0
    for consultation_id in db.session.scalars(select(Consultation.id).order_by(Consultation.id)).all():
        responses += fill_missing(consultation_id)
        testimonies += fill_missing_testimonies(consultation_id)
        db.session.commit()
    click.echo(f"asked sets recorded: {responses} responses, {testimonies} testimonies.")
