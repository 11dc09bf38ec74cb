"""Public pages: giving a testimony page by page, sending it, and following it up with the receipt code.

Anonymous by default; a logged-in CSO account sends on behalf of someone.
Every page works with JavaScript off and is sent with ``Cache-Control:
no-store``. The browser's session cookie holds only a random draft token; the
receipt code travels in POST bodies only, never in an address.
"""

from __future__ import annotations

from flask import abort, flash, redirect, render_template, request, session, url_for
from flask_babel import gettext as _
from flask_login import current_user
from wtforms.fields.choices import SelectChoice

from consult.accounts.access import public_view
from consult.extensions import db, limiter
from consult.responses import flow
from consult.surveys.steps import OFF_PATH, REVIEW, START, direction_of
from consult.testimonies import audit, bp, follow, intake, recordings, services
from consult.testimonies.consent import consent_answers
from consult.testimonies.errors import TestimonyError
from consult.testimonies.forms import CodeForm, ConfirmForm, OnBehalfForm, ReviewForm
from consult.testimonies.models import Actor, ConsentUse, OnBehalfOf
from consult.testimonies.presenting import answer_lines, content_language

NO_STORE = {"Cache-Control": "no-store"}
_DRAFTS = "testimonies.drafts"
FOLLOW_UP_LIMIT = "20 per minute;200 per hour"


def _page(template: str, status: int = 200, **context):
    return render_template(template, **context), status, NO_STORE


# -- the draft this browser holds ------------------------------------------------------------------


def _organisation():
    return current_user.organisation if intake.is_cso_account(current_user) else None


def _token(consultation) -> str | None:
    return (session.get(_DRAFTS) or {}).get(consultation.slug)


def _remember(consultation, token: str | None) -> None:
    drafts = dict(session.get(_DRAFTS) or {})
    if token is None:
        drafts.pop(consultation.slug, None)
    else:
        drafts[consultation.slug] = token
    session[_DRAFTS] = drafts


def _current(consultation):
    token = _token(consultation)
    draft = intake.find_draft(consultation, token, _organisation())
    if token and draft is None:
        _remember(consultation, None)
    return draft, token


def _language(consultation, instrument) -> str:
    return content_language(instrument, flow.language(consultation))


def _first_target(consultation, draft, instrument, state):
    if draft.organisation_id is not None and not state.get("cso"):
        return redirect(url_for("testimonies.for_whom", slug=consultation.slug))
    return _go_to(consultation, draft, intake.steps_for(instrument, state["answers"], state.get("cso")).first())


def _go_to(consultation, draft, target):
    """The redirect to a step's target (``consult.surveys.steps``): a page, the review, or before the first page."""
    slug = consultation.slug
    if target is REVIEW:
        return redirect(url_for("testimonies.review", slug=slug))
    if target is START:
        # Back from the first page: a CSO's "for whom" step, else the start page.
        if draft.organisation_id is not None:
            return redirect(url_for("testimonies.for_whom", slug=slug))
        return redirect(url_for("testimonies.start_page", slug=slug))
    if target is OFF_PATH:
        raise ValueError("a page off the path has no address: send the person to _first_target")
    return redirect(url_for("testimonies.page", slug=slug, page_key=target))


# -- intake --------------------------------------------------------------------------------------


@bp.route("/c/<slug>/testimony")
@public_view
def start_page(slug: str):
    """What a testimony is, how it is protected, and the button to start (or continue)."""
    consultation = flow.public_consultation(slug)
    version = intake.testimony_version(consultation)
    draft, _token_ = _current(consultation) if version else (None, None)
    db.session.commit()
    return _page(
        "testimonies/start.html",
        consultation=consultation,
        available=bool(version) and consultation.is_accepting,
        draft=draft,
        is_cso=_organisation() is not None,
        form=ConfirmForm(prefix="start"),
        discard_form=ConfirmForm(prefix="discard"),
    )


@bp.route("/c/<slug>/testimony/start", methods=["POST"])
@public_view
def start(slug: str):
    """Start a testimony in this browser (or continue the one it holds)."""
    consultation = flow.public_consultation(slug)
    version = intake.testimony_version(consultation)
    if not ConfirmForm(prefix="start").validate_on_submit() or not version or not consultation.is_accepting:
        return redirect(url_for("testimonies.start_page", slug=slug))
    draft, _token_ = _current(consultation)
    if draft is None:
        instrument = version.parsed()
        draft, token = intake.start_draft(consultation, version, _language(consultation, instrument), _organisation())
        _remember(consultation, token)
    db.session.commit()
    instrument = draft_instrument(draft)
    return _first_target(consultation, draft, instrument, intake.draft_state(draft))


def draft_instrument(draft):
    """The parsed instrument a draft is written in."""
    from consult.surveys.models import InstrumentVersion

    return db.session.get(InstrumentVersion, draft.instrument_version_id).parsed()


@bp.route("/c/<slug>/testimony/discard", methods=["POST"])
@public_view
def discard(slug: str):
    """Delete what this browser was writing, at once."""
    consultation = flow.public_consultation(slug)
    if ConfirmForm(prefix="discard").validate_on_submit():
        draft, _token_ = _current(consultation)
        if draft is not None:
            intake.discard_draft(draft)
            db.session.commit()
        _remember(consultation, None)
        flash(_("What you had written has been deleted."), "info")
    return redirect(url_for("testimonies.start_page", slug=slug))


@bp.route("/c/<slug>/testimony/for-whom", methods=["GET", "POST"])
@public_view
def for_whom(slug: str):
    """A CSO says on whose behalf it sends the testimony and for how many people."""
    consultation = flow.public_consultation(slug)
    draft, _token_ = _current(consultation) if consultation.is_accepting else (None, None)
    if draft is None or draft.organisation_id is None:
        return redirect(url_for("testimonies.start_page", slug=slug))
    state = intake.draft_state(draft)
    form = OnBehalfForm()
    if request.method == "GET" and state.get("cso"):
        form.on_behalf_of.data = state["cso"]["on_behalf_of"]
        form.people_count.data = str(state["cso"].get("people_count") or "")
        form.notes.data = state["cso"].get("notes") or ""
    if form.validate_on_submit():
        try:
            count = intake.check_people_count(form.people_count.data)
        except TestimonyError as error:
            form.people_count.errors.append(str(error.message))
        else:
            behalf = OnBehalfOf(form.on_behalf_of.data)
            state["cso"] = {
                "on_behalf_of": behalf.value,
                "people_count": count,
                "notes": (form.notes.data or "").strip() or None,
            }
            instrument = draft_instrument(draft)
            # Asked here once: the form's own "who did it happen to" and "how many" take these answers.
            state["answers"] = intake.with_derived(instrument, state["answers"], state["cso"])
            intake.save_draft(draft, state)
            db.session.commit()
            return _first_target(consultation, draft, instrument, state)
    return _page("testimonies/for_whom.html", 400 if form.errors else 200, consultation=consultation, form=form)


@bp.route("/c/<slug>/testimony/p/<page_key>", methods=["GET", "POST"])
@public_view
def page(slug: str, page_key: str):
    """One page of the testimony form: its questions, back and next; answers kept sealed in the draft."""
    from consult.surveys.forms import page_form

    consultation = flow.public_consultation(slug)
    draft, _token_ = _current(consultation) if consultation.is_accepting else (None, None)
    if draft is None:
        return redirect(url_for("testimonies.start_page", slug=slug))
    instrument = draft_instrument(draft)
    state = intake.draft_state(draft)
    cso = state.get("cso")
    answers = intake.with_derived(instrument, state["answers"], cso)
    if draft.organisation_id is not None and not cso:
        return redirect(url_for("testimonies.for_whom", slug=slug))
    path = intake.steps_for(instrument, answers, cso)
    arrival = path.arrive(page_key)
    if arrival is OFF_PATH:
        return _first_target(consultation, draft, instrument, state)
    if arrival is not None:
        # Everything on it is already known (say, the one place the person complained): go on.
        return _go_to(consultation, draft, arrival)
    current = instrument.page(page_key)
    lang = _language(consultation, instrument)
    localities = [{"code": p.code, "name": p.name, "area": p.area} for p in consultation.territory.localities]
    asked = intake.page_as_asked(instrument, current, answers, cso)
    form_class = page_form(instrument, asked, lang, answers, localities=localities)
    # Long-text questions may be answered by a recording instead of typing.
    voice_keys = [q.key for q in asked.questions if q.type == "long_text"] if recordings.offered(draft) else []
    voice_errors: dict[str, str] = {}
    if request.method == "GET":
        form = form_class(formdata=None)
    else:
        form = form_class(formdata=request.form)
        if voice_keys:
            voice_errors = recordings.take_from_request(draft, voice_keys, request.files, request.form)
            db.session.commit()
        valid = form.validate()
        if not valid and voice_keys:
            # A required long answer may be given as a recording instead of typed.
            valid = recordings.spoken_instead(form, recordings.of_draft(draft))
        if valid and not voice_errors:
            for key in form.cleared():
                answers.pop(key, None)
            answers.update(form.answers())
            answers = intake.with_derived(instrument, answers, cso)
            state["answers"] = answers
            intake.save_draft(draft, state, lang)
            db.session.commit()
            if form.newly_visible():
                # The answers just given open more questions on this page: show it again.
                return redirect(url_for("testimonies.page", slug=slug, page_key=current.key))
            # The answers just saved decide where the step leads.
            direction = direction_of(request.form.get("action"))
            return _go_to(consultation, draft, intake.steps_for(instrument, answers, cso).step(current.key, direction))
    progress = path.progress(current.key)
    safe_path = intake.shows_safe_path(instrument, current.key, answers)
    db.session.commit()
    return _page(
        "testimonies/page.html",
        400 if form.errors or voice_errors else 200,
        consultation=consultation,
        instrument=instrument,
        page=current,
        section=instrument.section_of(current),
        form=form,
        lang=lang,
        position=progress.position,
        total=progress.total,
        routes=services.routes_of(consultation.territory) if safe_path else [],
        route_lang=lang,
        voice={
            "keys": voice_keys,
            "recordings": recordings.of_draft(draft) if voice_keys else {},
            "errors": voice_errors,
            "max_minutes": int(recordings.MAX_SECONDS // 60),
            # The words differ: a CSO records someone's account; a person tells their own.
            "by_organisation": draft.organisation_id is not None,
        },
    )


def _authority_choices(consultation, lang: str) -> list[SelectChoice]:
    names = services.authorities_of(consultation.territory, lang)
    return [SelectChoice("", _("None of these, or I do not know"))] + [SelectChoice(n, n) for n in names]


@bp.route("/c/<slug>/testimony/review", methods=["GET", "POST"])
@public_view
def review(slug: str):
    """Everything answered, before sending; sending makes the testimony and shows the receipt code once."""
    consultation = flow.public_consultation(slug)
    draft, token = _current(consultation) if consultation.is_accepting else (None, None)
    if draft is None:
        if request.method == "POST":
            flash(
                _(
                    "There is no testimony being written in this browser. If you already sent it, use your receipt "
                    "code to follow it."
                ),
                "info",
            )
        return redirect(url_for("testimonies.start_page", slug=slug))
    instrument = draft_instrument(draft)
    state = intake.draft_state(draft)
    if draft.organisation_id is not None and not state.get("cso"):
        return redirect(url_for("testimonies.for_whom", slug=slug))
    cso = state.get("cso")
    answers = intake.on_path(instrument, intake.with_derived(instrument, state["answers"], cso))
    lang = _language(consultation, instrument)
    sharing = ConsentUse.SHARE_AUTHORITIES in consent_answers(instrument, answers)
    form = ReviewForm()
    form.authority.choices = _authority_choices(consultation, lang)
    if request.method == "GET":
        form.authority.data = state.get("authority") or ""
    if form.validate_on_submit():
        chosen = form.authority.data or None
        if chosen and chosen not in {c.value for c in form.authority.choices}:
            form.authority.errors.append(_("Choose an authority from the list."))
        else:
            state["authority"] = chosen if sharing else None
            intake.save_draft(draft, state, lang)
            sent = intake.submit_draft(draft, token, lang=lang)
            db.session.commit()
            _remember(consultation, None)
            if sent.already_sent:
                flash(_("This testimony had already been sent. Use your receipt code to follow it."), "info")
                return redirect(url_for("testimonies.start_page", slug=slug))
            return _page(
                "testimonies/receipt.html",
                consultation=consultation,
                testimony=sent.testimony,
                code=sent.receipt_code,
                routes=services.routes_of(consultation.territory) if sent.testimony.is_urgent else [],
                route_lang=lang,
            )
    last = intake.steps_for(instrument, answers, cso).last()
    # A CSO's "for whom" is shown once, above, in its own words (not as "to me" / "to my family").
    behalf_keys = set(intake.derived_answers(instrument, answers, cso)) - set(
        intake.derived_answers(instrument, answers)
    )
    lines = [
        line for line in answer_lines(instrument, answers, lang, consultation.territory) if line.key not in behalf_keys
    ]
    db.session.commit()
    return _page(
        "testimonies/review.html",
        400 if form.errors else 200,
        consultation=consultation,
        lines=lines,
        form=form,
        sharing=sharing and len(form.authority.choices) > 1,
        last_page=last,
        cso=state.get("cso"),
        behalf_labels={k.value: k.label for k in OnBehalfOf},
        discard_form=ConfirmForm(prefix="discard"),
        spoken=[
            (instrument.text(instrument.question(r.question_key).text, lang), r)
            for r in recordings.of_draft(draft).values()
            if instrument.has_question(r.question_key)
        ],
    )


# -- follow-up with the receipt code -------------------------------------------------------------


def _status(testimony, *, code: str, forms=None, notice: str | None = None, status: int = 200):
    lang = follow.language_for(testimony, flow.language(testimony.consultation))
    content = audit.open_messages(testimony, purpose="follow-up.status", actor=Actor.SUBMITTER)
    db.session.commit()
    return _page(
        "testimonies/status.html",
        status,
        testimony=testimony,
        consultation=testimony.consultation,
        content=content,
        forms=forms or follow.forms_for(testimony, lang, code=code),
        notice=notice,
        routes=services.routes_of(testimony.territory) if testimony.is_urgent and not testimony.is_closed else [],
        route_lang=lang,
    )


@bp.route("/testimony/follow-up", methods=["GET", "POST"])
@limiter.limit(FOLLOW_UP_LIMIT, methods=["POST"])
@public_view
def follow_up():
    """Type the receipt code (in the body of a POST) to see what became of a testimony."""
    form = CodeForm()
    if form.validate_on_submit():
        testimony = services.find_by_receipt(form.code.data)
        if testimony is not None:
            return _status(testimony, code=form.code.data)
        form.code.errors.append(_("No testimony has this code. Check it and try again."))
    return _page("testimonies/follow_up.html", 400 if form.errors else 200, form=form)


@bp.route("/testimony/follow-up/<action>", methods=["POST"])
@limiter.limit(FOLLOW_UP_LIMIT)
@public_view
def follow_up_act(action: str):
    """Add information, change consent or withdraw, with the receipt code sent again in the form."""
    if action not in ("add", "consent", "withdraw"):
        abort(404)
    code = request.form.get(f"{action}-code", "")
    testimony = services.find_by_receipt(code)
    if testimony is None:
        form = CodeForm(formdata=None)
        form.code.errors = [_("No testimony has this code. Check it and try again.")]
        return _page("testimonies/follow_up.html", 400, form=form)
    lang = follow.language_for(testimony, flow.language(testimony.consultation))
    forms = follow.forms_for(testimony, lang, code=code, formdata=request.form, which=action)
    form = forms[action]
    if form.validate_on_submit():
        message = follow.apply(testimony, action, form, lang, Actor.SUBMITTER)
        if message is not None:
            db.session.commit()
            return _status(testimony, code=code, notice=message)
    db.session.rollback()
    return _status(testimony, code=code, forms=forms, status=400)
