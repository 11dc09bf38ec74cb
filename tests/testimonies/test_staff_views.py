"""Moderators and officials at work: reading, redacting, deciding, tagging, messages, routes, settings."""

from __future__ import annotations

import pytest
from sqlalchemy import select

from consult.testimonies import vault
from consult.testimonies.models import (
    ExcerptStatus,
    ProtectionRoute,
    Testimony,
    TestimonyExcerpt,
    TestimonySettings,
    TestimonyStatus,
)
from tests.fixtures.testimonies import NARRATIVE, full_answers


@pytest.fixture
def desk(db, create_territory, create_consultation, create_testimony, create_user):
    territory = create_territory("antioquia", "Antioquia", "CO", enabled_languages=["es", "en"])
    consultation = create_consultation(territory, slug="remedio")
    calm, _ = create_testimony(
        consultation, full_answers(F1="no", F3=None, D6={"scale": 2, "scope": 1, "irremediability": 1})
    )
    urgent, _ = create_testimony(consultation)
    moderator = create_user("mod@antioquia.example", roles={territory: ["moderator"]})
    official = create_user("of@antioquia.example", roles={territory: ["official"]})
    return territory, consultation, calm, urgent, moderator, official


def test_the_queue_puts_urgent_testimonies_first_and_shows_no_content(client, desk):
    _territory, _consultation, calm, urgent, moderator, _official = desk
    client.login(moderator.email)
    body = client.get("/t/antioquia/testimonies/?lang=en").get_data(as_text=True)
    assert body.index(f"/testimonies/{urgent.id}") < body.index(f"/testimonies/{calm.id}")
    assert "Urgent" in body and NARRATIVE not in body


def test_a_moderator_redacts_approves_tags_and_writes(client, db, desk):
    _territory, _consultation, _calm, urgent, moderator, _official = desk
    client.login(moderator.email)
    url = f"/t/antioquia/testimonies/{urgent.id}"
    page = client.get(url + "?lang=en").get_data(as_text=True)
    assert NARRATIVE in page and "Minera Quebrada Honda S.A." in page
    assert db.session.get(Testimony, urgent.id).status == TestimonyStatus.IN_REVIEW
    # The excerpt box starts with the narrative, to be redacted in place.
    assert f"{NARRATIVE}</textarea>" in page
    too_long = "x" * 2001
    response = client.submit(url + "/excerpts?lang=en", {"excerpt-text": too_long}, form_url=url + "?lang=en")
    assert response.status_code == 400 and too_long in response.get_data(as_text=True)
    assert "Write at most 2000 characters" in response.get_data(as_text=True)
    assert (
        client.submit(
            url + "/excerpts", {"excerpt-text": "Una mina envenenó el río de una vereda."}, form_url=url
        ).status_code
        == 302
    )
    excerpt = db.session.scalars(select(TestimonyExcerpt)).one()
    missing = client.submit(
        f"{url}/excerpts/{excerpt.id}?lang=en", {f"decide-{excerpt.id}-decision": "approve"}, form_url=url
    )
    assert missing.status_code == 400 and "Give a reason." in missing.get_data(as_text=True)
    done = client.submit(
        f"{url}/excerpts/{excerpt.id}",
        {f"decide-{excerpt.id}-decision": "approve", f"decide-{excerpt.id}-reason": "Sin nombres ni lugares."},
        form_url=url,
    )
    assert done.status_code == 302
    db.session.expire_all()
    excerpt = db.session.get(TestimonyExcerpt, excerpt.id)
    # One approval is not enough (four eyes): it waits for a second, different moderator.
    assert excerpt.status == ExcerptStatus.AWAITING_SECOND and excerpt.first_approved_by_id == moderator.id
    assert excerpt.decided_by_id is None
    assert vault.unseal(db.session.get(Testimony, urgent.id), "sealed_answers")["D1"] == NARRATIVE  # original intact
    bad_theme = client.submit(url + "/themes", {"themes-themes": ["not_a_theme"]}, form_url=url)
    assert bad_theme.status_code == 400
    assert (
        client.submit(url + "/themes", {"themes-themes": ["water_sanitation", "reprisals"]}, form_url=url).status_code
        == 302
    )
    assert {t.theme for t in db.session.get(Testimony, urgent.id).themes} == {"water_sanitation", "reprisals"}
    assert client.submit(url + "/messages", {"message-text": ""}, form_url=url).status_code == 400
    assert (
        client.submit(url + "/messages", {"message-text": "Gracias por su valentía."}, form_url=url).status_code == 302
    )
    assert "Gracias por su valentía." in client.get(url).get_data(as_text=True)


def test_an_official_reads_but_does_not_moderate(client, desk):
    _territory, _consultation, _calm, urgent, _moderator, official = desk
    client.login(official.email)
    page = client.get(f"/t/antioquia/testimonies/{urgent.id}").get_data(as_text=True)
    assert NARRATIVE in page and 'name="excerpt-text"' not in page and 'name="message-text"' not in page


def test_an_official_configures_protection_routes_in_each_language(client, db, desk):
    _territory, _consultation, _calm, _urgent, _moderator, official = desk
    client.login(official.email)
    response = client.submit(
        "/t/antioquia/testimonies/routes?lang=en",
        {"name_en": "Ombudsman", "contact": "147", "position": "0"},
        form_url="/t/antioquia/testimonies/routes?lang=en",
    )
    body = response.get_data(as_text=True)
    assert response.status_code == 400 and "main language" in body and 'value="Ombudsman"' in body
    response = client.submit(
        "/t/antioquia/testimonies/routes",
        {
            "name_es": "Defensoría del Pueblo",
            "name_en": "Ombudsman's Office",
            "description_en": "Asks for protection.",
            "contact": "Línea 147",
            "position": "1",
            "is_authority": "y",
            "is_active": "y",
        },
    )
    assert response.status_code == 302
    route = db.session.scalars(select(ProtectionRoute)).one()
    assert route.name == {"es": "Defensoría del Pueblo", "en": "Ombudsman's Office"} and route.is_authority
    edit = f"/t/antioquia/testimonies/routes/{route.id}"
    assert 'value="Línea 147"' in client.get(edit).get_data(as_text=True)
    client.submit(edit, {"name_es": "Defensoría", "contact": "018000", "position": "2"})
    db.session.expire_all()
    route = db.session.get(ProtectionRoute, route.id)
    assert route.contact == "018000" and not route.is_active and route.name == {"es": "Defensoría"}


def test_an_official_sets_retention(client, db, desk):
    _territory, consultation, _calm, _urgent, _moderator, official = desk
    client.login(official.email)
    url = f"/t/antioquia/testimonies/settings/{consultation.id}"
    assert 'value="730"' in client.get(url).get_data(as_text=True)
    bad = client.submit(url + "?lang=en", {"retention_days": "10"}, form_url=url + "?lang=en")
    assert bad.status_code == 400 and "between 30 and 3650 days" in bad.get_data(as_text=True)
    nonsense = client.submit(url, {"retention_days": "mucho"})
    assert nonsense.status_code == 400
    assert client.submit(url, {"retention_days": "365", "instrument_version": ""}).status_code == 302
    assert db.session.scalars(select(TestimonySettings)).one().retention_days == 365
    assert "365" in client.get("/t/antioquia/testimonies/settings").get_data(as_text=True)
