"""The whole analysis of one consultation of 10 thousand to 1 million responses, against one pandas GROUP BY.

For each database (SQLite always; PostgreSQL when ``CONSULT_BENCH_DATABASE_URL``
names one, which is *wiped*) and each size, a fresh database is migrated and
demo-seeded, and a new consultation (the demo's Antioquia groups, instruments
and targets) gets ``size`` community responses plus one company
self-assessment per hundred. They are drawn by the demo's own generator
(``demo_generator.Generator``) with a draw that ticks a few more boxes, so a
community response has about 40 answer rows; a pool of distinct answer sets
goes through the real storage steps once (answers on the path only, rows by
each question type, locality, asked set by ``asked_set_for``) and is then
replayed with fresh ids and bulk-loaded: ``COPY`` on PostgreSQL, one
``executemany`` transaction with ``synchronous=OFF, journal_mode=OFF`` on
SQLite. Nothing goes through the ORM per row.

Then, each in a fresh process so the peak memory is its own: every view of
the analysis facade (``services.context``, results, coverage, salience,
divergence, remedy with its tables), and the baseline: one ``pandas.read_sql``
of the counted answers joined to their responses (question, option, group)
and one ``groupby`` count. Times are wall clock, the best of ``REPEAT`` runs;
memory is the growth of the peak resident set (``getrusage`` ``ru_maxrss``)
over the resident set just before the runs.

``BENCH_ANALYSIS_MAX`` is the largest size (default 100000; 1000000 adds the
million, which takes minutes to generate). ``BENCH_ANALYSIS_SIZES`` lists the
sizes (default ``10000,100000,1000000``), ``BENCH_ANALYSIS_SQLITE=0`` leaves
SQLite out, and the baseline is skipped above ``BENCH_ANALYSIS_BASELINE_MAX``
(default 100000: at a million it would hold about 15 GiB of rows). The million
on PostgreSQL alone:

    BENCH_ANALYSIS_SQLITE=0 BENCH_ANALYSIS_SIZES=1000000 BENCH_ANALYSIS_MAX=1000000 \
    CONSULT_BENCH_DATABASE_URL=postgresql://… python -m bench.bench_analysis
"""

from __future__ import annotations

import io
import json
import os
import random
import resource
import subprocess
import sys
import tempfile
import time
from datetime import timedelta
from pathlib import Path

SIZES = tuple(int(n) for n in os.environ.get("BENCH_ANALYSIS_SIZES", "10000,100000,1000000").split(","))
MAX_SIZE = int(os.environ.get("BENCH_ANALYSIS_MAX", "100000"))
#: The baseline holds every answer row in memory (about 1.7 GiB per 100 thousand responses): above this
#: size it is skipped and the ratio left out, so a million fits on a 24 GiB machine.
BASELINE_MAX = int(os.environ.get("BENCH_ANALYSIS_BASELINE_MAX", "100000"))
#: "0" leaves SQLite out (e.g. to time only a million responses on PostgreSQL).
WITH_SQLITE = os.environ.get("BENCH_ANALYSIS_SQLITE", "1") != "0"
POSTGRES_URL = os.environ.get("CONSULT_BENCH_DATABASE_URL")
POOL = int(os.environ.get("BENCH_ANALYSIS_POOL", "4000"))
#: Runs of each measurement (the best counts); the default is 2 up to 10 thousand responses, then 1.
REPEAT = os.environ.get("BENCH_ANALYSIS_REPEAT")
#: Responses written per bulk statement (bounds the loader's memory).
CHUNK = 20_000
RESPONSE_COLUMNS = (
    "id",
    "consultation_id",
    "instrument_version_id",
    "group_code",
    "locality_id",
    "language",
    "entry_mode",
    "is_collective",
    "submitted_on",
    "submission_key",
    "receipt_code_hash",
    "is_set_aside",
    "asked_set_id",
)
ANSWER_COLUMNS = ("response_id", "question_key", "part", "option", "number", "text")
VIEWS = ("context", "results", "coverage", "salience", "divergence", "remedy")
BASELINE_SQL = (
    "SELECT a.question_key, a.option, r.group_code FROM answers a JOIN responses r ON r.id = a.response_id"
    " WHERE r.consultation_id = {cid} AND r.is_set_aside = {false}"
)


def _app(url: str):
    from consult import create_app

    return create_app({"env": "testing", "database_url": url, "ratelimit_enabled": False, "csrf_enabled": False})


def _rss_kib() -> int:
    """The resident set now (Linux ``/proc``), in KiB."""
    with open("/proc/self/statm") as statm:
        return int(statm.read().split()[1]) * os.sysconf("SC_PAGE_SIZE") // 1024


# -- data ------------------------------------------------------------------------------------------


def _fresh_database(url: str) -> None:
    """Empty the database at ``url`` (SQLite: remove the file; PostgreSQL: drop the public schema)."""
    if url.startswith("sqlite:///"):
        Path(url.removeprefix("sqlite:///")).unlink(missing_ok=True)
        return
    from sqlalchemy import create_engine, text

    engine = create_engine(url)
    with engine.begin() as connection:
        connection.execute(text("DROP SCHEMA public CASCADE"))
        connection.execute(text("CREATE SCHEMA public"))
    engine.dispose()


def _bench_consultation():
    """A new consultation beside the demo's Antioquia one, with its groups, instruments and targets."""
    from sqlalchemy import select

    from consult.extensions import db
    from consult.responses import demo_profiles as P
    from consult.responses.models import Consultation, ConsultationGroup, LocalityTarget
    from consult.surveys.models import Instrument, InstrumentVersion, VersionStatus

    demo = db.session.scalar(select(Consultation).order_by(Consultation.id))
    made = Consultation(
        territory_id=demo.territory_id,
        slug="bench-analysis",
        title={"es": "Bench"},
        organiser=demo.organiser,
        languages=list(demo.languages),
        fallback_language=demo.fallback_language,
        state=demo.state,
        opens_on=demo.opens_on,
        closes_on=demo.closes_on,
        small_cell_threshold=demo.small_cell_threshold,
    )
    # The built-in instruments, whatever the demo gives its own groups (it may try a territory's own form).
    library = {
        key: db.session.scalar(
            select(InstrumentVersion.id)
            .join(Instrument)
            .where(
                Instrument.key == key,
                Instrument.territory_id.is_(None),
                InstrumentVersion.status == VersionStatus.PUBLISHED,
            )
            .order_by(InstrumentVersion.id.desc())
        )
        for key in ("community_risk", "company_self_assessment")
    }
    made.groups = [
        ConsultationGroup(
            group_code=g.group_code,
            target=g.target,
            instrument_version_id=library[
                "company_self_assessment" if g.group_code in P.COMPANY_GROUPS else "community_risk"
            ],
        )
        for g in demo.groups
    ]
    made.locality_targets = [
        LocalityTarget(group_code=t.group_code, locality_id=t.locality_id, target=t.target)
        for t in demo.locality_targets
    ]
    db.session.add(made)
    db.session.flush()
    return made


def _pool(consultation, count: int) -> list[dict]:
    """``count`` distinct synthetic responses, each stored the real way once: its response values and answer rows."""
    from consult.extensions import db
    from consult.responses import demo_profiles as P
    from consult.responses.demo_generator import Draw, Generator
    from consult.responses.models import EntryMode
    from consult.responses.sending import answer_rows
    from consult.responses.storage import answer_values, locality_codes, locality_from_answers
    from consult.surveys.asked import asked_set_for
    from consult.surveys.models import InstrumentVersion

    class Generous(Draw):
        """The demo's draws, ticking two to four more boxes on every multiple choice."""

        def some(self, weights, low, high):
            return super().some(weights, low + 2, high + 4)

    slug = consultation.territory.slug
    draw = Generous(f"bench:{slug}")
    generator = Generator(draw, slug, list(consultation.territory.localities))
    versions = {}
    for group in consultation.groups:
        version = db.session.get(InstrumentVersion, group.instrument_version_id)
        versions[group.group_code] = (version.id, version.parsed())
    codes = locality_codes(consultation)
    community = {g: w for g, w in P.COMMUNITY_GROUPS[slug].items() if g in versions}
    companies = {g: w for g, w in P.COMPANY_GROUPS.items() if g in versions}
    languages = [lang for lang in P.LANGUAGES.get(slug, {"es": 1}) if lang in consultation.languages] or ["es"]
    pool = []
    for index in range(count):
        is_company = index % 100 == 99  # one company self-assessment per hundred responses
        group = draw.one(companies if is_company else community)
        version_id, instrument = versions[group]
        area, locality = generator.place()
        make = generator.company if is_company else generator.community
        answers = make(instrument, group, area, locality)
        mode = (
            EntryMode.ONLINE if is_company else EntryMode(draw.one(P.ENTRY_MODES.get(group, P.ENTRY_MODES["default"])))
        )
        rows = answer_rows(instrument, answers)
        pool.append(
            {
                "instrument_version_id": version_id,
                "group_code": group,
                "locality_id": locality_from_answers(instrument, answer_values(instrument, answers), codes),
                "language": draw.rng.choice(languages),
                "entry_mode": mode.value,
                "asked_set_id": asked_set_for(version_id, instrument, answers),
                "rows": [(r.question_key, r.part, r.option, r.number, r.text) for r in rows],
            }
        )
    return pool


def _copy_text(value) -> str:
    if value is None:
        return "\\N"
    if isinstance(value, bool):
        return "t" if value else "f"
    return str(value).replace("\\", "\\\\").replace("\t", "\\t").replace("\n", "\\n")


def _plan(consultation, pool: list[dict], size: int, first_id: int):
    """Response tuples and answer tuples, ``CHUNK`` responses at a time (pool entry ``i`` of response ``n`` is
    fixed)."""
    rng = random.Random(f"bench-plan:{size}")
    opens = consultation.opens_on
    communities = [i for i, item in enumerate(pool) if not item["group_code"].startswith("company")]
    firms = [i for i, item in enumerate(pool) if item["group_code"].startswith("company")]
    total = size + size // 100
    for start in range(0, total, CHUNK):
        responses, answers = [], []
        for n in range(start, min(start + CHUNK, total)):
            item = pool[rng.choice(firms if n >= size else communities)]
            response_id = first_id + n
            responses.append(
                (
                    response_id,
                    consultation.id,
                    item["instrument_version_id"],
                    item["group_code"],
                    item["locality_id"],
                    item["language"],
                    item["entry_mode"],
                    False,
                    opens + timedelta(days=rng.randint(0, 60)),
                    f"bench-{size}-{n}",
                    f"receipt-{size}-{n}",
                    False,
                    item["asked_set_id"],
                )
            )
            answers.extend((response_id, *row) for row in item["rows"])
        yield responses, answers


def _load_postgres(url: str, chunks) -> tuple[int, int]:
    import psycopg

    conninfo = url.replace("postgresql+psycopg://", "postgresql://")
    counts = [0, 0]
    with psycopg.connect(conninfo) as connection, connection.cursor() as cursor:
        for responses, answers in chunks:
            for table, columns, rows, i in (
                ("responses", RESPONSE_COLUMNS, responses, 0),
                ("answers", ANSWER_COLUMNS, answers, 1),
            ):
                buffer = io.StringIO()
                for row in rows:
                    buffer.write("\t".join(map(_copy_text, row)))
                    buffer.write("\n")
                with cursor.copy(f"COPY {table} ({', '.join(columns)}) FROM STDIN") as copy:
                    copy.write(buffer.getvalue())
                counts[i] += len(rows)
        cursor.execute("SELECT setval('responses_id_seq', (SELECT max(id) FROM responses))")
        cursor.execute("ANALYZE responses")
        cursor.execute("ANALYZE answers")
    return counts[0], counts[1]


def _load_sqlite(path: str, chunks) -> tuple[int, int]:
    import sqlite3

    connection = sqlite3.connect(path, isolation_level=None)
    connection.execute("PRAGMA journal_mode=OFF")
    connection.execute("PRAGMA synchronous=OFF")
    counts = [0, 0]
    connection.execute("BEGIN")
    for responses, answers in chunks:
        connection.executemany(
            f"INSERT INTO responses ({', '.join(RESPONSE_COLUMNS)}) VALUES ({', '.join('?' * len(RESPONSE_COLUMNS))})",
            [(*r[:8], r[8].isoformat(), *r[9:]) for r in responses],
        )
        connection.executemany(
            f"INSERT INTO answers ({', '.join(ANSWER_COLUMNS)}) VALUES ({', '.join('?' * len(ANSWER_COLUMNS))})",
            answers,
        )
        counts[0] += len(responses)
        counts[1] += len(answers)
    connection.execute("COMMIT")
    connection.execute("ANALYZE")
    # Back to what the application runs with.
    connection.execute("PRAGMA journal_mode=WAL")
    connection.close()
    return counts[0], counts[1]


def prepare(url: str, size: int) -> dict[str, object]:
    """A fresh, migrated, demo-seeded database at ``url`` with a bench consultation of ``size`` community responses."""
    import flask_migrate
    from sqlalchemy import func, select

    from consult.demo import seed_demo
    from consult.extensions import db
    from consult.responses.models import Response

    _fresh_database(url)
    app = _app(url)
    started = time.perf_counter()
    with app.app_context():
        flask_migrate.upgrade()
        seed_demo()
        consultation = _bench_consultation()
        pool = _pool(consultation, POOL)
        first_id = (db.session.scalar(select(func.max(Response.id))) or 0) + 1
        db.session.commit()
        consultation_id = consultation.id
        chunks = _plan(consultation, pool, size, first_id)
        loading = time.perf_counter()
        db.session.remove()
        db.engine.dispose()
        if url.startswith("sqlite:///"):
            responses, answers = _load_sqlite(url.removeprefix("sqlite:///"), chunks)
        else:
            responses, answers = _load_postgres(url, chunks)
    return {
        "consultation_id": consultation_id,
        "responses": responses,
        "answers": answers,
        "setup_s": round(loading - started, 1),
        "load_s": round(time.perf_counter() - loading, 1),
        "asked_sets": len({p["asked_set_id"] for p in pool}),
    }


# -- measuring -------------------------------------------------------------------------------------


def _views(consultation) -> dict[str, float]:
    """Seconds of each view of the analysis facade for ``consultation``, unfiltered, by group."""
    from consult.analysis import services
    from consult.analysis.filters import read_filter

    timings = {}
    started = time.perf_counter()
    ctx = services.context(consultation, "es")
    form = read_filter({}, consultation)
    timings["context"] = time.perf_counter() - started
    for name, view in (
        ("results", lambda: services.results_page(ctx, form)),
        ("coverage", lambda: services.coverage_page(ctx, form)),
        ("salience", lambda: services.salience_page(ctx, form)),
        ("divergence", lambda: services.divergence_page(ctx, form)),
        ("remedy", lambda: services.remedy_tables(ctx, services.remedy_page(ctx, form))),
    ):
        started = time.perf_counter()
        view()
        timings[name] = time.perf_counter() - started
    return timings


def _baseline(consultation_id: int, dialect: str) -> dict[str, float]:
    """Seconds of one ``pandas.read_sql`` of the counted answers with their group and one ``groupby`` count."""
    import pandas as pd
    from sqlalchemy import text

    from consult.extensions import db

    started = time.perf_counter()
    query = BASELINE_SQL.format(cid=int(consultation_id), false="false" if dialect == "postgresql" else "0")
    with db.engine.connect() as connection:
        frame = pd.read_sql(text(query), connection)
    read = time.perf_counter() - started
    counts = frame.groupby(["question_key", "option", "group_code"], dropna=False).size()
    total = time.perf_counter() - started
    assert int(counts.sum()) == len(frame)
    return {"read_sql": read, "baseline": total}


def measure(url: str, consultation_id: int, what: str, repeat: int = 1) -> dict[str, object]:
    """Run ``what`` (``views`` or ``baseline``) ``REPEAT`` times in this process: best seconds and peak memory
    growth."""
    from consult.extensions import db
    from consult.responses.models import Consultation

    app = _app(url)
    with app.test_request_context("/"):
        consultation = db.session.get(Consultation, consultation_id)
        consultation.groups, consultation.territory  # noqa: B018 - loaded before the memory mark
        before = _rss_kib()
        best: dict[str, float] = {}
        for _ in range(repeat):
            db.session.expire_all()
            consultation = db.session.get(Consultation, consultation_id)
            timings = _views(consultation) if what == "views" else _baseline(consultation_id, db.engine.dialect.name)
            if what == "views":
                timings["total"] = sum(timings.values())
            for key, value in timings.items():
                best[key] = min(best.get(key, value), value)
            db.session.rollback()
        peak = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss
    return {**{k: round(v, 3) for k, v in best.items()}, "peak_mib": round(max(peak - before, 0) / 1024, 1)}


def _measure_apart(url: str, consultation_id: int, what: str, repeat: int) -> dict[str, object]:
    """``measure`` in a fresh Python process, so its peak memory is its own."""
    done = subprocess.run(
        [sys.executable, "-m", "bench.bench_analysis", "measure", url, str(consultation_id), what, str(repeat)],
        capture_output=True,
        text=True,
        check=False,
        cwd=Path(__file__).resolve().parent.parent,
    )
    if done.returncode != 0:
        raise RuntimeError(f"measuring {what} failed:\n{done.stderr[-3000:]}")
    return json.loads(done.stdout.strip().splitlines()[-1])


def run() -> list[dict[str, object]]:
    """Every size on every database: load, then time the views and the baseline; print the tables."""
    databases = ([("SQLite", None)] if WITH_SQLITE else []) + ([("PostgreSQL", POSTGRES_URL)] if POSTGRES_URL else [])
    rows = []
    with tempfile.TemporaryDirectory() as folder:
        for name, url in databases:
            url = url or f"sqlite:///{Path(folder) / 'analysis.sqlite3'}"
            for size in (s for s in SIZES if s <= MAX_SIZE):
                loaded = prepare(url, size)
                repeat = int(REPEAT or (2 if size <= 10_000 else 1))
                views = _measure_apart(url, loaded["consultation_id"], "views", repeat)
                row = {
                    "database": name,
                    "size": size,
                    **loaded,
                    **views,
                    "baseline": None,
                    "read_sql": None,
                    "baseline_peak_mib": None,
                    "ratio": None,
                }
                if size <= BASELINE_MAX:
                    baseline = _measure_apart(url, loaded["consultation_id"], "baseline", repeat)
                    row.update(
                        {
                            "baseline": baseline["baseline"],
                            "read_sql": baseline["read_sql"],
                            "baseline_peak_mib": baseline["peak_mib"],
                            "ratio": round(views["total"] / baseline["baseline"], 2),
                        }
                    )
                print(json.dumps(row), file=sys.stderr, flush=True)
                rows.append(row)
    _print(rows)
    return rows


def _print(rows: list[dict[str, object]]) -> None:
    print("\n### Analysis of one consultation against one read_sql + groupby\n")
    columns = [
        "database",
        "size",
        "answers",
        "load_s",
        *VIEWS,
        "total",
        "peak_mib",
        "baseline",
        "baseline_peak_mib",
        "ratio",
    ]
    print("| " + " | ".join(columns) + " |")
    print("|" + "---|" * len(columns))
    for row in rows:
        print("| " + " | ".join(str(row.get(c, "")) for c in columns) + " |")


if __name__ == "__main__":
    if len(sys.argv) == 6 and sys.argv[1] == "measure":
        print(json.dumps(measure(sys.argv[2], int(sys.argv[3]), sys.argv[4], int(sys.argv[5]))))
    else:
        run()
