"""Coverage: respondents per group and per place against the targets, missing first, days left, places not reached."""

from __future__ import annotations

from datetime import timedelta

import pytest

from consult.analysis import services
from consult.analysis.coverage import days_left
from consult.core.db import utctoday
from tests.analysis.world import ORAN, build, context, html_tables, page_text, place, read, store


@pytest.fixture
def world(create_territory, create_version, create_consultation, db):
    return build(create_territory, create_version, create_consultation)


def rows(found):
    return [(row.group_code, row.count, row.target, row.missing) for row in found]


def test_groups_and_places_against_targets_missing_first(world):
    cover = services.coverage_page(context(world), read(world))
    # Targets 10 / 12 / 5; counted 4 / 10 / 5: missing 6, 2, 0 — the largest gap first.
    assert rows(cover.groups) == [
        ("indigenous_people", 4, 10, 6),
        ("rural_community", 10, 12, 2),
        ("company_large", 5, 5, 0),
    ]
    assert cover.groups[0].share_of_target == pytest.approx(0.4)
    # Per place: indigenous in Molinos 2 of 5 (i3, i4): 3 missing; rural in Cafayate 7 of 8 (r1–r7): 1 missing.
    assert [(r.label, r.count, r.target, r.missing) for r in cover.places] == [
        ("Indigenous people · Molinos", 2, 5, 3),
        ("Rural or farming community · Cafayate", 7, 8, 1),
    ]
    assert cover.unreached == ["Orán"]  # nobody answered from Orán
    assert cover.total == 4 + 10 + 5
    # The consultation closes in 30 days: 31 days left counting today.
    assert cover.days_left == 31 and cover.is_open


def test_a_filter_narrows_groups_places_and_unreached(world):
    rural = services.coverage_page(context(world), read(world, group="rural_community"))
    assert rows(rural.groups) == [("rural_community", 10, 12, 2)]
    assert [(r.label, r.count) for r in rural.places] == [("Rural or farming community · Cafayate", 7)]
    assert rural.unreached == ["Orán"] and rural.total == 10
    oran = services.coverage_page(context(world), read(world, locality=str(world.places[ORAN])))
    # Nobody in Orán: every group at 0, all of its target missing (12, 10, 5: the largest gap first).
    assert rows(oran.groups) == [
        ("rural_community", 0, 12, 12),
        ("indigenous_people", 0, 10, 10),
        ("company_large", 0, 5, 5),
    ]
    assert oran.places == [] and oran.unreached == ["Orán"] and oran.total == 0


def test_set_aside_responses_do_not_count_towards_targets(world, db):
    batch = store(world.consultation, world.community, "indigenous_people", [{"T1": place(ORAN), "K1": "no"}] * 6)
    for response in batch:
        response.is_set_aside = True
    db.session.commit()
    cover = services.coverage_page(context(world), read(world))
    assert rows(cover.groups)[0] == ("indigenous_people", 4, 10, 6)
    assert cover.unreached == ["Orán"]  # six set-aside answers from Orán reach nobody


def test_days_left_count_today_and_stop_at_zero(world):
    consultation = world.consultation
    today = utctoday()
    consultation.closes_on = today
    assert days_left(consultation, today) == 1
    consultation.closes_on = today - timedelta(days=3)
    assert days_left(consultation, today) == 0
    consultation.closes_on = None
    assert days_left(consultation, today) is None


def test_the_coverage_page_lists_the_gaps(world, create_user, client):
    client.login(create_user(roles={world.territory: ["analyst"]}).email)
    html = client.get(f"{world.url}/coverage?lang=en").get_data(as_text=True)
    text = page_text(html)
    assert "Open: 31 days left to reach those who are missing." in text
    assert "19 responses counted." in text
    tables = [
        rows
        for rows in html_tables(html).values()
        if rows and rows[0][:2] in (["Group", "Respondents"], ["Group and place", "Respondents"])
    ]
    assert tables[0][1:] == [
        ["Indigenous people", "4", "10", "6"],
        ["Rural or farming community", "10", "12", "2"],
        ["Large company", "5", "5", "0"],
    ]
    assert tables[1][1:] == [
        ["Indigenous people · Molinos", "2", "5", "3"],
        ["Rural or farming community · Cafayate", "7", "8", "1"],
    ]
    assert "1 place: Orán" in text
