"""Storing responses that do not come through the public answering flow: assisted entry, bulk import, the demo.

The storage path is the one a sent draft takes (``sending.py``): only the
answers that count on the instrument's path are kept, and each question type
turns its answer into ``Answer`` rows with its own ``to_rows``
(``sending.answer_rows``). What differs is where the identity of the response
comes from: a submission key that makes a retried "save" harmless (assisted
entry) or refuses a submission imported twice (bulk import), and a receipt
code that is handed to the person who answered (assisted entry) or that nobody
holds (paper forms, imports, the demo): the database needs one either way.
Like a sent draft, each response records the questions its path showed
(``consult.surveys.asked``): the base of every share in analysis.

``store_many`` writes many responses at once: the responses through the ORM
(one batched INSERT with RETURNING on SQLite and PostgreSQL alike), then every
answer row in one executemany, inside the caller's transaction.
"""

from __future__ import annotations

import secrets
from dataclasses import dataclass, field
from datetime import date
from typing import Any

from sqlalchemy import insert, select

from consult.accounts.models import Locality
from consult.core.codes import hash_code, hash_token
from consult.core.db import utctoday
from consult.extensions import db
from consult.responses.models import Answer, Consultation, EntryMode, Response
from consult.responses.sending import answer_rows, receipt_code_for
from consult.surveys.asked import asked_set_for
from consult.surveys.engine import Instrument
from consult.surveys.models import InstrumentVersion
from consult.surveys.paths import on_path_answers


@dataclass
class NewResponse:
    """A response about to be stored: who answered as what, how, and the answers (``{key: value}``)."""

    version: InstrumentVersion
    group_code: str
    language: str
    entry_mode: EntryMode
    answers: dict[str, Any]
    submission_key: str
    receipt_code_hash: str
    locality_id: int | None = None
    organisation_id: int | None = None
    invitation_id: int | None = None
    is_collective: bool = False
    mandate_reference: str | None = None
    people_represented: int | None = None
    submitted_on: date | None = None
    #: Filled by ``store_many``.
    instrument: Instrument | None = field(default=None, repr=False)


def unheld_keys() -> tuple[str, str]:
    """A submission key and a receipt-code hash for a response whose receipt code nobody is given."""
    token = secrets.token_urlsafe(32)
    return hash_token(token), hash_code(receipt_code_for(token))


def keys_for_token(token: str) -> tuple[str, str, str]:
    """Submission key, receipt-code hash and the receipt code itself for a form's random ``token``.

    The code is derived as for a sent draft, so a retried save shows the same code.
    """
    code = receipt_code_for(token)
    return hash_token(token), hash_code(code), code


def locality_codes(consultation: Consultation) -> dict[str, int]:
    """The territory's locality ids by code."""
    rows = db.session.execute(
        select(Locality.code, Locality.id).where(Locality.territory_id == consultation.territory_id)
    )
    return {code: locality_id for code, locality_id in rows}


def locality_from_answers(instrument: Instrument, answers: dict[str, Any], codes: dict[str, int]) -> int | None:
    """The locality the first territory question names, as an id (``None`` when none is named)."""
    for question in instrument.questions:
        value = answers.get(question.key)
        if question.type == "territory" and isinstance(value, dict) and value.get("locality"):
            return codes.get(str(value["locality"]))
    return None


def _response(consultation: Consultation, item: NewResponse) -> Response:
    return Response(
        consultation_id=consultation.id,
        instrument_version_id=item.version.id,
        group_code=item.group_code,
        locality_id=item.locality_id,
        language=item.language,
        entry_mode=item.entry_mode,
        invitation_id=item.invitation_id,
        organisation_id=item.organisation_id,
        is_collective=item.is_collective,
        mandate_reference=item.mandate_reference if item.is_collective else None,
        people_represented=item.people_represented if item.is_collective else None,
        submitted_on=item.submitted_on or utctoday(),
        submission_key=item.submission_key,
        receipt_code_hash=item.receipt_code_hash,
        is_set_aside=False,
        asked_set_id=asked_set_for(item.version.id, item.instrument, item.answers),
    )


def _instrument(item: NewResponse, cache: dict[int, Instrument]) -> Instrument:
    if item.instrument is None:
        if item.version.id not in cache:
            cache[item.version.id] = item.version.parsed()
        item.instrument = cache[item.version.id]
    return item.instrument


def store_response(consultation: Consultation, item: NewResponse) -> Response:
    """Store one response with its answer rows; flushes (the caller commits)."""
    instrument = _instrument(item, {})
    if item.locality_id is None:
        item.locality_id = locality_from_answers(
            instrument, answer_values(instrument, item.answers), locality_codes(consultation)
        )
    response = _response(consultation, item)
    db.session.add(response)
    db.session.flush()
    response.answers.extend(answer_rows(instrument, item.answers))
    db.session.flush()
    return response


def answer_values(instrument: Instrument, answers: dict[str, Any]) -> dict[str, Any]:
    """The answers that count on the path (what ``answer_rows`` will store)."""
    return on_path_answers(instrument, answers)


def store_many(consultation: Consultation, items: list[NewResponse]) -> int:
    """Store many responses and their answer rows in bulk; flushes (the caller commits). Returns how many."""
    if not items:
        return 0
    cache: dict[int, Instrument] = {}
    codes = locality_codes(consultation)
    responses = []
    for item in items:
        instrument = _instrument(item, cache)
        if item.locality_id is None:
            item.locality_id = locality_from_answers(instrument, answer_values(instrument, item.answers), codes)
        responses.append(_response(consultation, item))
    db.session.add_all(responses)
    db.session.flush()
    rows = []
    for response, item in zip(responses, items):
        for row in answer_rows(item.instrument, item.answers):
            rows.append(
                {
                    "response_id": response.id,
                    "question_key": row.question_key,
                    "part": row.part,
                    "option": row.option,
                    "number": row.number,
                    "text": row.text,
                }
            )
    if rows:
        db.session.execute(insert(Answer), rows)
    return len(responses)
