"""Review, send, the receipt shown once, and looking a response up later by its receipt code."""

from __future__ import annotations

from flask import flash, redirect, render_template, request, url_for
from flask_babel import gettext as _

from consult.accounts.access import public_view
from consult.extensions import db, limiter
from consult.responses import bp, drafts, flow, recordings, sending
from consult.responses.forms import CodeForm, ConfirmForm
from consult.responses.models import ConsultationState
from consult.responses.receipt_panels import receipt_panels
from consult.responses.services import ConsultationError
from consult.responses.survey import answered_pages
from consult.surveys.labels import STAKEHOLDER_GROUPS
from consult.surveys.models import InstrumentVersion
from consult.surveys.steps import steps


@bp.route("/c/<slug>/review", methods=["GET", "POST"])
@public_view
def review(slug: str):
    """Everything the person answered on their path, with a link to change each page, and "send"."""
    consultation = flow.public_consultation(slug)
    draft = flow.current_draft(consultation) if consultation.is_accepting else None
    if draft is None:
        return redirect(url_for("responses.landing", slug=slug))
    version = drafts.version_of(draft)
    if version is None:
        return flow.resume_target(draft, None)
    form = ConfirmForm()
    if request.method == "POST" and form.validate_on_submit() and request.form.get("switch_lang"):
        if drafts.set_language(draft, request.form["switch_lang"]):
            flow.use_language(draft.language)
        db.session.commit()
        return redirect(url_for("responses.review", slug=slug))
    instrument = version.parsed()
    answers = dict(draft.answers or {})
    spoken = recordings.of_draft(draft)  # long answers given by voice count, and the review says so
    # Usually already there (Next from the last page stored it): then nothing is written.
    drafts.set_page(draft, "review")
    last = steps(instrument, answers, settled=flow.settled_questions(draft, instrument)).last()
    reply = flow.render_answering(
        "responses/review.html",
        consultation,
        draft,
        form=form,
        pages=answered_pages(consultation, draft, instrument),
        missing=sending.missing_required(instrument, answers, spoken),
        spoken=spoken,
        back_url=url_for("responses.answer_page", slug=slug, page_key=last.key)
        if last
        else url_for("responses.group_step", slug=slug),
        group_label=STAKEHOLDER_GROUPS.get(draft.group_code, draft.group_code),
    )
    # Committed after rendering: a commit expires what the session holds, and rendering would read it again.
    db.session.commit()
    return reply


@bp.route("/c/<slug>/send", methods=["POST"])
@public_view
def send(slug: str):
    """Send the answers: exactly one response however many times this is posted."""
    consultation = flow.public_consultation(slug)
    form = ConfirmForm()
    if not form.validate_on_submit():
        return redirect(url_for("responses.review", slug=slug))
    # The interface language chosen now, while the territory is loaded: sending commits, which expires
    # it, and the reply's Content-Language header would otherwise read it again.
    flow.interface_language()
    try:
        sent = sending.send(consultation, request.form.get("submission_token", ""))
    except ConsultationError as error:
        flash(str(error.message), "error")
        if flow.current_draft(consultation) is not None:
            return redirect(url_for("responses.review", slug=slug))
        return redirect(url_for("responses.landing", slug=slug))
    # By the address, not the consultation: sending committed, and reading it again would cost a query.
    flow.sent_from_this_browser(slug, sent.receipt_code)
    return redirect(url_for("responses.sent", slug=slug))


@bp.route("/c/<slug>/sent")
@public_view
def sent(slug: str):
    """Thanks, and the receipt code, shown once, large and printable."""
    consultation = flow.public_consultation(slug)
    code = flow.take_receipt(consultation)
    return (
        render_template("responses/sent.html", consultation=consultation, code=code, lang=flow.language(consultation)),
        200,
        flow.NO_STORE,
    )


@bp.route("/c/<slug>/receipt", methods=["GET", "POST"])
@limiter.limit("10 per minute;60 per hour", methods=["POST"])
@public_view
def receipt(slug: str):
    """With a receipt code: what the person answered and what has become of it ("you said, we did")."""
    consultation = flow.public_consultation(slug)
    form = CodeForm()
    response = None
    pages = []
    panels = []
    if form.validate_on_submit():
        response = sending.find_by_receipt(consultation, form.code.data)
        if response is None:
            form.code.errors.append(
                _("No response to this consultation has this receipt code. Check it and try again.")
            )
        else:
            version = db.session.get(InstrumentVersion, response.instrument_version_id)
            instrument = version.parsed()
            pages = answered_pages(
                consultation, None, instrument, answers=sending.answers_of(instrument, response), lang=response.language
            )
            # What upper rooms add (plans: the actions that cite this person's answers).
            panels = receipt_panels(response, flow.language(consultation))
    return (
        render_template(
            "responses/receipt.html",
            consultation=consultation,
            form=form,
            response=response,
            pages=pages,
            panels=panels,
            group_label=STAKEHOLDER_GROUPS.get(response.group_code, response.group_code) if response else None,
            states=ConsultationState,
            lang=flow.language(consultation),
        ),
        200,
        flow.NO_STORE,
    )
