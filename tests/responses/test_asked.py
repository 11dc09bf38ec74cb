"""What each person was asked: recorded at sending, shared per path, filled in for older responses; long place names."""

from __future__ import annotations

import pytest
from sqlalchemy import func, select

from consult.responses import drafts, sending
from consult.responses.models import Answer, EntryMode, Response
from consult.responses.paths_backfill import fill_missing
from consult.responses.storage import NewResponse, store_many, store_response, unheld_keys
from consult.surveys.asked import CACHE, asked_keys, asked_set_id, keys_of
from consult.surveys.models import AskedSet, AskedSetQuestion
from consult.surveys.types import question_type
from tests.fixtures.survey_definitions import make_definition, option, question

YES_NO = [option("yes", "Sí", "Yes", "Sim"), option("no", "No", "No", "Não")]
#: An area name as long as the localities table allows (200 characters).
LONG_AREA = ("Subregión del Magdalena Medio y de las veredas ribereñas " * 4)[:200]


def skipping_definition() -> dict:
    """p1: an information text, Q1 yes/no, Q2 shown only after "yes" → p2 only after "yes" (Q3) → p3 (Q4 place, Q5
    number)."""
    return make_definition(
        pages=[
            {
                "key": "p1",
                "questions": [
                    question("I0", "info"),
                    question("Q1", "single_choice", required=True, options=YES_NO),
                    question("Q2", "short_text", when={"==": [{"answer": "Q1"}, "yes"]}),
                ],
            },
            {
                "key": "p2",
                "when": {"==": [{"answer": "Q1"}, "yes"]},
                "questions": [
                    question("Q3", "multiple_choice", options=[option("water", "Agua"), option("land", "Tierra")]),
                ],
            },
            {
                "key": "p3",
                "questions": [
                    question("Q4", "territory"),
                    question("Q5", "number", min=0, max=100),
                ],
            },
        ],
        key="skipping",
    )


@pytest.fixture
def skipping(create_territory, create_version, create_consultation, db):
    """An open consultation of a territory with one locality in a 200-character area, answering
    ``skipping_definition``."""
    from consult.accounts.services import import_localities

    territory = create_territory("magdalena", "Magdalena Medio", "CO")
    import_localities(territory, f"code,name,area\n05001,Puerto Berrío,{LONG_AREA}\n05002,Yondó,Norte\n")
    db.session.commit()
    version = create_version(skipping_definition())
    return create_consultation(territory, groups={"rural_community": version, "cso": version}, slug="magdalena")


def _send(consultation, answers, group="rural_community"):
    from consult.extensions import db

    draft, _ = drafts.start_draft(consultation, "es")
    drafts.choose_group(draft, group)
    draft.answers = dict(answers)
    db.session.commit()
    return sending.send(consultation, draft.submission_token).response


def test_the_asked_set_holds_exactly_the_questions_shown(skipping, db):
    no = _send(skipping, {"Q1": "no", "Q2": "ignored: hidden", "Q3": ["water"], "Q5": 4})
    # Q2 is hidden by its own condition, p2 (Q3) is skipped by the page's, I0 is information: none was asked.
    assert keys_of(no.asked_set_id) == {"Q1", "Q4", "Q5"}
    yes = _send(skipping, {"Q1": "yes"})
    assert keys_of(yes.asked_set_id) == {"Q1", "Q2", "Q3", "Q4", "Q5"}  # asked, even unanswered


def test_responses_on_the_same_path_share_one_set(skipping, db, app):
    first = _send(skipping, {"Q1": "no", "Q5": 1})
    second = _send(skipping, {"Q1": "no"}, group="cso")
    third = _send(skipping, {"Q1": "yes", "Q3": ["land"]})
    assert first.asked_set_id == second.asked_set_id != third.asked_set_id
    assert db.session.scalar(select(func.count()).select_from(AskedSet)) == 2
    # Counting "asked" per question and group is a join and a GROUP BY.
    asked = db.session.execute(
        select(AskedSetQuestion.question_key, Response.group_code, func.count(Response.id))
        .join(Response, Response.asked_set_id == AskedSetQuestion.asked_set_id)
        .where(Response.consultation_id == skipping.id)
        .group_by(AskedSetQuestion.question_key, Response.group_code)
    ).all()
    counts = {(key, group): n for key, group, n in asked}
    assert counts[("Q1", "rural_community")] == 2 and counts[("Q1", "cso")] == 1
    assert counts[("Q3", "rural_community")] == 1 and ("Q3", "cso") not in counts
    # Once committed, the set is found without asking the database again.
    assert app.extensions[CACHE]


def test_a_set_made_in_a_rolled_back_transaction_is_not_remembered(skipping, db, app):
    version_id = skipping.groups[0].instrument_version_id
    asked_set_id(version_id, ("Q1", "Q9"))
    db.session.rollback()
    assert not app.extensions.get(CACHE)  # only ids of committed transactions are kept
    again = asked_set_id(version_id, ("Q1", "Q9"))
    db.session.commit()
    assert db.session.get(AskedSet, again) is not None
    assert list(app.extensions[CACHE].values()) == [again]
    assert asked_set_id(version_id, ("Q1", "Q9")) == again


def test_asked_keys_follow_the_path_finder(skipping, db):
    from consult.surveys.models import InstrumentVersion

    instrument = db.session.get(InstrumentVersion, skipping.groups[0].instrument_version_id).parsed()
    assert asked_keys(instrument, {}) == ("Q1", "Q4", "Q5")
    assert asked_keys(instrument, {"Q1": "yes"}) == ("Q1", "Q2", "Q3", "Q4", "Q5")


def _item(version, answers, group="rural_community"):
    submission_key, receipt_hash = unheld_keys()
    return NewResponse(
        version=version,
        group_code=group,
        language="es",
        entry_mode=EntryMode.PAPER,
        answers=answers,
        submission_key=submission_key,
        receipt_code_hash=receipt_hash,
    )


def test_bulk_and_assisted_storage_record_the_asked_set(skipping, db):
    from consult.surveys.models import InstrumentVersion

    version = db.session.get(InstrumentVersion, skipping.groups[0].instrument_version_id)
    assert (
        store_many(
            skipping,
            [_item(version, {"Q1": "no"}), _item(version, {"Q1": "yes"}), _item(version, {"Q1": "no", "Q5": 3})],
        )
        == 3
    )
    one = store_response(skipping, _item(version, {"Q1": "yes", "Q3": ["water"]}))
    db.session.commit()
    stored = db.session.scalars(select(Response).order_by(Response.id)).all()
    assert [keys_of(r.asked_set_id) for r in stored] == [
        {"Q1", "Q4", "Q5"},
        {"Q1", "Q2", "Q3", "Q4", "Q5"},
        {"Q1", "Q4", "Q5"},
        {"Q1", "Q2", "Q3", "Q4", "Q5"},
    ]
    assert stored[0].asked_set_id == stored[2].asked_set_id and one.asked_set_id == stored[1].asked_set_id


def test_fill_missing_records_what_older_responses_were_asked(skipping, db, runner, app):
    no = _send(skipping, {"Q1": "no", "Q5": 7})
    yes = _send(skipping, {"Q1": "yes", "Q3": ["water"]})
    no_id, yes_id = no.id, yes.id
    # As stored before asked sets existed.
    db.session.execute(Response.__table__.update().values(asked_set_id=None))
    db.session.execute(AskedSet.__table__.delete())
    db.session.commit()
    app.extensions.pop(CACHE, None)  # a process started after the upgrade
    assert fill_missing(skipping.id) == 2
    db.session.commit()
    assert keys_of(db.session.get(Response, no_id).asked_set_id) == {"Q1", "Q4", "Q5"}
    assert keys_of(db.session.get(Response, yes_id).asked_set_id) == {"Q1", "Q2", "Q3", "Q4", "Q5"}
    assert fill_missing(skipping.id) == 0
    db.session.execute(Response.__table__.update().values(asked_set_id=None))
    db.session.commit()
    result = runner.invoke(args=["responses", "fill-asked"])
    assert result.exit_code == 0, result.output
    assert "2 responses" in result.output
    db.session.expire_all()
    assert db.session.get(Response, no_id).asked_set_id is not None


def test_a_place_in_a_long_named_area_is_stored_and_read_back(skipping, db):
    from consult.surveys.models import InstrumentVersion

    value = {"area": LONG_AREA, "locality": "05001"}
    response = _send(skipping, {"Q1": "no", "Q4": value})
    db.session.expire_all()
    rows = db.session.scalars(
        select(Answer).where(Answer.response_id == response.id, Answer.question_key == "Q4")
    ).all()
    by_part = {row.part: (row.option, row.text) for row in rows}
    assert by_part == {"area": (None, LONG_AREA), "locality": ("05001", None)}
    instrument = db.session.get(InstrumentVersion, response.instrument_version_id).parsed()
    assert sending.answers_of(instrument, db.session.get(Response, response.id))["Q4"] == value
    assert response.locality.code == "05001"


def test_territory_rows_of_the_earlier_layout_still_read():
    territory = question_type("territory")
    q = type("Q", (), {"key": "Q4", "get": lambda self, name, default=None: None})()
    assert territory.from_rows(q, [{"part": "area", "option": "Norte"}, {"part": "locality", "option": "05002"}]) == {
        "area": "Norte",
        "locality": "05002",
    }
    assert territory.from_rows(q, territory.to_rows(q, {"area": LONG_AREA, "locality": "05001"})) == {
        "area": LONG_AREA,
        "locality": "05001",
    }


@pytest.mark.parametrize(
    "answers",
    [
        {},
        {"C1": ["aggregate"], "A3": "no", "B1": ["water"], "D1": 3},
        {"A3": "yes", "B1": ["none"], "B4": "yes", "B6": {"legitimate": "yes"}},
        {"A3": "yes", "B1": ["water", "land"], "B2": {"scale": 4}, "B4": "no", "D3": "x"},
        {"A3": {"option": "other", "other": "a veces"}, "B4": "yes"},
    ],
)
def test_asked_keys_equal_the_page_by_page_reference(sample_definition, answers):
    from consult.surveys.asked import shown_by_pages
    from consult.surveys.engine import Instrument

    instrument = Instrument.from_dict(sample_definition)
    assert asked_keys(instrument, answers) == shown_by_pages(instrument, answers)
    assert "I0" not in asked_keys(instrument, answers)


def test_sending_through_the_answering_flow_records_the_routed_path(client, routed_consultation, db):
    import re

    from tests.responses.test_answering import _page, _start

    slug = routed_consultation.slug
    _start(client, slug, "es")
    _page(client, slug, "p_first", {"q-Q1": "no", "action": "next"})  # routing jumps over p_middle
    _page(client, slug, "p_last", {"action": "next"})  # Q4 asked, left blank
    review = client.get(f"/c/{slug}/review").get_data(as_text=True)
    token = re.search(r'name="submission_token" value="([^"]+)"', review).group(1)
    csrf = re.search(r'name="csrf_token"[^>]*value="([^"]+)"', review).group(1)
    client.post(f"/c/{slug}/send", data={"csrf_token": csrf, "submission_token": token})
    response = db.session.scalar(select(Response))
    assert keys_of(response.asked_set_id) == {"Q1", "Q4"}
