"""A territory's languages screen: network administrators and officials add, rename and remove them."""

from __future__ import annotations

from flask import abort, flash, redirect, render_template, request, url_for
from flask_babel import gettext as _
from flask_wtf import FlaskForm
from wtforms.fields.choices import SelectChoice

from consult.accounts import bp
from consult.accounts import languages as service
from consult.accounts.access import territory_view
from consult.accounts.forms_languages import TerritoryLanguageForm
from consult.accounts.models import Territory, TerritoryLanguage
from consult.extensions import db
from consult.i18n import INTERFACE_LANGUAGES, language_name
from consult.i18n.languages import default_interface_language


def _form(code: str | None = None, **kwargs) -> TerritoryLanguageForm:
    form = TerritoryLanguageForm(**kwargs)
    nearest = language_name(default_interface_language(code)) if code else None
    automatic = _("The nearest: %(language)s", language=nearest) if nearest else _("The nearest")
    form.interface_language.choices = [SelectChoice("", automatic)] + [
        SelectChoice(c, language_name(c)) for c in INTERFACE_LANGUAGES
    ]
    return form


def _input(form: TerritoryLanguageForm, code: str) -> service.LanguageInput:
    return service.LanguageInput(
        code=code,
        endonym=form.endonym.data or "",
        name_es=form.name_es.data or "",
        name_en=form.name_en.data or "",
        name_pt=form.name_pt.data or "",
        interface_language=form.interface_language.data or None,
    )


def _fill_suggestions(form: TerritoryLanguageForm) -> bool:
    """Fill the empty name fields from the typed code; ``False`` (with the reason on the form) when it is no code."""
    try:
        code = service.checked_code(form.code.data)
    except service.LanguageError as error:
        form.code.errors = [*form.code.errors, str(error.message)]
        return False
    names = service.suggestions(code) or {}
    form.code.data = code
    for name, key in (("endonym", "endonym"), ("name_es", "es"), ("name_en", "en"), ("name_pt", "pt")):
        if not (form[name].data or "").strip():
            form[name].data = names.get(key, "")
    return True


def _page(territory: Territory, form: TerritoryLanguageForm, status: int = 200):
    return (
        render_template(
            "accounts/languages.html",
            territory=territory,
            languages=service.list_languages(territory),
            form=form,
            interface_for=service.interface_for,
            language_name=language_name,
        ),
        status,
    )


@bp.route("/t/<territory>/languages", methods=["GET", "POST"])
@territory_view("languages.manage")
def territory_languages(territory: Territory):
    """The territory's languages, and the form that adds one (names suggested from its code)."""
    form = _form(request.form.get("code") or request.args.get("code"))
    if request.method == "GET":
        if request.args.get("code"):
            form.code.data = request.args["code"]
            _fill_suggestions(form)
        return _page(territory, form)
    if not form.validate_on_submit():
        return _page(territory, form, 400)
    if request.form.get("action") == "suggest":
        # Show the names langcodes suggests for the code, to correct before adding.
        _fill_suggestions(form)
        return _page(territory, form)
    try:
        row = service.add_language(territory, _input(form, form.code.data or ""))
    except service.LanguageError as error:
        db.session.rollback()
        getattr(form, error.field or "code").errors.append(str(error.message))
        return _page(territory, form, 400)
    db.session.commit()
    flash(_("%(language)s has been added to the territory's languages.", language=row.endonym), "success")
    return redirect(url_for("accounts.territory_languages", territory=territory.slug))


def _row(territory: Territory, code: str) -> TerritoryLanguage:
    row = territory.language(code)
    if row is None:
        abort(404)
    return row


@bp.route("/t/<territory>/languages/<code>", methods=["GET", "POST"])
@territory_view("languages.manage")
def territory_language_edit(territory: Territory, code: str):
    """Correct a language's names or its interface language (its code stays)."""
    row = _row(territory, code)
    form = _form(row.code, obj=row if request.method == "GET" else None)
    if request.method == "GET":
        form.interface_language.data = row.interface_language or ""
    elif form.validate_on_submit():
        try:
            service.edit_language(territory, row.code, _input(form, row.code))
        except service.LanguageError as error:
            db.session.rollback()
            getattr(form, error.field or "endonym").errors.append(str(error.message))
        else:
            db.session.commit()
            flash(_("The language %(code)s has been saved.", code=row.code), "success")
            return redirect(url_for("accounts.territory_languages", territory=territory.slug))
    status = 400 if form.errors else 200
    return render_template("accounts/language_edit.html", territory=territory, row=row, form=form), status


@bp.route("/t/<territory>/languages/<code>/remove", methods=["POST"])
@territory_view("languages.manage")
def territory_language_remove(territory: Territory, code: str):
    """Remove a language nothing uses any more; say what uses it otherwise."""
    row = _row(territory, code)
    if not FlaskForm().validate_on_submit():
        flash(_("The form had expired. Please send it again."), "error")
        return redirect(url_for("accounts.territory_languages", territory=territory.slug))
    name = row.endonym
    try:
        service.remove_language(territory, row.code)
    except service.LanguageError as error:
        db.session.rollback()
        flash(str(error.message), "error")
    else:
        db.session.commit()
        flash(_("%(language)s has been removed from the territory's languages.", language=name), "success")
    return redirect(url_for("accounts.territory_languages", territory=territory.slug))
