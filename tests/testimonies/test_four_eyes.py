"""Four eyes: an excerpt is usable outside moderation only once two different moderators approved it."""

from __future__ import annotations

import pytest
from sqlalchemy import select, update

from consult.testimonies import queries, services
from consult.testimonies.errors import TestimonyError
from consult.testimonies.models import ExcerptStatus, TestimonyExcerpt

TEXT = "Una mina envenenó el río de una vereda."


@pytest.fixture
def desk(db, create_territory, create_consultation, create_testimony, create_user):
    territory = create_territory("antioquia", "Antioquia", "CO", enabled_languages=["es", "en"])
    consultation = create_consultation(territory, slug="remedio")
    testimony, _ = create_testimony(consultation)
    first = create_user("ana@antioquia.example", "Ana Moderadora", roles={territory: ["moderator"]})
    second = create_user("beto@antioquia.example", "Beto Moderador", roles={territory: ["moderator"]})
    analyst = create_user("analista@antioquia.example", roles={territory: ["analyst"]})
    excerpt = services.propose_excerpt(testimony, TEXT, first)
    db.session.commit()
    return territory, consultation, testimony, excerpt, first, second, analyst


def _usable(db, consultation) -> list[int]:
    return [e.id for e in db.session.scalars(queries.quotable_excerpts(consultation_id=consultation.id))]


def test_one_approval_leaves_it_awaiting_a_second_one_by_someone_else(db, desk):
    _territory, consultation, _testimony, excerpt, first, second, _analyst = desk
    services.decide_excerpt(excerpt, True, "Sin nombres.", first)
    db.session.commit()
    assert excerpt.status == ExcerptStatus.AWAITING_SECOND and excerpt.first_approved_by_id == first.id
    assert _usable(db, consultation) == []
    with pytest.raises(TestimonyError) as refused:
        services.decide_excerpt(excerpt, True, "Otra vez yo.", first)
    assert "second approval must come from a different moderator" in str(refused.value.message)
    assert excerpt.status == ExcerptStatus.AWAITING_SECOND and _usable(db, consultation) == []
    services.decide_excerpt(excerpt, True, "De acuerdo.", second)
    db.session.commit()
    assert excerpt.status == ExcerptStatus.APPROVED and excerpt.decided_by_id == second.id
    assert _usable(db, consultation) == [excerpt.id]
    with pytest.raises(TestimonyError):
        services.decide_excerpt(excerpt, True, "Una tercera.", second)


@pytest.mark.parametrize("who", ["first", "second"])
def test_a_rejection_by_either_ends_it(db, desk, who):
    _territory, consultation, _testimony, excerpt, first, second, _analyst = desk
    services.decide_excerpt(excerpt, True, "Sin nombres.", first)
    services.decide_excerpt(excerpt, False, "Se reconoce la vereda.", first if who == "first" else second)
    db.session.commit()
    assert excerpt.status == ExcerptStatus.REJECTED and _usable(db, consultation) == []
    for user in (first, second):
        with pytest.raises(TestimonyError, match="rejected"):
            services.decide_excerpt(excerpt, True, "Ahora sí.", user)


def test_changing_the_text_after_an_approval_needs_both_approvals_again(db, desk):
    _territory, consultation, _testimony, excerpt, first, second, _analyst = desk
    services.decide_excerpt(excerpt, True, "Sin nombres.", first)
    services.decide_excerpt(excerpt, True, "De acuerdo.", second)
    db.session.commit()
    assert _usable(db, consultation) == [excerpt.id]
    services.edit_excerpt(excerpt, TEXT + " Nadie vino.", second)
    db.session.commit()
    assert excerpt.status == ExcerptStatus.PROPOSED and excerpt.first_approved_by_id is None
    assert excerpt.decided_by_id is None and _usable(db, consultation) == []
    # The one who edited may give the first approval; the second must again be someone else.
    services.decide_excerpt(excerpt, True, "Revisado el cambio.", second)
    with pytest.raises(TestimonyError):
        services.decide_excerpt(excerpt, True, "Yo también.", second)
    services.decide_excerpt(excerpt, True, "De acuerdo con el cambio.", first)
    db.session.commit()
    assert _usable(db, consultation) == [excerpt.id]


def test_a_row_marked_approved_without_two_different_approvers_is_not_usable(db, desk):
    """The rule lives in the query, not only in the service: a row set by hand (or by old code) does not count."""
    _territory, consultation, _testimony, excerpt, first, _second, _analyst = desk
    services.decide_excerpt(excerpt, True, "Sin nombres.", first)
    db.session.commit()
    db.session.execute(
        update(TestimonyExcerpt)
        .where(TestimonyExcerpt.id == excerpt.id)
        .values(status=ExcerptStatus.APPROVED, decided_by_id=first.id, decided_at=excerpt.first_approved_at)
    )
    db.session.commit()
    assert _usable(db, consultation) == []


def test_the_moderation_pages_show_who_approved_and_refuse_the_same_person_twice(client, db, desk):
    _territory, consultation, testimony, excerpt, first, second, analyst = desk
    url = f"/t/antioquia/testimonies/{testimony.id}"
    approve = {f"decide-{excerpt.id}-decision": "approve", f"decide-{excerpt.id}-reason": "Sin nombres."}
    client.login(first.email)
    assert client.submit(f"{url}/excerpts/{excerpt.id}", approve, form_url=url).status_code == 302
    queue = client.get("/t/antioquia/testimonies/?lang=en").get_data(as_text=True)
    assert "1 awaiting a second approval" in queue
    page = client.get(url + "?lang=en").get_data(as_text=True)
    assert "Awaiting a second approval" in page and "First approval: Ana Moderadora" in page
    again = client.submit(f"{url}/excerpts/{excerpt.id}?lang=en", approve, form_url=url)
    body = again.get_data(as_text=True)
    assert again.status_code == 400
    assert "You gave the first approval. The second approval must come from a different moderator." in body
    db.session.expire_all()
    assert db.session.get(TestimonyExcerpt, excerpt.id).status == ExcerptStatus.AWAITING_SECOND

    client.login(analyst.email)
    assert TEXT not in client.get("/t/antioquia/testimonies/excerpts?lang=en").get_data(as_text=True)

    client.login(second.email)
    assert client.submit(f"{url}/excerpts/{excerpt.id}", approve, form_url=url).status_code == 302
    page = client.get(url + "?lang=en").get_data(as_text=True)
    assert "Second approval: Beto Moderador" in page
    assert "1 awaiting a second approval" not in client.get("/t/antioquia/testimonies/?lang=en").get_data(as_text=True)

    client.login(analyst.email)
    assert TEXT in client.get("/t/antioquia/testimonies/excerpts?lang=en").get_data(as_text=True)

    # An edit through the page: both approvals again, and the analyst no longer sees it.
    client.login(first.email)
    changed = client.submit(
        f"{url}/excerpts/{excerpt.id}/edit?lang=en", {f"edit-{excerpt.id}-text": "Un río envenenado."}, form_url=url
    )
    assert changed.status_code == 302
    db.session.expire_all()
    assert db.session.get(TestimonyExcerpt, excerpt.id).status == ExcerptStatus.PROPOSED
    empty = client.submit(f"{url}/excerpts/{excerpt.id}/edit?lang=en", {f"edit-{excerpt.id}-text": ""}, form_url=url)
    assert empty.status_code == 400 and "Please write something here." in empty.get_data(as_text=True)
    client.login(analyst.email)
    listed = client.get("/t/antioquia/testimonies/excerpts?lang=en").get_data(as_text=True)
    assert "Un río envenenado." not in listed and TEXT not in listed
    assert db.session.scalars(select(TestimonyExcerpt)).one().id == excerpt.id
