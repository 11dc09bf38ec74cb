"""The questions on a 360px phone with JavaScript off: the severity and UNGP 31 blocks are
usable, nothing scrolls sideways, errors are announced, and axe finds nothing."""

from __future__ import annotations

import pytest

from tests.fixtures.browser import assert_accessible
from tests.fixtures.survey_definitions import LOCALITIES
from tests.surveys.engine_pages import install_survey_pages

pytestmark = pytest.mark.browser


class SurveyPage:
    """A page of the engine's test survey, as a person sees it."""

    def __init__(self, page) -> None:
        self.page = page

    def open(self, key: str, lang: str) -> "SurveyPage":
        self.page.goto(f"/engine-test/{key}?lang={lang}")
        return self

    def choose(self, group: str, label: str) -> None:
        self.page.get_by_role("group", name=group, exact=True).get_by_label(label, exact=True).check()

    def send(self) -> None:
        self.page.locator("form button[type=submit]").click()

    def fits_the_screen(self) -> bool:
        return self.page.evaluate("document.documentElement.scrollWidth <= window.innerWidth")


@pytest.mark.parametrize(
    ("locale", "lang", "words"),
    [
        (
            "es-CO",
            "es",
            {
                "rights": "¿Qué derechos se afectaron?",
                "water": "Agua",
                "scale": "¿Qué tan grave es el daño?",
                "scale5": "5 – Gravísimo: pone en riesgo la vida, la libertad o la integridad física",
                "complained": "¿Presentó un reclamo?",
                "yes": "Sí",
                "transparent": "¿Se mantuvo a las personas informadas sobre cómo iba su caso?",
                "partly": "En parte",
                "date_error": "La fecha final debe ser igual o posterior a la fecha de inicio.",
            },
        ),
        (
            "en-GB",
            "en",
            {
                "rights": "Which rights were harmed?",
                "water": "Water",
                "scale": "How serious is the harm?",
                "scale5": "5 – Extremely serious: it puts life, freedom or physical safety at risk",
                "complained": "Did you complain?",
                "yes": "Yes",
                "transparent": "Were people kept informed about how their case was going?",
                "partly": "Partly",
                "date_error": "The end date must be the same as or after the start date.",
            },
        ),
    ],
)
def test_severity_and_ungp31_blocks_on_a_phone_without_javascript(
    app, new_page, sample_definition, locale, lang, words
):
    answers = install_survey_pages(app, sample_definition, LOCALITIES)
    page = new_page(locale=locale, javascript=False)
    survey = SurveyPage(page)

    # Given a person on the page about the harm
    survey.open("p_harm", lang)
    assert_accessible(page)
    # When they tick a right, the severity block appears on the same page
    survey.choose(words["rights"], words["water"])
    survey.send()
    page.get_by_role("group", name=words["scale"], exact=True).wait_for()
    assert survey.fits_the_screen()
    assert_accessible(page)
    # And they rate the severity, but give a period that ends before it starts: it is refused
    survey.choose(words["scale"], words["scale5"])
    page.locator("#q-B3-start").fill("2024-02-20")
    page.locator("#q-B3-end").fill("2024-01-01")
    survey.send()
    assert page.locator("#q-B3-end-error").inner_text().strip() == words["date_error"]
    assert page.locator("#q-B3-end").get_attribute("aria-describedby") == "q-B3-end-error"
    assert page.locator("#q-B2-scale-4").is_checked()  # what they chose is kept
    assert_accessible(page)
    page.locator("#q-B3-end").fill("")
    survey.send()
    # Then they go on to say they complained, and rate the mechanism
    survey.choose(words["complained"], words["yes"])
    survey.send()
    page.get_by_role("group", name=words["transparent"], exact=True).wait_for()
    assert survey.fits_the_screen()
    assert_accessible(page)
    survey.choose(words["transparent"], words["partly"])
    survey.send()
    page.wait_for_url("**/engine-test/p_views")
    assert answers["B2"] == {"scale": 5}
    assert answers["B6"] == {"transparent": "partly"}
    assert answers["B3"] == {"start": "2024-02-20"}
