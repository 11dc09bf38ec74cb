"""``flask --app consult surveys …``: import, export and validate instruments; load the library.

Problems go to standard error, one a line, ``where: message``; a refused
import or an invalid file exits with status 1 and saves nothing.
"""

from __future__ import annotations

from pathlib import Path

import click
from sqlalchemy import select

from consult.accounts.models import Territory
from consult.extensions import db
from consult.i18n.languages import normalise
from consult.surveys import services
from consult.surveys.models import Instrument
from consult.surveys.services import Issue, SurveyError
from consult.surveys.xlsform import XLSFormError, export_xlsform, import_xlsform

_PATH = click.Path(exists=True, dir_okay=False, path_type=Path)


def _line(issue: Issue) -> str:
    return f"{issue.where}: {issue.message}" if issue.where else issue.message


def _refuse(error: SurveyError) -> None:
    """Print the error and every problem to stderr, roll back, exit 1."""
    db.session.rollback()
    click.echo(f"Error: {error.message}", err=True)
    for issue in error.problems:
        click.echo(f"  {_line(issue)}", err=True)
    raise click.exceptions.Exit(1)


def _owner(slug: str | None, library: bool) -> Territory | None:
    if bool(slug) == library:
        raise click.UsageError("Give either --territory SLUG or --library.")
    if library:
        return None
    territory = db.session.scalar(select(Territory).where(Territory.slug == slug))
    if territory is None:
        raise click.UsageError(f"No territory {slug}.")
    return territory


def _languages(pairs: tuple[str, ...]) -> dict[str, str]:
    """``("Wichi=mzh",)`` → ``{"Wichi": "mzh"}``; a usage error for a pair without ``=`` or with no valid code."""
    chosen: dict[str, str] = {}
    for pair in pairs:
        name, sep, code = pair.rpartition("=")
        if not sep or not name.strip() or normalise(code.strip()) is None:
            raise click.UsageError(f"--language {pair}: give NAME=CODE with a valid language code, e.g. Wichi=mzh.")
        chosen[name.strip()] = normalise(code.strip())
    return chosen


def _report(outcome: services.ImportOutcome) -> None:
    version = outcome.version
    instrument = version.instrument
    if outcome.unchanged:
        what = f"unchanged: it is already version {version.number}"
    elif outcome.created_instrument:
        what = f"new instrument, version {version.number} (draft)"
    else:
        what = f"new version {version.number} (draft)"
    click.echo(f"Instrument {instrument.id} ({instrument.key}): {what}.")
    for warning in outcome.warnings:
        click.echo(f"warning: {_line(warning)}")


@click.group("surveys")
def surveys_cli() -> None:
    """Survey instruments: import, export, validate, and the built-in library."""


@surveys_cli.command("import-xlsform")
@click.argument("path", type=_PATH)
@click.option("--territory", "slug", help="Short name of the territory that will own the instrument.")
@click.option("--library", is_flag=True, help="Import into the shared network library instead.")
@click.option(
    "--language",
    "languages",
    multiple=True,
    metavar="NAME=CODE",
    help='The code of a language column consult cannot name with certainty, e.g. --language "Wichi=mzh".',
)
def import_xlsform_command(path: Path, slug: str | None, library: bool, languages: tuple[str, ...]) -> None:
    """Import an XLSForm (.xlsx) or KoboToolbox form JSON as an instrument; prints its id and every warning."""
    territory = _owner(slug, library)
    chosen = _languages(languages)
    try:
        outcome = services.import_xlsform_file(path.read_bytes(), territory, chosen)
    except SurveyError as error:
        for name in getattr(error, "unknown_languages", []):
            click.echo(f'Say which language "{name}" is with --language "{name}=CODE".', err=True)
        _refuse(error)
    db.session.commit()
    _report(outcome)


@surveys_cli.command("import-json")
@click.argument("path", type=_PATH)
@click.option("--territory", "slug", help="Short name of the territory that will own the instrument.")
@click.option("--library", is_flag=True, help="Import into the shared network library instead.")
def import_json_command(path: Path, slug: str | None, library: bool) -> None:
    """Import a JSON instrument definition; prints the instrument's id."""
    territory = _owner(slug, library)
    try:
        outcome = services.import_json(path.read_bytes(), territory)
    except SurveyError as error:
        _refuse(error)
    db.session.commit()
    _report(outcome)


def _version_of(reference: str):
    instrument_id, _, number = reference.partition(":")
    if not instrument_id.isdigit() or (number and not number.isdigit()):
        raise click.BadParameter("give an instrument id, or ID:VERSION (for example 12 or 12:3)", param_hint="ID")
    instrument = db.session.get(Instrument, int(instrument_id))
    if instrument is None:
        raise click.BadParameter(f"no instrument with id {instrument_id}", param_hint="ID")
    try:
        return services.resolve_version(instrument, int(number) if number else None)
    except SurveyError:
        raise click.BadParameter(f"instrument {instrument_id} has no version {number}", param_hint="ID") from None


@surveys_cli.command("export-xlsform")
@click.argument("reference", metavar="ID[:VERSION]")
@click.argument("path", type=click.Path(dir_okay=False, writable=True, path_type=Path))
def export_xlsform_command(reference: str, path: Path) -> None:
    """Write an instrument (its latest version, or VERSION) as an XLSForm to PATH."""

    version = _version_of(reference)
    path.write_bytes(export_xlsform(version.definition))
    click.echo(f"Wrote {path}: {version.instrument.key}, version {version.number}.")


@surveys_cli.command("validate")
@click.argument("path", type=_PATH)
def validate_command(path: Path) -> None:
    """Check a JSON definition or an XLSForm; prints every problem with where it is (exit 1 if any)."""
    data = path.read_bytes()
    warnings: list[Issue] = []
    try:
        if data[:2] == b"PK" or path.suffix.lower() in (".xlsx", ".xls"):
            try:
                result = import_xlsform(data)
            except XLSFormError as error:
                raise SurveyError(error.message) from None
            problems = [services.problem_issue(e) for e in result.errors]
            warnings = [services.problem_issue(w) for w in result.warnings]
            if result.definition is not None and not problems:
                problems = services.definition_problems(result.definition)
        else:
            problems = services.definition_problems(services.parse_json_definition(data))
    except SurveyError as error:
        problems = [Issue("", str(error.message))]
    for warning in warnings:
        click.echo(f"warning: {_line(warning)}")
    if problems:
        for problem in problems:
            click.echo(_line(problem), err=True)
        click.echo(f"{path.name}: {len(problems)} problem(s).", err=True)
        raise click.exceptions.Exit(1)
    click.echo(f"{path.name}: valid.")


@surveys_cli.command("load-library")
@click.option("--publish", is_flag=True, help="Also publish each library version loaded that is still a draft.")
def load_library_command(publish: bool) -> None:
    """Load the built-in instruments into the shared library (idempotent)."""
    try:
        loads = services.load_library()
        for load in loads:
            if publish and not load.version.is_published:
                services.publish(load.version)
    except SurveyError as error:
        _refuse(error)
    db.session.commit()
    for load in loads:
        state = "published" if load.version.is_published else "draft"
        click.echo(
            f"{load.key}: {load.action.replace('_', ' ')} (instrument {load.version.instrument_id}, version "
            f"{load.version.number}, {state})."
        )
    if not loads:
        click.echo(f"No library files in {services.LIBRARY_DIR}.")
