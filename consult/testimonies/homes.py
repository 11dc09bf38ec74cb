"""A civil-society organisation's part of the home page: its testimonies, the forms it can use, plans to comment.

Registered with ``consult.accounts.homes`` (accounts sits below this room and
cannot look testimonies up itself).
"""

from __future__ import annotations

from typing import Any

from sqlalchemy import select

from consult.accounts.homes import plans_with_links
from consult.extensions import db
from consult.responses.models import Consultation, ConsultationState
from consult.testimonies import services
from consult.testimonies.intake import is_cso_account, testimony_version

#: How many of its latest testimonies the home page lists (the full list is one click away).
LATEST = 5
#: States in which a consultation may have a public action plan (``plan_links`` says which pages exist).
PLAN_STATES = (
    ConsultationState.CLOSED,
    ConsultationState.ANALYSED,
    ConsultationState.PLAN_COMMENT,
    ConsultationState.PLAN_FINAL,
    ConsultationState.MONITORING,
)


def territory_consultations(territory_id: int | None, states) -> list[Consultation]:
    """The consultations of a territory in ``states``, newest first (none without a territory)."""
    if territory_id is None:
        return []
    return list(
        db.session.scalars(
            select(Consultation)
            .where(Consultation.territory_id == territory_id, Consultation.state.in_(list(states)))
            .order_by(Consultation.id.desc())
        )
    )


def cso_home(user: Any) -> dict[str, Any] | None:
    """The CSO section's context for ``user``, or ``None`` when the account is not a CSO's."""
    if not is_cso_account(user):
        return None
    organisation = user.organisation
    testimonies = services.testimonies_of_organisation(organisation)
    forms = [
        consultation
        for consultation in territory_consultations(organisation.territory_id, (ConsultationState.OPEN,))
        if consultation.is_accepting and testimony_version(consultation) is not None
    ]
    return {
        "organisation": organisation,
        "testimonies": testimonies[:LATEST],
        "testimony_count": len(testimonies),
        "forms": forms,
        "plans": plans_with_links(territory_consultations(organisation.territory_id, PLAN_STATES)),
    }
