"""``make soak``: a steady 20 complete responses a second for 10 minutes, and the long reliability runs.

1. Soak: gunicorn (``CONSULT_WORKERS`` × ``CONSULT_THREADS``, 4 × 2) on a fresh database
   (``SOAK_DB``: ``postgresql``, the default, or ``sqlite``); respondents started at ``SOAK_RATE``
   (20) a second for ``SOAK_SECONDS`` (600), each answering the community consultation from landing
   page to receipt; p50/p95 page latency, errors, and every receipt stored exactly once.
2. The long reliability variants (``tests/reliability`` with ``RELIABILITY_SECONDS``, 60 by default):
   200 concurrent submitters, SIGKILL under load, overload; ``SOAK_RELIABILITY=0`` skips them.

Exits non-zero when a receipt is missing, a response is stored twice or half, or an answer row is orphaned.
"""

from __future__ import annotations

import os
import subprocess
import sys

from bench import load

SECONDS = float(os.environ.get("SOAK_SECONDS", "600"))
RATE = float(os.environ.get("SOAK_RATE", "20"))
DATABASE = os.environ.get("SOAK_DB", "postgresql")
WORKERS = int(os.environ.get("CONSULT_WORKERS", "4"))
THREADS = int(os.environ.get("CONSULT_THREADS", "2"))
# Enough respondents in flight to reach the rate: each takes a few seconds at this load.
CONCURRENCY = int(os.environ.get("SOAK_CONCURRENCY", str(max(16, int(RATE * 4)))))


def soak() -> bool:
    """The steady run; prints its figures; True when every check holds."""
    with load.database(DATABASE) as url, load.Server(url, workers=WORKERS, threads=THREADS) as server:
        before = load.count_responses(url)
        result = load.drive(server.host, CONCURRENCY, SECONDS, load.respond, rate=RATE)
        store = load.check_store(url, result.receipts, before)
    figures = result.figures()
    print(f"\n### Soak: {RATE:g} responses/s asked for {SECONDS:.0f} s on {DATABASE} ({WORKERS} x {THREADS})\n")
    for key, value in {**figures, **store}.items():
        print(f"- {key}: {value}")
    for error in result.errors[:10]:
        print(f"  error: {error}")
    ok = (
        store["acknowledged"] == store["acknowledged_stored"] == store["responses_added"]
        and store["orphan_answers"] == 0
        and store["responses_without_answers"] == 0
        and store["integrity"] in ("ok", "n/a")
    )
    print(f"- p95 under 300 ms: {figures['p95_ms'] < 300}; no error: {figures['errors'] == 0}; store checks: {ok}")
    return ok


def main() -> None:
    """Soak, then the long reliability tests."""
    ok = soak()
    if os.environ.get("SOAK_RELIABILITY", "1") != "0":
        env = dict(os.environ, RELIABILITY_SECONDS=os.environ.get("RELIABILITY_SECONDS", "60"))
        code = subprocess.call(
            [sys.executable, "-m", "pytest", "-q", "-p", "no:randomly", "tests/reliability"], cwd=load.ROOT, env=env
        )
        ok = ok and code == 0
    sys.exit(0 if ok else 1)


if __name__ == "__main__":
    main()
