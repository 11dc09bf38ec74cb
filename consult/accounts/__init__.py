"""Accounts: users, organisations, territories, roles, login."""

from flask import Blueprint, Flask
from flask_babel import lazy_gettext as _l

from consult.accounts.loader import init_login
from consult.accounts.navigation import register_territory_link, territory_links

bp = Blueprint("accounts", __name__, template_folder="templates")


def init_app(app: Flask) -> None:
    """Register the accounts blueprint, the login manager, the CLI and the demo step."""
    # Every module that attaches routes or hooks to ``bp`` is imported here, and
    # only here (tests/core/test_rooms.py holds each room to it). Inside the
    # function because those modules import ``bp`` (or models) from this package.
    from consult.accounts import (  # noqa: F401  (the CLI; demo registers its seed step)
        cli,
        demo,
        views,  # noqa: F401
        views_languages,  # noqa: F401
        views_security,  # noqa: F401
    )

    init_login(app)
    register_territory_link("accounts.members", _l("People and roles"))
    register_territory_link("accounts.territory_languages", _l("Languages"))
    app.jinja_env.globals["territory_links"] = territory_links
    app.register_blueprint(bp)
    app.cli.add_command(cli.accounts_cli)
    app.cli.add_command(cli.territories_cli)
