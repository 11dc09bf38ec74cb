"""One table decides who may do what: every territory view's roles come from it, and every link on a
territory's start page is shown exactly to the people its page lets in (the others get 403)."""

from __future__ import annotations

import re

from flask import url_for

from consult.accounts.models import Role
from consult.accounts.navigation import link_roles, registered_links
from consult.accounts.permissions import CAPABILITIES, NETWORK_ADMIN, can


def _territory_views(app):
    for rule in app.url_map.iter_rules():
        view = app.view_functions[rule.endpoint]
        if getattr(view, "access", (None,))[0] == "territory":
            yield rule, view


def test_every_territory_view_admits_the_roles_of_a_capability_in_the_table(app):
    tables = {frozenset(roles) for roles in CAPABILITIES.values()}
    stray = {
        rule.rule: view.access[1] for rule, view in _territory_views(app) if frozenset(view.access[1]) not in tables
    }
    assert not stray, f"territory views whose roles are not a capability of consult/accounts/permissions.py: {stray}"
    named = [(rule.rule, view.capability) for rule, view in _territory_views(app) if getattr(view, "capability", None)]
    assert named, "no view names its capability"
    for path, capability in named:
        assert capability in CAPABILITIES, path


def _home_links(client, slug: str) -> set[str]:
    response = client.get(f"/t/{slug}/?lang=en")
    if response.status_code != 200:
        return set()
    html = response.get_data(as_text=True)
    work = html.split("Work in this territory", 1)[1] if "Work in this territory" in html else ""
    return set(re.findall(r'href="([^"]+)"', work))


def test_every_territory_link_is_shown_to_those_its_page_lets_in_and_only_to_them(
    app, client, create_territory, create_user, create_organisation
):
    territory = create_territory("salta", "Salta", "AR")
    people = {role.value: create_user(f"{role.value}@example.org", roles={territory: [role.value]}) for role in Role}
    people[NETWORK_ADMIN] = create_user("admin@example.org", is_network_admin=True)
    people["company"] = create_user(
        "company@example.org", organisation=create_organisation("Cal S.A.", "company", territory)
    )
    links = registered_links()
    assert {"responses.consultations", "testimonies.queue", "accounts.members"} <= {link.endpoint for link in links}

    for who, user in people.items():
        client.login(user.email)
        shown = _home_links(client, "salta")
        for link in links:
            with app.test_request_context():
                url = url_for(link.endpoint, territory="salta")
            allowed = who in link_roles(link.endpoint)
            status = client.get(url + "?lang=en").status_code
            assert status == (200 if allowed else 403), f"{who} on {link.endpoint}: {status}"
            assert (url in shown) == allowed, f"{who}: link to {link.endpoint} {'hidden' if allowed else 'shown'}"
        client.post("/logout", data={"csrf_token": client.csrf_token("/")})


def test_a_moderator_is_offered_the_consultations_list_it_may_open(client, create_territory, create_user):
    territory = create_territory("salta", "Salta", "AR")
    create_user("moderator@example.org", roles={territory: ["moderator"]})
    client.login("moderator@example.org")
    page = client.get("/t/salta/?lang=en").get_data(as_text=True)
    assert 'href="/t/salta/consultations"' in page
    assert client.get("/t/salta/consultations?lang=en").status_code == 200


def test_library_instruments_are_changed_by_network_administrators_only(create_territory, create_user):
    territory = create_territory("salta", "Salta", "AR")
    official = create_user("o@example.org", roles={territory: ["official"]})
    admin = create_user("a@example.org", is_network_admin=True)
    assert can(admin, None, "instruments.edit_library")
    assert not can(official, None, "instruments.edit_library")
    assert not can(official, territory, "instruments.edit_library")
    assert can(official, territory, "instruments.manage")
