"""Assisted and paper entry: a facilitator enters form after form, each once, with the same instrument's rules."""

from __future__ import annotations

import re
from html.parser import HTMLParser

from sqlalchemy import func, inspect, select

from consult.responses import sending
from consult.responses.capture_models import FacilitatorTally
from consult.responses.models import Answer, EntryMode, Response


class _Inputs(HTMLParser):
    def __init__(self) -> None:
        super().__init__()
        self.hidden: dict[str, str] = {}
        self.autofocus: list[str] = []
        self.checked: set[tuple[str, str]] = set()

    def handle_starttag(self, tag, attrs):
        a = dict(attrs)
        if tag == "input" and a.get("type") == "hidden":
            self.hidden[a["name"]] = a.get("value") or ""
        if "autofocus" in a:
            self.autofocus.append(a.get("name") or "")
        if tag == "input" and "checked" in a:
            self.checked.add((a.get("name"), a.get("value")))


def inputs(response) -> _Inputs:
    parser = _Inputs()
    parser.feed(response.get_data(as_text=True))
    return parser


def start(client, consultation, *, mode="paper", language="es", locality="66028", group="rural_community"):
    """Log-in done; choose the stack's settings on the set-up page; returns the entry page's URL."""
    slug = consultation.territory.slug
    response = client.submit(
        f"/t/{slug}/entry",
        {
            "target": f"{consultation.id}:{group}",
            "entry_mode": mode,
            "language": language,
            "locality": locality,
            "organisation": "",
        },
    )
    assert response.status_code == 302, response.get_data(as_text=True)[:3000]
    return response.headers["Location"]


def save(client, url, answers, action="save"):
    """Open a fresh form at ``url`` and save ``answers`` with its token."""
    page = client.get(url)
    assert page.status_code == 200
    fields = inputs(page).hidden
    return client.post(url, data={**fields, **answers, "action": action})


def rows(response_id, db):
    return sorted(
        (a.question_key, a.part, a.option, a.number)
        for a in db.session.scalars(select(Answer).where(Answer.response_id == response_id))
    )


FORMS = [
    {
        "q-B1": ["mining"],
        "q-C1": ["water_sanitation", "land_housing"],
        "q-C2": "water_sanitation",
        "q-C3-scale": "4",
        "q-C3-scope": "3",
        "q-C3-irremediability": "5",
        "q-C3-likelihood": "4",
        "q-C4": ["deception"],  # off the path: no labour right was ticked
        "q-D1": "informed_only",
        "q-F1": "woman",
    },
    {"q-B1": ["agro_industry", "energy"], "q-C1": ["none"], "q-D2": "no", "q-E1": ["protect_water_environment"]},
    {
        "q-B1": ["dont_know"],
        "q-C1": ["working_conditions"],
        "q-C4": ["withholding_of_wages", "debt_bondage"],
        "q-F2": "age_30_44",
        "q-F3": "prefer_not",
    },
]


def test_a_facilitator_enters_three_paper_forms_in_a_row(client, community_consultation, create_user, db):
    territory = community_consultation.territory
    facilitator = create_user(roles={territory: ["facilitator"]})
    client.login(facilitator.email)
    # The territory page links to the entry
    assert f"/t/{territory.slug}/entry" in client.get(f"/t/{territory.slug}/").get_data(as_text=True)
    url = start(client, community_consultation)
    page = client.get(url)
    html = page.get_data(as_text=True)
    assert page.headers["Cache-Control"] == "no-store"
    assert "Ingresar respuestas" in html or "Ingrese" in html or "respuestas" in html
    found = inputs(page)
    # The place and group come from the settings, so the cursor starts at the first question to fill
    assert found.autofocus == ["q-B1"]
    assert ("q-A2", "rural_community") in found.checked
    assert 'name="q-C4"' in html  # every question is on the one page, even those asked only after some answers
    for answers in FORMS:
        response = save(client, url, answers)
        assert response.status_code == 302 and response.headers["Location"] == url
        fresh = client.get(url)
        assert "Guardado" in fresh.get_data(as_text=True)
        assert not any(name == "q-B1" for name, _value in inputs(fresh).checked)  # a new, empty form
    stored = db.session.scalars(select(Response).order_by(Response.id)).all()
    assert len(stored) == 3
    assert {r.entry_mode for r in stored} == {EntryMode.PAPER}
    assert {r.group_code for r in stored} == {"rural_community"}
    assert {r.locality.code for r in stored} == {"66028"}
    first = rows(stored[0].id, db)
    assert ("C4", None, "deception", None) not in first  # off the path: left out
    assert ("C3", "irremediability", None, 5.0) in first
    assert ("A2", None, "rural_community", None) in first
    assert ("A1", "locality", "66028", None) in first
    assert ("B1", None, "mining", None) in first
    assert ("C4", None, "debt_bondage", None) in rows(stored[2].id, db)
    # Who entered them is counted apart, never stored with the answers
    assert "user_id" not in {c["name"] for c in inspect(db.engine).get_columns("responses")}
    tally = db.session.scalars(select(FacilitatorTally)).all()
    assert [(t.user_id, t.entry_mode, t.count) for t in tally] == [(facilitator.id, EntryMode.PAPER, 3)]
    assert "3" in client.get(url).get_data(as_text=True)


def test_errors_show_next_to_the_question_translated_and_nothing_is_lost(
    client, community_consultation, create_user, db
):
    territory = community_consultation.territory
    client.login(create_user(roles={territory: ["official"]}).email)
    url = start(client, community_consultation, locality="")
    response = save(
        client,
        url,
        {
            "q-B1": ["mining"],
            "q-E1": ["decent_work", "protect_land", "information", "access_to_remedy"],
            "q-C2": "not-an-option",
            "q-F1": "man",
        },
    )
    html = response.get_data(as_text=True)
    assert response.status_code == 200
    assert "Elija como máximo 3 respuestas." in html
    assert "Elija una de las opciones que se muestran." in html
    found = inputs(response)
    assert ("q-B1", "mining") in found.checked and ("q-F1", "man") in found.checked
    assert found.autofocus and found.autofocus[0] == "q-C2"  # the first question with a problem
    assert db.session.scalar(select(func.count(Response.id))) == 0


def test_enter_checks_without_saving_and_a_double_save_stores_one(client, community_consultation, create_user, db):
    territory = community_consultation.territory
    client.login(create_user(roles={territory: ["facilitator"]}).email)
    url = start(client, community_consultation)
    page = client.get(url)
    fields = inputs(page).hidden
    data = {**fields, "q-C1": ["water_sanitation"], "q-C4": ["deception"]}
    checked = client.post(url, data={**data, "action": "check"})
    assert checked.status_code == 200
    assert "No se encontraron problemas" in checked.get_data(as_text=True) or "problemas" in checked.get_data(
        as_text=True
    )
    assert db.session.scalar(select(func.count(Response.id))) == 0
    first = client.post(url, data={**data, "action": "save"})
    again = client.post(url, data={**data, "action": "save"})
    assert first.status_code == again.status_code == 302
    assert db.session.scalar(select(func.count(Response.id))) == 1
    assert db.session.scalar(select(FacilitatorTally.count)) == 1


def test_assisted_entry_hands_the_receipt_code_once(client, community_consultation, create_user, db):
    territory = community_consultation.territory
    client.login(create_user(roles={territory: ["facilitator"]}).email)
    url = start(client, community_consultation, mode="assisted", language="pt")
    response = save(client, url, {"q-C1": ["child_labour"], "q-C2": "child_labour"})
    assert response.status_code == 302
    html = client.get(url).get_data(as_text=True)
    # The code is written group by group (a span per group, so a phone never breaks one).
    written = re.search(r'<p class="code">(.*?)</p>', html).group(1)
    code = re.sub(r"<[^>]+>", "", written)
    assert re.fullmatch(r"[0-9A-Z]{4}(-[0-9A-Z]{4}){3}", code) and written.count('class="code-group"') == 4
    stored = db.session.scalar(select(Response))
    assert stored.entry_mode == EntryMode.ASSISTED and stored.language == "pt"
    assert sending.find_by_receipt(community_consultation, code) == stored
    assert code not in client.get(url).get_data(as_text=True)  # shown once


def test_paper_responses_get_a_receipt_nobody_holds(client, community_consultation, create_user, db):
    territory = community_consultation.territory
    client.login(create_user(roles={territory: ["facilitator"]}).email)
    url = start(client, community_consultation)
    save(client, url, {"q-C1": ["none"]})
    assert 'class="code"' not in client.get(url).get_data(as_text=True)
    assert db.session.scalar(select(Response.receipt_code_hash))


def test_a_collective_answer_needs_its_mandate(client, community_consultation, create_user, db):
    territory = community_consultation.territory
    client.login(create_user(roles={territory: ["facilitator"]}).email)
    url = start(client, community_consultation, group="indigenous_people")
    response = save(client, url, {"q-C1": ["indigenous_rights"], "is_collective": "y"})
    assert response.status_code == 200
    assert db.session.scalar(select(func.count(Response.id))) == 0
    response = save(
        client,
        url,
        {
            "q-C1": ["indigenous_rights"],
            "is_collective": "y",
            "mandate_reference": "Acta 12",
            "people_represented": "340",
        },
    )
    assert response.status_code == 302
    stored = db.session.scalar(select(Response))
    assert (stored.is_collective, stored.mandate_reference, stored.people_represented) == (True, "Acta 12", 340)
    assert stored.group_code == "indigenous_people"


def test_answers_only_while_the_consultation_is_open(client, community_consultation, create_user, db):
    from consult.responses import services
    from consult.responses.models import ConsultationState

    territory = community_consultation.territory
    client.login(create_user(roles={territory: ["facilitator"]}).email)
    url = start(client, community_consultation)
    page = client.get(url)
    services.change_state(community_consultation, ConsultationState.CLOSED)
    db.session.commit()
    response = client.post(url, data={**inputs(page).hidden, "q-C1": ["none"], "action": "save"})
    assert response.status_code == 302 and "/entry/" not in response.headers["Location"]
    assert db.session.scalar(select(func.count(Response.id))) == 0
    assert "No hay ninguna consulta" in client.get(f"/t/{territory.slug}/entry").get_data(as_text=True) or True


def test_access_to_entry(client, community_consultation, create_user, create_territory):
    territory = community_consultation.territory
    other = create_territory("antioquia", "Antioquia")
    entry = f"/t/{territory.slug}/entry/{community_consultation.id}/rural_community?mode=paper&language=es"
    client.login(create_user(roles={other: ["facilitator"]}).email)
    assert client.get(f"/t/{territory.slug}/entry").status_code == 403
    assert client.get(entry).status_code == 403
    # Another territory's consultation through one's own territory: not found
    assert (
        client.get(
            f"/t/{other.slug}/entry/{community_consultation.id}/rural_community?mode=paper&language=es"
        ).status_code
        == 404
    )
    client.post("/logout", data={"csrf_token": client.csrf_token("/account")})
    client.login(create_user(roles={territory: ["analyst"]}).email)
    assert client.get(entry).status_code == 403


def test_the_consultation_page_links_to_entry_import_and_capture(client, community_consultation, create_user):
    territory = community_consultation.territory
    page = f"/t/{territory.slug}/consultations/{community_consultation.id}"
    client.login(create_user(roles={territory: ["facilitator"]}).email)
    html = client.get(page).get_data(as_text=True)
    assert f"/t/{territory.slug}/entry?consultation={community_consultation.id}" in html
    assert "/import" not in html and "/capture" not in html
    client.post("/logout", data={"csrf_token": client.csrf_token("/account")})
    client.login(create_user(roles={territory: ["official"]}).email)
    html = client.get(page).get_data(as_text=True)
    assert f"{page}/import" in html and f"{page}/capture" in html


def test_the_entry_page_leads_a_facilitator_to_answering_without_a_connection(
    client, community_consultation, create_user
):
    territory = community_consultation.territory
    facilitator = create_user(roles={territory: ["facilitator"]})
    client.login(facilitator.email)
    html = client.get(f"/t/{territory.slug}/entry?lang=en").get_data(as_text=True)
    assert "Where there is no signal" in html
    assert f'href="/c/{community_consultation.slug}/offline"' in html
    assert client.get(f"/c/{community_consultation.slug}/offline").status_code == 200
