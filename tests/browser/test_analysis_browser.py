"""On a phone, the demo official walks the analysis room, then reads a closed consultation's public results; axe
finds nothing.

Each view is also saved as a full-page screenshot in /tmp/analysis-*.png, to be looked at as an official would.
"""

from __future__ import annotations

import pytest

from tests.fixtures.browser import assert_accessible

pytestmark = pytest.mark.browser

DEMO_PASSWORD = "consult-demo-2026"
SHOTS = "/tmp/analysis-%s.png"


def _check(page, name: str) -> None:
    """axe on the page, no horizontal scroll of the page itself (wide tables scroll in their own box), a screenshot."""
    assert_accessible(page)
    overflow = page.evaluate("document.documentElement.scrollWidth - document.documentElement.clientWidth")
    assert overflow <= 1, f"{name}: the page is {overflow}px wider than the phone"
    height = min(page.evaluate("document.documentElement.scrollHeight"), 2400)  # the results page is very long
    page.screenshot(path=SHOTS % name, full_page=True, clip={"x": 0, "y": 0, "width": 360, "height": height})


def _tab(page, name: str, heading: str) -> None:
    page.get_by_role("navigation", name="Vistas de análisis").get_by_role("link", name=name, exact=True).click()
    page.get_by_role("heading", level=1, name=heading).wait_for()


@pytest.fixture
def demo(app, db):
    # Imported here, not at collection: importing a demo module registers its step,
    # and steps run in the order they are registered.
    from consult.demo import seed_demo
    from consult.responses.demo_closed import SLUG

    seed_demo()
    return SLUG


def test_an_official_walks_the_analysis_views_on_a_phone(new_page, demo):
    page = new_page(locale="es-CO", javascript=True)

    # Given the demo official of Antioquia, logged in
    page.goto("/login")
    page.get_by_label("Correo electrónico").fill("official.antioquia@demo.consult.example")
    page.get_by_label("Contraseña", exact=True).fill(DEMO_PASSWORD)
    page.get_by_role("button", name="Iniciar sesión").click()
    page.get_by_role("heading", name="Sus territorios").wait_for()
    _check(page, "0-home")
    # When they go from the home page to last year's consultation, and to its analysis
    page.get_by_role("link", name="Antioquia", exact=True).click()
    page.get_by_role("link", name="Consultas", exact=True).click()
    page.get_by_role("link", name="Diálogo sobre empresas y derechos humanos en Antioquia 2025").first.click()
    page.get_by_role("link", name="Análisis: resultados, cobertura, prominencia, divergencia, reparación").click()
    page.get_by_role("heading", level=1, name="Análisis").wait_for()
    _check(page, "1-overview")

    # Results per group, then split by gender and narrowed to trade unions
    _tab(page, "Resultados", "Resultados")
    assert page.locator("table").count() > 5
    _check(page, "2-results")
    page.get_by_text("Filtrar y desglosar").click()
    page.get_by_label("Desglosar los resultados por").select_option("gender")
    page.get_by_role("button", name="Mostrar").click()
    page.get_by_role("columnheader", name="Mujer").first.wait_for()
    _check(page, "3-results-gender")
    page.get_by_label("Grupo de actores").select_option("trade_union")
    page.get_by_role("button", name="Mostrar").click()
    page.wait_for_url("**group=trade_union**")
    assert page.get_by_label("Grupo de actores").input_value() == "trade_union"
    _check(page, "4-results-trade-unions")

    # The other views keep the filter; each has its tables
    for name, heading, shot in (
        ("Cobertura", "Cobertura", "5-coverage"),
        ("Prominencia", "Prominencia", "6-salience"),
        ("Divergencia", "Divergencia", "7-divergence"),
    ):
        _tab(page, name, heading)
        _check(page, shot)
    page.get_by_role("link", name="Quitar el filtro").click()
    _tab(page, "Reparación", "Reparación: qué funcionó y qué no")
    assert page.locator("table").count() >= 3
    _check(page, "8-remedy")
    _tab(page, "Temas", "Temas")
    _check(page, "9-themes")

    # Anyone reads the closed consultation's public results, in Spanish and in English
    page.goto(f"/c/{demo}/results")
    assert page.locator("table").count() > 5
    _check(page, "10-public-es")
    english = new_page(locale="en-GB", javascript=True)
    english.goto(f"/c/{demo}/results?lang=en")
    english.get_by_role("heading", name="Who took part").first.wait_for()
    _check(english, "11-public-en")
