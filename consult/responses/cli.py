"""``flask --app consult responses …`` commands."""

from __future__ import annotations

import click
from flask.cli import with_appcontext

from consult.extensions import db


@click.group("responses")
def responses_cli() -> None:
    """Answers to consultations."""


@responses_cli.command("purge-drafts")
@with_appcontext
def purge_drafts() -> None:
    """Delete answers in progress whose time has run out (run it daily, e.g. from cron)."""
    from consult.responses.drafts import purge_expired

    count = purge_expired()
    db.session.commit()
    click.echo(f"{count} expired drafts deleted.")
