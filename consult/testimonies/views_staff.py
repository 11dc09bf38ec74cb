"""Staff of a territory: the moderation queue, reading (audited), excerpts, themes, follow-up messages,
what analysts see, protection routes, settings and the audit log.

Who may do what (docs/threat-model.md): moderators and officials read
testimonies; only moderators moderate; analysts see approved, consented
excerpts and counts; officials configure. Network administrators are not let
in by default: an administrator who must read testimonies is given a role in
the territory, where officials see it.
"""

from __future__ import annotations

from flask import abort, flash, redirect, render_template, request, url_for
from flask_babel import gettext as _
from flask_login import current_user
from sqlalchemy import select
from wtforms.fields.choices import SelectChoice

from consult.accounts.access import get_in_territory, territory_view
from consult.accounts.models import Territory
from consult.accounts.permissions import can, roles_for
from consult.extensions import db
from consult.i18n import LANGUAGE_NAMES, content_language
from consult.responses.models import Consultation
from consult.surveys.models import Instrument, InstrumentVersion
from consult.testimonies import audit, bp, counts, queries, recordings, services
from consult.testimonies.errors import TestimonyError
from consult.testimonies.forms import (
    ConfirmForm,
    DecisionForm,
    ExcerptForm,
    MessageForm,
    SettingsForm,
    ThemesForm,
    TranscriptForm,
    route_form,
)
from consult.testimonies.intake import INSTRUMENT_KEY, settings_for, testimony_version
from consult.testimonies.models import ConsentUse, ExcerptStatus, ProtectionRoute, Testimony, TestimonyExcerpt
from consult.testimonies.presenting import answer_lines
from consult.testimonies.presenting import content_language as instrument_language

NO_STORE = {"Cache-Control": "no-store"}
READERS = roles_for("testimonies.queue")


def _page(template: str, status: int = 200, **context):
    return render_template(template, **context), status, NO_STORE


@bp.route("/t/<territory>/testimonies/")
@territory_view(*READERS)
def queue(territory: Territory):
    """The moderation queue: urgent first; no content, only what sorting needs."""
    closed = request.args.get("closed") == "1"
    return _page(
        "testimonies/queue.html",
        territory=territory,
        testimonies=services.queue(territory, closed=closed),
        awaiting_second=services.awaiting_second_counts(territory),
        closed=closed,
    )


def _theme_choices() -> list[SelectChoice]:
    return [SelectChoice(code, str(label)) for code, label in services.THEMES.items()]


def _read_page(territory: Territory, testimony: Testimony, *, status: int = 200, **forms):
    """The reading page (audited), with the moderation forms (given ones keep what was typed)."""
    content = services.read_for_staff(testimony, current_user)
    db.session.commit()
    instrument = testimony.instrument_version.parsed()
    lang = instrument_language(instrument, content_language())
    themes_form = forms.get("themes_form") or ThemesForm(
        prefix="themes", data={"themes": [t.theme for t in testimony.themes]}
    )
    themes_form.themes.choices = _theme_choices()
    lines = answer_lines(instrument, content.answers, lang, territory)
    narrative = next((line.answer for line in lines if line.is_long), "")
    # Spoken accounts: the page's reading is audited above; listening is audited per request.
    spoken = recordings.of_testimony(testimony)
    transcripts = recordings.transcripts(spoken)
    return _page(
        "testimonies/read.html",
        status,
        territory=territory,
        testimony=testimony,
        content=content,
        lines=lines,
        consents=sorted(testimony.consents, key=lambda c: c.id),
        is_moderator=can(current_user, territory, "testimonies.moderate"),
        allows_quote=testimony.allows(ConsentUse.QUOTE),
        excerpt_form=forms.get("excerpt_form") or ExcerptForm(prefix="excerpt", data={"text": narrative}),
        decision_forms={e.excerpt.id: DecisionForm(prefix=f"decide-{e.excerpt.id}") for e in content.excerpts},
        decision_error=forms.get("decision_error"),
        edit_forms={
            e.excerpt.id: ExcerptForm(prefix=f"edit-{e.excerpt.id}", data={"text": e.text}) for e in content.excerpts
        }
        | dict([forms["edit_form"]] if forms.get("edit_form") else []),
        edit_error=forms.get("edit_error"),
        themes_form=themes_form,
        message_form=forms.get("message_form") or MessageForm(prefix="message"),
        theme_labels=services.THEMES,
        spoken=spoken,
        transcripts=transcripts,
        question_texts={
            r.question_key: instrument.text(instrument.question(r.question_key).text, lang)
            for r in spoken
            if instrument.has_question(r.question_key)
        },
        transcript_forms={
            r.id: TranscriptForm(prefix=f"transcript-{r.id}", data={"text": transcripts.get(r.id) or ""})
            for r in spoken
        }
        | dict([forms["transcript_form"]] if forms.get("transcript_form") else []),
        transcript_error=forms.get("transcript_error"),
    )


@bp.route("/t/<territory>/testimonies/<int:testimony_id>")
@territory_view(*READERS)
def read(territory: Territory, testimony_id: int):
    """Read one testimony, decrypted; the reading is written to the audit log."""
    testimony = get_in_territory(Testimony, testimony_id, territory)
    return _read_page(territory, testimony)


@bp.route("/t/<territory>/testimonies/<int:testimony_id>/excerpts", methods=["POST"])
@territory_view("testimonies.moderate")
def propose_excerpt(territory: Territory, testimony_id: int):
    """Make a redacted, quotable excerpt; the original is left as it is."""
    testimony = get_in_territory(Testimony, testimony_id, territory)
    form = ExcerptForm(prefix="excerpt")
    if form.validate_on_submit():
        try:
            services.propose_excerpt(testimony, form.text.data, current_user)
        except TestimonyError as error:
            form.text.errors.append(str(error.message))
        else:
            db.session.commit()
            flash(_("The excerpt has been saved. It can be quoted once approved."), "success")
            return redirect(
                url_for("testimonies.read", territory=territory.slug, testimony_id=testimony.id) + "#excerpts"
            )
    return _read_page(territory, testimony, status=400, excerpt_form=form)


@bp.route("/t/<territory>/testimonies/<int:testimony_id>/excerpts/<int:excerpt_id>", methods=["POST"])
@territory_view("testimonies.moderate")
def decide_excerpt(territory: Territory, testimony_id: int, excerpt_id: int):
    """Approve or reject an excerpt with a reason."""
    testimony = get_in_territory(Testimony, testimony_id, territory)
    excerpt = get_in_territory(TestimonyExcerpt, excerpt_id, territory)
    if excerpt.testimony_id != testimony.id:
        abort(404)
    form = DecisionForm(prefix=f"decide-{excerpt.id}")
    if form.validate_on_submit():
        try:
            services.decide_excerpt(excerpt, form.decision.data == "approve", form.reason.data, current_user)
        except TestimonyError as error:
            form.reason.errors.append(str(error.message))
        else:
            db.session.commit()
            if excerpt.status == ExcerptStatus.AWAITING_SECOND:
                flash(_("Your approval has been saved. A second moderator must approve it too."), "success")
            else:
                flash(_("The decision has been saved."), "success")
            return redirect(
                url_for("testimonies.read", territory=territory.slug, testimony_id=testimony.id) + "#excerpts"
            )
    errors = [str(e) for errors in form.errors.values() for e in errors]
    return _read_page(territory, testimony, status=400, decision_error=(excerpt.id, errors))


@bp.route("/t/<territory>/testimonies/<int:testimony_id>/excerpts/<int:excerpt_id>/edit", methods=["POST"])
@territory_view("testimonies.moderate")
def edit_excerpt(territory: Territory, testimony_id: int, excerpt_id: int):
    """Change an excerpt's text; it then needs both approvals again."""
    testimony = get_in_territory(Testimony, testimony_id, territory)
    excerpt = get_in_territory(TestimonyExcerpt, excerpt_id, territory)
    if excerpt.testimony_id != testimony.id:
        abort(404)
    form = ExcerptForm(prefix=f"edit-{excerpt.id}")
    if form.validate_on_submit():
        try:
            services.edit_excerpt(excerpt, form.text.data, current_user)
        except TestimonyError as error:
            form.text.errors.append(str(error.message))
        else:
            db.session.commit()
            flash(_("The excerpt has been changed. It needs two approvals again."), "success")
            return redirect(
                url_for("testimonies.read", territory=territory.slug, testimony_id=testimony.id) + "#excerpts"
            )
    errors = [str(e) for errors in form.errors.values() for e in errors]
    return _read_page(territory, testimony, status=400, edit_error=(excerpt.id, errors), edit_form=(excerpt.id, form))


@bp.route("/t/<territory>/testimonies/<int:testimony_id>/themes", methods=["POST"])
@territory_view("testimonies.moderate")
def tag_themes(territory: Territory, testimony_id: int):
    """Tag the testimony with themes for analysis."""
    testimony = get_in_territory(Testimony, testimony_id, territory)
    form = ThemesForm(prefix="themes")
    form.themes.choices = _theme_choices()
    if form.validate_on_submit():
        try:
            services.set_themes(testimony, form.themes.data or [])
        except TestimonyError as error:
            form.themes.errors.append(str(error.message))
        else:
            db.session.commit()
            flash(_("The themes have been saved."), "success")
            return redirect(
                url_for("testimonies.read", territory=territory.slug, testimony_id=testimony.id) + "#themes"
            )
    return _read_page(territory, testimony, status=400, themes_form=form)


@bp.route("/t/<territory>/testimonies/<int:testimony_id>/messages", methods=["POST"])
@territory_view("testimonies.moderate")
def send_message(territory: Territory, testimony_id: int):
    """Leave a follow-up message the person reads with the receipt code."""
    testimony = get_in_territory(Testimony, testimony_id, territory)
    form = MessageForm(prefix="message")
    if form.validate_on_submit():
        try:
            services.send_message(testimony, form.text.data, current_user)
        except TestimonyError as error:
            form.text.errors.append(str(error.message))
        else:
            db.session.commit()
            flash(_("The message has been left for the person."), "success")
            return redirect(
                url_for("testimonies.read", territory=territory.slug, testimony_id=testimony.id) + "#messages"
            )
    return _read_page(territory, testimony, status=400, message_form=form)


@bp.route("/t/<territory>/testimonies/excerpts")
@territory_view("testimonies.excerpts")
def excerpts(territory: Territory):
    """What analysts may see: approved excerpts whose authors allow quotes, and counts."""
    rows = list(db.session.scalars(queries.quotable_excerpts(territory_id=territory.id)))
    opened = audit.open_excerpts(rows, purpose="excerpts.list", user=current_user)
    db.session.commit()
    # Counts per consultation, each at its own threshold, through the one suppression function.
    return _page(
        "testimonies/excerpts.html", territory=territory, excerpts=opened, counted=counts.territory_counts(territory.id)
    )


# -- protection routes (officials) ---------------------------------------------------------------


def _route_form_class(territory: Territory):
    names = {code: str(LANGUAGE_NAMES.get(code, code)) for code in territory.enabled_languages}
    return route_form(list(territory.enabled_languages), names)


def _save_route(territory: Territory, form, route: ProtectionRoute | None) -> ProtectionRoute | None:
    languages = list(territory.enabled_languages)
    try:
        return services.save_route(
            territory,
            route,
            names={code: form[f"name_{code}"].data or "" for code in languages},
            descriptions={code: form[f"description_{code}"].data or "" for code in languages},
            contact=form.contact.data,
            position=form.position.data or 0,
            is_authority=form.is_authority.data,
            is_active=form.is_active.data,
        )
    except TestimonyError as error:
        field = error.field if error.field in form else "contact"
        form[field].errors.append(str(error.message))
        return None


@bp.route("/t/<territory>/testimonies/routes", methods=["GET", "POST"])
@territory_view("testimonies.configure")
def routes(territory: Territory):
    """Protection routes shown to people who report reprisals; add one."""
    form = _route_form_class(territory)()
    if form.validate_on_submit() and _save_route(territory, form, None) is not None:
        db.session.commit()
        flash(_("The protection route has been saved."), "success")
        return redirect(url_for("testimonies.routes", territory=territory.slug))
    return _page(
        "testimonies/routes.html",
        400 if form.errors else 200,
        territory=territory,
        routes=services.routes_of(territory, active_only=False),
        form=form,
        languages=territory.enabled_languages,
    )


@bp.route("/t/<territory>/testimonies/routes/<int:route_id>", methods=["GET", "POST"])
@territory_view("testimonies.configure")
def edit_route(territory: Territory, route_id: int):
    """Change or delete a protection route."""
    route = get_in_territory(ProtectionRoute, route_id, territory)
    form_class = _route_form_class(territory)
    if request.method == "GET":
        data = {
            "contact": route.contact,
            "position": route.position,
            "is_authority": route.is_authority,
            "is_active": route.is_active,
        }
        for code in territory.enabled_languages:
            data[f"name_{code}"] = route.name.get(code, "")
            data[f"description_{code}"] = route.description.get(code, "")
        form = form_class(data=data)
    else:
        form = form_class()
        if form.validate_on_submit() and _save_route(territory, form, route) is not None:
            db.session.commit()
            flash(_("The protection route has been saved."), "success")
            return redirect(url_for("testimonies.routes", territory=territory.slug))
    return _page(
        "testimonies/route_edit.html",
        400 if form.errors else 200,
        territory=territory,
        route=route,
        form=form,
        delete_form=ConfirmForm(prefix="delete"),
        languages=territory.enabled_languages,
    )


@bp.route("/t/<territory>/testimonies/routes/<int:route_id>/delete", methods=["POST"])
@territory_view("testimonies.configure")
def delete_route(territory: Territory, route_id: int):
    """Delete a protection route (consent records keep the name they were given)."""
    route = get_in_territory(ProtectionRoute, route_id, territory)
    if ConfirmForm(prefix="delete").validate_on_submit():
        services.delete_route(route)
        db.session.commit()
        flash(_("The protection route has been deleted."), "success")
    return redirect(url_for("testimonies.routes", territory=territory.slug))


# -- settings and audit (officials) --------------------------------------------------------------


@bp.route("/t/<territory>/testimonies/settings")
@territory_view("testimonies.configure")
def settings(territory: Territory):
    """Each consultation's retention period and testimony form."""
    rows = [(c, services.retention_days(c), testimony_version(c)) for c in services.consultations_of(territory)]
    return _page("testimonies/settings.html", territory=territory, rows=rows)


def _version_choices(territory: Territory) -> list[SelectChoice]:
    owned = select(Instrument).where(
        (Instrument.territory_id == territory.id) | Instrument.territory_id.is_(None), Instrument.key == INSTRUMENT_KEY
    )
    choices = [SelectChoice("", _("The built-in remedy testimony form"))]
    for instrument in db.session.scalars(owned.order_by(Instrument.id)):
        for version in instrument.versions:
            if version.is_published:
                where = _("shared library") if instrument.is_library else territory.name
                choices.append(
                    SelectChoice(
                        str(version.id), f"{instrument.title_in(content_language())} · v{version.number} · {where}"
                    )
                )
    return choices


@bp.route("/t/<territory>/testimonies/settings/<int:consultation_id>", methods=["GET", "POST"])
@territory_view("testimonies.configure")
def edit_settings(territory: Territory, consultation_id: int):
    """Set how long a consultation keeps testimonies and which testimony form it uses."""
    consultation = get_in_territory(Consultation, consultation_id, territory)
    current = settings_for(consultation)
    form = SettingsForm()
    form.instrument_version.choices = _version_choices(territory)
    if request.method == "GET":
        form.retention_days.data = services.retention_days(consultation)
        form.instrument_version.data = (
            str(current.instrument_version_id) if current and current.instrument_version_id else ""
        )
    if form.validate_on_submit():
        version = None
        if form.instrument_version.data:
            version = db.session.get(InstrumentVersion, int(form.instrument_version.data))
            if version is None or str(version.id) not in {c.value for c in form.instrument_version.choices}:
                version = None
                form.instrument_version.errors.append(_("Choose a testimony form from the list."))
        if not form.instrument_version.errors:
            try:
                services.save_settings(consultation, retention=form.retention_days.data, version=version)
            except TestimonyError as error:
                getattr(form, error.field or "retention_days").errors.append(str(error.message))
            else:
                db.session.commit()
                flash(_("The settings have been saved."), "success")
                return redirect(url_for("testimonies.settings", territory=territory.slug))
    return _page(
        "testimonies/settings_edit.html",
        400 if form.errors else 200,
        territory=territory,
        consultation=consultation,
        form=form,
    )


@bp.route("/t/<territory>/testimonies/audit")
@territory_view("testimonies.configure")
def audit_log(territory: Territory):
    """Who opened which testimony, when and through which page: never what it says."""
    return _page("testimonies/audit.html", territory=territory, events=audit.events_of(territory.id))
