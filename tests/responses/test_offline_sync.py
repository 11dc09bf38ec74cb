"""Offline answering (issue 14), the server side: the app's page and bundle, and storing what a phone sends.

A phone sends, per page, the pairs its forms held; the server reads them with the
online page's form, along the path, and stores one response (entry mode offline),
exactly once per phone token, never half.
"""

from __future__ import annotations

import logging
import secrets

import pytest
from sqlalchemy import func, select

from consult.responses.models import Answer, EntryMode, Response

FULL = {
    "p_first": [["q-Q1", "yes"]],
    "p_middle": [["q-Q2", "water"], ["q-Q2", "land"], ["q-Q3-locality", "66028"]],
    "p_last": [["q-Q4", "Consultar antes de dar licencias"]],
}


def _token() -> str:
    return secrets.token_urlsafe(32)


def _send(client, slug: str, payload: dict, *, csrf: bool = True):
    headers = {}
    if csrf:
        reply = client.get(f"/c/{slug}/offline/token")
        assert reply.status_code == 200 and reply.headers["Cache-Control"] == "no-store"
        headers["X-CSRFToken"] = reply.get_json()["csrf_token"]
    return client.post(f"/c/{slug}/offline/responses", json=payload, headers=headers)


def _payload(token=None, pages=None, group="rural_community", language="es"):
    return {"token": token or _token(), "group_code": group, "language": language, "pages": pages or FULL}


def _count(db) -> int:
    return db.session.scalar(select(func.count()).select_from(Response))


def _rows(db, response_id):
    return {
        (a.question_key, a.option, a.text)
        for a in db.session.scalars(select(Answer).where(Answer.response_id == response_id))
    }


def test_the_landing_page_links_to_the_offline_page_which_loads_the_app(client, routed_consultation):
    slug = routed_consultation.slug
    landing = client.get(f"/c/{slug}/?lang=es").get_data(as_text=True)
    assert f'href="/c/{slug}/offline"' in landing
    # The answering pages themselves never load the app.
    assert "offline.js" not in landing and "serviceWorker" not in landing
    page = client.get(f"/c/{slug}/offline")
    assert page.status_code == 200
    html = page.get_data(as_text=True)
    assert '<script src="/static/offline/offline.js" defer>' in html
    assert '<script src="/static/offline/rules.js" defer>' in html
    assert f'<link rel="manifest" href="/c/{slug}/offline/manifest.webmanifest">' in html
    manifest = client.get(f"/c/{slug}/offline/manifest.webmanifest")
    assert manifest.mimetype == "application/manifest+json"
    assert manifest.get_json()["start_url"] == manifest.get_json()["scope"] == f"/c/{slug}/offline"
    # Installable: a phone's install prompt wants 192 and 512 pixel PNG icons, and they are there.
    icons = {icon["sizes"]: icon["src"] for icon in manifest.get_json()["icons"]}
    for size in ("192x192", "512x512"):
        icon = client.get(icons[size])
        assert icon.status_code == 200 and icon.data.startswith(b"\x89PNG")
        icon.close()
    assert client.get(f"/c/{slug}/offline/sw.js").headers["Service-Worker-Allowed"] == f"/c/{slug}/offline"
    worker = client.get(f"/c/{slug}/offline/sw.js")
    assert worker.mimetype == "text/javascript" and worker.headers["Cache-Control"] == "no-cache"
    text = worker.get_data(as_text=True)
    assert f'"/c/{slug}/offline/bundle.json"' in text and '"/static/offline/rules.js"' in text


def test_invitation_only_and_company_groups_are_not_offered_offline(
    client, create_consultation, create_version, make_definition, db
):
    from consult.responses import offline

    consultation = create_consultation()
    group = consultation.groups[0]
    group.is_invitation_only = True
    db.session.commit()
    assert client.get(f"/c/{consultation.slug}/offline").status_code == 404
    assert "/offline" not in client.get(f"/c/{consultation.slug}/").get_data(as_text=True)
    from consult.surveys.models import InstrumentVersion

    version = db.session.get(InstrumentVersion, group.instrument_version_id)
    companies = create_consultation(groups={"company_large": version})
    assert offline.offline_groups(companies) == []
    assert client.get(f"/c/{companies.slug}/offline/bundle.json").status_code == 404


def test_the_bundle_holds_every_page_in_every_language_as_the_online_page_renders_it(client, community_consultation):
    slug = community_consultation.slug
    reply = client.get(f"/c/{slug}/offline/bundle.json?lang=es")
    assert reply.status_code == 200
    data = reply.get_json()
    assert data["version"] and reply.headers["ETag"].strip('"') == data["version"]
    assert (
        client.get(
            f"/c/{slug}/offline/bundle.json?lang=es", headers={"If-None-Match": reply.headers["ETag"]}
        ).status_code
        == 304
    )
    assert [g["code"] for g in data["groups"]] == ["rural_community", "indigenous_people"]  # no company
    assert [lang["code"] for lang in data["languages"]] == ["es", "en", "pt"]
    assert data["title"]["en"] == "Test consultation"
    assert data["strings"]["continue"] == "Continuar" and data["strings"]["send"]
    assert "2" in data["strings"]["waiting"]
    # The question types' messages, translated, for the phone to check a page as the server would.
    assert data["messages"]["exclusive"].count("%(option)s") == 1 and "cannot" not in data["messages"]["exclusive"]
    group = data["groups"][0]
    assert group["prefill"] == {"A2": "rural_community"} and group["settled"] == ["A2"]
    instrument = data["instruments"][group["instrument"]]
    assert instrument["spec"]
    fragments = instrument["fragments"]
    assert set(fragments) == {"es", "en", "pt"}
    # Every question of the page, conditional ones too, with its key and the server's fields.
    assert 'data-question="C3"' in fragments["en"]["p_severity"]
    assert 'name="q-C3-scale"' in fragments["en"]["p_severity"]
    assert 'data-question="D4"' in fragments["es"]["p_defenders_safe"]
    assert 'value="66028"' in fragments["es"]["p_place"]
    assert "csrf_token" not in fragments["es"]["p_place"]
    assert instrument["page_titles"]["en"]["p_place"]


def test_a_response_sent_from_the_phone_is_stored_once_with_its_answers(client, routed_consultation, db):
    slug = routed_consultation.slug
    payload = _payload()
    reply = _send(client, slug, payload)
    assert reply.status_code == 201, reply.get_data(as_text=True)
    code = reply.get_json()["receipt_code"]
    assert len(code) == 19 and code.count("-") == 3
    response = db.session.scalar(select(Response))
    assert response.entry_mode == EntryMode.OFFLINE and response.group_code == "rural_community"
    assert response.language == "es" and response.locality_id is not None
    rows = _rows(db, response.id)
    assert ("Q1", "yes", None) in rows and ("Q2", "land", None) in rows and ("Q2", "water", None) in rows
    assert ("Q4", None, "Consultar antes de dar licencias") in rows
    keys = {r[0] for r in _rows(db, response.id)}
    assert keys == {"Q1", "Q2", "Q3", "Q4"}

    # The reply was lost: the phone sends again, and again: one response, the same code.
    again = _send(client, slug, payload)
    assert again.status_code == 200 and again.get_json()["receipt_code"] == code
    assert _send(client, slug, payload).get_json()["receipt_code"] == code
    assert _count(db) == 1
    # The receipt code finds the response like an online one.
    from consult.responses.sending import find_by_receipt

    assert find_by_receipt(routed_consultation, code).id == response.id


def test_only_the_path_counts(client, routed_consultation, db):
    pages = {**FULL, "p_first": [["q-Q1", "no"]]}  # "no" skips p_middle: what it holds is not stored
    reply = _send(client, routed_consultation.slug, _payload(pages=pages))
    assert reply.status_code == 201
    response = db.session.scalar(select(Response))
    assert {r[0] for r in _rows(db, response.id)} == {"Q1", "Q4"}


def test_invalid_answers_are_refused_with_messages_and_nothing_is_stored(client, routed_consultation, db):
    slug = routed_consultation.slug
    too_long = {**FULL, "p_last": [["q-Q4", "x" * 80]]}
    reply = _send(client, slug, _payload(pages=too_long))
    assert reply.status_code == 422
    body = reply.get_json()
    assert body["error"] and body["errors"]["p_last"]["Q4"]
    missing = {**FULL, "p_first": []}
    reply = _send(client, slug, _payload(pages=missing, language="en"))
    assert reply.status_code == 422 and reply.get_json()["errors"]["p_first"]["Q1"]
    assert _send(client, slug, _payload(group="company_large")).status_code == 422
    assert _send(client, slug, _payload(language="qu")).status_code == 422
    assert _send(client, slug, {**_payload(), "token": "short"}).status_code == 400
    assert _send(client, slug, {**_payload(), "pages": {"p_first": "yes"}}).status_code == 400
    assert _count(db) == 0


def test_the_messages_are_in_the_interface_language(client, routed_consultation):
    slug = routed_consultation.slug
    client.get(f"/c/{slug}/?lang=es")
    reply = _send(client, slug, _payload(pages={**FULL, "p_first": []}))
    assert reply.status_code == 422
    assert "Some required" not in reply.get_json()["error"]


def test_a_closed_consultation_refuses_new_responses_but_still_answers_a_retry(client, routed_consultation, db):
    from consult.responses import services
    from consult.responses.models import ConsultationState

    slug = routed_consultation.slug
    sent = _payload()
    code = _send(client, slug, sent).get_json()["receipt_code"]
    services.change_state(routed_consultation, ConsultationState.CLOSED)
    db.session.commit()
    reply = _send(client, slug, _payload())
    assert reply.status_code == 409 and reply.get_json()["error"]
    assert _send(client, slug, sent).get_json()["receipt_code"] == code
    assert _count(db) == 1
    assert client.get(f"/c/{slug}/offline").status_code == 404


def test_sending_needs_the_csrf_token(client, routed_consultation, db):
    reply = _send(client, routed_consultation.slug, _payload(), csrf=False)
    assert reply.status_code == 400
    assert _count(db) == 0


def test_nothing_about_the_phone_is_logged(client, routed_consultation, caplog):
    caplog.set_level(logging.DEBUG)
    reply = _send(
        client,
        routed_consultation.slug,
        _payload(),
    )
    assert reply.status_code == 201
    bad = _send(client, routed_consultation.slug, _payload(pages={"p_first": []}))
    assert bad.status_code == 422
    assert "127.0.0.1" not in caplog.text and "werkzeug" not in caplog.text.lower()
    from consult.responses.models import Response as Row

    assert not any("ip" == c.name or "user_agent" in c.name for c in Row.__table__.columns)


@pytest.mark.parametrize("path", ["", "/bundle.json", "/sw.js", "/manifest.webmanifest"])
def test_a_draft_consultation_has_no_offline_app(client, create_consultation, path):
    draft = create_consultation(state="draft")
    assert client.get(f"/c/{draft.slug}/offline{path}").status_code == 404


def test_two_phones_sending_the_same_response_at_once_store_it_once(app, routed_consultation, db, monkeypatch):
    import threading

    from consult.responses import offline
    from consult.responses.models import Consultation

    barrier = threading.Barrier(2, timeout=10)
    real_replay = offline.replay

    def replay_then_wait(*args, **kwargs):
        # Both requests have read the pages (and found no stored response) before either writes.
        answers = real_replay(*args, **kwargs)
        barrier.wait()
        return answers

    monkeypatch.setattr(offline, "replay", replay_then_wait)
    payload, consultation_id = _payload(), routed_consultation.id
    db.session.remove()
    outcomes: list = []

    def worker():
        with app.test_request_context("/"):
            try:
                consultation = db.session.get(Consultation, consultation_id)
                outcomes.append(offline.sync(consultation, payload))
            except Exception as error:  # noqa: BLE001  (reported by the assertion below)
                outcomes.append(error)
            finally:
                db.session.remove()

    threads = [threading.Thread(target=worker) for _ in range(2)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(timeout=30)
    assert not [o for o in outcomes if isinstance(o, Exception)], outcomes
    assert len({o.receipt_code for o in outcomes}) == 1
    assert sorted(o.created for o in outcomes) == [False, True]
    assert _count(db) == 1
    assert db.session.scalar(select(func.count()).select_from(Answer)) == len(
        _rows(db, db.session.scalar(select(Response.id)))
    )


@pytest.mark.parametrize(
    "body",
    [
        "[" * 50_000 + "]" * 50_000,  # deeper than any parser's stack
        '{"token": "' + "x" * 10 + '", "pages": ' + "[" * 200 + "]" * 200 + "}",
        "not json at all",
        '{"token": "\u0000"}',
        "[]",
    ],
)
def test_a_malformed_body_is_refused_with_a_message_never_a_500(client, routed_consultation, db, body):
    slug = routed_consultation.slug
    csrf = client.get(f"/c/{slug}/offline/token").get_json()["csrf_token"]
    reply = client.post(
        f"/c/{slug}/offline/responses",
        data=body.encode("utf-8"),
        content_type="application/json",
        headers={"X-CSRFToken": csrf},
    )
    assert reply.status_code == 400
    assert reply.get_json()["error"]
    assert _count(db) == 0
