"""``flask --app consult demo seed``: a demo that is the same every time.

Each room adds a step with ``demo_step(name, after=(...))``, naming the steps
whose data it needs. ``seed_demo`` runs them in dependency order (a topological
sort; among steps whose needs are met, by name), so the order never depends on
which module happened to be imported first. Each step must be idempotent: it
finds what it made before instead of making it twice.

The order today: accounts, action library, surveys, responses, synthetic
responses, closed consultation, testimonies (``step_order()`` says it).
"""

from __future__ import annotations

from dataclasses import dataclass
from graphlib import TopologicalSorter
from typing import Callable

import click
from flask import Flask, current_app
from flask.cli import with_appcontext
from sqlalchemy import text

from consult.extensions import db

DEMO_PASSWORD = "consult-demo-2026"

#: Logins printed at the end of the seed: (role, email).
DEMO_LOGINS: list[tuple[str, str]] = []


@dataclass(frozen=True)
class DemoStep:
    """One step of the demo seed: its name, what it runs and the steps it needs first."""

    name: str
    run: Callable[[], None]
    after: tuple[str, ...] = ()


_STEPS: dict[str, DemoStep] = {}


def demo_step(name: str, after: tuple[str, ...] = ()) -> Callable[[Callable[[], None]], Callable[[], None]]:
    """Register ``name`` as a step of the demo seed that runs once every step in ``after`` has run."""

    def decorator(run: Callable[[], None]) -> Callable[[], None]:
        _STEPS.setdefault(name, DemoStep(name, run, tuple(after)))
        return run

    return decorator


def step_order(steps: dict[str, DemoStep] | None = None) -> list[str]:
    """The names of ``steps`` (default: every registered step) in the order they run.

    Each step comes after the steps it names in ``after``; among the steps
    ready at the same time the alphabetically first goes first, so the order
    does not depend on the order of registration. Raises ``ValueError`` for a
    step that needs one nobody registered, ``graphlib.CycleError`` for a cycle.
    """
    steps = _STEPS if steps is None else steps
    for step in steps.values():
        missing = [need for need in step.after if need not in steps]
        if missing:
            raise ValueError(f"demo step {step.name!r} needs {', '.join(map(repr, missing))}, which no room registers")
    sorter = TopologicalSorter({step.name: step.after for step in steps.values()})
    sorter.prepare()
    ready: list[str] = []
    order = []
    while sorter.is_active():
        ready = sorted([*ready, *sorter.get_ready()])
        name = ready.pop(0)
        order.append(name)
        sorter.done(name)
    return order


def seed_demo() -> list[str]:
    """Run every demo step in dependency order; returns the names of the steps run."""
    ran = []
    for name in step_order():
        _STEPS[name].run()
        db.session.commit()
        ran.append(name)
    refresh_statistics()
    return ran


def refresh_statistics() -> None:
    """Let PostgreSQL's planner see the rows a bulk load just wrote.

    The seed writes thousands of rows into tables that were empty a moment
    before; until autovacuum gets round to them, the planner plans the
    analysis's joins for empty tables (nested loops over thousands of rows: a
    salience or remedy page then takes seconds instead of milliseconds).
    ``ANALYZE`` refreshes the statistics at once; SQLite needs nothing.
    """
    if db.engine.dialect.name == "postgresql":
        db.session.execute(text("ANALYZE"))
        db.session.commit()


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
    demo modules, which register their steps; ``seed_demo`` orders them by what
    each needs, not by when it was registered."""
    # The closed consultation's step lives with the responses but reaches into the
    # testimonies and analysis rooms, so it is registered here, above every room
    # (imported here, not at the top: it imports this module for ``demo_step``).
    from consult.responses import demo_closed  # noqa: F401

    app.cli.add_command(demo_cli)
