"""Network administrators keep the shared action library; officials and analysts of any territory browse it.

Routes (blueprint ``plans``):

- ``plans.library_actions`` — ``GET /library/actions?pillar=&right=``: the list, filtered.
- ``plans.library_new`` — ``GET/POST /library/actions/new?from=<code>``: add an action (network admins);
  ``from`` pre-fills the form with an existing action, the way to reword a shipped one.
- ``plans.library_edit`` — ``GET/POST /library/actions/<code>/edit``: edit an action a network admin added.
- ``plans.library_set_active`` — ``POST /library/actions/<code>/active``: switch an action off or on.
"""

from __future__ import annotations

from typing import Any

from flask import abort, flash, redirect, render_template, request, url_for
from flask_babel import gettext as _
from flask_login import current_user
from wtforms.fields.choices import SelectChoice

from consult.accounts.access import admin_view, login_view
from consult.accounts.permissions import roles_for
from consult.extensions import db
from consult.i18n import content_language
from consult.plans import bp, library
from consult.plans.forms_library import LibraryActionForm, ToggleForm
from consult.plans.labels import GENDER_MARKERS, PILLAR_SHORT, PILLARS, SDG_TARGETS
from consult.plans.models import LibraryAction
from consult.surveys.labels import BARRIERS, RIGHTS, SECTORS

#: Territory roles that may read the library (officials draft plans from it; analysts read them).
READER_ROLES = set(roles_for("plans.read"))


def _may_read(user: Any) -> bool:
    if user.is_network_admin:
        return True
    return any(m.role in READER_ROLES for m in user.memberships)


def _labels(vocabulary: dict, codes: list[str]) -> list[str]:
    return [str(vocabulary.get(code, code)) for code in codes or ()]


def _entry_or_404(code: str) -> LibraryAction:
    entry = library.get_by_code(code)
    if entry is None:
        abort(404)
    return entry


@bp.route("/library/actions")
@login_view
def library_actions():
    """The action library: every action with its pillar, rights, barriers, indicator and texts in the page's language.

    Network admins and officials or analysts of any territory may read it;
    only network admins see the buttons to add, edit and switch actions.
    """
    if not _may_read(current_user):
        abort(403)
    library.ensure_shipped()
    db.session.commit()
    pillar = request.args.get("pillar") or ""
    right = request.args.get("right") or ""
    # An unknown filter value is ignored rather than refused: the list stays useful.
    pillar = pillar if pillar in PILLARS else ""
    right = right if right in RIGHTS else ""
    entries = library.all_actions(pillar=pillar or None, right=right or None)
    lang = content_language()
    return render_template(
        "plans/library/actions.html",
        entries=entries,
        lang=lang,
        text=library.text,
        pillar=pillar,
        right=right,
        pillars=PILLARS,
        pillar_short=PILLAR_SHORT,
        rights=RIGHTS,
        labels=_labels,
        RIGHTS=RIGHTS,
        BARRIERS=BARRIERS,
        SECTORS=SECTORS,
        SDG_TARGETS=SDG_TARGETS,
        GENDER_MARKERS=GENDER_MARKERS,
        is_admin=current_user.is_network_admin,
        toggle_form=ToggleForm(),
    )


def _fill_choices(form: LibraryActionForm) -> None:
    form.pillar.choices = [SelectChoice("", _("Choose a pillar"))] + [
        SelectChoice(c, str(label)) for c, label in PILLARS.items()
    ]
    form.rights.choices = [(c, str(label)) for c, label in RIGHTS.items()]
    form.barriers.choices = [(c, str(label)) for c, label in BARRIERS.items()]
    form.sectors.choices = [(c, str(label)) for c, label in SECTORS.items()]
    form.sdg_targets.choices = [(c, str(label)) for c, label in SDG_TARGETS.items()]
    form.gender_marker.choices = [(str(c), f"{c} – {label}") for c, label in GENDER_MARKERS.items()]


def _prefill(form: LibraryActionForm, entry: LibraryAction) -> None:
    values = library.values_of(entry)
    form.pillar.data = values["pillar"]
    form.rights.data = values["rights"]
    form.barriers.data = values["barriers"]
    form.sectors.data = values["sectors"]
    form.ungp_principles.data = ", ".join(values["ungp_principles"])
    form.sdg_targets.data = values["sdg_targets"]
    form.gender_marker.data = str(values["gender_marker"])
    form.indicator_unit.data = values["indicator_unit"]
    for lang in library.LANGUAGES:
        for field in library.TEXT_FIELDS:
            form[f"{field}_{lang}"].data = values["texts"][lang].get(field, "")


def _values_from(form: LibraryActionForm) -> dict[str, Any]:
    principles = [p.strip() for p in (form.ungp_principles.data or "").replace(";", ",").split(",")]
    return {
        "pillar": form.pillar.data,
        "rights": form.rights.data or [],
        "barriers": form.barriers.data or [],
        "sectors": form.sectors.data or [],
        "ungp_principles": [p for p in principles if p],
        "sdg_targets": form.sdg_targets.data or [],
        "gender_marker": form.gender_marker.data,
        "indicator_unit": form.indicator_unit.data,
        "texts": {
            lang: {field: form[f"{field}_{lang}"].data or "" for field in library.TEXT_FIELDS}
            for lang in library.LANGUAGES
        },
    }


def _show_error(form: LibraryActionForm, error: library.LibraryError) -> None:
    name = error.field if error.field and error.field in form else None
    if name is None:
        flash(str(error.message), "error")
    else:
        form[name].errors = list(form[name].errors or []) + [str(error.message)]


@bp.route("/library/actions/new", methods=["GET", "POST"])
@admin_view
def library_new():
    """A network admin adds an action to the shared library (texts in es, en and pt are required)."""
    library.ensure_shipped()
    db.session.commit()
    form = LibraryActionForm()
    _fill_choices(form)
    source = library.get_by_code(request.args.get("from") or "") if request.method == "GET" else None
    if source is not None:
        _prefill(form, source)
    if request.method == "GET" and source is None:
        form.gender_marker.data = "0"
    if form.validate_on_submit():
        try:
            entry = library.create(form.code.data, current_user, **_values_from(form))
        except library.LibraryError as error:
            db.session.rollback()
            _show_error(form, error)
        else:
            db.session.commit()
            flash(
                _(
                    "The action %(title)s has been added to the library.",
                    title=library.text(entry, "title", content_language()),
                ),
                "success",
            )
            return redirect(url_for("plans.library_actions", pillar=entry.pillar.value))
    return render_template("plans/library/form.html", form=form, entry=None, source=source)


@bp.route("/library/actions/<code>/edit", methods=["GET", "POST"])
@admin_view
def library_edit(code: str):
    """A network admin edits an action they added; a shipped action opens the add form pre-filled instead."""
    entry = _entry_or_404(code)
    if entry.is_shipped:
        flash(
            _(
                "Actions shipped with consult cannot be edited; add your own action from this one and switch this "
                "one off."
            ),
            "info",
        )
        return redirect(url_for("plans.library_new", **{"from": entry.code}))
    form = LibraryActionForm()
    _fill_choices(form)
    if request.method == "GET":
        _prefill(form, entry)
    form.code.data = entry.code
    if form.validate_on_submit():
        try:
            library.update(entry, **_values_from(form))
        except library.LibraryError as error:
            db.session.rollback()
            _show_error(form, error)
        else:
            db.session.commit()
            flash(_("The action has been saved."), "success")
            return redirect(url_for("plans.library_actions", pillar=entry.pillar.value))
    return render_template("plans/library/form.html", form=form, entry=entry, source=None)


@bp.route("/library/actions/<code>/active", methods=["POST"])
@admin_view
def library_set_active(code: str):
    """A network admin switches an action off (never proposed again) or back on."""
    entry = _entry_or_404(code)
    form = ToggleForm()
    if not form.validate_on_submit():
        flash(_("The form had expired. Please send it again."), "error")
        return redirect(url_for("plans.library_actions"))
    active = request.form.get("active") == "1"
    library.set_active(entry, active)
    db.session.commit()
    title = library.text(entry, "title", content_language())
    if active:
        flash(_("The action %(title)s is active again and can be proposed.", title=title), "success")
    else:
        flash(_("The action %(title)s is switched off and will not be proposed.", title=title), "success")
    return redirect(
        url_for("plans.library_actions", pillar=request.form.get("pillar") or None) + f"#action-{entry.code}"
    )
