"""Who may export what: officials get summaries, analysts response data; companies, other territories and other
accounts get nothing — not the page, not a start, not someone else's file."""

from __future__ import annotations

import io
import json
import re
import threading
import time
import zipfile

import openpyxl
import pytest
from sqlalchemy import func, select

from consult.exports.models import ExportEvent, ExportJob
from tests.analysis.world import build
from tests.fixtures.factories import PASSWORD


@pytest.fixture
def world(create_territory, create_version, create_consultation, db):
    return build(create_territory, create_version, create_consultation)


@pytest.fixture(autouse=True)
def exports_dir(app, tmp_path):
    """Files in a folder of this test; every export thread finished before the tables are emptied."""
    app.config["CONSULT_EXPORTS_DIR"] = str(tmp_path / "exports")
    yield tmp_path / "exports"
    join_export_threads()


def join_export_threads(timeout: float = 120) -> None:
    """Wait for the export threads of this process."""
    for thread in threading.enumerate():
        if thread.name.startswith("export-"):
            thread.join(timeout)


def as_user(app, user, lang: str = "en"):
    """A checked client logged in as ``user``, reading pages in ``lang`` (the new strings are not translated yet)."""
    client = app.test_client()
    client.login(user.email, PASSWORD)
    client.get(f"/?lang={lang}")
    return client


def page_url(world) -> str:
    return f"/t/{world.territory.slug}/consultations/{world.consultation.id}/exports"


def closed(response):
    """The response with its body read and its file closed (the test client leaves that to the caller)."""
    response.get_data()
    response.close()
    return response


def get(client, url: str):
    """GET ``url`` and close the response."""
    return closed(client.get(url))


def export(client, url: str, data: dict, timeout: float = 90):
    """Start an export and return the file response (following the job page when it was not ready at once)."""
    response = closed(client.submit(url, data))
    deadline = time.monotonic() + timeout
    while response.status_code == 302 and "/exports/" in response.headers["Location"] and time.monotonic() < deadline:
        time.sleep(0.2)
        response = get(client, response.headers["Location"].split("/file")[0] + "/file")
    return response


def last_job():
    from consult.extensions import db

    return db.session.scalars(select(ExportJob).order_by(ExportJob.created_at.desc())).first()


SUMMARY = {"kind": "summary", "summary-format": "xlsx", "summary-lang": "en"}
RESPONSES = {"kind": "responses", "responses-format": "csv", "responses-layout": "consult", "responses-lang": "es"}


def test_an_official_of_the_territory_gets_a_summary_workbook(world, create_user, app):
    client = as_user(app, create_user(roles={world.territory: ["official"]}))
    page = client.get(page_url(world))
    assert page.status_code == 200
    text = page.get_data(as_text=True)
    assert 'name="kind" value="summary"' in text and 'name="kind" value="responses"' in text

    response = export(client, page_url(world), SUMMARY)

    assert response.status_code == 200
    assert response.headers["Cache-Control"] == "no-store"
    assert response.mimetype == "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"
    assert "riesgos-tiny-summary-en.xlsx" in response.headers["Content-Disposition"]
    workbook = openpyxl.load_workbook(io.BytesIO(response.data), read_only=True)
    assert len(workbook.sheetnames) >= 2


def test_an_analyst_gets_response_data(world, create_user, app):
    client = as_user(app, create_user(roles={world.territory: ["analyst"]}))

    response = export(client, page_url(world), RESPONSES)

    assert response.status_code == 200
    assert response.mimetype == "application/zip"
    with zipfile.ZipFile(io.BytesIO(response.data)) as archive:
        names = archive.namelist()
        assert "codebook.csv" in names and len(names) >= 3  # one CSV per instrument, and the codebook
        rows = sum(archive.read(name).decode("utf-8-sig").count("\n") for name in names if name != "codebook.csv")
    assert rows >= 4 + 10 + 5  # every response of the world, with headers


def test_a_network_administrator_may_export_summaries_but_not_response_data(world, create_user, app):
    client = as_user(app, create_user(is_network_admin=True))
    text = client.get(page_url(world)).get_data(as_text=True)
    assert 'name="kind" value="summary"' in text
    assert 'name="kind" value="responses"' not in text and 'name="kind" value="excerpts"' not in text

    assert client.submit(page_url(world), RESPONSES).status_code == 403
    assert export(client, page_url(world), SUMMARY).status_code == 200


@pytest.mark.parametrize("role", ["moderator", "facilitator"])
def test_other_staff_of_the_territory_are_refused(world, create_user, app, role):
    client = as_user(app, create_user(roles={world.territory: [role]}))
    assert client.get(page_url(world)).status_code == 403
    assert client.submit(page_url(world), SUMMARY, form_url="/").status_code == 403


def test_a_company_and_an_official_of_another_territory_get_nothing(
    world, create_user, create_organisation, create_territory, app, db
):
    official = as_user(app, create_user(roles={world.territory: ["official"]}))
    export(official, page_url(world), SUMMARY)
    job = last_job()
    company = create_organisation("Minera S.A.", "company", world.territory)
    antioquia = create_territory("antioquia", "Antioquia", "CO")
    outsiders = [
        as_user(app, create_user(organisation=company)),
        as_user(app, create_user(roles={antioquia: ["official", "analyst"]})),
    ]
    jobs_before = db.session.scalar(select(func.count()).select_from(ExportJob))
    for client in outsiders:
        assert client.get(page_url(world)).status_code in (403, 404)
        assert client.submit(page_url(world), SUMMARY, form_url="/").status_code in (403, 404)
        assert client.get(f"/t/{world.territory.slug}/exports/{job.id}").status_code in (403, 404)
        assert get(client, f"/t/{world.territory.slug}/exports/{job.id}/file").status_code in (403, 404)
    # The Antioquia official cannot reach the Salta job through their own territory either.
    assert get(outsiders[1], f"/t/antioquia/exports/{job.id}/file").status_code == 404
    assert outsiders[1].get(f"/t/antioquia/consultations/{world.consultation.id}/exports").status_code == 404
    assert db.session.scalar(select(func.count()).select_from(ExportJob)) == jobs_before


def test_a_job_is_only_for_the_account_that_asked(world, create_user, app, db):
    first = create_user(roles={world.territory: ["official"]})
    client = as_user(app, first)
    export(client, page_url(world), SUMMARY)
    job = last_job()
    other = as_user(app, create_user(roles={world.territory: ["official"]}))

    assert other.get(f"/t/{world.territory.slug}/exports/{job.id}").status_code == 404
    assert get(other, f"/t/{world.territory.slug}/exports/{job.id}/file").status_code == 404
    assert job.id not in other.get(page_url(world)).get_data(as_text=True)
    # The owner still can…
    assert get(client, f"/t/{world.territory.slug}/exports/{job.id}/file").status_code == 200


def test_an_account_that_lost_its_role_can_no_longer_download(world, create_user, app, db):
    from consult.accounts.models import Membership

    analyst = create_user(roles={world.territory: ["analyst", "official"]})
    client = as_user(app, analyst)
    export(client, page_url(world), RESPONSES)
    job = last_job()
    assert get(client, f"/t/{world.territory.slug}/exports/{job.id}/file").status_code == 200

    db.session.execute(
        Membership.__table__.delete().where(Membership.user_id == analyst.id, Membership.role == "analyst")
    )
    db.session.execute(
        Membership.__table__.delete().where(Membership.user_id == analyst.id, Membership.role == "official")
    )
    db.session.commit()
    assert get(client, f"/t/{world.territory.slug}/exports/{job.id}/file").status_code in (403, 404)


def test_the_audit_log_names_who_exported_what_and_never_the_content(world, create_user, app, db):
    person = create_user("ana@salta.example", "Ana Analista", roles={world.territory: ["analyst"]})
    client = as_user(app, person)
    export(client, page_url(world), RESPONSES)
    join_export_threads()

    event = db.session.scalars(select(ExportEvent)).one()
    assert (event.user_id, event.territory_id, event.consultation_id) == (
        person.id,
        world.territory.id,
        world.consultation.id,
    )
    assert (event.kind, event.fmt, event.layout, event.lang, event.via.value) == (
        "responses",
        "csv",
        "consult",
        "es",
        "web",
    )
    assert event.outcome.value == "done"
    page = client.get(page_url(world)).get_data(as_text=True)
    log = page[page.index('id="export-log"') :]
    assert "Ana Analista" in log and re.search(r"\d{4}-\d\d-\d\d \d\d:\d\d UTC", log)
    columns = set(ExportEvent.__table__.columns.keys())
    assert columns == {
        "id",
        "user_id",
        "via",
        "territory_id",
        "consultation_id",
        "job_id",
        "kind",
        "fmt",
        "layout",
        "lang",
        "outcome",
        "created_at",
        # The audit chain's columns (consult.testimonies.chain): position, links and the frozen record.
        "chain_seq",
        "chain_prev",
        "chain_hash",
        "chain_record",
    }
    # The frozen record repeats who, what and when, never a file, an answer or a name.
    record = json.loads(event.chain_record)
    assert "Ana Analista" not in event.chain_record and "ana@salta.example" not in event.chain_record
    assert set(record) <= {"id", "user_id", "via", "territory_id", "consultation_id", "job_id", "kind", "fmt"} | {
        "layout",
        "lang",
        "created_at",
    }
