"""Sending a draft: one response, exactly once, never half stored; receipts.

Idempotence. A draft carries a random submission token that the review page
sends back with "send". The response stores the token's hash under a unique
constraint and is written first in the transaction, so a second "send" of the
same draft (a double click, a refresh, a retry after a dropped connection, two
requests at once) either finds the stored response or fails on the constraint
before anything else is written; its transaction is rolled back and the
stored response is returned instead.

Receipt codes. The receipt code is derived from the submission token with an
HMAC keyed by the application secret, and stored only as a hash. The server
keeps neither the code nor the token (the draft is deleted on sending), yet a
retried "send" from the person's own page, which still holds the token, shows
them the same code: the person who lost the answer page on a dropped
connection still gets their receipt, and nobody else can.
"""

from __future__ import annotations

import hashlib
import hmac
from collections.abc import Iterable
from dataclasses import dataclass
from typing import Any

from flask import current_app
from flask_babel import lazy_gettext as _l
from sqlalchemy import insert, select
from sqlalchemy.exc import IntegrityError

from consult.accounts.models import Locality
from consult.core.codes import ALPHABET, hash_code, hash_token
from consult.core.db import utctoday
from consult.extensions import db
from consult.responses.drafts import find_by_token, version_of
from consult.responses.invitations import claim_use
from consult.responses.models import Answer, Consultation, Response
from consult.responses.services import ConsultationError
from consult.surveys.asked import asked_set_for
from consult.surveys.engine import Instrument, Page, Question
from consult.surveys.paths import on_path_answers
from consult.surveys.paths import shown as shown_path
from consult.surveys.rules import is_answered
from consult.surveys.types import question_type

RECEIPT_CODE_LENGTH = 16


@dataclass(frozen=True)
class Missing:
    """A required question without an answer, and the page to answer it on."""

    question: Question
    page: Page


@dataclass(frozen=True)
class Sent:
    """The outcome of sending: the response, its receipt code, and whether this call stored it."""

    response: Response
    receipt_code: str
    created: bool


def receipt_code_for(token: str) -> str:
    """The receipt code of the response sent with ``token`` (see the module docstring)."""
    secret = current_app.config["SECRET_KEY"].encode("utf-8")
    digest = hmac.new(secret, b"receipt:" + token.encode("utf-8"), hashlib.sha256).digest()
    symbols = "".join(ALPHABET[b % 32] for b in digest[:RECEIPT_CODE_LENGTH])
    return "-".join(symbols[i : i + 4] for i in range(0, RECEIPT_CODE_LENGTH, 4))


def missing_required(instrument: Instrument, answers: dict[str, Any], spoken: Iterable[str] = ()) -> list[Missing]:
    """Required questions on the path, shown to the person, that have no answer.

    ``spoken``: questions answered by a recording instead (a long answer given by voice), which count.
    """
    spoken = frozenset(spoken)
    # One replay of the path for every page (not one per page: quadratic in the pages).
    replay = shown_path(instrument, answers)
    missing = []
    for item in replay.pages:
        for question in item.questions:
            if (
                question.required
                and question.type != "info"
                and question.key not in spoken
                and not is_answered(replay.answers.get(question.key))
            ):
                missing.append(Missing(question, item.page))
    return missing


def answer_rows(instrument: Instrument, answers: dict[str, Any]) -> list[Answer]:
    """``Answer`` rows for the answers that count (on the path), in question order."""
    counted = on_path_answers(instrument, answers)
    rows = []
    for question in instrument.questions:
        if question.key not in counted:
            continue
        for row in question_type(question.type).to_rows(question, counted[question.key]):
            rows.append(
                Answer(
                    question_key=question.key,
                    part=row.part,
                    option=row.option,
                    number=row.number,
                    text=row.text,
                )
            )
    return rows


def answers_of(instrument: Instrument, response: Response) -> dict[str, Any]:
    """A response's answers rebuilt from its rows, ``{question_key: value}``."""
    by_key: dict[str, list[Answer]] = {}
    for row in response.answers:
        by_key.setdefault(row.question_key, []).append(row)
    answers = {}
    for key, rows in by_key.items():
        if not instrument.has_question(key):
            continue
        question = instrument.question(key)
        answers[key] = question_type(question.type).from_rows(question, rows)
    return answers


def _locality_id(consultation: Consultation, instrument: Instrument, answers: dict[str, Any]) -> int | None:
    for question in instrument.questions:
        value = answers.get(question.key)
        if question.type == "territory" and isinstance(value, dict) and value.get("locality"):
            return db.session.scalar(
                select(Locality.id).where(
                    Locality.territory_id == consultation.territory_id, Locality.code == str(value["locality"])
                )
            )
    return None


def find_sent(token: str) -> Response | None:
    """The response already sent with ``token``, if any."""
    return db.session.scalar(select(Response).where(Response.submission_key == hash_token(token)))


def send(consultation: Consultation, token: str) -> Sent:
    """Turn the draft holding ``token`` into one response, or find the response it already became.

    Commits (the one place in this room that does, because the unique
    constraint decides between racing requests only at commit time on
    PostgreSQL). Raises ``ConsultationError`` when there is nothing to send or
    the response may not be accepted; nothing is stored then.
    """
    if not token or len(token) > 100:
        raise ConsultationError(_l("There is nothing to send. Your answers may have been sent already."))
    existing = find_sent(token)
    if existing is not None and existing.consultation_id == consultation.id:
        return Sent(existing, receipt_code_for(token), created=False)
    draft = find_by_token(consultation, token)
    if draft is None:
        raise ConsultationError(_l("There is nothing to send. Your answers may have been sent already."))
    if not consultation.is_accepting:
        raise ConsultationError(_l("This consultation is not accepting answers any more."))
    version = version_of(draft)
    if version is None or draft.group_code is None:
        raise ConsultationError(_l("Choose your group before sending."))
    instrument = version.parsed()
    answers = dict(draft.answers or {})
    # Answers given by voice: read once, they count for required questions and go with the response.
    from consult.responses import recordings

    held = recordings.of_draft(draft)
    if missing_required(instrument, answers, held):
        raise ConsultationError(_l("Some required questions have no answer yet."))
    code = receipt_code_for(token)
    # What the path finder showed this person: the base of every share in analysis.
    asked = asked_set_for(version.id, instrument, answers)
    response = Response(
        consultation_id=consultation.id,
        instrument_version_id=version.id,
        group_code=draft.group_code,
        locality_id=_locality_id(consultation, instrument, on_path_answers(instrument, answers)),
        language=draft.language,
        entry_mode=draft.entry_mode,
        invitation_id=draft.invitation_id,
        organisation_id=draft.organisation_id,
        is_collective=draft.is_collective,
        mandate_reference=draft.mandate_reference,
        people_represented=draft.people_represented,
        submitted_on=utctoday(),
        submission_key=hash_token(token),
        receipt_code_hash=hash_code(code),
        asked_set_id=asked,
    )
    invitation_id = draft.invitation_id
    try:
        # The response first: a second sending of the same draft stops here, on
        # the unique submission key, before it has written anything else.
        db.session.add(response)
        db.session.flush()
        # The answer rows in one executemany, not one INSERT ... RETURNING per row (nothing needs their
        # ids), and not through ``response.answers``, which would first read the (empty) collection.
        rows = [
            {
                "response_id": response.id,
                "question_key": row.question_key,
                "part": row.part,
                "option": row.option,
                "number": row.number,
                "text": row.text,
            }
            for row in answer_rows(instrument, answers)
        ]
        if rows:
            # The table, not the ORM entity: the ORM would split the rows by which columns are NULL.
            db.session.execute(insert(Answer.__table__), rows)
        if invitation_id is not None and not claim_use(invitation_id):
            db.session.rollback()
            raise ConsultationError(_l("This invitation link has been used as many times as allowed, or has expired."))
        # Answers given by voice go with the response, re-sealed for it, in this same transaction:
        # a second sending stops at the unique submission key above, so they are attached once.
        # Only those of questions this person was still asked: one left behind by a changed answer goes.
        recordings.attach_to_response(
            draft,
            response,
            lambda: {question.key for page in shown_path(instrument, answers).pages for question in page.questions},
            held=held,
        )
        db.session.delete(draft)
        db.session.commit()
    except IntegrityError:
        db.session.rollback()
        existing = find_sent(token)
        if existing is None:
            raise
        return Sent(existing, code, created=False)
    return Sent(response, code, created=True)


def find_by_receipt(consultation: Consultation, code: str | None) -> Response | None:
    """The response of ``consultation`` whose receipt code is ``code``, if any."""
    if not code or len(code) > 64:
        return None
    return db.session.scalar(
        select(Response).where(
            Response.consultation_id == consultation.id, Response.receipt_code_hash == hash_code(code)
        )
    )
