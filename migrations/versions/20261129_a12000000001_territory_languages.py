"""territory languages: any language by its code, with its endonym and names

Revision ID: a12000000001
Revises: 5d6246aa9e44
Create Date: 2026-11-29 15:00:00

A territory's languages become rows (``territory_languages``) instead of a JSON list of codes on
the territory: each has its endonym, its names in es/en/pt and an optional interface language.
Every territory's former ``enabled_languages`` is copied into rows, named from CLDR/IANA data;
the column is then dropped, so the rows are the one source of truth.
"""

from contextlib import contextmanager

import sqlalchemy as sa
from alembic import op

# revision identifiers, used by Alembic.
revision = "a12000000001"
down_revision = "5d6246aa9e44"
branch_labels = None
depends_on = None


@contextmanager
def _sqlite_foreign_keys_off():
    """Let batch mode rebuild ``territories`` on SQLite without cascading deletes.

    Batch mode copies the table, drops the old one and renames the copy; with foreign keys
    enforced, dropping ``territories`` would delete by cascade every row pointing at it
    (memberships, localities, consultations, the language rows just made). The pragma is
    ignored inside a transaction, so the one the driver holds open is committed first.
    """
    if op.get_bind().dialect.name != "sqlite":
        yield
        return
    driver = op.get_bind().connection.dbapi_connection
    if driver.in_transaction:
        driver.commit()
    driver.execute("PRAGMA foreign_keys=OFF")
    if driver.execute("PRAGMA foreign_keys").fetchone()[0]:
        raise RuntimeError("could not turn SQLite foreign keys off: refusing to rebuild tables")
    try:
        yield
        if driver.in_transaction:
            driver.commit()
    finally:
        driver.execute("PRAGMA foreign_keys=ON")


def _names(code):
    # Imported here: the names come from the same code the app uses to suggest them.
    from consult.i18n.languages import suggested_names

    names = suggested_names(code)
    return {key: value[:100] for key, value in names.items()}


def upgrade():
    languages = op.create_table(
        "territory_languages",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("territory_id", sa.Integer(), nullable=False),
        sa.Column("code", sa.String(length=35), nullable=False),
        sa.Column("endonym", sa.String(length=100), nullable=False),
        sa.Column("name_es", sa.String(length=100), nullable=False),
        sa.Column("name_en", sa.String(length=100), nullable=False),
        sa.Column("name_pt", sa.String(length=100), nullable=False),
        sa.Column("interface_language", sa.String(length=8), nullable=True),
        sa.Column("position", sa.Integer(), nullable=False),
        sa.ForeignKeyConstraint(["territory_id"], ["territories.id"], ondelete="CASCADE"),
        sa.PrimaryKeyConstraint("id"),
        sa.UniqueConstraint("territory_id", "code"),
    )
    with op.batch_alter_table("territory_languages", schema=None) as batch_op:
        batch_op.create_index(batch_op.f("ix_territory_languages_territory_id"), ["territory_id"], unique=False)

    territories = sa.table(
        "territories",
        sa.column("id", sa.Integer),
        sa.column("default_language", sa.String),
        sa.column("enabled_languages", sa.JSON),
    )
    connection = op.get_bind()
    rows = []
    for territory_id, default, enabled in connection.execute(
        sa.select(territories.c.id, territories.c.default_language, territories.c.enabled_languages)
    ):
        codes = [code for code in (enabled or []) if isinstance(code, str) and code]
        if default and default not in codes:
            codes.insert(0, default)
        for position, code in enumerate(dict.fromkeys(codes)):
            names = _names(code)
            rows.append(
                {
                    "territory_id": territory_id,
                    "code": code,
                    "endonym": names["endonym"],
                    "name_es": names["es"],
                    "name_en": names["en"],
                    "name_pt": names["pt"],
                    "interface_language": None,
                    "position": position,
                }
            )
    if rows:
        op.bulk_insert(languages, rows)

    with _sqlite_foreign_keys_off():
        with op.batch_alter_table("territories", schema=None) as batch_op:
            batch_op.drop_column("enabled_languages")


def downgrade():
    with _sqlite_foreign_keys_off():
        with op.batch_alter_table("territories", schema=None) as batch_op:
            batch_op.add_column(sa.Column("enabled_languages", sa.JSON(), nullable=True))

    territories = sa.table("territories", sa.column("id", sa.Integer), sa.column("enabled_languages", sa.JSON))
    languages = sa.table(
        "territory_languages",
        sa.column("territory_id", sa.Integer),
        sa.column("code", sa.String),
        sa.column("position", sa.Integer),
    )
    connection = op.get_bind()
    codes = {}
    for territory_id, code in connection.execute(
        sa.select(languages.c.territory_id, languages.c.code).order_by(languages.c.territory_id, languages.c.position)
    ):
        codes.setdefault(territory_id, []).append(code)
    for territory_id, listed in codes.items():
        connection.execute(
            territories.update().where(territories.c.id == territory_id).values(enabled_languages=listed)
        )

    with op.batch_alter_table("territory_languages", schema=None) as batch_op:
        batch_op.drop_index(batch_op.f("ix_territory_languages_territory_id"))
    op.drop_table("territory_languages")
