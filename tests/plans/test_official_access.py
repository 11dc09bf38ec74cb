"""Who may open the officials' plan pages: officials change, analysts read, everyone else is kept out."""

from __future__ import annotations

import pytest


def _urls(plan):
    t = plan.territory.slug
    base = f"/t/{t}/plans/{plan.id}"
    action, priority, section = plan.actions[0], plan.priorities[0], plan.sections[0]
    link = action.evidence[0]
    reads = [
        f"/t/{t}/plans",
        f"/t/{t}/consultations/{plan.consultation_id}/plan",
        base,
        f"{base}/versions",
        f"{base}/compare?a=1&b=1",
    ]
    edit_pages = [
        f"{base}/sections/{section.key}",
        f"{base}/priorities/{priority.id}",
        f"{base}/actions/{action.id}",
        f"{base}/actions/{action.id}/drop",
        f"{base}/priorities/{priority.id}/drop",
        f"{base}/actions/new",
    ]
    posts = edit_pages + [
        f"/t/{t}/consultations/{plan.consultation_id}/plan",
        f"{base}/priorities/{priority.id}/restore",
        f"{base}/actions/{action.id}/restore",
        f"{base}/priorities/{priority.id}/move",
        f"{base}/actions/{action.id}/move",
        f"{base}/actions/{action.id}/evidence",
        f"{base}/actions/{action.id}/evidence/{link.id}/remove",
        f"{base}/regenerate",
        f"{base}/languages",
        f"{base}/publish",
        f"{base}/adopt",
        f"{base}/monitor",
    ]
    return reads, edit_pages, posts


def test_official_reads_and_opens_every_edit_page(client, hand_plan):
    plan, official = hand_plan
    reads, edit_pages, _ = _urls(plan)
    client.login(official.email)
    for url in reads + edit_pages:
        response = client.get(url)
        assert response.status_code in (200, 302), (url, response.status_code)
    page = client.get(reads[2] + "?lang=en").get_data(as_text=True)
    # Evidence sentences, and an action without evidence says so.
    assert "pregunta Q1, comunidades rurales (n=12)" in page
    assert "No evidence cited" in page[page.index("Intérpretes en la Defensoría") :]
    # Other helpers' pages are linked only when they exist and when what they show exists.
    assert f"/plans/{plan.id}/comments" not in page and "/plan/progress" not in page
    # The consultation's plan home leads to the plan once one exists.
    assert client.get(reads[1]).headers["Location"].endswith(f"/plans/{plan.id}")


def test_analyst_reads_but_changes_nothing(client, hand_plan, create_user, db):
    plan, _ = hand_plan
    analyst = create_user(roles={plan.territory: ["analyst"]})
    reads, edit_pages, posts = _urls(plan)
    client.login(analyst.email)
    for url in reads:
        response = client.get(url, follow_redirects=True)
        assert response.status_code == 200, url
    page = client.get(f"/t/{plan.territory.slug}/plans/{plan.id}?lang=en").get_data(as_text=True)
    assert "Programa de inspección" in page
    assert "/sections/" not in page and "Publish for comment" not in page
    token = client.csrf_token(f"/t/{plan.territory.slug}/plans")  # any page has the session's token
    for url in edit_pages:
        assert client.get(url).status_code == 403, url
    for url in posts:
        assert client.post(url, data={"csrf_token": token, "direction": "up", "reason": "x"}).status_code == 403, url
    assert plan.version == 1


@pytest.mark.parametrize("who", ["other_official", "company", "cso"])
def test_outsiders_are_kept_out(client, hand_plan, create_user, create_territory, create_organisation, who):
    plan, _ = hand_plan
    if who == "other_official":
        other = create_territory("elsewhere")
        person = create_user(roles={other: ["official"]})
        # Same pages under their own territory: the plan is not there.
        base = f"/t/{other.slug}/plans/{plan.id}"
        client.login(person.email)
        for url in (
            base,
            f"{base}/versions",
            f"{base}/sections/mandate",
            f"{base}/actions/{plan.actions[0].id}",
            f"/t/{other.slug}/consultations/{plan.consultation_id}/plan",
        ):
            assert client.get(url).status_code == 404, url
        token = client.csrf_token(f"/t/{other.slug}/plans")
        assert client.post(f"{base}/publish", data={"csrf_token": token}).status_code == 404
        assert client.get(f"/t/{plan.territory.slug}/plans/{plan.id}").status_code == 403
        return
    organisation = create_organisation("Empresa" if who == "company" else "Colectivo", kind=who)
    person = create_user(organisation=organisation)
    client.login(person.email)
    reads, edit_pages, _ = _urls(plan)
    for url in reads + edit_pages:
        assert client.get(url).status_code in (403, 404), url


def test_anonymous_is_sent_to_login(client, hand_plan):
    plan, _ = hand_plan
    reads, edit_pages, posts = _urls(plan)
    for url in reads + edit_pages:
        response = client.get(url)
        assert response.status_code == 302 and "/login" in response.headers["Location"], url
    for url in posts:
        # Without a session there is no CSRF token either: refused before anything changes.
        assert client.post(url, data={}).status_code in (302, 400), url
    assert plan.version == 1


def test_territory_page_and_consultation_page_link_to_the_plan(client, hand_plan):
    plan, official = hand_plan
    client.login(official.email)
    home = client.get(f"/t/{plan.territory.slug}/?lang=en").get_data(as_text=True)
    assert f"/t/{plan.territory.slug}/plans" in home and "Action plans" in home
    detail = client.get(f"/t/{plan.territory.slug}/consultations/{plan.consultation_id}?lang=en").get_data(as_text=True)
    assert "Open the action plan" in detail and "Draft the action plan" not in detail


def test_consultation_page_says_draft_only_to_who_can_draft(client, create_consultation, create_user, db):
    from consult.responses.models import ConsultationState

    consultation = create_consultation(state="closed")
    official = create_user(roles={consultation.territory: ["official"]})
    analyst = create_user(roles={consultation.territory: ["analyst"]})
    url = f"/t/{consultation.territory.slug}/consultations/{consultation.id}?lang=en"
    client.login(official.email)
    assert "action plan" not in client.get(url).get_data(as_text=True)  # closed: no plan can be drafted yet
    consultation.state = ConsultationState.ANALYSED
    db.session.commit()
    assert "Draft the action plan" in client.get(url).get_data(as_text=True)
    client.login(analyst.email)
    page = client.get(url).get_data(as_text=True)
    assert "Draft the action plan" not in page and "Open the action plan" not in page
