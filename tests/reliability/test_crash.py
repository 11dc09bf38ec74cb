"""The server killed with SIGKILL under load, again and again: nothing acknowledged is lost, nothing half stored."""

from __future__ import annotations

import http.client
import threading
import time

import pytest

from bench import load
from tests.reliability.conftest import SECONDS, assert_stored_exactly_once

SENDERS = 24
# Twice in the suite; every other second of RELIABILITY_SECONDS in make soak.
KILLS = max(2, int(SECONDS // 2) if SECONDS > 4 else 2)

# Sockets of client threads cut off by a killed or refusing server are collected late; the checks are the asserts.
pytestmark = pytest.mark.filterwarnings("ignore::pytest.PytestUnraisableExceptionWarning")


def test_sigkill_under_load_loses_nothing_acknowledged_and_a_retry_is_not_duplicated(fresh_database):
    kind, url = fresh_database
    tokens, rows = load.prepare_drafts(url, 100 + 30 * KILLS)
    baseline = load.count_responses(url)
    server = load.Server(url, workers=1, threads=4).start()
    pending = list(tokens)
    tried: set[str] = set()
    receipts: dict[str, str] = {}
    bad: list[str] = []
    lock = threading.Lock()
    running = threading.Event()
    running.set()

    def sender() -> None:
        browser = load.Browser(server.host, timeout=30)
        token = None
        try:
            while running.is_set():
                if token is None:
                    with lock:
                        if not pending:
                            return
                        token = pending.pop()
                        tried.add(token)
                try:
                    code = load.send_prepared(browser, token)
                except (OSError, http.client.HTTPException):
                    # The server is down: the same draft is sent again once it is back (the same key).
                    browser.close()
                    time.sleep(0.1)
                    continue
                except load.FlowError as error:
                    if error.status not in (429, 503) and error.status < 500:
                        with lock:
                            bad.append(str(error))
                    time.sleep(0.1)
                    continue
                with lock:
                    receipts[token] = code
                token = None
        finally:
            browser.close()

    threads = [threading.Thread(target=sender) for _ in range(SENDERS)]
    for thread in threads:
        thread.start()
    try:
        for _ in range(KILLS):
            time.sleep(1.0)
            server.kill()
            server.start()
        time.sleep(0.5)
    finally:
        running.clear()
        for thread in threads:
            thread.join(timeout=60)
    try:
        acknowledged = dict(receipts)
        assert acknowledged, "nothing was acknowledged"
        # Every draft that was ever sent, sent again with the same key, after the crashes: one response each.
        browser = load.Browser(server.host)
        for token in sorted(tried):
            code = load.send_prepared(browser, token)
            assert acknowledged.setdefault(token, code) == code
        browser.close()
    finally:
        server.stop()
    assert not bad, bad[:5]
    assert_stored_exactly_once(url, list(acknowledged.values()), baseline, expected_added=len(tried))
    # No partial response: each holds every answer row of its draft.
    from tests.reliability.test_submitters import _assert_every_response_complete

    _assert_every_response_complete(url, baseline, rows)
