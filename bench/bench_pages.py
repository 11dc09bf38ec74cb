"""Server-rendered pages against the bare health check (one SELECT 1) on the same server."""

from __future__ import annotations

from bench.harness import bench_app, print_table, summary, time_requests


def run(count: int = 300) -> list[dict[str, object]]:
    """Time the public pages; the baseline is /healthz."""
    with bench_app() as (_app, host):
        time_requests(host, "GET", "/healthz", count=20)  # warm up
        baseline = time_requests(host, "GET", "/healthz", count=count)
        rows = [summary("GET /healthz (baseline: SELECT 1)", baseline, baseline)]
        for path in ("/", "/login", "/?lang=pt"):
            rows.append(summary(f"GET {path}", time_requests(host, "GET", path, count=count), baseline))
    print_table("Pages against the health check", rows)
    return rows


if __name__ == "__main__":
    run()
