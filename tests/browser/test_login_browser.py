"""A person logs in and out on a phone, in Spanish and in English; axe finds nothing."""

from __future__ import annotations

import pytest

from tests.fixtures.browser import assert_accessible
from tests.fixtures.factories import PASSWORD

pytestmark = pytest.mark.browser


class LoginPage:
    """The login page, as a person sees it."""

    def __init__(self, page) -> None:
        self.page = page

    def open(self, lang: str | None = None) -> "LoginPage":
        self.page.goto("/login" + (f"?lang={lang}" if lang else ""))
        return self

    def log_in(self, email: str, password: str, email_label: str, password_label: str, button: str) -> None:
        self.page.get_by_label(email_label).fill(email)
        self.page.get_by_label(password_label, exact=True).fill(password)
        self.page.get_by_role("button", name=button).click()


@pytest.mark.parametrize(
    ("locale", "lang", "labels"),
    [
        (
            "es-CO",
            None,
            (
                "Correo electrónico",
                "Contraseña",
                "Iniciar sesión",
                "Cerrar sesión",
                "Sus territorios",
                "Cerró la sesión.",
            ),
        ),
        ("en-GB", "en", ("Email", "Password", "Log in", "Log out", "Your territories", "You have logged out.")),
    ],
)
def test_log_in_and_out_on_a_phone(new_page, create_user, create_territory, locale, lang, labels):
    email_label, password_label, login_button, logout_button, territories_heading, logged_out = labels
    territory = create_territory("salta", "Salta", "AR")
    create_user("ana@example.org", "Ana Pérez", roles={territory: ["official"]})
    page = new_page(locale=locale)

    # Given a person on the login page
    login = LoginPage(page).open(lang)
    assert_accessible(page)
    # When they log in with a wrong password, they are told so and their email stays
    login.log_in("ana@example.org", "wrong-password", email_label, password_label, login_button)
    assert page.get_by_label(email_label).input_value() == "ana@example.org"
    assert_accessible(page)
    # When they log in correctly
    login.log_in("ana@example.org", PASSWORD, email_label, password_label, login_button)
    # Then they see their territories
    page.get_by_role("heading", name=territories_heading).wait_for()
    assert page.get_by_role("link", name="Salta", exact=True).is_visible()
    assert_accessible(page)
    # When they log out, they are logged out
    page.get_by_role("button", name=logout_button).click()
    page.get_by_text(logged_out).wait_for()
    assert page.get_by_role("button", name=logout_button).count() == 0
    assert_accessible(page)


def test_pages_work_without_javascript(new_page, create_user):
    create_user("ana@example.org", "Ana")
    page = new_page(javascript=False)
    page.goto("/login")
    assert_accessible(page)
    page.get_by_label("Correo electrónico").fill("ana@example.org")
    page.get_by_label("Contraseña", exact=True).fill(PASSWORD)
    page.get_by_role("button", name="Iniciar sesión").click()
    page.get_by_role("button", name="Cerrar sesión").wait_for()
    assert_accessible(page)
