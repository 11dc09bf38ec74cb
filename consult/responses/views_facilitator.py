"""Facilitators enter answers gathered on paper or read aloud: choose the stack's settings, then form after form.

See ``assisted.py`` for why the whole instrument is one keyboard-friendly page
and how rules, receipts and counting work.
"""

from __future__ import annotations

from flask import flash, g, redirect, render_template, request, session, url_for
from flask_babel import gettext as _
from flask_babel import refresh
from flask_login import current_user
from wtforms.fields.choices import SelectChoice

from consult.accounts.access import get_in_territory, territory_view
from consult.accounts.languages import label_for
from consult.accounts.models import Territory
from consult.accounts.permissions import can, roles_for
from consult.extensions import db
from consult.responses import assisted, bp, flow, tallies
from consult.responses.forms_entry import EntrySetupForm
from consult.responses.models import ENTRY_MODE_LABELS, Consultation
from consult.responses.services import ConsultationError
from consult.surveys.labels import STAKEHOLDER_GROUPS

ENTRY_ROLES = roles_for("answers.enter")
_RECEIPT = "responses.entry_receipt"


@bp.context_processor
def _entry_link_helper() -> dict:
    # The consultation page (official/detail.html) shows the entry link to those who may enter answers.
    return {"can_enter_answers": lambda territory: can(current_user, territory, "answers.enter")}


def _setup_choices(form: EntrySetupForm, territory: Territory, consultations: list[Consultation]) -> None:
    lang = flow.interface_language()
    form.target.choices = [SelectChoice("", "")] + [
        SelectChoice(
            f"{c.id}:{g.group_code}",
            f"{c.title_in(lang)} — {STAKEHOLDER_GROUPS.get(g.group_code, g.group_code)}",
        )
        for c in consultations
        for g in c.groups
    ]
    form.entry_mode.choices = [SelectChoice(mode.value, str(ENTRY_MODE_LABELS[mode])) for mode in assisted.ENTRY_MODES]
    codes = list(dict.fromkeys(code for c in consultations for code in c.languages))
    form.language.choices = [SelectChoice(code, label_for(territory, code)) for code in codes]
    form.locality.choices = [SelectChoice("", "")] + [
        SelectChoice(loc.code, f"{loc.name} ({loc.area})" if loc.area else loc.name) for loc in territory.localities
    ]
    form.organisation.choices = [SelectChoice("", "")] + [
        SelectChoice(str(org.id), org.name) for org in assisted.territory_organisations(territory)
    ]


def _parse_target(territory: Territory, value: str | None) -> tuple[Consultation | None, str | None]:
    consultation_id, _sep, group_code = (value or "").partition(":")
    number = assisted.small_int(consultation_id)
    if number is None:
        return None, None
    consultation = db.session.get(Consultation, number)
    if consultation is None or consultation.territory_id != territory.id:
        return None, None
    return consultation, group_code


@bp.route("/t/<territory>/entry", methods=["GET", "POST"])
@territory_view(*ENTRY_ROLES)
def entry_setup(territory: Territory):
    """Choose the consultation and group, how the answers were collected, their language, place and organisation."""
    consultations = assisted.accepting_consultations(territory)
    form = EntrySetupForm()
    _setup_choices(form, territory, consultations)
    if request.method == "GET":
        args = request.args
        chosen = next((c for c in consultations if str(c.id) == args.get("consultation")), None)
        if chosen is not None and chosen.groups:
            group = chosen.group(args.get("group")) or chosen.groups[0]
            form.target.data = f"{chosen.id}:{group.group_code}"
        form.entry_mode.data = args.get("mode") or "paper"
        form.language.data = args.get("language") or territory.default_language
        form.locality.data = args.get("locality") or ""
        form.organisation.data = args.get("organisation") or ""
    elif form.validate_on_submit():
        consultation, group_code = _parse_target(territory, form.target.data)
        if consultation is None:
            form.target.errors.append(_("Choose a consultation and group from the list."))
        else:
            try:
                setup = assisted.make_setup(
                    consultation,
                    group_code,
                    form.entry_mode.data,
                    form.language.data,
                    form.locality.data or None,
                    form.organisation.data or None,
                )
            except ConsultationError as error:
                getattr(form, error.field or "target").errors.append(str(error.message))
            else:
                return redirect(_entry_url(territory, setup))
    return render_template("responses/assisted_setup.html", territory=territory, form=form, consultations=consultations)


def _entry_url(territory: Territory, setup: assisted.EntrySetup) -> str:
    return url_for(
        "responses.entry_form",
        territory=territory.slug,
        consultation_id=setup.consultation.id,
        group_code=setup.group.group_code,
        **setup.query(),
    )


@bp.route("/t/<territory>/entry/<int:consultation_id>/<group_code>", methods=["GET", "POST"])
@territory_view(*ENTRY_ROLES)
def entry_form(territory: Territory, consultation_id: int, group_code: str):
    """One response: every question on one page; "save and start the next one" stores it and opens a fresh form."""
    consultation = get_in_territory(Consultation, consultation_id, territory)
    args = request.args
    try:
        setup = assisted.make_setup(
            consultation,
            group_code,
            args.get("mode"),
            args.get("language"),
            args.get("locality"),
            args.get("organisation"),
        )
    except ConsultationError as error:
        flash(str(error.message), "error")
        return redirect(url_for("responses.entry_setup", territory=territory.slug))
    speak_in(setup.language)
    posted = request.method == "POST"
    entry = assisted.build_entry(setup, request.form if posted else None, interface_lang=flow.interface_language())
    checked = False
    if posted:
        assisted.read_entry(entry)
        if not entry.has_errors and request.form.get("action") == "save":
            try:
                saved = assisted.save_entry(entry, current_user)
            except ConsultationError as error:
                flash(str(error.message), "error")
            else:
                db.session.commit()
                _after_save(saved)
                return redirect(_entry_url(territory, setup))
        checked = not entry.has_errors
    assisted.lay_out(entry)
    receipt = session.pop(_RECEIPT, None) if not posted else None
    return (
        render_template(
            "responses/assisted_form.html",
            territory=territory,
            consultation=consultation,
            setup=setup,
            entry=entry,
            form=entry.form,
            lang=setup.language,
            checked=checked,
            receipt=receipt,
            entered=tallies.entries_by(consultation, current_user),
            group_label=STAKEHOLDER_GROUPS.get(setup.group.group_code, setup.group.group_code),
            language_name=label_for(territory, setup.language),
            action=_entry_url(territory, setup),
            setup_url=url_for(
                "responses.entry_setup",
                territory=territory.slug,
                consultation=consultation.id,
                group=setup.group.group_code,
                **setup.query(),
            ),
        ),
        200,
        flow.NO_STORE,
    )


def speak_in(code: str) -> None:
    """Show the rest of this request in the form's language (its interface language for a content-only one).

    A facilitator chose the language of the questions (an official, that of a
    printed sheet); scale labels, group names, place labels, buttons and
    messages must read in that same language, not in the one the browser asked
    for. Only this request changes: the person's own choice (session) is kept.
    """
    g.content_language = code
    refresh()


def _after_save(saved: assisted.SavedEntry) -> None:
    if saved.receipt_code:
        session[_RECEIPT] = saved.receipt_code
    if not saved.created:
        flash(_("These answers had already been saved. Here is a new, empty form."), "success")
        return
    flash(_("Saved. Here is a new, empty form with the same settings."), "success")
    if saved.dropped:
        flash(
            _(
                "Answers left out because the survey's rules skip those questions for this person: %(n)d.",
                n=saved.dropped,
            ),
            "success",
        )
