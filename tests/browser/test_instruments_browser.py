"""An official previews the community survey of the shared library on a phone; axe finds nothing."""

from __future__ import annotations

import re

import pytest

from tests.fixtures.browser import assert_accessible
from tests.fixtures.factories import PASSWORD

pytestmark = pytest.mark.browser

TITLE_ES = "Encuesta comunitaria sobre empresas y derechos humanos"


@pytest.fixture
def library_and_official(db, create_territory, create_user):
    from consult.surveys import services

    territory = create_territory("salta", "Salta", "AR", enabled_languages=["es", "en", "pt", "qu"])
    create_user("olga@salta.example", "Olga Oficial", roles={territory: ["official"]})
    for load in services.load_library():
        services.publish(load.version)
    db.session.commit()
    return territory


class InstrumentScreens:
    """The instrument screens, as an official sees them."""

    def __init__(self, page) -> None:
        self.page = page

    def log_in(self, email: str) -> None:
        self.page.goto("/login")
        self.page.get_by_label("Correo electrónico").fill(email)
        self.page.get_by_label("Contraseña", exact=True).fill(PASSWORD)
        self.page.get_by_role("button", name="Iniciar sesión").click()
        self.page.get_by_role("button", name="Cerrar sesión").wait_for()

    def heading(self) -> str:
        return self.page.get_by_role("heading", level=1).inner_text().strip()

    def preview_language(self, endonym: str) -> None:
        nav = self.page.get_by_role("navigation", name=re.compile("vista previa|of the preview|pré-visualização"))
        nav.get_by_role("link", name=endonym, exact=True).click()
        self.page.wait_for_load_state()

    def follow(self, name: str) -> None:
        self.page.get_by_role("link", name=name, exact=True).click()
        self.page.wait_for_load_state()


def test_official_previews_the_community_survey_in_spanish_and_english(new_page, library_and_official):
    page = new_page(locale="es-CO")
    screens = InstrumentScreens(page)
    # Given an official of Salta, logged in, on the territory's page
    screens.log_in("olga@salta.example")
    page.goto("/t/salta/")
    assert_accessible(page)
    # When they open the instruments and the library's community survey
    screens.follow("Instrumentos")
    assert (
        screens.heading() == "Instrumentos" and page.get_by_role("heading", name="Biblioteca compartida").is_visible()
    )
    assert_accessible(page)
    screens.follow(TITLE_ES)
    assert screens.heading() == TITLE_ES
    assert_accessible(page)
    # Then they preview it in Spanish, page by page
    screens.follow("Vista previa en Español (es)")
    assert screens.heading() == "Sobre esta encuesta"
    assert page.get_by_text("Página 1 de").is_visible()
    assert_accessible(page)
    screens.follow("Página siguiente")
    assert screens.heading() == "Su lugar" and page.get_by_text("Página 2 de").is_visible()
    assert_accessible(page)
    screens.follow("Página siguiente")
    assert screens.heading() == "Su grupo"
    assert_accessible(page)
    screens.follow("Página anterior")
    assert screens.heading() == "Su lugar"
    # When they switch the preview to English, the same page shows in English
    screens.preview_language("English")
    assert screens.heading() == "Your place" and page.get_by_text("Page 2 of").is_visible()
    assert page.locator("html").get_attribute("lang") == "en"
    assert_accessible(page)
    screens.follow("Next page")
    assert screens.heading() == "Your group"
    assert_accessible(page)
    screens.follow("Previous page")
    screens.follow("Previous page")
    assert screens.heading() == "About this survey" and page.get_by_role("link", name="Previous page").count() == 0
    assert_accessible(page)


def test_the_preview_pages_through_with_javascript_off(new_page, library_and_official):
    # axe-core needs JavaScript, so this walk only checks that plain links carry the preview.
    page = new_page(locale="es-CO", javascript=False)
    screens = InstrumentScreens(page)
    screens.log_in("olga@salta.example")
    page.goto("/t/salta/instruments")
    screens.follow(TITLE_ES)
    screens.follow("Vista previa en Inglés (en)")
    assert screens.heading() == "About this survey"
    screens.follow("Next page")
    assert screens.heading() == "Your place"
    screens.follow("Previous page")
    assert screens.heading() == "About this survey"
    screens.preview_language("Português")
    assert screens.heading() == "Sobre esta pesquisa"
