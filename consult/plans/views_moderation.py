"""Moderating a plan's public comments and company statements, and answering comments in public.

Officials and moderators of the plan's territory publish or decline (with a
reason the sender can read); only officials write the public answers, which
carry who answered and on which day. One queue holds both comments and
company statements, the ones waiting first.
"""

from __future__ import annotations

from flask import abort, flash, redirect, render_template, request, url_for
from flask_babel import gettext as _
from flask_login import current_user

from consult.accounts.access import get_in_territory, territory_view
from consult.accounts.permissions import can, roles_for
from consult.extensions import db
from consult.plans import bp, comments, statements
from consult.plans.forms_public import AnswerForm, ModerateForm
from consult.plans.labels import COMMENT_STATUSES, SECTION_TITLES
from consult.plans.models import CompanyStatement, Plan, PlanComment

MODERATORS = roles_for("plans.moderate_comments")


def _page(
    territory, plan: Plan, *, problems: dict[str, str] | None = None, forms: dict | None = None, status: int = 200
):
    lang = plan.language
    is_official = can(current_user, territory, "plans.answer_comments")
    listed = comments.for_moderation(plan)
    given = forms or {}
    moderate = {
        f"c{item.id}": given.get(f"c{item.id}") or ModerateForm(prefix=f"c{item.id}", formdata=None) for item in listed
    }
    answer_forms = {}
    if is_official:
        for item in listed:
            form = given.get(f"a{item.id}") or AnswerForm(prefix=f"a{item.id}", formdata=None)
            if not form.answer.data and item.answer:
                form.answer.data = item.answer
            answer_forms[f"a{item.id}"] = form
    stated = statements.for_moderation(plan)
    for item in stated:
        moderate[f"s{item.id}"] = given.get(f"s{item.id}") or ModerateForm(prefix=f"s{item.id}", formdata=None)
    actions = {action.id: plan.text(action.title, lang) for action in plan.actions}
    sections = {
        section.key: plan.text(section.title, lang) or str(SECTION_TITLES.get(section.key, section.key))
        for section in plan.sections
    }
    priorities = {priority.id: plan.text(priority.title, lang) for priority in plan.priorities}
    return (
        render_template(
            "plans/moderation/queue.html",
            territory=territory,
            plan=plan,
            lang=lang,
            comments=listed,
            statements=stated,
            moderate=moderate,
            answer_forms=answer_forms,
            problems=problems or {},
            is_official=is_official,
            statuses=COMMENT_STATUSES,
            actions=actions,
            sections=sections,
            priorities=priorities,
        ),
        status,
    )


@bp.route("/t/<territory>/plans/<int:plan_id>/comments")
@territory_view(*MODERATORS)
def moderation(territory, plan_id: int):
    """The queue of comments and company statements on a plan, waiting ones first."""
    plan = get_in_territory(Plan, plan_id, territory)
    return _page(territory, plan)


def _back(territory, plan: Plan, anchor: str):
    return redirect(url_for("plans.moderation", territory=territory.slug, plan_id=plan.id, _anchor=anchor))


@bp.route("/t/<territory>/plans/<int:plan_id>/comments/<int:comment_id>", methods=["POST"])
@territory_view(*MODERATORS)
def moderate_comment(territory, plan_id: int, comment_id: int):
    """Publish, decline (with a reason) or — officials only — answer one comment."""
    plan = get_in_territory(Plan, plan_id, territory)
    item = db.session.get(PlanComment, comment_id)
    if item is None or item.plan_id != plan.id:
        abort(404)
    decision = request.form.get("decision", "")
    key = f"c{item.id}"
    try:
        if decision == "approve":
            comments.approve(item, current_user)
            message = _("The comment is published.")
        elif decision == "reject":
            form = ModerateForm(prefix=key)
            if not form.validate():
                return _page(
                    territory, plan, forms={key: form}, problems={key: " ".join(form.reason.errors)}, status=400
                )
            comments.reject(item, current_user, form.reason.data)
            message = _("The comment will not be published.")
        elif decision == "answer":
            if not can(current_user, territory, "plans.answer_comments"):
                abort(403)
            key = f"a{item.id}"
            form = AnswerForm(prefix=key)
            if not form.validate():
                return _page(
                    territory, plan, forms={key: form}, problems={key: " ".join(form.answer.errors)}, status=400
                )
            comments.answer(item, current_user, form.answer.data)
            message = _("The answer is published with the comment.")
        else:
            abort(400)
    except comments.CommentError as error:
        db.session.rollback()
        form = ModerateForm(prefix=key) if key.startswith("c") else AnswerForm(prefix=key)
        return _page(territory, plan, forms={key: form}, problems={key: str(error.message)}, status=400)
    db.session.commit()
    flash(message, "success")
    return _back(territory, plan, f"comment-{item.id}")


@bp.route("/t/<territory>/plans/<int:plan_id>/statements/<int:statement_id>", methods=["POST"])
@territory_view(*MODERATORS)
def moderate_statement(territory, plan_id: int, statement_id: int):
    """Publish or decline (with a reason) one company statement."""
    plan = get_in_territory(Plan, plan_id, territory)
    item = db.session.get(CompanyStatement, statement_id)
    if item is None or item.plan_id != plan.id:
        abort(404)
    decision = request.form.get("decision", "")
    key = f"s{item.id}"
    form = ModerateForm(prefix=key)
    try:
        if decision == "approve":
            statements.approve(item, current_user)
            message = _("The statement is published beside the evidence.")
        elif decision == "reject":
            if not form.validate():
                return _page(
                    territory, plan, forms={key: form}, problems={key: " ".join(form.reason.errors)}, status=400
                )
            statements.reject(item, current_user, form.reason.data)
            message = _("The statement will not be published.")
        else:
            abort(400)
    except statements.StatementError as error:
        db.session.rollback()
        return _page(territory, plan, forms={key: form}, problems={key: str(error.message)}, status=400)
    db.session.commit()
    flash(message, "success")
    return _back(territory, plan, f"statement-{item.id}")


@bp.route("/t/<territory>/plan-comments")
@territory_view(*MODERATORS)
def comment_plans(territory):
    """The territory's public plans with how many comments and statements wait for a decision (moderators' way in)."""
    plans = comments.public_plans_of(territory.id)
    waiting = comments.waiting_counts([plan.id for plan in plans])
    return render_template("plans/moderation/plans.html", territory=territory, plans=plans, waiting=waiting)
