"""Gaps the threat model named: second-factor secrets at rest, a lost phone, four eyes in the demo, the audit key."""

from __future__ import annotations

import base64
import time

import pyotp
import pytest
from sqlalchemy import inspect, select, text

from config import ConfigError, load_settings
from consult.accounts import twofactor
from consult.accounts.models import Membership, Role, Territory, User
from consult.accounts.security import RecoveryCode
from consult.demo import seed_demo


def _enrol(db, user: User) -> str:
    secret = twofactor.pending_secret(user)
    assert twofactor.confirm_enrolment(user, pyotp.TOTP(secret).now())
    db.session.commit()
    return secret


def _raw_dump(db) -> str:
    """Every column of every table as the database holds it (what a stolen backup gives away)."""
    lines = []
    with db.engine.connect() as connection:
        for table in inspect(connection).get_table_names():
            for row in connection.execute(text(f'SELECT * FROM "{table}"')):
                lines.append(" ".join(str(value) for value in row))
    return "\n".join(lines)


def test_a_database_dump_holds_no_second_factor_secret(app, db, create_territory, create_user):
    territory = create_territory("salta", "Salta", "AR")
    official = create_user("ana@example.org", roles={territory: ["official"]})
    other = create_user("beto@example.org", roles={territory: ["moderator"]})
    secret = _enrol(db, official)
    pending = twofactor.pending_secret(other)  # set up started, not confirmed
    db.session.commit()
    dump = _raw_dump(db)
    for value in (secret, pending):
        assert value not in dump and value.lower() not in dump
        assert base64.b32decode(value).hex() not in dump
    stored = db.session.get(User, official.id)
    assert stored.totp_secret and len(stored.totp_secret) <= 64
    assert twofactor.secret_of(stored) == secret
    # The next time step's code (the current one was used up by the enrolment) opens the sealed secret.
    assert twofactor.verify_totp(stored, pyotp.TOTP(secret).at(time.time() + 30))


def test_a_sealed_secret_copied_onto_another_account_does_not_open(app, db, create_territory, create_user):
    territory = create_territory("salta", "Salta", "AR")
    ana = create_user("ana@example.org", roles={territory: ["official"]})
    beto = create_user("beto@example.org", roles={territory: ["official"]})
    _enrol(db, ana)
    beto.totp_secret = ana.totp_secret
    beto.totp_enabled_at = ana.totp_enabled_at
    db.session.commit()
    assert twofactor.secret_of(beto) is None
    assert not twofactor.verify_totp(beto, "123456")


def test_a_secret_stored_in_clear_before_encryption_still_works(app, db, create_territory, create_user):
    territory = create_territory("salta", "Salta", "AR")
    ana = create_user("ana@example.org", roles={territory: ["official"]})
    _enrol(db, ana)
    legacy = pyotp.random_base32()
    ana.totp_secret = legacy
    ana.totp_last_step = None
    db.session.commit()
    assert twofactor.secret_of(ana) == legacy
    assert twofactor.verify_totp(ana, pyotp.TOTP(legacy).now())


def test_an_administrator_resets_a_lost_second_factor(app, db, runner, create_territory, create_user):
    territory = create_territory("salta", "Salta", "AR")
    ana = create_user("ana@example.org", roles={territory: ["official"]})
    _enrol(db, ana)
    assert db.session.scalar(select(RecoveryCode.id).where(RecoveryCode.user_id == ana.id))
    result = runner.invoke(args=["accounts", "reset-second-factor", "Ana@Example.org"])
    assert result.exit_code == 0, result.output
    assert "is off" in result.output
    db.session.expire_all()
    user = db.session.get(User, ana.id)
    assert not user.has_second_factor and user.totp_secret is None
    assert db.session.scalar(select(RecoveryCode.id).where(RecoveryCode.user_id == ana.id)) is None
    again = runner.invoke(args=["accounts", "reset-second-factor", "ana@example.org"])
    assert again.exit_code == 0 and "had no second factor" in again.output
    unknown = runner.invoke(args=["accounts", "reset-second-factor", "nobody@example.org"])
    assert unknown.exit_code != 0 and "No user with email nobody@example.org" in unknown.output


def test_an_account_reset_logs_in_with_the_password_then_sets_up_a_new_factor(
    app, db, client, runner, create_territory, create_user
):
    territory = create_territory("salta", "Salta", "AR")
    ana = create_user("ana@example.org", roles={territory: ["official"]})
    _enrol(db, ana)
    runner.invoke(args=["accounts", "reset-second-factor", "ana@example.org"])
    app.config["CONSULT_REQUIRE_SECOND_FACTOR"] = True
    try:
        response = client.submit("/login", {"email": "ana@example.org", "password": "correct-horse-battery"})
        assert response.status_code == 302 and "/account/two-factor/setup" in response.headers["Location"]
    finally:
        app.config["CONSULT_REQUIRE_SECOND_FACTOR"] = False


def test_the_demo_has_two_moderators_who_complete_an_excerpts_four_eyes(app, db):
    from consult.testimonies import services
    from consult.testimonies.enums import ConsentUse
    from consult.testimonies.models import ExcerptStatus, Testimony

    seed_demo()
    antioquia = db.session.scalar(select(Territory).where(Territory.slug == "antioquia"))
    moderators = db.session.scalars(
        select(User)
        .join(Membership, Membership.user_id == User.id)
        .where(Membership.territory_id == antioquia.id, Membership.role == Role.MODERATOR)
    ).all()
    emails = {user.email for user in moderators}
    assert {"moderator.antioquia@demo.consult.example", "moderator2.antioquia@demo.consult.example"} <= emails
    first = next(u for u in moderators if u.email.startswith("moderator."))
    second = next(u for u in moderators if u.email.startswith("moderator2."))
    # One that allows quotes (without ORDER BY the databases return different rows first).
    candidates = db.session.scalars(
        select(Testimony).where(Testimony.territory_id == antioquia.id).order_by(Testimony.id)
    ).all()
    testimony = next(t for t in candidates if not t.is_closed and t.allows(ConsentUse.QUOTE))
    excerpt = services.propose_excerpt(testimony, "Un pasaje sin nombres.", first)
    services.decide_excerpt(excerpt, True, "Sin nombres.", first)
    services.decide_excerpt(excerpt, True, "De acuerdo.", second)
    db.session.commit()
    assert excerpt.status == ExcerptStatus.APPROVED


def _production_environ(tmp_path) -> dict[str, str]:
    key = base64.urlsafe_b64encode(b"k" * 32).decode()
    return {
        "CONSULT_SECRET_KEY": "s" * 48,
        "CONSULT_DATABASE_URL": f"sqlite:///{tmp_path}/p.db",
        "CONSULT_TESTIMONY_KEYS": f"k1:{key}",
        "CONSULT_AUDIT_KEY": key,
    }


def test_production_refuses_to_start_without_an_audit_key(tmp_path):
    environ = _production_environ(tmp_path)
    assert load_settings("production", instance_path=tmp_path, environ=environ).is_production
    del environ["CONSULT_AUDIT_KEY"]
    with pytest.raises(ConfigError, match="CONSULT_AUDIT_KEY"):
        load_settings("production", instance_path=tmp_path, environ=environ)
    with pytest.raises(ConfigError, match="CONSULT_AUDIT_KEY"):
        load_settings("production", instance_path=tmp_path, environ={**environ, "CONSULT_AUDIT_KEY": "  "})
    assert not (tmp_path / "audit_key").exists()
