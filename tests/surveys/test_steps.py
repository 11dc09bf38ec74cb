"""The one page-step service both answering flows walk with: Next, Back, review, pages off the path, progress."""

from __future__ import annotations

import pytest

from consult.surveys.engine import Instrument
from consult.surveys.steps import (
    BACK,
    NEXT,
    OFF_PATH,
    REVIEW,
    START,
    Progress,
    direction_of,
    step,
    steps,
)
from tests.fixtures.survey_definitions import YES_NO, make_definition, question


@pytest.fixture
def sample(sample_definition) -> Instrument:
    return Instrument.from_dict(sample_definition)


@pytest.fixture
def hidden_page() -> Instrument:
    """p2's only question shows when Q1 is "yes": answering "no" leaves p2 with nothing to show."""
    return Instrument.from_dict(
        make_definition(
            pages=[
                {"key": "p1", "questions": [question("Q1", "single_choice", options=YES_NO)]},
                {"key": "p2", "questions": [question("Q2", "short_text", when={"==": [{"answer": "Q1"}, "yes"]})]},
                {"key": "p3", "questions": [question("Q3", "short_text")]},
            ]
        )
    )


def test_next_and_back_follow_the_path_to_the_review_and_the_start(sample):
    answers = {"A3": "yes"}
    assert step(sample, answers, "p_intro", NEXT) == "p_who"
    assert step(sample, answers, "p_who", NEXT) == "p_harm"
    assert step(sample, answers, "p_views", NEXT) is REVIEW
    assert step(sample, answers, "p_views", BACK) == "p_remedy"
    assert step(sample, answers, "p_intro", BACK) is START


def test_the_answers_just_given_decide_where_next_leads(sample):
    # "No" on p_who routes straight to the views; Back from there skips the harm pages too.
    assert step(sample, {"A3": "no"}, "p_who", NEXT) == "p_views"
    assert step(sample, {"A3": "no"}, "p_views", BACK) == "p_who"
    # p_mechanism is asked only after B4 = "yes".
    assert step(sample, {"A3": "yes", "B4": "yes"}, "p_remedy", NEXT) == "p_mechanism"
    assert step(sample, {"A3": "yes", "B4": "no"}, "p_remedy", NEXT) == "p_views"


def test_a_page_with_nothing_to_show_is_skipped_both_ways(hidden_page):
    assert step(hidden_page, {"Q1": "yes"}, "p1", NEXT) == "p2"
    assert step(hidden_page, {"Q1": "no"}, "p1", NEXT) == "p3"
    assert step(hidden_page, {"Q1": "no"}, "p3", BACK) == "p1"
    assert steps(hidden_page, {"Q1": "no"}).keys == ["p1", "p3"]


def test_a_page_holding_only_settled_questions_is_skipped(sample):
    # The group step answered A1 and A2 for a person; A3 is left, so p_who is still asked...
    assert step(sample, {}, "p_intro", NEXT, settled={"A1", "A2"}) == "p_who"
    # ...but with all three settled it has nothing to ask.
    assert step(sample, {}, "p_intro", NEXT, settled={"A1", "A2", "A3"}) == "p_harm"
    assert step(sample, {}, "p_harm", BACK, settled={"A1", "A2", "A3"}) == "p_intro"


def test_a_page_that_asks_nothing_by_the_flows_own_measure_is_passed(sample):
    # The testimony form passes pages whose questions it derives: here, "p_remedy asks nothing".
    def shows(page):
        return page.key != "p_remedy"

    path = steps(sample, {"A3": "yes"}, shows=shows)
    assert step(sample, {"A3": "yes"}, "p_harm", NEXT, shows=shows) == "p_views"
    assert path.step("p_views", BACK) == "p_harm"
    # Asked for by its address, it is on the path but not shown: on to the next page.
    assert path.arrive("p_remedy") == "p_views"
    assert path.arrive("p_harm") is None
    assert "p_remedy" not in path.keys


def test_a_page_off_the_path_is_never_shown(sample):
    path = steps(sample, {"A3": "no"})
    assert path.arrive("p_harm") is OFF_PATH
    assert path.arrive("no_such_page") is OFF_PATH
    assert path.arrive("p_views") is None
    # From a page that fell off the path (the person went back and changed an answer), the steps still lead on.
    assert path.step("p_harm", NEXT) == "p_views"
    assert path.step("p_mechanism", BACK) == "p_who"


def test_a_path_that_asks_nothing_goes_straight_to_the_review(sample):
    path = steps(sample, {}, shows=lambda page: False)
    assert path.first() is REVIEW and path.last() is None
    assert steps(sample, {}).first() == "p_intro"
    assert steps(sample, {"A3": "no"}).last().key == "p_views"


def test_progress_counts_the_pages_shown_and_the_parts(sample):
    path = steps(sample, {"A3": "yes"})
    assert path.progress("p_intro") == Progress(position=1, total=5, section_number=1, section_count=3)
    harm = path.progress("p_harm")
    assert (harm.position, harm.pages_left, harm.section_number) == (3, 2, 2)
    assert path.progress("p_views").pages_left == 0
    # An answer adds a page: the pages left grow, the parts never change.
    longer = steps(sample, {"A3": "yes", "B4": "yes"}).progress("p_harm")
    assert (longer.position, longer.pages_left, longer.section_count) == (3, 3, 3)
    # "No" on p_who skips the harm part: two pages done, one left.
    assert steps(sample, {"A3": "no"}).progress("p_who") == Progress(2, 3, 1, 3)


def test_progress_of_a_page_passed_by_the_flow_counts_only_pages_shown(hidden_page):
    path = steps(hidden_page, {"Q1": "no"})
    assert path.progress("p3") == Progress(2, 2, 1, 1)


def test_the_buttons_name_the_direction():
    assert direction_of("back") == BACK
    assert direction_of("next") == NEXT
    assert direction_of(None) == NEXT
    with pytest.raises(ValueError):
        steps(Instrument.from_dict(make_definition([question("Q1", "short_text")])), {}).step("p1", "sideways")
