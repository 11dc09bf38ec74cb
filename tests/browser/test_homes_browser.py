"""On a phone, the demo CSO logs in and reaches the testimony form and its own testimonies from its home page;
the demo company of Antioquia logs in and reaches the consultation it is invited to answer;
axe finds nothing on either home."""

from __future__ import annotations

import pytest
from playwright.sync_api import expect

from tests.fixtures.browser import assert_accessible

pytestmark = pytest.mark.browser

DEMO_PASSWORD = "consult-demo-2026"


@pytest.fixture
def demo(app, db):
    # Imported here, not at collection: importing a demo module registers its step.
    from consult.demo import seed_demo

    seed_demo()


def log_in(page, email: str):
    """Log in in English and wait for the home page."""
    page.goto("/login?lang=en")
    page.get_by_label("Email").fill(email)
    page.get_by_label("Password", exact=True).fill(DEMO_PASSWORD)
    page.get_by_role("button", name="Log in").click()
    page.get_by_role("heading", level=1, name="Consultations on business and human rights").wait_for()


def test_a_cso_and_a_company_reach_their_work_from_their_home(new_page, demo):
    # Given the demo CSO, logged in on a phone
    cso = new_page(locale="en-GB", javascript=False)
    log_in(cso, "cso@demo.consult.example")
    # Then its home says what it can do, not "no role"
    cso.get_by_role("heading", level=2, name="Corporación Jurídica Río Claro").wait_for()
    assert cso.get_by_text("You have no role in any territory yet").count() == 0
    assert_accessible(cso)
    # When it follows the testimony form of Antioquia's open consultation, it is on the form's start page
    cso.get_by_role("link", name="Testimony form: Consultation on business and human rights in Antioquia 2026").click()
    # (the click returns once the address changes; the page is read only when its heading is there)
    cso.wait_for_url("**/c/riesgos-antioquia-2026/testimony")
    expect(cso.get_by_role("heading", level=1)).to_have_count(1)
    # And back home, one click leads to all its testimonies and one more to a testimony
    cso.go_back()
    cso.get_by_role("link", name="testimonies of your organisation").click()
    cso.get_by_role("heading", level=1, name="Our testimonies").wait_for()
    cso.get_by_role("link", name="Testimony").first.click()
    assert "/cso/testimonies/" in cso.url
    # And from anywhere the account's menu leads back to its work
    cso.get_by_role("navigation", name="Account").get_by_role("link", name="Your work").click()
    cso.get_by_role("heading", level=2, name="Corporación Jurídica Río Claro").wait_for()

    # Given the demo company of Antioquia, logged in on a phone
    company = new_page(locale="en-GB", javascript=False)
    log_in(company, "empresa1@demo.consult.example")
    invited = company.locator("section", has=company.get_by_role("heading", level=2, name="Minera del Nordeste S.A.S."))
    invited.get_by_text("Consultation on business and human rights in Antioquia 2026", exact=True).wait_for()
    assert_accessible(company)
    # When it answers through its invitation, it lands on the consultation, invited as a large company
    invited.get_by_role("button", name="Answer for Minera del Nordeste S.A.S.").click()
    assert company.url.endswith("/c/riesgos-antioquia-2026/")
    company.get_by_text("Large company").first.wait_for()
