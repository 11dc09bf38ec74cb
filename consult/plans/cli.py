"""``flask plans …``: keep the shipped action library in the database."""

from __future__ import annotations

import click
from flask.cli import with_appcontext

from consult.extensions import db
from consult.plans import library


@click.group("plans")
def plans_cli() -> None:
    """Action plans."""


@plans_cli.command("library")
@with_appcontext
def library_command() -> None:
    """Insert or refresh the action library shipped with consult (after an upgrade); admin-added actions
    are untouched.
    """

    library.ensure_shipped()
    db.session.commit()
    click.echo("Action library up to date: %d shipped actions." % len(library.shipped_actions()))
