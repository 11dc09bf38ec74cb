"""On a laptop, an official checks a spreadsheet with errors, then sets a flagged batch aside; axe finds nothing."""

from __future__ import annotations

import pytest
from sqlalchemy import func, select

from consult.responses.models import Response
from tests.browser.test_facilitator_browser import LAPTOP
from tests.fixtures.browser import assert_accessible
from tests.fixtures.factories import PASSWORD

pytestmark = pytest.mark.browser

CSV = (
    "group,C1,C2,F1\n"
    "rural_community,water_sanitation,water_sanitation,woman\n"
    "rural_community,land_housing,agua,<b>robot</b>\n"
).encode()


def test_an_official_checks_a_file_and_sets_a_batch_aside(
    new_page, community_consultation, create_invitation, create_user, db, tmp_path
):
    from tests.responses.test_capture import SAME, _store

    territory = community_consultation.territory
    official = create_user("olga@example.org", "Olga Oficial", roles={territory: ["official"]})
    link, _token = create_invitation(community_consultation, "rural_community", label="Asamblea en Molinos")
    _store(community_consultation, [SAME] * 6, invitation=link)
    page = new_page(locale="es-CO", viewport=LAPTOP)
    page.goto("/login")
    page.get_by_label("Correo electrónico").fill(official.email)
    page.get_by_label("Contraseña", exact=True).fill(PASSWORD)
    page.get_by_role("button", name="Iniciar sesión").click()
    page.goto(f"/t/{territory.slug}/consultations/{community_consultation.id}")
    assert_accessible(page)

    # Given a spreadsheet with a bad cell, checked first
    page.get_by_role("link", name="Importar respuestas desde una hoja de cálculo").click()
    assert_accessible(page)
    path = tmp_path / "respuestas.csv"
    path.write_bytes(CSV)
    page.get_by_label("Hoja de cálculo (CSV o XLSX)").set_input_files(str(path))
    page.get_by_role("button", name="Revisar el archivo").click()
    page.get_by_text("Problemas encontrados: 2. No se ha importado nada.").wait_for()
    assert page.get_by_role("cell", name="<b>robot</b>").is_visible()  # shown as text, never as markup
    assert_accessible(page)
    # When they import anyway, nothing is imported
    page.get_by_label("Hoja de cálculo (CSV o XLSX)").set_input_files(str(path))
    page.get_by_role("button", name="Importar", exact=True).click()
    page.get_by_text("Problemas encontrados: 2. No se ha importado nada.").wait_for()
    assert db.session.scalar(select(func.count(Response.id))) == 6
    # Then with "valid rows only", exactly the valid row is
    page.get_by_label("Hoja de cálculo (CSV o XLSX)").set_input_files(str(path))
    page.get_by_label("Importar solo las filas válidas").check()
    page.get_by_role("button", name="Importar", exact=True).click()
    page.get_by_text("Respuestas importadas: 1.").wait_for()
    assert_accessible(page)
    assert db.session.scalar(select(func.count(Response.id))) == 7

    # The capture page shows the flagged batch; it is set aside with a reason, and taken back
    page.goto(f"/t/{territory.slug}/consultations/{community_consultation.id}/capture")
    page.get_by_role("heading", name="Lotes marcados").wait_for()
    assert_accessible(page)
    page.get_by_role("button", name="Dejar fuera del análisis").click()
    page.get_by_text("Escriba el motivo: queda en el registro.").first.wait_for()
    assert_accessible(page)
    page.get_by_label("¿Por qué deja este lote fuera del análisis?").fill("Seis respuestas idénticas el mismo día.")
    page.get_by_role("button", name="Dejar fuera del análisis").click()
    page.get_by_text("Respuestas dejadas fuera del análisis: 6.").wait_for()
    assert_accessible(page)
    assert db.session.scalar(select(func.count(Response.id)).where(Response.is_set_aside.is_(True))) == 6
    page.get_by_label("¿Por qué vuelve a incluir este lote en el análisis?").fill("El acta confirma la asamblea.")
    page.get_by_role("button", name="Volver a incluir en el análisis").click()
    page.get_by_text("El lote volvió al análisis.").wait_for()
    assert_accessible(page)
    assert db.session.scalar(select(func.count(Response.id)).where(Response.is_set_aside.is_(True))) == 0
