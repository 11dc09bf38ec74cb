"""Officials set consultations up: texts, languages, groups and instruments, targets, lifecycle.

Invitation links have their own module, ``views_invitations``."""

from __future__ import annotations

from flask import abort, flash, redirect, render_template, request, url_for
from flask_babel import gettext as _
from flask_login import current_user
from sqlalchemy import select
from wtforms.fields.choices import SelectChoice

from consult.accounts.access import get_in_territory, territory_view
from consult.accounts.languages import label_for
from consult.accounts.models import Locality, Territory
from consult.accounts.permissions import can, roles_for
from consult.extensions import db
from consult.responses import bp, invitations, queries, services
from consult.responses.forms import ConfirmForm, GroupForm, LocalityTargetForm, consultation_form
from consult.responses.models import Consultation, ConsultationGroup, ConsultationState, LocalityTarget
from consult.surveys.labels import STAKEHOLDER_GROUPS
from consult.surveys.models import InstrumentVersion

# Read from the one permission table; other views of this room import these.
STAFF = roles_for("consultations.list")
MANAGERS = roles_for("consultations.manage")


def _consultation(territory: Territory, consultation_id: int) -> Consultation:
    return get_in_territory(Consultation, consultation_id, territory)


def _can_manage(territory: Territory) -> bool:
    return can(current_user, territory, "consultations.manage")


def _group_choices(codes=None) -> list[SelectChoice]:
    codes = list(STAKEHOLDER_GROUPS) if codes is None else codes
    return [SelectChoice(code, str(STAKEHOLDER_GROUPS.get(code, code))) for code in codes]


def _version_label(version: InstrumentVersion, lang: str) -> str:
    owner = _("shared library") if version.instrument.territory_id is None else _("this territory")
    state = _("frozen") if version.is_frozen else _("editable")
    return _(
        "%(title)s, version %(number)d (%(owner)s, %(state)s)",
        title=version.instrument.title_in(lang),
        number=version.number,
        owner=owner,
        state=state,
    )


def _form_languages(territory: Territory, consultation: Consultation | None = None) -> list[str]:
    codes = list(territory.enabled_languages or [territory.default_language])
    if consultation is not None:
        codes += [code for code in consultation.languages if code not in codes]
    return list(dict.fromkeys(codes))


def _language_names(territory: Territory, languages: list[str]) -> dict[str, str]:
    """Each language named as the territory names it, in the interface language, with its code."""
    return {code: f"{label_for(territory, code)} ({code})" for code in languages}


def _fill_consultation_form(form, languages: list[str], territory: Territory) -> None:
    names = _language_names(territory, languages)
    choices = [SelectChoice(code, names[code]) for code in languages]
    form.languages.choices = choices
    form.fallback_language.choices = choices


def _consultation_values(form, languages: list[str]) -> dict:
    return {
        "slug": form.slug.data or "",
        "organiser": form.organiser.data or "",
        "title": {code: getattr(form, f"title_{code}").data or "" for code in languages},
        "purpose": {code: getattr(form, f"purpose_{code}").data or "" for code in languages},
        "languages": [code for code in form.languages.data or [] if code in languages],
        "fallback_language": form.fallback_language.data,
        "opens_on": form.opens_on.data,
        "closes_on": form.closes_on.data,
        "small_cell_threshold": form.small_cell_threshold.data,
    }


def _field_error(form, error: services.ConsultationError, default: str) -> None:
    field = getattr(form, error.field or "", None) or getattr(form, default)
    field.errors = list(field.errors) + [str(error.message)]


@bp.route("/t/<territory>/consultations")
@territory_view(*STAFF)
def consultations(territory: Territory):
    """The territory's consultations, with their state and how many have answered."""
    items = services.consultations_of(territory)
    return render_template(
        "responses/official/list.html",
        territory=territory,
        consultations=items,
        totals=queries.received_per_consultation(territory.id),
        can_manage=_can_manage(territory),
    )


@bp.route("/t/<territory>/consultations/new", methods=["GET", "POST"])
@territory_view(*MANAGERS)
def new_consultation(territory: Territory):
    """Create a consultation (it starts as a draft)."""
    languages = _form_languages(territory)
    form = consultation_form(languages, _language_names(territory, languages))()
    _fill_consultation_form(form, languages, territory)
    if request.method == "GET":
        form.languages.data = languages
        form.fallback_language.data = territory.default_language
        form.organiser.data = territory.name
    if form.validate_on_submit():
        try:
            consultation = services.create_consultation(territory, **_consultation_values(form, languages))
        except services.ConsultationError as error:
            _field_error(form, error, "slug")
        else:
            db.session.commit()
            flash(
                _("The consultation has been created as a draft. Now add the groups and their instruments."), "success"
            )
            return redirect(
                url_for("responses.consultation_groups", territory=territory.slug, consultation_id=consultation.id)
            )
    return render_template(
        "responses/official/form.html",
        territory=territory,
        form=form,
        languages=languages,
        consultation=None,
        language_names=_language_names(territory, languages),
    )


@bp.route("/t/<territory>/consultations/<int:consultation_id>")
@territory_view(*STAFF)
def consultation(territory: Territory, consultation_id: int):
    """A consultation at a glance: state, public link, groups and targets, links to the set-up pages."""
    item = _consultation(territory, consultation_id)
    return render_template(
        "responses/official/detail.html",
        territory=territory,
        consultation=item,
        counts=queries.received_per_group(item.id),
        group_labels=STAKEHOLDER_GROUPS,
        versions={
            v.id: v
            for v in db.session.scalars(
                select(InstrumentVersion).where(
                    InstrumentVersion.id.in_([g.instrument_version_id for g in item.groups])
                )
            )
        },
        transitions=services.TRANSITIONS[item.state],
        problems=services.opening_problems(item) if item.state == ConsultationState.DRAFT else [],
        public_url=invitations.public_url(item),
        can_manage=_can_manage(territory),
        can_read_analysis=can(current_user, territory, "analysis.read"),
        # Answers given by voice are heard by whoever reads testimonies (moderators and officials).
        can_listen=can(current_user, territory, "testimonies.queue"),
        form=ConfirmForm(),
    )


@bp.route("/t/<territory>/consultations/<int:consultation_id>/edit", methods=["GET", "POST"])
@territory_view(*MANAGERS)
def edit_consultation(territory: Territory, consultation_id: int):
    """Change a consultation's texts, languages, dates and threshold."""
    item = _consultation(territory, consultation_id)
    languages = _form_languages(territory, item)
    form = consultation_form(languages, _language_names(territory, languages))()
    _fill_consultation_form(form, languages, territory)
    if request.method == "GET":
        form.slug.data = item.slug
        form.organiser.data = item.organiser
        form.languages.data = list(item.languages)
        form.fallback_language.data = item.fallback_language
        form.opens_on.data = item.opens_on
        form.closes_on.data = item.closes_on
        form.small_cell_threshold.data = item.small_cell_threshold
        for code in languages:
            getattr(form, f"title_{code}").data = item.title.get(code, "")
            getattr(form, f"purpose_{code}").data = item.purpose.get(code, "")
    if form.validate_on_submit():
        try:
            services.update_consultation(item, **_consultation_values(form, languages))
        except services.ConsultationError as error:
            _field_error(form, error, "slug")
        else:
            db.session.commit()
            flash(_("The consultation has been saved."), "success")
            return redirect(url_for("responses.consultation", territory=territory.slug, consultation_id=item.id))
    return render_template(
        "responses/official/form.html",
        territory=territory,
        form=form,
        languages=languages,
        consultation=item,
        language_names=_language_names(territory, languages),
    )


@bp.route("/t/<territory>/consultations/<int:consultation_id>/groups", methods=["GET", "POST"])
@territory_view(*MANAGERS)
def consultation_groups(territory: Territory, consultation_id: int):
    """Add a stakeholder group with the instrument it answers and its target, or change them."""
    item = _consultation(territory, consultation_id)
    lang = item.fallback_language
    versions = services.available_versions(territory)
    form = GroupForm()
    form.group_code.choices = _group_choices()
    form.instrument_version.choices = [SelectChoice(str(v.id), _version_label(v, lang)) for v in versions]
    if form.validate_on_submit():
        version = next((v for v in versions if str(v.id) == form.instrument_version.data), None)
        try:
            services.set_group(
                item, form.group_code.data, version, form.target.data, is_invitation_only=form.is_invitation_only.data
            )
        except services.ConsultationError as error:
            _field_error(form, error, "group_code")
        else:
            db.session.commit()
            flash(_("The group has been saved."), "success")
            return redirect(url_for("responses.consultation_groups", territory=territory.slug, consultation_id=item.id))
    by_id = {v.id: v for v in versions}
    return render_template(
        "responses/official/groups.html",
        territory=territory,
        consultation=item,
        form=form,
        remove_form=ConfirmForm(),
        group_labels=STAKEHOLDER_GROUPS,
        version_labels={vid: _version_label(v, lang) for vid, v in by_id.items()},
    )


@bp.route("/t/<territory>/consultations/<int:consultation_id>/groups/<int:group_id>/remove", methods=["POST"])
@territory_view(*MANAGERS)
def remove_group(territory: Territory, consultation_id: int, group_id: int):
    """Take a group out of a draft consultation."""
    item = _consultation(territory, consultation_id)
    group = db.session.get(ConsultationGroup, group_id)
    if group is None or group.consultation_id != item.id or not ConfirmForm().validate_on_submit():
        abort(404)
    try:
        services.remove_group(item, group)
    except services.ConsultationError as error:
        flash(str(error.message), "error")
    else:
        db.session.commit()
        flash(_("The group has been removed."), "success")
    return redirect(url_for("responses.consultation_groups", territory=territory.slug, consultation_id=item.id))


@bp.route("/t/<territory>/consultations/<int:consultation_id>/targets", methods=["GET", "POST"])
@territory_view(*MANAGERS)
def locality_targets(territory: Territory, consultation_id: int):
    """Targets per group and locality (optional, finer than the targets per group)."""
    item = _consultation(territory, consultation_id)
    form = LocalityTargetForm()
    form.group_code.choices = _group_choices([g.group_code for g in item.groups])
    localities = list(
        db.session.scalars(select(Locality).where(Locality.territory_id == territory.id).order_by(Locality.name))
    )
    form.locality.choices = [
        SelectChoice(str(loc.id), f"{loc.name} ({loc.area})" if loc.area else loc.name) for loc in localities
    ]
    if form.validate_on_submit():
        locality = next((loc for loc in localities if str(loc.id) == form.locality.data), None)
        try:
            if locality is None:
                raise services.ConsultationError(_("Choose a locality of this territory."), "locality")
            services.set_locality_target(item, form.group_code.data, locality, form.target.data)
        except services.ConsultationError as error:
            _field_error(form, error, "locality")
        else:
            db.session.commit()
            flash(_("The target has been saved."), "success")
            return redirect(url_for("responses.locality_targets", territory=territory.slug, consultation_id=item.id))
    return render_template(
        "responses/official/targets.html",
        territory=territory,
        consultation=item,
        form=form,
        remove_form=ConfirmForm(),
        group_labels=STAKEHOLDER_GROUPS,
        has_localities=bool(localities),
    )


@bp.route("/t/<territory>/consultations/<int:consultation_id>/targets/<int:target_id>/remove", methods=["POST"])
@territory_view(*MANAGERS)
def remove_locality_target(territory: Territory, consultation_id: int, target_id: int):
    """Remove a locality target."""
    item = _consultation(territory, consultation_id)
    target = db.session.get(LocalityTarget, target_id)
    if target is None or target.consultation_id != item.id or not ConfirmForm().validate_on_submit():
        abort(404)
    services.remove_locality_target(item, target)
    db.session.commit()
    flash(_("The target has been removed."), "success")
    return redirect(url_for("responses.locality_targets", territory=territory.slug, consultation_id=item.id))


@bp.route("/t/<territory>/consultations/<int:consultation_id>/state", methods=["POST"])
@territory_view(*MANAGERS)
def change_state(territory: Territory, consultation_id: int):
    """Move the consultation along its lifecycle (opening freezes its instruments)."""
    item = _consultation(territory, consultation_id)
    if not ConfirmForm().validate_on_submit():
        abort(400)
    try:
        new_state = ConsultationState(request.form.get("state", ""))
        services.change_state(item, new_state)
    except ValueError as error:
        db.session.rollback()
        message = getattr(error, "message", None) or _("This change of state is not possible.")
        flash(str(message), "error")
    else:
        db.session.commit()
        flash(_("The consultation is now: %(state)s.", state=new_state.label), "success")
    return redirect(url_for("responses.consultation", territory=territory.slug, consultation_id=item.id))
