"""A CSO's own testimonies: the list with their status, and each one (audited), with follow-up actions.

A CSO account sees only testimonies its organisation sent; any other id is a
404, the same as one that does not exist. Users who are not of a CSO get 403.
"""

from __future__ import annotations

from flask import abort, flash, redirect, render_template, request, url_for
from flask_login import current_user

from consult.accounts.access import login_view
from consult.extensions import db
from consult.i18n import content_language
from consult.testimonies import audit, bp, follow, services
from consult.testimonies.intake import is_cso_account
from consult.testimonies.models import Actor, Testimony
from consult.testimonies.presenting import answer_lines

NO_STORE = {"Cache-Control": "no-store"}
ACTIONS = ("add", "consent", "withdraw")


def _organisation():
    if not is_cso_account(current_user):
        abort(403)
    return current_user.organisation


def _own(testimony_id: int) -> Testimony:
    organisation = _organisation()
    testimony = db.session.get(Testimony, testimony_id)
    if testimony is None or testimony.organisation_id != organisation.id:
        abort(404)
    return testimony


@bp.route("/cso/testimonies")
@login_view
def cso_list():
    """The testimonies this organisation sent, with their status (no content)."""
    organisation = _organisation()
    return (
        render_template(
            "testimonies/cso_list.html",
            organisation=organisation,
            testimonies=services.testimonies_of_organisation(organisation),
        ),
        200,
        NO_STORE,
    )


def _render(testimony: Testimony, forms: dict, status: int = 200):
    lang = follow.language_for(testimony, content_language())
    content = audit.open_testimony(
        testimony, purpose="cso.read", actor=Actor.CSO, user=current_user, with_excerpts=False
    )
    db.session.commit()
    instrument = testimony.instrument_version.parsed()
    return (
        render_template(
            "testimonies/cso_read.html",
            testimony=testimony,
            content=content,
            lines=answer_lines(instrument, content.answers, lang, testimony.territory),
            forms=forms,
            lang=lang,
        ),
        status,
        NO_STORE,
    )


@bp.route("/cso/testimonies/<int:testimony_id>")
@login_view
def cso_read(testimony_id: int):
    """One of the organisation's testimonies: what was sent, messages, consent, actions."""
    testimony = _own(testimony_id)
    lang = follow.language_for(testimony, content_language())
    return _render(testimony, follow.forms_for(testimony, lang, code=None))


@bp.route("/cso/testimonies/<int:testimony_id>/<action>", methods=["POST"])
@login_view
def cso_act(testimony_id: int, action: str):
    """Add information, change consent or withdraw, for the organisation's own testimony."""
    if action not in ACTIONS:
        abort(404)
    testimony = _own(testimony_id)
    lang = follow.language_for(testimony, content_language())
    forms = follow.forms_for(testimony, lang, code=None, formdata=request.form, which=action)
    form = forms[action]
    if form.validate_on_submit():
        message = follow.apply(testimony, action, form, lang, Actor.CSO)
        if message is not None:
            db.session.commit()
            flash(message, "success")
            return redirect(url_for("testimonies.cso_read", testimony_id=testimony.id))
    db.session.rollback()
    return _render(testimony, forms, status=400)
