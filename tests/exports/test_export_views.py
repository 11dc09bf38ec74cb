"""The exports page: what it offers, how it refuses bad input (in words, never a 500), where it is linked from."""

from __future__ import annotations

import re

import pytest
from sqlalchemy import func, select

from consult.exports.models import ExportEvent, ExportJob
from tests.analysis.world import build
from tests.exports.test_export_access import RESPONSES, SUMMARY, as_user, closed, join_export_threads, page_url


@pytest.fixture
def world(create_territory, create_version, create_consultation, db):
    return build(create_territory, create_version, create_consultation)


@pytest.fixture(autouse=True)
def exports_dir(app, tmp_path):
    app.config["CONSULT_EXPORTS_DIR"] = str(tmp_path / "exports")
    yield tmp_path / "exports"
    join_export_threads()


@pytest.fixture
def official(world, create_user, app):
    return as_user(app, create_user(roles={world.territory: ["official"]}))


def options(html: str, name: str) -> list[str]:
    """The option values of the select named ``name``."""
    match = re.search(rf'<select[^>]*name="{name}"[^>]*>(.*?)</select>', html, re.S)
    assert match, f"no select {name}"
    return re.findall(r'value="([^"]*)"', match.group(1))


def jobs_count(db) -> int:
    return db.session.scalar(select(func.count()).select_from(ExportJob))


def test_the_page_offers_each_kind_with_its_formats_layouts_and_the_consultations_languages(world, official):
    html = official.get(page_url(world)).get_data(as_text=True)
    assert options(html, "summary-format") == ["xlsx", "csv", "pdf", "datapackage"]
    assert options(html, "responses-format") == ["csv", "xlsx", "sav"]
    assert options(html, "responses-layout") == ["consult", "kobo"]
    assert options(html, "excerpts-format") == ["csv", "xlsx"]
    assert options(html, "summary-lang") == ["es", "en", "pt"]
    assert 'name="summary-layout"' not in html  # one layout: no choice to make
    assert "Your recent exports" in html and "Export log of this consultation" in html


def test_the_language_offered_first_is_the_one_being_read(world, official):
    html = official.get(page_url(world) + "?lang=pt").get_data(as_text=True)
    assert re.search(r'<option selected value="pt">|<option value="pt" selected>', html)


@pytest.mark.parametrize(
    "data, field, message",
    [
        ({**SUMMARY, "summary-format": "docx"}, "summary-format", "Choose one of the formats offered."),
        ({**SUMMARY, "summary-lang": "qu"}, "summary-lang", "Choose one of the consultation&#39;s languages."),
        ({**SUMMARY, "summary-lang": "<script>"}, "summary-lang", "Choose one of the consultation&#39;s languages."),
        (
            {**RESPONSES, "responses-format": "sav", "responses-layout": "kobo"},
            "responses-layout",
            "This layout can only be written as CSV or XLSX.",
        ),
        ({**RESPONSES, "responses-layout": "spss"}, "responses-layout", "Choose one of the layouts offered."),
    ],
)
def test_bad_choices_are_explained_on_the_form(world, official, db, data, field, message):
    response = official.submit(page_url(world), data)
    html = response.get_data(as_text=True)
    assert response.status_code == 400
    assert message in html
    assert f'id="{field}-error"' in html and 'aria-invalid="true"' in html
    assert jobs_count(db) == 0 and not db.session.scalars(select(ExportEvent)).all()


def test_an_unknown_kind_is_refused_in_words(world, official, db):
    response = official.submit(page_url(world), {"kind": "everything", "everything-format": "xlsx"})
    assert response.status_code == 400
    assert "There is no such export." in response.get_data(as_text=True)
    assert jobs_count(db) == 0


def test_a_post_without_its_csrf_token_is_refused(world, official, db):
    response = official.post(page_url(world), data=SUMMARY)
    assert response.status_code == 400
    assert jobs_count(db) == 0


def test_a_consultation_without_counted_responses_has_no_summary_to_offer(
    create_territory, create_version, create_consultation, create_user, app, db
):
    empty = build(create_territory, create_version, create_consultation, responses=False)
    client = as_user(app, create_user(roles={empty.territory: ["official"]}))
    html = client.get(page_url(empty)).get_data(as_text=True)
    assert "nothing to summarise" in html
    assert 'name="kind" value="summary"' not in html
    response = client.submit(page_url(empty), SUMMARY)
    assert response.status_code == 400 and "nothing to summarise" in response.get_data(as_text=True)
    assert jobs_count(db) == 0


def test_another_consultations_id_in_this_territory_url_is_a_404(
    world, official, create_consultation, create_territory
):
    elsewhere = create_consultation(create_territory("jujuy", "Jujuy", "AR"))
    assert official.get(f"/t/{world.territory.slug}/consultations/{elsewhere.id}/exports").status_code == 404
    assert official.get(f"/t/{world.territory.slug}/consultations/99999/exports").status_code == 404
    assert official.get(f"/t/{world.territory.slug}/exports/{'x' * 200}").status_code == 404


def test_the_consultation_page_and_the_analysis_overview_link_to_the_exports(world, official):
    for url in (
        f"/t/{world.territory.slug}/consultations/{world.consultation.id}",
        f"/t/{world.territory.slug}/consultations/{world.consultation.id}/analysis",
    ):
        html = official.get(url).get_data(as_text=True)
        assert f'href="{page_url(world)}"' in html, url


def test_the_page_lists_my_jobs_and_the_log(world, official, create_user, app, db):
    closed(official.submit(page_url(world), SUMMARY))
    join_export_threads()
    job = db.session.scalars(select(ExportJob)).one()
    html = official.get(page_url(world)).get_data(as_text=True)
    assert f"/exports/{job.id}" in html and "Ready" in html
    # Another official sees the log line, not the job.
    other = as_user(app, create_user("otra@salta.example", "Otra Oficial", roles={world.territory: ["official"]}))
    html = other.get(page_url(world)).get_data(as_text=True)
    assert job.id not in html
    assert "Test Person" in html and "You have not exported anything" in html


def test_the_page_reads_in_spanish(world, create_user, app):
    client = as_user(app, create_user(roles={world.territory: ["official"]}), lang="es")
    response = client.get(page_url(world))
    assert response.status_code == 200 and response.headers["Content-Language"] == "es"
