"""The answering flow: landing, invitation, group, one page per block, language switch, save and resume.

Anonymous and public: no account, nothing about the person's device kept.
Every page works without JavaScript: each button is a submit button of the
page's own form, so switching language or saving for later also saves what
was just answered.
"""

from __future__ import annotations

from flask import flash, redirect, render_template, request, url_for
from flask_babel import gettext as _
from wtforms.fields.choices import SelectChoice

from consult.accounts.access import public_view
from consult.extensions import db, limiter
from consult.responses import bp, drafts, flow, recordings
from consult.responses.forms import CodeForm, ConfirmForm, GroupStepForm
from consult.responses.invitations import find_invitation, refusal
from consult.responses.models import Invitation
from consult.responses.services import ConsultationError
from consult.responses.survey import PageView, build_page, excuse_spoken, read_page, shown_page
from consult.surveys.labels import STAKEHOLDER_GROUPS
from consult.surveys.steps import NEXT, OFF_PATH, REVIEW, direction_of, step, steps


def _landing_context(consultation, **extra):
    draft = flow.current_draft(consultation) if consultation.is_accepting else None
    invitation = None
    invitation_id = flow.invitation_id(consultation)
    if invitation_id is not None:
        invitation = db.session.get(Invitation, invitation_id)
        if invitation is None or invitation.consultation_id != consultation.id:
            invitation = None
    lang = flow.language(consultation)
    return {
        "consultation": consultation,
        "lang": lang,
        "draft": draft,
        "invitation": invitation,
        "invitation_problem": refusal(invitation) if invitation is not None else None,
        "group_labels": STAKEHOLDER_GROUPS,
        "languages": flow.language_choices(consultation),
        "start_form": ConfirmForm(),
        "resume_form": CodeForm(),
        **extra,
    }


@bp.route("/c/<slug>/")
@public_view
def landing(slug: str):
    """What the consultation is, who runs it, the language choice, start or continue."""
    consultation = flow.public_consultation(slug)
    return render_template("responses/landing.html", **_landing_context(consultation))


@bp.route("/c/<slug>/i/<token>")
@public_view
def invited(slug: str, token: str):
    """An invitation link: remember it for this browser, then show the landing page without the token."""
    consultation = flow.public_consultation(slug)
    invitation = find_invitation(consultation, token)
    problem = refusal(invitation)
    if problem is not None:
        flow.remember_invitation(consultation, None)
        context = _landing_context(consultation, invitation_problem=problem)
        return render_template("responses/landing.html", **context), 410 if invitation else 404
    flow.remember_invitation(consultation, invitation.id)
    # A draft started through another link (or none) is not this one's.
    draft = flow.current_draft(consultation)
    if draft is not None and draft.invitation_id != invitation.id:
        flow.forget_draft(consultation)
    return redirect(url_for("responses.landing", slug=consultation.slug))


@bp.route("/c/<slug>/start", methods=["POST"])
@public_view
def start(slug: str):
    """Start answering in the language chosen on the landing page."""
    consultation = flow.public_consultation(slug)
    if not ConfirmForm().validate_on_submit():
        return redirect(url_for("responses.landing", slug=slug))
    context = _landing_context(consultation)
    invitation = context["invitation"]
    if context["invitation_problem"]:
        flash(str(context["invitation_problem"]), "error")
        return redirect(url_for("responses.landing", slug=slug))
    try:
        draft, code = drafts.start_draft(consultation, context["lang"], invitation=invitation)
    except ConsultationError as error:
        flash(str(error.message), "error")
        return redirect(url_for("responses.landing", slug=slug))
    flow.remember_draft(consultation, code)
    # The reply first, then the commit: nothing is read again after it.
    reply = flow.resume_target(draft, None)
    db.session.commit()
    return reply


@bp.route("/c/<slug>/resume", methods=["POST"])
@limiter.limit("10 per minute;60 per hour")
@public_view
def resume(slug: str):
    """Continue a draft with the code the person wrote down (in any browser)."""
    consultation = flow.public_consultation(slug)
    form = CodeForm()
    if form.validate_on_submit():
        draft = drafts.find_draft(consultation, form.code.data)
        if draft is not None and consultation.is_accepting:
            flow.remember_draft(consultation, form.code.data)
            flow.use_language(draft.language)
            version = drafts.version_of(draft)
            return flow.resume_target(draft, version.parsed() if version else None)
        form.code.errors.append(_("No answers in progress have this code. Check it, or start again."))
    context = _landing_context(consultation, resume_form=form)
    return render_template("responses/landing.html", **context), 200, flow.NO_STORE


def _draft_or_landing(consultation):
    draft = flow.current_draft(consultation) if consultation.is_accepting else None
    if draft is None:
        if not consultation.is_accepting:
            flash(_("This consultation is not accepting answers."), "error")
        return None, redirect(url_for("responses.landing", slug=consultation.slug))
    return draft, None


def _switch_language(consultation, draft) -> bool:
    code = request.form.get("switch_lang") or ""
    if code and drafts.set_language(draft, code):
        flow.use_language(code)
        return True
    return False


@bp.route("/c/<slug>/group", methods=["GET", "POST"])
@public_view
def group_step(slug: str):
    """Who the person answers as: their group (fixed by an invitation), alone or for a collective."""
    consultation = flow.public_consultation(slug)
    draft, away = _draft_or_landing(consultation)
    if away:
        return away
    if draft.invitation is not None:
        codes = [draft.invitation.group_code]
    else:
        codes = [g.group_code for g in consultation.groups if not g.is_invitation_only]
    form = GroupStepForm()
    form.group_code.choices = [SelectChoice(code, str(STAKEHOLDER_GROUPS.get(code, code))) for code in codes]
    if request.method == "GET":
        form.group_code.data = draft.group_code or (codes[0] if len(codes) == 1 else None)
        form.is_collective.data = draft.is_collective
        form.mandate_reference.data = draft.mandate_reference
        form.people_represented.data = draft.people_represented
    if request.method == "POST" and form.validate_on_submit():
        switching = bool(request.form.get("switch_lang"))
        try:
            drafts.choose_group(
                draft,
                form.group_code.data,
                is_collective=form.is_collective.data,
                mandate_reference=form.mandate_reference.data,
                people_represented=form.people_represented.data,
            )
        except ConsultationError as error:
            getattr(form, error.field or "group_code").errors.append(str(error.message))
            _switch_language(consultation, draft)
        else:
            switched = _switch_language(consultation, draft)
            # The reply first, then one commit: nothing is read again after it.
            if switched or switching:
                reply = redirect(url_for("responses.group_step", slug=slug))
            elif request.form.get("action") == "later":
                reply = redirect(url_for("responses.later", slug=slug))
            else:
                version = drafts.version_of(draft)
                reply = flow.resume_target(draft, version.parsed() if version else None)
            db.session.commit()
            return reply
    elif request.method == "POST":
        _switch_language(consultation, draft)
    reply = flow.render_answering("responses/group.html", consultation, draft, form=form)
    db.session.commit()
    return reply


@bp.route("/c/<slug>/p/<page_key>", methods=["GET", "POST"])
@public_view
def answer_page(slug: str, page_key: str):
    """One page (block) of the instrument: its questions, progress, back, next, language, save for later."""
    consultation = flow.public_consultation(slug)
    draft, away = _draft_or_landing(consultation)
    if away:
        return away
    version = drafts.version_of(draft)
    if version is None:
        return flow.resume_target(draft, None)
    instrument = version.parsed()
    answers = dict(draft.answers or {})
    settled = flow.settled_questions(draft, instrument)
    path = steps(instrument, answers, settled=settled)
    arrival = path.arrive(page_key)
    if arrival is OFF_PATH:
        # A page off the person's path is never shown: back to where they are.
        return flow.resume_target(draft, instrument)
    if arrival is not None:
        return flow.go_to(consultation, arrival)
    # The page as asked: without the questions the group step answered (kept as they are).
    page = shown_page(instrument.page(page_key), settled)
    # Each branch below builds its reply first and commits once at the end: one transaction per
    # request, and nothing read again after the commit (a commit expires what the session holds).
    if request.method == "GET":
        asked = request.args.get("lang")
        if asked:
            drafts.set_language(draft, asked)
        # Usually already there (Next stored it): then nothing is written.
        drafts.set_page(draft, page.key)
        reply = _render_page(consultation, draft, build_page(consultation, draft, instrument, page, path=path))
        db.session.commit()
        return reply
    view: PageView = read_page(consultation, draft, instrument, page, request.form, path=path)
    action = request.form.get("action", "next")
    switching = bool(request.form.get("switch_lang"))
    # A long answer may be given by voice: the recording is kept (sealed) with the draft.
    voice_keys = _voice_keys(page)
    voice_errors = recordings.take_from_request(draft, voice_keys, request.files, request.form) if voice_keys else {}
    if view.errors and voice_keys and not voice_errors:
        # A required long answer may be given as a recording instead of typed.
        view = excuse_spoken(view, recordings.of_draft(draft))
    if view.errors or voice_errors:
        # Nothing of this page is stored until it is valid; what was typed stays on the page.
        if _switch_language(consultation, draft):
            view = read_page(consultation, draft, instrument, page, request.form, path=path)
        reply = _render_page(consultation, draft, view, voice_errors)
        db.session.commit()
        return reply
    drafts.save_page(draft, instrument, page, view.answers)
    answers = dict(draft.answers)
    if _switch_language(consultation, draft) or switching or (view.reveals and action == "next"):
        reply = redirect(url_for("responses.answer_page", slug=slug, page_key=page.key))
    elif action == "later":
        reply = redirect(url_for("responses.later", slug=slug))
    else:
        # The answers just saved decide the page's routing: the step is taken on them.
        direction = direction_of(action)
        target = step(instrument, answers, page.key, direction, settled=settled)
        if direction == NEXT:
            drafts.set_page(draft, "review" if target is REVIEW else target)
        reply = flow.go_to(consultation, target)
    # One commit: the page's answers, the draft's life and where the person is, in one UPDATE.
    db.session.commit()
    return reply


def _voice_keys(page) -> list[str]:
    return [q.key for q in page.questions if q.type == "long_text"]


def _render_page(consultation, draft, view: PageView, voice_errors: dict[str, str] | None = None):
    keys = _voice_keys(view.page)
    voice = {
        "keys": keys,
        "recordings": recordings.of_draft(draft) if keys else {},
        "errors": voice_errors or {},
    }
    return flow.render_answering("responses/page.html", consultation, draft, view=view, voice=voice)


@bp.route("/c/<slug>/later", methods=["GET", "POST"])
@public_view
def later(slug: str):
    """The resume code, large and printable, and a way to leave this device without a trace of the draft."""
    consultation = flow.public_consultation(slug)
    draft, away = _draft_or_landing(consultation)
    if away:
        return away
    form = ConfirmForm()
    if request.method == "POST" and form.validate_on_submit():
        if _switch_language(consultation, draft):
            db.session.commit()
            return redirect(url_for("responses.later", slug=slug))
        flow.forget_draft(consultation)
        flash(_("This device no longer holds your answers. Continue any time with your code."), "success")
        return redirect(url_for("responses.landing", slug=slug))
    return flow.render_answering(
        "responses/later.html", consultation, draft, form=form, code=flow.resume_code(consultation)
    )


@bp.route("/c/<slug>/restart", methods=["POST"])
@public_view
def restart(slug: str):
    """Throw the answers in progress away and start again."""
    consultation = flow.public_consultation(slug)
    draft = flow.current_draft(consultation)
    if ConfirmForm().validate_on_submit() and draft is not None:
        drafts.discard(draft)
        db.session.commit()
        flash(_("Your answers in progress have been deleted."), "success")
    flow.forget_draft(consultation)
    return redirect(url_for("responses.landing", slug=slug))


@bp.route("/c/<slug>/continue")
@public_view
def continue_draft(slug: str):
    """Back to where this browser's answers in progress stopped."""
    consultation = flow.public_consultation(slug)
    draft, away = _draft_or_landing(consultation)
    if away:
        return away
    version = drafts.version_of(draft)
    return flow.resume_target(draft, version.parsed() if version else None)
