"""On a laptop, a facilitator enters three paper forms in a row, mostly with the keyboard; axe finds nothing."""

from __future__ import annotations

import pytest
from sqlalchemy import select

from consult.responses.capture_models import FacilitatorTally
from consult.responses.models import Answer, EntryMode, Response
from tests.fixtures.browser import assert_accessible
from tests.fixtures.factories import PASSWORD

pytestmark = pytest.mark.browser

LAPTOP = {"width": 1280, "height": 800}


class EntryPage:
    """The facilitator's entry page, as a facilitator uses it."""

    def __init__(self, page) -> None:
        self.page = page

    def focused(self) -> tuple[str, str]:
        return tuple(self.page.evaluate("[document.activeElement.name, document.activeElement.value]"))

    def tick(self, question: str, value: str) -> None:
        self.page.locator(f'input[name="q-{question}"][value="{value}"]').check()

    def save(self) -> None:
        self.page.get_by_role("button", name="Guardar y empezar el siguiente").click()
        self.page.get_by_text("Guardado.").wait_for()
        assert_accessible(self.page)


def test_a_facilitator_enters_three_paper_forms_in_a_row(new_page, community_consultation, create_user, db):
    territory = community_consultation.territory
    facilitator = create_user("fe@example.org", "Fe Facilitadora", roles={territory: ["facilitator"]})
    page = new_page(locale="es-CO", javascript=True, viewport=LAPTOP)

    # Given a facilitator logged in for Salta
    page.goto("/login")
    page.get_by_label("Correo electrónico").fill(facilitator.email)
    page.get_by_label("Contraseña", exact=True).fill(PASSWORD)
    page.get_by_role("button", name="Iniciar sesión").click()
    page.goto(f"/t/{territory.slug}/")
    page.get_by_role("link", name="Ingresar respuestas en papel o con ayuda").click()
    assert_accessible(page)
    # When they choose the stack's settings: rural community, on paper, in Spanish, from Cafayate
    page.get_by_label("Consulta y grupo").select_option(f"{community_consultation.id}:rural_community")
    page.get_by_label("Formulario en papel").check()
    page.get_by_label("Idioma de las preguntas").select_option("es")
    page.get_by_label("Localidad (opcional)").select_option("66028")
    page.get_by_role("button", name="Empezar a ingresar").click()
    page.get_by_role("heading", name="Ingresar respuestas", exact=True).wait_for()
    assert_accessible(page)
    entry = EntryPage(page)

    # Then the cursor is on the first question to fill (place and group come from the settings)
    assert entry.focused() == ("q-B1", "mining")
    # First form, by keyboard: Space ticks "mining", Tab moves on to the next option
    page.keyboard.press("Space")
    page.keyboard.press("Tab")
    assert entry.focused() == ("q-B1", "oil_gas")
    entry.tick("C1", "water_sanitation")
    entry.tick("C2", "water_sanitation")
    # Enter checks the form without saving
    page.locator('input[name="q-C1"][value="water_sanitation"]').focus()
    page.keyboard.press("Enter")
    page.get_by_text("No se encontraron problemas").wait_for()
    assert_accessible(page)
    assert db.session.scalar(select(Response.id)) is None
    assert page.locator('input[name="q-B1"][value="mining"]').is_checked()  # nothing lost
    entry.save()
    # A fresh form, same settings, the cursor back at the start
    assert entry.focused() == ("q-B1", "mining")
    assert not page.locator('input[name="q-B1"][value="mining"]').is_checked()

    # Second form: an answer the rules do not accept is shown next to its question, nothing is lost
    for value in ("decent_work", "protect_land", "information", "access_to_remedy"):
        entry.tick("E1", value)
    entry.tick("C1", "none")
    page.get_by_role("button", name="Guardar y empezar el siguiente").click()
    page.get_by_text("Elija como máximo 3 respuestas.").first.wait_for()
    assert_accessible(page)
    assert entry.focused()[0] == "q-E1"
    assert page.locator('input[name="q-C1"][value="none"]').is_checked()
    page.locator('input[name="q-E1"][value="information"]').uncheck()
    entry.save()

    # Third form
    entry.tick("C1", "working_conditions")
    entry.tick("C4", "withholding_of_wages")
    entry.tick("F1", "woman")
    entry.save()

    stored = db.session.scalars(select(Response).order_by(Response.id)).all()
    assert len(stored) == 3
    assert {(r.entry_mode, r.group_code, r.locality.code) for r in stored} == {
        (EntryMode.PAPER, "rural_community", "66028")
    }
    first = {
        (a.question_key, a.option) for a in db.session.scalars(select(Answer).where(Answer.response_id == stored[0].id))
    }
    assert {
        ("B1", "mining"),
        ("C1", "water_sanitation"),
        ("C2", "water_sanitation"),
        ("A2", "rural_community"),
    } <= first
    assert ("C4", "withholding_of_wages") in {(a.question_key, a.option) for a in stored[2].answers}
    assert db.session.scalar(select(FacilitatorTally.count)) == 3
    assert page.locator(".facts").get_by_text("3", exact=True).is_visible()
