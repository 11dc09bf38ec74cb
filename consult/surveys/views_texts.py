"""Editing the texts of a version one language at a time, and the translators' files.

The language being edited is ``?language=`` (not ``?lang=``, which switches
the interface): an official edits the Quechua texts with a Spanish interface.
"""

from __future__ import annotations

from flask import abort, flash, redirect, render_template, request
from flask_babel import gettext as _
from wtforms.fields.choices import SelectChoice

from consult.accounts.access import territory_view
from consult.accounts.models import Territory
from consult.extensions import db
from consult.surveys import bp, content_i18n, services, texts
from consult.surveys.admin_forms import ActionForm, TranslationUploadForm, field_name, texts_form
from consult.surveys.models import InstrumentVersion
from consult.surveys.services import SurveyError
from consult.surveys.views import (
    STAFF,
    XLSX,
    attachment,
    instrument_url,
    language_choices,
    may_edit,
    require_edit,
    version_in,
)

PO = "text/x-gettext-translation"


def _language(version: InstrumentVersion) -> str:
    lang = request.args.get("language") or version.fallback_language
    if lang not in version.languages:
        abort(404)
    return lang


def _groups(version: InstrumentVersion) -> list[tuple[str, str]]:
    """(key, title) of each group of texts: the instrument's own, then each section."""
    parsed = version.parsed()
    groups = [("", _("The instrument"))]
    for section in parsed.sections:
        groups.append((section.key, parsed.text(section.title, version.fallback_language) or section.key))
    return groups


@bp.route("/t/<territory>/instruments/<int:instrument_id>/versions/<int:number>/texts", methods=["GET", "POST"])
@territory_view(*STAFF)
def edit_texts(territory: Territory, instrument_id: int, number: int):
    """One language's texts of one section, the source beside each translation, needs-review marked."""
    version = version_in(territory, instrument_id, number)
    lang = _language(version)
    groups = _groups(version)
    group = request.args.get("section", "")
    if group not in {key for key, _title in groups}:
        abort(404)
    todo_only = request.args.get("only") == "todo"
    fallback, review = version.fallback_language, version.translation_review or {}
    entries = [e for e in texts.iter_texts(version.definition) if e.group == group]
    status = {e.path: texts.text_status(e, lang, fallback, review) for e in entries}
    if todo_only and lang != fallback:
        entries = [e for e in entries if status[e.path] != "translated"]
    editable = may_edit(version.instrument) and not version.is_frozen
    review_paths = [e.path for e in entries if status[e.path] == "needs_review"]
    form = texts_form([e.path for e in entries], lang == fallback, review_paths)()
    if request.method == "POST":
        require_edit(version.instrument)
        if version.is_frozen:
            flash(
                _("Version %(n)d is frozen and cannot be changed. Make a new draft to edit it.", n=version.number),
                "error",
            )
            return redirect(request.full_path.rstrip("?"))
        if form.validate():
            values = {e.path: form[field_name(e.path)].data or "" for e in entries}
            reviewed = [p for p in review_paths if form[field_name(p, "r")].data]
            try:
                update = services.update_texts(version, lang, values, reviewed)
            except SurveyError as error:
                db.session.rollback()
                for issue in error.problems:
                    if issue.where in values:
                        form[field_name(issue.where)].errors.append(issue.message)
            else:
                db.session.commit()
                flash(
                    _(
                        "Saved. Texts changed: %(changed)d. Translations confirmed: %(reviewed)d.",
                        changed=len(update.changed),
                        reviewed=len(update.reviewed),
                    ),
                    "success",
                )
                return redirect(request.full_path.rstrip("?"))
    elif request.method == "GET":
        for entry in entries:
            form[field_name(entry.path)].data = entry.text.get(lang, "")
    return render_template(
        "surveys/texts.html",
        territory=territory,
        version=version,
        lang=lang,
        fallback=fallback,
        groups=groups,
        group=group,
        todo_only=todo_only,
        entries=entries,
        status=status,
        form=form,
        field_name=field_name,
        describe=texts.describe_path,
        editable=editable,
        may_edit=may_edit(version.instrument),
        action_form=ActionForm(),
    )


@bp.route("/t/<territory>/instruments/<int:instrument_id>/versions/<int:number>/translation.po")
@territory_view(*STAFF)
def download_po(territory: Territory, instrument_id: int, number: int):
    """One language of the version as a PO file for translators."""
    version = version_in(territory, instrument_id, number)
    lang = request.args.get("language", "")
    try:
        data = content_i18n.export_po(version, lang)
    except SurveyError:
        abort(404)
    return attachment(data, content_i18n.file_stem(version, lang) + ".po", PO)


@bp.route("/t/<territory>/instruments/<int:instrument_id>/versions/<int:number>/translation.xlsx")
@territory_view(*STAFF)
def download_translation_xlsx(territory: Territory, instrument_id: int, number: int):
    """One language of the version as a spreadsheet for translators."""
    version = version_in(territory, instrument_id, number)
    lang = request.args.get("language", "")
    try:
        data = content_i18n.export_xlsx(version, lang)
    except SurveyError:
        abort(404)
    return attachment(data, content_i18n.file_stem(version, lang) + ".xlsx", XLSX)


@bp.route("/t/<territory>/instruments/<int:instrument_id>/versions/<int:number>/translations", methods=["GET", "POST"])
@territory_view(*STAFF)
def translations(territory: Territory, instrument_id: int, number: int):
    """Download a language for translators, and upload the translated file back."""
    version = version_in(territory, instrument_id, number)
    # The version's own languages and the territory's: any of them may be translated into.
    offered = dict.fromkeys([*version.languages, *territory.enabled_languages])
    targets = [c for c in offered if c != version.fallback_language]
    form = TranslationUploadForm()

    form.language.choices = [SelectChoice("", _("The language written in the file"))] + language_choices(targets)
    result = None
    if request.method == "POST":
        require_edit(version.instrument)
        if form.validate_on_submit():
            try:
                result = content_i18n.import_translations(version, form.file.data.read(), form.language.data or None)
            except SurveyError as error:
                db.session.rollback()
                getattr(form, error.field or "file").errors.append(str(error.message))
            else:
                db.session.commit()
    return render_template(
        "surveys/translations.html",
        territory=territory,
        version=version,
        targets=[c for c in version.languages if c != version.fallback_language],
        form=form,
        result=result,
        describe=texts.describe_path,
        may_edit=may_edit(version.instrument),
        instrument_url=instrument_url,
    )
