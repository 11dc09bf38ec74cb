"""Accounts: users, organisations, territories, roles, login."""

from flask import Blueprint, Flask

bp = Blueprint("accounts", __name__, template_folder="templates")


def init_app(app: Flask) -> None:
    """Register the accounts blueprint, the login manager and the CLI."""
    from consult.accounts import cli, demo, views  # noqa: F401  (views registers routes, demo its seed step)
    from consult.accounts.loader import init_login

    from flask_babel import lazy_gettext as _l

    from consult.accounts.navigation import register_territory_link, territory_links

    init_login(app)
    register_territory_link("accounts.members", _l("People and roles"))
    app.jinja_env.globals["territory_links"] = territory_links
    app.register_blueprint(bp)
    app.cli.add_command(cli.accounts_cli)
    app.cli.add_command(cli.territories_cli)
