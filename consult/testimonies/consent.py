"""Consent per use: recording it with the words shown, changing it, and withdrawing a testimony.

The uses are the consent question's options (``aggregate``, ``quote``,
``publish``, ``share_authorities``). A decision is a row with the exact
wording and language the person saw and the instrument version it came from;
a change never edits a row, it adds one and marks the previous one as history.
"""

from __future__ import annotations

from typing import Any, Mapping

from flask_babel import lazy_gettext as _l
from sqlalchemy import delete

from consult.core.db import utctoday
from consult.extensions import db
from consult.surveys.engine import Instrument
from consult.testimonies import audit, vault
from consult.testimonies.errors import TestimonyError
from consult.testimonies.models import (
    Actor,
    ConsentUse,
    Testimony,
    TestimonyAddition,
    TestimonyAnswer,
    TestimonyConsent,
    TestimonyExcerpt,
    TestimonyMessage,
    TestimonyRecording,
    TestimonyStatus,
    TestimonyTheme,
)

USES = tuple(ConsentUse)


def consent_wordings(instrument: Instrument, lang: str) -> dict[ConsentUse, tuple[str, str]]:
    """The uses the instrument's consent questions offer, each with (wording, language shown)."""
    wordings: dict[ConsentUse, tuple[str, str]] = {}
    for question in instrument.questions:
        if question.type != "consent":
            continue
        for option in question.options:
            if option.value in ConsentUse._value2member_map_ and ConsentUse(option.value) not in wordings:
                wordings[ConsentUse(option.value)] = instrument.text_and_language(option.label, lang)
    return wordings


def consent_answers(instrument: Instrument, answers: Mapping[str, Any]) -> set[ConsentUse]:
    """The uses granted in the answers to the instrument's consent questions."""
    granted: set[ConsentUse] = set()
    for question in instrument.questions:
        if question.type != "consent":
            continue
        for value in answers.get(question.key) or ():
            if value in ConsentUse._value2member_map_:
                granted.add(ConsentUse(value))
    return granted


def wording_version(testimony: Testimony) -> str:
    """Which consent text the wording comes from: ``<instrument key>@<version number>``."""
    version = testimony.instrument_version
    return f"{version.instrument.key}@{version.number}"[:80]


def record_consents(
    testimony: Testimony,
    granted: set[ConsentUse],
    *,
    lang: str,
    actor: Actor,
    authority: str | None = None,
) -> list[TestimonyConsent]:
    """Record a decision for every use the instrument offers; only changed uses get a new row."""
    instrument = testimony.instrument_version.parsed()
    current = testimony.current_consents()
    made = []
    for use, (wording, shown) in consent_wordings(instrument, lang).items():
        wanted = use in granted
        named = (authority or None) if (use == ConsentUse.SHARE_AUTHORITIES and wanted) else None
        previous = current.get(use)
        if previous is not None and previous.is_granted == wanted and previous.authority == named:
            continue
        if previous is not None:
            previous.is_current = False
        record = TestimonyConsent(
            testimony=testimony,
            use=use,
            is_granted=wanted,
            authority=named[:200] if named else None,
            wording=wording,
            language=shown,
            wording_version=wording_version(testimony),
            changed_on=utctoday(),
            changed_by=actor,
            is_current=True,
        )
        db.session.add(record)
        made.append(record)
    db.session.flush()
    return made


def refresh_aggregate_rows(testimony: Testimony, *, actor: Actor = Actor.SYSTEM) -> None:
    """Keep the structured answer rows exactly when aggregate use is allowed."""
    from consult.testimonies.intake import structured_rows  # here: intake imports this module

    db.session.execute(delete(TestimonyAnswer).where(TestimonyAnswer.testimony_id == testimony.id))
    db.session.expire(testimony, ["answers"])
    if not testimony.allows(ConsentUse.AGGREGATE) or testimony.sealed_answers is None:
        db.session.flush()
        return
    # The rows are rebuilt from the sealed answers: a decryption, so it is audited.
    audit.record(testimony, "consent.aggregate_rows", actor)
    answers = vault.unseal(testimony, "sealed_answers") or {}
    instrument = testimony.instrument_version.parsed()
    for row in structured_rows(instrument, answers):
        db.session.add(TestimonyAnswer(testimony_id=testimony.id, **row))
    db.session.flush()


def change_consent(
    testimony: Testimony, granted: set[ConsentUse], *, lang: str, actor: Actor, authority: str | None = None
) -> list[TestimonyConsent]:
    """The submitter (or the CSO) changes which uses they allow; effects follow at once."""
    if testimony.is_closed:
        raise TestimonyError(_l("This testimony has been withdrawn or deleted; there is nothing left to change."))
    if ConsentUse.SHARE_AUTHORITIES in granted and not authority:
        raise TestimonyError(_l("Choose the authority it may be shared with."), "authority")
    had_aggregate = testimony.allows(ConsentUse.AGGREGATE)
    made = record_consents(testimony, granted, lang=lang, actor=actor, authority=authority)
    if had_aggregate != testimony.allows(ConsentUse.AGGREGATE):
        refresh_aggregate_rows(testimony)
    return made


def erase_content(testimony: Testimony, *, keep_counts: bool = False) -> None:
    """Delete what was written: sealed answers and notes, additions, messages and excerpts.

    The structured answer rows and theme tags go too, unless ``keep_counts``
    (retention purge: they hold no text and the analysis already rests on them).
    """
    vault.wipe(testimony)
    testimony.key_id = None
    # A recording is content even for a retention purge: it goes with the text.
    models = [TestimonyExcerpt, TestimonyMessage, TestimonyAddition, TestimonyRecording]
    if not keep_counts:
        models += [TestimonyAnswer, TestimonyTheme]
    for model in models:
        db.session.execute(delete(model).where(model.testimony_id == testimony.id))
    db.session.expire(testimony, ["answers", "themes", "excerpts", "messages", "additions"])


def withdraw(testimony: Testimony, *, lang: str, actor: Actor) -> None:
    """Withdraw a testimony: every use refused, its content deleted now, excluded from all later use."""
    if testimony.status == TestimonyStatus.WITHDRAWN:
        return
    record_consents(testimony, set(), lang=lang, actor=actor)
    erase_content(testimony)
    testimony.status = TestimonyStatus.WITHDRAWN
    testimony.withdrawn_on = utctoday()
    db.session.flush()
