"""What one page of the answering flow costs, counted (never timed): statements, commits, path replays.

The ingest benchmark (issue 11) found the flow's Python, not the database, to be the bottleneck:
every page read the territory's places and the instrument's whole definition, a page POST ran
about seven statements and three commits, and sending replayed the path once per page. These
tests pin the counts so that a change bringing the costs back fails here, not in a benchmark.
"""

from __future__ import annotations

import re
from collections.abc import Iterator
from contextlib import contextmanager

import pytest
from sqlalchemy import event, func, select

from consult.responses.models import Answer, Response
from consult.surveys import paths
from tests.fixtures.queries import counting

# Answers that put every conditional page of the community survey on the path (as test_page_weight).
FULL_PATH = {
    "p_place": {"q-A1-locality": "66028"},
    "p_business": {"q-B1": ["mining", "agro_industry"]},
    "p_rights": {"q-C1": ["working_conditions", "water_sanitation", "land_housing"]},
    "p_main_harm": {"q-C2": "water_sanitation"},
    "p_severity": {"q-C3-scale": "4", "q-C3-scope": "3", "q-C3-irremediability": "4", "q-C3-likelihood": "5"},
    "p_forced_labour": {"q-C4": ["deception"]},
    "p_who_harmed": {"q-C5": ["women", "children"]},
    "p_consulted": {"q-D1": "no"},
    "p_defenders": {"q-D2": "yes"},
    "p_defenders_safe": {"q-D4": ["threats"]},
}
#: A page POST: the consultation (with territory and languages), the draft (with its version), one UPDATE.
MAX_STATEMENTS_PER_PAGE_POST = 3
#: A page GET: the consultation and the draft; a page asking for a place reads the places too.
MAX_STATEMENTS_PER_PAGE_GET = 2


@contextmanager
def commits(engine) -> Iterator[list[int]]:
    """Count the transactions committed on ``engine`` inside the block."""
    counted: list[int] = []

    def record(conn):
        counted.append(1)

    event.listen(engine, "commit", record)
    try:
        yield counted
    finally:
        event.remove(engine, "commit", record)


@pytest.fixture
def walks(monkeypatch) -> list[int]:
    """Count the path replays (``consult.surveys.paths.walk``) made through the path finder's functions."""
    counted: list[int] = []
    original = paths.walk

    def counting_walk(*args, **kwargs):
        counted.append(1)
        return original(*args, **kwargs)

    monkeypatch.setattr(paths, "walk", counting_walk)
    return counted


def _start(client, slug: str) -> str:
    client.get(f"/c/{slug}/?lang=en")
    client.submit(f"/c/{slug}/start", form_url=f"/c/{slug}/")
    return client.submit(f"/c/{slug}/group", {"group_code": "rural_community"}).headers["Location"]


def _through_the_pages(client, slug, db, on_page=None) -> str:
    """Answer every page (Next each time); returns the review's address. ``on_page(key, get, post)`` sees counts."""
    location = _start(client, slug)
    while "/p/" in location:
        key = location.rsplit("/", 1)[1]
        token = client.csrf_token(location)
        with counting(db.engine) as got:
            page = client.get(location)
        assert page.status_code == 200, key
        with counting(db.engine) as posted, commits(db.engine) as committed:
            response = client.post(location, data={**FULL_PATH.get(key, {}), "action": "next", "csrf_token": token})
        assert response.status_code == 302, (key, response.get_data(as_text=True)[:2000])
        if on_page is not None:
            on_page(key, got, posted, committed)
        location = response.headers["Location"]
    assert location.endswith("/review")
    return location


def test_a_page_costs_a_few_statements_and_one_commit(client, community_consultation, db):
    seen = []

    def check(key, got, posted, committed):
        seen.append(key)
        places_read = [s for s in got.statements + posted.statements if "FROM localities" in s]
        # Places are read only by the page that asks for one, once per request at most.
        if key == "p_place":
            assert len([s for s in got.statements if "FROM localities" in s]) == 1, str(got)
        else:
            assert not places_read, (key, str(got), str(posted))
        budget = MAX_STATEMENTS_PER_PAGE_GET + (1 if key == "p_place" else 0)
        assert got.count <= budget, (key, str(got))
        # The draft already points at the page Next led to: showing it writes nothing.
        assert not [s for s in got.statements if s.startswith(("UPDATE", "INSERT", "DELETE"))], (key, str(got))
        assert posted.count <= MAX_STATEMENTS_PER_PAGE_POST + (1 if key == "p_place" else 0), (key, str(posted))
        assert len([s for s in posted.statements if s.startswith("UPDATE")]) == 1, (key, str(posted))
        assert len(committed) == 1, key
        # The definition is read once per process, not per request: the parsed view is kept.
        assert not [s for s in got.statements + posted.statements if "instrument_versions.definition" in s], key

    _through_the_pages(client, community_consultation.slug, db, check)
    assert set(FULL_PATH) <= set(seen)


def test_review_and_sending_replay_the_path_a_fixed_number_of_times(client, community_consultation, db, walks):
    slug = community_consultation.slug
    review_url = _through_the_pages(client, slug, db)
    pages_on_path = len(FULL_PATH) + 5
    walks.clear()
    review = client.get(review_url + "?lang=en").get_data(as_text=True)
    # Not one replay per page (quadratic in the pages): a few for the whole review.
    assert len(walks) <= 4 < pages_on_path, len(walks)
    token = re.search(r'name="submission_token" value="([^"]+)"', review).group(1)
    csrf = client.csrf_token(review_url)
    walks.clear()
    with counting(db.engine) as sent:
        response = client.post(f"/c/{slug}/send", data={"submission_token": token, "csrf_token": csrf})
    assert response.status_code == 302 and response.headers["Location"].endswith("/sent")
    assert len(walks) <= 3, len(walks)
    assert not [s for s in sent.statements if "instrument_versions.definition" in s], str(sent)
    # Nothing read again after the commit, nor the new response's (empty) answer collection.
    assert not [s for s in sent.statements if "FROM answers" in s], str(sent)
    assert sent.statements[-1].startswith("DELETE FROM response_drafts"), str(sent)
    # The answer rows in one statement (an executemany), and the whole send in a handful.
    assert len([s for s in sent.statements if s.startswith("INSERT INTO answers")]) == 1, str(sent)
    # (The first response of a path also records its asked set, once per distinct path: not counted.)
    steady = [s for s in sent.statements if "asked_set" not in s and "SAVEPOINT" not in s]
    assert len(steady) <= 8, str(sent)
    # Sent once, whole: and a second "send" of the same token finds it, adding nothing.
    again = client.post(f"/c/{slug}/send", data={"submission_token": token, "csrf_token": csrf})
    assert again.status_code == 302
    assert db.session.scalar(select(func.count()).select_from(Response)) == 1
    assert db.session.scalar(select(func.count()).select_from(Answer)) > len(FULL_PATH)


def test_one_replay_shows_what_page_by_page_replays_show(client, community_consultation, db):
    from consult.responses.models import ResponseDraft
    from consult.surveys.models import InstrumentVersion

    _through_the_pages(client, community_consultation.slug, db)
    draft = db.session.scalar(select(ResponseDraft))
    instrument = db.session.get(InstrumentVersion, draft.instrument_version_id).parsed()
    answers = dict(draft.answers)
    group_keys = frozenset(q.key for q in instrument.questions if q.type == "stakeholder_group")
    assert group_keys and set(group_keys) <= set(answers) and len(answers) > len(FULL_PATH)
    fewer = {key: value for key, value in answers.items() if key in group_keys or key.startswith(("A", "B"))}
    for settled in (frozenset(), group_keys):
        for given in (answers, fewer, {}):
            replay = paths.shown(instrument, given, settled)
            counted = paths.on_path_answers(instrument, given)
            expected = [
                (page.key, [q.key for q in paths.visible_questions(instrument, page, counted, settled)])
                for page in paths.path_pages(instrument, given, settled)
            ]
            assert [(item.page.key, [q.key for q in item.questions]) for item in replay.pages] == expected
            assert replay.answers == counted


def test_compiled_rules_mean_what_interpreted_rules_mean(client, community_consultation, db):
    from consult.responses.models import ResponseDraft
    from consult.surveys import rules
    from consult.surveys.engine import thaw
    from consult.surveys.models import InstrumentVersion

    _through_the_pages(client, community_consultation.slug, db)
    draft = db.session.scalar(select(ResponseDraft))
    instrument = db.session.get(InstrumentVersion, draft.instrument_version_id).parsed()
    conditions = [page.when for page in instrument.pages] + [
        route.when for page in instrument.pages for route in page.routing
    ]
    conditions += [question.when for question in instrument.questions]
    conditions = [condition for condition in conditions if condition is not None]
    assert len(conditions) >= 5
    answers = dict(draft.answers)
    for given in (answers, {}, {key: value for key, value in answers.items() if key < "C"}):
        for condition in conditions:
            expected = rules._interpret(condition, given)
            assert rules.compile_condition(condition)(given) == expected == rules.evaluate(condition, given)
            # A plain (editable) dict is never kept compiled: it is evaluated as it stands.
            assert rules.evaluate(thaw(condition), given) == expected
