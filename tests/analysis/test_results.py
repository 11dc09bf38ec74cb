"""Results per question: shares of the people asked, pooled raw and group-balanced, skip logic, set-aside batches,
collective answers, and what a published table may show. Every figure is worked out by hand beside its assertion
(the responses are tabulated in ``tests/analysis/world.py``)."""

from __future__ import annotations

import pytest
from sqlalchemy import select

from consult.analysis import services
from consult.analysis.tables import present
from consult.responses.models import Response
from tests.analysis.world import (
    CAFAYATE,
    MOLINOS,
    WATER,
    bases,
    build,
    cells,
    context,
    html_tables,
    line,
    page_text,
    place,
    question_tables,
    read,
    store,
)

IND, RUR = "indigenous_people", "rural_community"


@pytest.fixture
def world(create_territory, create_version, create_consultation, db):
    return build(create_territory, create_version, create_consultation)


@pytest.fixture
def official(world, create_user, client):
    user = create_user(roles={world.territory: ["official"]})
    client.login(user.email)
    return user


def k1(world, **args):
    """The one table of K1 ("did a company harm you?") under the filter ``args``."""
    published = args.pop("published", False)
    page = services.results_page(context(world), read(world, **args), published=published)
    return page, question_tables(page, "K1")[0][1]


def test_raw_and_group_balanced_pooling_differ_when_groups_differ_in_size(world):
    page, view = k1(world)
    yes = line(view, "yes")
    # Indigenous 2 of 4 = 50 %, rural 9 of 10 = 90 %.
    assert cells(view, "yes") == {IND: 2, RUR: 9} and bases(view) == {IND: 4, RUR: 10}
    assert [c.share for c in yes.cells] == [pytest.approx(0.5), pytest.approx(0.9)]
    # Raw pooled: (2 + 9) / (4 + 10) = 11/14 = 78.57 %.
    assert (yes.pooled.count, yes.pooled.share) == (11, pytest.approx(11 / 14))
    # Balanced: (50 % + 90 %) / 2 = 70 %; difference 70 − 78.57 = −8.6 points.
    assert yes.balanced.share == pytest.approx(0.7)
    assert yes.difference == -8.6
    assert view.pooled_base.count == 14
    # The community section counts 4 + 10 responses; the company form has its own section.
    assert [s.responses for s in page.sections] == [14, 5]


def test_the_results_page_prints_the_same_figures(world, official, client):
    source = context(world).sources[0]
    html = client.get(f"{world.url}/results?lang=en").get_data(as_text=True)
    table = html_tables(html)[f"q-{source.version_id}-K1-t1"]
    assert table[0] == [
        "Answer",
        "Indigenous people",
        "Rural or farming community",
        "Everyone (raw)",
        "Everyone, each group weighing the same",
        "Difference (points)",
    ]
    assert table[1] == ["Yes", "2 (50 %)", "9 (90 %)", "11 (79 %)", "70 %", "-8.6"]
    assert table[2] == ["No", "2 (50 %)", "1 (10 %)", "3 (21 %)", "30 %", "+8.6"]
    assert table[-1][:4] == ["People asked", "4", "10", "14"]
    assert "14 responses counted." in page_text(html)


def test_a_page_skipped_by_its_rule_leaves_people_out_of_the_base(world):
    page = services.results_page(context(world), read(world))
    view = question_tables(page, "R1")[0][1]
    # p_harm shows only when K1 = yes: indigenous 2 (i1, i2), rural 9 (r1–r9); i3, i4 and r10 were never asked.
    assert bases(view) == {IND: 2, RUR: 9}
    # Asked, not answered: r8 and r9 saw R1 and left it blank: 9 asked − 7 answered = 2.
    assert cells(view, "__not_answered__") == {IND: 0, RUR: 2}
    # A person counts once per option ticked: r1–r3 ticked three rights each.
    # Rural: water 6 (r1–r6), land 4 (r1–r3, r7), work 3 (r1–r3) — 13 ticks, 7 people.
    assert cells(view, WATER) == {IND: 2, RUR: 6}
    assert cells(view, "land_housing") == {IND: 1, RUR: 4}
    assert cells(view, "working_conditions") == {IND: 0, RUR: 3}
    rural_shares = [line(view, code).cells[1].share for code in (WATER, "land_housing", "working_conditions")]
    assert rural_shares == [pytest.approx(6 / 9), pytest.approx(4 / 9), pytest.approx(3 / 9)]
    assert sum(rural_shares) == pytest.approx(13 / 9) and sum(rural_shares) > 1  # people, not ticks: over 100 %


def test_a_question_hidden_by_its_own_rule_counts_only_those_it_was_shown_to(world):
    page = services.results_page(context(world), read(world))
    result = next(r for s in page.sections for r, _t in s.questions if r.question.key == "S1")
    # S1 shows when R1 is answered: indigenous i1, i2; rural r1–r7 (r8, r9 left R1 blank, so never saw S1).
    assert result.asked == {IND: 2, RUR: 7}
    # Only i1, i2, r1, r2 scored it.
    assert result.answered == {IND: 2, RUR: 2}
    scale = dict(question_tables(page, "S1"))
    view = next(v for title, v in scale.items() if title and "serious" in title)
    # Every share is of the people asked: r2 scored "5" on scale, 1 of the 7 rural people asked.
    assert bases(view) == {IND: 2, RUR: 7}
    assert cells(view, "5") == {IND: 0, RUR: 1}
    assert line(view, "5").cells[1].share == pytest.approx(1 / 7)


def test_an_optional_question_left_blank_is_asked_not_answered(world):
    page = services.results_page(context(world), read(world))
    view = question_tables(page, "V1")[0][1]
    # V1 is asked to everyone; i4 left it blank: indigenous asked 4, answered 3.
    assert bases(view) == {IND: 4, RUR: 10}
    assert cells(view, "yes") == {IND: 3, RUR: 10}
    assert cells(view, "__not_answered__") == {IND: 1, RUR: 0}


def test_set_aside_batches_are_left_out_everywhere_and_the_page_says_so(world, official, client, db):
    batch = store(world.consultation, world.community, RUR, [{"T1": place(MOLINOS), "K1": "no", "V1": "no"}] * 3)
    for response in batch:
        response.is_set_aside = True
    db.session.commit()
    _page, view = k1(world)
    # Unchanged: rural still 9 of 10 (the three "no" are set aside).
    assert cells(view, "no") == {IND: 2, RUR: 1} and bases(view) == {IND: 4, RUR: 10}
    assert line(view, "yes").difference == -8.6
    assert cells(question_tables(services.results_page(context(world), read(world)), "V1")[0][1], "no") == {
        IND: 0,
        RUR: 0,
    }
    text = page_text(client.get(f"{world.url}/results?lang=en").get_data(as_text=True))
    assert "3 responses were set aside after a capture signal and are not counted here." in text
    assert "14 responses counted." in text


def test_collective_answers_are_split_apart_and_weighted_tables_say_so(world, official, client):
    store(
        world.consultation,
        world.community,
        RUR,
        [{"T1": place(CAFAYATE), "K1": "yes", "V1": "yes"}],
        collective=True,
        people=40,
    )
    page, view = k1(world, by="collective")
    assert [key for key, _label in view.columns] == ["individual", "collective"]
    # Individual: 11 "yes" of 14; collective: 1 answer of 1.
    assert cells(view, "yes") == {"individual": 11, "collective": 1}
    assert bases(view) == {"individual": 14, "collective": 1}
    assert not view.show_balanced  # balancing is across stakeholder groups only
    weighted = next(tables for result, tables in page.sections[0].weighted if result.question.key == "K1")[0][1]
    # Weighted: each individual answer is one person; the collective one speaks for 40.
    assert cells(weighted, "yes") == {"individual": 11, "collective": 40}
    assert bases(weighted) == {"individual": 14, "collective": 40}
    html = client.get(f"{world.url}/results?by=collective&lang=en").get_data(as_text=True)
    text = page_text(html)
    assert "Collective answers weighted by the people they represent" in text
    assert "Did a company harm you? — weighted by people represented" in text
    source = context(world).sources[0]
    assert html_tables(html)[f"q-{source.version_id}-K1-w1"][1][:3] == ["Yes", "11 (79 %)", "40 (100 %)"]


def test_published_tables_hide_small_cells_and_what_would_reveal_them(world, official, client):
    _page, view = k1(world, published=True)
    # Indigenous base 4 < 5: the whole column is hidden. Yes line: 2 (hidden) + 9 = 11 shown, so 9 is hidden too.
    # No line: total 3 < 5 hides the line. Not answered: 0 everywhere (zeros disclose nobody).
    assert cells(view, "yes") == {IND: None, RUR: None} and line(view, "yes").pooled.count == 11
    assert cells(view, "no") == {IND: None, RUR: None} and line(view, "no").pooled.count is None
    assert bases(view) == {IND: None, RUR: 10}
    assert line(view, "yes").balanced.share is None and line(view, "yes").difference is None
    assert view.note
    source = context(world).sources[0]
    html = client.get(f"{world.url}/results?published=1&lang=en").get_data(as_text=True)
    table = html_tables(html)[f"q-{source.version_id}-K1-t1"]
    assert table[1] == ["Yes", "hidden", "hidden", "11", "", "–"]
    assert table[2] == ["No", "hidden", "hidden", "hidden", "", "–"]
    assert table[-1][:4] == ["People asked", "hidden", "10", "hidden"]
    # None of the hidden counts is anywhere in the table's cells.
    hidden = {"2", "4", "9", "1", "3", "2 (50 %)", "9 (90 %)", "14"}
    assert not hidden & {cell for row in table[1:] for cell in row}
    assert "As published: groups and answers with fewer than 5 people are hidden." in page_text(html)


def test_a_published_filtered_table_hides_what_the_unfiltered_one_would_give_away(world):
    filter_ = {"group": RUR, "locality": str(world.places[CAFAYATE])}
    page, exact = k1(world, **filter_)
    # Rural people of Cafayate: r1–r7 all said yes (7 of 7). Unpublished, that shows.
    assert cells(exact, "yes") == {RUR: 7} and bases(exact) == {RUR: 7}
    # Published alone (no unfiltered twin), 7 ≥ 5 and the zeros could all be shown.
    result = next(r for s in page.sections for r, _t in s.questions if r.question.key == "K1")
    alone = present(result.tables[0][1], exact.columns, 5, published=True)
    assert cells(alone, "yes") == {RUR: 7} and bases(alone) == {RUR: 7}
    # Beside the unfiltered table (rural everywhere: 9 yes of 10), 9 − 7 = 2 and 10 − 7 = 3 people of
    # Molinos could be counted by subtraction: the complement rule hides both.
    _page, published = k1(world, published=True, **filter_)
    assert cells(published, "yes") == {RUR: None} and bases(published) == {RUR: None}


def test_only_counted_responses_are_read(world, db):
    # The world stores 4 + 10 + 5 responses; none set aside.
    assert db.session.scalar(select(Response.id).where(Response.is_set_aside.is_(True))) is None
    page = services.results_page(context(world), read(world))
    assert page.responses == 19 and page.set_aside == 0
