"""A copy of the database reveals nothing; key rotation keeps everything readable and resumes."""

from __future__ import annotations

import pytest
from sqlalchemy import LargeBinary, String, Text, select

from consult.testimonies import crypto, rotation, services, vault
from consult.testimonies.consent import change_consent
from consult.testimonies.models import (
    SEALED_MODELS,
    Actor,
    ConsentUse,
    DecryptionEvent,
    Testimony,
    TestimonyAddition,
    TestimonyExcerpt,
    TestimonyMessage,
)
from tests.fixtures.testimonies import NARRATIVE, full_answers

SECRETS = [
    "envenenó el río",  # the narrative
    "Rosa Huanca",  # a name inside it
    "Minera Quebrada Honda",  # the company named
    "que nos pidan perdón",  # the fair remedy
    "parroquia",  # the CSO's notes
    "vecinos del Salado",  # an addition
    "llame a la Defensoría",  # a moderator's message
    "Una comunidad perdió su río",  # the redacted excerpt
    "sin datos que identifiquen",  # the approval reason
]


@pytest.fixture
def full_house(db, create_consultation, create_testimony, create_organisation, create_user):
    """One testimony with every kind of sealed content, and a CSO testimony with notes."""
    consultation = create_consultation(slug="remedio")
    moderator = create_user(roles={consultation.territory: ["moderator"]})
    testimony, _code = create_testimony(consultation)
    services.add_information(testimony, "También enfermaron los vecinos del Salado.", Actor.SUBMITTER)
    services.send_message(testimony, "Si está en peligro, llame a la Defensoría.", moderator)
    excerpt = services.propose_excerpt(testimony, "Una comunidad perdió su río por una mina.", moderator)
    services.decide_excerpt(excerpt, True, "Primera lectura, sin datos que identifiquen.", moderator)
    second = create_user(roles={consultation.territory: ["moderator"]})
    services.decide_excerpt(excerpt, True, "Revisado, sin datos que identifiquen.", second)
    db.session.commit()
    organisation = create_organisation("Colectivo", "cso")
    create_testimony(
        consultation,
        organisation=organisation,
        cso={"on_behalf_of": "self", "people_count": None, "notes": "Contactar por la parroquia."},
    )
    return consultation, testimony, moderator


def _dump(db) -> str:
    """Every text and binary value of every table, as one string (what a stolen copy holds)."""
    parts = []
    for table in db.metadata.sorted_tables:
        columns = [
            c
            for c in table.columns
            if isinstance(c.type, (String, Text, LargeBinary)) or c.type.__class__.__name__ == "JSON"
        ]
        if not columns:
            continue
        for row in db.session.execute(select(*columns)).all():
            for value in row:
                if isinstance(value, (bytes, memoryview)):
                    parts.append(bytes(value).decode("utf-8", "replace"))
                elif value is not None:
                    parts.append(str(value))
    return "\n".join(parts)


def test_the_raw_database_holds_no_testimony_text(db, full_house):
    dump = _dump(db)
    for secret in SECRETS:
        assert secret not in dump, f"{secret!r} is stored in clear text"
    # and the content is really there, sealed:
    _consultation, testimony, _moderator = full_house
    assert vault.unseal(testimony, "sealed_answers")["D1"] == NARRATIVE


def test_rotation_re_encrypts_everything_and_keeps_it_readable(app, db, full_house, runner):
    _consultation, testimony, _moderator = full_house
    old = crypto.keyring()
    new_spec = crypto.new_key_spec("k-next") + "," + app.config["CONSULT_TESTIMONY_KEYS"]
    crypto.install_keyring(app, new_spec)
    before = _dump(db)
    result = runner.invoke(args=["testimonies", "rotate-keys", "--batch-size", "1"])
    assert result.exit_code == 0, result.output
    assert "total re-encrypted: " in result.output and "Every row is under k-next" in result.output
    for model, _fields in SEALED_MODELS:
        assert all(row.key_id in (None, "k-next") for row in db.session.scalars(select(model)))
    db.session.expire_all()
    # Everything still opens, now without the old key at all.
    crypto.install_keyring(app, new_spec.split(",")[0])
    testimony = db.session.get(Testimony, testimony.id)
    assert vault.unseal(testimony, "sealed_answers")["D1"] == NARRATIVE
    texts = [
        vault.unseal(r, "sealed_text")
        for m in (TestimonyAddition, TestimonyMessage, TestimonyExcerpt)
        for r in db.session.scalars(select(m))
    ]
    assert "Una comunidad perdió su río por una mina." in texts and len(texts) == 3
    excerpt = db.session.scalars(select(TestimonyExcerpt)).one()
    assert vault.unseal(excerpt, "sealed_reason") == "Revisado, sin datos que identifiquen."
    assert vault.unseal(excerpt, "sealed_first_reason") == "Primera lectura, sin datos que identifiquen."
    assert _dump(db) != before
    # Rotation decrypts, so it is audited (as the system, never a person).
    events = db.session.scalars(select(DecryptionEvent).where(DecryptionEvent.purpose == "rotate-keys")).all()
    assert {e.actor for e in events} == {Actor.SYSTEM} and len(events) == 2
    assert old.current_id != "k-next"


def test_an_interrupted_rotation_resumes_where_it_stopped(app, db, full_house, monkeypatch):
    crypto.install_keyring(app, crypto.new_key_spec("k-next") + "," + app.config["CONSULT_TESTIMONY_KEYS"])
    real = vault.reseal_row
    calls = {"n": 0}

    def failing(row):
        calls["n"] += 1
        if calls["n"] == 4:
            raise RuntimeError("the machine was switched off")
        return real(row)

    monkeypatch.setattr(vault, "reseal_row", failing)
    with pytest.raises(RuntimeError):
        rotation.rotate_keys(batch_size=1)
    db.session.rollback()
    usage = rotation.key_usage()
    # Three single-row batches were committed before the failure; the rest is still under the old key.
    assert sum(counts.get("k-next", 0) for counts in usage.values()) == 3
    assert any(k != "k-next" for counts in usage.values() for k in counts)
    monkeypatch.setattr(vault, "reseal_row", real)
    report = rotation.rotate_keys(batch_size=2)
    assert report.is_complete and report.total > 0
    assert all(set(counts) <= {"k-next"} for counts in rotation.key_usage().values())
    testimony = db.session.scalars(select(Testimony).order_by(Testimony.id)).first()
    assert vault.unseal(testimony, "sealed_answers")["D1"] == NARRATIVE


def test_rotation_with_a_missing_old_key_stops_with_a_clear_message(app, db, full_house, runner):
    crypto.install_keyring(app, crypto.new_key_spec("k-next"))
    result = runner.invoke(args=["testimonies", "rotate-keys"])
    assert result.exit_code != 0
    assert "no key" in result.output and "run the command again" in result.output
    assert NARRATIVE not in result.output


def test_key_status_reports_rows_per_key(app, db, full_house, runner):
    result = runner.invoke(args=["testimonies", "key-status"])
    assert result.exit_code == 0
    current = crypto.keyring().current_id
    assert f"current key: {current}" in result.output and "testimonies" in result.output


def test_consent_changes_keep_the_row_under_one_key(app, db, full_house):
    _consultation, testimony, _moderator = full_house
    crypto.install_keyring(app, crypto.new_key_spec("k-next") + "," + app.config["CONSULT_TESTIMONY_KEYS"])
    # Sealing one column of an old row re-seals its other columns too.
    vault.seal(testimony, "sealed_notes", "nota nueva")
    assert testimony.key_id == "k-next"
    assert crypto.key_id_of(testimony.sealed_answers) == "k-next"
    change_consent(testimony, {ConsentUse.AGGREGATE}, lang="es", actor=Actor.SUBMITTER)
    db.session.commit()
    assert vault.unseal(testimony, "sealed_answers")["D1"] == NARRATIVE
    assert full_answers()["D1"] == NARRATIVE
