"""Testimonies carry the group they are about and what their submitter was asked; long place names are safe."""

from __future__ import annotations

import pytest
from sqlalchemy import select

from consult.surveys.asked import CACHE, keys_of
from consult.surveys.models import AskedSet
from consult.surveys.types.blocks import area_code
from consult.testimonies import intake
from consult.testimonies.asked_backfill import fill_missing
from consult.testimonies.models import Testimony, TestimonyAnswer
from consult.testimonies.queries import aggregate_testimonies
from tests.fixtures.survey_definitions import make_definition, option, question

LONG_AREA = ("Subregión del Magdalena Medio y de las veredas ribereñas " * 4)[:200]
YES_NO = [option("yes", "Sí", "Yes", "Sim"), option("no", "No", "No", "Não")]


def small_testimony_definition() -> dict:
    """Consent, then who (a yes/no, a group question shown only after "yes" keyed X7, a second group), a place, a
    threat page."""
    return make_definition(
        pages=[
            {
                "key": "p_consent",
                "questions": [
                    question("I0", "info"),
                    question("K1", "consent", options=[option("aggregate", "Contar"), option("quote", "Citar")]),
                ],
            },
            {
                "key": "p_who",
                "questions": [
                    question("W1", "single_choice", options=YES_NO),
                    question(
                        "X7",
                        "stakeholder_group",
                        when={"==": [{"answer": "W1"}, "yes"]},
                        groups=["indigenous_people", "afro_descendant", "rural_community"],
                    ),
                    question("X8", "stakeholder_group", groups=["company_large", "company_sme"]),
                    question("P1", "territory"),
                ],
            },
            {
                "key": "p_threat",
                "when": {"==": [{"answer": "W1"}, "no"]},
                "questions": [
                    question("T1", "single_choice", options=YES_NO),
                ],
            },
        ],
        key="small_testimony",
        audience="testimony",
    )


@pytest.fixture
def setting(create_territory, create_consultation, create_version, db):
    from consult.accounts.services import import_localities

    territory = create_territory("magdalena-t", "Magdalena Medio", "CO")
    import_localities(territory, f"code,name,area\n05001,Puerto Berrío,{LONG_AREA}\n")
    db.session.commit()
    return create_consultation(territory, slug="testimonios"), create_version(small_testimony_definition())


def _submit(setting, answers):
    from consult.extensions import db

    consultation, version = setting
    draft, token = intake.start_draft(consultation, version, "es")
    intake.save_draft(draft, {"answers": answers, "cso": None})
    sent = intake.submit_draft(draft, token, lang="es")
    db.session.commit()
    return sent.testimony


def test_the_group_comes_from_the_first_group_question_asked(setting, db):
    about = _submit(setting, {"K1": ["aggregate"], "W1": "yes", "X7": "indigenous_people", "X8": "company_large"})
    assert about.group_code == "indigenous_people"
    # X7 hidden (W1 = "no"): its stale answer does not count, and the first group question asked is X8.
    other = _submit(setting, {"K1": ["aggregate"], "W1": "no", "X7": "afro_descendant", "X8": "company_sme"})
    assert other.group_code == "company_sme"
    blank = _submit(setting, {"K1": ["aggregate"], "W1": "yes", "X8": "company_sme"})
    assert blank.group_code is None  # the first group question asked was left blank


def test_the_asked_set_is_recorded_and_shared(setting, db):
    yes = _submit(setting, {"K1": ["aggregate"], "W1": "yes", "X7": "rural_community"})
    again = _submit(setting, {"K1": ["quote"], "W1": "yes"})
    no = _submit(setting, {"W1": "no"})
    assert keys_of(yes.asked_set_id) == {"K1", "W1", "X7", "X8", "P1"}
    assert keys_of(no.asked_set_id) == {"K1", "W1", "X8", "P1", "T1"}
    assert yes.asked_set_id == again.asked_set_id != no.asked_set_id


def test_aggregate_testimonies_give_group_and_asked_set_of_consented_ones_only(setting, db):
    counted = _submit(setting, {"K1": ["aggregate"], "W1": "yes", "X7": "rural_community"})
    _submit(setting, {"K1": ["quote"], "W1": "yes", "X7": "afro_descendant"})
    rows = db.session.execute(aggregate_testimonies(consultation_id=setting[0].id)).all()
    assert [(r.id, r.group_code, r.asked_set_id) for r in rows] == [
        (counted.id, "rural_community", counted.asked_set_id)
    ]
    assert rows[0].submitted_on == counted.submitted_on and rows[0].on_behalf_of is None


def test_a_place_in_a_long_named_area_is_counted_by_a_short_code(setting, db):
    testimony = _submit(setting, {"K1": ["aggregate"], "W1": "no", "P1": {"area": LONG_AREA, "locality": "05001"}})
    rows = db.session.scalars(
        select(TestimonyAnswer).where(
            TestimonyAnswer.testimony_id == testimony.id, TestimonyAnswer.question_key == "P1"
        )
    ).all()
    by_part = {row.part: row.option for row in rows}
    assert by_part == {"area": area_code(LONG_AREA), "locality": "05001"}
    assert len(by_part["area"]) <= 64 and area_code("Norte") == "Norte"
    assert area_code(LONG_AREA) != area_code(LONG_AREA[:-1] + "x")


def test_fill_missing_rebuilds_asked_set_and_group_from_counted_rows(setting, db, app, runner):
    yes = _submit(setting, {"K1": ["aggregate"], "W1": "yes", "X7": "rural_community"})
    no = _submit(setting, {"K1": ["aggregate"], "W1": "no", "T1": "yes"})
    private = _submit(setting, {"K1": ["quote"], "W1": "no"})
    ids = yes.id, no.id, private.id
    db.session.execute(Testimony.__table__.update().values(asked_set_id=None, group_code=None))
    db.session.execute(AskedSet.__table__.delete())
    db.session.commit()
    app.extensions.pop(CACHE, None)  # a process started after the upgrade
    assert fill_missing(setting[0].id) == 2  # only testimonies counted in aggregate have rows to replay
    db.session.commit()
    yes, no, private = (db.session.get(Testimony, i) for i in ids)
    # The consent answer is never kept outside the sealed answers, yet K1 was asked: its page is on every path.
    assert keys_of(yes.asked_set_id) == {"K1", "W1", "X7", "X8", "P1"} and yes.group_code == "rural_community"
    assert keys_of(no.asked_set_id) == {"K1", "W1", "X8", "P1", "T1"} and no.group_code is None
    assert private.asked_set_id is None
    assert fill_missing(setting[0].id) == 0
    result = runner.invoke(args=["testimonies", "fill-asked"])
    assert result.exit_code == 0 and "0 testimonies" in result.output
