"""The testimony form asks each thing once and offers only what applies (issue 13).

- A CSO says who it happened to (and for how many) once, on its first page;
  the form's own "who did it happen to?" and "how many people?" are not asked
  again, and their answers are recorded from what the CSO said.
- "The main place where you complained" offers only the places ticked on
  the earlier page; with a single place ticked it is not asked and that
  place is recorded as the main one.
"""

from __future__ import annotations

import re

import pytest
from sqlalchemy import select

from consult.testimonies import vault
from consult.testimonies.models import Testimony, TestimonyAnswer
from tests.fixtures.testimonies import full_answers
from tests.testimonies.test_public_flow import page_data

CSO_NOTE = "Contactar a la familia solo por la parroquia."


@pytest.fixture
def setting(db, create_consultation, remedy_version):
    consultation = create_consultation(slug="remedio")
    return consultation, remedy_version.parsed()


def _answer_pages(client, location: str, instrument, answers: dict) -> tuple[list[str], dict[str, str]]:
    """Answer every page from ``location`` to the review; returns the page keys seen and each page's HTML."""
    seen: list[str] = []
    html: dict[str, str] = {}
    for _ in range(40):
        if location.endswith("/review"):
            return seen, html
        page_key = location.rsplit("/", 1)[1]
        seen.append(page_key)
        html[page_key] = client.get(location).get_data(as_text=True)
        response = client.submit(location, page_data(instrument, page_key, answers))
        assert response.status_code == 302, response.get_data(as_text=True)[:3000]
        location = response.headers["Location"]
    raise AssertionError("the form never reached the review page")


def _radio_values(html: str, key: str) -> list[str]:
    return re.findall(rf'<input[^>]*name="q-{key}"[^>]*value="([^"]+)"', html)


def _rows(db, testimony: Testimony, key: str) -> set[str | None]:
    return set(
        db.session.scalars(
            select(TestimonyAnswer.option).where(
                TestimonyAnswer.testimony_id == testimony.id, TestimonyAnswer.question_key == key
            )
        )
    )


def _start(client, lang: str = "es") -> str:
    response = client.submit("/c/remedio/testimony/start", form_url=f"/c/remedio/testimony?lang={lang}")
    return response.headers["Location"]


def test_the_main_place_offers_only_the_places_ticked_and_refuses_another(client, db, setting):
    consultation, instrument = setting
    answers = full_answers(F1="no", F3=None)  # ticked: the ombudsman and the company's office
    seen, html = _answer_pages(client, _start(client), instrument, answers)
    assert "p_main_mechanism" in seen
    offered = _radio_values(html["p_main_mechanism"], "E5")
    assert sorted(offered) == ["company_grievance", "ombudsman_nhri"]
    assert "Un juez o un tribunal" not in html["p_main_mechanism"]
    # A place not ticked before is refused with a message, on the same page, and nothing is stored.
    refused = client.submit(
        "/c/remedio/testimony/p/p_main_mechanism", page_data(instrument, "p_main_mechanism", {"E5": "state_judicial"})
    )
    assert refused.status_code == 400
    assert sorted(_radio_values(refused.get_data(as_text=True), "E5")) == ["company_grievance", "ombudsman_nhri"]
    sent = client.submit("/c/remedio/testimony/review")
    assert sent.status_code == 200
    testimony = db.session.scalars(select(Testimony)).one()
    assert vault.unseal(testimony, "sealed_answers")["E5"] == "company_grievance"
    assert _rows(db, testimony, "E5") == {"company_grievance"}


def test_a_single_place_ticked_is_not_asked_again_and_is_recorded_as_the_main_one(client, db, setting):
    consultation, instrument = setting
    answers = full_answers(F1="no", F3=None, E1=["company_grievance"], E5=None)
    seen, html = _answer_pages(client, _start(client, "en"), instrument, answers)
    assert "p_main_mechanism" not in seen
    assert "p_mechanism_rating" in seen  # the company's office is rated: the main place is known
    # The skipped page is not counted: the last page is "n of n", n the pages shown.
    assert f"Page {len(seen)} of {len(seen)}" in html[seen[-1]]
    review = client.get("/c/remedio/testimony/review").get_data(as_text=True)
    assert "Which was the main place where you complained?" in review
    client.submit("/c/remedio/testimony/review")
    testimony = db.session.scalars(select(Testimony)).one()
    assert vault.unseal(testimony, "sealed_answers")["E5"] == "company_grievance"
    assert _rows(db, testimony, "E5") == {"company_grievance"}


def test_changing_the_places_ticked_asks_the_main_place_again_among_them(client, db, setting):
    consultation, instrument = setting
    _answer_pages(client, _start(client), instrument, full_answers(F1="no", F3=None))
    # Back on "where did you complain": now only a judge.
    changed = client.submit(
        "/c/remedio/testimony/p/p_help", page_data(instrument, "p_help", {"E1": ["state_judicial"]})
    )
    assert changed.status_code == 302
    client.submit("/c/remedio/testimony/review")
    testimony = db.session.scalars(select(Testimony)).one()
    assert vault.unseal(testimony, "sealed_answers")["E5"] == "state_judicial"
    assert _rows(db, testimony, "E5") == {"state_judicial"}


def test_a_cso_says_who_it_happened_to_once(client, db, setting, create_user, create_organisation):
    consultation, instrument = setting
    cso = create_organisation("Colectivo Tierra", "cso")
    client.login(create_user("cso@colectivo.example", organisation=cso).email)
    location = _start(client, "en")
    assert location.endswith("/for-whom")
    asked = client.get(location).get_data(as_text=True)
    assert "Who did it happen to?" in asked
    # An error keeps what was typed, with a translated message.
    bad = client.submit(
        "/c/remedio/testimony/for-whom?lang=es",
        {"on_behalf_of": "family", "people_count": "cuatro", "notes": CSO_NOTE},
        form_url="/c/remedio/testimony/for-whom?lang=es",
    )
    body = bad.get_data(as_text=True)
    assert bad.status_code == 400 and "cuatro" in body and CSO_NOTE in body
    assert re.search(r'value="family"[^>]*checked|checked[^>]*value="family"', body)
    assert "Enter a whole number" not in body
    response = client.submit(
        "/c/remedio/testimony/for-whom", {"on_behalf_of": "family", "people_count": "4", "notes": CSO_NOTE}
    )
    answers = full_answers(F1="no", F3=None, E1=["ombudsman_nhri"], E5=None)
    seen, html = _answer_pages(client, response.headers["Location"], instrument, answers)
    who = html["p_for_whom"]
    assert "¿A quién le pasó?" not in who and 'name="q-B1"' not in who
    assert "¿cuántas personas fueron afectadas?" not in who and 'name="q-B2"' not in who
    assert 'name="q-B3"' in who  # the group is still asked
    assert "p_main_mechanism" not in seen
    review = client.get("/c/remedio/testimony/review").get_data(as_text=True)
    assert "¿A quién le pasó?" not in review and "A alguien de mi familia" not in review
    client.submit("/c/remedio/testimony/review")
    testimony = db.session.scalars(select(Testimony).where(Testimony.organisation_id == cso.id)).one()
    assert testimony.on_behalf_of.value == "family" and testimony.people_count == 4
    sealed = vault.unseal(testimony, "sealed_answers")
    assert sealed["B1"] == "family" and sealed["B2"] == 4 and sealed["E5"] == "ombudsman_nhri"
    assert _rows(db, testimony, "B1") == {"family"}
    assert _rows(db, testimony, "E5") == {"ombudsman_nhri"}


def test_a_cso_that_leaves_the_count_empty_records_no_count(client, db, setting, create_user, create_organisation):
    consultation, instrument = setting
    cso = create_organisation("Colectivo Tierra", "cso")
    client.login(create_user("cso@colectivo.example", organisation=cso).email)
    _start(client)
    response = client.submit("/c/remedio/testimony/for-whom", {"on_behalf_of": "community"})
    _answer_pages(client, response.headers["Location"], instrument, full_answers(F1="no", F3=None))
    client.submit("/c/remedio/testimony/review")
    testimony = db.session.scalars(select(Testimony)).one()
    sealed = vault.unseal(testimony, "sealed_answers")
    assert testimony.people_count is None and "B2" not in sealed and sealed["B1"] == "community"
