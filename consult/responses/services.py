"""Consultation set-up: create and edit, groups and their instruments, targets, lifecycle.

Each operation checks its input, changes state, flushes and returns; the view
commits. Errors are ``ConsultationError`` with a translated message and, when
there is one, the form field it belongs next to.
"""

from __future__ import annotations

import re
from datetime import date

from flask import current_app
from flask_babel import get_locale
from flask_babel import lazy_gettext as _l
from sqlalchemy import or_, select

from consult.accounts.languages import MAX_STORED_CODE, ensure_languages
from consult.accounts.models import Locality, Territory
from consult.core.db import utctoday
from consult.extensions import db
from consult.i18n.languages import is_content_language
from consult.responses.models import Consultation, ConsultationGroup, ConsultationState, LocalityTarget
from consult.responses.queries import has_counted_responses
from consult.surveys.labels import STAKEHOLDER_GROUPS
from consult.surveys.models import Instrument, InstrumentVersion
from consult.surveys.services import freeze_version

SLUG_RE = re.compile(r"^[a-z0-9][a-z0-9-]{2,63}$")

S = ConsultationState
#: Allowed moves of the lifecycle. A closed consultation may be reopened (for
#: example to extend the dates when a group is still missing).
TRANSITIONS: dict[ConsultationState, tuple[ConsultationState, ...]] = {
    S.DRAFT: (S.OPEN,),
    S.OPEN: (S.CLOSED,),
    S.CLOSED: (S.OPEN, S.ANALYSED),
    # The plan states follow the plan itself: only the plans room's lifecycle
    # (publish for comment, adopt, start monitoring) moves a consultation there,
    # so no state says a plan exists, is out for comment or adopted before it is.
    S.ANALYSED: (),
    S.PLAN_COMMENT: (),
    S.PLAN_FINAL: (),
    S.MONITORING: (),
}


class ConsultationError(ValueError):
    """A request that cannot be carried out; ``message`` is translated text for the person."""

    def __init__(self, message, field: str | None = None) -> None:
        super().__init__(str(message))
        self.message = message
        self.field = field


def find_by_slug(slug: str) -> Consultation | None:
    """The consultation with the public short name ``slug``."""
    return db.session.scalar(select(Consultation).where(Consultation.slug == slug))


def consultations_of(territory: Territory) -> list[Consultation]:
    """A territory's consultations, newest first."""
    return list(
        db.session.scalars(
            select(Consultation).where(Consultation.territory_id == territory.id).order_by(Consultation.id.desc())
        )
    )


def _clean_texts(texts: dict[str, str], languages: list[str]) -> dict[str, str]:
    return {code: (texts.get(code) or "").strip() for code in languages if (texts.get(code) or "").strip()}


def _check(
    slug: str,
    languages: list[str],
    fallback_language: str,
    title: dict[str, str],
    opens_on: date | None,
    closes_on: date | None,
    small_cell_threshold: int,
    consultation: Consultation | None = None,
) -> None:
    if not SLUG_RE.match(slug):
        raise ConsultationError(
            _l("The short name needs 3 to 64 lowercase letters, digits and hyphens, for example risks-2026."), "slug"
        )
    taken = find_by_slug(slug)
    if taken is not None and taken is not consultation:
        raise ConsultationError(_l("Another consultation already uses this short name."), "slug")
    if not languages:
        raise ConsultationError(_l("Choose at least one language."), "languages")
    unknown = [code for code in languages if not is_content_language(code) or len(code) > MAX_STORED_CODE]
    if unknown:
        raise ConsultationError(_l("Unknown language code: %(codes)s.", codes=", ".join(unknown)), "languages")
    if fallback_language not in languages:
        raise ConsultationError(_l("The fallback language must be one of the languages offered."), "fallback_language")
    if not title.get(fallback_language):
        raise ConsultationError(_l("Write the title at least in the fallback language."), f"title_{fallback_language}")
    if opens_on and closes_on and closes_on < opens_on:
        raise ConsultationError(_l("The closing date must not be before the opening date."), "closes_on")
    if not 1 <= small_cell_threshold <= 100:
        raise ConsultationError(_l("The threshold must be between 1 and 100."), "small_cell_threshold")


def create_consultation(
    territory: Territory,
    *,
    slug: str,
    title: dict[str, str],
    purpose: dict[str, str] | None = None,
    organiser: str = "",
    languages: list[str] | None = None,
    fallback_language: str | None = None,
    opens_on: date | None = None,
    closes_on: date | None = None,
    small_cell_threshold: int | None = None,
) -> Consultation:
    """Create a consultation in draft."""
    languages = list(dict.fromkeys(languages or [territory.default_language]))
    fallback_language = fallback_language or languages[0]
    slug = (slug or "").strip().lower()
    title = _clean_texts(title, languages)
    if small_cell_threshold is None:
        # The installation's default (CONSULT_SMALL_CELL), as the set-up form offers it.
        small_cell_threshold = int(current_app.config.get("CONSULT_SMALL_CELL", 5))
    _check(slug, languages, fallback_language, title, opens_on, closes_on, small_cell_threshold)
    ensure_languages(territory, languages)
    consultation = Consultation(
        territory=territory,
        slug=slug,
        title=title,
        purpose=_clean_texts(purpose or {}, languages),
        organiser=(organiser or "").strip()[:200],
        languages=languages,
        fallback_language=fallback_language,
        opens_on=opens_on,
        closes_on=closes_on,
        small_cell_threshold=small_cell_threshold,
    )
    db.session.add(consultation)
    db.session.flush()
    return consultation


def update_consultation(
    consultation: Consultation,
    *,
    slug: str,
    title: dict[str, str],
    purpose: dict[str, str],
    organiser: str,
    languages: list[str],
    fallback_language: str,
    opens_on: date | None,
    closes_on: date | None,
    small_cell_threshold: int,
) -> Consultation:
    """Change a consultation's texts, languages, dates and threshold.

    The public short name is fixed once the consultation has opened: printed
    invitation sheets and shared links carry it.
    """
    languages = list(dict.fromkeys(languages))
    slug = (slug or "").strip().lower()
    if consultation.state != S.DRAFT and slug != consultation.slug:
        raise ConsultationError(_l("The short name cannot change once the consultation has opened."), "slug")
    title = _clean_texts(title, languages)
    _check(
        slug,
        languages,
        fallback_language,
        title,
        opens_on,
        closes_on,
        small_cell_threshold,
        consultation,
    )
    ensure_languages(consultation.territory, languages)
    consultation.slug = slug
    consultation.title = title
    consultation.purpose = _clean_texts(purpose, languages)
    consultation.organiser = (organiser or "").strip()[:200]
    consultation.languages = languages
    consultation.fallback_language = fallback_language
    consultation.opens_on = opens_on
    consultation.closes_on = closes_on
    consultation.small_cell_threshold = small_cell_threshold
    db.session.flush()
    return consultation


def available_versions(territory: Territory) -> list[InstrumentVersion]:
    """Instrument versions a consultation of ``territory`` may use: its own and the shared library's."""
    return list(
        db.session.scalars(
            select(InstrumentVersion)
            .join(Instrument)
            .where(or_(Instrument.territory_id == territory.id, Instrument.territory_id.is_(None)))
            .order_by(Instrument.territory_id.is_(None), Instrument.key, InstrumentVersion.number.desc())
        )
    )


def set_group(
    consultation: Consultation,
    group_code: str,
    version: InstrumentVersion | None,
    target: int | None,
    *,
    is_invitation_only: bool = False,
) -> ConsultationGroup:
    """Add a stakeholder group (or change its instrument and target).

    The instrument can change only while the consultation is a draft; the
    target can change at any time (coverage is watched while it is open).
    """
    if group_code not in STAKEHOLDER_GROUPS:
        raise ConsultationError(_l("Choose a stakeholder group from the list."), "group_code")
    if target is not None and target < 0:
        raise ConsultationError(_l("The target cannot be negative."), "target")
    if version is not None:
        allowed = {v.id for v in available_versions(consultation.territory)}
        if version.id not in allowed:
            raise ConsultationError(_l("This instrument is not available in this territory."), "instrument_version")
    group = consultation.group(group_code)
    if group is None:
        if consultation.state != S.DRAFT:
            raise ConsultationError(_l("Groups can only be added while the consultation is a draft."), "group_code")
        if version is None:
            raise ConsultationError(_l("Choose the instrument this group answers."), "instrument_version")
        group = ConsultationGroup(
            group_code=group_code,
            instrument_version_id=version.id,
            target=target,
            is_invitation_only=is_invitation_only,
        )
        consultation.groups.append(group)
    else:
        if version is not None and version.id != group.instrument_version_id:
            if consultation.state != S.DRAFT:
                raise ConsultationError(
                    _l("The instrument cannot change once the consultation has opened."), "instrument_version"
                )
            group.instrument_version_id = version.id
        group.target = target
        group.is_invitation_only = is_invitation_only
    db.session.flush()
    return group


def remove_group(consultation: Consultation, group: ConsultationGroup) -> None:
    """Take a group out of a draft consultation (with its locality targets)."""
    if consultation.state != S.DRAFT:
        raise ConsultationError(_l("Groups can only be removed while the consultation is a draft."))
    for target in [t for t in consultation.locality_targets if t.group_code == group.group_code]:
        consultation.locality_targets.remove(target)
    consultation.groups.remove(group)
    db.session.flush()


def set_locality_target(consultation: Consultation, group_code: str, locality: Locality, target: int) -> LocalityTarget:
    """Set how many people of ``group_code`` are hoped for in ``locality`` (0 removes the target)."""
    if consultation.group(group_code) is None:
        raise ConsultationError(_l("Add this group to the consultation first."), "group_code")
    if locality.territory_id != consultation.territory_id:
        raise ConsultationError(_l("Choose a locality of this territory."), "locality")
    if target < 0:
        raise ConsultationError(_l("The target cannot be negative."), "target")
    existing = next(
        (t for t in consultation.locality_targets if t.group_code == group_code and t.locality_id == locality.id), None
    )
    if existing is None:
        existing = LocalityTarget(group_code=group_code, locality=locality, target=target)
        consultation.locality_targets.append(existing)
    else:
        existing.target = target
    db.session.flush()
    return existing


def remove_locality_target(consultation: Consultation, target: LocalityTarget) -> None:
    """Remove a locality target."""
    consultation.locality_targets.remove(target)
    db.session.flush()


def opening_problems(consultation: Consultation) -> list[str]:
    """What stops ``consultation`` from opening, as translated sentences (empty when it can open)."""
    problems = []
    if not consultation.groups:
        problems.append(str(_l("Add at least one stakeholder group and the instrument it answers.")))
    if consultation.closes_on and consultation.closes_on < utctoday():
        problems.append(str(_l("The closing date has passed: change it before opening.")))
    return problems


def change_state(consultation: Consultation, new_state: ConsultationState) -> Consultation:
    """Move ``consultation`` along its lifecycle.

    Opening checks that it can be answered and freezes every instrument
    version it uses: from then on the questions people answer never change.
    """
    if new_state not in TRANSITIONS[consultation.state]:
        raise ConsultationError(
            _l(
                "A consultation cannot go from %(current)s to %(new)s.",
                current=consultation.state.label,
                new=new_state.label,
            )
        )
    if new_state == S.ANALYSED and not has_counted_responses(consultation.id):
        raise ConsultationError(_l("There is nothing to analyse yet: no answer has been counted."))
    if new_state == S.OPEN:
        problems = opening_problems(consultation)
        if problems:
            raise ConsultationError(" ".join(problems))
        for group in consultation.groups:
            freeze_version(db.session.get(InstrumentVersion, group.instrument_version_id))
    consultation.state = new_state
    db.session.flush()
    return consultation


def consultations_using_language(territory: Territory, code: str) -> list[str]:
    """A sentence per consultation of ``territory`` that offers ``code`` (it cannot be removed meanwhile)."""
    found = db.session.scalars(
        select(Consultation).where(Consultation.territory_id == territory.id).order_by(Consultation.id)
    ).all()
    interface = str(get_locale() or "es")
    return [
        str(_l("the consultation “%(title)s” offers it", title=c.title_in(interface) or c.slug))
        for c in found
        if code in (c.languages or []) or c.fallback_language == code
    ]
