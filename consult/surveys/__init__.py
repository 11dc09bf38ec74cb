"""Surveys: instrument definitions, rules, paths, content translation, XLSForm."""

from flask import Blueprint, Flask

bp = Blueprint("surveys", __name__, template_folder="templates")


def init_app(app: Flask) -> None:
    """Register the surveys blueprint, its CLI, its demo step and its link on territory pages."""
    from flask_babel import lazy_gettext as _l

    from consult.accounts.navigation import register_territory_link
    from consult.surveys import cli, demo, models, views  # noqa: F401  (views registers routes, demo its seed step)

    register_territory_link("surveys.instruments", _l("Instruments"))
    app.register_blueprint(bp)
    app.cli.add_command(cli.surveys_cli)
