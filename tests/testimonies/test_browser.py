"""Testimonies in a phone-sized Chromium, with axe-core on every page.

An anonymous person (JavaScript off, Spanish) and a CSO (English) each send a
testimony; the person adds information with the receipt code and later
withdraws consent; a moderator redacts and approves an excerpt; an analyst
sees only that excerpt.
"""

from __future__ import annotations

import re

import pytest
from sqlalchemy import select

from consult.surveys.types import question_type
from tests.fixtures.browser import assert_accessible
from tests.fixtures.factories import PASSWORD
from tests.fixtures.testimonies import NARRATIVE

pytestmark = pytest.mark.browser

# A short path through the remedy testimony: no dates, no complaint made, reprisals reported.
ANSWERS = {
    "A1": ["aggregate", "quote"],
    "B1": "community",
    "B2": 120,
    "C1": "dont_remember",
    "D1": NARRATIVE,
    "D2": ["water_sanitation"],
    "D3": "Minera Quebrada Honda S.A.",
    "D4": "mining",
    "D5": "causes",
    "D6": {"scale": 5, "scope": 4, "irremediability": 4, "likelihood": 5},
    "E1": ["nowhere"],
    "E2": ["fear_of_reprisal"],
    "F1": "yes",
    "F3": ["threats"],
    "F4": "Que limpien el río.",
    "F5": ["cso"],
}
EXCERPT = "Una empresa minera envenenó el río de una comunidad."


class WritingPage:
    """The testimony pages, filled the way a person does: by ticking and typing."""

    def __init__(self, page, instrument) -> None:
        self.page = page
        self.instrument = instrument

    def fill_page(self, answers: dict) -> None:
        page_key = self.page.url.rstrip("/").rsplit("/", 1)[1]
        for question in self.instrument.page(page_key).questions:
            # Questions the form does not ask (a CSO's "who did it happen to" comes from its first step) are skipped.
            if (
                question.key not in answers
                or not self.page.locator(f'[name="q-{question.key}"], [name^="q-{question.key}-"]').count()
            ):
                continue
            for name, value in question_type(question.type).form_data(question, answers[question.key]).items():
                if value in (None, "", []):
                    continue
                values = value if isinstance(value, list) else [value]
                first = self.page.locator(f'[name="{name}"]').first
                kind = first.get_attribute("type")
                if kind in ("radio", "checkbox"):
                    for item in values:
                        self.page.locator(f'[name="{name}"][value="{item}"]').check()
                else:
                    first.fill(str(values[0]))

    def answer_everything(self, answers: dict, next_label: str, review_heading: str) -> None:
        for _ in range(30):
            if self.page.url.endswith("/review"):
                break
            assert_accessible(self.page)
            self.fill_page(answers)
            with self.page.expect_navigation():
                self.page.get_by_role("button", name=next_label, exact=True).click()
            self.page.wait_for_load_state()
        self.page.get_by_role("heading", name=review_heading).wait_for()
        assert_accessible(self.page)


def _log_in(page, email: str, labels=("Correo electrónico", "Contraseña", "Iniciar sesión")) -> None:
    page.goto("/login")
    page.get_by_label(labels[0]).fill(email)
    page.get_by_label(labels[1], exact=True).fill(PASSWORD)
    page.get_by_role("button", name=labels[2]).click()
    page.wait_for_load_state()


@pytest.fixture
def scene(db, create_territory, create_consultation, remedy_version, create_user, create_organisation, create_route):
    territory = create_territory("antioquia", "Antioquia", "CO", enabled_languages=["es", "en", "pt"])
    consultation = create_consultation(territory, slug="remedio")
    create_route(territory, names={"es": "Defensoría del Pueblo", "en": "Ombudsman's Office"}, contact="Línea 147")
    people = {
        "moderator": create_user("mod@antioquia.example", "Marta Moderadora", roles={territory: ["moderator"]}),
        "second_moderator": create_user("mod2@antioquia.example", "Mario Moderador", roles={territory: ["moderator"]}),
        "analyst": create_user("ana@antioquia.example", "Ana Analista", roles={territory: ["analyst"]}),
        "cso": create_user(
            "cso@colectivo.example", "Colectivo", organisation=create_organisation("Colectivo Tierra", "cso")
        ),
    }
    return consultation, remedy_version.parsed(), people


def test_a_person_sends_adds_information_and_withdraws_consent_without_javascript(new_page, db, scene):
    consultation, instrument, _people = scene
    page = new_page(locale="es-CO", javascript=False)
    # Given the testimony page of a consultation
    page.goto("/c/remedio/testimony")
    assert_accessible(page)
    # When the person starts and answers every page
    with page.expect_navigation():
        page.get_by_role("button", name="Empezar mi testimonio").click()
    WritingPage(page, instrument).answer_everything(ANSWERS, "Continuar", "Revise y envíe su testimonio")
    assert NARRATIVE in page.content()
    page.get_by_role("button", name="Enviar mi testimonio").click()
    # Then a receipt code is shown once, with the territory's protection routes (reprisals were reported)
    page.get_by_role("heading", name="Su testimonio fue enviado").wait_for()
    code = page.locator(".code").inner_text().strip()
    assert re.fullmatch(r"[0-9A-Z]{4}(-[0-9A-Z]{4}){3}", code)
    assert "Defensoría del Pueblo" in page.content()
    assert_accessible(page)
    # When the person comes back with the code and adds information
    page.goto("/testimony/follow-up")
    assert_accessible(page)
    page.get_by_label("Código de recibo").fill(code)
    page.get_by_role("button", name="Abrir").click()
    page.get_by_role("heading", name="Su testimonio").wait_for()
    assert code not in page.url and NARRATIVE not in page.content()
    assert_accessible(page)
    page.get_by_label("¿Qué quiere agregar?").fill("El río sigue contaminado.")
    page.get_by_role("button", name="Agregar a mi testimonio").click()
    page.get_by_text("Su información se agregó al testimonio.").wait_for()
    assert_accessible(page)
    # And later withdraws it
    page.get_by_label("Entiendo que mi testimonio se borrará").check()
    page.get_by_role("button", name="Retirar y borrar").click()
    page.get_by_text("El testimonio fue retirado y su contenido borrado.").wait_for()
    assert_accessible(page)
    from consult.testimonies.models import Testimony, TestimonyStatus

    db.session.expire_all()
    testimony = db.session.scalars(select(Testimony)).one()
    assert testimony.status == TestimonyStatus.WITHDRAWN and testimony.sealed_answers is None
    assert not testimony.allows("aggregate")


def test_a_cso_sends_a_testimony_and_a_moderator_approves_an_excerpt_an_analyst_sees(new_page, db, scene):
    consultation, instrument, people = scene
    # Given a CSO account, in English
    cso = new_page(locale="en-GB")
    _log_in(cso, people["cso"].email, ("Email", "Password", "Log in"))
    cso.goto("/c/remedio/testimony")
    assert_accessible(cso)
    cso.get_by_role("button", name="Start my testimony").click()
    # When it says for whom and answers
    cso.get_by_label("A family", exact=True).check()
    cso.get_by_label("How many people does it speak for?").fill("4")
    cso.get_by_label("Notes of your organisation (optional)").fill("Reach them through the parish.")
    assert_accessible(cso)
    with cso.expect_navigation():
        cso.get_by_role("button", name="Continue").click()
    WritingPage(cso, instrument).answer_everything(ANSWERS, "Continue", "Check and send your testimony")
    cso.get_by_role("button", name="Send my testimony").click()
    cso.get_by_role("heading", name="Your testimony has been sent").wait_for()
    assert_accessible(cso)
    # Then it sees its testimony and its status
    cso.goto("/cso/testimonies")
    assert_accessible(cso)
    cso.get_by_role("link", name=re.compile(r"Testimony \d+")).click()
    cso.get_by_text("Reach them through the parish.").wait_for()
    assert_accessible(cso)

    # When a moderator opens it (urgent, first in the queue), redacts and approves an excerpt
    moderator = new_page(locale="es-CO")
    _log_in(moderator, people["moderator"].email)
    moderator.goto("/t/antioquia/testimonies/")
    assert_accessible(moderator)
    moderator.get_by_role("link", name=re.compile(r"Testimonio \d+")).first.click()
    moderator.get_by_text("Minera Quebrada Honda S.A.").wait_for()
    assert_accessible(moderator)
    moderator.get_by_label("Extracto citable").fill(EXCERPT)
    moderator.get_by_role("button", name="Guardar el extracto").click()
    moderator.get_by_text("Se guardó el extracto.").wait_for()
    moderator.get_by_label("Aprobar: no identifica a nadie").check()
    moderator.get_by_label("Motivo").fill("Sin nombres, lugares ni fechas.")
    moderator.get_by_role("button", name="Guardar la decisión").click()
    moderator.wait_for_url(re.compile(r"#excerpts$"))
    assert_accessible(moderator)
    # Four eyes: a second, different moderator approves before analysts see it
    second = new_page(locale="en-GB")
    _log_in(second, people["second_moderator"].email, ("Email", "Password", "Log in"))
    second.goto(moderator.url.split("#")[0])
    second.get_by_label("Approve: it identifies nobody").check()
    second.get_by_label("Reason", exact=True).fill("Agreed: nobody can be identified.")
    second.get_by_role("button", name="Save the second decision").click()
    second.get_by_text("The decision has been saved.").wait_for()

    # Then an analyst sees the excerpt and nothing of the testimony itself
    analyst = new_page(locale="es-CO")
    _log_in(analyst, people["analyst"].email)
    analyst.goto("/t/antioquia/testimonies/excerpts")
    analyst.get_by_text(EXCERPT).wait_for()
    assert NARRATIVE not in analyst.content() and "Minera Quebrada Honda" not in analyst.content()
    assert_accessible(analyst)
    response = analyst.goto("/t/antioquia/testimonies/")
    assert response.status == 403
