"""Monitoring an adopted plan: officials record progress per action; analysts read it; everyone sees the public page.

The officials' page exists at any status but offers forms only once the plan
is adopted (before, it says when monitoring starts). The public progress page
exists only once the plan is adopted (404 before): a page never says
something exists before it does.
"""

from __future__ import annotations

from flask import abort, flash, redirect, render_template, request, url_for
from flask_babel import format_decimal
from flask_babel import gettext as _
from flask_login import current_user
from sqlalchemy import select

from consult.accounts.access import get_in_territory, has_role, territory_view
from consult.accounts.models import Territory
from consult.accounts.permissions import roles_for
from consult.core.access import public_view
from consult.extensions import db
from consult.i18n import content_language
from consult.plans import bp, monitoring
from consult.plans.forms_monitoring import update_form
from consult.plans.labels import ACTION_STATUSES
from consult.plans.models import Plan
from consult.responses.flow import public_consultation

#: Who may write progress; analysts read it.
WRITERS = roles_for("plans.monitor")
READERS = roles_for("plans.read")


def plan_number(value) -> str:
    """A figure in the reader's locale ("1.234,5" / "1,234.5"), at most two decimals."""
    return format_decimal(value, format="#,##0.##")


bp.add_app_template_filter(plan_number, "plan_number")


def _lang(plan: Plan) -> str:
    # ``?text=`` picks the plan's language without switching the interface (see views_official._lang).
    for code in (request.args.get("text"), content_language()):
        if code and code in (plan.consultation.languages or [plan.language]):
            return code
    return plan.language


@bp.route("/t/<territory>/plans/<int:plan_id>/monitoring", methods=["GET", "POST"], endpoint="monitoring")
@territory_view(*READERS)
def monitoring_page(territory: Territory, plan_id: int):
    """Each action's progress and history; officials record an update (POST) once the plan is adopted."""
    plan = get_in_territory(Plan, plan_id, territory)
    may_write = has_role(current_user, territory, WRITERS)
    lang = _lang(plan)
    forms = {}
    problem = ""
    status = 200
    actions = {a.id: a for a in plan.actions if not a.is_dropped}
    if may_write and monitoring.is_monitored(plan):
        forms = {action_id: update_form(action) for action_id, action in actions.items()}
    if request.method == "POST":
        if not may_write:
            abort(403)
        try:
            action_id = int(request.form.get("action_id", ""))
        except ValueError:
            action_id = 0
        action = actions.get(action_id)
        if action is None:
            abort(404)
        form = update_form(action, formdata=request.form)
        if not monitoring.is_monitored(plan):
            problem = _("Progress can be recorded only once the plan has been adopted.")
            status = 400
        elif form.validate():
            try:
                monitoring.record(
                    action,
                    status=form.status.data,
                    indicator_value=form.value,
                    note=form.note.data,
                    lang=lang,
                    as_of=form.day,
                    user=current_user,
                )
            except monitoring.MonitoringError as refused:
                db.session.rollback()
                target = form[refused.field] if refused.field and refused.field in form else None
                if target is not None:
                    target.errors = [refused.message]
                else:
                    problem = refused.message
                status = 400
            else:
                db.session.commit()
                flash(_("Progress recorded: %(action)s", action=plan.text(action.title, lang)), "success")
                return redirect(
                    url_for(".monitoring", territory=territory.slug, plan_id=plan.id) + f"#action-{action.id}"
                )
        else:
            status = 400
        if action.id in forms:
            forms[action.id] = form
    return render_template(
        "plans/monitoring/index.html",
        territory=territory,
        plan=plan,
        lang=lang,
        progress=monitoring.progress(plan, lang),
        forms=forms,
        may_write=may_write,
        is_monitored=monitoring.is_monitored(plan),
        problem=problem,
        note_text=monitoring.note_text,
        statuses=ACTION_STATUSES,
    ), status


@bp.route("/c/<slug>/plan/progress")
@public_view
def public_progress(slug: str):
    """Progress of the adopted plan per pillar and per action, with the dated notes of every update (404 before)."""
    consultation = public_consultation(slug)
    plan = db.session.scalar(select(Plan).where(Plan.consultation_id == consultation.id))
    if plan is None or not monitoring.is_monitored(plan):
        abort(404)
    lang = _lang(plan)
    return render_template(
        "plans/monitoring/public.html",
        consultation=consultation,
        plan=plan,
        lang=lang,
        progress=monitoring.progress(plan, lang),
        note_text=monitoring.note_text,
        statuses=ACTION_STATUSES,
    )
