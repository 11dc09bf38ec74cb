"""Giving a testimony through the web pages, and following it with the receipt code."""

from __future__ import annotations

import re

import pytest
from sqlalchemy import func, select

from consult.surveys.types import question_type
from consult.testimonies import vault
from consult.testimonies.models import ConsentUse, DecryptionEvent, Testimony, TestimonyDraft, TestimonyStatus
from tests.fixtures.testimonies import NARRATIVE, full_answers


def page_data(instrument, page_key: str, answers: dict) -> dict:
    """The POST data that answers one page with ``answers`` (as the question types fill their fields)."""
    data: dict = {}
    for question in instrument.page(page_key).questions:
        if question.key in answers:
            for name, value in question_type(question.type).form_data(question, answers[question.key]).items():
                if value not in (None, ""):
                    data[name] = value
    return data


def walk(client, slug: str, instrument, answers: dict, lang: str = "es") -> str:
    """Start a testimony and answer every page on the path; returns the review page's HTML."""
    response = client.submit(f"/c/{slug}/testimony/start", form_url=f"/c/{slug}/testimony?lang={lang}")
    location = response.headers["Location"]
    for _ in range(40):
        if location.endswith("/review"):
            break
        if location.endswith("/for-whom"):
            raise AssertionError("a CSO draft must say for whom first")
        page_key = location.rsplit("/", 1)[1]
        response = client.submit(location, page_data(instrument, page_key, answers))
        assert response.status_code == 302, response.get_data(as_text=True)[:3000]
        location = response.headers["Location"]
    review = client.get(f"/c/{slug}/testimony/review")
    assert review.status_code == 200
    return review.get_data(as_text=True)


@pytest.fixture
def setting(db, create_consultation, remedy_version, create_route):
    consultation = create_consultation(slug="remedio")
    create_route(consultation.territory, "Defensoría del Pueblo", contact="Línea 147")
    return consultation, remedy_version.parsed()


def test_an_anonymous_person_sends_a_testimony_and_gets_a_receipt_once(client, db, setting):
    consultation, instrument = setting
    start = client.get("/c/remedio/testimony")
    assert start.status_code == 200 and start.headers["Cache-Control"] == "no-store"
    assert "Dar un testimonio" in start.get_data(as_text=True)
    assert "Give a testimony" in client.get("/c/remedio/testimony?lang=en").get_data(as_text=True)
    client.get("/c/remedio/testimony?lang=es")
    review = walk(client, "remedio", instrument, full_answers())
    assert NARRATIVE in review
    response = client.submit("/c/remedio/testimony/review")
    body = response.get_data(as_text=True)
    assert response.status_code == 200 and response.headers["Cache-Control"] == "no-store"
    code = re.search(r'class="code"[^>]*>([0-9A-Z-]{19})<', body).group(1)
    assert "Defensoría del Pueblo" in body and "Línea 147" in body  # reprisals → protection routes
    assert code not in response.headers.get("Location", "")
    testimony = db.session.scalars(select(Testimony)).one()
    assert testimony.is_urgent and vault.unseal(testimony, "sealed_answers")["D1"] == NARRATIVE
    assert db.session.scalar(select(func.count(TestimonyDraft.id))) == 0
    # A second send (refresh, double click) makes nothing and shows no code.
    again = client.submit("/c/remedio/testimony/review", form_url="/c/remedio/testimony")
    assert again.status_code == 302
    assert db.session.scalar(select(func.count(Testimony.id))) == 1
    # Nothing of the testimony is in the session cookie.
    cookie = client.get_cookie("session")
    assert cookie is None or "Rosa" not in cookie.value


def test_the_safe_path_page_shows_protection_routes(client, db, setting):
    consultation, instrument = setting
    walk(client, "remedio", instrument, full_answers())
    page = client.get("/c/remedio/testimony/p/p_reprisals_detail").get_data(as_text=True)
    assert "Defensoría del Pueblo" in page
    other = client.get("/c/remedio/testimony/p/p_fair_remedy").get_data(as_text=True)
    assert "Defensoría del Pueblo" not in other


def test_validation_errors_keep_what_was_typed(client, setting):
    consultation, instrument = setting
    client.submit("/c/remedio/testimony/start", form_url="/c/remedio/testimony")
    # The consent question is required.
    response = client.submit("/c/remedio/testimony/p/p_about", {})
    assert response.status_code == 400
    assert "Necesitamos al menos un permiso" in response.get_data(as_text=True)
    client.submit("/c/remedio/testimony/p/p_about", {"q-A1": ["aggregate"]})
    long_text = "x" * 4001
    response = client.submit("/c/remedio/testimony/p/p_story", {"q-D1": long_text})
    assert response.status_code == 400 and long_text in response.get_data(as_text=True)


def test_pages_off_the_path_and_without_a_draft_are_refused(client, setting):
    assert client.get("/c/remedio/testimony/p/p_about").status_code == 302
    client.submit("/c/remedio/testimony/start", form_url="/c/remedio/testimony")
    client.submit("/c/remedio/testimony/p/p_about", {"q-A1": ["aggregate"]})
    # p_authority is asked only when sharing with an authority was allowed.
    response = client.get("/c/remedio/testimony/p/p_authority")
    assert response.status_code == 302 and "/p/p_" in response.headers["Location"]


def test_discarding_deletes_the_draft(client, db, setting):
    client.submit("/c/remedio/testimony/start", form_url="/c/remedio/testimony")
    assert db.session.scalar(select(func.count(TestimonyDraft.id))) == 1
    client.submit("/c/remedio/testimony/discard", form_url="/c/remedio/testimony")
    assert db.session.scalar(select(func.count(TestimonyDraft.id))) == 0


def test_a_closed_consultation_takes_no_testimony(client, db, create_consultation, remedy_version):
    create_consultation(slug="cerrada", state="closed")
    page = client.get("/c/cerrada/testimony").get_data(as_text=True)
    assert 'action="/c/cerrada/testimony/start"' not in page
    assert client.submit("/c/cerrada/testimony/start", form_url="/testimony/follow-up").status_code == 302
    assert db.session.scalar(select(func.count(TestimonyDraft.id))) == 0


def test_follow_up_with_the_code_adds_changes_consent_and_withdraws(client, db, setting, create_testimony, create_user):
    consultation, _instrument = setting
    testimony, code = create_testimony(consultation)
    moderator = create_user(roles={consultation.territory: ["moderator"]})
    from consult.testimonies import services

    services.send_message(testimony, "Gracias. ¿Puede decirnos si el río sigue contaminado?", moderator)
    db.session.commit()
    assert client.get("/testimony/follow-up").status_code == 200
    wrong = client.submit(
        "/testimony/follow-up?lang=en", {"code": "AAAA-BBBB-CCCC-DDDD"}, form_url="/testimony/follow-up?lang=en"
    )
    assert wrong.status_code == 400 and "No testimony has this code" in wrong.get_data(as_text=True)
    status = client.submit("/testimony/follow-up", {"code": code.lower().replace("-", " ")})
    body = status.get_data(as_text=True)
    assert status.status_code == 200 and status.headers["Cache-Control"] == "no-store"
    assert "¿Puede decirnos si el río sigue contaminado?" in body
    assert NARRATIVE not in body  # the code never shows what was written
    assert "Defensoría del Pueblo" in body  # urgent: protection routes again
    added = client.submit(
        "/testimony/follow-up/add",
        {"add-code": code, "add-text": "El río sigue sucio."},
        form_url="/testimony/follow-up",
    )
    assert added.status_code == 200
    testimony = db.session.get(Testimony, testimony.id)
    assert [vault.unseal(a, "sealed_text") for a in testimony.additions] == ["El río sigue sucio."]
    changed = client.submit(
        "/testimony/follow-up/consent",
        {"consent-code": code, "consent-uses": ["aggregate"]},
        form_url="/testimony/follow-up",
    )
    assert changed.status_code == 200
    db.session.expire_all()
    testimony = db.session.get(Testimony, testimony.id)
    assert testimony.allows(ConsentUse.AGGREGATE) and not testimony.allows(ConsentUse.QUOTE)
    unconfirmed = client.submit(
        "/testimony/follow-up/withdraw", {"withdraw-code": code}, form_url="/testimony/follow-up"
    )
    assert unconfirmed.status_code == 400
    done = client.submit(
        "/testimony/follow-up/withdraw",
        {"withdraw-code": code, "withdraw-confirm": "y"},
        form_url="/testimony/follow-up",
    )
    assert done.status_code == 200
    db.session.expire_all()
    testimony = db.session.get(Testimony, testimony.id)
    assert testimony.status == TestimonyStatus.WITHDRAWN and testimony.sealed_answers is None
    # The submitter's visits are audited by day only.
    events = db.session.scalars(select(DecryptionEvent).where(DecryptionEvent.purpose == "follow-up.status")).all()
    assert events and all(e.user_id is None and e.occurred_at.hour == 0 and e.occurred_at.minute == 0 for e in events)


def test_a_wrong_code_in_an_action_changes_nothing(client, db, setting, create_testimony):
    consultation, _instrument = setting
    testimony, _code = create_testimony(consultation)
    response = client.submit(
        "/testimony/follow-up/withdraw",
        {"withdraw-code": "0000-0000-0000-0000", "withdraw-confirm": "y"},
        form_url="/testimony/follow-up",
    )
    assert response.status_code == 400
    assert db.session.get(Testimony, testimony.id).status == TestimonyStatus.SUBMITTED


def test_a_cso_sends_on_behalf_of_a_family_and_sees_only_its_own(
    client, db, setting, create_user, create_organisation, create_testimony
):
    consultation, instrument = setting
    cso = create_organisation("Colectivo Tierra", "cso")
    user = create_user("cso@colectivo.example", organisation=cso)
    other, _code = create_testimony(consultation)  # an anonymous testimony the CSO must not see
    client.login(user.email)
    response = client.submit("/c/remedio/testimony/start", form_url="/c/remedio/testimony")
    assert response.headers["Location"].endswith("/c/remedio/testimony/for-whom")
    bad = client.submit(
        "/c/remedio/testimony/for-whom?lang=en",
        {"on_behalf_of": "family", "people_count": "cuatro"},
        form_url="/c/remedio/testimony/for-whom?lang=en",
    )
    assert bad.status_code == 400 and "Enter a whole number" in bad.get_data(as_text=True)
    response = client.submit(
        "/c/remedio/testimony/for-whom", {"on_behalf_of": "family", "people_count": "4", "notes": CSO_NOTE}
    )
    assert response.status_code == 302
    location = response.headers["Location"]
    answers = full_answers(F1="no", F3=None)
    while not location.endswith("/review"):
        page_key = location.rsplit("/", 1)[1]
        location = client.submit(location, page_data(instrument, page_key, answers)).headers["Location"]
    sent = client.submit("/c/remedio/testimony/review")
    assert sent.status_code == 200 and re.search(r'class="code"', sent.get_data(as_text=True))
    testimony = db.session.scalars(select(Testimony).where(Testimony.organisation_id == cso.id)).one()
    assert testimony.people_count == 4 and testimony.on_behalf_of.value == "family" and not testimony.is_urgent
    listing = client.get("/cso/testimonies").get_data(as_text=True)
    assert f"/cso/testimonies/{testimony.id}" in listing and f"/cso/testimonies/{other.id}" not in listing
    page = client.get(f"/cso/testimonies/{testimony.id}").get_data(as_text=True)
    assert CSO_NOTE in page and NARRATIVE in page
    assert client.get(f"/cso/testimonies/{other.id}").status_code == 404
    changed = client.submit(
        f"/cso/testimonies/{testimony.id}/consent",
        {"consent-uses": ["aggregate"]},
        form_url=f"/cso/testimonies/{testimony.id}",
    )
    assert changed.status_code == 302
    db.session.expire_all()
    assert not db.session.get(Testimony, testimony.id).allows(ConsentUse.QUOTE)


CSO_NOTE = "Contactar a la familia solo por la parroquia."
