"""The migrations build exactly the models' schema, and every step goes down and up again."""

from __future__ import annotations

import flask_migrate
from alembic.autogenerate import compare_metadata
from alembic.migration import MigrationContext
from alembic.script import ScriptDirectory
from sqlalchemy import inspect

from consult import create_app
from consult.extensions import db
from tests.fixtures.database import PG_URL, scratch_postgres_url


def _fresh_app(tmp_path):
    if PG_URL:
        url = scratch_postgres_url(PG_URL)
    else:
        url = f"sqlite:///{tmp_path / 'migrations.sqlite3'}"
    return create_app({"env": "testing", "database_url": url})


def _diff() -> list:
    with db.engine.connect() as connection:
        context = MigrationContext.configure(connection, opts={"compare_type": True})
        return compare_metadata(context, db.metadata)


def test_migrated_schema_equals_models(tmp_path):
    app = _fresh_app(tmp_path)
    with app.app_context():
        flask_migrate.upgrade()
        assert _diff() == []
        db.engine.dispose()


def test_every_migration_downgrades_and_upgrades(tmp_path):
    app = _fresh_app(tmp_path)
    with app.app_context():
        script = ScriptDirectory.from_config(app.extensions["migrate"].migrate.get_config())
        revisions = list(reversed(list(script.walk_revisions())))
        assert revisions, "no migrations"
        for revision in revisions:
            flask_migrate.upgrade(revision=revision.revision)
            flask_migrate.downgrade(revision=revision.down_revision or "base")
            flask_migrate.upgrade(revision=revision.revision)
        assert _diff() == []
        flask_migrate.downgrade(revision="base")
        assert set(inspect(db.engine).get_table_names()) <= {"alembic_version"}
        db.engine.dispose()


def test_one_head_only(app):
    script = ScriptDirectory.from_config(app.extensions["migrate"].migrate.get_config())
    assert len(script.get_heads()) == 1, f"several migration heads: {script.get_heads()}"
