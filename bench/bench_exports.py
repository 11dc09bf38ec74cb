"""Response-data exports (CSV and XLSX) of one consultation of 10 thousand to 1 million responses.

The data are the analysis bench's (``bench_analysis.prepare``: the demo's
generator, about 40 answer rows per community response, one company
self-assessment per hundred responses, bulk-loaded). For each database and
size, each format runs in a fresh Python process, so that its peak memory is
its own: ``write_responses`` to a file, then (in another fresh process) the
baseline, a plain loop writing the same number of rows of the same width,
cycled from the export's own first rows: ``csv.writer`` into a ZIP entry
deflated at the export's level (``responses.ZIP_LEVEL``, the CSV export's container) or an XlsxWriter
``constant_memory``
workbook with ``write_row``. Reported: seconds, cells per second (rows times
columns over all the instruments' tables), the peak resident set of the child
(``VmHWM``, MiB, with its growth over the resident set before
the export), and the export's time as a ratio to the baseline's.

Targets (issue 9): peak memory at 1 million no more than 1.2 times the peak at
10 thousand; CSV at least 1 million cells per second; XLSX at least 100
thousand.

Environment: ``BENCH_EXPORTS_SIZES`` (default ``10000,100000,1000000``);
``CONSULT_BENCH_DATABASE_URL`` a PostgreSQL database to use (it is *wiped*)
instead of SQLite; ``BENCH_EXPORTS_SQLITE=1`` adds SQLite when PostgreSQL is
named. A quick run: ``BENCH_EXPORTS_SIZES=2000 python -m bench.bench_exports``.
"""

from __future__ import annotations

import csv
import io
import itertools
import json
import os
import resource
import subprocess
import sys
import tempfile
import time
import zipfile
from pathlib import Path

SIZES = tuple(int(n) for n in os.environ.get("BENCH_EXPORTS_SIZES", "10000,100000,1000000").split(","))
POSTGRES_URL = os.environ.get("CONSULT_BENCH_DATABASE_URL")
WITH_SQLITE = not POSTGRES_URL or os.environ.get("BENCH_EXPORTS_SQLITE") == "1"
FORMATS = ("csv", "xlsx")
#: Distinct rows the baseline cycles through.
SAMPLE = 10_000


def _rss_kib() -> int:
    with open("/proc/self/statm") as statm:
        return int(statm.read().split()[1]) * os.sysconf("SC_PAGE_SIZE") // 1024


def _peak_kib() -> int:
    """This process's peak resident set (``VmHWM``): unlike ``getrusage``'s ``ru_maxrss`` on Linux, it does not
    carry over the parent's peak across ``fork`` and ``exec`` (the loader of the data grows the parent)."""
    with open("/proc/self/status") as status:
        for line in status:
            if line.startswith("VmHWM:"):
                return int(line.split()[1])
    return resource.getrusage(resource.RUSAGE_SELF).ru_maxrss


def _cells(consultation, tables) -> tuple[int, int]:
    """(rows, cells) the export of ``tables`` writes."""
    from sqlalchemy import func, select

    from consult.extensions import db
    from consult.responses.models import Response

    rows = cells = 0
    for table in tables:
        count = db.session.scalar(
            select(func.count())
            .select_from(Response)
            .where(Response.consultation_id == consultation.id, Response.instrument_version_id.in_(table.version_ids))
        )
        rows += count
        cells += count * len(table.columns)
    return rows, cells


def measure(url: str, consultation_id: int, fmt: str, what: str) -> dict[str, object]:
    """In this process: the export (``what="export"``) or the baseline (``"baseline"``) of ``fmt``."""
    from bench.bench_analysis import _app
    from consult.exports.responses import iter_rows, make_layout, write_responses
    from consult.exports.responses_plan import build_tables
    from consult.extensions import db
    from consult.responses.models import Consultation

    app = _app(url)
    with app.app_context(), tempfile.TemporaryDirectory() as folder:
        consultation = db.session.get(Consultation, consultation_id)
        layout = make_layout(consultation, "es", "consult")
        tables = build_tables(consultation, layout)
        rows, cells = _cells(consultation, tables)
        path = Path(folder) / f"out.{fmt}"
        before = _rss_kib()
        if what == "export":
            started = time.perf_counter()
            with open(path, "wb") as out:
                write_responses(consultation, fmt, out, lang="es")
            seconds = time.perf_counter() - started
        else:
            samples = [(list(itertools.islice(iter_rows(consultation, t, layout), SAMPLE)), t) for t in tables]
            db.session.rollback()
            before = _rss_kib()
            started = time.perf_counter()
            _baseline(fmt, path, samples, consultation)
            seconds = time.perf_counter() - started
        peak = _peak_kib()
        size = path.stat().st_size
    return {
        "rows": rows,
        "cells": cells,
        "seconds": round(seconds, 2),
        "cells_per_s": round(cells / seconds),
        "peak_mib": round(peak / 1024, 1),
        "growth_mib": round(max(peak - before, 0) / 1024, 1),
        "file_mib": round(size / 2**20, 1),
    }


def _baseline(fmt: str, path: Path, samples, consultation) -> None:
    """A plain writer loop: each table's row count of rows cycled from its first rows."""
    from sqlalchemy import func, select

    from consult.extensions import db
    from consult.responses.models import Response

    counts = [
        db.session.scalar(
            select(func.count())
            .select_from(Response)
            .where(Response.consultation_id == consultation.id, Response.instrument_version_id.in_(t.version_ids))
        )
        for _s, t in samples
    ]
    if fmt == "csv":
        from consult.exports.responses import ZIP_LEVEL

        with zipfile.ZipFile(path, "w", compression=zipfile.ZIP_DEFLATED, compresslevel=ZIP_LEVEL) as archive:
            for (sample, table), count in zip(samples, counts):
                with archive.open(f"{table.name}.csv", "w", force_zip64=True) as raw:
                    stream = io.TextIOWrapper(raw, encoding="utf-8", newline="")
                    writer = csv.writer(stream)
                    writer.writerow([c.name for c in table.columns])
                    for row in itertools.islice(itertools.cycle(sample), count):
                        writer.writerow(row)
                    stream.flush()
                    stream.detach()
        return
    import xlsxwriter

    workbook = xlsxwriter.Workbook(str(path), {"constant_memory": True})
    for (sample, table), count in zip(samples, counts):
        sheet = workbook.add_worksheet(table.name[:31])
        sheet.write_row(0, 0, [c.name for c in table.columns])
        for number, row in enumerate(itertools.islice(itertools.cycle(sample), count), start=1):
            sheet.write_row(number, 0, row)
    workbook.close()


def _apart(url: str, consultation_id: int, fmt: str, what: str) -> dict[str, object]:
    done = subprocess.run(
        [sys.executable, "-m", "bench.bench_exports", "measure", url, str(consultation_id), fmt, what],
        capture_output=True,
        text=True,
        check=False,
        cwd=Path(__file__).resolve().parent.parent,
    )
    if done.returncode != 0:
        raise RuntimeError(f"measuring {fmt} {what} failed:\n{done.stderr[-3000:]}")
    return json.loads(done.stdout.strip().splitlines()[-1])


def run() -> list[dict[str, object]]:
    """Every size on every database: load, then each format's export and baseline; print the table."""
    from bench.bench_analysis import prepare

    databases = ([("SQLite", None)] if WITH_SQLITE else []) + ([("PostgreSQL", POSTGRES_URL)] if POSTGRES_URL else [])
    rows = []
    with tempfile.TemporaryDirectory() as folder:
        for name, url in databases:
            url = url or f"sqlite:///{Path(folder) / 'exports.sqlite3'}"
            for size in SIZES:
                loaded = prepare(url, size)
                for fmt in FORMATS:
                    export = _apart(url, loaded["consultation_id"], fmt, "export")
                    baseline = _apart(url, loaded["consultation_id"], fmt, "baseline")
                    row = {
                        "database": name,
                        "size": size,
                        "format": fmt,
                        "load_s": loaded["load_s"],
                        **export,
                        "baseline_s": baseline["seconds"],
                        "baseline_cells_per_s": baseline["cells_per_s"],
                        "baseline_peak_mib": baseline["peak_mib"],
                        "ratio": round(export["seconds"] / baseline["seconds"], 2),
                    }
                    print(json.dumps(row), file=sys.stderr, flush=True)
                    rows.append(row)
    _print(rows)
    return rows


def _print(rows: list[dict[str, object]]) -> None:
    print("\n### Response-data export (consult layout) against a plain writer loop\n")
    columns = [
        "database",
        "size",
        "format",
        "rows",
        "cells",
        "seconds",
        "cells_per_s",
        "peak_mib",
        "growth_mib",
        "file_mib",
        "baseline_s",
        "baseline_cells_per_s",
        "ratio",
    ]
    print("| " + " | ".join(columns) + " |")
    print("|" + "---|" * len(columns))
    for row in rows:
        print("| " + " | ".join(str(row.get(c, "")) for c in columns) + " |")
    for database in dict.fromkeys(r["database"] for r in rows):
        for fmt in FORMATS:
            mine = [r for r in rows if r["database"] == database and r["format"] == fmt]
            if len(mine) > 1:
                print(
                    f"\n{database} {fmt}: peak at {mine[-1]['size']} / peak at {mine[0]['size']} = "
                    f"{mine[-1]['peak_mib'] / mine[0]['peak_mib']:.2f}"
                )


if __name__ == "__main__":
    if len(sys.argv) == 6 and sys.argv[1] == "measure":
        print(json.dumps(measure(sys.argv[2], int(sys.argv[3]), sys.argv[4], sys.argv[5])))
    else:
        run()
