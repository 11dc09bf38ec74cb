"""The analysis pages: who may read them, filters that cannot be understood, languages, the public results page
(only once closed, every figure suppressed) and the lifecycle's Analysed step."""

from __future__ import annotations

import pytest

from consult.responses import services as consultations
from consult.responses.models import ConsultationState
from consult.responses.services import ConsultationError
from tests.analysis.world import build, context, html_tables, page_text, read, store
from tests.fixtures.factories import PASSWORD

VIEWS = ("", "/results", "/coverage", "/salience", "/divergence", "/remedy")


@pytest.fixture
def world(create_territory, create_version, create_consultation, db):
    return build(create_territory, create_version, create_consultation)


def as_user(app, user):
    """A fresh checked client logged in as ``user``."""
    client = app.test_client()
    client.login(user.email, PASSWORD)
    return client


@pytest.mark.parametrize("role", ["official", "analyst"])
def test_officials_and_analysts_read_every_view(world, create_user, app, role):
    client = as_user(app, create_user(roles={world.territory: [role]}))
    for view in VIEWS:
        response = client.get(world.url + view)
        assert response.status_code == 200, view
        assert response.headers["Content-Language"] == "es"
    assert client.get(world.url + "/results?published=1").status_code == 200


def test_every_view_says_when_responses_were_set_aside(world, create_user, app, db):
    batch = store(world.consultation, world.community, "rural_community", [{"K1": "no"}] * 2)
    for response in batch:
        response.is_set_aside = True
    db.session.commit()
    client = as_user(app, create_user(roles={world.territory: ["official"]}))
    for view in VIEWS:
        text = page_text(client.get(world.url + view + "?lang=en").get_data(as_text=True))
        assert "2 responses were set aside after a capture signal and are not counted here." in text, view


def test_other_roles_and_organisation_accounts_are_refused(world, create_user, create_organisation, app):
    territory = world.territory
    users = [
        create_user(roles={territory: ["moderator"]}),
        create_user(roles={territory: ["facilitator"]}),
        create_user(organisation=create_organisation("Red de Derechos", "cso", territory)),
        create_user(organisation=create_organisation("Minera Norte S.A.", "company", territory)),
    ]
    for user in users:
        client = as_user(app, user)
        for view in VIEWS:
            assert client.get(world.url + view).status_code == 403, (user.email, view)


def test_an_official_of_another_territory_sees_nothing(world, create_user, create_territory, app):
    other = create_territory("jujuy", "Jujuy", "AR")
    client = as_user(app, create_user(roles={other: ["official"]}))
    for view in VIEWS:
        assert client.get(world.url + view).status_code == 403
        # Through their own territory, the consultation is not found.
        assert client.get(f"/t/jujuy/consultations/{world.consultation.id}/analysis{view}").status_code == 404


def test_nobody_logged_in_is_sent_to_log_in(world, client):
    response = client.get(world.url + "/results")
    assert response.status_code == 302 and "/login" in response.headers["Location"]


@pytest.mark.parametrize("view", VIEWS[1:])
def test_filters_that_cannot_be_understood_are_explained_and_kept(world, create_user, app, view):
    client = as_user(app, create_user(roles={world.territory: ["analyst"]}))
    query = "?from=31/02/2026&to=2026-13-01&group=nope&locality=abc&language=xx&mode=x&by=nonsense&lang=en"
    response = client.get(world.url + view + query)
    assert response.status_code == 200
    html = response.get_data(as_text=True)
    text = page_text(html)
    for message in (
        "Write the date as year-month-day, for example 2026-03-31.",
        "This group does not take part in the consultation.",
        "Choose a place of this territory.",
        "The consultation is not in this language.",
        "Choose one of the listed ways of answering.",
    ):
        assert message in text, message
    # What was typed stays in the form, so it can be corrected.
    assert 'value="31/02/2026"' in html and 'value="2026-13-01"' in html
    assert 'aria-invalid="true"' in html


def test_the_overview_has_no_filter_and_counts_everything(world, create_user, app):
    client = as_user(app, create_user(roles={world.territory: ["analyst"]}))
    response = client.get(world.url + "?from=31/02/2026&group=rural_community&lang=en")
    assert response.status_code == 200
    # No filter form on the overview, so nothing may be filtered there: 4 + 10 + 5 responses.
    assert "Responses counted 19" in page_text(response.get_data(as_text=True))


def test_the_bad_filter_is_ignored_and_the_rest_applies(world, create_user, app):
    client = as_user(app, create_user(roles={world.territory: ["analyst"]}))
    html = client.get(world.url + "/coverage?group=nope&locality=" + str(world.places["66014"]) + "&lang=en").get_data(
        as_text=True
    )
    # Orán applies (nobody there: 0 counted); the unknown group is ignored, not a 500.
    assert "0 responses counted." in page_text(html)


def test_a_start_date_after_the_end_date_is_refused(world):
    form = read(world, **{"from": "2026-03-31", "to": "2026-03-01"})
    assert form.errors == {"to": "The end date is before the start date."}
    assert form.where.date_from is not None and form.where.date_to is None


def test_pages_follow_the_chosen_language(world, create_user, app):
    client = as_user(app, create_user(roles={world.territory: ["official"]}))
    english = client.get(world.url + "/results?lang=en")
    assert english.headers["Content-Language"] == "en"
    text = page_text(english.get_data(as_text=True))
    assert "Did a company harm you?" in text and "Stakeholder group" in text and "Indigenous people" in text
    assert "Everyone (raw)" in text
    spanish = page_text(client.get(world.url + "/results?lang=es").get_data(as_text=True))
    assert "¿Una empresa le causó daño?" in spanish and "Did a company harm you?" not in spanish


# -- the public results page -------------------------------------------------------------------------------------


def test_public_results_only_once_closed_and_every_small_figure_hidden(world, client, db):
    slug = world.consultation.slug
    assert client.get(f"/c/{slug}/results").status_code == 404  # open: not yet
    consultations.change_state(world.consultation, ConsultationState.CLOSED)
    db.session.commit()
    response = client.get(f"/c/{slug}/results?lang=en")
    assert response.status_code == 200
    html = response.get_data(as_text=True)
    tables = html_tables(html)
    took_part = next(rows for rows in tables.values() if rows[0] == ["Group", "Respondents"])
    # Indigenous 4 < 5 is hidden; with the total 19 shown, rural 10 and company 5 would give it away
    # (19 − 10 − 5 = 4), so one more is hidden: the smallest, company 5.
    assert took_part[1:] == [
        ["Indigenous people", "hidden"],
        ["Rural or farming community", "10"],
        ["Large company", "hidden"],
        ["Everyone", "19"],
    ]
    source = context(world).sources[0]
    k1 = tables[f"q-{source.version_id}-K1-t1"]
    # Indigenous column hidden (base 4); rural "yes" 9 hidden as 11 − 9 would give the indigenous 2 away.
    assert k1[1] == ["Yes", "hidden", "hidden", "11", "", "–"]
    # No hidden count of these tables appears in their cells (indigenous 4 and 2, rural 9 and 1, "no" total 3),
    # nor anywhere in the page as officials see it.
    shown = {cell for rows in (took_part, k1) for row in rows[1:] for cell in row[1:]}
    assert not {"4", "2", "9", "1", "3", "5"} & shown
    for exact in ("2 (50 %)", "9 (90 %)", "11 (79 %)", "70 %", "-8.6"):
        assert exact not in html
    # Under the figures, why some are hidden.
    assert "Counts below 5 are hidden, and so are some other figures that would reveal them." in page_text(html)


def test_the_official_published_view_matches_the_public_page(world, create_user, app):
    client = as_user(app, create_user(roles={world.territory: ["official"]}))
    html = client.get(world.url + "/results?published=1&lang=en").get_data(as_text=True)
    source = context(world).sources[0]
    assert html_tables(html)[f"q-{source.version_id}-K1-t1"][1] == ["Yes", "hidden", "hidden", "11", "", "–"]
    assert 'name="published" value="1"' in html  # the filter form keeps the published view


def test_published_with_a_filter_uses_the_complement_rule(world, create_user, app):
    client = as_user(app, create_user(roles={world.territory: ["official"]}))
    url = f"{world.url}/results?published=1&group=rural_community&locality={world.places['66028']}&lang=en"
    html = client.get(url).get_data(as_text=True)
    source = context(world).sources[0]
    rows = html_tables(html)[f"q-{source.version_id}-K1-t1"]
    # Rural people of Cafayate: 7 "yes" of 7; all rural: 9 of 10 → 2 and 3 people elsewhere: hidden.
    assert rows[1][:2] == ["Yes", "hidden"] and rows[-1][:2] == ["People asked", "hidden"]
    assert "7 (100 %)" not in html


# -- lifecycle ---------------------------------------------------------------------------------------------------


def test_analysed_needs_counted_responses(create_territory, create_version, create_consultation, db):
    empty = build(
        create_territory, create_version, create_consultation, responses=False, slug="vacia", territory_slug="catamarca"
    )
    consultations.change_state(empty.consultation, ConsultationState.CLOSED)
    with pytest.raises(ConsultationError):
        consultations.change_state(empty.consultation, ConsultationState.ANALYSED)
    # Set-aside responses are not counted: still refused.
    batch = store(empty.consultation, empty.community, "rural_community", [{"K1": "no"}])
    batch[0].is_set_aside = True
    db.session.commit()
    with pytest.raises(ConsultationError):
        consultations.change_state(empty.consultation, ConsultationState.ANALYSED)
    batch[0].is_set_aside = False
    db.session.commit()
    consultations.change_state(empty.consultation, ConsultationState.ANALYSED)
    assert empty.consultation.state == ConsultationState.ANALYSED


def test_analysed_results_stay_public(world, client, db):
    consultations.change_state(world.consultation, ConsultationState.CLOSED)
    consultations.change_state(world.consultation, ConsultationState.ANALYSED)
    db.session.commit()
    assert client.get(f"/c/{world.consultation.slug}/results").status_code == 200


def test_the_results_of_an_empty_consultation_say_so(
    create_territory, create_version, create_consultation, create_user, app
):
    empty = build(
        create_territory, create_version, create_consultation, responses=False, slug="vacia", territory_slug="catamarca"
    )
    client = as_user(app, create_user(roles={empty.territory: ["official"]}))
    for view in VIEWS:
        assert client.get(empty.url + view + "?lang=en").status_code == 200
    assert "No answers have been counted yet." in page_text(
        client.get(empty.url + "/results?lang=en").get_data(as_text=True)
    )
