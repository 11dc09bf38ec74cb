"""Done when (issue 12): an official adds Wichí (mzh) to Salta on the languages screen, translates the
community survey's first block into it with an uploaded PO file, opens a consultation in es and mzh,
and a respondent answers it in Wichí with a Spanish interface, every Wichí text marked lang="mzh"."""

from __future__ import annotations

import re
from datetime import date, timedelta

import polib
import pytest
from playwright.sync_api import expect
from sqlalchemy import select

from consult.responses.models import Response
from tests.fixtures.browser import assert_accessible
from tests.fixtures.factories import PASSWORD

pytestmark = pytest.mark.browser

TITLE_EN = "Community survey on business and human rights"
INTRO_MZH = "Lhämtes tä ichuma empresas [prueba]"
PAGE_MZH = "Lhämtes [prueba]"


@pytest.fixture
def salta(db, create_territory, create_user):
    from consult.accounts.services import import_localities
    from consult.surveys import services

    territory = create_territory("salta", "Salta", "AR", enabled_languages=["es"])
    import_localities(territory, "code,name,area\n66028,Cafayate,Valles Calchaquíes\n")
    create_user("olga@salta.example", "Olga Oficial", roles={territory: ["official"]})
    for load in services.load_library():
        if not load.version.is_published:
            services.publish(load.version)
    db.session.commit()
    return territory


def _log_in(page, email: str) -> None:
    page.goto("/login?lang=en")
    page.get_by_label("Email").fill(email)
    page.get_by_label("Password", exact=True).fill(PASSWORD)
    page.get_by_role("button", name="Log in").click()
    page.get_by_role("button", name="Log out").wait_for()


def _heading(page, text: str) -> None:
    expect(page.get_by_role("heading", level=1, name=text)).to_have_count(1)


def _po_for(tmp_path, territory) -> str:
    """The PO file a translator sends back: the copied draft's first block in Wichí."""
    from consult.extensions import db
    from consult.surveys import content_i18n
    from consult.surveys.models import Instrument

    instrument = db.session.scalar(
        select(Instrument).where(Instrument.territory_id == territory.id, Instrument.key == "community_risk")
    )
    version = instrument.latest_version
    po = polib.pofile(content_i18n.export_po(version, "mzh").decode("utf-8"))
    for entry in po:
        if entry.msgctxt.endswith("questions.A0.text"):
            entry.msgstr = INTRO_MZH
        elif entry.msgctxt.endswith("p_intro.title"):
            entry.msgstr = PAGE_MZH
    path = tmp_path / "community_risk-mzh.po"
    path.write_text(str(po), encoding="utf-8")
    return str(path)


def test_an_official_adds_wichi_and_a_respondent_answers_in_it(new_page, salta, db, tmp_path):
    page = new_page(locale="en-GB")
    _log_in(page, "olga@salta.example")

    # Given the territory's page, an official opens its languages
    page.goto("/t/salta/")
    page.get_by_role("link", name="Languages", exact=True).click()
    _heading(page, "Languages")
    assert_accessible(page)
    # When they type Wichí's code, the names are suggested from the registries
    page.get_by_label("Language code").fill("mzh")
    page.get_by_role("button", name="Suggest names").click()
    expect(page.get_by_label("Name in the language itself")).to_have_value(re.compile("^Wichí"))
    assert_accessible(page)
    # And they write the name its speakers use, and add it
    page.get_by_label("Name in the language itself").fill("Wichí Lhämtes")
    page.get_by_role("button", name="Add the language").click()
    expect(page.locator('td[lang="mzh"]')).to_have_text("Wichí Lhämtes")
    assert_accessible(page)
    # And the edit screen passes axe too
    page.get_by_role("link", name="Edit mzh").click()
    _heading(page, "Edit the language mzh")
    assert_accessible(page)
    page.get_by_role("button", name="Save").click()
    _heading(page, "Languages")

    # They copy the library's community survey, whose translations into Wichí are only drafts
    page.goto("/t/salta/")
    page.get_by_role("link", name="Instruments", exact=True).click()
    page.get_by_role("link", name=TITLE_EN, exact=True).click()
    page.get_by_role("button", name="Copy to Salta").click()
    expect(page.get_by_role("link", name="Translation files for translators")).to_have_count(1)
    instrument_url = page.url
    page.get_by_role("link", name="Completeness report").click()
    _heading(page, "Completeness report")
    expect(page.get_by_text("draft translation").first).to_be_visible()
    assert_accessible(page)
    # And upload the translator's PO file with the first block in Wichí
    page.goto(instrument_url)
    page.get_by_role("link", name="Translation files for translators").click()
    page.get_by_label("Translation file (.po or .xlsx)").set_input_files(_po_for(tmp_path, salta))
    page.get_by_role("button", name="Upload the translations").click()
    expect(page.get_by_text("Translations applied: 2.")).to_have_count(1)
    page.goto(instrument_url)
    page.get_by_role("link", name="Publish this version").click()
    page.get_by_role("button", name=re.compile("^Publish version")).click()
    expect(page.get_by_role("heading", level=1)).to_have_count(1)

    # They open a consultation in Spanish and Wichí
    page.goto("/t/salta/")
    page.get_by_role("link", name="Consultations", exact=True).click()
    page.get_by_role("link", name="New consultation").click()
    page.get_by_label("Short name for the public address").fill("agua-wichi")
    page.get_by_label("Who runs the consultation").fill("Provincia de Salta")
    page.get_by_label("Spanish (es)", exact=True).check()
    page.get_by_label(re.compile(r"\(mzh\)$")).check()
    page.get_by_label("Title (Spanish (es))").fill("Consulta del agua")
    page.get_by_label("Opening date").fill((date.today() - timedelta(days=1)).isoformat())
    page.get_by_label("Closing date").fill((date.today() + timedelta(days=30)).isoformat())
    page.get_by_role("button", name="Save").click()
    page.get_by_label("Stakeholder group").select_option("rural_community")
    own = page.locator("#instrument_version option", has_text="this territory").first
    page.get_by_label("Instrument it answers").select_option(own.get_attribute("value"))
    page.get_by_label("Target number of participants").fill("20")
    page.get_by_role("button", name="Save the group").click()
    page.goto("/t/salta/consultations?lang=en")
    page.get_by_role("link", name="Consulta del agua").click()
    page.get_by_role("button", name=re.compile("^Move to: Open")).click()
    expect(page.get_by_text("Yes", exact=True)).to_have_count(1)  # accepting answers now

    # A respondent with a Spanish browser chooses Wichí on the landing page
    person = new_page(locale="es-AR")
    person.goto("/c/agua-wichi/")
    assert_accessible(person)
    link = person.get_by_role("link", name="Wichí Lhämtes")
    assert link.get_attribute("lang") == "mzh"
    link.click()
    expect(person.get_by_role("link", name="Wichí Lhämtes")).to_have_attribute("aria-current", "true")
    assert person.locator("html").get_attribute("lang") == "es"
    assert_accessible(person)
    person.get_by_role("button", name="Comenzar a responder").click()
    person.wait_for_url("**/c/agua-wichi/group")
    # One public group: said, not asked
    assert_accessible(person)
    person.get_by_role("button", name="Continuar", exact=True).click()
    person.wait_for_url("**/c/agua-wichi/p/p_intro")
    # The first block in Wichí, marked as such, in a Spanish page
    assert person.locator("html").get_attribute("lang") == "es"
    expect(person.locator('h1[lang="mzh"]')).to_have_text(PAGE_MZH)
    expect(person.locator('[lang="mzh"]', has_text=INTRO_MZH)).to_have_count(1)
    expect(person.locator('[lang="mzh"][aria-current="true"]')).to_have_text("Wichí Lhämtes")
    assert_accessible(person)
    # Later texts have no checked Wichí: what shows in Spanish says so
    for _ in range(30):
        if "/review" in person.url:
            break
        person.get_by_role("button", name="Continuar", exact=True).click()
        person.wait_for_load_state()
    person.wait_for_url("**/c/agua-wichi/review")
    assert_accessible(person)
    person.get_by_role("button", name="Enviar mis respuestas").click()
    person.wait_for_url("**/c/agua-wichi/sent")
    stored = db.session.scalar(select(Response).where(Response.language == "mzh"))
    assert stored is not None
