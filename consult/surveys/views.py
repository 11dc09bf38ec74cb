"""Officials' instrument screens: list, import, detail, copy, publish, new draft, preview.

Everything lives under ``/t/<territory>/instruments`` and is open to the
territory's officials and to network administrators only: analysts,
moderators and facilitators work with consultations, not with instrument
definitions. A territory sees its own instruments and the shared library;
library instruments are changed only by network administrators. The text
editing and translation screens are in ``views_texts.py``.
"""

from __future__ import annotations

import base64
import json

from flask import Response, abort, flash, g, redirect, render_template, request, url_for
from flask_babel import gettext as _
from flask_login import current_user
from wtforms.fields.choices import SelectChoice

from consult.accounts.access import territory_view
from consult.accounts.languages import endonym_for, label_for
from consult.accounts.models import Territory
from consult.accounts.permissions import can, roles_for
from consult.extensions import db
from consult.i18n import content_language
from consult.i18n.languages import normalise
from consult.surveys import bp, services
from consult.surveys.admin_forms import ActionForm, AddLanguageForm, JsonUploadForm, PublishForm, XLSFormUploadForm
from consult.surveys.models import Instrument, InstrumentVersion
from consult.surveys.services import SurveyError
from consult.surveys.texts import describe_path, text_index
from consult.surveys.xlsform import export_xlsform, is_kobo_asset
from consult.surveys.xlsform.workbook import MAX_BYTES

STAFF = roles_for("instruments.manage")
XLSX = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"


# -- helpers used by the views of this room ----------------------------------------------------


def instrument_in(territory: Territory, instrument_id: int) -> Instrument:
    """The instrument if it belongs to ``territory`` or to the shared library, else 404."""
    instrument = db.session.get(Instrument, instrument_id)
    if instrument is None or instrument.territory_id not in (None, territory.id):
        abort(404)
    return instrument


def version_in(territory: Territory, instrument_id: int, number: int) -> InstrumentVersion:
    """Version ``number`` of an instrument the territory may see, else 404."""
    version = instrument_in(territory, instrument_id).version(number)
    if version is None:
        abort(404)
    return version


def may_edit(instrument: Instrument) -> bool:
    """Library instruments are changed only by network administrators."""
    return not instrument.is_library or can(current_user, None, "instruments.edit_library")


def require_edit(instrument: Instrument) -> None:
    """403 unless the current person may change ``instrument``."""
    if not may_edit(instrument):
        abort(403)


def instrument_url(version: InstrumentVersion, territory: Territory) -> str:
    """The detail page of the version's instrument, opened at that version."""
    return url_for(
        "surveys.instrument", territory=territory.slug, instrument_id=version.instrument_id, version=version.number
    )


def attachment(data: bytes, filename: str, mimetype: str) -> Response:
    """A download response."""
    response = Response(data, mimetype=mimetype)
    response.headers["Content-Disposition"] = f'attachment; filename="{filename}"'
    return response


# -- list and imports ---------------------------------------------------------------------------


@bp.route("/t/<territory>/instruments")
@territory_view(*STAFF)
def instruments(territory: Territory):
    """The territory's instruments and the shared library."""
    return render_template(
        "surveys/instruments.html",
        territory=territory,
        own=services.territory_instruments(territory),
        library=services.library_instruments(),
        lang=content_language(),
    )


def _upload(territory: Territory, form, importer, kind: str):
    """Shared flow of the XLSForm and JSON uploads: refuse with every problem, else show what was made.

    An XLSForm whose language columns consult cannot name with certainty (``label::Wichi``) is not
    refused: the page asks which language each is, keeping the file, and the second step imports it.
    """
    if not can(current_user, None, "instruments.edit_library"):
        del form.to_library
    problems: list[services.Issue] = []
    if form.validate_on_submit():
        to_library = bool(getattr(form, "to_library", None) and form.to_library.data)
        data = form.file.data.read()
        try:
            outcome = importer(data, None if to_library else territory)
        except SurveyError as error:
            db.session.rollback()
            unknown = getattr(error, "unknown_languages", None)
            if unknown:
                return _language_step(territory, data, to_library, unknown, {}, {})
            form.file.errors.append(str(error.message))
            problems = error.problems
        else:
            db.session.commit()
            return render_template(
                "surveys/import_result.html", territory=territory, outcome=outcome, lang=content_language()
            )
    return render_template("surveys/import.html", territory=territory, form=form, problems=problems, kind=kind)


def _language_step(territory: Territory, data: bytes, to_library: bool, unknown: list[str], chosen: dict, errors: dict):
    """The import's second step: a select (or a code) for each language column consult cannot name."""
    options = [(code, f"{label_for(territory, code)} ({code})") for code in territory.enabled_languages]
    return render_template(
        "surveys/import_languages.html",
        territory=territory,
        form=ActionForm(),
        pending=base64.b64encode(data).decode("ascii"),
        to_library=to_library,
        unknown=list(enumerate(unknown)),
        options=options,
        chosen=chosen,
        errors=errors,
    )


@bp.route("/t/<territory>/instruments/import-xlsform", methods=["GET", "POST"])
@territory_view(*STAFF)
def import_xlsform(territory: Territory):
    """Upload an XLSForm; every error and warning is shown with its sheet and row."""
    return _upload(territory, XLSFormUploadForm(), services.import_xlsform_file, "xlsform")


@bp.route("/t/<territory>/instruments/import-xlsform/languages", methods=["POST"])
@territory_view(*STAFF)
def import_xlsform_languages(territory: Territory):
    """The second step of an XLSForm import: the codes of its uncertain language columns, then the import."""
    if not ActionForm().validate_on_submit():
        abort(400)
    try:
        data = base64.b64decode(request.form.get("pending", ""), validate=True)
    except ValueError:
        abort(400)
    if not data or len(data) > MAX_BYTES:
        abort(400)
    to_library = request.form.get("to_library") == "1" and can(current_user, None, "instruments.edit_library")
    names = request.form.getlist("name")
    chosen: dict[str, str] = {}
    kept: dict[str, dict[str, str]] = {}
    errors: dict[str, str] = {}
    for index, name in enumerate(names):
        picked = request.form.get(f"language-{index}", "").strip()
        typed = request.form.get(f"code-{index}", "").strip()
        kept[name] = {"picked": picked, "typed": typed}
        code = normalise(typed if picked in ("", "other") else picked)
        if code is None:
            errors[name] = (
                _("“%(code)s” is not a language code; type a code such as mzh or quy.", code=typed)
                if typed or picked == "other"
                else _("Choose the language of this column, or type its code.")
            )
            continue
        chosen[name] = code
    if errors or not names:
        return _language_step(territory, data, to_library, names, kept, errors)
    try:
        outcome = services.import_xlsform_file(data, None if to_library else territory, chosen)
    except SurveyError as error:
        db.session.rollback()
        form = XLSFormUploadForm()
        if not can(current_user, None, "instruments.edit_library"):
            del form.to_library
        form.file.errors.append(str(error.message))
        return render_template(
            "surveys/import.html", territory=territory, form=form, problems=error.problems, kind="xlsform"
        )
    db.session.commit()
    return render_template("surveys/import_result.html", territory=territory, outcome=outcome, lang=content_language())


def _json_or_kobo(data: bytes, territory: Territory | None) -> services.ImportOutcome:
    """consult's JSON definition, or KoboToolbox's form JSON (asset content), read as its XLSForm."""
    if is_kobo_asset(data):
        return services.import_xlsform_file(data, territory)
    return services.import_json(data, territory)


@bp.route("/t/<territory>/instruments/import-json", methods=["GET", "POST"])
@territory_view(*STAFF)
def import_json(territory: Territory):
    """Upload a JSON definition (or a KoboToolbox form's JSON); refused with every problem and where it is."""
    return _upload(territory, JsonUploadForm(), _json_or_kobo, "json")


# -- one instrument -----------------------------------------------------------------------------


@bp.route("/t/<territory>/instruments/<int:instrument_id>")
@territory_view(*STAFF)
def instrument(territory: Territory, instrument_id: int):
    """An instrument's versions with their status and completeness; actions on the chosen version."""
    found = instrument_in(territory, instrument_id)
    number = request.args.get("version", type=int)
    version = found.version(number) if number else found.latest_version
    if version is None:
        abort(404)
    add_form = AddLanguageForm()
    add_form.language.choices = language_choices([c for c in territory.enabled_languages if c not in version.languages])
    return render_template(
        "surveys/instrument.html",
        territory=territory,
        instrument=found,
        version=version,
        reports={v.number: services.completeness(v) for v in found.versions},
        may_edit=may_edit(found),
        action_form=ActionForm(),
        add_form=add_form,
        already_copied=found.is_library and services.find_instrument(found.key, territory) is not None,
        lang=content_language(),
    )


def language_choices(codes):
    """Select choices for content language codes, named in the interface language."""

    return [SelectChoice(code, language_label(code)) for code in codes]


@bp.route("/t/<territory>/instruments/<int:instrument_id>/copy", methods=["POST"])
@territory_view(*STAFF)
def copy_instrument(territory: Territory, instrument_id: int):
    """Copy a library instrument into the territory as a new draft it can adapt."""
    found = instrument_in(territory, instrument_id)
    if ActionForm().validate_on_submit():
        try:
            version = services.copy_to_territory(found, territory)
        except SurveyError as error:
            db.session.rollback()
            flash(str(error.message), "error")
            return redirect(url_for("surveys.instrument", territory=territory.slug, instrument_id=found.id))
        db.session.commit()
        flash(_("The instrument has been copied to %(territory)s as a draft.", territory=territory.name), "success")
        return redirect(instrument_url(version, territory))
    abort(400)


@bp.route("/t/<territory>/instruments/<int:instrument_id>/versions/<int:number>/new-draft", methods=["POST"])
@territory_view(*STAFF)
def new_draft(territory: Territory, instrument_id: int, number: int):
    """Make a new draft version copied from this one (a frozen version is never edited)."""
    version = version_in(territory, instrument_id, number)
    require_edit(version.instrument)
    if not ActionForm().validate_on_submit():
        abort(400)
    draft = services.new_draft(version)
    db.session.commit()
    flash(
        _("Version %(n)d is a new draft copied from version %(from)d.", n=draft.number, **{"from": version.number}),
        "success",
    )
    return redirect(instrument_url(draft, territory))


@bp.route("/t/<territory>/instruments/<int:instrument_id>/versions/<int:number>/languages", methods=["POST"])
@territory_view(*STAFF)
def add_language(territory: Territory, instrument_id: int, number: int):
    """Add a content language to a draft; its texts then show as missing."""
    version = version_in(territory, instrument_id, number)
    require_edit(version.instrument)
    form = AddLanguageForm()
    form.language.choices = language_choices([c for c in territory.enabled_languages if c not in version.languages])
    if form.validate_on_submit():
        try:
            services.add_language(version, form.language.data)
        except SurveyError as error:
            db.session.rollback()
            flash(str(error.message), "error")
        else:
            db.session.commit()
            flash(_("The language has been added. Its texts are now listed as missing."), "success")
    else:
        flash(_("Choose a language to add."), "error")
    return redirect(instrument_url(version, territory))


@bp.route("/t/<territory>/instruments/<int:instrument_id>/versions/<int:number>/completeness")
@territory_view(*STAFF)
def completeness(territory: Territory, instrument_id: int, number: int):
    """Per language: how many texts, which are missing, which need review."""

    version = version_in(territory, instrument_id, number)
    return render_template(
        "surveys/completeness.html",
        territory=territory,
        version=version,
        reports=services.completeness(version),
        index=text_index(version.definition),
        describe=describe_path,
        may_edit=may_edit(version.instrument),
    )


@bp.route("/t/<territory>/instruments/<int:instrument_id>/versions/<int:number>/publish", methods=["GET", "POST"])
@territory_view(*STAFF)
def publish(territory: Territory, instrument_id: int, number: int):
    """Confirm, then publish a version: it is validated first and frozen from then on."""
    version = version_in(territory, instrument_id, number)
    require_edit(version.instrument)
    if version.is_published:
        flash(_("Version %(n)d is already published.", n=version.number), "info")
        return redirect(instrument_url(version, territory))
    form = PublishForm()
    problems = services.definition_problems(version.definition)
    if form.validate_on_submit():
        try:
            services.publish(version)
        except SurveyError as error:
            db.session.rollback()
            problems = error.problems
            form.confirm.errors.append(str(error.message))
        else:
            db.session.commit()
            flash(_("Version %(n)d is published.", n=version.number), "success")
            return redirect(instrument_url(version, territory))
    return render_template(
        "surveys/publish.html",
        territory=territory,
        version=version,
        form=form,
        problems=problems,
        reports=services.completeness(version),
    )


# -- downloads ----------------------------------------------------------------------------------


@bp.route("/t/<territory>/instruments/<int:instrument_id>/versions/<int:number>/xlsform.xlsx")
@territory_view(*STAFF)
def download_xlsform(territory: Territory, instrument_id: int, number: int):
    """The version as an XLSForm workbook."""

    version = version_in(territory, instrument_id, number)
    return attachment(export_xlsform(version.definition), f"{version.instrument.key}-v{version.number}.xlsx", XLSX)


@bp.route("/t/<territory>/instruments/<int:instrument_id>/versions/<int:number>/definition.json")
@territory_view(*STAFF)
def download_json(territory: Territory, instrument_id: int, number: int):
    """The version's JSON definition."""
    version = version_in(territory, instrument_id, number)
    data = json.dumps(version.definition, ensure_ascii=False, indent=2).encode("utf-8")
    return attachment(data, f"{version.instrument.key}-v{version.number}.json", "application/json")


@bp.context_processor
def _language_helpers() -> dict:
    """Language names for the room's templates."""
    return {"language_label": language_label, "language_endonym": language_endonym}


def language_label(code: str) -> str:
    """A content language named in the interface language, with its code: "Quechua (qu)".

    The name is the territory's own (its languages screen), else CLDR/IANA's; any code is named.
    """
    name = label_for(getattr(g, "territory", None), code)
    return f"{name} ({code})" if name and name != code else code


def language_endonym(code: str) -> str:
    """A content language named in itself, as the territory writes it: "Wichí Lhamtés"."""
    return endonym_for(getattr(g, "territory", None), code)
