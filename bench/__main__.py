"""``make bench``: run every benchmark module in ``bench/`` and print Markdown tables.

Modules are found by name (``bench_*``): pages, submission, and analysis (``bench_analysis``: the whole
analysis of one consultation of 10 and 100 thousand responses on SQLite; ``BENCH_ANALYSIS_MAX=1000000``
adds the million, ``CONSULT_BENCH_DATABASE_URL`` adds a PostgreSQL database, which it wipes), ingest
(``bench_ingest``: the real answering flow against bare writes on the production server).
``BENCH=ingest`` (or ``BENCH=pages,submission``) runs only those.
"""

from __future__ import annotations

import datetime
import importlib
import os
import pkgutil
import platform
from pathlib import Path


def main() -> None:
    """Run each ``bench_*`` module's ``run()``."""
    print(f"# consult benchmarks, {datetime.date.today().isoformat()}")
    print(
        f"machine: {platform.machine()}, {os.cpu_count()} cores, "
        f"Python {platform.python_version()}, {platform.platform()}"
    )
    folder = Path(__file__).parent
    chosen = {f"bench_{name.strip()}" for name in os.environ.get("BENCH", "").split(",") if name.strip()}
    for module in sorted(m.name for m in pkgutil.iter_modules([str(folder)]) if m.name.startswith("bench_")):
        if chosen and module not in chosen:
            continue
        importlib.import_module(f"bench.{module}").run()


if __name__ == "__main__":
    main()
