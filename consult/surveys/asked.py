"""What a person was asked: the questions the path finder showed them, recorded once per distinct set.

A share's base is the people who were *asked* a question: it was on a page of
their path and shown by its own ``when``. Not everyone (a skipped page asked
nothing), and not only those who answered (an optional question left blank
was still asked). That is recorded when a response or a testimony is stored,
from the same replay the answering flow used, rather than re-derived at
analysis time from answers that may since have been reinterpreted.

An instrument version has few distinct paths, so each distinct set of keys is
one ``AskedSet`` row with its ``AskedSetQuestion`` rows, and each response
points at its set: counting "asked" per question and group is
``responses JOIN asked_set_questions GROUP BY question_key, group_code``.

Sets are found again by ``(instrument_version_id, digest)``. The ids are kept
per application and process once the transaction that found or made them has
committed (an id from a rolled-back transaction would point at nothing), so
the sending path asks the database nothing after the first time.
"""

from __future__ import annotations

import hashlib
from collections.abc import Iterable, Mapping
from typing import Any

from flask import current_app
from sqlalchemy import event, select
from sqlalchemy.exc import IntegrityError
from sqlalchemy.orm import Session

from consult.extensions import db
from consult.surveys.engine import Instrument
from consult.surveys.models import AskedSet, AskedSetQuestion
from consult.surveys.paths import on_path_answers, path_pages, visible_questions, walk
from consult.surveys.rules import evaluate, is_answered

#: Where committed ids are kept: ``app.extensions[CACHE]`` = {(version_id, digest): asked_set_id}.
CACHE = "consult_asked_sets"
#: Ids found or made in the session's current transaction, kept once it commits.
_PENDING = "consult_asked_sets_pending"
#: Beyond this many entries the cache starts afresh (a few paths per version make it tiny in practice).
CACHE_LIMIT = 10_000


def asked_keys(instrument: Instrument, answers: Mapping[str, Any]) -> tuple[str, ...]:
    """The keys of the questions shown for ``answers``, in instrument order (information texts left out).

    A question is asked when its page is on the path and its own ``when``
    holds against the answers that count, exactly as the answering flow and
    the review page decide with ``path_pages`` and ``visible_questions``
    (``shown_by_pages`` spells that out; a test holds the two equal). This is
    one replay instead of one per page: it runs for every response stored.
    """
    replay = walk(instrument, answers)
    counted = replay.answers
    known: dict[str, Any] = {}
    keys = []
    # Pages on the path come in instrument order, so ``known`` holds exactly what
    # ``visible_questions`` sees: counted answers of earlier questions.
    for page in replay.pages:
        for question in page.questions:
            if evaluate(question.when, known):
                if question.type != "info":
                    keys.append(question.key)
                if is_answered(counted.get(question.key)):
                    known[question.key] = counted[question.key]
    return tuple(keys)


def shown_by_pages(instrument: Instrument, answers: Mapping[str, Any]) -> tuple[str, ...]:
    """``asked_keys`` computed page by page with the path finder's public functions (slower; the reference)."""
    counted = on_path_answers(instrument, answers)
    keys = []
    for page in path_pages(instrument, counted):
        keys.extend(q.key for q in visible_questions(instrument, page, counted) if q.type != "info")
    return tuple(keys)


def digest_of(keys: Iterable[str]) -> str:
    """sha256 (hex) of the keys joined: what finds a set again."""
    return hashlib.sha256("\n".join(keys).encode("utf-8")).hexdigest()


def _cache() -> dict[tuple[int, str], int]:
    return current_app.extensions.setdefault(CACHE, {})


def asked_set_id(version_id: int, keys: Iterable[str]) -> int:
    """The id of the ``AskedSet`` of ``keys`` for an instrument version, made if new; flushes.

    Race-safe: two requests making the same new set at once meet on the unique
    constraint, and the loser reads the winner's row.
    """
    keys = tuple(keys)
    key = (version_id, digest_of(keys))
    known = _cache().get(key)
    if known is not None:
        return known
    pending = db.session.info.setdefault(_PENDING, {})
    if key in pending:
        return pending[key]
    found = _find(key)
    if found is None:
        try:
            with db.session.begin_nested():
                made = AskedSet(instrument_version_id=version_id, digest=key[1])
                made.questions = [AskedSetQuestion(question_key=k) for k in dict.fromkeys(keys)]
                db.session.add(made)
            found = made.id
        except IntegrityError:
            found = _find(key)
            if found is None:
                raise
    # Re-read: a rollback in between may have emptied the session's dict.
    db.session.info.setdefault(_PENDING, {})[key] = found
    return found


def _find(key: tuple[int, str]) -> int | None:
    return db.session.scalar(
        select(AskedSet.id).where(AskedSet.instrument_version_id == key[0], AskedSet.digest == key[1])
    )


def asked_set_for(version_id: int, instrument: Instrument, answers: Mapping[str, Any]) -> int:
    """``asked_set_id`` of the questions ``answers`` were shown (``asked_keys``)."""
    return asked_set_id(version_id, asked_keys(instrument, answers))


def keys_of(asked_set_id_: int) -> set[str]:
    """The question keys of one asked set."""
    return set(
        db.session.scalars(select(AskedSetQuestion.question_key).where(AskedSetQuestion.asked_set_id == asked_set_id_))
    )


@event.listens_for(Session, "after_commit")
def _keep_committed(session: Session) -> None:
    pending = session.info.pop(_PENDING, None)
    if not pending:
        return
    try:
        cache = _cache()
    except RuntimeError:  # no application context: nothing to keep them in
        return
    if len(cache) + len(pending) > CACHE_LIMIT:
        cache.clear()
    cache.update(pending)


@event.listens_for(Session, "after_rollback")
@event.listens_for(Session, "after_soft_rollback")
def _forget_uncommitted(session: Session, *args: Any) -> None:
    # A rollback (even of a savepoint) may have undone a set made in this transaction.
    session.info.pop(_PENDING, None)
