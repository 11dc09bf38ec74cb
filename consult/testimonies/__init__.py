"""Testimonies: safe intake of remedy testimonies, encryption, consent, moderation."""

from flask import Blueprint, Flask
from flask_babel import lazy_gettext as _l

from config import ConfigError
from consult.accounts.homes import register_home_section
from consult.accounts.navigation import register_territory_link
from consult.core.uploads_memory import accept_recordings

bp = Blueprint("testimonies", __name__, template_folder="templates")


def init_app(app: Flask) -> None:
    """Install the key ring (refusing to start on a malformed one), register views, CLI and links."""
    # Every module that attaches routes or hooks to ``bp`` is imported here, and
    # only here (tests/core/test_rooms.py holds each room to it). Inside the
    # function because those modules import ``bp`` from this package.
    from consult.testimonies import (  # noqa: F401  (imported for their routes; demo: the seed step)
        cli,
        crypto,
        demo,
        homes,
        models,
        presenting,
        views_cso,
        views_public,
        views_staff,
        views_voice,
    )

    try:
        crypto.install_keyring(app, app.config.get("CONSULT_TESTIMONY_KEYS", ""))
    except crypto.KeyConfigError as error:
        raise ConfigError(f"{error}. Set CONSULT_TESTIMONY_KEYS (see README, Configuration).") from None
    register_territory_link("testimonies.queue", _l("Testimonies"))
    # Its form takes a recording: the recording size limit, not the general one.
    accept_recordings("testimonies.page")
    register_territory_link("testimonies.excerpts", _l("Testimony excerpts and counts"))
    register_territory_link("testimonies.routes", _l("Protection routes"))
    register_territory_link("testimonies.settings", _l("Testimony settings"))
    register_territory_link("testimonies.audit_log", _l("Who read testimonies"))
    # The CSO's part of the home page (accounts sits below this room and cannot look testimonies up),
    # and the consent lines every testimony page shows in the page's language.
    register_home_section("cso", "testimonies/home_cso.html", homes.cso_home)
    app.add_template_global(presenting.consent_lines, "consent_lines")
    app.register_blueprint(bp)
    app.cli.add_command(cli.testimonies_cli)
    app.cli.add_command(cli.audit_cli)  # cli imports chain, whose flush hook chains every audit entry
