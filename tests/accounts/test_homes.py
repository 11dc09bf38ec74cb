"""Each kind of account finds its work on the home page: a CSO its testimonies and the testimony form,
a company the consultations it is invited to (and answers through its invitation), staff their territories;
a person who is both sees both. Every link of a home opens."""

from __future__ import annotations

import re
from datetime import date, timedelta

from sqlalchemy import select

DEMO_PASSWORD = "consult-demo-2026"


def section(html: str, name: str) -> str:
    """The home page's section whose heading has id ``home-<name>`` ('' when absent)."""
    match = re.search(rf'<section aria-labelledby="home-{name}">(.*?)</section>', html, re.S)
    return match.group(1) if match else ""


def hrefs(html: str) -> list[str]:
    return re.findall(r'href="([^"]+)"', html)


def text(html: str) -> str:
    return re.sub(r"\s+", " ", re.sub(r"<[^>]+>", " ", html))


def home(client) -> str:
    response = client.get("/?lang=en")
    assert response.status_code == 200
    return response.get_data(as_text=True)


def log_out(client) -> None:
    client.post("/logout", data={"csrf_token": client.csrf_token("/")})


def test_each_demo_account_finds_its_work_on_its_home_and_every_link_opens(app, db, client):
    from consult.demo import seed_demo
    from consult.responses.models import Consultation

    seed_demo()
    antioquia = db.session.scalar(select(Consultation).where(Consultation.slug == "riesgos-antioquia-2026"))

    # A CSO: no "no role" dead end; its testimonies and the testimony form of Antioquia's open consultation
    client.login("cso@demo.consult.example", DEMO_PASSWORD)
    page = home(client)
    assert "You have no role in any territory yet" not in page
    assert section(page, "territories") == ""
    cso = section(page, "cso")
    assert "Corporación Jurídica Río Claro" in cso
    assert f"/c/{antioquia.slug}/testimony" in hrefs(cso)
    assert "/cso/testimonies" in hrefs(cso)
    assert any(re.fullmatch(r"/cso/testimonies/\d+", href) for href in hrefs(cso))
    assert "Testimony form: Consultation on business and human rights in Antioquia 2026" in text(cso)
    for href in hrefs(cso):
        assert client.get(href + "?lang=en").status_code == 200, href
    log_out(client)

    # A company of Antioquia: the consultation it is invited to, and answering through its own invitation
    client.login("empresa1@demo.consult.example", DEMO_PASSWORD)
    page = home(client)
    assert "You have no role in any territory yet" not in page
    company = section(page, "organisation")
    assert "Minera del Nordeste S.A.S." in company
    assert "Consultations you are invited to answer" in text(company)
    assert "Consultation on business and human rights in Antioquia 2026" in text(company)
    assert "Salta" not in text(company)
    action = re.search(r'<form method="post" action="([^"]+)"', company).group(1)
    for href in hrefs(company):
        assert client.get(href + "?lang=en").status_code == 200, href
    answered = client.submit(action, form_url="/?lang=en")
    assert answered.status_code == 302 and answered.headers["Location"].endswith(f"/c/{antioquia.slug}/")
    landing = client.get(f"/c/{antioquia.slug}/?lang=en").get_data(as_text=True)
    assert "Large company" in text(landing)
    log_out(client)

    # The company of Salta sees Salta's consultation, not Antioquia's, and cannot use Antioquia's company invitation
    client.login("empresa2@demo.consult.example", DEMO_PASSWORD)
    company = section(home(client), "organisation")
    assert "Agroindustrias del Valle de Lerma S.A." in company
    assert "Consultation on business and human rights in Salta 2026" in text(company)
    assert "Antioquia" not in text(company)
    assert client.submit(action, form_url="/?lang=en").status_code == 404
    log_out(client)

    # Staff keep their territories, and see no organisation's section
    client.login("moderator.antioquia@demo.consult.example", DEMO_PASSWORD)
    page = home(client)
    assert "/t/antioquia/" in hrefs(section(page, "territories"))
    assert section(page, "cso") == "" and section(page, "organisation") == ""


def test_a_person_who_is_staff_and_a_csos_account_sees_both(
    client, create_territory, create_user, create_organisation, create_consultation, create_testimony, db
):
    territory = create_territory("salta", "Salta", "AR")
    organisation = create_organisation("Red de Defensoras", "cso", territory)
    consultation = create_consultation(territory)
    testimony, _code = create_testimony(
        consultation, organisation=organisation, cso={"on_behalf_of": "family", "people_count": 4, "notes": ""}
    )
    create_user("both@example.org", roles={territory: ["analyst"]}, organisation=organisation)
    client.login("both@example.org")
    page = home(client)
    assert "/t/salta/" in hrefs(section(page, "territories"))
    cso = section(page, "cso")
    assert f"/cso/testimonies/{testimony.id}" in hrefs(cso)
    assert f"/c/{consultation.slug}/testimony" in hrefs(cso)


def test_a_company_told_why_it_cannot_answer_and_whom_to_ask(
    client, create_territory, create_user, create_organisation, create_consultation, create_invitation, db
):
    from consult.responses import invitations

    territory = create_territory("salta", "Salta", "AR")
    company = create_organisation("Cal del Norte S.A.", "company", territory)
    consultation = create_consultation(territory)
    withdrawn, _token = create_invitation(consultation, organisation=company)
    invitations.revoke(withdrawn)
    db.session.commit()
    create_user("oficial@salta.example", "Olga Oficial", roles={territory: ["official"]})
    create_user("empresa@example.org", organisation=company)

    client.login("empresa@example.org")
    company_section = section(home(client), "organisation")
    assert (
        "You cannot answer through this invitation now: This invitation link has been withdrawn by the organisers."
        in text(company_section)
    )
    assert "Olga Oficial" in company_section and "mailto:oficial@salta.example" in company_section
    assert "<form" not in company_section
    # Posting anyway is refused with the reason, back on the home page
    refused = client.submit(f"/account/invitations/{withdrawn.id}/answer", form_url="/?lang=en", follow_redirects=True)
    assert "This invitation link has been withdrawn by the organisers." in refused.get_data(as_text=True)

    # An expired one says so too (its last day passed)
    expired, _token = create_invitation(consultation, organisation=company, expires_on=date.today())
    expired.expires_on = date.today() - timedelta(days=1)
    db.session.commit()
    assert "This invitation link has expired." in text(section(home(client), "organisation"))


def test_an_organisation_without_work_yet_is_told_what_comes_next(
    client, create_territory, create_user, create_organisation
):
    territory = create_territory("salta", "Salta", "AR")
    company = create_organisation("Sin Invitación S.A.", "company", territory)
    create_user("nueva@example.org", organisation=company)
    client.login("nueva@example.org")
    company_section = section(home(client), "organisation")
    assert "No consultation has invited your organisation yet." in text(company_section)
    assert "You have no role in any territory yet" not in home(client)


def test_a_consultation_title_in_another_language_is_marked_with_it(
    client, create_territory, create_user, create_organisation, create_consultation, remedy_version, db
):
    territory = create_territory("salta", "Salta", "AR")
    organisation = create_organisation("Red de Defensoras", "cso", territory)
    consultation = create_consultation(territory)
    consultation.title = {"es": "Consulta sólo en español"}
    db.session.commit()
    create_user("red@example.org", organisation=organisation)
    client.login("red@example.org")
    cso = section(home(client), "cso")
    assert 'Testimony form: <span lang="es">Consulta sólo en español</span>' in cso
