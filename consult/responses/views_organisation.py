"""An organisation's account and the consultations it is invited to: its home section, and answering from it.

An invitation made for one organisation (``Invitation.organisation_id``) is
shown on that organisation's home page. Its link's token is kept only as a
hash, so the page cannot show the link again; instead the logged-in account
may start answering through its own invitation with one button, which does
what opening the link does (remember the invitation for this browser). When
the invitation can no longer be used, the page says why and whom to ask.
"""

from __future__ import annotations

from typing import Any

from flask import abort, flash, redirect, url_for
from flask_login import current_user
from sqlalchemy import select
from sqlalchemy.orm import contains_eager

from consult.accounts import services as accounts
from consult.accounts.access import login_view
from consult.accounts.homes import plans_with_links
from consult.accounts.models import OrganisationKind, Role
from consult.extensions import db
from consult.responses import bp, flow
from consult.responses.invitations import refusal
from consult.responses.models import Consultation, ConsultationState, Invitation, Response
from consult.surveys.labels import STAKEHOLDER_GROUPS

#: States in which a consultation may have a public action plan (``plan_links`` says which pages exist).
PLAN_STATES = (
    ConsultationState.CLOSED,
    ConsultationState.ANALYSED,
    ConsultationState.PLAN_COMMENT,
    ConsultationState.PLAN_FINAL,
    ConsultationState.MONITORING,
)


def invitations_of(organisation_id: int) -> list[Invitation]:
    """The invitations made for an organisation, in consultations that are public, newest first."""
    return list(
        db.session.scalars(
            select(Invitation)
            .join(Consultation, Consultation.id == Invitation.consultation_id)
            # The home page shows each invitation's consultation and territory: loaded with the list.
            .options(contains_eager(Invitation.consultation).joinedload(Consultation.territory))
            .where(Invitation.organisation_id == organisation_id, Consultation.state != ConsultationState.DRAFT)
            .order_by(Invitation.id.desc())
        )
    )


def why_not(invitation: Invitation):
    """Why the organisation cannot answer through ``invitation`` now, or ``None`` when it can."""
    problem = refusal(invitation)
    if problem is not None:
        return problem
    if not invitation.consultation.is_accepting:
        return invitation.consultation.state.label
    return None


def officials_of(territory) -> list[Any]:
    """The officials of ``territory``: whom an organisation asks for a new invitation."""
    return [m.user for m in accounts.members_of(territory) if m.role == Role.OFFICIAL and m.user.is_active]


def organisation_home(user: Any) -> dict[str, Any] | None:
    """The home section of an organisation's account (a company's above all), or ``None`` when it has nothing."""
    organisation = getattr(user, "organisation", None)
    if organisation is None:
        return None
    invitations = invitations_of(organisation.id)
    sent = list(
        db.session.scalars(
            select(Response)
            .where(Response.organisation_id == organisation.id)
            .order_by(Response.submitted_on.desc(), Response.id.desc())
        )
    )
    is_company = organisation.kind == OrganisationKind.COMPANY
    plans = []
    if is_company and organisation.territory_id is not None:
        consultations = db.session.scalars(
            select(Consultation)
            .where(Consultation.territory_id == organisation.territory_id, Consultation.state.in_(PLAN_STATES))
            .order_by(Consultation.id.desc())
        )
        plans = plans_with_links(consultations)
    if organisation.kind == OrganisationKind.CSO and not invitations and not sent:
        return None  # the CSO's own section says what it can do
    # Invitations of one territory share its officials: looked up once per territory, not per invitation.
    officials = {
        territory_id: officials_of(territory)
        for territory_id, territory in {
            i.consultation.territory_id: i.consultation.territory for i in invitations
        }.items()
    }
    return {
        "organisation": organisation,
        "is_company": is_company,
        "invitations": [
            {
                "invitation": invitation,
                "consultation": invitation.consultation,
                "group": STAKEHOLDER_GROUPS.get(invitation.group_code, invitation.group_code),
                "problem": why_not(invitation),
                "officials": officials[invitation.consultation.territory_id],
            }
            for invitation in invitations
        ],
        "sent": sent,
        "plans": plans,
    }


@bp.route("/account/invitations/<int:invitation_id>/answer", methods=["POST"])
@login_view
def answer_invitation(invitation_id: int):
    """Start answering through the invitation made for the person's organisation (as opening its link would)."""
    invitation = db.session.get(Invitation, invitation_id)
    organisation_id = getattr(current_user, "organisation_id", None)
    if invitation is None or organisation_id is None or invitation.organisation_id != organisation_id:
        abort(404)
    consultation = invitation.consultation
    if consultation.state == ConsultationState.DRAFT:
        abort(404)
    problem = why_not(invitation)
    if problem is not None:
        flash(str(problem), "error")
        return redirect(url_for("accounts.home"))
    flow.remember_invitation(consultation, invitation.id)
    # A draft started through another link (or none) is not this one's.
    draft = flow.current_draft(consultation)
    if draft is not None and draft.invitation_id != invitation.id:
        flow.forget_draft(consultation)
    return redirect(url_for("responses.landing", slug=consultation.slug))
