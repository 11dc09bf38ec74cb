"""The path finder: skipped pages, routing, answers off the path, chained conditions."""

from __future__ import annotations

import pytest

from consult.surveys.engine import Instrument
from consult.surveys.paths import (
    first_page,
    is_on_path,
    last_page,
    next_page,
    on_path_answers,
    path_pages,
    previous_page,
    visible_questions,
)
from tests.fixtures.survey_definitions import YES_NO, make_definition, question


@pytest.fixture
def sample(sample_definition) -> Instrument:
    return Instrument.from_dict(sample_definition)


def keys(pages) -> list[str]:
    return [page.key for page in pages]


FULL = {
    "C1": ["aggregate"],
    "A3": "yes",
    "B1": ["water"],
    "B2": {"scale": 4},
    "B3": {"start": "2020-01-01"},
    "B4": "yes",
    "B5": "2021-05-01",
    "B6": {"legitimate": "no"},
    "D1": 2,
    "D2": 4,
}


def test_with_no_answers_pages_without_conditions_are_on_the_path(sample):
    assert keys(path_pages(sample, {})) == ["p_intro", "p_who", "p_harm", "p_remedy", "p_views"]


def test_a_page_is_skipped_unless_its_condition_holds(sample):
    assert "p_mechanism" in keys(path_pages(sample, {"A3": "yes", "B4": "yes"}))
    assert "p_mechanism" not in keys(path_pages(sample, {"A3": "yes", "B4": "no"}))


def test_routing_jumps_forward(sample):
    assert keys(path_pages(sample, {"A3": "no"})) == ["p_intro", "p_who", "p_views"]


def test_the_default_route_is_taken_when_no_rule_holds(sample):
    assert keys(path_pages(sample, {"A3": "dont_know"})) == ["p_intro", "p_who", "p_harm", "p_remedy", "p_views"]


def test_answers_off_the_path_are_dropped(sample):
    # The person first said yes and answered the harm pages, then went back and said no.
    answers = dict(FULL, A3="no")
    counted = on_path_answers(sample, answers)
    assert set(counted) == {"C1", "A3", "D1", "D2"}
    assert "p_harm" not in keys(path_pages(sample, answers))


def test_chained_conditions_fall_together(sample):
    # A3 = "no" routes past p_remedy, so B4 no longer counts, so p_mechanism's condition
    # (B4 == "yes") fails, so B5 and B6 do not count either: the chain falls in one replay.
    answers = dict(FULL, A3="no")
    assert not is_on_path(sample, answers, "p_remedy")
    assert not is_on_path(sample, answers, "p_mechanism")
    assert on_path_answers(sample, on_path_answers(sample, answers)) == on_path_answers(sample, answers)


def test_a_question_hidden_by_its_own_condition_does_not_count(sample):
    answers = dict(FULL, B1=["none"])
    counted = on_path_answers(sample, answers)
    assert "B2" not in counted and counted["B1"] == ["none"]
    assert "B2" in on_path_answers(sample, FULL)


def test_empty_answers_do_not_count(sample):
    assert on_path_answers(sample, {"A3": "yes", "D3": "", "B1": []}) == {"A3": "yes"}


def test_next_and_previous_follow_the_path(sample):
    answers = {"A3": "no"}
    assert first_page(sample, answers).key == "p_intro"
    assert next_page(sample, answers, "p_intro").key == "p_who"
    assert next_page(sample, answers, "p_who").key == "p_views"
    assert next_page(sample, answers, "p_views") is None
    assert previous_page(sample, answers, "p_views").key == "p_who"
    assert previous_page(sample, answers, "p_intro") is None
    assert last_page(sample, answers).key == "p_views"


def test_next_page_from_a_page_off_the_path_goes_to_the_next_one_on_it(sample):
    assert next_page(sample, {"A3": "no"}, "p_harm").key == "p_views"
    assert previous_page(sample, {"A3": "no"}, "p_mechanism").key == "p_who"


def test_a_route_to_the_end_finishes_the_path():
    definition = make_definition(
        pages=[
            {
                "key": "p1",
                "questions": [question("Q1", "single_choice", options=YES_NO)],
                "routing": [{"goto": "end", "when": {"==": [{"answer": "Q1"}, "no"]}}, {"goto": "p2"}],
            },
            {"key": "p2", "questions": [question("Q2", "short_text")]},
        ]
    )
    instrument = Instrument.from_dict(definition)
    assert keys(path_pages(instrument, {"Q1": "no", "Q2": "kept?"})) == ["p1"]
    assert on_path_answers(instrument, {"Q1": "no", "Q2": "kept?"}) == {"Q1": "no"}
    assert keys(path_pages(instrument, {"Q1": "yes"})) == ["p1", "p2"]


def test_a_chain_of_question_conditions_on_one_page():
    definition = make_definition(
        [
            question("Q1", "single_choice", options=YES_NO),
            question("Q2", "single_choice", options=YES_NO, when={"==": [{"answer": "Q1"}, "yes"]}),
            question("Q3", "short_text", when={"==": [{"answer": "Q2"}, "yes"]}),
        ]
    )
    instrument = Instrument.from_dict(definition)
    page = instrument.page("p1")
    assert on_path_answers(instrument, {"Q1": "yes", "Q2": "yes", "Q3": "x"}) == {"Q1": "yes", "Q2": "yes", "Q3": "x"}
    # Q1 changed to no: Q2 is hidden, so Q3 (which depends on Q2) is hidden too.
    assert on_path_answers(instrument, {"Q1": "no", "Q2": "yes", "Q3": "x"}) == {"Q1": "no"}
    assert [q.key for q in visible_questions(instrument, page, {"Q1": "no", "Q2": "yes"})] == ["Q1"]
    assert [q.key for q in visible_questions(instrument, page, {"Q1": "yes", "Q2": "yes"})] == ["Q1", "Q2", "Q3"]
    assert [q.key for q in visible_questions(instrument, page, {})] == ["Q1"]


def test_page_conditions_see_only_counted_answers():
    definition = make_definition(
        pages=[
            {"key": "p1", "questions": [question("Q1", "single_choice", options=YES_NO)]},
            {"key": "p2", "when": {"==": [{"answer": "Q1"}, "yes"]}, "questions": [question("Q2", "number")]},
            {"key": "p3", "when": {">": [{"answer": "Q2"}, 10]}, "questions": [question("Q3", "short_text")]},
            {"key": "p4", "when": {"not-answered": [{"answer": "Q2"}]}, "questions": [question("Q4", "short_text")]},
        ]
    )
    instrument = Instrument.from_dict(definition)
    assert keys(path_pages(instrument, {"Q1": "yes", "Q2": 20})) == ["p1", "p2", "p3"]
    # Q2 = 20 is still stored, but p2 is off the path: p3 must not see it, p4 sees it unanswered.
    assert keys(path_pages(instrument, {"Q1": "no", "Q2": 20, "Q3": "x"})) == ["p1", "p4"]
    assert on_path_answers(instrument, {"Q1": "no", "Q2": 20, "Q3": "x"}) == {"Q1": "no"}


def test_visible_questions_of_a_page_off_the_path_use_earlier_answers(sample):
    page = sample.page("p_harm")
    assert [q.key for q in visible_questions(sample, page, {"A3": "no", "B1": ["land"]})] == ["B1", "B2", "B3"]
    assert [q.key for q in visible_questions(sample, page, {"B1": ["none"]})] == ["B1", "B3"]
