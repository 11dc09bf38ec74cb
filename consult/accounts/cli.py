"""``flask --app consult accounts …`` and ``… territories …`` commands."""

from __future__ import annotations

import getpass
from pathlib import Path

import click
from sqlalchemy import select

from consult.accounts import services, twofactor
from consult.accounts.models import Role, Territory
from consult.extensions import db


def _fail(message: str) -> None:
    raise click.ClickException(message)


@click.group("accounts")
def accounts_cli() -> None:
    """Manage user accounts."""


@accounts_cli.command("create-admin")
@click.option("--email", required=True, help="Login email of the network administrator.")
@click.option("--name", default="Network administrator", show_default=True)
@click.option(
    "--password", envvar="CONSULT_ADMIN_PASSWORD", help="Asked for when not given (or set CONSULT_ADMIN_PASSWORD)."
)
def create_admin(email: str, name: str, password: str | None) -> None:
    """Create a network administrator."""
    if not password:
        password = getpass.getpass("Password: ")
    try:
        user = services.create_user(email, name, password, is_network_admin=True)
    except services.AccountError as error:
        _fail(str(error.message))
    db.session.commit()
    click.echo(f"Network administrator {user.email} created (id {user.id}).")


@accounts_cli.command("grant")
@click.option("--email", required=True)
@click.option("--territory", "slug", required=True, help="Short name of the territory.")
@click.option("--role", type=click.Choice([r.value for r in Role]), required=True)
def grant(email: str, slug: str, role: str) -> None:
    """Give an existing user a role in a territory."""
    user = services.find_user_by_email(email)
    territory = db.session.scalar(select(Territory).where(Territory.slug == slug))
    if user is None:
        _fail(f"No user with email {email}.")
    if territory is None:
        _fail(f"No territory {slug}.")
    services.grant_role(user, territory, Role(role))
    db.session.commit()
    click.echo(f"{user.email} is now {role} in {territory.name}.")


@accounts_cli.command("reset-second-factor")
@click.argument("email")
def reset_second_factor(email: str) -> None:
    """Turn off EMAIL's second factor (lost phone and recovery codes); they set a new one up at next login."""
    user = services.find_user_by_email(email)
    if user is None:
        _fail(f"No user with email {email}.")
    had = user.has_second_factor
    twofactor.disable(user)
    db.session.commit()
    if had:
        click.echo(f"The second factor of {user.email} is off and its recovery codes are deleted.")
    else:
        click.echo(f"{user.email} had no second factor; nothing else changed.")
    if twofactor.second_factor_required(user):
        click.echo("This account must set up a new one at its next login, after the password.")


@click.group("territories")
def territories_cli() -> None:
    """Manage territories."""


@territories_cli.command("add")
@click.argument("slug")
@click.option("--name", required=True)
@click.option("--country", required=True, help="ISO 3166-1 alpha-2 code, e.g. CO.")
@click.option("--subdivision", help="ISO 3166-2 code, e.g. CO-ANT.")
@click.option("--language", "default_language", default="es", show_default=True)
@click.option("--languages", default="es,en,pt", show_default=True, help="Comma-separated enabled languages.")
def add_territory(
    slug: str, name: str, country: str, subdivision: str | None, default_language: str, languages: str
) -> None:
    """Add a territory."""
    try:
        territory = services.create_territory(
            slug,
            name,
            country,
            subdivision_code=subdivision,
            default_language=default_language,
            enabled_languages=[code.strip() for code in languages.split(",") if code.strip()],
        )
    except services.AccountError as error:
        _fail(str(error.message))
    db.session.commit()
    click.echo(f"Territory {territory.name} added as {territory.slug}.")


@territories_cli.command("import-localities")
@click.argument("slug")
@click.argument("path", type=click.Path(exists=True, dir_okay=False, path_type=Path))
def import_localities_command(slug: str, path: Path) -> None:
    """Import a territory's localities from a CSV file (code,name[,area])."""
    territory = db.session.scalar(select(Territory).where(Territory.slug == slug))
    if territory is None:
        _fail(f"No territory {slug}.")
    try:
        result = services.import_localities(territory, path.read_text(encoding="utf-8-sig"))
    except services.AccountError as error:
        _fail(str(error.message))
    if result.errors:
        db.session.rollback()
        _fail("\n".join(result.errors))
    db.session.commit()
    click.echo(f"{result.created} localities created, {result.updated} updated.")
