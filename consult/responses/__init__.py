"""Responses: consultations, invitations, the answering flow, receipts, assisted entry."""

from flask import Blueprint, Flask
from flask_babel import lazy_gettext as _l

from consult.accounts.homes import register_home_section
from consult.accounts.languages import register_language_use
from consult.accounts.navigation import register_territory_link
from consult.core.uploads_memory import accept_recordings

bp = Blueprint("responses", __name__, template_folder="templates")


def init_app(app: Flask) -> None:
    """Register the responses blueprint, its CLI, its demo steps, the territory links and the
    organisation's home part.
    """
    # Every module that attaches routes or hooks to ``bp`` is imported here, and
    # only here (tests/core/test_rooms.py holds each room to it). Inside the
    # function because those modules import ``bp`` from this package.
    # The CLI, the tables, and the seed steps ("responses", then "synthetic responses";
    # the closed consultation's step reaches into upper rooms and is registered by consult.demo).
    from consult.responses import (  # noqa: F401  # noqa: F401
        capture_models,
        cli,
        demo,
        demo_synthetic,
        models,
        recordings,
        services,
        views_answer,
        views_capture,
        views_facilitator,
        views_import,
        views_invitations,
        views_official,
        views_offline,
        views_organisation,
        views_receipt,
        views_recordings,
    )

    register_territory_link("responses.consultations", _l("Consultations"))
    # Its form takes a recording: the recording size limit, not the general one.
    accept_recordings("responses.answer_page")
    # A territory's language stays while a consultation offers it.
    register_language_use(services.consultations_using_language)
    register_territory_link("responses.entry_setup", _l("Enter paper or assisted answers"))
    # An organisation's part of the home page, and its "answer through our invitation" route.
    register_home_section("organisation", "responses/home_organisation.html", views_organisation.organisation_home)
    app.register_blueprint(bp)
    app.cli.add_command(cli.responses_cli)
