"""The second factor: who needs it, setting it up, the login step, recovery codes, replay, settings."""

from __future__ import annotations

import html
import re
import time

import pyotp
import pytest

from config import load_settings
from consult.accounts import security, twofactor
from consult.accounts.models import User
from tests.fixtures.factories import PASSWORD


def _secret_on(page: str) -> str:
    match = re.search(r'<code id="totp-secret">([A-Z2-7 ]+)</code>', page)
    assert match, "no secret shown for manual entry"
    return match.group(1).replace(" ", "")


def _codes_on(page: str) -> list[str]:
    return re.findall(r"<li><code>([0-9a-f]{5}-[0-9a-f]{5})</code></li>", page)


def _next_code(secret: str) -> str:
    """A code of the next time step: the current one may already have been used (no replay)."""
    return pyotp.TOTP(secret).at(time.time() + 30)


def _enrol(client) -> tuple[str, list[str]]:
    """Set up the second factor from the account page, as a logged-in person; returns secret and codes."""
    page = client.get("/account/two-factor/setup?lang=en").get_data(as_text=True)
    secret = _secret_on(page)
    assert "<svg" in page and "QR code" in page
    response = client.submit(
        "/account/two-factor/setup?lang=en",
        {"password": PASSWORD, "code": pyotp.TOTP(secret).now()},
        form_url="/account/two-factor/setup?lang=en",
    )
    assert response.status_code == 200
    codes = _codes_on(response.get_data(as_text=True))
    assert len(codes) == twofactor.RECOVERY_CODE_COUNT
    return secret, codes


@pytest.fixture
def official(create_territory, create_user):
    territory = create_territory("antioquia", "Antioquia")
    return create_user("ana@example.org", "Ana", roles={territory: ["official"]})


# -- who needs one -------------------------------------------------------------------------------------


def test_who_needs_a_second_factor_follows_the_capability_table(
    app, create_territory, create_user, create_organisation
):
    territory = create_territory("salta", "Salta", "AR")
    needs = {
        "official": create_user(roles={territory: ["official"]}),
        "analyst": create_user(roles={territory: ["analyst"]}),
        "moderator": create_user(roles={territory: ["moderator"]}),
        "admin": create_user(is_network_admin=True),
        "cso": create_user(organisation=create_organisation("Red", "cso")),
    }
    does_not = {
        "facilitator": create_user(roles={territory: ["facilitator"]}),
        "company": create_user(organisation=create_organisation("Empresa", "company")),
    }
    assert {name for name, user in {**needs, **does_not}.items() if twofactor.needs_second_factor(user)} == set(needs)
    # Testimonies and exports are what makes an account sensitive.
    assert {"official", "analyst", "moderator"} <= twofactor.SENSITIVE_ROLES
    assert "facilitator" not in twofactor.SENSITIVE_ROLES


def test_required_only_where_the_setting_says(app, official):
    assert not twofactor.second_factor_required(official)
    app.config["CONSULT_REQUIRE_SECOND_FACTOR"] = True
    assert twofactor.second_factor_required(official)


def test_the_setting_is_on_in_production_and_off_in_the_demo_and_tests(tmp_path):
    secrets = {
        "CONSULT_SECRET_KEY": "x" * 40,
        "CONSULT_DATABASE_URL": "postgresql://db/consult",
        "CONSULT_TESTIMONY_KEYS": "k1:" + "A" * 43 + "=",
        "CONSULT_AUDIT_KEY": "A" * 43 + "=",
    }
    assert load_settings("production", tmp_path, secrets).flask_config()["CONSULT_REQUIRE_SECOND_FACTOR"] is True
    off = {**secrets, "CONSULT_REQUIRE_SECOND_FACTOR": "0"}
    assert load_settings("production", tmp_path, off).require_second_factor is False
    assert load_settings("development", tmp_path, {}).require_second_factor is False
    assert load_settings("development", tmp_path, {"CONSULT_REQUIRE_SECOND_FACTOR": "1"}).require_second_factor
    assert load_settings("testing", tmp_path, {"CONSULT_REQUIRE_SECOND_FACTOR": "1"}).require_second_factor is False


# -- setting it up and logging in with it --------------------------------------------------------------


def test_set_up_then_log_in_with_password_and_code(app, client, official, db):
    client.login("ana@example.org")
    secret, codes = _enrol(client)
    user = db.session.get(User, official.id)
    assert user.has_second_factor and twofactor.secret_of(user) == secret and user.totp_pending_secret is None
    # Recovery codes are kept hashed only.
    stored = db.session.scalars(db.select(security.RecoveryCode.code_hash)).all()
    assert len(stored) == 10 and not set(codes) & set(stored)
    assert "10 unused recovery codes" in client.get("/account/two-factor?lang=en").get_data(as_text=True)

    client.submit("/logout", form_url="/")
    response = client.submit("/login?next=/account", {"email": "ana@example.org", "password": PASSWORD})
    assert response.status_code == 302 and response.headers["Location"] == "/login/code"
    # Password accepted, but not logged in yet.
    assert client.get("/account").status_code == 302
    page = client.get("/login/code?lang=en").get_data(as_text=True)
    assert "Second step of the login" in page

    response = client.submit("/login/code", {"code": _next_code(secret)})
    assert response.status_code == 302 and response.headers["Location"] == "/account"
    assert client.get("/account").status_code == 200


def test_a_wrong_code_is_refused_and_counts_towards_the_lock(app, client, official, db):
    client.login("ana@example.org")
    secret, _ = _enrol(client)
    client.submit("/logout", form_url="/")
    client.submit("/login", {"email": "ana@example.org", "password": PASSWORD})
    response = client.submit("/login/code?lang=en", {"code": "000000"}, form_url="/login/code?lang=en")
    assert response.status_code == 200
    assert "This code is not correct, or it has already been used." in response.get_data(as_text=True)
    assert client.get("/account").status_code == 302
    assert db.session.get(security.LoginThrottle, security.throttle_key("ana@example.org")).failures == 1

    # Someone who knows the password cannot try every code: the account name locks.
    for _ in range(security.FREE_FAILURES - 1):
        client.submit("/login/code", {"code": "000000"}, environ_overrides={"REMOTE_ADDR": "203.0.113.5"})
    response = client.submit(
        "/login/code", {"code": _next_code(secret)}, environ_overrides={"REMOTE_ADDR": "203.0.113.6"}
    )
    assert response.status_code == 429 and int(response.headers["Retry-After"]) > 0


def test_a_code_is_accepted_once_only(app, official, db):
    user = db.session.get(User, official.id)
    secret = twofactor.pending_secret(user)
    now = time.time()
    assert twofactor.confirm_enrolment(user, pyotp.TOTP(secret).at(now)) is not None
    # The code that confirmed the set-up cannot log in, even within its 30 seconds.
    assert not twofactor.verify_totp(user, pyotp.TOTP(secret).at(now), now=now)
    later = pyotp.TOTP(secret).at(now + 30)
    assert twofactor.verify_totp(user, later, now=now + 30)
    assert not twofactor.verify_totp(user, later, now=now + 30)
    # Nor can an older code once a newer one was used.
    assert not twofactor.verify_totp(user, pyotp.TOTP(secret).at(now), now=now + 30)


def test_codes_from_far_away_times_are_refused(app, official, db):
    user = db.session.get(User, official.id)
    secret = twofactor.pending_secret(user)
    assert twofactor.confirm_enrolment(user, pyotp.TOTP(secret).at(time.time() - 300)) is None
    assert twofactor.confirm_enrolment(user, "not a code") is None
    assert not user.has_second_factor


def test_a_recovery_code_logs_in_once(app, client, official):
    client.login("ana@example.org")
    _, codes = _enrol(client)
    client.submit("/logout", form_url="/")

    client.submit("/login", {"email": "ana@example.org", "password": PASSWORD})
    response = client.submit("/login/code", {"code": codes[0].upper().replace("-", " ")})
    assert response.status_code == 302
    page = client.get("/?lang=en").get_data(as_text=True)
    assert "You used a recovery code; 9 are left." in html.unescape(page)
    client.submit("/logout", form_url="/")

    client.submit("/login", {"email": "ana@example.org", "password": PASSWORD})
    response = client.submit("/login/code?lang=en", {"code": codes[0]}, form_url="/login/code?lang=en")
    assert response.status_code == 200
    assert client.get("/account").status_code == 302


def test_the_code_page_without_a_password_first_sends_to_the_login(client):
    response = client.get("/login/code")
    assert response.status_code == 302 and response.headers["Location"] == "/login"


def test_a_half_done_login_expires(app, client, official):
    client.login("ana@example.org")
    secret, _ = _enrol(client)
    client.submit("/logout", form_url="/")
    client.submit("/login", {"email": "ana@example.org", "password": PASSWORD})
    with client.session_transaction() as session:
        state = session["pending_login"]
        state["at"] -= 3600
        session["pending_login"] = state
    response = client.submit("/login/code", {"code": _next_code(secret)}, form_url="/login")
    assert response.status_code == 302 and response.headers["Location"] == "/login"
    assert client.get("/account").status_code == 302


# -- required in production -------------------------------------------------------------------------------


def test_a_required_account_without_one_sets_it_up_before_being_logged_in(app, client, official, db):
    app.config["CONSULT_REQUIRE_SECOND_FACTOR"] = True
    response = client.submit("/login?next=/account", {"email": "ana@example.org", "password": PASSWORD})
    assert response.headers["Location"] == "/account/two-factor/setup"
    assert client.get("/account").status_code == 302
    page = client.get("/account/two-factor/setup?lang=en").get_data(as_text=True)
    assert "Your account can read testimonies or response data" in page
    assert 'name="password"' not in page  # the password was just given
    secret = _secret_on(page)

    response = client.submit(
        "/account/two-factor/setup?lang=en", {"code": "123456"}, form_url="/account/two-factor/setup?lang=en"
    )
    assert "This code is not correct." in response.get_data(as_text=True)
    assert client.get("/account").status_code == 302

    response = client.submit(
        "/account/two-factor/setup?lang=en",
        {"code": pyotp.TOTP(secret).now()},
        form_url="/account/two-factor/setup?lang=en",
    )
    page = response.get_data(as_text=True)
    assert len(_codes_on(page)) == 10 and 'href="/account"' in page
    assert client.get("/account").status_code == 200
    assert db.session.get(User, official.id).has_second_factor


def test_accounts_that_need_none_log_in_with_the_password(app, client, create_territory, create_user):
    app.config["CONSULT_REQUIRE_SECOND_FACTOR"] = True
    territory = create_territory("salta", "Salta", "AR")
    create_user("fa@example.org", roles={territory: ["facilitator"]})
    response = client.submit("/login", {"email": "fa@example.org", "password": PASSWORD})
    assert response.headers["Location"] == "/"
    assert client.get("/account").status_code == 200


def test_a_required_second_factor_cannot_be_turned_off(app, client, official):
    client.login("ana@example.org")
    _enrol(client)
    app.config["CONSULT_REQUIRE_SECOND_FACTOR"] = True
    page = client.get("/account/two-factor?lang=en").get_data(as_text=True)
    assert "Your account must keep a second factor" in page and "Turn off the second factor" not in page
    client.submit("/account/two-factor/disable", {"off_password": PASSWORD}, form_url="/account/two-factor")
    assert User.query.filter_by(email="ana@example.org").one().has_second_factor


# -- managing it from the account page ---------------------------------------------------------------------


def test_turning_it_off_needs_the_password(app, client, official, db):
    client.login("ana@example.org")
    _enrol(client)
    response = client.submit(
        "/account/two-factor/disable?lang=en", {"off_password": "wrong"}, form_url="/account/two-factor?lang=en"
    )
    assert response.status_code == 400
    assert "The password is not correct." in response.get_data(as_text=True)
    assert db.session.get(User, official.id).has_second_factor

    response = client.submit("/account/two-factor/disable", {"off_password": PASSWORD}, form_url="/account/two-factor")
    assert response.status_code == 302
    user = db.session.get(User, official.id)
    assert not user.has_second_factor and user.totp_secret is None
    assert db.session.scalars(db.select(security.RecoveryCode)).all() == []
    # And the next login needs the password only.
    client.submit("/logout", form_url="/")
    assert client.login("ana@example.org").headers["Location"] == "/"


def test_new_recovery_codes_replace_the_old_ones(app, client, official):
    client.login("ana@example.org")
    _, old = _enrol(client)
    response = client.submit(
        "/account/two-factor/recovery-codes?lang=en", {"password": "wrong"}, form_url="/account/two-factor?lang=en"
    )
    assert response.status_code == 400 and "The password is not correct." in response.get_data(as_text=True)
    response = client.submit(
        "/account/two-factor/recovery-codes?lang=en", {"password": PASSWORD}, form_url="/account/two-factor?lang=en"
    )
    new = _codes_on(response.get_data(as_text=True))
    assert len(new) == 10 and not set(new) & set(old)
    client.submit("/logout", form_url="/")
    client.submit("/login", {"email": "ana@example.org", "password": PASSWORD})
    assert client.submit("/login/code", {"code": old[0]}).status_code == 200
    assert client.submit("/login/code", {"code": new[0]}).status_code == 302


def test_setting_up_again_on_a_new_phone_needs_the_password_and_replaces_the_secret(app, client, official, db):
    client.login("ana@example.org")
    first, _ = _enrol(client)
    page = client.get("/account/two-factor/setup?lang=en").get_data(as_text=True)
    second = _secret_on(page)
    assert second != first
    response = client.submit(
        "/account/two-factor/setup?lang=en",
        {"password": "wrong", "code": pyotp.TOTP(second).now()},
        form_url="/account/two-factor/setup?lang=en",
    )
    assert "The password is not correct." in response.get_data(as_text=True)
    assert twofactor.secret_of(db.session.get(User, official.id)) == first
    client.submit(
        "/account/two-factor/setup",
        {"password": PASSWORD, "code": pyotp.TOTP(second).now()},
        form_url="/account/two-factor/setup",
    )
    assert twofactor.secret_of(db.session.get(User, official.id)) == second


def test_the_pages_need_a_login(client):
    assert client.get("/account/two-factor").status_code == 302
    assert client.get("/account/two-factor/setup").headers["Location"] == "/login"
