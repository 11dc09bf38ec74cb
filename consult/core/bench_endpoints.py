"""Bench-only endpoints: the answering flow's database writes, request for request, with nothing else.

The ingest benchmark (``bench/bench_ingest.py``) compares the real answering flow with these on the
same server and database. Each does the writes of one kind of real request and no validation, CSRF,
session, permission check or rendering:

``POST /bench/draft``                 a draft row inserted (the real "start")
``GET  /bench/draft/<id>``            the draft read back (a real page GET reads its draft)
``POST /bench/draft/<id>``            the draft's answers and page updated (a real page POST)
``POST /bench/draft/<id>/send?rows=N`` one response and N answer rows inserted, the draft deleted,
                                      in one transaction (the real "send")

They write without asking anyone, so they exist only when ``CONSULT_BENCH_ENDPOINTS=1`` is in the
environment of the process (the benchmark's own server): never set it where people answer.
"""

from __future__ import annotations

import os
import secrets
import sys
from datetime import timedelta

from flask import Blueprint, Flask, request
from sqlalchemy import delete, insert, select, update

from consult.core.access import public_view
from consult.core.db import utcnow, utctoday

bp = Blueprint("bench", __name__, url_prefix="/bench")


def _models():
    # Core sits below responses: the models are reached only when a bench request runs.
    from consult.responses.models import Answer, Consultation, ConsultationGroup, Response, ResponseDraft

    return Answer, Consultation, ConsultationGroup, Response, ResponseDraft


def _db():
    from consult.extensions import db

    return db


@bp.post("/draft")
@public_view
def start():
    """Insert a draft for the first consultation's first group; answer its id."""
    _, Consultation, ConsultationGroup, _, ResponseDraft = _models()
    db = _db()
    consultation_id = request.args.get("consultation", type=int) or db.session.scalar(
        select(Consultation.id).order_by(Consultation.id)
    )
    group = db.session.execute(
        select(ConsultationGroup.group_code, ConsultationGroup.instrument_version_id)
        .where(ConsultationGroup.consultation_id == consultation_id)
        .order_by(ConsultationGroup.id)
    ).first()
    draft_id = db.session.execute(
        insert(ResponseDraft).returning(ResponseDraft.id),
        [
            {
                "consultation_id": consultation_id,
                "group_code": group.group_code,
                "instrument_version_id": group.instrument_version_id,
                "resume_code_hash": secrets.token_hex(32),
                "submission_token": secrets.token_urlsafe(32),
                "language": "es",
                "answers": {},
                "expires_at": utcnow() + timedelta(days=30),
            }
        ],
    ).scalar_one()
    db.session.commit()
    return str(draft_id), 201


@bp.get("/draft/<int:draft_id>")
@public_view
def read(draft_id: int):
    """Read the draft's answers (what a page GET reads)."""
    *_, ResponseDraft = _models()
    answers = _db().session.scalar(select(ResponseDraft.answers).where(ResponseDraft.id == draft_id))
    return ("", 204) if answers is not None else ("", 404)


@bp.post("/draft/<int:draft_id>")
@public_view
def save(draft_id: int):
    """Add one answer to the draft and move its page (what a page POST writes)."""
    *_, ResponseDraft = _models()
    db = _db()
    answers = db.session.scalar(select(ResponseDraft.answers).where(ResponseDraft.id == draft_id)) or {}
    page = f"P{len(answers)}"
    db.session.execute(
        update(ResponseDraft)
        .where(ResponseDraft.id == draft_id)
        .values(answers={**answers, page: "x"}, page_key=page, expires_at=utcnow() + timedelta(days=30))
    )
    db.session.commit()
    return "", 204


@bp.post("/draft/<int:draft_id>/send")
@public_view
def send(draft_id: int):
    """One response with ``rows`` answer rows, the draft deleted, one transaction; answer the response id."""
    Answer, _, _, Response, ResponseDraft = _models()
    db = _db()
    rows = request.args.get("rows", 25, type=int)
    draft = db.session.execute(
        select(ResponseDraft.consultation_id, ResponseDraft.group_code, ResponseDraft.instrument_version_id).where(
            ResponseDraft.id == draft_id
        )
    ).first()
    if draft is None:
        return "", 404
    response_id = db.session.execute(
        insert(Response).returning(Response.id),
        [
            {
                "consultation_id": draft.consultation_id,
                "instrument_version_id": draft.instrument_version_id,
                "group_code": draft.group_code,
                "language": "es",
                "submitted_on": utctoday(),
                "submission_key": secrets.token_hex(32),
                "receipt_code_hash": secrets.token_hex(32),
            }
        ],
    ).scalar_one()
    db.session.execute(
        insert(Answer), [{"response_id": response_id, "question_key": f"Q{i}", "option": "x"} for i in range(rows)]
    )
    db.session.execute(delete(ResponseDraft).where(ResponseDraft.id == draft_id))
    db.session.commit()
    return str(response_id), 201


def init_app(app: Flask) -> None:
    """Register the bench endpoints, only when ``CONSULT_BENCH_ENDPOINTS=1`` (or the config says so)."""
    if not (os.environ.get("CONSULT_BENCH_ENDPOINTS") == "1" or app.config.get("CONSULT_BENCH_ENDPOINTS")):
        return
    print("consult: CONSULT_BENCH_ENDPOINTS=1: bench-only write endpoints under /bench/ are open", file=sys.stderr)
    from consult.extensions import csrf

    csrf.exempt(bp)
    app.register_blueprint(bp)
