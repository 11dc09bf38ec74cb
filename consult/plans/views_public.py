"""The public side of a plan: the plan page with comments, a comment's receipt, company statements, "you said, we did".

Nothing here exists before the plan is public: while there is no plan, or it
is a draft, every address answers 404. Pages with forms or codes are sent
with ``Cache-Control: no-store``; receipt codes travel in POST bodies only.
The receipt page of the responses room shows, through its panel registry, the
actions citing a participant's answers once a plan is public.
"""

from __future__ import annotations

from flask import abort, flash, redirect, render_template, request, session, url_for
from flask_babel import gettext as _
from flask_login import current_user
from markupsafe import Markup

from consult.accounts.access import login_view, public_view
from consult.extensions import db, limiter
from consult.i18n import content_language
from consult.plans import bp, comments, statements, yousaid
from consult.plans.forms_public import CommentForm, StatementForm
from consult.plans.labels import COMMENT_STATUSES, PILLARS, PLAN_STATUSES, SECTION_TITLES
from consult.plans.markdown import to_html
from consult.plans.models import AuthorKind, Pillar, Plan, PlanStatus
from consult.responses import flow
from consult.responses.forms import CodeForm
from consult.responses.receipt_panels import register_receipt_panel

NO_STORE = {"Cache-Control": "no-store"}
#: Like the other public POSTs that take text or codes.
POST_LIMIT = "10 per minute;60 per hour"
_CODES = "plans.comment_codes"


def _public(slug: str):
    """The consultation at ``slug`` and its plan, or 404 while there is no plan or it is a draft."""
    consultation = flow.public_consultation(slug)
    plan = yousaid.public_plan(consultation.id)
    if plan is None:
        abort(404)
    return consultation, plan


def _plan_lang(plan: Plan) -> str:
    """``?lang=`` if the plan is drafted in it, else the request's language if it is, else the plan's own."""
    asked = request.args.get("lang")
    if asked in (plan.languages or []):
        return asked
    return yousaid.plan_language(plan, content_language())


def _link_lang(lang: str) -> str | None:
    """``lang`` for a link or redirect only if it is the reader's language already.

    ``?lang=`` also sets the interface language (and is remembered), so carrying the plan's fallback language
    would switch a reader's whole interface to it; without it the next page falls back the same way.
    """
    return lang if lang == content_language() else None


def _organisation():
    """The organisation of the logged-in account, if any."""
    if current_user.is_authenticated:
        return current_user.organisation
    return None


def _targets(plan: Plan) -> list[str]:
    """The form prefix of every place one may comment on: each section, each kept action."""
    found = [f"section-{section.key}" for section in plan.sections]
    found += [f"action-{action.id}" for action in plan.actions if not action.is_dropped]
    return found


def _comment_form(consultation, target: str, lang: str, formdata=None) -> CommentForm:
    form = CommentForm(formdata=formdata, prefix=f"c-{target}")
    form.language.choices = flow.language_choices(consultation)
    if formdata is None:
        form.language.data = lang if lang in consultation.languages else consultation.fallback_language
    return form


def _by_target(items) -> dict[str, list]:
    grouped: dict[str, list] = {}
    for item in items:
        key = f"section-{item.section_key}" if item.section_key else f"action-{item.action_id}"
        grouped.setdefault(key, []).append(item)
    return grouped


def _plan_page(
    consultation, plan: Plan, lang: str, *, posted: tuple[str, CommentForm] | None = None, status: int = 200
):
    is_open = comments.comment_is_open(plan)
    forms = {}
    if is_open:
        forms = {target: _comment_form(consultation, target, lang) for target in _targets(plan)}
        if posted is not None:
            forms[posted[0]] = posted[1]
    organisation = _organisation()
    own = _by_target(comments.of_organisation(plan, organisation.id)) if organisation is not None else {}
    return (
        render_template(
            "plans/public/plan.html",
            consultation=consultation,
            plan=plan,
            lang=lang,
            is_open=is_open,
            forms=forms,
            published=_by_target(comments.approved(plan)),
            own=own,
            beside=statements.beside(plan),
            may_state=statements.may_state(plan, organisation),
            posted_target=posted[0] if posted else None,
        ),
        status,
        NO_STORE,
    )


@bp.route("/c/<slug>/plan")
@public_view
def public_plan(slug: str):
    """The public plan: sections, priorities with their evidence, actions by pillar, and comments while open."""
    consultation, plan = _public(slug)
    return _plan_page(consultation, plan, _plan_lang(plan))


def _closed_page(consultation, plan: Plan, lang: str):
    return (
        render_template("plans/public/closed.html", consultation=consultation, plan=plan, lang=lang),
        403,
        NO_STORE,
    )


@bp.route("/c/<slug>/plan/comment", methods=["POST"])
@limiter.limit(POST_LIMIT)
@public_view
def comment(slug: str):
    """Send a comment on a section or an action; anonymous senders get a receipt code on the next page."""
    consultation, plan = _public(slug)
    lang = _plan_lang(plan)
    if not comments.comment_is_open(plan):
        return _closed_page(consultation, plan, lang)
    target = request.form.get("target", "")
    if target not in _targets(plan):
        flash(_("Choose a section or an action of the plan to comment on."), "error")
        return _plan_page(consultation, plan, lang, status=400)
    form = _comment_form(consultation, target, lang, formdata=request.form)
    if form.validate():
        kind, _sep, ref = target.partition("-")
        try:
            _comment, code = comments.submit(
                plan,
                body=form.body.data,
                language=form.language.data,
                section_key=ref if kind == "section" else None,
                action_id=int(ref) if kind == "action" else None,
                user=current_user,
            )
        except comments.CommentError as error:
            form.body.errors = [*form.body.errors, str(error.message)]
        else:
            db.session.commit()
            if code is None:
                flash(_("Your comment was sent. It will be published once a moderator has read it."), "success")
                return redirect(
                    url_for("plans.public_plan", slug=slug, lang=_link_lang(lang), _anchor=f"plan-{target}")
                )
            codes = dict(session.get(_CODES) or {})
            codes[slug] = code
            session[_CODES] = codes
            return redirect(url_for("plans.comment_sent", slug=slug))
    return _plan_page(consultation, plan, lang, posted=(target, form), status=400)


@bp.route("/c/<slug>/plan/comment/sent")
@public_view
def comment_sent(slug: str):
    """Thanks, and the comment's receipt code, shown this once."""
    consultation, plan = _public(slug)
    codes = dict(session.get(_CODES) or {})
    code = codes.pop(slug, None)
    session[_CODES] = codes
    return (
        render_template(
            "plans/public/sent.html", consultation=consultation, plan=plan, code=code, lang=_plan_lang(plan)
        ),
        200,
        NO_STORE,
    )


@bp.route("/c/<slug>/plan/my-comment", methods=["GET", "POST"])
@limiter.limit(POST_LIMIT, methods=["POST"])
@public_view
def my_comment(slug: str):
    """Type the receipt code (in a POST body) to read one's comment, its moderation status and the answer."""
    consultation, plan = _public(slug)
    form = CodeForm()
    found = None
    if form.validate_on_submit():
        found = comments.find_by_code(form.code.data)
        if found is None or found.plan_id != plan.id:
            # The same words whatever the reason: a code of another plan says no more than a wrong one.
            found = None
            form.code.errors.append(_("No comment on this plan has this receipt code. Check it and try again."))
    return (
        render_template(
            "plans/public/my_comment.html",
            consultation=consultation,
            plan=plan,
            lang=_plan_lang(plan),
            form=form,
            found=found,
            statuses=COMMENT_STATUSES,
        ),
        400 if form.errors else 200,
        NO_STORE,
    )


def _statement_form(consultation, plan: Plan, lang: str, formdata=None) -> StatementForm:
    form = StatementForm(formdata=formdata)
    form.language.choices = flow.language_choices(consultation)
    choices = []
    for target in statements.targets(plan):
        title = plan.text(target.priority.title, lang)
        if target.evidence is None:
            choices.append((target.value, _("The priority: %(title)s", title=title)))
        else:
            sentence = yousaid.evidence_sentence(plan, target.evidence, lang)
            choices.append(
                (target.value, _("Evidence (%(priority)s): %(sentence)s", priority=title, sentence=sentence))
            )
    form.target.choices = choices
    if formdata is None:
        form.language.data = lang if lang in consultation.languages else consultation.fallback_language
        wanted = request.args.get("to")
        if wanted in {value for value, _label in choices}:
            form.target.data = wanted
    return form


@bp.route("/c/<slug>/plan/statement", methods=["GET", "POST"])
@limiter.limit(POST_LIMIT, methods=["POST"])
@login_view
def statement(slug: str):
    """A company account's public statement in reply to a priority or its evidence (moderated, then shown beside it)."""
    consultation, plan = _public(slug)
    lang = _plan_lang(plan)
    organisation = _organisation()
    if not statements.may_state(plan, organisation):
        return (
            render_template("plans/public/no_statement.html", consultation=consultation, plan=plan, lang=lang),
            403,
            NO_STORE,
        )
    form = _statement_form(consultation, plan, lang, formdata=request.form if request.method == "POST" else None)
    if request.method == "POST" and form.validate():
        value = form.target.data
        try:
            statements.submit(
                plan,
                organisation,
                current_user,
                form.body.data,
                form.language.data,
                priority_id=int(value[1:]) if value.startswith("p") else None,
                evidence_id=int(value[1:]) if value.startswith("e") else None,
            )
        except statements.StatementError as error:
            form.body.errors = [*form.body.errors, str(error.message)]
        else:
            db.session.commit()
            flash(
                _("Your statement was sent. It will be published beside the evidence once a moderator has read it."),
                "success",
            )
            return redirect(url_for("plans.statement", slug=slug, lang=_link_lang(lang)))
    return (
        render_template(
            "plans/public/statement.html",
            consultation=consultation,
            plan=plan,
            lang=lang,
            form=form,
            mine=statements.of_organisation(plan, organisation.id),
            statuses=COMMENT_STATUSES,
        ),
        400 if form.errors else 200,
        NO_STORE,
    )


@bp.route("/c/<slug>/you-said-we-did")
@public_view
def you_said(slug: str):
    """What the plan did with what people said, and what it did not take up, with the reason."""
    consultation, plan = _public(slug)
    data = yousaid.for_consultation(consultation, _plan_lang(plan))
    return render_template(
        "plans/public/you_said.html", consultation=consultation, plan=plan, lang=data.lang, data=data
    )


def _receipt_panel(response, lang: str) -> Markup | None:
    """On a participant's receipt page: the actions citing what they answered, once a plan is public."""
    data = yousaid.for_response(response, lang)
    if data is None:
        return None
    return Markup(render_template("plans/public/_receipt_panel.html", consultation=response.consultation, data=data))


register_receipt_panel(_receipt_panel)


@bp.context_processor
def _public_helpers() -> dict:
    """What the public plan templates share (only the names this room defines, prefixed)."""
    return {
        "plan_markdown": to_html,
        "plan_pillars": PILLARS,
        "plan_section_titles": SECTION_TITLES,
        "plan_statuses": PLAN_STATUSES,
        "plan_comment_statuses": COMMENT_STATUSES,
        "plan_evidence_sentence": yousaid.evidence_sentence,
        "plan_status_enum": PlanStatus,
        "plan_author_kinds": AuthorKind,
        "plan_pillar_enum": Pillar,
    }
