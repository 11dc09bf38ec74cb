"""Export jobs: in a thread by default, on RQ with Redis; pages that refresh themselves; progress written sparingly;
failures told in words, never tracebacks; files that expire and are purged."""

from __future__ import annotations

import io
import os
import re
import time
import uuid
import zipfile
from datetime import timedelta

import openpyxl
import pytest
from sqlalchemy import select

from consult.core.db import utcnow
from consult.exports import catalogue, jobs
from consult.exports.models import ExportEvent, ExportJob, JobStatus
from tests.analysis.world import build, store
from tests.exports.test_export_access import RESPONSES, SUMMARY, as_user, closed, get, join_export_threads, page_url
from tests.fixtures.strict import skip_or_fail

REDIS_URL = "redis://127.0.0.1:6379/0"


@pytest.fixture
def world(create_territory, create_version, create_consultation, db):
    return build(create_territory, create_version, create_consultation)


@pytest.fixture(autouse=True)
def exports_dir(app, tmp_path):
    folder = tmp_path / "exports"
    app.config["CONSULT_EXPORTS_DIR"] = str(folder)
    yield folder
    join_export_threads()


@pytest.fixture
def official(world, create_user, app):
    return as_user(app, create_user(roles={world.territory: ["official", "analyst"]}))


def job_url(world, job) -> str:
    return f"/t/{world.territory.slug}/exports/{job.id}"


def only_job(db) -> ExportJob:
    db.session.expire_all()
    return db.session.scalars(select(ExportJob)).one()


@pytest.fixture
def redis_connection():
    import redis

    connection = redis.Redis.from_url(REDIS_URL)
    try:
        connection.ping()
    except redis.exceptions.ConnectionError:
        skip_or_fail(f"no Redis at {REDIS_URL}")
    yield connection
    connection.close()


@pytest.fixture
def rq_queue(app, redis_connection):
    """RQ mode on a queue of this test's own."""
    import rq

    name = f"consult-test-{uuid.uuid4().hex}"
    app.config.update(CONSULT_JOBS_REDIS_URL=REDIS_URL, CONSULT_JOBS_QUEUE=name)
    queue = rq.Queue(name, connection=redis_connection)
    yield queue
    queue.delete(delete_jobs=True)


def test_a_large_export_goes_to_its_page_in_a_thread_and_then_downloads(world, official, app, db):
    # Enough responses that writing them takes a while, and no waiting in the request.
    store(world.consultation, world.community, "rural_community", [{"K1": "no", "V1": "yes"}] * 3000)
    app.config["CONSULT_EXPORT_WAIT_SECONDS"] = 0

    response = official.submit(page_url(world), {**RESPONSES, "responses-format": "xlsx"})

    assert response.status_code == 302
    job = only_job(db)
    assert response.headers["Location"].endswith(job_url(world, job))
    assert not app.config["CONSULT_JOBS_REDIS_URL"]
    deadline = time.monotonic() + 120
    seen_refresh = False
    while True:
        page = official.get(job_url(world, job))
        html = page.get_data(as_text=True)
        if 'http-equiv="refresh"' in html:
            seen_refresh = True
            assert "<progress" in html
        if "/file" in html or time.monotonic() > deadline:
            break
        time.sleep(0.1)
    assert 'http-equiv="refresh"' not in html, "a finished job's page stops refreshing"
    assert "riesgos-tiny-responses-es.xlsx" in html
    download = get(official, job_url(world, job) + "/file")
    assert download.status_code == 200 and download.headers["Cache-Control"] == "no-store"
    workbook = openpyxl.load_workbook(io.BytesIO(download.data), read_only=True)
    assert sum(sheet.max_row or 0 for sheet in workbook.worksheets) > 3000
    job = only_job(db)
    assert job.status == JobStatus.DONE and job.size == len(download.data)
    assert job.progress_done == job.progress_total == 3000 + 19
    # The job ran in a thread, the file under the configured folder, under its job id.
    assert os.path.dirname(jobs.exports_dir() / job.path) == app.config["CONSULT_EXPORTS_DIR"]
    print("saw the refreshing page:", seen_refresh)


def test_a_small_export_is_sent_at_once(world, official, app, db):
    # However slow the first import of the writers on this machine: what matters is that a job done in time is sent.
    app.config["CONSULT_EXPORT_WAIT_SECONDS"] = 60
    response = closed(official.submit(page_url(world), {**SUMMARY, "summary-format": "csv"}))
    assert response.status_code == 200
    assert response.mimetype == "application/zip" and response.headers["Cache-Control"] == "no-store"
    assert zipfile.ZipFile(io.BytesIO(response.data)).testzip() is None
    assert only_job(db).status == JobStatus.DONE


def test_jobs_run_on_rq_when_redis_is_configured(world, official, app, db, rq_queue):
    import rq

    app.config["CONSULT_EXPORT_WAIT_SECONDS"] = 0.3

    response = official.submit(page_url(world), {**SUMMARY, "summary-format": "datapackage"})

    # Nobody works the queue yet: the job waits there and its page refreshes itself.
    assert response.status_code == 302
    job = only_job(db)
    assert job.status == JobStatus.QUEUED
    assert rq_queue.count == 1 and rq_queue.jobs[0].func_name == "consult.exports.jobs.run_job"
    page = official.get(job_url(world, job)).get_data(as_text=True)
    assert '<meta http-equiv="refresh" content="2">' in page and "<progress" in page
    assert get(official, job_url(world, job) + "/file").status_code == 302  # not ready: back to the page

    # A worker (as ``flask exports worker`` runs it) in this application context.
    rq.SimpleWorker([rq_queue], connection=rq_queue.connection).work(burst=True)

    job = only_job(db)
    assert job.status == JobStatus.DONE, job.error_code
    page = official.get(job_url(world, job)).get_data(as_text=True)
    assert 'http-equiv="refresh"' not in page and "riesgos-tiny-summary-datapackage-en.zip" in page
    download = get(official, job_url(world, job) + "/file")
    assert download.status_code == 200
    assert "datapackage.json" in zipfile.ZipFile(io.BytesIO(download.data)).namelist()
    assert db.session.scalars(select(ExportEvent)).one().outcome.value == "done"


def test_running_a_job_twice_writes_it_once(world, official, app, db, rq_queue):
    app.config["CONSULT_EXPORT_WAIT_SECONDS"] = 0
    official.submit(page_url(world), SUMMARY)
    job = only_job(db)
    jobs.run_job(job.id)
    first = only_job(db)
    assert first.status == JobStatus.DONE
    finished_at = first.finished_at
    jobs.run_job(job.id)
    assert only_job(db).finished_at == finished_at


def test_an_unreachable_queue_fails_the_job_with_words(world, official, app, db):
    app.config.update(CONSULT_JOBS_REDIS_URL="redis://127.0.0.1:1/0", CONSULT_EXPORT_WAIT_SECONDS=0)
    response = official.submit(page_url(world), SUMMARY)
    job = only_job(db)
    assert response.status_code == 302 and job.status == JobStatus.FAILED and job.error_code == "queue"
    assert "could not be queued" in official.get(job_url(world, job)).get_data(as_text=True)


@pytest.fixture
def broken_kind():
    """A kind of export whose writer fails half-way (registered for this test only)."""

    def writer(consultation, fmt, out, *, lang, layout, user, progress):
        out.write(b"half a file")
        raise RuntimeError("Traceback: secret detail of the server")

    summary = catalogue.get("summary")
    kind = catalogue.register(
        catalogue.Kind(
            code="broken",
            label="Broken",
            description="Fails.",
            roles=("official",),
            formats={"csv": "CSV"},
            layouts={"consult": "consult"},
            files={("csv", "consult"): catalogue.FileType("csv", catalogue.CSV)},
            writer=writer,
        )
    )
    yield kind
    catalogue.unregister("broken")
    assert catalogue.get("summary") is summary


def test_a_failed_job_says_so_in_words_and_leaves_no_file(world, official, app, db, broken_kind, exports_dir):
    response = official.submit(page_url(world), {"kind": "broken", "broken-format": "csv", "broken-lang": "es"})
    join_export_threads()
    job = only_job(db)
    assert response.status_code == 302
    assert job.status == JobStatus.FAILED and job.error_code == "failed" and job.path is None
    page = official.get(job_url(world, job))
    html = page.get_data(as_text=True)
    assert "could not be written" in html
    assert "secret detail" not in html and "Traceback" not in html
    assert 'http-equiv="refresh"' not in html
    assert get(official, job_url(world, job) + "/file").status_code == 410
    assert list(exports_dir.iterdir()) == []
    assert db.session.scalars(select(ExportEvent)).one().outcome.value == "failed"


def test_progress_is_written_at_most_twice_a_second(world, create_user, db):
    job = ExportJob(
        user_id=create_user().id,
        territory_id=world.territory.id,
        consultation_id=world.consultation.id,
        kind="summary",
        fmt="xlsx",
        lang="es",
        file_name="x.xlsx",
        expires_at=utcnow() + timedelta(hours=1),
    )
    db.session.add(job)
    db.session.commit()
    progress = jobs.JobProgress(job.id)
    started = time.monotonic()
    calls = 0
    while time.monotonic() - started < 1.2:
        calls += 1
        progress(calls, 10**9)
    assert calls > 1000
    assert 1 <= progress.writes <= 3
    db.session.expire_all()
    assert 0 < db.session.get(ExportJob, job.id).progress_done < calls


def test_an_expired_job_says_so_and_purge_deletes_its_file(world, official, app, db, runner, exports_dir):
    closed(official.submit(page_url(world), SUMMARY))
    join_export_threads()
    job = only_job(db)
    stored = exports_dir / job.path
    assert stored.is_file()

    job.expires_at = utcnow() - timedelta(minutes=1)
    db.session.commit()

    page = official.get(job_url(world, job))
    assert page.status_code == 200
    assert "has expired" in page.get_data(as_text=True)
    gone = get(official, job_url(world, job) + "/file")
    assert gone.status_code == 410 and "has expired" in gone.get_data(as_text=True)
    listing = official.get(page_url(world)).get_data(as_text=True)
    assert "Expired" in listing

    result = runner.invoke(args=["exports", "purge"])
    assert result.exit_code == 0, result.output
    assert "Deleted 1 " in result.output
    assert not stored.exists()
    assert only_job(db).path is None
    assert "has expired" in official.get(job_url(world, job)).get_data(as_text=True)


def test_a_new_job_purges_expired_files_and_lost_jobs(world, official, app, db, exports_dir):
    closed(official.submit(page_url(world), SUMMARY))
    join_export_threads()
    old = only_job(db)
    old_file = exports_dir / old.path
    old.expires_at = utcnow() - timedelta(hours=1)
    lost = ExportJob(
        user_id=old.user_id,
        territory_id=old.territory_id,
        consultation_id=old.consultation_id,
        kind="summary",
        fmt="pdf",
        lang="es",
        file_name="lost.pdf",
        status=JobStatus.RUNNING,
        expires_at=utcnow() - timedelta(minutes=5),
    )
    db.session.add(lost)
    db.session.commit()
    stray_old = exports_dir / ".forgotten.part"
    stray_old.write_bytes(b"x")
    a_day_ago = time.time() - 25 * 3600
    os.utime(stray_old, (a_day_ago, a_day_ago))
    stray_new = exports_dir / ".someone-writing-now.part"
    stray_new.write_bytes(b"x")

    closed(official.submit(page_url(world), {**SUMMARY, "summary-format": "csv"}))
    join_export_threads()

    assert not old_file.exists() and not stray_old.exists()
    assert stray_new.exists(), "a file being written right now is left alone"
    db.session.expire_all()
    lost = db.session.get(ExportJob, lost.id)
    assert lost.status == JobStatus.FAILED and lost.error_code == "interrupted"
    assert "interrupted" in official.get(job_url(world, lost)).get_data(as_text=True)


def test_the_exports_dir_defaults_to_the_instance_folder(app, tmp_path):
    app.config["CONSULT_EXPORTS_DIR"] = ""
    app.instance_path = str(tmp_path / "instance")
    assert jobs.exports_dir() == tmp_path / "instance" / "exports"
    # Tests get a temporary folder by default, never the working tree, and never a queue.
    from consult import create_app

    fresh = create_app({"env": "testing"})
    assert fresh.config["CONSULT_EXPORTS_DIR"] and not fresh.config["CONSULT_EXPORTS_DIR"].startswith(
        fresh.instance_path
    )
    assert fresh.config["CONSULT_EXPORT_HOURS"] == 24 and fresh.config["CONSULT_EXPORT_WAIT_SECONDS"] == 2.0
    assert fresh.config["CONSULT_JOBS_REDIS_URL"] == ""


def test_settings_read_the_environment():
    from config import load_settings

    settings = load_settings(
        "development",
        instance_path="/tmp/consult-settings-test",
        environ={
            "CONSULT_JOBS_REDIS_URL": "redis://queue:6379/1",
            "CONSULT_EXPORTS_DIR": "/srv/exports",
            "CONSULT_EXPORT_HOURS": "6",
            "CONSULT_JOBS_QUEUE": "exports",
            "CONSULT_EXPORT_WAIT_SECONDS": "1.5",
        },
    )
    config = settings.flask_config()
    assert (
        config["CONSULT_JOBS_REDIS_URL"],
        config["CONSULT_EXPORTS_DIR"],
        config["CONSULT_EXPORT_HOURS"],
        config["CONSULT_JOBS_QUEUE"],
        config["CONSULT_EXPORT_WAIT_SECONDS"],
    ) == ("redis://queue:6379/1", "/srv/exports", 6, "exports", 1.5)


def test_the_catalogue_offers_what_the_writers_write():
    from consult.exports.excerpts import EXCERPT_FORMATS
    from consult.exports.responses import RESPONSE_FORMATS, RESPONSE_LAYOUTS
    from consult.exports.summary import SUMMARY_FORMATS

    assert tuple(catalogue.get("summary").formats) == SUMMARY_FORMATS
    assert tuple(catalogue.get("responses").formats) == RESPONSE_FORMATS
    assert tuple(catalogue.get("responses").layouts) == RESPONSE_LAYOUTS
    assert tuple(catalogue.get("excerpts").formats) == EXCERPT_FORMATS
    responses = catalogue.get("responses")
    assert not responses.allows("sav", "kobo") and responses.allows("csv", "kobo")
    assert tuple(catalogue.PAGE_ROLES) == ("official", "analyst", "network_admin")


def test_file_names_say_what_is_inside(world):
    names = {
        (kind.code, fmt, layout): catalogue.file_name(world.consultation, kind, fmt, layout, "pt")
        for kind in catalogue.kinds()
        for (fmt, layout) in kind.files
    }
    assert names[("summary", "xlsx", "consult")] == "riesgos-tiny-summary-pt.xlsx"
    assert names[("summary", "csv", "consult")] == "riesgos-tiny-summary-csv-pt.zip"
    assert names[("summary", "datapackage", "consult")] == "riesgos-tiny-summary-datapackage-pt.zip"
    assert names[("responses", "sav", "consult")] == "riesgos-tiny-responses-sav-pt.zip"
    assert names[("responses", "csv", "kobo")] == "riesgos-tiny-responses-csv-kobo-pt.zip"
    assert names[("responses", "xlsx", "kobo")] == "riesgos-tiny-responses-kobo-pt.xlsx"
    assert all(re.fullmatch(r"[a-z0-9-]+\.(zip|xlsx|pdf|csv)", name) for name in names.values())
