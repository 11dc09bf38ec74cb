"""``flask --app consult demo seed``: a demo that is the same every time.

Each room adds a step with ``demo_step``; steps run in the order registered
(rooms register from the bottom of DESIGN.md up) and each must be idempotent:
it finds what it made before instead of making it twice.
"""

from __future__ import annotations

from typing import Callable

import click
from flask import Flask, current_app
from flask.cli import with_appcontext

from consult.extensions import db

DEMO_PASSWORD = "consult-demo-2026"

#: Logins printed at the end of the seed: (role, email).
DEMO_LOGINS: list[tuple[str, str]] = []

_STEPS: list[tuple[str, Callable[[], None]]] = []


def demo_step(name: str) -> Callable[[Callable[[], None]], Callable[[], None]]:
    """Register ``name`` as a step of the demo seed."""

    def decorator(step: Callable[[], None]) -> Callable[[], None]:
        if all(existing != name for existing, _ in _STEPS):
            _STEPS.append((name, step))
        return step

    return decorator


def seed_demo() -> list[str]:
    """Run every demo step; returns the names of the steps run."""
    ran = []
    for name, step in _STEPS:
        step()
        db.session.commit()
        ran.append(name)
    return ran


@click.group("demo")
def demo_cli() -> None:
    """The demonstration territory and consultation."""


@demo_cli.command("seed")
@click.option("--force", is_flag=True, help="Allow seeding in production (never do this with real data).")
@with_appcontext
def seed_command(force: bool) -> None:
    """Create the demo territories, people and data (idempotent)."""
    if current_app.config["CONSULT_ENV"] == "production" and not force:
        raise click.ClickException("Refusing to seed demo data in production (use --force on a throw-away database).")
    seed_demo()
    click.echo("Demo ready. Logins (password for all: %s):" % DEMO_PASSWORD)
    for role, email in DEMO_LOGINS:
        click.echo(f"  {role:<40} {email}")


def init_app(app: Flask) -> None:
    """Register the ``demo`` CLI group. Each room's ``init_app`` imports its own
    ``demo`` module, which registers its step; rooms initialise bottom-up, so
    steps run in that order."""
    app.cli.add_command(demo_cli)
