"""The answering flow through the checked client: landing, group, pages, back, language, resume, send, receipt."""

from __future__ import annotations

import re

import pytest
from sqlalchemy import func, select

from consult.responses.models import Answer, Invitation, Response, ResponseDraft


def _start(client, slug: str, lang: str = "es", group: str | None = "rural_community"):
    """Open the landing page in ``lang``, start, and declare ``group``; returns the first page's URL."""
    client.get(f"/c/{slug}/?lang={lang}")
    response = client.submit(f"/c/{slug}/start", form_url=f"/c/{slug}/")
    assert response.status_code == 302 and response.headers["Location"].endswith(f"/c/{slug}/group")
    if group is None:
        return None
    response = client.submit(f"/c/{slug}/group", {"group_code": group})
    assert response.status_code == 302, response.get_data(as_text=True)[:3000]
    return response.headers["Location"]


def _page(client, slug: str, key: str, data: dict, **kwargs):
    return client.submit(f"/c/{slug}/p/{key}", data, **kwargs)


def _code(html: str) -> str:
    match = re.search(r'class="code[^"]*">(.*?)</p>', html)
    assert match, "no code on the page"
    return re.sub(r"<[^>]+>", "", match.group(1))


def test_the_landing_page_says_who_runs_it_and_that_it_is_not_a_prior_consultation(client, routed_consultation):
    html = client.get("/c/riesgos-salta/?lang=en").get_data(as_text=True)
    assert "Test consultation" in html and "Gobernación de Prueba" in html
    assert "It is not a prior consultation (consulta previa)" in html
    assert "No question is compulsory unless it is marked as required." in html
    assert 'hreflang="pt"' in html and "Start answering" in html


def test_a_draft_consultation_is_not_public(client, create_consultation):
    consultation = create_consultation(state="draft")
    assert client.get(f"/c/{consultation.slug}/").status_code == 404
    assert client.get("/c/no-such-thing/").status_code == 404


def test_a_closed_consultation_takes_no_answers(client, create_consultation):
    consultation = create_consultation(state="closed")
    html = client.get(f"/c/{consultation.slug}/?lang=en").get_data(as_text=True)
    assert "not accepting answers now" in html and "Start answering" not in html
    assert client.submit(f"/c/{consultation.slug}/start", form_url=f"/c/{consultation.slug}/receipt").status_code == 302
    assert client.get(f"/c/{consultation.slug}/group").status_code == 302


def test_answering_with_errors_back_forward_and_review(client, routed_consultation, db):
    slug = routed_consultation.slug
    first = _start(client, slug, "en")
    assert first.endswith("/p/p_first")
    page = client.get(first)
    assert page.headers["Cache-Control"] == "no-store"
    html = page.get_data(as_text=True)
    assert "2 more pages after this one" in html and "Did a company harm you?" in html and "(required)" in html
    # A required question left empty: the message is next to it, nothing moves on.
    html = _page(client, slug, "p_first", {"action": "next"}).get_data(as_text=True)
    assert (
        "Please answer this question." in html
        and "Please check your answers" in html
        and "2 more pages after this one" in html
    )
    # Answered: on to the middle page, then back keeps the answer.
    assert _page(client, slug, "p_first", {"q-Q1": "yes", "action": "next"}).headers["Location"].endswith("/p/p_middle")
    html = client.get(f"/c/{slug}/p/p_middle").get_data(as_text=True)
    assert "1 more page after this one" in html and "Cafayate" in html
    response = _page(client, slug, "p_middle", {"q-Q2": ["water"], "q-Q3-locality": "66028", "action": "back"})
    assert response.headers["Location"].endswith("/p/p_first")
    assert re.search(
        r'value="yes"[^>]*checked|checked[^>]*value="yes"', client.get(f"/c/{slug}/p/p_first").get_data(as_text=True)
    )
    html = client.get(f"/c/{slug}/p/p_middle").get_data(as_text=True)
    assert re.search(r'value="water"[^>]*checked|checked[^>]*value="water"', html)
    # A text too long: the error is translated and what was typed stays.
    _page(client, slug, "p_middle", {"q-Q2": ["water"], "action": "next"})
    html = _page(client, slug, "p_last", {"q-Q4": "x" * 45, "action": "next"}, form_url=f"/c/{slug}/p/p_last").get_data(
        as_text=True
    )
    assert "Write at most 40 characters; you wrote 45." in html and "x" * 45 in html
    response = _page(client, slug, "p_last", {"q-Q4": "Escuchar", "action": "next"})
    assert response.headers["Location"].endswith(f"/c/{slug}/review")
    html = client.get(f"/c/{slug}/review").get_data(as_text=True)
    assert "Water" in html and "Escuchar" in html and "Send my answers" in html


def test_a_page_off_the_path_is_refused(client, routed_consultation):
    slug = routed_consultation.slug
    _start(client, slug, "en")
    _page(client, slug, "p_first", {"q-Q1": "no", "action": "next"})
    response = client.get(f"/c/{slug}/p/p_middle")
    assert response.status_code == 302 and response.headers["Location"].endswith("/p/p_last")
    assert client.get(f"/c/{slug}/p/no_such_page").status_code == 302
    assert "Last page before you check your answers." in client.get(f"/c/{slug}/p/p_last").get_data(as_text=True)


def test_switching_language_keeps_the_answers_of_the_page(client, routed_consultation, db):
    slug = routed_consultation.slug
    _start(client, slug, "es")
    _page(client, slug, "p_first", {"q-Q1": "yes", "action": "next"})
    response = _page(client, slug, "p_middle", {"q-Q2": ["land"], "switch_lang": "pt"})
    assert response.headers["Location"].endswith("/p/p_middle")
    html = client.get(f"/c/{slug}/p/p_middle").get_data(as_text=True)
    assert '<html lang="pt"' in html and "Quais direitos?" in html
    assert re.search(r'value="land"[^>]*checked|checked[^>]*value="land"', html)
    assert db.session.scalar(select(ResponseDraft.language)) == "pt"


def test_an_invalid_page_switches_language_and_keeps_what_was_typed(client, routed_consultation):
    slug = routed_consultation.slug
    _start(client, slug, "es")
    _page(client, slug, "p_first", {"q-Q1": "no", "action": "next"})
    html = _page(client, slug, "p_last", {"q-Q4": "y" * 50, "switch_lang": "en"}).get_data(as_text=True)
    assert '<html lang="en"' in html and "What should the government do?" in html
    assert "Write at most 40 characters; you wrote 50." in html and "y" * 50 in html


def test_resuming_with_the_code_in_another_browser(app, client, routed_consultation):
    slug = routed_consultation.slug
    _start(client, slug, "en")
    _page(client, slug, "p_first", {"q-Q1": "yes", "action": "next"})
    response = _page(client, slug, "p_middle", {"q-Q2": ["water"], "action": "later"})
    assert response.headers["Location"].endswith(f"/c/{slug}/later")
    html = client.get(f"/c/{slug}/later").get_data(as_text=True)
    code = _code(html)
    assert "Write this code down" in html
    # Leave this device: the browser forgets the draft.
    client.submit(f"/c/{slug}/later", {})
    assert "You have answers in progress" not in client.get(f"/c/{slug}/?lang=en").get_data(as_text=True)

    other = app.test_client()
    wrong = other.submit(f"/c/{slug}/resume?lang=en", {"code": "ABCD-EFGH-JKMN"}, form_url=f"/c/{slug}/?lang=en")
    assert "No answers in progress have this code" in wrong.get_data(as_text=True)
    response = other.submit(f"/c/{slug}/resume", {"code": code.lower()}, form_url=f"/c/{slug}/")
    assert response.headers["Location"].endswith("/p/p_middle")
    html = other.get(f"/c/{slug}/p/p_middle").get_data(as_text=True)
    assert '<html lang="en"' in html and re.search(r'value="water"[^>]*checked|checked[^>]*value="water"', html)


def test_sending_twice_stores_one_response_and_the_receipt_shows_the_answers(client, routed_consultation, db):
    slug = routed_consultation.slug
    _start(client, slug, "es")
    _page(client, slug, "p_first", {"q-Q1": "yes", "action": "next"})
    _page(client, slug, "p_middle", {"q-Q2": ["water", "land"], "q-Q3-locality": "66035", "action": "next"})
    _page(client, slug, "p_last", {"q-Q4": "Agua limpia", "action": "next"})
    review = client.get(f"/c/{slug}/review").get_data(as_text=True)
    token = re.search(r'name="submission_token" value="([^"]+)"', review).group(1)
    csrf = re.search(r'name="csrf_token"[^>]*value="([^"]+)"', review).group(1)
    first = client.post(f"/c/{slug}/send", data={"csrf_token": csrf, "submission_token": token})
    again = client.post(f"/c/{slug}/send", data={"csrf_token": csrf, "submission_token": token})
    assert (
        first.headers["Location"].endswith(f"/c/{slug}/sent") and again.headers["Location"] == first.headers["Location"]
    )
    page = client.get(f"/c/{slug}/sent")
    assert page.headers["Cache-Control"] == "no-store"
    code = _code(page.get_data(as_text=True))
    assert "se muestra solo esta vez" in page.get_data(as_text=True) or "shown only this once" in page.get_data(
        as_text=True
    )
    # Shown once: a refresh does not show it again.
    assert code not in client.get(f"/c/{slug}/sent").get_data(as_text=True)
    assert db.session.scalar(select(func.count(Response.id))) == 1
    response = db.session.scalar(select(Response))
    assert (response.group_code, response.language, response.locality.name) == ("rural_community", "es", "Molinos")
    keys = sorted(db.session.scalars(select(Answer.question_key).where(Answer.response_id == response.id)))
    assert keys == ["Q1", "Q2", "Q2", "Q3", "Q3", "Q4"]
    # The receipt page, in another browser.
    html = (
        client.application.test_client()
        .submit(f"/c/{slug}/receipt?lang=en", {"code": code}, form_url=f"/c/{slug}/receipt?lang=en")
        .get_data(as_text=True)
    )
    assert "Agua limpia" in html and "Molinos" in html and "still open" in html


def test_the_receipt_page_refuses_an_unknown_code(client, routed_consultation):
    slug = routed_consultation.slug
    html = client.submit(f"/c/{slug}/receipt?lang=en", {"code": "0000-1111-2222-3333"}).get_data(as_text=True)
    assert "No response to this consultation has this receipt code" in html


def test_an_invitation_link_fixes_the_group_and_counts_its_uses(client, routed_consultation, create_invitation, db):
    slug = routed_consultation.slug
    invitation, token = create_invitation(routed_consultation, "cso", max_uses=1)
    response = client.get(f"/c/{slug}/i/{token}")
    assert response.status_code == 302 and response.headers["Location"].endswith(f"/c/{slug}/")
    html = client.get(f"/c/{slug}/?lang=en").get_data(as_text=True)
    assert "You were invited to answer as: Civil society organisation." in html
    client.submit(f"/c/{slug}/start", form_url=f"/c/{slug}/")
    # The group cannot be changed to another one.
    group_page = client.get(f"/c/{slug}/group").get_data(as_text=True)
    assert 'value="rural_community"' not in group_page
    client.submit(f"/c/{slug}/group", {"group_code": "rural_community"})
    draft = db.session.scalar(select(ResponseDraft))
    assert (draft.group_code, draft.invitation_id) == ("cso", invitation.id)
    _page(client, slug, "p_first", {"q-Q1": "no", "action": "next"})
    review = client.get(f"/c/{slug}/review").get_data(as_text=True)
    token_field = re.search(r'name="submission_token" value="([^"]+)"', review).group(1)
    client.submit(f"/c/{slug}/send", {"submission_token": token_field}, form_url=f"/c/{slug}/review")
    assert db.session.get(Invitation, invitation.id).use_count == 1
    assert db.session.scalar(select(Response.invitation_id)) == invitation.id
    # Used up: the link now says so.
    other = client.application.test_client()
    used = other.get(f"/c/{slug}/i/{token}?lang=en")
    assert used.status_code == 410 and "used as many times as allowed" in used.get_data(as_text=True)
    assert other.get(f"/c/{slug}/i/not-a-token?lang=en").status_code == 404


def test_the_public_link_does_not_offer_invitation_only_groups(client, routed_consultation, db):
    routed_consultation.groups[1].is_invitation_only = True
    db.session.commit()
    _start(client, routed_consultation.slug, "en", group=None)
    html = client.get(f"/c/{routed_consultation.slug}/group").get_data(as_text=True)
    assert 'value="rural_community"' in html and 'value="cso"' not in html
    response = client.submit(f"/c/{routed_consultation.slug}/group?lang=en", {"group_code": "cso"})
    assert response.status_code == 200 and "Choose one of the groups in the list." in response.get_data(as_text=True)


def test_a_collective_answer_states_its_mandate(client, routed_consultation, db):
    slug = routed_consultation.slug
    _start(client, slug, "en", group=None)
    html = client.submit(
        f"/c/{slug}/group", {"group_code": "rural_community", "is_collective": "y", "people_represented": "250"}
    ).get_data(as_text=True)
    assert "Say what gives you the mandate" in html and 'value="250"' in html
    response = client.submit(
        f"/c/{slug}/group",
        {
            "group_code": "rural_community",
            "is_collective": "y",
            "mandate_reference": "Acta 12",
            "people_represented": "250",
        },
    )
    assert response.status_code == 302
    draft = db.session.scalar(select(ResponseDraft))
    assert (draft.is_collective, draft.mandate_reference, draft.people_represented) == (True, "Acta 12", 250)


@pytest.mark.parametrize("lang", ["es", "en", "pt"])
def test_fuzzed_answer_pages_never_fail(client, routed_consultation, lang):
    slug = routed_consultation.slug
    _start(client, slug, lang)
    for data in (
        {"q-Q1": "maybe"},
        {"q-Q1": ["yes", "no"]},
        {"q-Q1": "\x00" * 5},
        {"action": "nonsense", "switch_lang": "xx"},
    ):
        response = _page(client, slug, "p_first", data)
        assert response.status_code < 500, data


def test_two_concurrent_posts_of_send_store_one_response(app, client, routed_consultation, db, monkeypatch):
    import threading

    from consult.responses import sending

    slug = routed_consultation.slug
    _start(client, slug, "es")
    _page(client, slug, "p_first", {"q-Q1": "no", "action": "next"})
    review = client.get(f"/c/{slug}/review").get_data(as_text=True)
    data = {
        "csrf_token": re.search(r'name="csrf_token"[^>]*value="([^"]+)"', review).group(1),
        "submission_token": re.search(r'name="submission_token" value="([^"]+)"', review).group(1),
    }
    # A second "tab" of the same browser: same session cookie.
    twin = app.test_client()
    twin.set_cookie("session", client.get_cookie("session").value)
    barrier = threading.Barrier(2, timeout=10)
    real_version_of = sending.version_of

    def version_of_then_wait(draft):
        version = real_version_of(draft)
        barrier.wait()  # both requests hold the draft before either writes
        return version

    monkeypatch.setattr(sending, "version_of", version_of_then_wait)
    statuses: list = []

    def post(who):
        try:
            with app.app_context():
                statuses.append(who.post(f"/c/{slug}/send", data=data).status_code)
        except Exception as error:  # noqa: BLE001
            statuses.append(error)

    threads = [threading.Thread(target=post, args=(who,)) for who in (client, twin)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(timeout=30)
    assert statuses == [302, 302]
    db.session.remove()
    assert db.session.scalar(select(func.count(Response.id))) == 1
    assert db.session.scalar(select(func.count(Answer.id))) == 1


def test_validation_errors_are_in_the_persons_language(client, routed_consultation):
    slug = routed_consultation.slug
    _start(client, slug, "es")
    html = _page(client, slug, "p_first", {"action": "next"}).get_data(as_text=True)
    assert "Por favor, responda esta pregunta." in html and "Revise sus respuestas, por favor" in html
    assert "¿Hubo daño?" in html
    _page(client, slug, "p_first", {"q-Q1": "no", "action": "next"})
    html = _page(client, slug, "p_last", {"q-Q4": "z" * 41, "switch_lang": "pt"}).get_data(as_text=True)
    assert '<html lang="pt"' in html and "z" * 41 in html and "Sua opinião" in html
