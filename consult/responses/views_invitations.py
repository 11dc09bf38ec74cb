"""Officials' invitation links: make them, print their sheet once, re-issue, revoke; the public link's sheet."""

from __future__ import annotations

from flask import abort, flash, redirect, render_template, session, url_for
from flask_babel import gettext as _
from sqlalchemy import select
from wtforms.fields.choices import SelectChoice

from consult.accounts.access import territory_view
from consult.accounts.models import Organisation, Territory
from consult.extensions import db
from consult.responses import bp, invitations, services
from consult.responses.forms import ConfirmForm, InvitationForm
from consult.responses.models import Consultation, Invitation
from consult.responses.views_official import MANAGERS, STAFF, _consultation, _field_error, _group_choices
from consult.surveys.labels import STAKEHOLDER_GROUPS

_SHEET_KEY = "responses.new_invitation"


def _invitation(consultation: Consultation, invitation_id: int) -> Invitation:
    invitation = db.session.get(Invitation, invitation_id)
    if invitation is None or invitation.consultation_id != consultation.id:
        abort(404)
    return invitation


@bp.route("/t/<territory>/consultations/<int:consultation_id>/invitations", methods=["GET", "POST"])
@territory_view(*MANAGERS)
def consultation_invitations(territory: Territory, consultation_id: int):
    """Invitation links of a consultation: make one, see their uses, revoke or re-issue them."""
    item = _consultation(territory, consultation_id)
    form = InvitationForm()
    form.group_code.choices = _group_choices([g.group_code for g in item.groups])
    organisations = list(
        db.session.scalars(
            select(Organisation)
            .where((Organisation.territory_id == territory.id) | Organisation.territory_id.is_(None))
            .order_by(Organisation.name)
        )
    )
    form.organisation.choices = [SelectChoice("", _("None: anyone of the group"))] + [
        SelectChoice(str(o.id), o.name) for o in organisations
    ]
    if form.validate_on_submit():
        organisation = next((o for o in organisations if str(o.id) == form.organisation.data), None)
        try:
            invitation, token = invitations.create_invitation(
                item,
                form.group_code.data,
                organisation=organisation,
                label=form.label.data or "",
                expires_on=form.expires_on.data,
                max_uses=form.max_uses.data,
            )
        except services.ConsultationError as error:
            _field_error(form, error, "group_code")
        else:
            db.session.commit()
            # The token goes to the next page only, in this person's signed session; it is never stored.
            session[_SHEET_KEY] = {"id": invitation.id, "token": token}
            return redirect(
                url_for(
                    "responses.invitation_sheet",
                    territory=territory.slug,
                    consultation_id=item.id,
                    invitation_id=invitation.id,
                )
            )
    return render_template(
        "responses/official/invitations.html",
        territory=territory,
        consultation=item,
        form=form,
        action_form=ConfirmForm(),
        group_labels=STAKEHOLDER_GROUPS,
        public_url=invitations.public_url(item),
    )


@bp.route("/t/<territory>/consultations/<int:consultation_id>/invitations/<int:invitation_id>/sheet")
@territory_view(*MANAGERS)
def invitation_sheet(territory: Territory, consultation_id: int, invitation_id: int):
    """The printable sheet of a new or re-issued link, with its QR code: shown once."""
    item = _consultation(territory, consultation_id)
    invitation = _invitation(item, invitation_id)
    pending = session.get(_SHEET_KEY) or {}
    token = pending.get("token") if pending.get("id") == invitation.id else None
    if token:
        session.pop(_SHEET_KEY, None)
    url = invitations.invitation_url(item, token) if token else None
    response = render_template(
        "responses/official/sheet.html",
        territory=territory,
        consultation=item,
        invitation=invitation,
        url=url,
        qr=invitations.qr_svg(url, _("QR code of the link to answer")) if url else None,
        group_label=STAKEHOLDER_GROUPS.get(invitation.group_code, invitation.group_code),
        lang=item.fallback_language,
        action_form=ConfirmForm(),
    )
    return response, 200, {"Cache-Control": "no-store"}


@bp.route("/t/<territory>/consultations/<int:consultation_id>/sheet")
@territory_view(*STAFF)
def public_sheet(territory: Territory, consultation_id: int):
    """The printable sheet of the open public link (it holds no secret, so it prints any time)."""
    item = _consultation(territory, consultation_id)
    url = invitations.public_url(item)
    return render_template(
        "responses/official/sheet.html",
        territory=territory,
        consultation=item,
        invitation=None,
        url=url,
        qr=invitations.qr_svg(url, _("QR code of the link to answer")),
        group_label=None,
        lang=item.fallback_language,
        action_form=ConfirmForm(),
    )


@bp.route("/t/<territory>/consultations/<int:consultation_id>/invitations/<int:invitation_id>/revoke", methods=["POST"])
@territory_view(*MANAGERS)
def revoke_invitation(territory: Territory, consultation_id: int, invitation_id: int):
    """Withdraw a link: nobody can answer through it any more."""
    item = _consultation(territory, consultation_id)
    invitation = _invitation(item, invitation_id)
    if not ConfirmForm().validate_on_submit():
        abort(400)
    invitations.revoke(invitation)
    db.session.commit()
    flash(_("The link has been withdrawn."), "success")
    return redirect(url_for("responses.consultation_invitations", territory=territory.slug, consultation_id=item.id))


@bp.route("/t/<territory>/consultations/<int:consultation_id>/invitations/<int:invitation_id>/reissue", methods=["POST"])
@territory_view(*MANAGERS)
def reissue_invitation(territory: Territory, consultation_id: int, invitation_id: int):
    """Give a link a new address to print again; the old address stops working."""
    item = _consultation(territory, consultation_id)
    invitation = _invitation(item, invitation_id)
    if not ConfirmForm().validate_on_submit():
        abort(400)
    try:
        token = invitations.reissue(invitation)
    except services.ConsultationError as error:
        flash(str(error.message), "error")
        return redirect(url_for("responses.consultation_invitations", territory=territory.slug, consultation_id=item.id))
    db.session.commit()
    session[_SHEET_KEY] = {"id": invitation.id, "token": token}
    return redirect(
        url_for("responses.invitation_sheet", territory=territory.slug, consultation_id=item.id, invitation_id=invitation.id)
    )
