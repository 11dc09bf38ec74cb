"""Sending a testimony: sealed content, consent records, counting rows, urgency, idempotence."""

from __future__ import annotations

import pytest
from sqlalchemy import func, select

from consult.core.codes import hash_code
from consult.testimonies import intake, vault
from consult.testimonies.models import (
    Actor,
    ConsentUse,
    OnBehalfOf,
    Testimony,
    TestimonyAnswer,
    TestimonyConsent,
    TestimonyDraft,
    TestimonyStatus,
)
from tests.fixtures.testimonies import NARRATIVE, full_answers


@pytest.fixture
def consultation(create_consultation):
    return create_consultation(slug="remedio")


def test_a_sent_testimony_is_sealed_consented_counted_and_urgent(db, consultation, create_testimony):
    testimony, code = create_testimony(consultation)
    assert len(code) == 19 and testimony.receipt_code_hash == hash_code(code)
    assert testimony.status == TestimonyStatus.SUBMITTED
    assert testimony.is_urgent  # reprisals: F1 = yes
    assert testimony.severity == 5
    assert testimony.on_behalf_of == OnBehalfOf.COMMUNITY and testimony.people_count == 120
    assert testimony.territory_id == consultation.territory_id
    assert NARRATIVE.encode() not in testimony.sealed_answers
    assert vault.unseal(testimony, "sealed_answers")["D1"] == NARRATIVE
    # Consent: one row per use offered, with the words shown in Spanish and the version.
    consents = {c.use: c for c in testimony.consents}
    assert set(consents) == set(ConsentUse)
    assert consents[ConsentUse.AGGREGATE].is_granted and consents[ConsentUse.QUOTE].is_granted
    assert not consents[ConsentUse.PUBLISH].is_granted
    assert consents[ConsentUse.AGGREGATE].wording.startswith("Pueden contar mi testimonio")
    assert consents[ConsentUse.AGGREGATE].language == "es"
    assert consents[ConsentUse.AGGREGATE].wording_version.startswith("remedy_testimony@")
    assert all(c.changed_by == Actor.SUBMITTER and c.is_current for c in consents.values())
    # Counting rows: choices and numbers, never free text, dates or the company's name.
    rows = db.session.scalars(select(TestimonyAnswer).where(TestimonyAnswer.testimony_id == testimony.id)).all()
    keys = {r.question_key for r in rows}
    assert {"D2", "D4", "D6", "E1", "E7", "F1", "B2"} <= keys
    assert not keys & {"D1", "D3", "F4", "C2", "A1"}
    assert ("D6", "scale", 5.0) in {(r.question_key, r.part, r.number) for r in rows}
    assert db.session.scalar(select(func.count(TestimonyDraft.id))) == 0


def test_no_aggregate_consent_means_no_counting_rows(db, consultation, create_testimony):
    testimony, _code = create_testimony(consultation, full_answers(A1=["quote"], F1="no", F3=None))
    assert not testimony.is_urgent
    assert db.session.scalar(select(func.count(TestimonyAnswer.id))) == 0
    assert not testimony.allows(ConsentUse.AGGREGATE) and testimony.allows(ConsentUse.QUOTE)


def test_answers_off_the_path_are_not_kept(db, consultation, create_testimony):
    # F3 (what they did) is only asked when F1 is "yes".
    testimony, _code = create_testimony(consultation, full_answers(F1="no", F3=["threats"]))
    assert "F3" not in vault.unseal(testimony, "sealed_answers")
    assert not testimony.is_urgent


def test_sending_twice_makes_one_testimony(db, consultation, remedy_version):
    draft, token = intake.start_draft(consultation, remedy_version, "es")
    intake.save_draft(draft, {"answers": full_answers(), "cso": None})
    first = intake.submit_draft(draft, token, lang="es")
    db.session.commit()
    again = intake.submit_draft(draft, token, lang="es")
    assert again.already_sent and again.receipt_code is None and again.testimony.id == first.testimony.id
    assert db.session.scalar(select(func.count(Testimony.id))) == 1


def test_a_cso_testimony_keeps_its_sealed_notes(db, consultation, create_testimony, create_organisation):
    organisation = create_organisation("Colectivo Tierra", "cso")
    testimony, _code = create_testimony(
        consultation,
        organisation=organisation,
        cso={"on_behalf_of": "family", "people_count": 4, "notes": "Contactar por la parroquia, nunca por teléfono."},
    )
    assert testimony.organisation_id == organisation.id
    assert testimony.on_behalf_of == OnBehalfOf.FAMILY and testimony.people_count == 4
    assert b"parroquia" not in testimony.sealed_notes
    assert vault.unseal(testimony, "sealed_notes").startswith("Contactar por la parroquia")
    assert {c.changed_by for c in testimony.consents} == {Actor.CSO}


def test_drafts_are_sealed_and_expire(db, consultation, remedy_version):
    draft, token = intake.start_draft(consultation, remedy_version, "es")
    intake.save_draft(draft, {"answers": {"D1": NARRATIVE}, "cso": None})
    db.session.commit()
    assert NARRATIVE.encode() not in draft.sealed_state
    assert draft.expires_at.minute == 0 and draft.expires_at.second == 0
    assert intake.find_draft(consultation, token).id == draft.id
    assert intake.find_draft(consultation, "another-token") is None
    from datetime import datetime

    draft.expires_at = datetime(2000, 1, 1)
    db.session.commit()
    assert intake.find_draft(consultation, token) is None
    assert db.session.scalar(select(func.count(TestimonyDraft.id))) == 0


def test_share_consent_names_the_authority_chosen(db, consultation, create_testimony):
    testimony, _code = create_testimony(
        consultation,
        full_answers(A1=["aggregate", "share_authorities"], A2="Defensoría"),
        authority="Defensoría del Pueblo",
    )
    record = testimony.current_consents()[ConsentUse.SHARE_AUTHORITIES]
    assert record.is_granted and record.authority == "Defensoría del Pueblo"
    assert db.session.scalar(select(func.count(TestimonyConsent.id))) == 4
