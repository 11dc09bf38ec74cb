"""Findings 1, 4 and 8 of the outside probe: login timing, sessions after logout, per-account throttling."""

from __future__ import annotations

import re
from datetime import timedelta

import pytest
from argon2 import PasswordHasher

from consult.accounts import security, services
from consult.accounts.models import User
from consult.core.db import utcnow
from tests.fixtures.factories import PASSWORD


def _post_login(client, email, password, address="198.51.100.1", lang="en"):
    """A login POST from ``address`` (the limiter counts per address; a distributed guess uses many)."""
    token = client.csrf_token(f"/login?lang={lang}")
    return client.post(
        f"/login?lang={lang}",
        data={"csrf_token": token, "email": email, "password": password},
        environ_overrides={"REMOTE_ADDR": address},
    )


# -- finding 1: the same work for known and unknown emails --------------------------------------------


@pytest.fixture
def argon2_calls(monkeypatch):
    """Counts argon2 hashes and verifications (the costly operations a login can do)."""
    calls = {"hash": 0, "verify": 0}
    real_hash, real_verify = PasswordHasher.hash, PasswordHasher.verify

    def counted_hash(self, *args, **kwargs):
        calls["hash"] += 1
        return real_hash(self, *args, **kwargs)

    def counted_verify(self, *args, **kwargs):
        calls["verify"] += 1
        return real_verify(self, *args, **kwargs)

    monkeypatch.setattr(PasswordHasher, "hash", counted_hash)
    monkeypatch.setattr(PasswordHasher, "verify", counted_verify)

    def measure(email, password):
        calls.update(hash=0, verify=0)
        services.authenticate(email, password)
        return dict(calls)

    return measure


def test_login_does_the_same_argon2_work_for_known_unknown_and_disabled_accounts(app, create_user, db, argon2_calls):
    create_user("ana@example.org")
    disabled = create_user("old@example.org")
    disabled.is_active = False
    db.session.commit()
    # Whichever path comes first in a process may make the dummy hash once; measure after that.
    argon2_calls("nobody@example.org", "wrong-password")

    known_wrong = argon2_calls("ana@example.org", "wrong-password")
    unknown = argon2_calls("nobody@example.org", "wrong-password")
    disabled_account = argon2_calls("old@example.org", PASSWORD)
    known_right = argon2_calls("ana@example.org", PASSWORD)

    assert known_wrong == unknown == disabled_account == known_right == {"hash": 0, "verify": 1}


def test_the_dummy_hash_uses_the_same_parameters_as_real_ones(app, create_user):
    user = create_user("ana@example.org")
    dummy = services._dummy_hash(app.config["CONSULT_ARGON2_TIME_COST"], app.config["CONSULT_ARGON2_MEMORY_COST"])
    assert dummy.split("$")[3] == user.password_hash.split("$")[3]  # m=…,t=…,p=…


def test_unknown_and_disabled_accounts_are_refused(app, create_user, db):
    disabled = create_user("old@example.org")
    disabled.is_active = False
    db.session.commit()
    assert services.authenticate("nobody@example.org", PASSWORD) is None
    assert services.authenticate("old@example.org", PASSWORD) is None
    assert services.authenticate("OLD@example.org ", "not-a-real-password-for-timing") is None


# -- finding 4: a session ends on the server ---------------------------------------------------------------


def _session_cookie(client) -> str:
    cookie = client.get_cookie("session")
    assert cookie is not None
    return cookie.value


def test_a_session_cookie_saved_before_logout_does_not_work_after_it(app, create_user):
    create_user("ana@example.org", "Ana")
    client = app.test_client()
    client.login("ana@example.org")
    assert client.get("/account?lang=en").status_code == 200
    saved = _session_cookie(client)

    client.submit("/logout", form_url="/")
    assert client.get("/account").status_code == 302

    # Someone who copied the cookie replays it, in another browser.
    thief = app.test_client()
    thief.set_cookie("session", saved)
    response = thief.get("/account")
    assert response.status_code == 302 and "/login" in response.headers["Location"]
    assert "Log out" not in thief.get("/?lang=en").get_data(as_text=True)


def test_logging_out_ends_the_sessions_on_other_devices_too(app, create_user):
    create_user("ana@example.org")
    phone, laptop = app.test_client(), app.test_client()
    phone.login("ana@example.org")
    laptop.login("ana@example.org")
    phone.submit("/logout", form_url="/")
    assert laptop.get("/account").status_code == 302


def test_a_session_cookie_saved_before_a_password_change_does_not_work_after_it(app, create_user):
    create_user("ana@example.org")
    client = app.test_client()
    client.login("ana@example.org")
    saved = _session_cookie(client)
    response = client.submit(
        "/account/password", {"current": PASSWORD, "new": "a-new-long-password", "confirm": "a-new-long-password"}
    )
    assert response.status_code == 302
    assert client.get("/account").status_code == 200  # this session goes on with the new token

    thief = app.test_client()
    thief.set_cookie("session", saved)
    assert thief.get("/account").status_code == 302


def test_logging_in_again_after_logout_works(app, create_user):
    create_user("ana@example.org")
    client = app.test_client()
    client.login("ana@example.org")
    client.submit("/logout", form_url="/")
    client.login("ana@example.org")
    assert client.get("/account").status_code == 200


# -- finding 8: per-account throttling, Retry-After, no account enumeration ------------------------------


def test_a_slow_guess_from_many_addresses_locks_the_account_name(app, client, create_user):
    create_user("ana@example.org")
    for attempt in range(security.FREE_FAILURES):
        response = _post_login(client, "ana@example.org", f"guess-{attempt}", address=f"203.0.113.{attempt + 1}")
        assert response.status_code == 200
        assert "The email or the password is not correct." in response.get_data(as_text=True)

    # The next try, from yet another address and even with the right password, waits.
    response = _post_login(client, "ana@example.org", PASSWORD, address="203.0.113.200")
    assert response.status_code == 429
    assert 55 <= int(response.headers["Retry-After"]) <= 60
    body = response.get_data(as_text=True)
    assert "Too many unsuccessful attempts for this account. Please wait 1 minute before trying again." in body
    assert client.get("/account").status_code == 302  # not logged in


def test_throttling_answers_the_same_for_an_unknown_email(app, create_user):
    create_user("ana@example.org")

    def run(email):
        client = app.test_client()
        seen = []
        for attempt in range(security.FREE_FAILURES + 2):
            response = _post_login(client, email, "wrong-password", address=f"192.0.2.{attempt + 1}")
            body = re.sub(r'name="csrf_token"[^>]*>', "", response.get_data(as_text=True))
            seen.append((response.status_code, response.headers.get("Retry-After"), body.replace(email, "EMAIL")))
        return seen

    known, unknown = run("ana@example.org"), run("nobody@example.org")
    assert [s for s, _, _ in known] == [200] * security.FREE_FAILURES + [429, 429]
    assert [(s, r) for s, r, _ in known] == [(s, r) for s, r, _ in unknown]
    assert [b for _, _, b in known] == [b for _, _, b in unknown]


def test_locks_grow_exponentially_and_are_capped():
    assert security.lock_for(security.FREE_FAILURES - 1) is None
    assert security.lock_for(security.FREE_FAILURES) == timedelta(minutes=1)
    assert security.lock_for(security.FREE_FAILURES + 1) == timedelta(minutes=2)
    assert security.lock_for(security.FREE_FAILURES + 3) == timedelta(minutes=8)
    assert security.lock_for(security.FREE_FAILURES + 40) == security.MAX_LOCK


def test_after_the_lock_the_right_password_logs_in_and_clears_the_count(app, client, create_user, db):
    create_user("ana@example.org")
    for attempt in range(security.FREE_FAILURES):
        _post_login(client, "ana@example.org", "wrong", address=f"203.0.113.{attempt + 1}")
    row = db.session.get(security.LoginThrottle, security.throttle_key("ana@example.org"))
    assert row.failures == security.FREE_FAILURES and row.locked_until is not None
    # The lock runs out.
    row.locked_until = utcnow() - timedelta(seconds=1)
    db.session.commit()

    response = _post_login(client, "ana@example.org", PASSWORD, address="203.0.113.99")
    assert response.status_code == 302
    db.session.expire_all()
    assert db.session.get(security.LoginThrottle, security.throttle_key("ana@example.org")) is None


def test_a_further_failure_after_the_lock_locks_for_longer(app, client, create_user, db):
    create_user("ana@example.org")
    for attempt in range(security.FREE_FAILURES):
        _post_login(client, "ana@example.org", "wrong", address=f"203.0.113.{attempt + 1}")
    row = db.session.get(security.LoginThrottle, security.throttle_key("ana@example.org"))
    row.locked_until = utcnow() - timedelta(seconds=1)
    db.session.commit()
    assert _post_login(client, "ana@example.org", "wrong", address="203.0.113.50").status_code == 200
    response = _post_login(client, "ana@example.org", "wrong", address="203.0.113.51")
    assert response.status_code == 429
    assert 115 <= int(response.headers["Retry-After"]) <= 120
    assert "Please wait 2 minutes before trying again." in response.get_data(as_text=True)


def test_old_failures_are_forgotten(app, create_user, db):
    security.record_failure("ana@example.org", now=utcnow() - timedelta(days=2))
    db.session.commit()
    assert security.forget_old_failures() == 1
    # And a failure long after the previous ones starts counting again from one.
    for _ in range(3):
        security.record_failure("bea@example.org", now=utcnow() - timedelta(days=2))
    security.record_failure("bea@example.org")
    assert db.session.get(security.LoginThrottle, security.throttle_key("bea@example.org")).failures == 1


def test_the_throttle_table_holds_no_email(app, client, create_user, db):
    create_user("ana@example.org")
    _post_login(client, "ana@example.org", "wrong")
    keys = db.session.scalars(db.select(security.LoginThrottle.key)).all()
    assert keys and all("ana" not in key and re.fullmatch(r"[0-9a-f]{64}", key) for key in keys)


def test_the_address_limit_says_when_to_come_back(app, client, create_user):
    create_user("ana@example.org")
    emails = [f"person{n}@example.org" for n in range(11)]
    responses = [_post_login(client, email, "wrong", address="198.51.100.7") for email in emails]
    assert [r.status_code for r in responses[:10]] == [200] * 10
    assert responses[10].status_code == 429
    # The limiter rounds its window's end up to the next second.
    assert 1 <= int(responses[10].headers["Retry-After"]) <= 61


def test_a_successful_login_clears_earlier_failures_and_stale_counters(app, client, create_user, db):
    user = create_user("ana@example.org")
    security.record_failure("someone-else@example.org", now=utcnow() - timedelta(days=2))
    db.session.commit()
    for attempt in range(3):
        _post_login(client, "ana@example.org", "wrong", address=f"203.0.113.{attempt + 1}")
    assert _post_login(client, "ana@example.org", PASSWORD, address="203.0.113.9").status_code == 302
    assert db.session.get(security.LoginThrottle, security.throttle_key(user.email)) is None
    assert db.session.get(User, user.id).is_active
    assert db.session.scalars(db.select(security.LoginThrottle)).all() == []
