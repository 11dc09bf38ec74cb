"""List pages cost the same number of SQL statements for 2 rows as for 6: no query per row (N+1).

Each test fills a staff list page with ``N`` rows, counts the statements one
page load runs (``count_queries``, tests/fixtures/queries.py), adds ``2 N``
more rows and counts again. A count that grows with the rows means a template
or a view loads something row by row: load it with the list (``selectinload``)
or count it with one GROUP BY.
"""

from __future__ import annotations

import itertools

import pytest

N = 2
_counter = itertools.count(1)


def _page_queries(client, count_queries, url: str):
    """The statements one load of ``url`` runs (after a first load, so nothing is counted that happens once)."""
    assert client.get(url).status_code == 200
    with count_queries() as counted:
        response = client.get(url)
    assert response.status_code == 200
    return counted, response.get_data(as_text=True)


def assert_flat(client, count_queries, url: str, add_rows, marker: str | None = None):
    """Load ``url`` with N and with 3N rows (``add_rows(k)`` adds k); the query count must not grow."""
    add_rows(N)
    small, _ = _page_queries(client, count_queries, url)
    add_rows(2 * N)
    large, body = _page_queries(client, count_queries, url)
    if marker is not None:
        # The rows are on the page: the count is of a page that shows them all.
        assert body.count(marker) >= 3 * N, f"{url} shows {body.count(marker)} of {3 * N} rows"
    assert large.count <= small.count, (
        f"{url}: {small.count} queries for {N} rows, {large.count} for {3 * N}\n"
        f"--- {N} rows ---\n{small}\n--- {3 * N} rows ---\n{large}"
    )


@pytest.fixture
def territory(create_territory):
    return create_territory("salta", country="AR")


@pytest.fixture
def official(create_user, territory):
    return create_user("oficial@salta.example", roles={territory: ["official"]})


def _plan(db, consultation, user, status="draft"):
    """A bare plan of ``consultation`` (enough for the lists that show where plans stand)."""
    from consult.plans.models import Plan, PlanStatus

    plan = Plan(
        consultation_id=consultation.id,
        territory_id=consultation.territory_id,
        language="es",
        languages=["es"],
        title={"es": "Plan de acción"},
        created_by_id=user.id,
        status=PlanStatus(status),
    )
    db.session.add(plan)
    db.session.commit()
    return plan


def test_consultations_list(client, count_queries, territory, official, create_consultation):
    client.login(official.email)

    def add(k):
        for _ in range(k):
            create_consultation(territory)

    assert_flat(client, count_queries, "/t/salta/consultations", add, marker="Consulta de prueba")


def test_invitations_of_a_consultation(
    client, count_queries, territory, official, create_consultation, create_invitation, create_organisation
):
    consultation = create_consultation(territory)
    client.login(official.email)

    def add(k):
        for _ in range(k):
            n = next(_counter)
            organisation = create_organisation(f"Organización {n}", "cso", territory)
            create_invitation(consultation, organisation=organisation, label=f"Enlace-{n}")

    assert_flat(client, count_queries, f"/t/salta/consultations/{consultation.id}/invitations", add, marker="Enlace-")


def test_testimonies_queue(client, count_queries, territory, official, create_consultation, create_testimony):
    consultation = create_consultation(territory)
    client.login(official.email)

    def add(k):
        for _ in range(k):
            create_testimony(consultation)

    assert_flat(client, count_queries, "/t/salta/testimonies/", add)


def test_plans_index(client, count_queries, db, territory, official, create_consultation):
    client.login(official.email)

    def add(k):
        for _ in range(k):
            _plan(db, create_consultation(territory), official)

    assert_flat(client, count_queries, "/t/salta/plans", add, marker="Consulta de prueba")


def test_action_library(client, count_queries, create_user):
    from consult.plans import library

    admin = create_user("admin@red.example", is_network_admin=True)
    client.login(admin.email)

    def add(k):
        from consult.extensions import db

        for _ in range(k):
            n = next(_counter)
            texts = {
                lang: {"title": f"Acción-{n}", "description": "D.", "indicator": "I."} for lang in library.LANGUAGES
            }
            library.create(
                f"my_action_{n}", pillar="remedy", rights=["water_sanitation"], barriers=["language"], texts=texts
            )
        db.session.commit()

    assert_flat(client, count_queries, "/library/actions", add, marker="Acción-")


def test_members_page(client, count_queries, territory, official, create_user):
    client.login(official.email)

    def add(k):
        for _ in range(k):
            create_user(f"miembro-{next(_counter)}@salta.example", roles={territory: ["analyst", "moderator"]})

    assert_flat(client, count_queries, "/t/salta/members", add, marker="@salta.example")


def test_instruments_list(client, count_queries, territory, official, create_version, make_definition):
    from tests.fixtures.responses import YES_NO
    from tests.fixtures.survey_definitions import question

    client.login(official.email)

    def add(k):
        for _ in range(k):
            create_version(make_definition([question("Q1", "single_choice", options=YES_NO)]), territory)
            create_version(make_definition([question("Q1", "single_choice", options=YES_NO)]))  # the shared library

    assert_flat(client, count_queries, "/t/salta/instruments", add)


def test_cso_home(
    client,
    count_queries,
    db,
    territory,
    official,
    create_user,
    create_organisation,
    create_consultation,
    create_testimony,
):
    from consult.responses.models import ConsultationState

    cso = create_organisation("Red de Defensoras", "cso", territory)
    person = create_user("red@defensoras.example", organisation=cso)
    consultation = create_consultation(territory)
    client.login(person.email)

    def add(k):
        for _ in range(k):
            create_testimony(
                consultation, organisation=cso, cso={"on_behalf_of": "family", "people_count": 4, "notes": "."}
            )
            closed = create_consultation(territory, state="closed")
            closed.state = ConsultationState.ANALYSED
            _plan(db, closed, official, status="comment")

    assert_flat(client, count_queries, "/", add)


def test_company_home(
    client,
    count_queries,
    db,
    territory,
    official,
    create_user,
    create_organisation,
    create_consultation,
    create_invitation,
):
    from consult.responses.models import ConsultationState

    company = create_organisation("Cal del Norte S.A.", "company", territory)
    person = create_user("cal@norte.example", organisation=company)
    client.login(person.email)

    def add(k):
        for _ in range(k):
            # Each invitation in its own consultation: the rows share nothing the page could load once.
            create_invitation(create_consultation(territory), organisation=company)
            closed = create_consultation(territory, state="closed")
            closed.state = ConsultationState.ANALYSED
            _plan(db, closed, official, status="final")

    assert_flat(client, count_queries, "/", add)
