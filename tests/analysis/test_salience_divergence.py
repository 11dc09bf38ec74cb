"""Salience (right × sector × place ranked by severity, then likelihood; sources counted apart) and divergence
(communities minus companies, group-balanced per side), worked out by hand — and the same codes from an official's
own instrument whose keys and option values differ (JSON and XLSForm)."""

from __future__ import annotations

import pytest

from consult.analysis import services
from consult.analysis.salience import UNSPECIFIED
from consult.extensions import db as database
from consult.surveys import services as surveys
from consult.surveys.labels import RIGHTS
from consult.testimonies.consent import withdraw
from consult.testimonies.models import Actor
from tests.analysis.world import (
    CAFAYATE,
    LAND,
    WATER,
    WORK,
    World,
    build,
    company_definition,
    context,
    html_tables,
    place,
    read,
    severity,
    store,
)
from tests.fixtures.testimonies import full_answers
from tests.surveys.xlsform_helpers import workbook

ENV = "environment_health"


@pytest.fixture
def world(create_territory, create_version, create_consultation, create_testimony, db):
    built = build(create_territory, create_version, create_consultation)
    # t1 counts: about rural communities, in Cafayate, mining; names water and environment; severity 5, 4, 4,
    # likelihood 5.
    create_testimony(built.consultation, full_answers(B3="rural_community", C5=place(CAFAYATE)))
    # t2 does not allow aggregate use; t3 is withdrawn: neither may be counted.
    create_testimony(
        built.consultation, full_answers(A1=["quote"], B3="rural_community", C5=place(CAFAYATE), D2=["forced_labour"])
    )
    withdrawn, _code = create_testimony(
        built.consultation, full_answers(B3="rural_community", C5=place(CAFAYATE), D2=["child_labour"])
    )
    withdraw(withdrawn, lang="es", actor=Actor.SUBMITTER)
    db.session.commit()
    return built


def risk_tuple(risk):
    return (
        risk.right,
        risk.sector,
        risk.locality,
        risk.reports,
        risk.severity,
        risk.likelihood,
        risk.urgent,
        risk.community,
        risk.company,
        risk.testimonies,
    )


def test_risks_rank_by_severity_then_likelihood_with_sources_apart(world):
    page = services.salience_page(context(world), read(world))
    caf = str(world.places[CAFAYATE])
    assert [risk_tuple(r) for r in page.risks] == [
        # t1 alone: severity max(5, 4, 4) = 5, likelihood 5; urgent.
        (ENV, "mining", caf, 1, 5, 5, 1, 0, 0, 1),
        # r2: max(5, 1, 1) = 5 (urgent by scale alone), likelihood 1: same severity, lower likelihood, second.
        (WORK, "agro_industry", caf, 1, 5, 1, 1, 1, 0, 0),
        # i1 max(2,3,4) = 4 (urgent by irremediability), i2 3, c1 (agua → water) 3, t1 5: severities 3, 3, 4, 5,
        # median (3 + 4) / 2 = 3.5; likelihoods 1, 2, 3, 5: median 2.5; urgent i1 and t1 = 2; three kinds of source.
        (WATER, "mining", caf, 4, 3.5, 2.5, 2, 2, 1, 1),
        # r1: max(1, 3, 1) = 3, likelihood 4: below water's 3.5.
        (LAND, "mining", caf, 1, 3, 4, 0, 1, 0, 0),
        # c4 (tierra, agua) gave no place, sector or score: unranked, last, by right.
        (LAND, UNSPECIFIED, UNSPECIFIED, 1, None, None, 0, 0, 1, 0),
        (WATER, UNSPECIFIED, UNSPECIFIED, 1, None, None, 0, 0, 1, 0),
    ]
    assert page.risks[2].sources == 3
    # Neither the testimony without aggregate consent (forced labour) nor the withdrawn one (child labour) counts.
    assert not {"forced_labour", "child_labour"} & {r.right for r in page.risks}
    groups = dict(page.by_group)
    # Indigenous: i1 (4) and i2 (3) on water: median 3.5, likelihood 1 and 2 → 1.5; urgent 1.
    assert [risk_tuple(r) for r in groups["indigenous_people"]] == [(WATER, "mining", caf, 2, 3.5, 1.5, 1, 2, 0, 0)]
    # Rural: its answers and t1 (a testimony about rural communities). Within the group, water is t1 alone
    # (5, 5), tied with environment on both: more reports would win, then the code.
    assert [(r.right, r.severity, r.likelihood, r.testimonies) for r in groups["rural_community"]] == [
        (ENV, 5, 5, 1),
        (WATER, 5, 5, 1),
        (WORK, 5, 1, 0),
        (LAND, 3, 4, 0),
    ]
    assert page.matrix[(4, 1)] == 1 and page.matrix[(3, 2)] == 1 and page.matrix[(3, 3)] == 1


def test_urgency_comes_from_severity_or_irremediability(world, create_testimony, db):
    # Only irremediability is high (1, 1, 4): severity max = 4, urgent. A likelihood of 5 alone is not urgent.
    store(
        world.consultation,
        world.community,
        "indigenous_people",
        [
            {"K1": "yes", "R1": [WORK], "R2": WORK, "SEC": "mining", "S1": severity(1, 1, 4, 1)},
            {"K1": "yes", "R1": [WORK], "R2": WORK, "SEC": "mining", "S1": severity(1, 2, 1, 5)},
        ],
    )
    risk = next(
        r
        for r in services.salience_page(context(world), read(world)).risks
        if (r.right, r.sector, r.locality) == (WORK, "mining", UNSPECIFIED)
    )
    # Severities 4 and 2: median 3; likelihoods 1 and 5: median 3; one urgent report of two.
    assert (risk.reports, risk.severity, risk.likelihood, risk.urgent) == (2, 3, 3, 1)


def test_divergence_is_communities_minus_companies_group_balanced(world):
    rights = services.divergence_page(context(world), read(world))
    assert [r.right for r in rights] == [WATER, LAND, WORK]
    water, land, work = rights
    # Asked a rights question: indigenous 2, rural 9, company 5.
    assert water.asked == {"indigenous_people": 2, "rural_community": 9, "company_large": 5}
    # Water: indigenous 2/2 = 100 %, rural 6/9 = 66.7 % → communities (100 + 66.7) / 2 = 83.3 %;
    # companies 2/5 = 40 % (c1 agua, c4 agua); gap 83.3 − 40 = +43.3 points.
    assert water.community == pytest.approx((1 + 6 / 9) / 2) and water.company == pytest.approx(0.4)
    assert water.gap == 43.3 and (water.community_n, water.company_n) == (11, 5)
    # Spread: highest (indigenous 100 %) minus lowest (companies 40 %) = 60 points.
    assert (water.spread, water.spread_groups) == (60.0, ("indigenous_people", "company_large"))
    # Land: (1/2 + 4/9) / 2 = 47.2 % against 1/5 = 20 %: +27.2.
    assert land.gap == 27.2 and land.named == {"indigenous_people": 1, "rural_community": 4, "company_large": 1}
    # Work: (0 + 3/9) / 2 = 16.7 % against 0 %: +16.7.
    assert work.gap == 16.7 and work.company == 0
    # The indigenous base (2) is under the threshold of 5: marked small.
    assert water.small == ["indigenous_people"]


def test_set_aside_answers_change_no_divergence_or_salience(world, db):
    batch = store(world.consultation, world.company, "company_large", [{"riesgos": ["agua"]}] * 4)
    for response in batch:
        response.is_set_aside = True
    db.session.commit()
    water = services.divergence_page(context(world), read(world))[0]
    assert (water.right, water.gap, water.asked["company_large"]) == (WATER, 43.3, 5)
    # Salience neither: c4 is still the only company report of water without a place.
    risks = services.salience_page(context(world), read(world)).risks
    assert [r.company for r in risks if (r.right, r.locality) == (WATER, UNSPECIFIED)] == [1]


def test_the_divergence_and_salience_pages_show_the_figures(world, create_user, client, app):
    client.login(create_user(roles={world.territory: ["official"]}).email)
    html = client.get(f"{world.url}/divergence?lang=en").get_data(as_text=True)
    table = html_tables(html)["divergence"]
    assert table[1][3] == "+43.3" and table[1][4] == "60.0"
    assert table[1][5:] == ["100 % (2/2)", "67 % (6/9)", "40 % (2/5)"]
    salience = html_tables(client.get(f"{world.url}/salience?lang=en").get_data(as_text=True))["risks"]
    with app.test_request_context("/?lang=en"):
        names = [str(RIGHTS[code]) for code in (ENV, WORK, WATER, LAND)]
    assert [row[0] for row in salience[1:5]] == names
    # Each risk's place is named, whether its reports are answers or testimonies.
    assert [row[2] for row in salience[1:5]] == ["Cafayate"] * 4


# -- an official's own instrument -------------------------------------------------------------------------------

XLS_SURVEY = [
    ["type", "name", "label::Español (es)", "concept"],
    ["select_multiple derechos", "derechos", "¿Qué derechos se afectaron?", "right"],
    ["select_one derechos", "principal", "¿Cuál es el principal?", "main_right"],
    ["select_one rubros", "rubro", "¿Qué rubro?", "sector"],
    ["integer", "escala", "¿Qué tan grave? (1 a 5)", "severity:scale"],
    ["integer", "irreparable", "¿Se puede reparar? (1 a 5)", "severity:irremediability"],
    ["integer", "probable", "¿Qué tan probable? (1 a 5)", "severity:likelihood"],
]
XLS_CHOICES = [
    ["list_name", "name", "label::Español (es)", "concept"],
    ["derechos", "agua", "Agua", "water_sanitation"],
    ["derechos", "tierra", "Tierra", "land_housing"],
    ["derechos", "ninguno", "Ninguno", None],
    ["rubros", "mineria", "Minería", "mining"],
]
XLS_SETTINGS = [["form_id", "form_title", "default_language"], ["encuesta_propia", "Encuesta propia", "Español (es)"]]


def test_an_officials_xlsform_meets_the_built_in_codes(create_territory, create_version, create_consultation, db):
    territory = create_territory("jujuy", "Jujuy", "AR")
    own = surveys.import_xlsform_file(workbook(XLS_SURVEY, XLS_CHOICES, XLS_SETTINGS), None).version
    database.session.commit()
    company = company_definition()
    consultation = create_consultation(
        territory,
        slug="propia",
        languages=("es",),
        groups={"indigenous_people": own, "company_large": create_version(company)},
    )
    world = World(consultation, own, consultation.group("company_large"), {})
    company_version = database.session.get(type(own), consultation.group("company_large").instrument_version_id)
    store(
        consultation,
        own,
        "indigenous_people",
        [
            # Scores 4, –, 3: severity max(scale, irremediability) = 4, urgent; likelihood 3.
            {
                "derechos": ["agua"],
                "principal": "agua",
                "rubro": "mineria",
                "escala": 4,
                "irreparable": 2,
                "probable": 3,
            },
            {"derechos": ["agua", "tierra"], "principal": "tierra"},
        ],
    )
    store(consultation, company_version, "company_large", [{"riesgos": ["agua"]}, {"riesgos": ["ninguno"]}])
    rights = services.divergence_page(context(world), read(world))
    # Water: indigenous 2/2 = 100 %, companies 1/2 = 50 %: +50. Land: 1/2 = 50 % against 0 %: +50.
    # Equal gaps and spreads: by code.
    assert [(r.right, r.gap, r.spread) for r in rights] == [(LAND, 50.0, 50.0), (WATER, 50.0, 50.0)]
    risks = services.salience_page(context(world), read(world)).risks
    assert [risk_tuple(r) for r in risks] == [
        (WATER, "mining", UNSPECIFIED, 1, 4, 3, 1, 1, 0, 0),
        (LAND, UNSPECIFIED, UNSPECIFIED, 1, None, None, 0, 1, 0, 0),
        (WATER, UNSPECIFIED, UNSPECIFIED, 1, None, None, 0, 0, 1, 0),
    ]
