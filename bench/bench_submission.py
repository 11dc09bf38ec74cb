"""Sending a response through the real endpoint against a bare insert of the same rows.

The full path (POST /c/<slug>/send) finds the draft, replays the instrument's
path, turns answers into rows through each question type, claims the
invitation use, stores response and answers in one transaction and deletes the
draft. The baseline inserts a response row and the same number of answer rows
with two plain INSERT statements on the same database, in the same server.
"""

from __future__ import annotations

import os
from urllib.parse import urlencode

from sqlalchemy import func, insert, select

from bench.harness import bench_app, print_table, summary, time_requests

COUNT = int(os.environ.get("CONSULT_BENCH_COUNT", "200"))


def _sample(app):
    """A realistic community answer set (the first synthetic demo response of a rural community)."""
    from consult.extensions import db
    from consult.responses.models import Consultation, Response
    from consult.responses.sending import answers_of
    from consult.surveys.models import InstrumentVersion

    with app.app_context():
        consultation = db.session.scalar(select(Consultation).order_by(Consultation.id))
        response = db.session.scalar(
            select(Response)
            .where(Response.consultation_id == consultation.id, Response.group_code == "rural_community")
            .order_by(Response.id)
        )
        instrument = db.session.get(InstrumentVersion, response.instrument_version_id).parsed()
        answers = answers_of(instrument, response)
        return consultation.slug, consultation.id, response.instrument_version_id, answers, len(response.answers)


def _drafts(app, count: int, answers: dict) -> list[str]:
    """``count`` drafts ready to send (made outside the timed loop); returns their tokens."""
    from consult.extensions import db
    from consult.responses import drafts
    from consult.responses.models import Consultation

    tokens = []
    with app.app_context():
        consultation = db.session.scalar(select(Consultation).order_by(Consultation.id))
        for _ in range(count):
            draft, _code = drafts.start_draft(consultation, "es")
            drafts.choose_group(draft, "rural_community")
            draft.answers = dict(answers)
            tokens.append(draft.submission_token)
        db.session.commit()
    return tokens


def _bare_insert_route(consultation_id: int, version_id: int, answer_rows: int):
    def setup(app):
        from consult.core.access import public_view
        from consult.core.db import utctoday
        from consult.extensions import db
        from consult.responses.models import Answer, Response

        counter = {"n": 0}

        @public_view
        def bare_insert():
            counter["n"] += 1
            n = counter["n"]
            response_id = db.session.execute(
                insert(Response).returning(Response.id),
                [
                    {
                        "consultation_id": consultation_id,
                        "instrument_version_id": version_id,
                        "group_code": "rural_community",
                        "language": "es",
                        "entry_mode": "online",
                        "submitted_on": utctoday(),
                        "submission_key": f"bench-{n:064d}"[-64:],
                        "receipt_code_hash": f"{n:064d}",
                    }
                ],
            ).scalar_one()
            db.session.execute(
                insert(Answer),
                [{"response_id": response_id, "question_key": f"Q{i}", "option": "x"} for i in range(answer_rows)],
            )
            db.session.commit()
            return "", 204

        app.add_url_rule("/bench/bare-insert", "bench_bare_insert", bare_insert, methods=["POST"])

    return setup


def run(count: int = COUNT) -> list[dict[str, object]]:
    """Time the send endpoint against the bare insert."""
    # A first app only to read the demo's sample answers and ids.
    with bench_app() as (probe, _host):
        slug, consultation_id, version_id, answers, n_rows = _sample(probe)
    with bench_app(setup=_bare_insert_route(consultation_id, version_id, n_rows)) as (app, host):
        tokens = _drafts(app, count + 10, answers)
        form = {"Content-Type": "application/x-www-form-urlencoded"}
        time_requests(host, "POST", "/bench/bare-insert", count=10, headers=form, body=lambda i: b"")
        baseline = time_requests(host, "POST", "/bench/bare-insert", count=count, headers=form, body=lambda i: b"")
        warm = tokens[:10]
        time_requests(
            host,
            "POST",
            f"/c/{slug}/send",
            count=10,
            headers=form,
            body=lambda i: urlencode({"submission_token": warm[i]}).encode(),
        )
        timed = tokens[10:]
        full = time_requests(
            host,
            "POST",
            f"/c/{slug}/send",
            count=count,
            headers=form,
            body=lambda i: urlencode({"submission_token": timed[i]}).encode(),
        )
        retry = time_requests(
            host,
            "POST",
            f"/c/{slug}/send",
            count=count,
            headers=form,
            body=lambda i: urlencode({"submission_token": timed[i]}).encode(),
        )
        from consult.extensions import db
        from consult.responses.models import Response

        with app.app_context():
            sent = db.session.scalar(
                select(func.count()).select_from(Response).where(Response.submission_key.is_not(None))
            )
    rows = [
        summary(f"bare insert: 1 response + {n_rows} answer rows (baseline)", baseline, baseline),
        summary("POST /c/<slug>/send (full submission)", full, baseline),
        summary("POST /c/<slug>/send again (idempotent retry)", retry, baseline),
    ]
    print_table(f"Submission against a bare insert ({sent} responses in the database afterwards)", rows)
    return rows


if __name__ == "__main__":
    run()
