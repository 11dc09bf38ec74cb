"""The action library pages: network admins add, edit and switch actions; officials and analysts read."""

from __future__ import annotations

import html

import pytest

from consult.plans import library
from consult.plans.models import LibraryAction, Pillar


@pytest.fixture
def people(create_territory, create_user):
    salta = create_territory("salta", "Salta", "AR")
    return {
        "admin": create_user("admin@network.example", is_network_admin=True),
        "official": create_user("official@salta.example", roles={salta: ["official"]}),
        "analyst": create_user("analyst@salta.example", roles={salta: ["analyst"]}),
        "facilitator": create_user("facilitator@salta.example", roles={salta: ["facilitator"]}),
    }


def _form(**overrides):
    data = {
        "code": "radio_remedy_spots",
        "pillar": "remedy",
        "rights": ["water_sanitation", "indigenous_rights"],
        "barriers": ["unaware"],
        "sectors": ["mining"],
        "ungp_principles": "25, 31",
        "sdg_targets": ["16.10"],
        "gender_marker": "1",
        "indicator_unit": "spots",
        "title_es": "Cuñas radiales sobre cómo reclamar",
        "description_es": "Cuñas en radios comunitarias explican dónde reclamar.",
        "indicator_es": "Cuñas emitidas",
        "lead_entity_es": "Secretaría de Gobierno",
        "partners_es": "Radios comunitarias",
        "title_en": "Radio spots on how to complain",
        "description_en": "Spots on community radio explain where to complain.",
        "indicator_en": "Spots broadcast",
        "lead_entity_en": "Government secretariat",
        "partners_en": "Community radio stations",
        "title_pt": "Spots de rádio sobre como reclamar",
        "description_pt": "Spots em rádios comunitárias explicam onde reclamar.",
        "indicator_pt": "Spots veiculados",
        "lead_entity_pt": "Secretaria de Governo",
        "partners_pt": "Rádios comunitárias",
    }
    data.update(overrides)
    return data


def _text(response) -> str:
    return html.unescape(response.get_data(as_text=True))


def test_network_admin_adds_an_action_shown_in_spanish_and_english(client, people, db):
    client.login(people["admin"].email)
    response = client.submit("/library/actions/new?lang=es", _form())
    assert response.status_code == 302, _text(response)[:3000]
    entry = db.session.query(LibraryAction).filter_by(code="radio_remedy_spots").one()
    assert entry.is_shipped is False and entry.is_active and entry.pillar == Pillar.REMEDY
    assert entry.rights == ["water_sanitation", "indigenous_rights"] and entry.ungp_principles == ["25", "31"]
    assert entry.created_by_id == people["admin"].id
    assert entry.texts["pt"]["title"] == "Spots de rádio sobre como reclamar"

    page = _text(client.get("/library/actions?lang=es&pillar=remedy"))
    assert "Cuñas radiales sobre cómo reclamar" in page and "Radio spots" not in page
    assert "Intérpretes de lenguas indígenas en la Defensoría del Pueblo" in page  # shipped ones too
    page = _text(client.get("/library/actions?lang=en&right=indigenous_rights"))
    assert "Radio spots on how to complain" in page and "Spots broadcast (spots)" in page
    assert "Indigenous language interpreters at the ombudsman's office" in page
    assert "Inspection programme for water sources" not in page  # filtered out: not an indigenous-rights action
    assert 'href="/library/actions/radio_remedy_spots/edit"' in page

    # Edit, then switch off and on again.
    response = client.submit("/library/actions/radio_remedy_spots/edit?lang=en", _form(title_en="Radio spots, edited"))
    assert response.status_code == 302
    assert "Radio spots, edited" in _text(client.get("/library/actions?lang=en"))
    client.submit("/library/actions/radio_remedy_spots/active", {"active": "0"}, form_url="/library/actions")
    assert db.session.query(LibraryAction).filter_by(code="radio_remedy_spots").one().is_active is False
    assert "radio_remedy_spots" not in [a.code for a in library.propose(["water_sanitation"])]
    client.submit("/library/actions/radio_remedy_spots/active", {"active": "1"}, form_url="/library/actions")
    assert db.session.query(LibraryAction).filter_by(code="radio_remedy_spots").one().is_active is True


def test_switching_off_a_shipped_action_survives_reloading_the_library(client, people, db):
    client.login(people["admin"].email)
    client.get("/library/actions")
    client.submit("/library/actions/water_inspection_programme/active", {"active": "0"}, form_url="/library/actions")
    page = _text(client.get("/library/actions?lang=en&pillar=protect"))
    assert "Switched off: not proposed" in page
    assert library.get_by_code("water_inspection_programme").is_active is False
    # A shipped action is not edited in place: the edit address opens the add form pre-filled.
    response = client.get("/library/actions/water_inspection_programme/edit?lang=en")
    assert response.status_code == 302 and "from=water_inspection_programme" in response.headers["Location"]
    page = _text(client.get("/library/actions/new?lang=en&from=water_inspection_programme"))
    assert "Inspection programme for water sources near business operations" in page


@pytest.mark.parametrize("who", ["official", "analyst"])
def test_staff_read_the_library_but_cannot_change_it(client, people, who):
    client.login(people[who].email)
    page = _text(client.get("/library/actions?lang=en"))
    assert "Action library" in page and "Mobile legal clinics in rural areas" in page
    assert "/library/actions/new" not in page and "Switch off" not in page
    assert client.get("/library/actions/new").status_code == 403
    assert client.get("/library/actions/legal_aid_fund/edit").status_code == 403
    response = client.submit("/library/actions/legal_aid_fund/active", {"active": "0"}, form_url="/library/actions")
    assert response.status_code == 403
    assert library.get_by_code("legal_aid_fund").is_active is True


def test_other_people_are_kept_out(client, people):
    response = client.get("/library/actions")
    assert response.status_code == 302 and "/login" in response.headers["Location"]
    response = client.get("/library/actions/new")
    assert response.status_code == 302 and "/login" in response.headers["Location"]
    client.login(people["facilitator"].email)
    assert client.get("/library/actions").status_code == 403


def test_a_bad_form_keeps_what_was_typed_and_says_what_is_wrong(client, people, db):
    client.login(people["admin"].email)
    response = client.submit("/library/actions/new?lang=en", _form(description_pt="", ungp_principles="25"))
    assert response.status_code == 200
    page = _text(response)
    assert "Write this text in every language (Spanish, English and Portuguese)." in page
    assert (
        'value="Cuñas radiales sobre cómo reclamar"' in page
        and "Spots on community radio explain where to complain." in page
    )
    assert 'value="radio_remedy_spots"' in page
    assert db.session.query(LibraryAction).filter_by(code="radio_remedy_spots").count() == 0

    page = _text(client.submit("/library/actions/new?lang=en", _form(ungp_principles="3, 25")))
    assert "These Guiding Principles belong to another pillar: 3." in page and 'value="3, 25"' in page
    page = _text(client.submit("/library/actions/new?lang=es", _form(code="Con Espacios")))
    assert 'value="Con Espacios"' in page and "Con Espacios" not in [a.code for a in db.session.query(LibraryAction)]
    page = _text(client.submit("/library/actions/new?lang=en", _form(code="legal_aid_fund")))
    assert "Another action already uses this code." in page
    page = _text(client.submit("/library/actions/new?lang=en", _form(rights=["nonsense"], gender_marker="x")))
    assert "Unknown right: nonsense." in page
    assert client.get("/library/actions?pillar=nowhere&right=<b>").status_code == 200
    assert client.get("/library/actions/no_such_code/edit").status_code == 404
