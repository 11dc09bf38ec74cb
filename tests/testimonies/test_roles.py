"""Who may open what: every testimonies view × every role × a testimony of this and of another territory.

Roles: nobody logged in; the official, analyst, moderator and facilitator of
Antioquia; a network administrator; the CSO that sent a testimony, another
CSO, and a company account. Antioquia's staff are also tried on Salta's
testimony, through Antioquia's addresses (404) and Salta's (403).
"""

from __future__ import annotations

import pytest

from consult.testimonies import services
from tests.fixtures.testimonies import NARRATIVE

ROLES = ["anonymous", "official", "analyst", "moderator", "facilitator", "admin", "cso", "other_cso", "company"]
STAFF = ["official", "analyst", "moderator", "facilitator"]
EXCERPT = "Una comunidad perdió su río."
CSO_NOTES = "Llamar solo a la parroquia."


@pytest.fixture
def world(db, create_territory, create_consultation, create_testimony, create_user, create_organisation, create_route):
    antioquia = create_territory("antioquia", "Antioquia", "CO")
    salta = create_territory("salta", "Salta", "AR")
    here = create_consultation(antioquia, slug="remedio-a")
    there = create_consultation(salta, slug="remedio-b")
    people = {role: create_user(f"{role}@antioquia.example", roles={antioquia: [role]}) for role in STAFF}
    people["admin"] = create_user("admin@example.org", is_network_admin=True)
    cso = create_organisation("Colectivo Tierra", "cso")
    people["cso"] = create_user("cso@colectivo.example", organisation=cso)
    people["other_cso"] = create_user("otra@ong.example", organisation=create_organisation("Otra ONG", "cso"))
    people["company"] = create_user("rrhh@minera.example", organisation=create_organisation("Minera", "company"))
    salta_moderator = create_user("moderator@salta.example", roles={salta: ["moderator"]})
    own, _code = create_testimony(here)
    excerpt = services.propose_excerpt(own, EXCERPT, people["moderator"])
    services.decide_excerpt(excerpt, True, "Revisado.", people["moderator"])
    second_moderator = create_user("moderator2@antioquia.example", roles={antioquia: ["moderator"]})
    services.decide_excerpt(excerpt, True, "Revisado por segunda vez.", second_moderator)
    pending = services.propose_excerpt(own, "Otro pasaje.", people["moderator"])
    cso_testimony, _code = create_testimony(
        here, organisation=cso, cso={"on_behalf_of": "family", "people_count": 3, "notes": CSO_NOTES}
    )
    far, _code = create_testimony(there)
    far_excerpt = services.propose_excerpt(far, "Pasaje de Salta.", salta_moderator)
    route = create_route(antioquia)
    far_route = create_route(salta, "Defensoría de Salta")
    db.session.commit()
    return {
        "people": people,
        "ids": {
            "own": own.id,
            "far": far.id,
            "cso_t": cso_testimony.id,
            "pending": pending.id,
            "far_excerpt": far_excerpt.id,
            "route": route.id,
            "far_route": far_route.id,
            "here": here.id,
            "there": there.id,
        },
    }


# (name, method, url, data, {role: status}, text that must show when allowed). Unlisted roles: 403
# (302 to the login page when nobody is logged in).
READERS = {"official": 200, "moderator": 200}
VIEWS = [
    ("queue", "GET", "/t/antioquia/testimonies/", None, READERS, None),
    ("read", "GET", "/t/antioquia/testimonies/{own}", None, READERS, NARRATIVE),
    ("read CSO testimony", "GET", "/t/antioquia/testimonies/{cso_t}", None, READERS, CSO_NOTES),
    (
        "read another territory's testimony here",
        "GET",
        "/t/antioquia/testimonies/{far}",
        None,
        {"official": 404, "moderator": 404},
        None,
    ),
    ("read another territory's testimony there", "GET", "/t/salta/testimonies/{far}", None, {}, None),
    (
        "propose excerpt",
        "POST",
        "/t/antioquia/testimonies/{own}/excerpts",
        {"excerpt-text": "Un pasaje."},
        {"moderator": 302},
        None,
    ),
    (
        "propose excerpt elsewhere",
        "POST",
        "/t/antioquia/testimonies/{far}/excerpts",
        {"excerpt-text": "x"},
        {"moderator": 404},
        None,
    ),
    (
        "decide excerpt",
        "POST",
        "/t/antioquia/testimonies/{own}/excerpts/{pending}",
        {"decide-{pending}-decision": "reject", "decide-{pending}-reason": "Nombra a una persona."},
        {"moderator": 302},
        None,
    ),
    (
        "decide another territory's excerpt",
        "POST",
        "/t/antioquia/testimonies/{own}/excerpts/{far_excerpt}",
        {"decide-{far_excerpt}-decision": "approve", "decide-{far_excerpt}-reason": "x"},
        {"moderator": 404},
        None,
    ),
    (
        "tag themes",
        "POST",
        "/t/antioquia/testimonies/{own}/themes",
        {"themes-themes": ["water_sanitation"]},
        {"moderator": 302},
        None,
    ),
    (
        "send message",
        "POST",
        "/t/antioquia/testimonies/{own}/messages",
        {"message-text": "Hola."},
        {"moderator": 302},
        None,
    ),
    (
        "send message elsewhere",
        "POST",
        "/t/antioquia/testimonies/{far}/messages",
        {"message-text": "Hola."},
        {"moderator": 404},
        None,
    ),
    (
        "excerpts and counts",
        "GET",
        "/t/antioquia/testimonies/excerpts",
        None,
        {"official": 200, "moderator": 200, "analyst": 200},
        EXCERPT,
    ),
    ("protection routes", "GET", "/t/antioquia/testimonies/routes", None, {"official": 200}, "Defensoría del Pueblo"),
    ("edit route", "GET", "/t/antioquia/testimonies/routes/{route}", None, {"official": 200}, None),
    (
        "edit another territory's route",
        "GET",
        "/t/antioquia/testimonies/routes/{far_route}",
        None,
        {"official": 404},
        None,
    ),
    ("delete route", "POST", "/t/antioquia/testimonies/routes/{route}/delete", {}, {"official": 302}, None),
    ("settings", "GET", "/t/antioquia/testimonies/settings", None, {"official": 200}, None),
    ("edit settings", "GET", "/t/antioquia/testimonies/settings/{here}", None, {"official": 200}, None),
    (
        "edit another territory's settings",
        "GET",
        "/t/antioquia/testimonies/settings/{there}",
        None,
        {"official": 404},
        None,
    ),
    ("audit log", "GET", "/t/antioquia/testimonies/audit", None, {"official": 200}, None),
    ("CSO list", "GET", "/cso/testimonies", None, {"cso": 200, "other_cso": 200}, None),
    ("CSO read own", "GET", "/cso/testimonies/{cso_t}", None, {"cso": 200, "other_cso": 404}, CSO_NOTES),
    ("CSO read an anonymous testimony", "GET", "/cso/testimonies/{own}", None, {"cso": 404, "other_cso": 404}, None),
    (
        "CSO adds information",
        "POST",
        "/cso/testimonies/{cso_t}/add",
        {"add-text": "Más datos."},
        {"cso": 302, "other_cso": 404},
        None,
    ),
    (
        "CSO withdraws",
        "POST",
        "/cso/testimonies/{cso_t}/withdraw",
        {"withdraw-confirm": "y"},
        {"cso": 302, "other_cso": 404},
        None,
    ),
]


def _fill(template, ids):
    if isinstance(template, dict):
        return {_fill(k, ids): v for k, v in template.items()}
    return template.format(**ids)


@pytest.mark.parametrize("view", VIEWS, ids=[v[0] for v in VIEWS])
def test_each_role_gets_exactly_what_it_may(app, world, view):
    name, method, url_template, data, allowed, shown = view
    url = _fill(url_template, world["ids"])
    payload = _fill(data, world["ids"]) if data is not None else None
    for role in ROLES:
        client = app.test_client()
        if role != "anonymous":
            client.login(world["people"][role].email)
        expected = allowed.get(role, 302 if role == "anonymous" else 403)
        if method == "GET":
            response = client.get(url)
        else:
            response = client.submit(url, dict(payload), form_url="/testimony/follow-up")
        body = response.get_data(as_text=True)
        assert response.status_code == expected, f"{name}: {role} got {response.status_code}, expected {expected}"
        if expected == 302 and role == "anonymous":
            assert "/login" in response.headers["Location"]
        if response.status_code == 200:
            assert response.headers["Cache-Control"] == "no-store", f"{name}: {role}"
            if shown:
                assert shown in body, f"{name}: {role} should see {shown!r}"
        else:
            assert NARRATIVE not in body and CSO_NOTES not in body and EXCERPT not in body


def test_analysts_see_the_approved_excerpt_and_nothing_else(app, world):
    client = app.test_client()
    client.login(world["people"]["analyst"].email)
    body = client.get("/t/antioquia/testimonies/excerpts").get_data(as_text=True)
    assert EXCERPT in body
    assert "Otro pasaje." not in body  # proposed, not approved
    assert "Pasaje de Salta." not in body and NARRATIVE not in body
    # Counts below the small-cell threshold are not shown as numbers.
    assert ("oculta" in body or "hidden" in body) and "menos de 5" not in body


def test_readings_are_audited_without_content(app, db, world):
    from sqlalchemy import select

    from consult.testimonies.models import Actor, DecryptionEvent

    client = app.test_client()
    official = world["people"]["official"]
    client.login(official.email)
    client.get(f"/t/antioquia/testimonies/{world['ids']['own']}")
    event = db.session.scalars(select(DecryptionEvent).where(DecryptionEvent.user_id == official.id)).one()
    assert (
        event.testimony_id == world["ids"]["own"] and event.purpose == "moderation.read" and event.actor == Actor.STAFF
    )
    log = client.get("/t/antioquia/testimonies/audit").get_data(as_text=True)
    assert official.email in log and "moderation.read" in log and NARRATIVE not in log


JUNK = {
    "excerpt-text": "x" * 9000,
    "decide-1-decision": "maybe",
    "themes-themes": ["'; drop table"],
    "message-text": "\x00",
    "on_behalf_of": "everyone",
    "people_count": "-3",
    "notes": "n" * 5000,
    "authority": "Nadie",
    "code": "?" * 80,
    "add-code": "1",
    "add-text": "",
    "consent-code": "1",
    "consent-uses": ["all"],
    "withdraw-code": "1",
    "position": "first",
    "contact": "",
    "retention_days": "99999999999999999999",
    "instrument_version": "abc",
    "name_es": "y" * 500,
    "q-A1": ["nope"],
}


@pytest.mark.parametrize("role", ["anonymous", "moderator", "official", "cso"])
def test_junk_posted_to_every_testimonies_form_never_breaks_the_server(app, world, role):
    client = app.test_client()
    if role != "anonymous":
        client.login(world["people"][role].email)
    checked = 0
    for rule in app.url_map.iter_rules():
        if not rule.endpoint.startswith("testimonies.") or "POST" not in rule.methods:
            continue
        args = {name: world["ids"]["own"] for name in rule.arguments}
        args.update(
            {
                k: v
                for k, v in {
                    "territory": "antioquia",
                    "slug": "remedio-a",
                    "page_key": "p_about",
                    "action": "add",
                    "excerpt_id": world["ids"]["pending"],
                    "route_id": world["ids"]["route"],
                    "consultation_id": world["ids"]["here"],
                }.items()
                if k in rule.arguments
            }
        )
        url = rule.build(args)[1]
        response = client.submit(url, dict(JUNK), form_url="/testimony/follow-up")
        assert response.status_code < 500, f"{role}: {url} gave {response.status_code}"
        checked += 1
    assert checked >= 12
