"""The audit logs are a chain of keyed hashes: `flask audit verify` finds any change, gap or reordering."""

from __future__ import annotations

import threading

import pytest
from sqlalchemy import func, select, text

from consult.testimonies import audit, chain
from consult.testimonies.models import Actor, AuditChainHead, DecryptionEvent


@pytest.fixture
def logged(db, create_consultation, create_testimony, create_user):
    """Five readings of a testimony, each committed: a chain of five links."""
    consultation = create_consultation(slug="remedio")
    moderator = create_user(roles={consultation.territory: ["moderator"]})
    testimony, _code = create_testimony(consultation)
    for number in range(5):
        audit.record(testimony, f"moderation.read.{number}", Actor.STAFF, moderator)
        db.session.commit()
    ids = list(db.session.scalars(select(DecryptionEvent.id).order_by(DecryptionEvent.chain_seq)))
    return testimony, moderator, ids


def _verify(runner):
    return runner.invoke(args=["audit", "verify"])


def test_an_untouched_chain_verifies(runner, logged):
    result = _verify(runner)
    assert result.exit_code == 0, result.output
    assert "testimony_audit: OK, 5 entries" in result.output
    assert "export_audit: OK, 0 entries" in result.output


def test_altering_an_entry_with_raw_sql_is_reported_with_its_id(runner, db, logged):
    _testimony, _moderator, ids = logged
    db.session.execute(
        text("UPDATE testimony_audit_events SET purpose = 'nothing.to.see' WHERE id = :id"), {"id": ids[2]}
    )
    db.session.commit()
    result = _verify(runner)
    assert result.exit_code != 0
    assert f"testimony_audit: entry {ids[2]}: altered: purpose was changed" in result.output
    # Rewriting the frozen record too does not help without the key.
    db.session.execute(
        text(
            "UPDATE testimony_audit_events SET chain_record = replace(chain_record, 'read.2', 'read.9') WHERE id = :id"
        ),
        {"id": ids[2]},
    )
    db.session.commit()
    result = _verify(runner)
    assert f"entry {ids[2]}: altered: its hash does not match its record" in result.output


def test_deleting_an_entry_is_reported_as_a_gap_before_the_next_one(runner, db, logged):
    _testimony, _moderator, ids = logged
    db.session.execute(text("DELETE FROM testimony_audit_events WHERE id = :id"), {"id": ids[1]})
    db.session.commit()
    result = _verify(runner)
    assert result.exit_code != 0
    assert f"entry {ids[2]}: deleted: 1 entry missing before it (positions 2–2)" in result.output


def test_deleting_the_last_entry_is_reported_against_the_head(runner, db, logged):
    _testimony, _moderator, ids = logged
    db.session.execute(text("DELETE FROM testimony_audit_events WHERE id = :id"), {"id": ids[-1]})
    db.session.commit()
    result = _verify(runner)
    assert result.exit_code != 0
    assert "end of chain: deleted: the chain should end at position 5; the last entry found is at 4" in result.output


def test_swapping_two_entries_is_reported_as_reordered(runner, db, logged):
    _testimony, _moderator, ids = logged
    db.session.execute(text("UPDATE testimony_audit_events SET chain_seq = 100 WHERE id = :id"), {"id": ids[1]})
    db.session.execute(text("UPDATE testimony_audit_events SET chain_seq = 2 WHERE id = :id"), {"id": ids[2]})
    db.session.execute(text("UPDATE testimony_audit_events SET chain_seq = 3 WHERE id = :id"), {"id": ids[1]})
    db.session.commit()
    result = _verify(runner)
    assert result.exit_code != 0
    assert f"entry {ids[2]}: reordered: it follows entry {ids[1]}" in result.output


def test_without_the_key_verify_says_so_and_fails(runner, app, logged):
    app.config["CONSULT_ENV"] = "production"
    app.config["CONSULT_AUDIT_KEY"] = ""
    chain.forget_key()
    try:
        result = _verify(runner)
        assert result.exit_code != 0
        assert "no audit key: set CONSULT_AUDIT_KEY" in result.output and "Nothing was verified" in result.output
        # A wrong key: every link fails, starting with the first.
        app.config["CONSULT_AUDIT_KEY"] = chain.new_key()
        chain.forget_key()
        result = _verify(runner)
        assert result.exit_code != 0 and "altered: its hash does not match" in result.output
    finally:
        app.config["CONSULT_ENV"] = "testing"
        app.config.pop("CONSULT_AUDIT_KEY")
        chain.forget_key()


def test_entries_written_before_the_chain_are_sealed_by_the_command(runner, db, logged):
    testimony, moderator, ids = logged
    # As the migration leaves them: rows without chain columns, here at the end (new rows after an upgrade).
    db.session.execute(
        text(
            "INSERT INTO testimony_audit_events (territory_id, testimony_id, user_id, actor, purpose, occurred_at) "
            "VALUES (:t, :s, :u, 'staff', 'old.read', :when)"
        ),
        {"t": testimony.territory_id, "s": testimony.id, "u": moderator.id, "when": "2026-01-02 03:04:05.000000"},
    )
    db.session.commit()
    result = _verify(runner)
    assert result.exit_code != 0 and "unsealed" in result.output
    sealed = runner.invoke(args=["audit", "seal"])
    assert sealed.exit_code == 0 and "testimony_audit: 1 entries sealed" in sealed.output
    result = _verify(runner)
    assert result.exit_code == 0 and "testimony_audit: OK, 6 entries" in result.output


def test_concurrent_appends_never_fork_the_chain(app, db, logged, runner):
    """Threads with their own sessions append at once: one chain, positions 1..n, no duplicates."""
    testimony, moderator, _ids = logged
    testimony_id, moderator_id = testimony.id, moderator.id
    errors: list[BaseException] = []
    start = threading.Barrier(6)

    def worker(number: int) -> None:
        try:
            with app.app_context():
                from consult.accounts.models import User
                from consult.extensions import db as database
                from consult.testimonies.models import Testimony

                start.wait()
                for i in range(5):
                    row = database.session.get(Testimony, testimony_id)
                    user = database.session.get(User, moderator_id)
                    audit.record(row, f"thread.{number}.{i}", Actor.STAFF, user)
                    database.session.commit()
                database.session.remove()
        except BaseException as error:  # noqa: BLE001 — reported by the assertion below
            errors.append(error)

    threads = [threading.Thread(target=worker, args=(n,)) for n in range(6)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(60)
    assert not errors, errors
    db.session.expire_all()
    seqs = list(db.session.scalars(select(DecryptionEvent.chain_seq).order_by(DecryptionEvent.chain_seq)))
    assert seqs == list(range(1, 36))
    assert db.session.get(AuditChainHead, "testimony_audit").last_seq == 35
    assert db.session.scalar(select(func.count(func.distinct(DecryptionEvent.chain_prev)))) == 35
    result = _verify(runner)
    assert result.exit_code == 0 and "testimony_audit: OK, 35 entries" in result.output


def test_export_events_are_chained_too(runner, db, create_consultation, create_user):
    from consult.exports import catalogue
    from consult.exports.jobs import Choice, record_event

    consultation = create_consultation(slug="remedio")
    official = create_user(roles={consultation.territory: ["official"]})
    kind = catalogue.get("excerpts")
    record_event(consultation, Choice(kind, "csv", "consult", "es"), user=official)
    db.session.commit()
    result = _verify(runner)
    assert result.exit_code == 0 and "export_audit: OK, 1 entries" in result.output
    db.session.execute(text("UPDATE export_events SET outcome = 'done'"))  # the outcome is not chained
    db.session.commit()
    assert _verify(runner).exit_code == 0
    db.session.execute(text("UPDATE export_events SET kind = 'responses'"))
    db.session.commit()
    result = _verify(runner)
    assert result.exit_code != 0 and "export_audit: entry 1: altered: kind was changed" in result.output
