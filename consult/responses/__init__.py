"""Responses: consultations, invitations, the answering flow, receipts, assisted entry."""

from flask import Blueprint, Flask

bp = Blueprint("responses", __name__, template_folder="templates")


def init_app(app: Flask) -> None:
    """Register the responses blueprint, its CLI, its demo step and the territory link."""
    from flask_babel import lazy_gettext as _l

    from consult.accounts.navigation import register_territory_link
    from consult.responses import cli, demo, models, views_answer, views_invitations, views_official, views_receipt  # noqa: F401,E501

    register_territory_link("responses.consultations", _l("Consultations"))
    # Assisted entry, bulk import, capture signals; the synthetic answers' demo step runs after "responses".
    from consult.responses import capture_models, demo_synthetic, views_capture, views_facilitator, views_import  # noqa: F401
    # An organisation's part of the home page, and its "answer through our invitation" route.
    from consult.accounts.homes import register_home_section
    from consult.responses import views_organisation

    register_home_section("organisation", "responses/home_organisation.html", views_organisation.organisation_home)

    register_territory_link("responses.entry_setup", _l("Enter paper or assisted answers"))
    app.register_blueprint(bp)
    app.cli.add_command(cli.responses_cli)
