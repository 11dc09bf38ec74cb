"""An official imports a form whose language column says "Wichi": the import asks which language that is
(a page axe checks), keeps the file, and imports it in Spanish and Wichí once the official picks mzh."""

from __future__ import annotations

import pytest
from playwright.sync_api import expect
from sqlalchemy import select

from consult.surveys.models import Instrument
from tests.fixtures.browser import assert_accessible
from tests.fixtures.factories import PASSWORD
from tests.fixtures.xlsforms.corpus import build

pytestmark = pytest.mark.browser


@pytest.fixture
def salta(db, create_territory, create_user):
    territory = create_territory("salta", "Salta", "AR", enabled_languages=["es", "mzh"])
    create_user("olga@salta.example", "Olga Oficial", roles={territory: ["official"]})
    db.session.commit()
    return territory


def test_an_uncertain_language_column_is_asked_for_then_imported(new_page, salta, db, tmp_path):
    workbook = tmp_path / "wichi.xlsx"
    workbook.write_bytes(build("uncertain_language_name"))
    page = new_page(locale="en-GB", javascript=False)
    page.goto("/login?lang=en")
    page.get_by_label("Email").fill("olga@salta.example")
    page.get_by_label("Password", exact=True).fill(PASSWORD)
    page.get_by_role("button", name="Log in").click()
    page.get_by_role("button", name="Log out").wait_for()

    # Given the XLSForm import page, the official uploads a form with a column "label::Wichi"
    page.goto("/t/salta/instruments/import-xlsform")
    page.get_by_label("File").set_input_files(str(workbook))
    page.get_by_role("button", name="Import").click()
    # Then the import asks which language "Wichi" is, nothing imported yet
    expect(page.get_by_role("heading", level=1, name="Which languages are these columns in?")).to_have_count(1)
    assert db.session.scalar(select(Instrument)) is None
    assert_accessible(page)
    # When the official sends the step without choosing, the page says what is missing, on an accessible page
    page.get_by_role("button", name="Import").click()
    expect(page.get_by_role("alert")).to_contain_text("Choose the language of this column, or type its code.")
    assert_accessible(page)
    # And once Wichí is picked, the form is imported in Spanish and Wichí
    page.get_by_role("group", name="Columns in “Wichi”").get_by_role("combobox", name="Language").select_option("mzh")
    page.get_by_role("button", name="Import").click()
    expect(page.get_by_text("has been imported")).not_to_have_count(0)
    db.session.expire_all()
    assert db.session.scalar(select(Instrument)).latest_version.definition["languages"] == ["es", "mzh"]
