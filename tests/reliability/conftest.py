"""Reliability tests: a real gunicorn server (gunicorn.conf.py, production mode) on its own database.

Each test takes seconds in the suite; ``make soak`` runs them again for ``RELIABILITY_SECONDS`` (60).
SQLite always; PostgreSQL too when ``CONSULT_TEST_DATABASE_URL`` is set, in a database named
``<that name>_reliability`` (``_gwN`` added per xdist worker) on the same server (dropped and created by
each test).
"""

from __future__ import annotations

import os
import tempfile
from pathlib import Path

import pytest
from sqlalchemy.engine import make_url

from bench import load
from config import normalise_database_url

#: How long the load phases last: a few seconds in the suite, a minute in ``make soak``.
SECONDS = float(os.environ.get("RELIABILITY_SECONDS", "4"))
PG_BASE = normalise_database_url(os.environ.get("CONSULT_TEST_DATABASE_URL", ""))
DATABASES = ["sqlite"] + (["postgresql"] if PG_BASE else [])


def pg_url() -> str:
    """This run's reliability database on the test PostgreSQL server."""
    base = make_url(PG_BASE)
    # One per xdist worker: two workers running reliability files at once must not drop each other's database.
    worker = os.environ.get("PYTEST_XDIST_WORKER", "")
    name = f"{base.database}_reliability" + (f"_{worker}" if worker else "")
    return base.set(database=name).render_as_string(hide_password=False)


@pytest.fixture(params=DATABASES)
def fresh_database(request):
    """(kind, url) of a fresh migrated, demo-seeded database."""
    if request.param == "postgresql":
        url = pg_url()
        load.fresh_postgres(url)
        load.prepare_database(url)
        yield "postgresql", url
        return
    with tempfile.TemporaryDirectory(prefix="consult-reliability-") as folder:
        url = f"sqlite:///{Path(folder) / 'reliability.sqlite3'}"
        load.prepare_database(url)
        yield "sqlite", url


def assert_stored_exactly_once(url: str, receipts: list[str], baseline: int, expected_added: int | None = None):
    """Every acknowledged receipt stored, once; no orphan answer, no response without its answers, integrity ok."""
    store = load.check_store(url, receipts, baseline)
    assert store["acknowledged_stored"] == len(set(receipts)), store
    if expected_added is not None:
        assert store["responses_added"] == expected_added, store
    assert store["orphan_answers"] == 0, store
    assert store["responses_without_answers"] == 0, store
    assert store["integrity"] in ("ok", "n/a"), store
    return store
