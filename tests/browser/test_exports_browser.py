"""On a phone, the demo official of Antioquia exports last year's consultation summary as a workbook and opens it;
a company account and an official of Salta are refused; axe finds nothing on the exports page or the job page."""

from __future__ import annotations

import threading

import openpyxl
import pytest
from sqlalchemy import select

from tests.fixtures.browser import assert_accessible

pytestmark = pytest.mark.browser

DEMO_PASSWORD = "consult-demo-2026"


@pytest.fixture
def demo(app, db, tmp_path):
    # Imported here, not at collection: importing a demo module registers its step.
    from consult.demo import seed_demo
    from consult.responses.demo_closed import SLUG
    from consult.responses.models import Consultation

    app.config["CONSULT_EXPORTS_DIR"] = str(tmp_path / "exports")
    seed_demo()
    yield db.session.scalar(select(Consultation).where(Consultation.slug == SLUG))
    for thread in threading.enumerate():
        if thread.name.startswith("export-"):
            thread.join(120)


def log_in(page, email: str) -> None:
    page.goto("/login?lang=en")
    page.get_by_label("Email").fill(email)
    page.get_by_label("Password", exact=True).fill(DEMO_PASSWORD)
    page.get_by_role("button", name="Log in").click()
    page.get_by_role("heading", level=1, name="Consultations on business and human rights").wait_for()


def test_an_official_downloads_a_summary_workbook_and_others_are_refused(new_page, demo, app, tmp_path):
    consultation = demo
    exports_url = f"/t/antioquia/consultations/{consultation.id}/exports"
    # The summary of a whole demo consultation may take more than the usual two seconds on a slow machine:
    # here the file should come straight back (the job page path is taken below).
    app.config["CONSULT_EXPORT_WAIT_SECONDS"] = 90
    page = new_page(locale="en-GB", javascript=True)

    # Given the demo official of Antioquia, on last year's consultation
    log_in(page, "official.antioquia@demo.consult.example")
    page.goto(f"/t/antioquia/consultations/{consultation.id}")
    # When they follow the link to the exports
    page.get_by_role("link", name="Exports: summaries, open data and response data").click()
    page.get_by_role("heading", level=1, name="Exports").wait_for()
    assert page.url.endswith(exports_url)
    assert_accessible(page)
    overflow = page.evaluate("document.documentElement.scrollWidth - document.documentElement.clientWidth")
    assert overflow <= 1, f"the exports page is {overflow}px wider than the phone"

    # And ask for the summary as an Excel workbook in English
    summary = page.get_by_role("region", name="Consultation summary")
    summary.get_by_label("Format").select_option("xlsx")
    summary.get_by_label("Language of labels and texts").select_option("en")
    with page.expect_download(timeout=120_000) as download_info:
        summary.get_by_role("button", name="Export: Consultation summary").click(timeout=120_000)
    download = download_info.value

    # Then they get a workbook that opens, named after the consultation
    assert download.suggested_filename == f"{consultation.slug}-summary-en.xlsx"
    saved = tmp_path / download.suggested_filename
    download.save_as(saved)
    workbook = openpyxl.load_workbook(saved, read_only=True)
    assert len(workbook.sheetnames) >= 3
    text = " ".join(str(cell) for row in workbook.worksheets[0].iter_rows(values_only=True) for cell in row if cell)
    assert "Antioquia" in text

    # And the job is listed: its page offers the file again (what a large export shows once ready)
    page.goto(exports_url)
    page.get_by_role("region", name="Your recent exports").get_by_role(
        "link", name="Consultation summary"
    ).first.click()
    page.get_by_role("heading", level=1, name="Consultation summary").wait_for()
    assert_accessible(page)
    with page.expect_download() as again:
        page.get_by_role("link", name=f"Download {consultation.slug}-summary-en.xlsx").click(timeout=60_000)
    assert again.value.suggested_filename == download.suggested_filename
    job_url = page.url

    # A company account and an official of Salta are refused the page and the official's file
    for email in ("empresa1@demo.consult.example", "official.salta@demo.consult.example"):
        other = new_page(locale="en-GB", javascript=True)
        log_in(other, email)
        assert other.goto(exports_url).status in (403, 404), email
        assert other.goto(job_url).status in (403, 404), email
        assert other.goto(job_url + "/file").status in (403, 404), email
