"""Taking a testimony in: the instrument used, drafts kept sealed, and the atomic, idempotent send.

A draft is found by a random token the browser keeps in its session cookie
(only its hash is stored); what the person types is sealed in the draft row,
never put in the cookie. Sending turns the draft into a ``Testimony`` in one
transaction; a second send of the same draft (double click, refresh, retried
request) finds the testimony already made and makes nothing.
"""

from __future__ import annotations

from dataclasses import dataclass, replace
from datetime import datetime, timedelta
from typing import Any, Iterable, Mapping

from flask_babel import lazy_gettext as _l
from sqlalchemy import delete, select
from sqlalchemy.exc import IntegrityError

from consult.accounts.models import Organisation, OrganisationKind, Territory
from consult.core.codes import hash_code, hash_token, new_code, new_token
from consult.core.db import utcnow, utctoday
from consult.extensions import db
from consult.responses.models import Consultation
from consult.surveys.asked import asked_keys, asked_set_id
from consult.surveys.engine import Instrument, Page, Question
from consult.surveys.models import Instrument as InstrumentRecord
from consult.surveys.models import InstrumentVersion
from consult.surveys.paths import on_path_answers, path_pages, visible_questions
from consult.surveys.services import freeze_version
from consult.surveys.steps import Steps, steps
from consult.surveys.types import question_type
from consult.surveys.types.blocks import area_code
from consult.testimonies import vault
from consult.testimonies.consent import consent_answers, record_consents
from consult.testimonies.errors import TestimonyError
from consult.testimonies.models import (
    Actor,
    ConsentUse,
    OnBehalfOf,
    Testimony,
    TestimonyAnswer,
    TestimonyDraft,
    TestimonySettings,
)

#: The key of the built-in remedy testimony instrument.
INSTRUMENT_KEY = "remedy_testimony"
#: How long an untouched draft is kept.
DRAFT_LIFETIME = timedelta(hours=4)
#: Answers that say "nothing happened" to a reprisal question.
NEGATIVE_VALUES = frozenset(
    {"no", "none", "dont_know", "prefer_not", "prefer_not_to_say", "not_sure", "unsure", "no_answer"}
)
#: Types whose answers are never kept outside the sealed answers (free text and dates can identify).
UNCOUNTED_TYPES = frozenset({"info", "short_text", "long_text", "date", "date_range", "consent"})
MAX_PEOPLE = 1_000_000


# -- which instrument ----------------------------------------------------------------------------


def settings_for(consultation: Consultation) -> TestimonySettings | None:
    """The consultation's testimony settings row, if officials saved one."""
    return db.session.scalar(select(TestimonySettings).where(TestimonySettings.consultation_id == consultation.id))


def _instrument(key: str, territory: Territory | None) -> InstrumentRecord | None:
    owner = (
        InstrumentRecord.territory_id.is_(None) if territory is None else InstrumentRecord.territory_id == territory.id
    )
    return db.session.scalar(select(InstrumentRecord).where(owner, InstrumentRecord.key == key))


def testimony_version(consultation: Consultation) -> InstrumentVersion | None:
    """The instrument version a consultation takes testimonies with.

    Officials' choice in the settings; else the territory's own published
    remedy testimony; else the shared library's (its latest published, else
    its latest version, which is the shipped built-in definition).
    """
    settings = settings_for(consultation)
    if settings is not None and settings.instrument_version is not None:
        return settings.instrument_version
    own = _instrument(INSTRUMENT_KEY, consultation.territory)
    if own is not None and own.latest_published is not None:
        return own.latest_published
    library = _instrument(INSTRUMENT_KEY, None)
    if library is None:
        return None
    return library.latest_published or library.latest_version


def is_cso_account(user: Any) -> bool:
    """True for a logged-in user of a civil-society organisation."""
    organisation = getattr(user, "organisation", None) if getattr(user, "is_authenticated", False) else None
    return organisation is not None and organisation.kind == OrganisationKind.CSO


# -- drafts --------------------------------------------------------------------------------------


def _expiry() -> datetime:
    # Rounded up to the hour: the row should not tell when the person started.
    later = utcnow() + DRAFT_LIFETIME
    return later.replace(minute=0, second=0, microsecond=0) + timedelta(hours=1)


def start_draft(
    consultation: Consultation, version: InstrumentVersion, lang: str, organisation: Organisation | None = None
) -> tuple[TestimonyDraft, str]:
    """A new empty draft and the token that finds it (give the token to the browser, nothing else)."""
    token = new_token()
    draft = TestimonyDraft(
        consultation_id=consultation.id,
        organisation_id=organisation.id if organisation else None,
        instrument_version_id=version.id,
        token_hash=hash_token(token),
        language=lang,
        expires_at=_expiry(),
    )
    db.session.add(draft)
    db.session.flush()
    vault.seal(draft, "sealed_state", {"answers": {}, "cso": None})
    db.session.flush()
    return draft, token


def find_draft(
    consultation: Consultation, token: str | None, organisation: Organisation | None = None
) -> TestimonyDraft | None:
    """The live draft of ``consultation`` that ``token`` opens, for the same organisation (or none)."""
    if not token:
        return None
    draft = db.session.scalar(select(TestimonyDraft).where(TestimonyDraft.token_hash == hash_token(token)))
    if draft is None or draft.consultation_id != consultation.id:
        return None
    if draft.organisation_id != (organisation.id if organisation else None):
        return None
    if draft.expires_at < utcnow():
        db.session.delete(draft)
        db.session.flush()
        return None
    return draft


def draft_state(draft: TestimonyDraft) -> dict[str, Any]:
    """What the draft holds: ``{"answers": {...}, "cso": {...} | None}`` (the person's own, not audited)."""
    state = vault.unseal(draft, "sealed_state") or {}
    state.setdefault("answers", {})
    state.setdefault("cso", None)
    return state


def save_draft(draft: TestimonyDraft, state: Mapping[str, Any], lang: str | None = None) -> None:
    """Seal ``state`` into the draft and keep it alive a while longer."""
    vault.seal(draft, "sealed_state", dict(state))
    if lang:
        draft.language = lang
    draft.expires_at = _expiry()
    db.session.flush()


def discard_draft(draft: TestimonyDraft) -> None:
    """Delete a draft (the person chose to leave without sending)."""
    db.session.delete(draft)
    db.session.flush()


def delete_expired_drafts() -> int:
    """Delete every expired draft; returns how many."""
    result = db.session.execute(delete(TestimonyDraft).where(TestimonyDraft.expires_at < utcnow()))
    db.session.flush()
    return result.rowcount or 0


# -- reading answers -----------------------------------------------------------------------------


def _is_affirmative(value: Any) -> bool:
    if value is None or value == "" or value == [] or value is False:
        return False
    if isinstance(value, (list, tuple)):
        return any(_is_affirmative(v) for v in value)
    if isinstance(value, dict):
        return any(_is_affirmative(v) for v in value.values())
    if isinstance(value, (int, float)):
        return value > 0
    return str(value) not in NEGATIVE_VALUES


def reprisals_reported(instrument: Instrument, answers: Mapping[str, Any]) -> bool:
    """True when the person reached the instrument's safe path (reprisals or threats reported).

    The safe path is made of questions flagged ``safe_path``: an information
    text counts as soon as it is shown (its page and condition hold, as for
    the remedy testimony's "did anyone punish or threaten you? → yes"); a
    question counts when its answer is other than "no", "none" or "prefer not".
    """
    counted = on_path(instrument, answers)
    for page in path_pages(instrument, counted):
        for question in visible_questions(instrument, page, counted):
            if not question.has_flag("safe_path"):
                continue
            if question.type == "info" or _is_affirmative(counted.get(question.key)):
                return True
    return False


def on_path(instrument: Instrument, answers: Mapping[str, Any]) -> dict[str, Any]:
    """Only the answers that count (on the respondent's path)."""
    return on_path_answers(instrument, answers)


def shows_safe_path(instrument: Instrument, page_key: str, answers: Mapping[str, Any]) -> bool:
    """True when the page about to be shown holds a visible ``safe_path`` question."""
    page = instrument.page(page_key)
    return any(q.has_flag("safe_path") for q in visible_questions(instrument, page, answers))


def severity_of(instrument: Instrument, answers: Mapping[str, Any]) -> int | None:
    """The highest ``max(scale, scope, irremediability)`` among severity answers."""
    found = []
    for question in instrument.questions:
        value = answers.get(question.key)
        if question.type == "severity" and isinstance(value, Mapping):
            parts = [value.get(p) for p in ("scale", "scope", "irremediability")]
            numbers = [int(p) for p in parts if isinstance(p, (int, float)) and not isinstance(p, bool)]
            if numbers:
                found.append(max(numbers))
    return max(found) if found else None


def _for_whom_question(instrument: Instrument) -> Question | None:
    codes = {o.value for o in OnBehalfOf}
    return next((q for q in instrument.questions if q.type == "single_choice" and codes <= set(q.option_values)), None)


def on_behalf_from_answers(instrument: Instrument, answers: Mapping[str, Any]) -> tuple[OnBehalfOf | None, int | None]:
    """For whom the testimony speaks and for how many people, from the instrument's "for whom" page.

    The "for whom" question is the single choice offering ``self``, ``family``
    and ``community``; the count is a number question on the same page.
    """
    question = _for_whom_question(instrument)
    if question is None:
        return None, None
    value = answers.get(question.key)
    behalf = OnBehalfOf(value) if value in OnBehalfOf._value2member_map_ else None
    count = None
    for other in instrument.page(question.page_key).questions:
        number = answers.get(other.key)
        if other.type == "number" and isinstance(number, (int, float)) and not isinstance(number, bool):
            count = int(number) if 0 < number <= MAX_PEOPLE else None
    return behalf, count


def _count_question(instrument: Instrument, behalf: Question) -> Question | None:
    return next((q for q in instrument.page(behalf.page_key).questions if q.type == "number"), None)


def _mechanism_questions(instrument: Instrument) -> tuple[Question | None, Question | None]:
    """The "where did you complain" multiple choice and the "main place" single choice (by concept)."""
    used = next((q for q in instrument.questions if q.concept == "mechanism" and q.type == "multiple_choice"), None)
    main = next((q for q in instrument.questions if q.concept == "main_mechanism" and q.type == "single_choice"), None)
    return used, main


def chosen_mechanisms(instrument: Instrument, answers: Mapping[str, Any]) -> list[str]:
    """The main-place options the person ticked among the places they complained (in the main question's order)."""
    used, main = _mechanism_questions(instrument)
    if used is None or main is None:
        return []
    ticked = answers.get(used.key)
    ticked = {ticked} if isinstance(ticked, str) else set(ticked or ())
    return [value for value in main.option_values if value in ticked]


def derived_answers(
    instrument: Instrument, answers: Mapping[str, Any], cso: Mapping[str, Any] | None = None
) -> dict[str, Any]:
    """Answers the form records without asking them: ``{question key: value}``, ``None`` meaning "no answer".

    A CSO already said who it happened to and for how many people: the
    instrument's "who did it happen to" and its count take those values and
    are not asked again. When the person ticked a single place where they
    complained, that place is the main one (nothing to choose).
    """
    derived: dict[str, Any] = {}
    behalf = _for_whom_question(instrument)
    if cso and behalf is not None:
        derived[behalf.key] = cso.get("on_behalf_of")
        count = _count_question(instrument, behalf)
        if count is not None:
            derived[count.key] = cso.get("people_count")
    _used, main = _mechanism_questions(instrument)
    chosen = chosen_mechanisms(instrument, answers)
    if main is not None and len(chosen) == 1:
        derived[main.key] = chosen[0]
    return derived


def with_derived(
    instrument: Instrument, answers: Mapping[str, Any], cso: Mapping[str, Any] | None = None, *, drop_stale: bool = True
) -> dict[str, Any]:
    """``answers`` with the derived ones set (see ``derived_answers``).

    With ``drop_stale``, a main place that is no longer among the places
    ticked is removed, so that it is asked again among the right ones.
    """
    result = dict(answers)
    for key, value in derived_answers(instrument, answers, cso).items():
        if value is None:
            result.pop(key, None)
        else:
            result[key] = value
    _used, main = _mechanism_questions(instrument)
    if drop_stale and main is not None and result.get(main.key) not in (None, *chosen_mechanisms(instrument, result)):
        result.pop(main.key, None)
    return result


def page_as_asked(
    instrument: Instrument, page: Page, answers: Mapping[str, Any], cso: Mapping[str, Any] | None = None
) -> Page:
    """``page`` as the person sees it: without derived questions, the main place offering only those ticked."""
    derived = derived_answers(instrument, answers, cso)
    _used, main = _mechanism_questions(instrument)
    chosen = set(chosen_mechanisms(instrument, answers))
    questions = []
    for question in page.questions:
        if question.key in derived:
            continue
        if main is not None and question.key == main.key:
            question = replace(question, options=tuple(o for o in question.options if o.value in chosen))
        questions.append(question)
    return replace(page, questions=tuple(questions))


def asks_something(
    instrument: Instrument, page: Page, answers: Mapping[str, Any], cso: Mapping[str, Any] | None = None
) -> bool:
    """Whether ``page`` has anything left to show once derived questions are taken out."""
    return bool(visible_questions(instrument, page_as_asked(instrument, page, answers, cso), answers))


def steps_for(instrument: Instrument, answers: Mapping[str, Any], cso: Mapping[str, Any] | None = None) -> Steps:
    """The testimony form's path (``consult.surveys.steps``): a page whose every question is derived is passed."""
    return steps(instrument, answers, shows=lambda page: asks_something(instrument, page, answers, cso))


def group_from_answers(
    instrument: Instrument, answers: Mapping[str, Any], asked: Iterable[str] | None = None
) -> str | None:
    """The stakeholder group the testimony is about: the answer to the first ``stakeholder_group`` question asked.

    Found by type, not by key, so a territory's own testimony form works too.
    ``asked`` is ``asked_keys(instrument, answers)`` when the caller has it
    (computed here otherwise); a first such question left blank gives ``None``.
    """
    shown = set(asked_keys(instrument, answers) if asked is None else asked)
    for question in instrument.questions:
        if question.type == "stakeholder_group" and question.key in shown:
            value = answers.get(question.key)
            return value if isinstance(value, str) and value else None
    return None


def _is_counted(question: Question) -> bool:
    return question.type not in UNCOUNTED_TYPES and not question.has_flag("identifying")


def structured_rows(instrument: Instrument, answers: Mapping[str, Any]) -> Iterable[dict[str, Any]]:
    """The non-identifying answer values to count: choices, scales, numbers, severity, UNGP 31, places.

    Free text (including "other, please specify"), dates and consent answers
    are left out: they stay in the sealed answers only.
    """
    for key, value in answers.items():
        if not instrument.has_question(key):
            continue
        question = instrument.question(key)
        if not _is_counted(question):
            continue
        for row in question_type(question.type).to_rows(question, value):
            option = row.option
            if option is None and question.type == "territory" and row.part == "area" and row.text:
                # An area is a place name, not free text; these rows have no text column: its short code.
                option = area_code(row.text)
            if option is None and row.number is None:
                continue
            yield {"question_key": key, "part": row.part, "option": option, "number": row.number}


# -- sending -------------------------------------------------------------------------------------


@dataclass
class Sent:
    """What sending did: the testimony, and the receipt code when it was made now (shown once)."""

    testimony: Testimony
    receipt_code: str | None
    already_sent: bool = False


def submit_draft(draft: TestimonyDraft, token: str, *, lang: str, actor: Actor = Actor.SUBMITTER) -> Sent:
    """Turn a draft into a testimony, atomically; a repeated send returns the first one."""
    submission_key = hash_token("testimony-submit:" + token)
    existing = db.session.scalar(select(Testimony).where(Testimony.submission_key == submission_key))
    if existing is not None:
        return Sent(existing, None, already_sent=True)
    version = db.session.get(InstrumentVersion, draft.instrument_version_id)
    instrument = version.parsed()
    state = draft_state(draft)
    cso = state.get("cso") or None
    # What was asked once is recorded everywhere it is read (see ``derived_answers``).
    answers = on_path(instrument, with_derived(instrument, state["answers"], cso, drop_stale=False))
    if draft.organisation_id is not None and not cso:
        raise TestimonyError(_l("Say first on whose behalf you are sending this testimony."))
    consultation = db.session.get(Consultation, draft.consultation_id)
    code = new_code()
    asked = asked_keys(instrument, answers)
    testimony = Testimony(
        consultation_id=consultation.id,
        territory_id=consultation.territory_id,
        instrument_version_id=version.id,
        organisation_id=draft.organisation_id,
        language=lang,
        receipt_code_hash=hash_code(code),
        submission_key=submission_key,
        submitted_on=utctoday(),
        severity=severity_of(instrument, answers),
        is_urgent=reprisals_reported(instrument, answers),
        group_code=group_from_answers(instrument, answers, asked),
        # What the path finder showed: the base of every share in analysis.
        asked_set_id=asked_set_id(version.id, asked),
    )
    if cso:
        testimony.on_behalf_of = OnBehalfOf(cso["on_behalf_of"])
        testimony.people_count = cso.get("people_count")
    else:
        testimony.on_behalf_of, testimony.people_count = on_behalf_from_answers(instrument, answers)
    try:
        with db.session.begin_nested():
            db.session.add(testimony)
            db.session.flush()
    except IntegrityError:
        # Another request sent the same draft a moment ago.
        existing = db.session.scalar(select(Testimony).where(Testimony.submission_key == submission_key))
        return Sent(existing, None, already_sent=True)
    vault.seal(testimony, "sealed_answers", answers)
    # Spoken accounts go with the testimony, re-sealed for it (before the draft is deleted).
    from consult.testimonies import recordings

    recordings.attach_to_testimony(draft, testimony)
    if cso and cso.get("notes"):
        vault.seal(testimony, "sealed_notes", cso["notes"])
    granted = consent_answers(instrument, answers)
    record_consents(
        testimony,
        granted,
        lang=lang,
        actor=Actor.CSO if draft.organisation_id else actor,
        authority=state.get("authority") if ConsentUse.SHARE_AUTHORITIES in granted else None,
    )
    if ConsentUse.AGGREGATE in granted:
        for row in structured_rows(instrument, answers):
            db.session.add(TestimonyAnswer(testimony_id=testimony.id, **row))
    freeze_version(version)
    db.session.delete(draft)
    db.session.flush()
    return Sent(testimony, code)


def check_people_count(value: Any) -> int | None:
    """A people count as typed, checked (a positive whole number), or ``None``."""
    if value in (None, ""):
        return None
    try:
        number = int(str(value).strip())
    except ValueError:
        raise TestimonyError(_l("Enter a whole number, for example 12."), "people_count") from None
    if number < 1 or number > MAX_PEOPLE:
        raise TestimonyError(_l("Enter a number between 1 and %(n)d.", n=MAX_PEOPLE), "people_count")
    return number
