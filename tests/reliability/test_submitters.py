"""Many people sending at the same moment: each acknowledged answer set is stored exactly once."""

from __future__ import annotations

import threading
import time

import pytest

from bench import load
from tests.reliability.conftest import SECONDS, assert_stored_exactly_once

SUBMITTERS = 200

# Sockets of client threads cut off by a killed or refusing server are collected late; the checks are the asserts.
pytestmark = pytest.mark.filterwarnings("ignore::pytest.PytestUnraisableExceptionWarning")


def test_two_hundred_concurrent_submitters_each_acknowledged_send_is_stored_once(fresh_database):
    kind, url = fresh_database
    # Enough prepared drafts for the phase; each is sent once, and one in five twice (a double click).
    tokens, rows = load.prepare_drafts(url, int(max(SUBMITTERS * 2, SECONDS * 60)))
    baseline = load.count_responses(url)
    with load.Server(url, workers=4, threads=2) as server:
        pending = list(tokens)
        lock = threading.Lock()
        receipts: dict[str, str] = {}
        statuses: list[int] = []
        stop_at = time.monotonic() + SECONDS
        barrier = threading.Barrier(SUBMITTERS)

        failures: list[str] = []

        def submitter(n: int) -> None:
            browser = load.Browser(server.host, timeout=120)
            barrier.wait()
            try:
                send_until_done(n, browser)
            except Exception as error:  # noqa: BLE001 - reported below, in the test's thread
                with lock:
                    failures.append(repr(error))
            finally:
                browser.close()
                with lock:
                    statuses.extend(hit.status for hit in browser.hits)

        def send_until_done(n: int, browser: load.Browser) -> None:
            while time.monotonic() < stop_at:
                with lock:
                    if not pending:
                        break
                    token = pending.pop()
                for attempt in range(2 if n % 5 == 0 else 1):
                    try:
                        code = load.send_prepared(browser, token)
                    except load.FlowError as error:
                        # Only a polite refusal is allowed, never a 500.
                        assert error.status in (429, 503) and error.retry_after, error
                        continue
                    with lock:
                        assert receipts.setdefault(token, code) == code

        threads = [threading.Thread(target=submitter, args=(n,)) for n in range(SUBMITTERS)]
        for thread in threads:
            thread.start()
        for thread in threads:
            thread.join()
    assert not failures, failures[:5]
    assert receipts, "nothing was acknowledged"
    assert not [s for s in statuses if s >= 500 and s != 503]
    store = assert_stored_exactly_once(url, list(receipts.values()), baseline, expected_added=len(receipts))
    assert store["responses_added"] == len(receipts)
    _assert_every_response_complete(url, baseline, rows)


def _assert_every_response_complete(url: str, baseline_responses: int, rows: int) -> None:
    """Every response added holds all the answer rows of its draft (no partial response)."""
    from sqlalchemy import create_engine, func, select

    from config import normalise_database_url
    from consult.responses.models import Answer, Response

    engine = create_engine(normalise_database_url(url))
    with engine.connect() as connection:
        counts = connection.execute(
            select(func.count(Answer.id))
            .select_from(Response)
            .join(Answer, Answer.response_id == Response.id)
            .where(Response.id.in_(select(Response.id).order_by(Response.id).offset(baseline_responses)))
            .group_by(Response.id)
        ).scalars()
        assert set(counts) <= {rows}
    engine.dispose()
