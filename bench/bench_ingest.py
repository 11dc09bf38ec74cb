"""Ingest: the real answering flow against bare endpoints doing the same writes, on the production server.

For each database (PostgreSQL, SQLite in WAL mode): a fresh database, migrated and demo-seeded;
gunicorn with ``gunicorn.conf.py`` (``CONSULT_WORKERS`` × ``CONSULT_THREADS``, 4 × 2 here); at 16
and 32 concurrent respondents, each answering the community consultation as plain HTML forms from
its landing page to its receipt (``bench/load.py``), for ``BENCH_INGEST_SECONDS``; then, on the same
server and database, the bare twin: the same number of requests per response, each doing the
same write (a draft inserted, read on every GET, updated on every POST, then one response with the
same number of answer rows and the draft deleted, in one transaction), without validation, CSRF,
session or rendering (``consult/core/bench_endpoints.py``). After each real run: every receipt the
server handed out is stored exactly once, no answer row without its response.

Environment: ``BENCH_INGEST_DBS`` (``postgresql,sqlite``), ``BENCH_INGEST_CONCURRENCY`` (``16,32``),
``BENCH_INGEST_SECONDS`` (20), ``CONSULT_BENCH_PG_URL`` (a database it **drops and creates**,
``postgresql://postgres@127.0.0.1:5432/helper_bench_ingest``), ``CONSULT_WORKERS``/``CONSULT_THREADS``.
"""

from __future__ import annotations

import os

from sqlalchemy import create_engine, func, select

from bench import load

SECONDS = float(os.environ.get("BENCH_INGEST_SECONDS", "20"))
CONCURRENCY = [int(n) for n in os.environ.get("BENCH_INGEST_CONCURRENCY", "16,32").split(",")]
DATABASES = os.environ.get("BENCH_INGEST_DBS", "postgresql,sqlite").split(",")
WORKERS = int(os.environ.get("CONSULT_WORKERS", "4"))
THREADS = int(os.environ.get("CONSULT_THREADS", "2"))


def _answer_rows(url: str, receipt: str) -> int:
    """Answer rows stored for the response behind ``receipt``."""
    from config import normalise_database_url
    from consult.core.codes import hash_code, normalise_code
    from consult.responses.models import Answer, Response

    engine = create_engine(normalise_database_url(url))
    with engine.connect() as connection:
        rows = connection.scalar(
            select(func.count())
            .select_from(Answer)
            .join(Response, Response.id == Answer.response_id)
            .where(Response.receipt_code_hash == hash_code(normalise_code(receipt)))
        )
    engine.dispose()
    return rows


def run_database(kind: str) -> list[dict[str, object]]:
    """Real and bare runs at each concurrency on one database kind."""
    rows: list[dict[str, object]] = []
    with load.database(kind) as url, load.Server(url, workers=WORKERS, threads=THREADS) as server:
        # One respondent alone: the request plan (GET/POST in order) and the answer rows of a response.
        browser = load.Browser(server.host)
        receipt = load.respond(browser)
        browser.close()
        plan = [hit.method for hit in browser.hits]
        answer_rows = _answer_rows(url, receipt)
        for concurrency in CONCURRENCY:
            before = load.count_responses(url)
            real = load.drive(server.host, concurrency, SECONDS, load.respond)
            store = load.check_store(url, real.receipts, before)
            bare = load.drive(server.host, concurrency, SECONDS, lambda b: load.replay_bare(b, plan, answer_rows))
            real_row = {"database": kind, "concurrency": concurrency, "flow": "real", **real.figures(), **store}
            bare_row = {"database": kind, "concurrency": concurrency, "flow": "bare", **bare.figures()}
            if bare_row["responses_s"]:
                real_row["ratio"] = round(real_row["responses_s"] / bare_row["responses_s"], 3)
            rows += [real_row, bare_row]
            for error in (real.errors + bare.errors)[:5]:
                print(f"  error ({kind}, {concurrency}): {error}")
        print(
            f"\n({kind}: {len(plan)} requests and {answer_rows} answer rows per response; "
            f"gunicorn {WORKERS} workers x {THREADS} threads; {SECONDS:.0f} s per run)"
        )
    return rows


COLUMNS = [
    "database",
    "concurrency",
    "flow",
    "responses",
    "responses_s",
    "requests_s",
    "req_per_response",
    "p50_ms",
    "p95_ms",
    "errors",
    "status_5xx",
    "ratio",
    "acknowledged",
    "acknowledged_stored",
    "responses_added",
    "orphan_answers",
    "responses_without_answers",
    "integrity",
]


def print_rows(title: str, rows: list[dict[str, object]]) -> None:
    """A Markdown table of ``rows``."""
    print(f"\n### {title}\n")
    print("| " + " | ".join(COLUMNS) + " |")
    print("|" + "---|" * len(COLUMNS))
    for row in rows:
        print("| " + " | ".join(str(row.get(c, "")) for c in COLUMNS) + " |")


def run() -> list[dict[str, object]]:
    """Every database kind, every concurrency; prints one table."""
    rows: list[dict[str, object]] = []
    for kind in DATABASES:
        rows += run_database(kind.strip())
    print_rows("Ingest: real answering flow against bare endpoints (same server, same database)", rows)
    return rows


if __name__ == "__main__":
    run()
