"""Surveys: instrument definitions, rules, paths, content translation, XLSForm."""

from flask import Blueprint, Flask
from flask_babel import lazy_gettext as _l

from consult.accounts.navigation import register_territory_link

bp = Blueprint("surveys", __name__, template_folder="templates")


def init_app(app: Flask) -> None:
    """Register the surveys blueprint, its CLI, its demo step and its link on territory pages."""
    # Every module that attaches routes or hooks to ``bp`` is imported here, and
    # only here (tests/core/test_rooms.py holds each room to it). Inside the
    # function because those modules import ``bp`` from this package.
    from consult.surveys import cli, demo, models, views, views_preview, views_texts  # noqa: F401  # noqa: F401  (the CLI, the seed step, the tables)

    register_territory_link("surveys.instruments", _l("Instruments"))
    app.register_blueprint(bp)
    app.cli.add_command(cli.surveys_cli)
