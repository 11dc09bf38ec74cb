"""The database out of reach: a translated 503 page with Retry-After, never a traceback; nothing sent is lost."""

from __future__ import annotations

import shutil
from pathlib import Path

import pytest
from sqlalchemy.engine import make_url

from bench import load
from tests.reliability.conftest import assert_stored_exactly_once


def _assert_busy_page(browser: load.Browser, token: str) -> None:
    """Sending needs the database whatever is cached: the person gets the busy page, in English as asked."""
    form = [("csrf_token", browser.csrf), ("submission_token", token)]
    status, response, text = browser.request("POST", f"/c/{load.SLUG}/send?lang=en", form)
    assert status == 503, (status, text[:300])
    assert response.getheader("Retry-After", "").isdigit()
    assert "The site is busy" in text
    assert "Traceback" not in text


# Sockets of client threads cut off by a killed or refusing server are collected late; the checks are the asserts.
pytestmark = pytest.mark.filterwarnings("ignore::pytest.PytestUnraisableExceptionWarning")


def test_database_unreachable_gives_a_translated_503_and_nothing_acknowledged_is_lost(fresh_database):
    kind, url = fresh_database
    tokens, _rows = load.prepare_drafts(url, 2)
    baseline = load.count_responses(url)
    if kind == "postgresql":
        # The app reaches PostgreSQL through a forwarder that the test cuts and restores.
        target = make_url(url)
        proxy = load.Proxy(target.host or "127.0.0.1", target.port or 5432).start()
        served_url = target.set(host="127.0.0.1", port=proxy.port).render_as_string(hide_password=False)
        with load.Server(served_url, workers=1, threads=2) as server:
            browser = load.Browser(server.host)
            receipt = load.send_prepared(browser, tokens[0])
            proxy.cut()
            _assert_busy_page(browser, tokens[1])
            proxy.start()
            status, _, _ = browser.request("GET", f"/c/{load.SLUG}/")
            assert status == 200
            browser.close()
        proxy.cut()
    else:
        path = Path(make_url(url).database)
        aside = path.with_suffix(".aside")
        server = load.Server(url, workers=1, threads=2).start()
        try:
            browser = load.Browser(server.host)
            receipt = load.send_prepared(browser, tokens[0])
            server.stop()
            # The file out of reach: a directory where the database was (permissions do not stop root).
            shutil.move(path, aside)
            path.mkdir()
            server.start()
            _assert_busy_page(browser, tokens[1])
            server.stop()
            path.rmdir()
            shutil.move(aside, path)
            server.start()
            status, _, _ = browser.request("GET", f"/c/{load.SLUG}/")
            assert status == 200
            browser.close()
        finally:
            server.stop()
    assert_stored_exactly_once(url, [receipt], baseline, expected_added=1)
