"""Remedy: what each kind of mechanism gave people, from testimonies counted in aggregate (consent held, not
withdrawn) and from answers that rate a mechanism; worked out by hand."""

from __future__ import annotations

import pytest

from consult.analysis import services
from consult.analysis.remedy import yes_share
from consult.responses.models import ConsultationGroup
from consult.testimonies.consent import withdraw
from consult.testimonies.models import Actor
from tests.analysis.world import CAFAYATE, build, context, html_tables, page_text, place, read, store
from tests.fixtures.survey_definitions import make_definition, question
from tests.fixtures.testimonies import full_answers

ALL_YES = dict.fromkeys(
    [
        "legitimate",
        "accessible",
        "predictable",
        "equitable",
        "transparent",
        "rights_compatible",
        "continuous_learning",
        "engagement",
    ],
    "yes",
)
COMPANY_RATING = make_definition(
    [
        question(
            "gm",
            "ungp31",
            "Su mecanismo de quejas",
            "Your grievance mechanism",
            "Seu mecanismo",
            concept="ungp31:company_grievance",
            criteria=["legitimate", "accessible"],
        )
    ],
    key="own_company_rating",
)


@pytest.fixture
def world(create_territory, create_version, create_consultation, create_testimony, db):
    built = build(create_territory, create_version, create_consultation, responses=False)
    consultation = built.consultation
    where = place(CAFAYATE)
    # t1 (rural): used the ombudsman and the company's mechanism, the company's is the main one; got nothing;
    # 18 months; fairness 1; UNGP 31 of the company mechanism: 6 "no", 1 "partly", 1 "don't know".
    create_testimony(consultation, full_answers(B3="rural_community", C5=where))
    # t2 (indigenous woman): a court, the main one; compensation and an apology; 6 months; fairness 4;
    # the plain UNGP 31 question rates the main mechanism (the court): legitimate "yes".
    create_testimony(
        consultation,
        full_answers(
            B1="self",
            B4="woman",
            B3="indigenous_people",
            C5=where,
            E1=["state_judicial"],
            E3=["financial_compensation", "apology"],
            E4=6,
            E5="state_judicial",
            E6={"legitimate": "yes", "accessible": "no"},
            E7=None,
            E8=4,
        ),
    )
    # t3 (rural): the company's mechanism; restitution; 10 months; fairness 3; every criterion "yes".
    create_testimony(
        consultation,
        full_answers(
            B3="rural_community", C5=where, E1=["company_grievance"], E3=["restitution"], E4=10, E7=ALL_YES, E8=3
        ),
    )
    # t4 does not allow aggregate use; t5 is withdrawn: neither counts anywhere.
    create_testimony(
        consultation, full_answers(A1=["quote"], B3="rural_community", E1=["company_grievance"], E3=["apology"], E4=2)
    )
    withdrawn, _code = create_testimony(
        consultation,
        full_answers(B3="rural_community", E1=["state_judicial"], E3=["sanctions"], E4=1, E5="state_judicial", E7=None),
    )
    withdraw(withdrawn, lang="es", actor=Actor.SUBMITTER)
    # t6 (indigenous man): went nowhere, because of the cost and the distance.
    create_testimony(
        consultation, full_answers(B1="self", B4="man", B3="indigenous_people", E1=["nowhere"], E2=["cost", "distance"])
    )
    db.session.commit()
    return built


def test_mechanisms_outcomes_and_months_from_consented_testimonies(world):
    page = services.remedy_page(context(world), read(world))
    summary = {m.mechanism: m for m in page.mechanisms}
    # Used: company mechanism t1, t3 = 2; ombudsman t1 = 1; court t2 = 1 (t4 and t5 not counted). Most used first.
    assert [(m.mechanism, m.used) for m in page.mechanisms] == [
        ("company_grievance", 2),
        ("ombudsman_nhri", 1),
        ("state_judicial", 1),
    ]
    company = summary["company_grievance"]
    # Outcomes go to the main mechanism: t1 "none" and t3 restitution → 1 of 2 got some remedy.
    assert (company.with_outcome, company.obtained, company.outcomes) == (2, 1, {"none": 1, "restitution": 1})
    assert company.obtained_share == pytest.approx(0.5)
    # Months: 18 and 10 → median 14; fairness 1 and 3 → median 2.
    assert (company.median_months, company.months_n, company.median_fairness, company.fairness_n) == (14.0, 2, 2.0, 2)
    court = summary["state_judicial"]
    assert (court.with_outcome, court.obtained, court.median_months) == (1, 1, 6.0)
    assert court.outcomes == {"apology": 1, "financial_compensation": 1}
    # The ombudsman was used by t1 but was not its main mechanism: nothing is paired with it.
    ombudsman = summary["ombudsman_nhri"]
    assert (ombudsman.with_outcome, ombudsman.median_months, ombudsman.criteria) == (0, None, {})
    # Four testimonies have remedy answers: t1, t2, t3, t6.
    assert page.reports == {"testimony": 4}


def test_ungp31_counts_per_mechanism(world):
    summary = {m.mechanism: m for m in services.remedy_page(context(world), read(world)).mechanisms}
    company = summary["company_grievance"]
    # Legitimate: t1 "no", t3 "yes"; continuous learning: t1 "don't know", t3 "yes"; accessible: t1 "partly", t3 "yes".
    assert company.criteria["legitimate"] == {"no": 1, "yes": 1}
    assert company.criteria["continuous_learning"] == {"dont_know": 1, "yes": 1}
    assert company.criteria["accessible"] == {"partly": 1, "yes": 1}
    assert company.criterion_n("legitimate") == 2
    # "Yes" over the rated criteria, "don't know" left out: t3 8 yes; t1 7 known (6 no, 1 partly) → 8 / 15.
    assert yes_share(company) == pytest.approx(8 / 15)
    # The plain question (E6) rates t2's main mechanism, the court.
    assert summary["state_judicial"].criteria == {"legitimate": {"yes": 1}, "accessible": {"no": 1}}


def test_barriers_by_group_and_gender_and_use_by_group(world):
    page = services.remedy_page(context(world), read(world))
    # t6 (indigenous, man) names cost and distance.
    assert page.barriers_by_group.to_dict() == {"indigenous_people": {"cost": 1, "distance": 1}}
    assert page.barriers_by_gender.to_dict() == {"man": {"cost": 1, "distance": 1}}
    used = page.used_by_group
    assert (
        used.loc["company_grievance", "rural_community"] == 2 and used.loc["state_judicial", "indigenous_people"] == 1
    )


def test_a_company_rating_its_own_mechanism_counts_by_concept(world, create_version, db):
    # A group answering a form whose only remedy question is keyed "gm": its concept names the mechanism.
    version = create_version(COMPANY_RATING)
    group = db.session.get(ConsultationGroup, world.consultation.group("company_large").id)
    group.instrument_version_id = version.id
    db.session.commit()
    store(world.consultation, version, "company_large", [{"gm": {"legitimate": "yes", "accessible": "partly"}}])
    page = services.remedy_page(context(world), read(world))
    company = next(m for m in page.mechanisms if m.mechanism == "company_grievance")
    # Legitimate: t1 "no", t3 "yes", the company "yes".
    assert company.criteria["legitimate"] == {"no": 1, "yes": 2}
    assert page.reports == {"testimony": 4, "response": 1}


def test_the_remedy_page_says_it_in_plain_words(world, create_user, client):
    client.login(create_user(roles={world.territory: ["analyst"]}).email)
    html = client.get(f"{world.url}/remedy?lang=en").get_data(as_text=True)
    assert "Testimonies counted: 4. Responses counted: 0." in page_text(html)
    summary = html_tables(html)["remedy-summary"]
    # Company mechanism: used 2; 1 of 2 got something (50 %); 14 months (n=2); fairness 2 (n=2); 8/15 = 53 % yes.
    assert summary[1][1:] == ["2", "50 % (1/2)", "14 (n=2)", "2 (n=2)", "53 %"]
