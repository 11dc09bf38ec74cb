"""Signals against capture: a scripted burst is flagged, normal traffic is not; set aside with a logged reason,
undone."""

from __future__ import annotations

import re
from datetime import date, timedelta

import pytest
from sqlalchemy import func, select

from consult.responses import capture
from consult.responses.capture_models import CaptureAction, CaptureDecision
from consult.responses.demo_generator import Draw, Generator
from consult.responses.models import EntryMode, Response
from consult.responses.storage import NewResponse, store_many, unheld_keys

DAY = date.today() - timedelta(days=1)
SAME = {
    "B1": ["mining"],
    "C1": ["none"],
    "D1": "yes_listened",
    "D2": "no",
    "E1": ["decent_work"],
    "E2": ["whatsapp"],
    "F1": "man",
    "F2": "age_30_44",
    "F3": "none",
    "F4": "no",
    "F5": "no",
}


def _store(
    consultation,
    answers_list,
    *,
    group="rural_community",
    invitation=None,
    organisation=None,
    day=DAY,
    mode=EntryMode.ONLINE,
):
    from consult.extensions import db
    from consult.surveys.models import InstrumentVersion

    version = db.session.get(InstrumentVersion, consultation.group(group).instrument_version_id)
    items = []
    for answers in answers_list:
        key, receipt = unheld_keys()
        items.append(
            NewResponse(
                version=version,
                group_code=group,
                language="es",
                entry_mode=mode,
                answers=answers,
                submission_key=key,
                receipt_code_hash=receipt,
                submitted_on=day,
                invitation_id=invitation.id if invitation else None,
                organisation_id=organisation.id if organisation else None,
            )
        )
    store_many(consultation, items)
    db.session.commit()
    return items


def _varied(consultation, n, seed="normal"):
    """``n`` ordinary, varied answers (the demo's generator)."""
    from consult.extensions import db
    from consult.surveys.models import InstrumentVersion

    generator = Generator(Draw(seed), "salta", list(consultation.territory.localities))
    instrument = db.session.get(InstrumentVersion, consultation.group("rural_community").instrument_version_id).parsed()
    answers = []
    for _ in range(n):
        area, locality = generator.place()
        answers.append(generator.community(instrument, "rural_community", area, locality))
    return answers


@pytest.fixture
def traffic(community_consultation, create_invitation, create_organisation):
    """A burst of six near-identical answers through one link on one day, and ordinary answers around it."""
    link, _token = create_invitation(community_consultation, "rural_community", label="Asamblea en Cafayate")
    burst = [dict(SAME, A1={"area": "Valles Calchaquíes", "locality": code}) for code in ("66028", "66035") * 3]
    burst[5] = dict(burst[5], F1="woman")  # still near-identical: 10 of 11 questions answered the same way
    _store(community_consultation, burst, invitation=link)
    _store(community_consultation, _varied(community_consultation, 15))  # the public link, same day
    _store(
        community_consultation,
        _varied(community_consultation, 8, "meeting"),
        invitation=link,
        day=DAY - timedelta(days=2),
    )
    union = create_organisation("Sindicato del Ingenio", "trade_union", community_consultation.territory)
    _store(community_consultation, [SAME] * 4, organisation=union)  # identical but fewer than five
    return link, union


def test_a_scripted_burst_is_flagged_and_normal_traffic_is_not(community_consultation, traffic, db):
    flags = capture.find_flags(community_consultation)
    assert len(flags) == 1
    flag = flags[0]
    assert (flag.kind.value, flag.source_id, flag.label, flag.day) == (
        "invitation",
        traffic[0].id,
        "Asamblea en Cafayate",
        DAY,
    )
    assert len(flag.response_ids) == 6 and flag.batch_size == 6
    assert flag.similarity >= capture.SIMILARITY


def test_similarity_is_the_share_of_questions_answered_the_same_way():
    a = {f"Q{n}": frozenset({("", "yes", "", "")}) for n in range(10)}
    assert capture.similarity(a, {**a, "Q10": frozenset({("", "no", "", "")})}) == pytest.approx(10 / 11)
    assert capture.similarity(a, {**a, "Q0": frozenset({("", "no", "", "")})}) == pytest.approx(9 / 10)
    assert capture.similarity({}, {}) == 1.0


def test_officials_set_a_batch_aside_with_a_reason_and_take_it_back(
    client, community_consultation, traffic, create_user, db
):
    official = create_user(name="Olga Oficial", roles={community_consultation.territory: ["official"]})
    client.login(official.email)
    url = f"/t/{community_consultation.territory.slug}/consultations/{community_consultation.id}/capture"
    page = client.get(url)
    html = page.get_data(as_text=True)
    assert page.headers["Cache-Control"] == "no-store"
    assert "Asamblea en Cafayate" in html and "Sindicato del Ingenio" in html
    assert "90 %" in html  # the rule is on the page
    action = re.search(r'action="([^"]+/set-aside)"', html).group(1)
    # Without a reason nothing happens, and the page says why next to the field
    response = client.submit(action, {"reason": "  "}, form_url=url)
    assert response.status_code == 200 and "registro" in response.get_data(as_text=True)
    assert db.session.scalar(select(func.count(Response.id)).where(Response.is_set_aside.is_(True))) == 0
    response = client.submit(
        action, {"reason": "Seis respuestas iguales en diez minutos desde el enlace de la asamblea."}, form_url=url
    )
    assert response.status_code == 302
    flagged = capture.find_flags(community_consultation)[0]
    aside = db.session.scalars(select(Response.id).where(Response.is_set_aside.is_(True))).all()
    assert sorted(aside) == sorted(flagged.response_ids)
    # Analysis reads only what is not set aside; nothing was deleted
    assert db.session.scalar(select(func.count(Response.id)).where(Response.is_set_aside.is_(False))) == 15 + 8 + 4
    assert db.session.scalar(select(func.count(Response.id))) == 6 + 15 + 8 + 4
    decision = db.session.scalar(select(CaptureDecision))
    assert (decision.action, decision.decided_by_id, decision.decided_by_name) == (
        CaptureAction.SET_ASIDE,
        official.id,
        "Olga Oficial",
    )
    assert decision.reason.startswith("Seis respuestas") and len(decision.responses) == 6
    html = client.get(url).get_data(as_text=True)
    assert "Seis respuestas iguales" in html and "Olga Oficial" in html
    # Taken back, with its own reason: both decisions stay in the log
    restore = re.search(r'action="([^"]+/restore)"', html).group(1)
    response = client.submit(restore, {"reason": "Era una asamblea real: el acta lo confirma."}, form_url=url)
    assert response.status_code == 302
    assert db.session.scalar(select(func.count(Response.id)).where(Response.is_set_aside.is_(True))) == 0
    log = db.session.scalars(select(CaptureDecision).order_by(CaptureDecision.id)).all()
    assert [d.action for d in log] == [CaptureAction.SET_ASIDE, CaptureAction.RESTORE]
    assert log[0].undone_by_id == log[1].id and log[1].undoes_id == log[0].id
    assert "Era una asamblea real" in client.get(url).get_data(as_text=True)


def test_a_response_set_aside_twice_stays_aside_until_both_are_undone(community_consultation, traffic, create_user, db):
    official = create_user(roles={community_consultation.territory: ["official"]})
    flag = capture.find_flags(community_consultation)[0]
    first = capture.set_aside(community_consultation, flag, "primera", official)
    second = capture.set_aside(community_consultation, flag, "segunda", official)
    capture.restore(community_consultation, first, "deshacer la primera", official)
    db.session.commit()
    assert db.session.scalar(select(func.count(Response.id)).where(Response.is_set_aside.is_(True))) == 6
    capture.restore(community_consultation, second, "deshacer la segunda", official)
    db.session.commit()
    assert db.session.scalar(select(func.count(Response.id)).where(Response.is_set_aside.is_(True))) == 0


def test_the_overview_counts_answers_per_link_and_organisation(community_consultation, traffic, db):
    overview = capture.overview(community_consultation)
    link = next(row for row in overview.invitations if row.label == "Asamblea en Cafayate")
    assert (link.responses, link.last_on) == (14, DAY)
    assert [(row.label, row.responses) for row in overview.organisations] == [("Sindicato del Ingenio", 4)]
    public = overview.channels[0]
    assert public.responses == 15 + 4


def test_only_officials_see_and_decide(client, community_consultation, traffic, create_user, create_territory):
    territory = community_consultation.territory
    url = f"/t/{territory.slug}/consultations/{community_consultation.id}/capture"
    client.login(create_user(roles={territory: ["analyst", "facilitator"]}).email)
    assert client.get(url).status_code == 403
    client.post("/logout", data={"csrf_token": client.csrf_token("/account")})
    other = create_territory("antioquia", "Antioquia")
    client.login(create_user(roles={other: ["official"]}).email)
    assert client.get(url).status_code == 403
    assert client.get(f"/t/{other.slug}/consultations/{community_consultation.id}/capture").status_code == 404
