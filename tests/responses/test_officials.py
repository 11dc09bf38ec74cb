"""Officials' consultation screens: create, groups, open, targets, invitation links and their sheets."""

from __future__ import annotations

import re

import pytest
from sqlalchemy import select

from consult.responses.models import Consultation, ConsultationState, Invitation


@pytest.fixture
def salta(create_territory, db):
    from consult.accounts.services import import_localities

    territory = create_territory("salta", "Salta", "AR", enabled_languages=["es", "en", "pt", "qu"])
    import_localities(territory, "code,name,area\n66028,Cafayate,Valles\n")
    db.session.commit()
    return territory


@pytest.fixture
def official(salta, create_user, client):
    user = create_user("oficial@salta.example", roles={salta: ["official"]})
    client.login(user.email)
    return user


def _new(client, **overrides):
    data = {
        "slug": "riesgos-2026",
        "organiser": "Gobierno de Salta",
        "languages": ["es", "qu"],
        "fallback_language": "es",
        "title_es": "Riesgos 2026",
        "purpose_es": "Para el plan.",
        "title_qu": "",
        "opens_on": "",
        "closes_on": "",
        "small_cell_threshold": "5",
    }
    data.update(overrides)
    return client.submit("/t/salta/consultations/new?lang=en", data)


def test_an_official_creates_a_consultation_and_bad_input_is_kept(official, client, db):
    html = _new(client, slug="Bad Slug!", title_es="Mi título").get_data(as_text=True)
    assert "The short name needs 3 to 64 lowercase letters" in html and 'value="Mi título"' in html
    html = _new(client, opens_on="2026-05-01", closes_on="2026-04-01").get_data(as_text=True)
    assert "The closing date must not be before the opening date." in html
    html = _new(client, small_cell_threshold="many").get_data(as_text=True)
    assert "Write a whole number, for example 25." in html
    response = _new(client)
    assert response.status_code == 302 and "/groups" in response.headers["Location"]
    consultation = db.session.scalar(select(Consultation))
    assert (consultation.slug, consultation.languages, consultation.title) == (
        "riesgos-2026",
        ["es", "qu"],
        {"es": "Riesgos 2026"},
    )


def test_groups_opening_and_the_lifecycle_from_the_screens(official, client, create_version, make_definition, db):
    version = create_version(
        make_definition([{"key": "Q1", "type": "short_text", "text": {"es": "¿?", "en": "?", "pt": "?"}}])
    )
    _new(client)
    consultation = db.session.scalar(select(Consultation))
    base = f"/t/salta/consultations/{consultation.id}"
    page = client.get(f"{base}/groups?lang=en").get_data(as_text=True)
    assert "shared library" in page
    html = client.submit(
        f"{base}/groups?lang=en", {"group_code": "cso", "instrument_version": "999", "target": "-3"}
    ).get_data(as_text=True)
    assert "Write a number of 0 or more." in html
    response = client.submit(
        f"{base}/groups",
        {"group_code": "cso", "instrument_version": str(version.id), "target": "40", "is_invitation_only": ""},
    )
    assert response.status_code == 302
    detail = client.get(f"{base}?lang=en").get_data(as_text=True)
    assert "Civil society organisation" in detail and "40" in detail and "Move to: Open for answers" in detail
    response = client.submit(f"{base}/state", {"state": "open"}, form_url=f"{base}?lang=en")
    db.session.refresh(consultation)
    db.session.refresh(version)
    assert consultation.state == ConsultationState.OPEN and version.is_frozen
    # An impossible move is refused with a message, not an error page.
    response = client.submit(f"{base}/state?lang=en", {"state": "monitoring"}, form_url=base)
    assert response.status_code == 302
    assert "cannot go from" in client.get(f"{base}?lang=en").get_data(as_text=True)
    db.session.refresh(consultation)
    assert consultation.state == ConsultationState.OPEN
    # Locality targets.
    targets = client.get(f"{base}/targets?lang=en").get_data(as_text=True)
    assert "Cafayate" in targets
    locality_id = re.search(r'<option value="(\d+)">Cafayate', targets).group(1)
    assert (
        client.submit(f"{base}/targets", {"group_code": "cso", "locality": locality_id, "target": "12"}).status_code
        == 302
    )
    assert consultation.locality_targets[0].target == 12


def test_an_invitation_sheet_shows_the_link_once_and_reissue_replaces_it(
    official, client, salta, create_consultation, db
):
    consultation = create_consultation(salta)
    base = f"/t/salta/consultations/{consultation.id}"
    response = client.submit(
        f"{base}/invitations",
        {
            "group_code": "rural_community",
            "organisation": "",
            "label": "Asamblea Cafayate",
            "expires_on": "",
            "max_uses": "30",
        },
    )
    assert response.status_code == 302
    sheet = client.get(response.headers["Location"] + "?lang=en")
    assert sheet.headers["Cache-Control"] == "no-store"
    html = sheet.get_data(as_text=True)
    url = re.search(r'<p class="code">(http[^<]+)</p>', html).group(1)
    assert "<svg" in html and 'role="img"' in html and f"/c/{consultation.slug}/i/" in url
    token = url.rsplit("/", 1)[1]
    invitation = db.session.scalar(select(Invitation))
    assert token not in str(invitation.__dict__)
    # Shown once.
    again = client.get(response.headers["Location"] + "?lang=en").get_data(as_text=True)
    assert token not in again and "already been shown" in again
    # The link works for a respondent.
    assert client.application.test_client().get(f"/c/{consultation.slug}/i/{token}").status_code == 302
    # Re-issue: a new address, the old one no longer works.
    reissued = client.submit(f"{base}/invitations/{invitation.id}/reissue", {}, form_url=f"{base}/invitations")
    new_html = client.get(reissued.headers["Location"]).get_data(as_text=True)
    new_token = re.search(r'<p class="code">http[^<]+/i/([^<]+)</p>', new_html).group(1)
    assert new_token != token
    respondent = client.application.test_client()
    assert respondent.get(f"/c/{consultation.slug}/i/{token}").status_code == 404
    assert respondent.get(f"/c/{consultation.slug}/i/{new_token}").status_code == 302
    # Revoke.
    client.submit(f"{base}/invitations/{invitation.id}/revoke", {}, form_url=f"{base}/invitations")
    assert respondent.get(f"/c/{consultation.slug}/i/{new_token}").status_code == 410
    listing = client.get(f"{base}/invitations?lang=en").get_data(as_text=True)
    assert "Withdrawn" in listing and "Asamblea Cafayate" in listing


def test_the_public_sheet_prints_the_open_link(official, client, salta, create_consultation):
    consultation = create_consultation(salta)
    html = client.get(f"/t/salta/consultations/{consultation.id}/sheet").get_data(as_text=True)
    assert "<svg" in html and f"/c/{consultation.slug}/" in html


def test_analysts_see_the_list_but_cannot_set_up(salta, create_user, client, create_consultation):
    consultation = create_consultation(salta)
    analyst = create_user("analista@salta.example", roles={salta: ["analyst"]})
    client.login(analyst.email)
    listing = client.get("/t/salta/consultations?lang=en").get_data(as_text=True)
    assert "Test consultation" in listing and "New consultation" not in listing
    assert client.get(f"/t/salta/consultations/{consultation.id}").status_code == 200
    assert client.get("/t/salta/consultations/new").status_code == 403
    assert client.get(f"/t/salta/consultations/{consultation.id}/invitations").status_code == 403


def test_another_territorys_consultation_is_not_found(
    salta, create_territory, create_user, client, create_consultation
):
    other = create_territory("jujuy", "Jujuy", "AR")
    foreign = create_consultation(other)
    user = create_user("oficial2@salta.example", roles={salta: ["official"]})
    client.login(user.email)
    assert client.get(f"/t/salta/consultations/{foreign.id}").status_code == 404
    assert client.get(f"/t/salta/consultations/{foreign.id}/invitations").status_code == 404


def test_editing_keeps_the_public_address_once_open(official, client, salta, create_consultation, db):
    consultation = create_consultation(salta, languages=("es", "en"))
    url = f"/t/salta/consultations/{consultation.id}/edit"
    form = client.get(url + "?lang=en").get_data(as_text=True)
    assert 'value="Consulta de prueba"' in form and 'value="Test consultation"' in form
    data = {
        "slug": "otro-nombre",
        "organiser": "Gobierno",
        "languages": ["es", "en"],
        "fallback_language": "es",
        "title_es": "Nuevo título",
        "title_en": "New title",
        "purpose_es": "",
        "purpose_en": "",
        "opens_on": "",
        "closes_on": "",
        "small_cell_threshold": "7",
    }
    html = client.submit(url + "?lang=en", data).get_data(as_text=True)
    assert "The short name cannot change once the consultation has opened." in html and 'value="Nuevo título"' in html
    data["slug"] = consultation.slug
    assert client.submit(url, data).status_code == 302
    db.session.refresh(consultation)
    assert (consultation.title["es"], consultation.small_cell_threshold) == ("Nuevo título", 7)
