"""An official sets up the second factor on a phone, logs out, and logs in with password and code; axe finds nothing."""

from __future__ import annotations

import time

import pyotp
import pytest

from tests.fixtures.browser import assert_accessible
from tests.fixtures.factories import PASSWORD

pytestmark = pytest.mark.browser


def _log_in(page, email: str, password: str) -> None:
    page.goto("/login?lang=en")
    page.get_by_label("Email").fill(email)
    page.get_by_label("Password", exact=True).fill(password)
    page.get_by_role("button", name="Log in").click()


def test_an_official_sets_up_the_second_factor_and_logs_in_with_it(new_page, create_user, create_territory):
    territory = create_territory("antioquia", "Antioquia")
    create_user("ana@example.org", "Ana Pérez", roles={territory: ["official"]})
    page = new_page(locale="en-GB")

    # Given an official logged in with the password
    _log_in(page, "ana@example.org", PASSWORD)
    page.get_by_role("heading", name="Your territories").wait_for()

    # When she opens her account and the second factor page
    page.goto("/account?lang=en")
    page.get_by_role("link", name="Second factor (code from your phone)").click()
    page.get_by_role("heading", name="Second factor", exact=True).wait_for()
    assert_accessible(page)
    page.get_by_role("link", name="Set up a second factor").click()

    # Then she sees a QR code and the key to type by hand
    page.get_by_role("heading", name="Set up a second factor").wait_for()
    assert page.get_by_role("img", name="QR code to add consult to an authenticator app").is_visible()
    secret = page.locator("#totp-secret").inner_text().replace(" ", "")
    assert_accessible(page)

    # When she types a wrong code, she is told so
    page.get_by_label("Your password").fill(PASSWORD)
    page.get_by_label("Code from the app").fill("000000")
    page.get_by_role("button", name="Turn on the second factor").click()
    page.get_by_role("alert").wait_for()
    assert "This code is not correct." in page.get_by_role("alert").inner_text()
    assert_accessible(page)

    # When she types the code her app shows (computed here from the key on the page)
    page.get_by_label("Your password").fill(PASSWORD)
    page.get_by_label("Code from the app").fill(pyotp.TOTP(secret).now())
    page.get_by_role("button", name="Turn on the second factor").click()

    # Then she sees her recovery codes, once
    page.get_by_role("heading", name="Your recovery codes").wait_for()
    assert page.locator("ul.recovery-codes li").count() == 10
    assert_accessible(page)
    page.get_by_role("link", name="I have kept them, continue").click()
    page.get_by_role("heading", name="Second factor", exact=True).wait_for()
    assert "10 unused recovery codes" in page.content()
    # The page with the forms to make new codes and to turn the factor off
    assert page.get_by_role("button", name="Make new recovery codes").is_visible()
    assert_accessible(page)

    # When she logs out and in again, the password alone does not log her in
    page.get_by_role("button", name="Log out").click()
    page.get_by_text("You have logged out.").wait_for()
    _log_in(page, "ana@example.org", PASSWORD)
    page.get_by_role("heading", name="Second step of the login").wait_for()
    assert page.get_by_role("button", name="Log out").count() == 0
    assert_accessible(page)

    # The code that turned the factor on was spent: the app's next code logs her in.
    page.get_by_label("Code").fill(pyotp.TOTP(secret).at(time.time() + 30))
    page.get_by_role("button", name="Continue").click()
    page.get_by_role("heading", name="Your territories").wait_for()
    assert page.get_by_role("button", name="Log out").is_visible()
