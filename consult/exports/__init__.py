"""Exports: consultation summaries, open data, response data and testimony excerpts.

This room sits at the top (DESIGN.md): it reads analysis results and the
collection rooms' query doors and writes files. Every export checks the role
and territory of who asks, is written to the audit log (who, what, when — never
the content), streams its rows, and runs in the background when it would take
more than a couple of seconds (RQ on Redis when configured, a thread otherwise).
"""

from flask import Blueprint, Flask

bp = Blueprint("exports", __name__, template_folder="templates")


def init_app(app: Flask) -> None:
    """Register the exports blueprint and its command line."""
    # Every module that attaches routes or hooks to ``bp`` is imported here, and
    # only here (tests/core/test_rooms.py holds each room to it). Inside the
    # function because those modules import ``bp`` from this package.
    from consult.exports import (  # noqa: F401  (the CLI, the tables)
        cli,
        models,
        views,  # noqa: F401
    )

    app.register_blueprint(bp)
    app.cli.add_command(cli.exports_cli)
