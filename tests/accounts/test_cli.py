"""The accounts, territories and demo commands."""

from __future__ import annotations

from sqlalchemy import func, select

from consult.accounts.models import Locality, Membership, Territory, User


def test_create_admin_and_territory(runner, db):
    result = runner.invoke(
        args=["accounts", "create-admin", "--email", "Root@Example.org", "--password", "a-long-password"]
    )
    assert result.exit_code == 0, result.output
    assert db.session.scalar(select(User).where(User.email == "root@example.org")).is_network_admin
    result = runner.invoke(
        args=["territories", "add", "salta", "--name", "Salta", "--country", "AR", "--subdivision", "AR-A"]
    )
    assert result.exit_code == 0, result.output
    territory = db.session.scalar(select(Territory).where(Territory.slug == "salta"))
    assert territory.subdivision_code == "AR-A" and territory.enabled_languages == ["es", "en", "pt"]
    result = runner.invoke(args=["territories", "add", "salta", "--name", "Again", "--country", "AR"])
    assert result.exit_code != 0 and "already exists" in result.output


def test_create_admin_refuses_a_short_password(runner):
    result = runner.invoke(args=["accounts", "create-admin", "--email", "root@example.org", "--password", "short"])
    assert result.exit_code != 0 and "at least 10" in result.output


def test_import_localities(runner, db, create_territory, tmp_path):
    create_territory("salta", country="AR")
    bad = tmp_path / "bad.csv"
    bad.write_text("code,name\n66007,Cafayate\n,Sin código\n", encoding="utf-8")
    result = runner.invoke(args=["territories", "import-localities", "salta", str(bad)])
    assert result.exit_code != 0 and "Row 3" in result.output
    assert db.session.scalar(select(func.count(Locality.id))) == 0
    good = tmp_path / "good.csv"
    good.write_text(
        "\ufeffcode,name,area\n66007,Cafayate,Valles Calchaquíes\n66028,Capital,Valle de Lerma\n", encoding="utf-8"
    )
    result = runner.invoke(args=["territories", "import-localities", "salta", str(good)])
    assert result.exit_code == 0 and "2 localities created" in result.output


def test_demo_seed_is_idempotent_and_prints_logins(runner, db):
    first = runner.invoke(args=["demo", "seed"])
    assert first.exit_code == 0, first.output
    assert "official.antioquia@demo.consult.example" in first.output
    counts = (db.session.scalar(select(func.count(User.id))), db.session.scalar(select(func.count(Membership.id))))
    second = runner.invoke(args=["demo", "seed"])
    assert second.exit_code == 0, second.output
    assert (
        db.session.scalar(select(func.count(User.id))),
        db.session.scalar(select(func.count(Membership.id))),
    ) == counts
    assert db.session.scalar(select(func.count(Territory.id))) == 2
