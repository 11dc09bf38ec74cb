"""Officials' invitation links: make them, print their sheet once, re-issue, revoke; the public link's sheet."""

from __future__ import annotations

from flask import abort, flash, redirect, render_template, request, session, url_for
from flask_babel import format_date
from flask_babel import gettext as _
from flask_babel import lazy_gettext as _l
from sqlalchemy import select
from wtforms import SelectField
from wtforms.fields.choices import SelectChoice

from consult.accounts.access import territory_view
from consult.accounts.languages import endonym_for
from consult.accounts.models import Organisation, Territory
from consult.extensions import db
from consult.i18n import content_language
from consult.responses import bp, invitations, services
from consult.responses.forms import ConfirmForm, InvitationForm
from consult.responses.models import Consultation, Invitation
from consult.responses.views_facilitator import speak_in
from consult.responses.views_official import MANAGERS, STAFF, _consultation, _field_error, _group_choices
from consult.surveys.labels import STAKEHOLDER_GROUPS

_SHEET_KEY = "responses.new_invitation"


class SheetInvitationForm(InvitationForm):
    """A new invitation link and the language its printed sheet is in."""

    sheet_language = SelectField(
        _l("Language of the printed sheet"),
        description=_l("Title, instructions, dates and the QR code's caption are all in this language."),
        validate_choice=False,  # anything else falls back to a language of the consultation (sheet_language)
    )


def sheet_languages(consultation: Consultation) -> list[tuple[str, str]]:
    """The languages a sheet may be printed in: the consultation's, each named in itself."""
    return [(code, endonym_for(consultation.territory, code)) for code in consultation.languages]


def sheet_language(consultation: Consultation, asked: str | None) -> str:
    """``asked`` if the consultation is offered in it, else the page's language if offered, else its fallback."""
    if asked in consultation.languages:
        return asked
    current = content_language()
    return current if current in consultation.languages else consultation.fallback_language


def _render_sheet(
    territory: Territory, consultation: Consultation, invitation: Invitation | None, url: str | None, lang: str
):
    # The whole sheet (and the page around it) in one language: the one chosen for the sheet,
    # shown with its interface language when it is a content-only language.
    speak_in(lang)
    expires = format_date(invitation.expires_on, "long") if invitation and invitation.expires_on else None
    group_label = STAKEHOLDER_GROUPS.get(invitation.group_code, invitation.group_code) if invitation else None
    return render_template(
        "responses/official/sheet.html",
        territory=territory,
        consultation=consultation,
        invitation=invitation,
        url=url,
        qr=invitations.qr_svg(url, _("QR code of the link to answer")) if url else None,
        group_label=str(group_label) if group_label else None,
        expires=expires,
        lang=lang,
        languages=sheet_languages(consultation),
        action_form=ConfirmForm(),
    )


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
    form = SheetInvitationForm()
    form.sheet_language.choices = [SelectChoice(code, name) for code, name in sheet_languages(item)]
    if not form.is_submitted():
        form.sheet_language.data = sheet_language(item, None)
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
            session[_SHEET_KEY] = {
                "id": invitation.id,
                "token": token,
                "lang": sheet_language(item, form.sheet_language.data),
            }
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
        languages=sheet_languages(item),
        default_language=sheet_language(item, None),
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
    lang = sheet_language(item, pending.get("lang") if token else request.args.get("language"))
    response = _render_sheet(territory, item, invitation, url, lang)
    return response, 200, {"Cache-Control": "no-store"}


@bp.route("/t/<territory>/consultations/<int:consultation_id>/sheet")
@territory_view(*STAFF)
def public_sheet(territory: Territory, consultation_id: int):
    """The printable sheet of the open public link (it holds no secret, so it prints any time)."""
    item = _consultation(territory, consultation_id)
    url = invitations.public_url(item)
    return _render_sheet(territory, item, None, url, sheet_language(item, request.args.get("language")))


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


@bp.route(
    "/t/<territory>/consultations/<int:consultation_id>/invitations/<int:invitation_id>/reissue", methods=["POST"]
)
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
        return redirect(
            url_for("responses.consultation_invitations", territory=territory.slug, consultation_id=item.id)
        )
    db.session.commit()
    session[_SHEET_KEY] = {
        "id": invitation.id,
        "token": token,
        "lang": sheet_language(item, request.form.get("language")),
    }
    return redirect(
        url_for(
            "responses.invitation_sheet", territory=territory.slug, consultation_id=item.id, invitation_id=invitation.id
        )
    )
