"""Answers in progress: started, found again by resume code, saved page by page, purged when stale.

A draft is found by its resume code: the person's browser keeps it in the
signed session cookie (so the draft follows them from page to page) and the
person may write it down (so it survives closing the browser or changing
phone). The database keeps only the code's hash.
"""

from __future__ import annotations

import secrets
from datetime import datetime, timedelta
from typing import Any

from flask import current_app
from flask_babel import lazy_gettext as _l
from sqlalchemy import delete, select
from sqlalchemy.orm import defer

from consult.core.codes import hash_code, new_code
from consult.core.db import utcnow
from consult.extensions import db
from consult.responses.models import Consultation, EntryMode, Invitation, ResponseDraft
from consult.responses.services import ConsultationError
from consult.surveys.engine import Instrument, Page
from consult.surveys.models import InstrumentVersion

#: Symbols of a resume code: 12 (60 bits), short enough to write down.
RESUME_CODE_LENGTH = 12
DEFAULT_LIFETIME_DAYS = 30
MAX_PEOPLE_REPRESENTED = 10_000_000
#: Where ``find_draft`` keeps the version it loaded with the draft (a plain attribute, not a column).
_VERSION = "_consult_version"


def lifetime() -> timedelta:
    """How long an untouched draft is kept (``CONSULT_DRAFT_DAYS``, 30 days by default)."""
    return timedelta(days=int(current_app.config.get("CONSULT_DRAFT_DAYS", DEFAULT_LIFETIME_DAYS)))


def start_draft(
    consultation: Consultation,
    language: str,
    *,
    invitation: Invitation | None = None,
    entry_mode: EntryMode = EntryMode.ONLINE,
) -> tuple[ResponseDraft, str]:
    """Start answering ``consultation``; returns the draft and its resume code (kept only hashed)."""
    if not consultation.is_accepting:
        raise ConsultationError(_l("This consultation is not accepting answers."))
    if language not in consultation.languages:
        language = consultation.fallback_language
    code = new_code(RESUME_CODE_LENGTH)
    draft = ResponseDraft(
        consultation=consultation,
        invitation=invitation,
        organisation_id=invitation.organisation_id if invitation else None,
        group_code=invitation.group_code if invitation else None,
        resume_code_hash=hash_code(code),
        submission_token=secrets.token_urlsafe(32),
        language=language,
        entry_mode=entry_mode,
        answers={},
        expires_at=utcnow() + lifetime(),
    )
    if invitation is not None:
        group = consultation.group(invitation.group_code)
        draft.instrument_version_id = group.instrument_version_id if group else None
    db.session.add(draft)
    db.session.flush()
    return draft, code


def find_draft(consultation: Consultation, code: str | None) -> ResponseDraft | None:
    """The live draft of ``consultation`` with resume code ``code``, if any."""
    if not code or len(code) > 64:
        return None
    draft = _with_version(
        ResponseDraft.consultation_id == consultation.id, ResponseDraft.resume_code_hash == hash_code(code)
    )
    if draft is None or draft.expires_at < utcnow():
        return None
    return draft


def find_by_token(consultation: Consultation, token: str) -> ResponseDraft | None:
    """The draft of ``consultation`` holding the submission token ``token`` (what "send" posts), if any."""
    return _with_version(ResponseDraft.consultation_id == consultation.id, ResponseDraft.submission_token == token)


def _with_version(*where) -> ResponseDraft | None:
    # The instrument version comes in the same statement (every answering page needs it), without its
    # definition: a frozen version's parsed definition is kept per process (``InstrumentVersion.parsed``),
    # so the JSON is read and parsed only for a version this process has not seen yet.
    row = db.session.execute(
        select(ResponseDraft, InstrumentVersion)
        .outerjoin(InstrumentVersion, InstrumentVersion.id == ResponseDraft.instrument_version_id)
        .where(*where)
        .options(defer(InstrumentVersion.definition), defer(InstrumentVersion.translation_review))
    ).first()
    if row is None:
        return None
    draft, version = row
    # The session holds objects weakly: keep the version with the draft for ``version_of``.
    draft.__dict__[_VERSION] = version
    return draft


def choose_group(
    draft: ResponseDraft,
    group_code: str,
    *,
    is_collective: bool = False,
    mandate_reference: str | None = None,
    people_represented: int | None = None,
) -> ResponseDraft:
    """Record the group the person answers as (fixed by an invitation), and whether for a collective.

    Changing the group changes the instrument, so the answers given so far are
    dropped (the person is told before confirming on the group page).
    """
    consultation = draft.consultation
    if draft.invitation is not None and group_code != draft.invitation.group_code:
        group_code = draft.invitation.group_code
    group = consultation.group(group_code)
    if group is None:
        raise ConsultationError(_l("Choose one of the groups in the list."), "group_code")
    if is_collective:
        mandate_reference = (mandate_reference or "").strip()
        if not mandate_reference:
            raise ConsultationError(
                _l("Say what gives you the mandate to answer for the collective (for example the assembly's minutes)."),
                "mandate_reference",
            )
        if people_represented is None or not 2 <= people_represented <= MAX_PEOPLE_REPRESENTED:
            raise ConsultationError(
                _l("Write how many people you speak for: a number of at least 2."), "people_represented"
            )
    if draft.group_code and draft.group_code != group_code:
        draft.answers = {}
        draft.page_key = None
    draft.group_code = group_code
    draft.instrument_version_id = group.instrument_version_id
    _prefill_group_questions(draft, group_code)
    draft.is_collective = bool(is_collective)
    draft.mandate_reference = mandate_reference[:300] if is_collective else None
    draft.people_represented = people_represented if is_collective else None
    _touch(draft)
    return draft


def _prefill_group_questions(draft: ResponseDraft, group_code: str) -> None:
    # An instrument may ask the group again (the community survey does): start it
    # at the group just declared, so the person need not say it twice.
    version = version_of(draft)
    if version is None:
        return
    answers = dict(draft.answers or {})
    for question in version.parsed().questions:
        if question.type == "stakeholder_group" and question.key not in answers:
            allowed = question.get("groups") or ()
            if not allowed or group_code in allowed:
                answers[question.key] = group_code
    draft.answers = answers


def version_of(draft: ResponseDraft) -> InstrumentVersion | None:
    """The instrument version the draft answers (``None`` before the group is chosen)."""
    if draft.instrument_version_id is None:
        return None
    known = draft.__dict__.get(_VERSION)
    if known is not None and known.id == draft.instrument_version_id:
        return known
    # Without the definition, as ``find_draft`` loads it: ``parsed()`` reads it only when not kept already.
    # No autoflush: the draft's pending changes go out in one UPDATE at the commit, not one per lookup.
    with db.session.no_autoflush:
        version = db.session.get(
            InstrumentVersion,
            draft.instrument_version_id,
            options=[defer(InstrumentVersion.definition), defer(InstrumentVersion.translation_review)],
        )
    draft.__dict__[_VERSION] = version
    return version


def save_page(draft: ResponseDraft, instrument: Instrument, page: Page, page_answers: dict[str, Any]) -> ResponseDraft:
    """Replace the answers of ``page``'s questions with ``page_answers`` (a cleared question is removed)."""
    answers = dict(draft.answers or {})
    for question in page.questions:
        answers.pop(question.key, None)
    for key, value in page_answers.items():
        if instrument.has_question(key) and value is not None:
            answers[key] = value
    # A new dict, so that the JSON column sees the change.
    draft.answers = answers
    _touch(draft)
    return draft


def set_page(draft: ResponseDraft, page_key: str | None) -> None:
    """Remember where the person is, so resuming starts there (written with the request's other changes)."""
    if draft.page_key != page_key:
        draft.page_key = page_key


def set_language(draft: ResponseDraft, language: str) -> bool:
    """Switch the draft's language if the consultation offers it; ``True`` when switched."""
    if language not in draft.consultation.languages:
        return False
    draft.language = language
    _touch(draft)
    return True


def _touch(draft: ResponseDraft) -> None:
    # A draft lives for the configured time after it was last saved. Not flushed here: the request's
    # changes to the draft go out in one UPDATE at its commit (autoflush covers any query before it).
    draft.expires_at = utcnow() + lifetime()


def discard(draft: ResponseDraft) -> None:
    """Delete a draft (the person chose to start again)."""
    db.session.delete(draft)
    db.session.flush()


def purge_expired(now: datetime | None = None) -> int:
    """Delete every draft whose time has run out; returns how many."""
    result = db.session.execute(
        delete(ResponseDraft)
        .where(ResponseDraft.expires_at < (now or utcnow()))
        .execution_options(synchronize_session=False)
    )
    db.session.flush()
    return result.rowcount or 0
