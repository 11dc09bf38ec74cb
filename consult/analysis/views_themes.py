"""Themes pages: analysts define themes, code free-text answers with them, and read theme counts per group.

Thin views: parse the request, call ``consult.analysis.themes``, render.
"""

from __future__ import annotations

from flask import abort, flash, redirect, render_template, request, url_for
from flask_babel import gettext as _
from wtforms.fields.choices import SelectChoice

from consult.accounts.access import get_in_territory, territory_view
from consult.accounts.models import Territory
from consult.accounts.permissions import roles_for
from consult.analysis import bp, themes
from consult.analysis.forms_themes import DeleteThemeForm, GroupFilterForm, ThemeForm, parse_ids, tags_form
from consult.extensions import db
from consult.responses.models import Consultation
from consult.responses.queries import ResponseFilter
from consult.surveys.labels import STAKEHOLDER_GROUPS

CODERS = roles_for("analysis.code_themes")
BASE = "/t/<territory>/consultations/<int:consultation_id>/analysis/themes"


def _consultation(territory: Territory, consultation_id: int) -> Consultation:
    return get_in_territory(Consultation, consultation_id, territory)


def _group_filter(consultation: Consultation) -> tuple[GroupFilterForm, ResponseFilter]:
    """The group filter form read from the query string; an unknown group means all groups."""
    form = GroupFilterForm(formdata=request.args)
    form.group.choices = [SelectChoice("", _("All groups"))] + [
        SelectChoice(g.group_code, str(STAKEHOLDER_GROUPS.get(g.group_code, g.group_code))) for g in consultation.groups
    ]
    code = request.args.get("group") or None
    if consultation.group(code) is None:
        code = None
        form.group.data = ""
    return form, ResponseFilter(group=code)


def _field_error(form, error: themes.ThemeError) -> None:
    field = getattr(form, error.field or "", None) or form.code
    field.errors = list(field.errors) + [str(error.message)]


@bp.route(BASE, methods=["GET", "POST"])
@territory_view(*CODERS)
def themes_list(territory: Territory, consultation_id: int):
    """The consultation's themes, a form to add one, and its free-text questions to code."""
    consultation = _consultation(territory, consultation_id)
    form = ThemeForm()
    if form.validate_on_submit():
        try:
            theme = themes.create_theme(consultation, form.code.data, form.label.data, form.description.data or "")
        except themes.ThemeError as error:
            db.session.rollback()
            _field_error(form, error)
        else:
            db.session.commit()
            flash(_("The theme “%(label)s” has been added.", label=theme.label), "success")
            return redirect(url_for("analysis.themes_list", territory=territory.slug, consultation_id=consultation.id))
    return render_template(
        "analysis/themes.html",
        territory=territory,
        consultation=consultation,
        themes=themes.themes_of(consultation),
        questions=themes.free_text_questions(consultation),
        answer_counts=themes.answer_counts(consultation),
        group_labels=STAKEHOLDER_GROUPS,
        form=form,
    )


@bp.route(BASE + "/<int:theme_id>", methods=["GET", "POST"])
@territory_view(*CODERS)
def theme_edit(territory: Territory, consultation_id: int, theme_id: int):
    """Rename a theme (code, name, description), or delete it."""
    consultation = _consultation(territory, consultation_id)
    theme = themes.get_theme(consultation, theme_id) or abort(404)
    form = ThemeForm(obj=theme)
    if form.validate_on_submit():
        try:
            themes.update_theme(theme, form.code.data, form.label.data, form.description.data or "")
        except themes.ThemeError as error:
            db.session.rollback()
            _field_error(form, error)
        else:
            db.session.commit()
            flash(_("The theme has been saved."), "success")
            return redirect(url_for("analysis.themes_list", territory=territory.slug, consultation_id=consultation.id))
    return render_template(
        "analysis/themes_edit.html",
        territory=territory,
        consultation=consultation,
        theme=theme,
        form=form,
        delete_form=DeleteThemeForm(formdata=None),
    )


@bp.route(BASE + "/<int:theme_id>/delete", methods=["POST"])
@territory_view(*CODERS)
def theme_delete(territory: Territory, consultation_id: int, theme_id: int):
    """Delete a theme and its tags; the answers stay as they were."""
    consultation = _consultation(territory, consultation_id)
    theme = themes.get_theme(consultation, theme_id) or abort(404)
    if not DeleteThemeForm().validate_on_submit():
        flash(_("The form had expired. Please send it again."), "error")
        return redirect(
            url_for("analysis.theme_edit", territory=territory.slug, consultation_id=consultation.id, theme_id=theme.id)
        )
    label = theme.label
    themes.delete_theme(theme)
    db.session.commit()
    flash(_("The theme “%(label)s” and its tags have been deleted.", label=label), "success")
    return redirect(url_for("analysis.themes_list", territory=territory.slug, consultation_id=consultation.id))


@bp.route(BASE + "/questions/<int:version_id>/<question_key>", methods=["GET", "POST"])
@territory_view(*CODERS)
def theme_answers(territory: Territory, consultation_id: int, version_id: int, question_key: str):
    """A page of a question's free-text answers, each with checkboxes of themes; one button saves the page."""
    consultation = _consultation(territory, consultation_id)
    question = themes.find_free_text_question(consultation, version_id, question_key) or abort(404)
    filter_form, where = _group_filter(consultation)
    page_number = request.args.get("page", 1, type=int)
    page = themes.text_answers(consultation, version_id, question_key, where, page_number)
    all_themes = themes.themes_of(consultation)
    choices = [(theme.id, theme.label) for theme in all_themes]
    checked = {item.answer_id: {str(t) for t in item.theme_ids} for item in page.items}
    if request.method == "POST":
        shown = parse_ids(request.form.get("shown"))
        form = tags_form(shown or [], choices)()
        if shown is None:
            form.shown.errors = [_("The list of answers was not understood. Please open the page again.")]
        elif form.validate_on_submit():
            tags = {answer_id: form[f"answer_{answer_id}"].data or [] for answer_id in shown}
            try:
                themes.set_tags_many(consultation, tags)
            except themes.ThemeError as error:
                db.session.rollback()
                form.shown.errors = [str(error.message)]
            else:
                db.session.commit()
                flash(_("The themes of this page have been saved."), "success")
                return redirect(request.full_path.rstrip("?"))
        # Keep what was ticked, for the answers that were on the page sent.
        checked.update({i: set(form[f"answer_{i}"].data or []) for i in shown or [] if i in checked})
    else:
        form = tags_form([item.answer_id for item in page.items], choices)()
    form.shown.data = ",".join(str(item.answer_id) for item in page.items)
    return render_template(
        "analysis/themes_answers.html",
        territory=territory,
        consultation=consultation,
        question=question,
        page=page,
        themes=all_themes,
        checked=checked,
        form=form,
        filter_form=filter_form,
        where=where,
        group_labels=STAKEHOLDER_GROUPS,
    )


@bp.route(BASE + "/counts")
@territory_view(*CODERS)
def theme_counts(territory: Territory, consultation_id: int):
    """How many responses each theme was found in, per stakeholder group."""
    consultation = _consultation(territory, consultation_id)
    filter_form, where = _group_filter(consultation)
    return render_template(
        "analysis/themes_counts.html",
        territory=territory,
        consultation=consultation,
        table=themes.theme_table(consultation, where),
        themes={theme.id: theme for theme in themes.themes_of(consultation)},
        filter_form=filter_form,
        group_labels=STAKEHOLDER_GROUPS,
    )
