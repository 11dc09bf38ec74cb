"""Logging in and out, the session, the password, the ``next`` parameter."""

from __future__ import annotations

import pytest

from consult.accounts.models import User
from tests.fixtures.factories import PASSWORD


def test_login_and_logout(client, create_user):
    create_user("ana@example.org", "Ana")
    response = client.submit("/login", {"email": " ANA@example.org ", "password": PASSWORD})
    assert response.status_code == 302 and response.headers["Location"] == "/"
    page = client.get("/").get_data(as_text=True)
    assert "Ana" in page and "Cerrar sesión" in page
    response = client.submit("/logout", form_url="/")
    assert response.status_code == 302
    assert "Cerrar sesión" not in client.get("/").get_data(as_text=True)


def test_wrong_password_keeps_the_email_and_says_why(client, create_user):
    create_user("ana@example.org")
    response = client.submit(
        "/login?lang=en", {"email": "ana@example.org", "password": "nope"}, form_url="/login?lang=en"
    )
    body = response.get_data(as_text=True)
    assert response.status_code == 200
    assert "The email or the password is not correct." in body
    assert 'value="ana@example.org"' in body


def test_unknown_email_gets_the_same_message(client):
    response = client.submit("/login", {"email": "nobody@example.org", "password": "whatever-long"})
    assert "El correo o la contraseña no son correctos." in response.get_data(as_text=True)


def test_login_starts_a_new_session(client, create_user):
    create_user("ana@example.org")
    with client.session_transaction() as session:
        session["planted"] = "by someone else"
    client.login("ana@example.org")
    with client.session_transaction() as session:
        assert "planted" not in session


def test_session_cookie_flags(client, create_user):
    create_user("ana@example.org")
    response = client.login("ana@example.org")
    cookie = response.headers["Set-Cookie"]
    assert "HttpOnly" in cookie and "SameSite=Lax" in cookie


@pytest.mark.parametrize(
    ("next_url", "expected"),
    [
        ("/account", "/account"),
        ("https://evil.example/", "/"),
        ("//evil.example/", "/"),
        ("/\\evil.example", "/"),
        ("javascript:alert(1)", "/"),
    ],
)
def test_next_only_redirects_inside_the_site(client, create_user, next_url, expected):
    create_user("ana@example.org")
    from urllib.parse import quote

    url = f"/login?next={quote(next_url)}"
    response = client.submit(url, {"email": "ana@example.org", "password": PASSWORD})
    assert response.headers["Location"] == expected


def test_login_is_rate_limited(client, create_user):
    create_user("ana@example.org")
    token = client.csrf_token("/login")
    responses = [
        client.post("/login", data={"csrf_token": token, "email": "ana@example.org", "password": "wrong"})
        for _ in range(11)
    ]
    assert [r.status_code for r in responses[:10]] == [200] * 10
    assert responses[10].status_code == 429
    assert "Demasiados intentos" in responses[10].get_data(as_text=True)


def test_password_change_ends_other_sessions(app, create_user, db):
    create_user("ana@example.org")
    first, second = app.test_client(), app.test_client()
    first.login("ana@example.org")
    second.login("ana@example.org")
    response = first.submit(
        "/account/password", {"current": PASSWORD, "new": "a-new-long-password", "confirm": "a-new-long-password"}
    )
    assert response.status_code == 302
    assert first.get("/account").status_code == 200
    assert second.get("/account").status_code == 302  # sent to the login page
    user = db.session.scalar(db.select(User).where(User.email == "ana@example.org"))
    assert user.password_hash.startswith("$argon2id$")


def test_password_change_errors_are_shown(client, create_user):
    create_user("ana@example.org")
    client.login("ana@example.org")
    body = client.submit(
        "/account/password?lang=en",
        {"current": "wrong", "new": "short", "confirm": "short"},
        form_url="/account/password?lang=en",
    ).get_data(as_text=True)
    assert "The current password is not correct." in body
    body = client.submit(
        "/account/password?lang=en",
        {"current": PASSWORD, "new": "short", "confirm": "short"},
        form_url="/account/password?lang=en",
    ).get_data(as_text=True)
    assert "The password must have at least 10 characters." in body


def test_preferred_language_is_used(client, create_user):
    create_user("ana@example.org")
    client.login("ana@example.org")
    client.submit("/account", {"language": "pt"})
    assert "Sua conta" in client.get("/account").get_data(as_text=True)
