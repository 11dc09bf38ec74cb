"""Invitation links: made per group (and optionally per organisation), used, revoked, re-issued.

The token in a link is random and kept only as its SHA-256 hash, so the
database cannot print a link again: the token is shown once, on the sheet made
right after the link. To print a lost sheet again an official *re-issues* the
link: it gets a new token (the old link and any sheet carrying it stop
working) and keeps its group, organisation, limits and count of uses.
"""

from __future__ import annotations

from datetime import date

import segno
from flask import url_for
from flask_babel import lazy_gettext as _l
from markupsafe import Markup
from sqlalchemy import select, update

from consult.accounts.models import Organisation
from consult.core.codes import hash_token, new_token
from consult.core.db import utcnow, utctoday
from consult.extensions import db
from consult.responses.models import Consultation, Invitation
from consult.responses.services import ConsultationError


def create_invitation(
    consultation: Consultation,
    group_code: str,
    *,
    organisation: Organisation | None = None,
    label: str = "",
    expires_on: date | None = None,
    max_uses: int | None = None,
) -> tuple[Invitation, str]:
    """Make a link for people of ``group_code``; returns it and its token (shown once, never stored)."""
    if consultation.group(group_code) is None:
        raise ConsultationError(_l("Choose one of the groups of this consultation."), "group_code")
    if organisation is not None and organisation.territory_id not in (None, consultation.territory_id):
        raise ConsultationError(_l("Choose an organisation of this territory."), "organisation")
    if expires_on is not None and expires_on < utctoday():
        raise ConsultationError(_l("The expiry date has already passed."), "expires_on")
    if max_uses is not None and max_uses < 1:
        raise ConsultationError(_l("The number of uses must be at least 1."), "max_uses")
    token = new_token()
    invitation = Invitation(
        group_code=group_code,
        organisation=organisation,
        label=(label or "").strip()[:200],
        token_hash=hash_token(token),
        expires_on=expires_on,
        max_uses=max_uses,
    )
    consultation.invitations.append(invitation)
    db.session.flush()
    return invitation, token


def reissue(invitation: Invitation) -> str:
    """Give ``invitation`` a new token (returned, shown once); the old link stops working."""
    if invitation.is_revoked:
        raise ConsultationError(_l("A revoked link cannot be issued again. Make a new one."))
    token = new_token()
    invitation.token_hash = hash_token(token)
    invitation.issued_at = utcnow()
    db.session.flush()
    return token


def revoke(invitation: Invitation) -> None:
    """Stop ``invitation`` from letting anyone answer (answers already sent stay)."""
    invitation.is_revoked = True
    db.session.flush()


def find_invitation(consultation: Consultation, token: str) -> Invitation | None:
    """The invitation of ``consultation`` whose token is ``token`` (usable or not), if any."""
    if not token or len(token) > 200:
        return None
    return db.session.scalar(
        select(Invitation).where(
            Invitation.consultation_id == consultation.id, Invitation.token_hash == hash_token(token)
        )
    )


def refusal(invitation: Invitation | None):
    """Why ``invitation`` cannot be used, as a translated sentence; ``None`` when it can."""
    if invitation is None:
        return _l("This invitation link is not valid. Check that it was copied in full.")
    if invitation.is_revoked:
        return _l("This invitation link has been withdrawn by the organisers.")
    if invitation.is_expired:
        return _l("This invitation link has expired.")
    if invitation.is_used_up:
        return _l("This invitation link has been used as many times as allowed.")
    return None


def claim_use(invitation_id: int) -> bool:
    """Count one use of the invitation, atomically; ``False`` when it may not be used any more.

    One conditional UPDATE, so two people sending at the same moment through a
    link with one use left cannot both get it.
    """
    today = utctoday()
    result = db.session.execute(
        update(Invitation)
        .where(
            Invitation.id == invitation_id,
            Invitation.is_revoked.is_(False),
            (Invitation.expires_on.is_(None)) | (Invitation.expires_on >= today),
            (Invitation.max_uses.is_(None)) | (Invitation.use_count < Invitation.max_uses),
        )
        .values(use_count=Invitation.use_count + 1)
        .execution_options(synchronize_session=False)
    )
    return result.rowcount == 1


def invitation_url(consultation: Consultation, token: str) -> str:
    """The full address of an invitation link."""
    return url_for("responses.invited", slug=consultation.slug, token=token, _external=True)


def public_url(consultation: Consultation) -> str:
    """The full address of the open public link, where people declare their group."""
    return url_for("responses.landing", slug=consultation.slug, _external=True)


def qr_svg(url: str, label: str) -> Markup:
    """A QR code of ``url`` as inline SVG (no script, no style attribute, so the CSP allows it)."""
    svg = segno.make(url, error="m").svg_inline(scale=5, border=4, title=label, svgclass="qr", lineclass=None)
    return Markup(svg.replace("<svg ", f'<svg role="img" aria-label="{Markup.escape(label)}" ', 1))
