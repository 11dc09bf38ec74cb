"""On a 360 px phone, with JavaScript on and off: answer the community survey in Spanish, switch to
English mid-way, go back, save, resume with the code in a fresh browser, send; exactly one response."""

from __future__ import annotations

import pytest
from sqlalchemy import func, select

from consult.responses.models import Answer, Response, ResponseDraft
from tests.fixtures.browser import assert_accessible

pytestmark = pytest.mark.browser


class Survey:
    """The answering pages as a respondent uses them.

    axe-core cannot run in a page with JavaScript disabled (its promise never
    settles), so with JavaScript off each page's exact HTML is served again, at
    the same address and with the same stylesheet, to a JavaScript-enabled
    checker page, and axe runs there.
    """

    def __init__(self, page, slug: str, checker=None) -> None:
        self.page = page
        self.slug = slug
        self.checker = checker

    def check(self) -> None:
        if self.checker is None:
            assert_accessible(self.page)
            return
        html, url = self.page.content(), self.page.url
        self.checker.route(url, lambda route: route.fulfill(body=html, content_type="text/html; charset=utf-8"))
        self.checker.goto(url)
        self.checker.unroute(url)
        assert_accessible(self.checker)

    def at(self, page_key: str) -> None:
        self.page.wait_for_url(f"**/c/{self.slug}/p/{page_key}")
        self.check()

    def press(self, name: str) -> None:
        self.page.get_by_role("button", name=name, exact=True).click()

    def tick(self, question: str, *values: str) -> None:
        for value in values:
            self.page.locator(f'input[name="q-{question}"][value="{value}"]').check()

    def is_ticked(self, question: str, value: str) -> bool:
        return self.page.locator(f'input[name="q-{question}"][value="{value}"]').is_checked()


@pytest.mark.parametrize("javascript", [True, False], ids=["js-on", "js-off"])
def test_answer_the_community_survey_on_a_phone(new_page, community_consultation, db, javascript):
    slug = community_consultation.slug
    page = new_page(locale="es-CO", javascript=javascript)
    survey = Survey(page, slug, None if javascript else new_page(locale="es-CO"))

    # Given a community member opening the public link, in Spanish
    page.goto(f"/c/{slug}/")
    assert page.get_by_text("No es una consulta previa").is_visible()
    survey.check()
    survey.press("Comenzar a responder")
    # When they say who they are
    page.wait_for_url(f"**/c/{slug}/group")
    survey.check()
    page.get_by_label("Comunidad rural o campesina").check()
    survey.press("Continuar")
    survey.at("p_intro")
    assert page.get_by_text("Parte 1 de").is_visible() or page.get_by_text("Part 1 of").is_visible()
    survey.press("Continuar")
    survey.at("p_place")
    page.locator('select[name="q-A1-locality"]').select_option("66028")
    survey.press("Continuar")
    survey.at("p_business")  # the group was said once, on the group page: "Your group" is not asked again
    survey.tick("B1", "mining", "agro_industry")
    survey.press("Continuar")
    survey.at("p_rights")
    survey.tick("C1", "water_sanitation", "land_housing")
    # And switch to English mid-page: what they ticked is saved, the page comes back in English
    survey.press("English")
    survey.at("p_rights")
    assert page.locator("html").get_attribute("lang") == "en"
    assert page.get_by_text("Which of people's rights").is_visible()
    assert survey.is_ticked("C1", "water_sanitation") and survey.is_ticked("C1", "land_housing")
    survey.press("Continue")
    survey.at("p_main_harm")
    survey.tick("C2", "water_sanitation")
    # Going back keeps the answers
    survey.press("Back")
    survey.at("p_rights")
    assert survey.is_ticked("C1", "land_housing")
    survey.press("Continue")
    survey.at("p_main_harm")
    assert survey.is_ticked("C2", "water_sanitation")
    survey.press("Continue")
    survey.at("p_severity")
    survey.tick("C3-scale", "4")
    survey.tick("C3-scope", "3")
    # Save and continue later: the code is shown large
    survey.press("Save and continue later")
    page.wait_for_url(f"**/c/{slug}/later")
    survey.check()
    code = page.locator("p.code").inner_text().strip()
    assert len(code.replace("-", "")) == 12

    # Then, in a fresh browser (another phone), they resume with the code
    other = new_page(locale="es-CO", javascript=javascript)
    resumed = Survey(other, slug, survey.checker)
    other.goto(f"/c/{slug}/")
    other.get_by_label("Su código").fill(code.lower())
    resumed.press("Continuar")
    resumed.at("p_severity")
    assert resumed.is_ticked("C3-scale", "4") and resumed.is_ticked("C3-scope", "3")
    assert other.locator("html").get_attribute("lang") == "en"
    # Back to Spanish for the rest
    resumed.press("Español")
    resumed.at("p_severity")
    resumed.press("Continuar")
    for key in ("p_who_harmed", "p_consulted", "p_defenders"):  # no work harm: no forced-labour page
        resumed.at(key)
        if key == "p_consulted":
            resumed.tick("D1", "informed_only")
        resumed.press("Continuar")
    for key in ("p_priorities", "p_results", "p_about_you", "p_identity", "p_situation"):
        resumed.at(key)
        if key == "p_priorities":
            resumed.tick("E1", "protect_water_environment")
        if key == "p_about_you":
            resumed.tick("F1", "prefer_not")
        resumed.press("Continuar")
    other.wait_for_url(f"**/c/{slug}/review")
    resumed.check()
    assert other.get_by_text("Agua y saneamiento").first.is_visible()
    resumed.press("Enviar mis respuestas")
    other.wait_for_url(f"**/c/{slug}/sent")
    resumed.check()
    receipt = other.locator("p.code").inner_text().strip()
    assert len(receipt.replace("-", "")) == 16

    # Exactly one response, with the answers given, in Spanish, and nothing in progress left
    assert db.session.scalar(select(func.count(Response.id))) == 1
    assert db.session.scalar(select(func.count(ResponseDraft.id))) == 0
    response = db.session.scalar(select(Response))
    assert (response.group_code, response.language, response.locality.name) == ("rural_community", "es", "Cafayate")
    rows = {(a.question_key, a.part, a.option, a.number) for a in db.session.scalars(select(Answer))}
    expected = {
        ("A2", None, "rural_community", None),
        ("B1", None, "mining", None),
        ("B1", None, "agro_industry", None),
        ("C1", None, "water_sanitation", None),
        ("C1", None, "land_housing", None),
        ("C2", None, "water_sanitation", None),
        ("C3", "scale", None, 4),
        ("C3", "scope", None, 3),
        ("D1", None, "informed_only", None),
        ("E1", None, "protect_water_environment", None),
        ("F1", None, "prefer_not", None),
    }
    assert expected <= rows, expected - rows
    assert not {r for r in rows if r[0] in ("C4", "D4")}  # pages off the path store nothing

    # The receipt page shows what was answered
    other.goto(f"/c/{slug}/receipt")
    other.get_by_label("Su código").fill(receipt)
    other.get_by_role("button", name="Ver mis respuestas").click()
    other.get_by_text("Qué pasó con sus respuestas").wait_for()
    assert other.get_by_text("Agua y saneamiento").first.is_visible()
    resumed.check()
