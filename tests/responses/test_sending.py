"""Drafts and sending: resume codes, expiry, only the path counts, exactly one response, receipts."""

from __future__ import annotations

import threading
from datetime import date, timedelta

import pytest
from sqlalchemy import func, inspect, select

from consult.core.db import utcnow
from consult.responses import drafts, sending
from consult.responses.models import Answer, EntryMode, Response, ResponseDraft
from consult.responses.services import ConsultationError


def _draft(consultation, answers, *, group="rural_community", language="es", invitation=None):
    from consult.extensions import db

    draft, code = drafts.start_draft(consultation, language, invitation=invitation)
    drafts.choose_group(draft, group)
    draft.answers = dict(answers)
    db.session.commit()
    return draft, code


def _rows(response_id):
    from consult.extensions import db

    return sorted(
        (a.question_key, a.part, a.option, a.number, a.text)
        for a in db.session.scalars(select(Answer).where(Answer.response_id == response_id))
    )


def test_a_draft_is_found_by_its_code_however_it_is_typed(routed_consultation, db):
    draft, code = drafts.start_draft(routed_consultation, "pt")
    db.session.commit()
    assert len(code.replace("-", "")) == 12
    assert draft.resume_code_hash != code and code not in str(draft.__dict__)
    assert drafts.find_draft(routed_consultation, code.lower().replace("-", " ")) is draft
    assert drafts.find_draft(routed_consultation, "AAAA-BBBB-CCCC") is None
    assert draft.language == "pt"
    assert drafts.start_draft(routed_consultation, "qu")[0].language == "es"  # not offered: the fallback


def test_drafts_expire_and_the_purge_deletes_only_stale_ones(routed_consultation, db, runner, app):
    old, old_code = drafts.start_draft(routed_consultation, "es")
    fresh, _ = drafts.start_draft(routed_consultation, "es")
    old.expires_at = utcnow() - timedelta(minutes=1)
    db.session.commit()
    assert drafts.find_draft(routed_consultation, old_code) is None
    result = runner.invoke(args=["responses", "purge-drafts"])
    assert result.exit_code == 0 and "1 expired drafts deleted" in result.output
    remaining = db.session.scalars(select(ResponseDraft.id)).all()
    assert remaining == [fresh.id]


def test_the_draft_lifetime_is_configurable(routed_consultation, app):
    app.config["CONSULT_DRAFT_DAYS"] = 2
    draft, _ = drafts.start_draft(routed_consultation, "es")
    assert timedelta(days=1, hours=23) < draft.expires_at - utcnow() <= timedelta(days=2)


def test_no_draft_starts_when_the_consultation_is_not_accepting(create_consultation):
    closed = create_consultation(state="closed")
    with pytest.raises(ConsultationError, match="not accepting"):
        drafts.start_draft(closed, "es")


def test_a_collective_answer_needs_its_mandate_and_size(routed_consultation, db):
    draft, _ = drafts.start_draft(routed_consultation, "es")
    with pytest.raises(ConsultationError) as error:
        drafts.choose_group(draft, "rural_community", is_collective=True, people_represented=300)
    assert error.value.field == "mandate_reference"
    with pytest.raises(ConsultationError) as error:
        drafts.choose_group(
            draft, "rural_community", is_collective=True, mandate_reference="Acta 3", people_represented=1
        )
    assert error.value.field == "people_represented"
    with pytest.raises(ConsultationError):
        drafts.choose_group(draft, "company_large")
    drafts.choose_group(
        draft, "rural_community", is_collective=True, mandate_reference="Acta de asamblea 3", people_represented=300
    )
    assert (draft.is_collective, draft.mandate_reference, draft.people_represented) == (True, "Acta de asamblea 3", 300)


def test_sending_stores_one_response_with_only_the_answers_on_the_path(routed_consultation, db):
    # Q1 = "no" routes past p_middle: Q2 and Q3 were answered before, and must not count.
    answers = {"Q1": "no", "Q2": ["water"], "Q3": {"area": "Valles", "locality": "66028"}, "Q4": "Agua limpia"}
    draft, _ = _draft(routed_consultation, answers, language="en")
    sent = sending.send(routed_consultation, draft.submission_token)
    assert sent.created
    response = db.session.get(Response, sent.response.id)
    assert (response.group_code, response.language, response.entry_mode) == ("rural_community", "en", EntryMode.ONLINE)
    assert response.submitted_on == date.today() and response.locality_id is None
    assert _rows(response.id) == [("Q1", None, "no", None, None), ("Q4", None, None, None, "Agua limpia")]
    assert db.session.scalar(select(func.count(ResponseDraft.id))) == 0


def test_the_locality_answered_is_kept_with_the_response(routed_consultation, db):
    draft, _ = _draft(
        routed_consultation, {"Q1": "yes", "Q2": ["water", "land"], "Q3": {"area": "Valles", "locality": "66035"}}
    )
    response = sending.send(routed_consultation, draft.submission_token).response
    assert response.locality.name == "Molinos"
    assert ("Q2", None, "land", None, None) in _rows(response.id) and ("Q2", None, "water", None, None) in _rows(
        response.id
    )
    assert ("Q3", "locality", "66035", None, None) in _rows(response.id)


def test_sending_twice_gives_the_same_response_and_receipt(routed_consultation, db):
    draft, _ = _draft(routed_consultation, {"Q1": "no"})
    token = draft.submission_token
    first = sending.send(routed_consultation, token)
    again = sending.send(routed_consultation, token)
    assert (again.created, again.response.id, again.receipt_code) == (False, first.response.id, first.receipt_code)
    assert db.session.scalar(select(func.count(Response.id))) == 1
    with pytest.raises(ConsultationError, match="nothing to send"):
        sending.send(routed_consultation, "another-token")


def test_a_required_question_without_answer_stops_the_sending(routed_consultation, db):
    draft, _ = _draft(routed_consultation, {"Q4": "Nada"})
    missing = sending.missing_required(drafts.version_of(draft).parsed(), draft.answers)
    assert [m.question.key for m in missing] == ["Q1"]
    with pytest.raises(ConsultationError, match="required"):
        sending.send(routed_consultation, draft.submission_token)
    assert db.session.scalar(select(func.count(Response.id))) == 0


def test_a_used_up_invitation_stores_nothing(routed_consultation, create_invitation, db):
    invitation, _ = create_invitation(routed_consultation, "rural_community", max_uses=1)
    first, _ = _draft(routed_consultation, {"Q1": "no"}, invitation=invitation)
    second, _ = _draft(routed_consultation, {"Q1": "yes"}, invitation=invitation)
    sent = sending.send(routed_consultation, first.submission_token)
    assert sent.response.invitation_id == invitation.id
    with pytest.raises(ConsultationError, match="as many times"):
        sending.send(routed_consultation, second.submission_token)
    assert db.session.scalar(select(func.count(Response.id))) == 1
    assert db.session.scalar(select(func.count(Answer.id))) == 1
    assert db.session.get(ResponseDraft, second.id) is not None  # still there: nothing lost


def test_a_closed_consultation_refuses_sending(routed_consultation, db):
    from consult.responses.models import ConsultationState
    from consult.responses.services import change_state

    draft, _ = _draft(routed_consultation, {"Q1": "no"})
    change_state(routed_consultation, ConsultationState.CLOSED)
    db.session.commit()
    with pytest.raises(ConsultationError, match="not accepting"):
        sending.send(routed_consultation, draft.submission_token)


def test_the_receipt_code_finds_the_response_and_its_answers(routed_consultation, db):
    draft, _ = _draft(routed_consultation, {"Q1": "yes", "Q2": ["land"], "Q4": "Escuchar"})
    sent = sending.send(routed_consultation, draft.submission_token)
    assert len(sent.receipt_code.replace("-", "")) == 16
    response = sending.find_by_receipt(routed_consultation, sent.receipt_code.lower())
    assert response.id == sent.response.id
    assert response.receipt_code_hash != sent.receipt_code
    from consult.surveys.models import InstrumentVersion

    instrument = db.session.get(InstrumentVersion, response.instrument_version_id).parsed()
    assert sending.answers_of(instrument, response) == {"Q1": "yes", "Q2": ["land"], "Q4": "Escuchar"}
    assert sending.find_by_receipt(routed_consultation, "0000-0000-0000-0000") is None


def _send_concurrently(app, consultation_id: int, token: str, monkeypatch) -> list:
    """Two requests sending the same draft at the same moment, each in its own thread and session."""
    from consult.extensions import db
    from consult.responses.models import Consultation

    barrier = threading.Barrier(2, timeout=10)
    real_version_of = sending.version_of

    def version_of_then_wait(draft):
        # Both requests have found the draft before either writes: the worst case.
        version = real_version_of(draft)
        barrier.wait()
        return version

    monkeypatch.setattr(sending, "version_of", version_of_then_wait)
    outcomes: list = []

    def worker():
        with app.app_context():
            try:
                consultation = db.session.get(Consultation, consultation_id)
                sent = sending.send(consultation, token)
                outcomes.append((sent.response.id, sent.receipt_code, sent.created))
            except Exception as error:  # noqa: BLE001  (reported by the assertion below)
                outcomes.append(error)
            finally:
                db.session.remove()

    threads = [threading.Thread(target=worker) for _ in range(2)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(timeout=30)
    return outcomes


def test_two_concurrent_sends_store_exactly_one_response(routed_consultation, app, db, monkeypatch):
    draft, _ = _draft(routed_consultation, {"Q1": "yes", "Q2": ["water"], "Q4": "Agua"})
    token, consultation_id = draft.submission_token, routed_consultation.id
    db.session.remove()
    outcomes = _send_concurrently(app, consultation_id, token, monkeypatch)
    assert not [o for o in outcomes if isinstance(o, Exception)], outcomes
    assert len(outcomes) == 2
    assert len({o[0] for o in outcomes}) == 1 and len({o[1] for o in outcomes}) == 1
    assert sorted(o[2] for o in outcomes) == [False, True]
    assert db.session.scalar(select(func.count(Response.id))) == 1
    assert db.session.scalar(select(func.count(Answer.id))) == 3


def test_no_response_table_can_hold_an_ip_address_a_device_or_a_time(app, db, routed_consultation):
    draft, _ = _draft(routed_consultation, {"Q1": "yes", "Q4": "Texto"})
    sending.send(routed_consultation, draft.submission_token)
    forbidden = {"ip", "addr", "address", "agent", "device", "browser", "host", "remote", "time", "at"}
    inspector = inspect(db.engine)
    for table in ("responses", "answers", "response_drafts"):
        columns = [c["name"] for c in inspector.get_columns(table)]
        # A draft has an expiry time (it is deleted when sent or stale); nothing else may be a time.
        assert not [c for c in columns if forbidden & set(c.split("_")) and c != "expires_at"], (table, columns)
        types = {c["name"]: str(c["type"]).upper() for c in inspector.get_columns(table)}
        if table != "response_drafts":  # a draft has an expiry time; it is deleted when sent
            assert not [n for n, t in types.items() if "TIME" in t], (table, types)
    for row in db.session.execute(select(Response.__table__)).mappings():
        assert not [v for v in row.values() if isinstance(v, str) and ("127.0.0.1" in v or "Mozilla" in v)]
