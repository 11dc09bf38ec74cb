"""``flask exports …``: files that open in their tools, a progress bar on a terminal, clear refusals, the audit log,
and the RQ worker."""

from __future__ import annotations

import io
import os
import pty
import subprocess
import sys
import uuid
import zipfile
from pathlib import Path

import openpyxl
import pytest
from sqlalchemy import select

from consult.exports.models import ExportEvent, ExportJob, JobStatus
from tests.analysis.world import build
from tests.exports.test_export_access import SUMMARY, as_user, join_export_threads, page_url
from tests.fixtures.strict import skip_or_fail

ROOT = Path(__file__).resolve().parents[2]


@pytest.fixture
def world(create_territory, create_version, create_consultation, db):
    return build(create_territory, create_version, create_consultation)


@pytest.fixture(autouse=True)
def exports_dir(app, tmp_path):
    app.config["CONSULT_EXPORTS_DIR"] = str(tmp_path / "exports")
    yield tmp_path / "exports"
    join_export_threads()


def run(runner, *args: str):
    return runner.invoke(args=["exports", *args])


def is_zip(data: bytes) -> bool:
    return data[:4] == b"PK\x03\x04" and zipfile.ZipFile(io.BytesIO(data)).testzip() is None


@pytest.mark.parametrize("fmt", ["xlsx", "csv", "pdf", "datapackage"])
def test_summaries_open_in_their_tools(world, runner, tmp_path, fmt):
    out = tmp_path / f"summary.{fmt}"
    result = run(runner, "summary", world.consultation.slug, "--format", fmt, "--lang", "en", "--out", str(out))
    assert result.exit_code == 0, result.output
    data = out.read_bytes()
    if fmt == "xlsx":
        assert is_zip(data) and openpyxl.load_workbook(io.BytesIO(data), read_only=True).sheetnames
    elif fmt == "pdf":
        assert data.startswith(b"%PDF-") and b"%%EOF" in data[-1024:]
    else:
        assert is_zip(data)
        names = zipfile.ZipFile(io.BytesIO(data)).namelist()
        assert any(name.endswith(".csv") for name in names)
        if fmt == "datapackage":
            assert "datapackage.json" in names
    assert f"Wrote {out}" in result.output
    assert not list(tmp_path.glob(".*.part"))


@pytest.mark.parametrize(
    "fmt, layout, check",
    [
        ("csv", "consult", "zip"),
        ("xlsx", "consult", "xlsx"),
        ("sav", "consult", "sav"),
        ("csv", "kobo", "zip"),
        ("xlsx", "kobo", "xlsx"),
    ],
)
def test_response_data_opens_in_its_tools(world, runner, tmp_path, fmt, layout, check):
    out = tmp_path / "responses.bin"
    # By id as well as by slug.
    result = run(
        runner, "responses", str(world.consultation.id), "--format", fmt, "--layout", layout, "--out", str(out)
    )
    assert result.exit_code == 0, result.output
    data = out.read_bytes()
    assert is_zip(data)
    if check == "xlsx":
        assert openpyxl.load_workbook(io.BytesIO(data), read_only=True).sheetnames
    elif check == "sav":
        import pyreadstat

        archive = zipfile.ZipFile(io.BytesIO(data))
        savs = [name for name in archive.namelist() if name.endswith(".sav")]
        assert savs
        path = tmp_path / "one.sav"
        path.write_bytes(archive.read(savs[0]))
        frame, _meta = pyreadstat.read_sav(str(path))
        assert len(frame) > 0


@pytest.mark.parametrize("fmt", ["csv", "xlsx"])
def test_excerpts_are_written(world, runner, tmp_path, fmt):
    out = tmp_path / f"excerpts.{fmt}"
    result = run(runner, "excerpts", world.consultation.slug, "--format", fmt, "--lang", "es", "--out", str(out))
    assert result.exit_code == 0, result.output
    data = out.read_bytes()
    if fmt == "xlsx":
        assert openpyxl.load_workbook(io.BytesIO(data), read_only=True).sheetnames
    else:
        assert data.decode("utf-8-sig").splitlines()[0]  # a header line at least


@pytest.mark.parametrize(
    "args, words",
    [
        (["summary", "riesgos-tiny", "--format", "docx"], "Choose one of the formats offered."),
        (["summary", "riesgos-tiny", "--format", "xlsx", "--lang", "qu"], "es, en, pt"),
        (["summary", "no-such-consultation", "--format", "xlsx"], "no consultation has the slug or id"),
        (["summary", "424242", "--format", "xlsx"], "no consultation has the slug or id"),
        (["responses", "riesgos-tiny", "--format", "sav", "--layout", "kobo"], "only be written as CSV or XLSX"),
        (["excerpts", "riesgos-tiny", "--format", "pdf"], "Choose one of the formats offered."),
    ],
)
def test_bad_requests_are_usage_errors(world, runner, tmp_path, db, args, words):
    out = tmp_path / "never"
    result = run(runner, *args, "--out", str(out))
    assert result.exit_code == 2, result.output
    assert words in result.output
    assert not out.exists()
    assert db.session.scalars(select(ExportEvent)).all() == []


def test_command_line_exports_are_in_the_audit_log(world, runner, tmp_path, db, create_user, app):
    result = run(runner, "summary", "riesgos-tiny", "--format", "csv", "--lang", "pt", "--out", str(tmp_path / "s.zip"))
    assert result.exit_code == 0, result.output
    event = db.session.scalars(select(ExportEvent)).one()
    assert event.user_id is None and event.via.value == "command_line"
    assert (event.kind, event.fmt, event.lang, event.outcome.value) == ("summary", "csv", "pt", "done")
    assert event.consultation_id == world.consultation.id and event.territory_id == world.territory.id
    client = as_user(app, create_user(roles={world.territory: ["official"]}))
    log = client.get(page_url(world)).get_data(as_text=True).split('id="export-log"')[1]
    assert "Command line" in log


def test_a_progress_bar_is_drawn_on_a_terminal(world, migrated_database, tmp_path):
    out = tmp_path / "responses.zip"
    env = {**os.environ, "CONSULT_ENV": "testing", "CONSULT_DATABASE_URL": migrated_database, "COLUMNS": "100"}
    leader, follower = pty.openpty()
    process = subprocess.Popen(
        [
            sys.executable,
            "-m",
            "flask",
            "--app",
            "consult",
            "exports",
            "responses",
            "riesgos-tiny",
            "--format",
            "csv",
            "--out",
            str(out),
        ],
        cwd=ROOT,
        env=env,
        stdin=subprocess.DEVNULL,
        stdout=subprocess.PIPE,
        stderr=follower,
    )
    os.close(follower)
    drawn = b""
    while True:
        try:
            chunk = os.read(leader, 4096)
        except OSError:
            break
        if not chunk:
            break
        drawn += chunk
    os.close(leader)
    stdout = process.communicate(timeout=120)[0]
    assert process.returncode == 0, drawn.decode(errors="replace")
    text = drawn.decode(errors="replace")
    assert "responses csv es" in text and "100%" in text and "#" in text, text
    assert b"Wrote" in stdout and is_zip(out.read_bytes())


def test_the_worker_needs_a_queue(runner):
    result = run(runner, "worker", "--burst")
    assert result.exit_code == 2 and "CONSULT_JOBS_REDIS_URL" in result.output


def test_the_worker_runs_queued_jobs(world, runner, app, db, create_user):
    import redis
    import rq

    connection = redis.Redis.from_url("redis://127.0.0.1:6379/0")
    try:
        connection.ping()
    except redis.exceptions.ConnectionError:
        skip_or_fail("no Redis at 127.0.0.1:6379")
    name = f"consult-test-{uuid.uuid4().hex}"
    app.config.update(
        CONSULT_JOBS_REDIS_URL="redis://127.0.0.1:6379/0", CONSULT_JOBS_QUEUE=name, CONSULT_EXPORT_WAIT_SECONDS=0
    )
    try:
        client = as_user(app, create_user(roles={world.territory: ["official"]}))
        assert client.submit(page_url(world), SUMMARY).status_code == 302
        assert db.session.scalars(select(ExportJob)).one().status == JobStatus.QUEUED

        result = run(runner, "worker", "--burst")

        assert result.exit_code == 0, result.output
        db.session.expire_all()
        assert db.session.scalars(select(ExportJob)).one().status == JobStatus.DONE
    finally:
        rq.Queue(name, connection=connection).delete(delete_jobs=True)
        connection.close()
