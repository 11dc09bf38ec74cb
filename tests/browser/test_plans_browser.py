"""The whole action-plan path in a real browser, on last year's analysed demo consultation of Antioquia.

The official drafts the plan from the evidence, edits it, leaves an action out, compares versions and publishes it for
comment; a person comments anonymously and keeps the receipt code; the moderator publishes the comment and the
official answers it; the company named in the evidence replies; the person reads the answer with the code; the
official adopts the plan, downloads it as PDF and DOCX, starts monitoring and records progress, which the public
progress page and "you said, we did" show. axe-core checks the plan's pages on the way.

The official works in Spanish (the plan's language, and their browser's); the person, the moderator and the company
read the interface in English around the Spanish plan, and it must stay English as they follow the plan's links.
"""

from __future__ import annotations

import datetime
import re
import subprocess

import docx
import pytest

from tests.fixtures.browser import assert_accessible

pytestmark = pytest.mark.browser

DEMO_PASSWORD = "consult-demo-2026"
OFFICIAL = "official.antioquia@demo.consult.example"
MODERATOR = "moderator.antioquia@demo.consult.example"
COMPANY = "empresa1@demo.consult.example"
COMPANY_NAME = "Minera del Nordeste S.A.S."
MANDATE = "Este plan responde al diálogo de 2025 y lo revisa la mesa departamental cada seis meses."
DROP_REASON = "Ya lo cubre el programa departamental de inspección vigente."
COMMENT = "Pedimos que la mesa de seguimiento incluya a las juntas de acción comunal de cada municipio."
ANSWER = "Gracias: la mesa de seguimiento invitará a las juntas de acción comunal desde su primera sesión."
STATEMENT = "Minera del Nordeste publica cada trimestre sus mediciones de calidad del agua y acepta su revisión."
PROGRESS_NOTE = "Primeras tres visitas de inspección hechas en Segovia y Remedios."


@pytest.fixture
def demo(app, db):
    # Imported here, not at collection: importing a demo module registers its step.
    from consult.demo import seed_demo
    from consult.responses.demo_closed import SLUG

    seed_demo()
    return SLUG


def log_in(page, email: str, spanish: bool = False) -> None:
    """Log in with the demo password, in English (``?lang=en``) or in the browser's Spanish."""
    page.goto("/login" if spanish else "/login?lang=en")
    page.get_by_label("Correo electrónico" if spanish else "Email").fill(email)
    page.get_by_label("Contraseña" if spanish else "Password", exact=True).fill(DEMO_PASSWORD)
    page.get_by_role("button", name="Iniciar sesión" if spanish else "Log in").click()
    page.wait_for_url(lambda url: "/login" not in url)


def section(page, heading_id: str):
    """The plan page's section whose heading has this id (the official's page)."""
    return page.locator(f"section:has(> h2#{heading_id})")


def test_the_action_plan_path_from_draft_to_monitoring(new_page, demo, tmp_path):
    slug = demo
    today = datetime.date.today()
    official = new_page(locale="es-CO")  # the official of Antioquia works in Spanish; everyone else reads English

    # 1. The official goes from the territory page to the plans, drafts the 2025 consultation's plan in Spanish
    log_in(official, OFFICIAL, spanish=True)
    official.goto("/t/antioquia")
    official.get_by_role("link", name="Planes de acción", exact=True).click()
    official.get_by_role("heading", level=1, name="Planes de acción").wait_for()
    assert_accessible(official)
    row = official.get_by_role("row").filter(has_text="2025")
    row.get_by_role("link", name="Preparar el borrador del plan de acción").click()
    official.get_by_role("heading", level=1, name="Preparar el borrador del plan de acción").wait_for()
    official.get_by_label("Idioma del borrador").select_option("es")
    official.get_by_role("button", name="Generar el borrador").click(timeout=120_000)
    official.get_by_role("heading", level=2, name="Publicación y adopción").wait_for(timeout=120_000)
    plan_url = official.url.split("?")[0].split("#")[0]
    assert re.search(r"/t/antioquia/plans/\d+$", plan_url), official.url

    priorities = section(official, "section-priorities")
    assert priorities.locator("article").count() >= 1
    assert "(n=" in priorities.locator("ul.evidence").first.inner_text()
    actions = section(official, "section-actions")
    for pillar in ("Pilar I", "Pilar II", "Pilar III"):
        assert actions.get_by_role("heading", level=3, name=re.compile(pillar + " ")).count() == 1, pillar
    assert actions.locator("article").count() >= 3
    assert_accessible(official)

    # 2. They rewrite the mandate in Markdown, leave one action out with a reason, and compare two versions
    section(official, "section-mandate").get_by_role("link", name="Editar esta sección").click()
    official.get_by_label("Texto", exact=True).fill(f"{MANDATE}\n\n- Revisión **semestral**")
    assert_accessible(official)
    official.get_by_role("button", name="Guardar").click()
    mandate = section(official, "section-mandate")
    mandate.get_by_text(MANDATE).wait_for()
    assert mandate.locator("strong", has_text="semestral").count() == 1

    dropped_article = section(official, "section-actions").locator("article").first
    dropped_title = dropped_article.get_by_role("heading", level=4).inner_text()
    dropped_article.get_by_role("link", name="Excluirla").click()
    official.get_by_role("heading", level=1, name="Excluir la acción").wait_for()
    official.get_by_label("Motivo de la exclusión").fill(DROP_REASON)
    assert_accessible(official)
    official.get_by_role("button", name="Excluirla").click()
    left_out = official.get_by_role("region", name="Excluidas del plan")
    left_out.get_by_text(DROP_REASON).wait_for()
    assert dropped_title in left_out.inner_text()

    official.get_by_role("link", name="Todas las versiones y cambios").click()
    official.get_by_role("heading", level=1, name="Versiones").wait_for()
    assert_accessible(official)
    official.get_by_label("Comparar versión").select_option("1")
    official.get_by_label("con la versión").select_option("2")
    official.get_by_role("button", name="Comparar", exact=True).click()
    official.get_by_role("heading", level=1, name="Comparar las versiones 1 y 2").wait_for()
    assert official.locator("ins", has_text="semestral").count() >= 1
    assert_accessible(official)

    # 3. They publish the draft for comment, from today for thirty days
    official.goto(plan_url)
    closes = (today + datetime.timedelta(days=30)).isoformat()
    official.get_by_label("Los comentarios abren el").fill(today.isoformat())
    official.get_by_label("Los comentarios cierran el").fill(closes)
    official.get_by_role("button", name="Publicar para recibir comentarios").click()
    official.get_by_text(f"El período de comentarios está abierto hasta el {closes}.").wait_for()

    # 4. A person, not logged in, goes from the consultation's page to the draft and comments on a section
    person = new_page(locale="en-GB")
    person.goto(f"/c/{slug}/")
    person.get_by_role("link", name="Read the draft action plan and comment on it").click()
    person.get_by_role("link", name="Read your comment and its answer with your receipt code").wait_for()
    public_plan_url = person.url.split("?")[0]
    assert "(n=" in person.locator("ul.evidence").first.inner_text()
    assert person.get_by_text(MANDATE).count() == 1
    assert person.get_by_text(dropped_title, exact=True).count() == 0  # left out: not part of the plan
    assert_accessible(person)
    governance = person.locator("#plan-section-governance")
    governance.get_by_text("Comment on this section").click()
    governance.get_by_label("Your comment", exact=True).fill(COMMENT)
    governance.get_by_role("button", name="Send the comment").click()
    person.get_by_role("heading", level=1, name="Thank you: your comment was sent").wait_for()
    code = person.locator(".receipt").inner_text().strip()
    assert len(code) >= 6, code
    assert_accessible(person)

    # 5. The moderator reaches the comments from the territory page and publishes it; the official answers in public
    moderator = new_page(locale="en-GB")
    log_in(moderator, MODERATOR)
    moderator.goto("/t/antioquia")
    moderator.get_by_role("link", name="Comments on action plans").click()
    moderator.get_by_role("heading", level=1, name="Comments on action plans").wait_for()
    moderator.locator("ul.cards a").first.click()
    moderator.get_by_role("heading", level=1, name="Comments and statements").wait_for()
    assert_accessible(moderator)
    waiting = moderator.locator("article.comment").filter(has_text=COMMENT)
    waiting.get_by_role("button", name="Publish", exact=True).click()
    moderator.get_by_role("heading", level=1, name="Comments and statements").wait_for()
    assert "Published" in moderator.locator("article.comment").filter(has_text=COMMENT).inner_text()

    official.goto(plan_url)
    official.get_by_role("link", name="Comentarios públicos y su moderación").click()
    answered = official.locator("article.comment").filter(has_text=COMMENT)
    answered.get_by_label("Respuesta pública").fill(ANSWER)
    answered.get_by_role("button", name="Publicar la respuesta").click()
    official.locator("article.comment").filter(has_text=COMMENT).locator("p", has_text=ANSWER).wait_for()

    # 6. The company replies to the evidence; the moderator publishes the statement; it shows beside the evidence
    company = new_page(locale="en-GB")
    log_in(company, COMPANY)
    company.goto(public_plan_url)
    company.get_by_role("link", name="Reply to the evidence as a company").click()
    company.get_by_role("heading", level=1, name="Reply to the evidence").wait_for()
    target = company.get_by_label("What your statement replies to")
    choices = target.locator("option").evaluate_all("options => options.map(o => o.value).filter(Boolean)")
    evidence_choice = next(value for value in choices if value.startswith("e"))  # a piece of evidence, not a priority
    target.select_option(evidence_choice)
    evidence_label = " ".join(target.locator(f'option[value="{evidence_choice}"]').inner_text().split())
    company.get_by_label("Your statement", exact=True).fill(STATEMENT)
    assert_accessible(company)
    company.get_by_role("button", name="Send the statement").click()
    company.get_by_text(STATEMENT).wait_for()

    moderator.reload()
    moderator.locator("article.statement").filter(has_text=STATEMENT).get_by_role(
        "button", name="Publish", exact=True
    ).click()
    moderator.get_by_role("heading", level=1, name="Comments and statements").wait_for()

    person.goto(public_plan_url)
    beside = person.locator(".statement").filter(has_text=STATEMENT)
    beside.get_by_text(f"Statement by {COMPANY_NAME}").wait_for()
    # beside the evidence it replies to, which is still there as it was
    evidence_item = person.locator("ul.evidence > li").filter(has=person.locator(".statement", has_text=STATEMENT))
    assert evidence_item.get_attribute("id") == f"plan-evidence-{evidence_choice[1:]}"
    sentence = " ".join(evidence_item.locator("> p").first.inner_text().split())
    assert sentence and evidence_label.endswith(sentence), (sentence, evidence_label)
    # the published comment and its answer are on the page too
    person.locator("#plan-section-governance").get_by_text(ANSWER).wait_for()
    assert_accessible(person)

    # 7. The person reads their comment and the answer with the receipt code
    person.get_by_role("link", name="Read your comment and its answer with your receipt code").click()
    person.get_by_label("Your code").fill(code)
    person.get_by_role("button", name="See my comment").click()
    person.get_by_role("heading", level=2, name="Answer from the officials").wait_for()
    person.get_by_text(ANSWER).wait_for()
    person.get_by_text(COMMENT).wait_for()
    assert_accessible(person)

    # 8. The official adopts the plan (closing the comment period early) and downloads it as PDF and DOCX
    official.goto(plan_url)
    official.get_by_role("button", name="Adoptar el plan").click()
    official.get_by_role("button", name="Adoptar el plan").wait_for()
    assert official.get_by_role("button", name="Iniciar el seguimiento").count() == 0  # not without confirming
    official.get_by_label("Cerrar antes de tiempo el período de comentarios").check()
    official.get_by_role("button", name="Adoptar el plan").click()
    official.get_by_role("button", name="Iniciar el seguimiento").wait_for()
    title = official.get_by_role("heading", level=1).inner_text().strip()

    files = {}
    for fmt in ("pdf", "docx"):
        with official.expect_download(timeout=180_000) as info:
            official.get_by_role("link", name=fmt.upper(), exact=True).click(timeout=180_000)
        saved = tmp_path / f"plan.{fmt}"
        info.value.save_as(saved)
        files[fmt] = saved
    pdf_text = subprocess.run(
        ["pdftotext", "-layout", str(files["pdf"]), "-"], check=True, capture_output=True, text=True
    ).stdout
    flat = " ".join(pdf_text.split())
    assert " ".join(title.split()) in flat
    assert "(n=" in flat
    assert MANDATE.split(" y ")[0] in flat
    document = docx.Document(str(files["docx"]))
    headings = [p.text for p in document.paragraphs if p.style.name.startswith("Heading")]
    for expected in ("Mandato", "Acciones"):
        assert any(expected in h for h in headings), (expected, headings)

    # 9. They start monitoring and record progress on one action; the public pages show it
    official.get_by_role("button", name="Iniciar el seguimiento").click()
    official.get_by_text("El plan está adoptado y en seguimiento.").wait_for()
    official.get_by_role("link", name="Seguimiento de las acciones").click()
    official.get_by_role("heading", level=1, name="Seguimiento").wait_for()
    first = official.locator("section.monitored-action").first
    first.get_by_label("Estado").select_option(label="En curso")
    first.get_by_label("Valor del indicador").fill("3")
    first.get_by_label("Fecha de la actualización").fill(today.isoformat())
    first.get_by_label("Nota").fill(PROGRESS_NOTE)
    assert_accessible(official)
    first.get_by_role("button", name="Registrar la actualización").click()
    official.get_by_text(PROGRESS_NOTE).first.wait_for()

    person.goto(f"/c/{slug}/plan/progress")
    person.get_by_text(PROGRESS_NOTE).first.wait_for()
    assert_accessible(person)
    person.goto(f"/c/{slug}/you-said-we-did")
    person.get_by_role("heading", level=1, name="You said, we did").wait_for()
    person.get_by_text(DROP_REASON).wait_for()
    person.get_by_role("listitem").filter(has_text=DROP_REASON).get_by_text(dropped_title).wait_for()
    assert_accessible(person)
