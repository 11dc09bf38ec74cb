"""Surveys: instrument definitions, rules, paths, content translation, XLSForm."""

from flask import Blueprint, Flask
from flask_babel import lazy_gettext as _l

from consult.accounts.navigation import register_territory_link
from consult.core.uploads_memory import accept_recordings

bp = Blueprint("surveys", __name__, template_folder="templates")


def init_app(app: Flask) -> None:
    """Register the surveys blueprint, its CLI, its demo step and its link on territory pages."""
    # Every module that attaches routes or hooks to ``bp`` is imported here, and
    # only here (tests/core/test_rooms.py holds each room to it). Inside the
    # function because those modules import ``bp`` from this package.
    from consult.surveys import (  # noqa: F401  (the CLI, the seed step, the tables, the routes)
        audio_models,
        cli,
        demo,
        models,
        pictograms,
        prompts,
        views,
        views_audio,
        views_preview,
        views_texts,
    )

    register_territory_link("surveys.instruments", _l("Instruments"))
    # Its form takes a recording: the recording size limit, not the general one.
    accept_recordings("surveys.audio_prompts")
    app.register_blueprint(bp)
    # Used by surveys/_questions.html, which other rooms' pages import without their context.
    app.jinja_env.globals["audio_listener"] = prompts.listener
    app.jinja_env.globals["prompt_path"] = prompts.page_path
    app.jinja_env.globals["prompt_option_path"] = prompts.option_path
    app.jinja_env.globals["pictogram_for"] = pictograms.pictogram_for
    app.cli.add_command(cli.surveys_cli)
