"""The testimony counts page hides small counts with the consultation's own threshold, as the public results do."""

from __future__ import annotations

import re

import pytest

from consult.extensions import db as _db
from consult.testimonies import services
from tests.fixtures.testimonies import full_answers

COMPANY = "The company's own complaints office or line"
OMBUDSMAN = "The Ombudsman's office (Defensoría del Pueblo) or another state human-rights office"


def _cells(html: str) -> dict[str, str]:
    """``{row label: figure}`` of the page's tables, as a reader sees them."""
    rows = re.findall(r'<tr><th scope="row">(.*?)</th><td>(.*?)</td></tr>', html)
    return {re.sub(r"&#39;|&#x27;", "'", label): figure for label, figure in rows}


def _send(create_testimony, consultation, place: str, themes: list[str], times: int) -> None:
    for _ in range(times):
        testimony, _code = create_testimony(consultation, full_answers(E5=place))
        services.set_themes(testimony, themes)
    _db.session.commit()


@pytest.fixture
def analyst(create_territory, create_user):
    territory = create_territory("antioquia", "Antioquia", "CO", enabled_languages=["es", "en"])
    return territory, create_user("analyst@antioquia.example", roles={territory: ["analyst"]})


def test_small_counts_and_the_figure_that_would_reveal_them_are_hidden(
    client, analyst, create_consultation, create_testimony
):
    territory, user = analyst
    consultation = create_consultation(territory, slug="remedio", small_cell_threshold=5)
    _send(create_testimony, consultation, "company_grievance", ["water_sanitation", "reprisals"], 2)
    _send(create_testimony, consultation, "ombudsman_nhri", ["water_sanitation"], 6)
    client.login(user.email)
    html = client.get("/t/antioquia/testimonies/excerpts?lang=en").get_data(as_text=True)
    cells = _cells(html)
    # Two testimonies are fewer than the consultation's 5: hidden, in either table.
    assert cells["Reprisals against people who complained"] == "hidden"
    assert cells[COMPANY] == "hidden"
    # 8 counted minus 6 at the ombudsman would give the 2 away: the 6 is hidden too.
    assert cells[OMBUDSMAN] == "hidden"
    assert "Testimonies that may be counted: 8" in html
    assert cells[str(services.THEMES["water_sanitation"])] == "8"
    assert "Counts below 5 are hidden, and so are some other figures that would reveal them." in html
    assert ">2<" not in html and ">6<" not in html


def test_a_consultation_with_threshold_3_shows_a_count_of_3(client, analyst, create_consultation, create_testimony):
    territory, user = analyst
    consultation = create_consultation(territory, slug="remedio-3", small_cell_threshold=3)
    _send(create_testimony, consultation, "company_grievance", ["reprisals"], 3)
    client.login(user.email)
    html = client.get("/t/antioquia/testimonies/excerpts?lang=en").get_data(as_text=True)
    cells = _cells(html)
    assert cells["Reprisals against people who complained"] == "3"
    assert cells[COMPANY] == "3"
    assert "Testimonies that may be counted: 3" in html
    assert "hidden" not in cells.values()
