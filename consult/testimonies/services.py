"""Testimony operations after intake: follow-up with the receipt code, moderation, protection routes,
settings and retention. Each checks, changes state, flushes, and returns what it made."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date, timedelta
from typing import Any, Iterable, Mapping

from flask_babel import lazy_gettext as _l
from sqlalchemy import case, func, select

from consult.accounts.models import Organisation, Territory
from consult.core.codes import hash_code, normalise_code
from consult.core.db import utcnow, utctoday
from consult.extensions import db
from consult.responses.models import Consultation
from consult.surveys.labels import RIGHTS
from consult.surveys.models import InstrumentVersion
from consult.testimonies import audit, vault
from consult.testimonies.consent import erase_content
from consult.testimonies.errors import TestimonyError
from consult.testimonies.intake import delete_expired_drafts, settings_for
from consult.testimonies.models import (
    CLOSED_STATUSES,
    Actor,
    ConsentUse,
    ExcerptStatus,
    ProtectionRoute,
    Testimony,
    TestimonyAddition,
    TestimonyExcerpt,
    TestimonyMessage,
    TestimonySettings,
    TestimonyStatus,
    TestimonyTheme,
)

#: Themes a moderator may tag: the rights of DESIGN.md and two about remedy itself.
THEMES = {
    **RIGHTS,
    "reprisals": _l("Reprisals against people who complained"),
    "access_to_remedy": _l("Obstacles to reaching a remedy"),
}
DEFAULT_RETENTION_DAYS = 730
MIN_RETENTION_DAYS = 30
MAX_RETENTION_DAYS = 3650
MAX_TEXT = 8000
MAX_EXCERPT = 2000
MAX_REASON = 1000


def _clean_text(text: str | None, limit: int, field: str) -> str:
    cleaned = (text or "").strip()
    if not cleaned:
        raise TestimonyError(_l("Please write something here."), field)
    if len(cleaned) > limit:
        raise TestimonyError(
            _l("Write at most %(n)d characters; you wrote %(count)d.", n=limit, count=len(cleaned)), field
        )
    return cleaned


# -- follow-up by the submitter -----------------------------------------------------------------


def find_by_receipt(code: str | None) -> Testimony | None:
    """The testimony a receipt code opens, or ``None`` (a wrong code and an unknown one look the same)."""
    if not code or len(normalise_code(code)) < 8:
        return None
    return db.session.scalar(select(Testimony).where(Testimony.receipt_code_hash == hash_code(code)))


def testimonies_of_organisation(organisation: Organisation) -> list[Testimony]:
    """A CSO's own testimonies, newest first: the only ones it may see."""
    return list(
        db.session.scalars(
            select(Testimony).where(Testimony.organisation_id == organisation.id).order_by(Testimony.id.desc())
        )
    )


def add_information(testimony: Testimony, text: str, actor: Actor) -> TestimonyAddition:
    """The submitter (or the CSO) adds to a testimony after sending it."""
    if testimony.is_closed:
        raise TestimonyError(_l("This testimony has been withdrawn or deleted; nothing can be added."), "text")
    cleaned = _clean_text(text, MAX_TEXT, "text")
    addition = TestimonyAddition(testimony_id=testimony.id, added_by=actor, added_on=utctoday())
    db.session.add(addition)
    db.session.flush()
    vault.seal(addition, "sealed_text", cleaned)
    db.session.flush()
    return addition


# -- moderation ----------------------------------------------------------------------------------


def queue(territory: Territory, *, closed: bool = False) -> list[Testimony]:
    """The territory's testimonies to moderate: urgent first, then most severe, then oldest.

    ``closed=True`` lists the withdrawn and deleted ones instead.
    """
    status = Testimony.status.in_(CLOSED_STATUSES) if closed else Testimony.status.not_in(CLOSED_STATUSES)
    # NULL severity last on both databases, without NULLS LAST.
    severity = case((Testimony.severity.is_(None), 0), else_=Testimony.severity)
    return list(
        db.session.scalars(
            select(Testimony)
            .where(Testimony.territory_id == territory.id, status)
            .order_by(Testimony.is_urgent.desc(), severity.desc(), Testimony.submitted_on, Testimony.id)
        )
    )


def read_for_staff(testimony: Testimony, user: Any, purpose: str = "moderation.read") -> audit.TestimonyContent:
    """Open a testimony for a moderator or an official (audited); the first reading marks it in review."""
    content = audit.open_testimony(testimony, purpose=purpose, actor=Actor.STAFF, user=user)
    if testimony.status == TestimonyStatus.SUBMITTED:
        testimony.status = TestimonyStatus.IN_REVIEW
    db.session.flush()
    return content


def propose_excerpt(testimony: Testimony, text: str, user: Any) -> TestimonyExcerpt:
    """A moderator's redacted, quotable passage; the original stays as it is."""
    if testimony.is_closed:
        raise TestimonyError(_l("This testimony has been withdrawn or deleted."), "text")
    if not testimony.allows(ConsentUse.QUOTE):
        raise TestimonyError(_l("The person has not allowed quotes from this testimony."), "text")
    cleaned = _clean_text(text, MAX_EXCERPT, "text")
    excerpt = TestimonyExcerpt(
        testimony_id=testimony.id,
        territory_id=testimony.territory_id,
        proposed_by_id=user.id,
        status=ExcerptStatus.PROPOSED,
    )
    db.session.add(excerpt)
    db.session.flush()
    vault.seal(excerpt, "sealed_text", cleaned)
    db.session.flush()
    return excerpt


def decide_excerpt(excerpt: TestimonyExcerpt, approve: bool, reason: str, user: Any) -> TestimonyExcerpt:
    """Approve or reject an excerpt, with a reason (sealed, as it may quote the testimony).

    Four eyes: the first approval leaves it awaiting a second one, which must come from a different
    moderator; only then is it approved and usable outside moderation. A rejection by either ends it.
    """
    if excerpt.testimony.is_closed:
        raise TestimonyError(_l("This testimony has been withdrawn or deleted."), "reason")
    if excerpt.status == ExcerptStatus.REJECTED:
        raise TestimonyError(_l("This excerpt was rejected; make a new one if it is needed."), "reason")
    if approve and excerpt.status == ExcerptStatus.APPROVED:
        raise TestimonyError(_l("Two moderators have already approved this excerpt."), "reason")
    if approve and not excerpt.testimony.allows(ConsentUse.QUOTE):
        raise TestimonyError(_l("The person has not allowed quotes from this testimony."), "reason")
    if approve and excerpt.status == ExcerptStatus.AWAITING_SECOND and excerpt.first_approved_by_id == user.id:
        raise TestimonyError(
            _l("You gave the first approval. The second approval must come from a different moderator."), "reason"
        )
    cleaned = _clean_text(reason, MAX_REASON, "reason")
    if approve and excerpt.status == ExcerptStatus.PROPOSED:
        excerpt.status = ExcerptStatus.AWAITING_SECOND
        excerpt.first_approved_by_id = user.id
        excerpt.first_approved_at = utcnow()
        vault.seal(excerpt, "sealed_first_reason", cleaned)
    else:
        excerpt.status = ExcerptStatus.APPROVED if approve else ExcerptStatus.REJECTED
        excerpt.decided_by_id = user.id
        excerpt.decided_at = utcnow()
        vault.seal(excerpt, "sealed_reason", cleaned)
    db.session.flush()
    return excerpt


def edit_excerpt(excerpt: TestimonyExcerpt, text: str, user: Any) -> TestimonyExcerpt:
    """Change an excerpt's text. Any approval it had was for the old words: it needs both approvals again."""
    if excerpt.testimony.is_closed:
        raise TestimonyError(_l("This testimony has been withdrawn or deleted."), "text")
    if excerpt.status == ExcerptStatus.REJECTED:
        raise TestimonyError(_l("This excerpt was rejected; make a new one if it is needed."), "text")
    cleaned = _clean_text(text, MAX_EXCERPT, "text")
    if cleaned == (vault.unseal(excerpt, "sealed_text") or ""):
        return excerpt
    vault.seal(excerpt, "sealed_text", cleaned)
    excerpt.status = ExcerptStatus.PROPOSED
    excerpt.first_approved_by_id = excerpt.first_approved_at = None
    excerpt.decided_by_id = excerpt.decided_at = None
    vault.seal(excerpt, "sealed_first_reason", None)
    vault.seal(excerpt, "sealed_reason", None)
    db.session.flush()
    return excerpt


def awaiting_second_counts(territory: Territory) -> dict[int, int]:
    """``{testimony id: excerpts awaiting a second approval}`` in the territory, for the queue."""
    rows = db.session.execute(
        select(TestimonyExcerpt.testimony_id, func.count(TestimonyExcerpt.id))
        .where(TestimonyExcerpt.territory_id == territory.id, TestimonyExcerpt.status == ExcerptStatus.AWAITING_SECOND)
        .group_by(TestimonyExcerpt.testimony_id)
    )
    return {testimony_id: count for testimony_id, count in rows}


def set_themes(testimony: Testimony, themes: Iterable[str]) -> list[str]:
    """Replace the testimony's theme tags (unknown codes are refused)."""
    wanted = list(dict.fromkeys(themes))
    unknown = [t for t in wanted if t not in THEMES]
    if unknown:
        raise TestimonyError(_l("Choose themes from the list."), "themes")
    if testimony.is_closed:
        raise TestimonyError(_l("This testimony has been withdrawn or deleted."), "themes")
    current = {t.theme: t for t in testimony.themes}
    for code, row in current.items():
        if code not in wanted:
            db.session.delete(row)
    for code in wanted:
        if code not in current:
            db.session.add(TestimonyTheme(testimony_id=testimony.id, theme=code))
    db.session.flush()
    db.session.expire(testimony, ["themes"])
    return wanted


def send_message(testimony: Testimony, text: str, user: Any) -> TestimonyMessage:
    """A follow-up message the submitter reads with the receipt code (or the CSO in its account)."""
    if testimony.is_closed:
        raise TestimonyError(_l("This testimony has been withdrawn or deleted."), "text")
    cleaned = _clean_text(text, MAX_TEXT, "text")
    message = TestimonyMessage(testimony_id=testimony.id, author_id=user.id, sent_on=utctoday())
    db.session.add(message)
    db.session.flush()
    vault.seal(message, "sealed_text", cleaned)
    db.session.flush()
    return message


# -- protection routes ---------------------------------------------------------------------------


def routes_of(territory: Territory, *, active_only: bool = True) -> list[ProtectionRoute]:
    """The territory's protection routes, in the order officials set."""
    query = select(ProtectionRoute).where(ProtectionRoute.territory_id == territory.id)
    if active_only:
        query = query.where(ProtectionRoute.is_active.is_(True))
    return list(db.session.scalars(query.order_by(ProtectionRoute.position, ProtectionRoute.id)))


def authorities_of(territory: Territory, lang: str) -> list[str]:
    """Names of the authorities a testimony may be shared with (active routes marked as authorities)."""
    return [r.name_in(lang, territory.default_language) for r in routes_of(territory) if r.is_authority]


def save_route(
    territory: Territory,
    route: ProtectionRoute | None,
    *,
    names: Mapping[str, str],
    descriptions: Mapping[str, str],
    contact: str,
    position: int = 0,
    is_authority: bool = True,
    is_active: bool = True,
) -> ProtectionRoute:
    """Create or update a protection route; the name in the territory's default language is required."""
    names = {lang: text.strip()[:200] for lang, text in names.items() if text and text.strip()}
    descriptions = {lang: text.strip()[:2000] for lang, text in descriptions.items() if text and text.strip()}
    if not names.get(territory.default_language):
        raise TestimonyError(
            _l("Give the name at least in the territory's main language."), f"name_{territory.default_language}"
        )
    if not (contact or "").strip():
        raise TestimonyError(_l("Say how people can reach it: a telephone, an address or a web page."), "contact")
    if route is None:
        route = ProtectionRoute(territory_id=territory.id)
        db.session.add(route)
    route.name, route.description = names, descriptions
    route.contact = contact.strip()[:300]
    route.position = position
    route.is_authority = is_authority
    route.is_active = is_active
    db.session.flush()
    return route


def delete_route(route: ProtectionRoute) -> None:
    """Remove a protection route (consent records keep the authority's name as it was)."""
    db.session.delete(route)
    db.session.flush()


# -- settings and retention ----------------------------------------------------------------------


def consultations_of(territory: Territory) -> list[Consultation]:
    """The territory's consultations, newest first."""
    return list(
        db.session.scalars(
            select(Consultation).where(Consultation.territory_id == territory.id).order_by(Consultation.id.desc())
        )
    )


def retention_days(consultation: Consultation) -> int:
    """How many days a consultation keeps testimony content."""
    settings = settings_for(consultation)
    return settings.retention_days if settings is not None else DEFAULT_RETENTION_DAYS


def save_settings(
    consultation: Consultation, *, retention: int, version: InstrumentVersion | None
) -> TestimonySettings:
    """Set a consultation's retention period and testimony instrument version."""
    if not MIN_RETENTION_DAYS <= retention <= MAX_RETENTION_DAYS:
        raise TestimonyError(
            _l("Keep testimonies between %(min)d and %(max)d days.", min=MIN_RETENTION_DAYS, max=MAX_RETENTION_DAYS),
            "retention_days",
        )
    if version is not None and version.definition.get("audience") not in (None, "testimony", "any"):
        raise TestimonyError(_l("Choose a testimony instrument."), "instrument_version")
    settings = settings_for(consultation)
    if settings is None:
        settings = TestimonySettings(consultation_id=consultation.id)
        db.session.add(settings)
    settings.retention_days = retention
    settings.instrument_version_id = version.id if version else None
    db.session.flush()
    return settings


@dataclass
class PurgeReport:
    """What a purge run did."""

    purged: int = 0
    drafts_deleted: int = 0


def purge_expired(today: date | None = None, batch_size: int = 200) -> PurgeReport:
    """Delete the content of testimonies past their consultation's retention period, and expired drafts.

    Commits after each batch, so an interrupted run keeps what it did and the
    next run continues. The structured counting rows and themes are kept.
    """
    today = today or utctoday()
    report = PurgeReport()
    consultation_ids = db.session.scalars(
        select(Testimony.consultation_id)
        .where(Testimony.status.not_in(CLOSED_STATUSES))
        .group_by(Testimony.consultation_id)
    ).all()
    for consultation_id in consultation_ids:
        consultation = db.session.get(Consultation, consultation_id)
        cutoff = today - timedelta(days=retention_days(consultation))
        while True:
            batch = db.session.scalars(
                select(Testimony)
                .where(
                    Testimony.consultation_id == consultation_id,
                    Testimony.status.not_in(CLOSED_STATUSES),
                    Testimony.submitted_on < cutoff,
                )
                .order_by(Testimony.id)
                .limit(batch_size)
            ).all()
            if not batch:
                break
            for testimony in batch:
                erase_content(testimony, keep_counts=True)
                testimony.status = TestimonyStatus.PURGED
                testimony.purged_on = today
            db.session.commit()
            report.purged += len(batch)
    report.drafts_deleted = delete_expired_drafts()
    db.session.commit()
    return report
