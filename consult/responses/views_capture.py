"""Officials watch where a consultation's answers came from, and set flagged batches aside (or back) with a reason."""

from __future__ import annotations

from flask import abort, flash, redirect, render_template, url_for
from flask_babel import gettext as _
from flask_login import current_user

from consult.accounts.access import get_in_territory, territory_view
from consult.accounts.models import Territory
from consult.accounts.permissions import roles_for
from consult.extensions import db
from consult.responses import bp, capture, flow
from consult.responses.capture_models import CaptureDecision
from consult.responses.forms_entry import RestoreForm, SetAsideForm
from consult.responses.models import Consultation
from consult.responses.services import ConsultationError
from consult.surveys.labels import STAKEHOLDER_GROUPS

MANAGERS = roles_for("consultations.manage")


def _page(territory: Territory, consultation: Consultation, failed: tuple[str, object] | None = None):
    """The page; ``failed`` is the (flag key or ``d<decision id>``, form) of a form sent back with its errors.

    Each batch has its own small form; they are written out by hand in the
    template (ids made unique with the flag's key) and share the page's CSRF token.
    """
    flags = capture.find_flags(consultation)
    log = capture.decisions(consultation)
    return (
        render_template(
            "responses/capture_signals.html",
            territory=territory,
            consultation=consultation,
            flags=flags,
            failed_key=failed[0] if failed else None,
            failed_form=failed[1] if failed else None,
            log=log,
            overview=capture.overview(consultation),
            group_labels=STAKEHOLDER_GROUPS,
            min_batch=capture.MIN_BATCH,
            similarity=int(capture.SIMILARITY * 100),
            lang=flow.interface_language(),
        ),
        200,
        flow.NO_STORE,
    )


def _back(territory: Territory, consultation: Consultation):
    return redirect(url_for("responses.capture_signals", territory=territory.slug, consultation_id=consultation.id))


@bp.route("/t/<territory>/consultations/<int:consultation_id>/capture")
@territory_view(*MANAGERS)
def capture_signals(territory: Territory, consultation_id: int):
    """Answers per link, organisation and channel; flagged batches; the log of decisions."""
    consultation = get_in_territory(Consultation, consultation_id, territory)
    return _page(territory, consultation)


@bp.route("/t/<territory>/consultations/<int:consultation_id>/capture/<flag_key>/set-aside", methods=["POST"])
@territory_view(*MANAGERS)
def set_aside_batch(territory: Territory, consultation_id: int, flag_key: str):
    """Set a flagged batch aside from analysis, with the reason."""
    consultation = get_in_territory(Consultation, consultation_id, territory)
    flag = capture.find_flag(consultation, flag_key)
    if flag is None:
        flash(_("This batch is no longer flagged. The page shows the batches as they stand now."), "error")
        return _back(territory, consultation)
    form = SetAsideForm()
    if form.validate_on_submit():
        try:
            decision = capture.set_aside(consultation, flag, form.reason.data, current_user)
        except ConsultationError as error:
            form.reason.errors = list(form.reason.errors) + [str(error.message)]
        else:
            db.session.commit()
            flash(
                _("Responses set aside from analysis: %(n)d. The decision is in the log.", n=len(decision.responses)),
                "success",
            )
            return _back(territory, consultation)
    return _page(territory, consultation, failed=(flag.key, form))


@bp.route(
    "/t/<territory>/consultations/<int:consultation_id>/capture/decisions/<int:decision_id>/restore", methods=["POST"]
)
@territory_view(*MANAGERS)
def restore_batch(territory: Territory, consultation_id: int, decision_id: int):
    """Take a set-aside batch back into analysis, with the reason."""
    consultation = get_in_territory(Consultation, consultation_id, territory)
    decision = db.session.get(CaptureDecision, decision_id)
    if decision is None or decision.consultation_id != consultation.id:
        abort(404)
    form = RestoreForm()
    if form.validate_on_submit():
        try:
            capture.restore(consultation, decision, form.reason.data, current_user)
        except ConsultationError as error:
            flash(str(error.message), "error")
            return _back(territory, consultation)
        db.session.commit()
        flash(_("The batch is back in analysis. The decision is in the log."), "success")
        return _back(territory, consultation)
    return _page(territory, consultation, failed=(f"d{decision.id}", form))
