"""Every view checks who asks: an official of Salta never sees Antioquia."""

from __future__ import annotations

import re

import pytest

from consult.accounts.models import Role

ALL_ROLES = [r.value for r in Role]


def _views(app):
    for rule in app.url_map.iter_rules():
        if rule.endpoint == "static":
            continue
        yield rule, app.view_functions[rule.endpoint]


def test_every_view_declares_its_access_rule(app):
    unguarded = [rule.rule for rule, view in _views(app) if not hasattr(view, "access")]
    assert not unguarded, f"views without an access decorator: {unguarded}"


def test_every_territory_url_uses_the_territory_decorator(app):
    for rule, view in _views(app):
        if "<territory>" in rule.rule:
            assert view.access[0] == "territory", rule.rule


@pytest.fixture
def two_territories(create_territory, create_user):
    antioquia = create_territory("antioquia", "Antioquia", "CO", subdivision_code="CO-ANT")
    salta = create_territory("salta", "Salta", "AR", subdivision_code="AR-A")
    people = {role: create_user(f"{role}@salta.example", roles={salta: [role]}) for role in ALL_ROLES}
    return antioquia, salta, people


def _sample_args(rule, territory_slug: str) -> dict:
    # Record ids in other rooms' URLs get a number that does not exist in the
    # other territory; the decorator must refuse before looking them up.
    args = {}
    for name in rule.arguments:
        args[name] = territory_slug if name == "territory" else 1
    return args


@pytest.mark.parametrize("role", ALL_ROLES)
def test_no_territory_view_opens_for_staff_of_another_territory(app, client, two_territories, role):
    antioquia, _salta, people = two_territories
    client.login(people[role].email)
    from flask import url_for

    checked = 0
    for rule, view in _views(app):
        if view.access[0] != "territory":
            continue
        for method in sorted(rule.methods - {"HEAD", "OPTIONS"}):
            with app.test_request_context():
                url = url_for(rule.endpoint, **_sample_args(rule, antioquia.slug))
            if method == "GET":
                response = client.get(url)
            else:
                response = client.submit(url, {}, form_url="/") if method == "POST" else client.open(url, method=method)
            assert response.status_code in (403, 404), f"{role} of Salta got {response.status_code} on {method} {url}"
            checked += 1
    assert checked >= 3


def test_territory_views_require_login(app, client, two_territories):
    antioquia, _salta, _people = two_territories
    from flask import url_for

    for rule, view in _views(app):
        if view.access[0] not in ("territory", "login", "admin") or "GET" not in rule.methods:
            continue
        with app.test_request_context():
            url = url_for(rule.endpoint, **_sample_args(rule, antioquia.slug))
        response = client.get(url)
        assert response.status_code == 302 and "/login" in response.headers["Location"], url


def test_admin_views_refuse_staff(app, client, two_territories):
    _antioquia, _salta, people = two_territories
    client.login(people["official"].email)
    for rule, view in _views(app):
        if view.access[0] == "admin" and "GET" in rule.methods:
            assert client.get(rule.rule).status_code == 403, rule.rule


def test_roles_are_respected_inside_the_territory(client, two_territories):
    _antioquia, salta, people = two_territories
    client.login(people["analyst"].email)
    home = client.get("/").get_data(as_text=True)
    assert 'href="/t/salta/"' in home and "/t/antioquia/" not in home
    assert client.get("/t/salta/").status_code == 200
    assert client.get("/t/salta/members").status_code == 403
    client.submit("/logout", form_url="/")
    client.login(people["official"].email)
    page = client.get("/t/salta/members").get_data(as_text=True)
    assert "official@salta.example" in page and "analyst@salta.example" in page


def test_official_gives_a_role_and_bad_input_keeps_what_was_typed(client, two_territories, db):
    _antioquia, salta, people = two_territories
    client.login(people["official"].email)
    response = client.submit(
        "/t/salta/members?lang=en",
        {"email": "new@salta.example", "name": "", "role": "moderator", "password": "", "confirm": "y"},
        form_url="/t/salta/members?lang=en",
    )
    body = response.get_data(as_text=True)
    assert "A new account needs a name and a temporary password." in body
    assert 'value="new@salta.example"' in body
    response = client.submit(
        "/t/salta/members",
        {
            "email": "new@salta.example",
            "name": "Nueva",
            "role": "moderator",
            "password": "temporary-pass-1",
            "confirm": "y",
        },
    )
    assert response.status_code == 302
    assert "new@salta.example" in client.get("/t/salta/members").get_data(as_text=True)


def test_network_admin_sees_every_territory_and_adds_one(client, create_user, two_territories):
    admin = create_user("admin@example.org", is_network_admin=True)
    client.login(admin.email)
    assert client.get("/t/antioquia/").status_code == 200
    response = client.submit(
        "/admin/territories?lang=en",
        {
            "name": "San Juan",
            "slug": "San Juan!",
            "country_code": "AR",
            "subdivision_code": "AR-J",
            "default_language": "es",
        },
        form_url="/admin/territories?lang=en",
    )
    body = response.get_data(as_text=True)
    assert "The short name may only hold lowercase letters" in body and 'value="San Juan"' in body
    response = client.submit(
        "/admin/territories",
        {
            "name": "San Juan",
            "slug": "san-juan",
            "country_code": "ar",
            "subdivision_code": "ar-j",
            "default_language": "es",
        },
    )
    assert response.status_code == 302
    assert "San Juan" in client.get("/admin/territories").get_data(as_text=True)
    assert re.search(r"AR-J", client.get("/admin/territories").get_data(as_text=True))
