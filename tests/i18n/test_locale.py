"""The locale chain: ?lang= → session → user preference → Accept-Language → territory default."""

from __future__ import annotations

import re


def _lang(response) -> str:
    return re.search(r'<html lang="([^"]+)"', response.get_data(as_text=True)).group(1)


def test_default_is_spanish(client):
    response = client.get("/")
    assert _lang(response) == "es"
    assert "Consultas sobre empresas y derechos humanos" in response.get_data(as_text=True)


def test_accept_language_is_followed(client):
    assert _lang(client.get("/", headers={"Accept-Language": "pt-BR,pt;q=0.9"})) == "pt"
    assert _lang(client.get("/", headers={"Accept-Language": "fr-FR, en;q=0.5"})) == "en"


def test_query_parameter_wins_and_is_remembered(client):
    response = client.get("/?lang=en", headers={"Accept-Language": "pt"})
    assert _lang(response) == "en"
    assert _lang(client.get("/login", headers={"Accept-Language": "pt"})) == "en"


def test_unknown_language_is_ignored(client):
    assert _lang(client.get("/?lang=xx")) == "es"


def test_content_language_without_catalogue_falls_back_to_spanish(client):
    response = client.get("/?lang=qu")
    assert _lang(response) == "es"
    with client.session_transaction() as session:
        assert session["lang"] == "qu"


def test_user_preference_comes_after_session(client, create_user):
    create_user("ana@example.org", preferred_language="pt")
    client.login("ana@example.org")
    assert _lang(client.get("/", headers={"Accept-Language": "en"})) == "pt"
    assert _lang(client.get("/?lang=en")) == "en"


def test_territory_default_applies_without_other_signal(client, create_territory, create_user):
    territory = create_territory("brasilia", "Brasília", "BR", default_language="pt", enabled_languages=["pt"])
    user = create_user("ana@example.org", roles={territory: ["official"]})
    client.login(user.email)
    response = client.get("/t/brasilia/", headers={"Accept-Language": ""})
    assert _lang(response) == "pt"


def test_language_switch_keeps_the_person_where_they_are(client):
    body = client.get("/login?next=/account").get_data(as_text=True)
    assert 'href="/login?next=%2Faccount&amp;lang=en"' in body
    assert 'href="/login?next=%2Faccount&amp;lang=pt"' in body
