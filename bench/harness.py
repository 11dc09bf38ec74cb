"""A loopback server on a throw-away database, and a timer that reports ratios.

Absolute timings depend on the machine; a ratio against a baseline measured in
the same run (same process, same database, same moment) does not, much. Every
loop is bounded in count; traffic only goes to 127.0.0.1.
"""

from __future__ import annotations

import http.client
import statistics
import tempfile
import threading
import time
from contextlib import contextmanager
from pathlib import Path
from typing import Callable, Iterator

from werkzeug.serving import make_server


@contextmanager
def bench_app(
    database_url: str | None = None, setup: Callable[[object], None] | None = None
) -> Iterator[tuple[object, str]]:
    """A migrated, demo-seeded consult app served on 127.0.0.1; yields (app, host:port).

    ``setup(app)`` may add bench-only routes (baselines) before serving.
    """
    import flask_migrate

    from consult import create_app
    from consult.demo import seed_demo

    with tempfile.TemporaryDirectory() as folder:
        url = database_url or f"sqlite:///{Path(folder) / 'bench.sqlite3'}"
        app = create_app({"env": "testing", "database_url": url, "ratelimit_enabled": False, "csrf_enabled": False})
        with app.app_context():
            flask_migrate.upgrade()
            seed_demo()
        if setup is not None:
            setup(app)
        server = make_server("127.0.0.1", 0, app, threaded=True)
        thread = threading.Thread(target=server.serve_forever, daemon=True)
        thread.start()
        try:
            yield app, f"127.0.0.1:{server.server_port}"
        finally:
            server.shutdown()
            thread.join(timeout=5)


def time_requests(
    host: str,
    method: str,
    path: str,
    *,
    count: int = 200,
    body: Callable[[int], bytes] | None = None,
    headers: dict[str, str] | None = None,
) -> list[float]:
    """Seconds taken by each of ``count`` requests over one keep-alive connection."""
    connection = http.client.HTTPConnection(host, timeout=30)
    timings = []
    for i in range(count):
        payload = body(i) if body else None
        start = time.perf_counter()
        connection.request(method, path, body=payload, headers=headers or {})
        response = connection.getresponse()
        response.read()
        timings.append(time.perf_counter() - start)
        if response.status >= 500:
            raise RuntimeError(f"{method} {path} answered {response.status}")
    connection.close()
    return timings


def summary(name: str, timings: list[float], baseline: list[float] | None = None) -> dict[str, object]:
    """Median and 95th percentile in milliseconds, and the ratio of medians to ``baseline``."""
    median = statistics.median(timings)
    p95 = sorted(timings)[int(len(timings) * 0.95) - 1]
    row: dict[str, object] = {
        "case": name,
        "n": len(timings),
        "median_ms": round(median * 1000, 2),
        "p95_ms": round(p95 * 1000, 2),
    }
    if baseline:
        row["ratio"] = round(median / statistics.median(baseline), 2)
    return row


def print_table(title: str, rows: list[dict[str, object]]) -> None:
    """Print ``rows`` as a Markdown table."""
    columns = ["case", "n", "median_ms", "p95_ms", "ratio"]
    print(f"\n### {title}\n")
    print("| " + " | ".join(columns) + " |")
    print("|" + "---|" * len(columns))
    for row in rows:
        print("| " + " | ".join(str(row.get(c, "")) for c in columns) + " |")
