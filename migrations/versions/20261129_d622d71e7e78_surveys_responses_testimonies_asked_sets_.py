"""surveys, responses, testimonies: asked sets (the base of shares), testimony group

Revision ID: d622d71e7e78
Revises: 1b0d66ddfa63
Create Date: 2026-11-29 04:55:28.305842

"""
from contextlib import contextmanager

from alembic import op
import sqlalchemy as sa


# revision identifiers, used by Alembic.
revision = 'd622d71e7e78'
down_revision = '1b0d66ddfa63'
branch_labels = None
depends_on = None

# Tables that point at the set of questions each row's person was asked.
ASKED_TABLES = ('responses', 'testimonies')


def _is_sqlite():
    return op.get_bind().dialect.name == 'sqlite'


@contextmanager
def _sqlite_foreign_keys_off():
    """Let batch mode rebuild tables on SQLite without cascading deletes.

    Batch mode copies a table, drops the old one and renames the copy. With
    foreign keys enforced, dropping ``responses`` deletes every answer row by
    cascade. The pragma is ignored inside a transaction, so the one the driver
    holds open is committed first (SQLite DDL is not rolled back by Alembic anyway).
    """
    if not _is_sqlite():
        yield
        return
    driver = op.get_bind().connection.dbapi_connection
    if driver.in_transaction:
        driver.commit()
    driver.execute('PRAGMA foreign_keys=OFF')
    if driver.execute('PRAGMA foreign_keys').fetchone()[0]:
        raise RuntimeError('could not turn SQLite foreign keys off: refusing to rebuild tables')
    try:
        yield
        if driver.in_transaction:
            driver.commit()
    finally:
        driver.execute('PRAGMA foreign_keys=ON')


def _add_asked_set_id(table):
    with op.batch_alter_table(table, schema=None) as batch_op:
        batch_op.add_column(sa.Column('asked_set_id', sa.Integer(), nullable=True))
        batch_op.create_index(batch_op.f(f'ix_{table}_asked_set_id'), ['asked_set_id'], unique=False)
        batch_op.create_foreign_key(batch_op.f(f'fk_{table}_asked_set_id_asked_sets'), 'asked_sets',
                                    ['asked_set_id'], ['id'], ondelete='SET NULL')


def _drop_asked_set_id(table):
    with op.batch_alter_table(table, schema=None) as batch_op:
        batch_op.drop_constraint(batch_op.f(f'fk_{table}_asked_set_id_asked_sets'), type_='foreignkey')
        batch_op.drop_index(batch_op.f(f'ix_{table}_asked_set_id'))
        batch_op.drop_column('asked_set_id')


def upgrade():
    op.create_table('asked_sets',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('instrument_version_id', sa.Integer(), nullable=False),
    sa.Column('digest', sa.String(length=64), nullable=False),
    sa.ForeignKeyConstraint(['instrument_version_id'], ['instrument_versions.id'], name=op.f('fk_asked_sets_instrument_version_id_instrument_versions'), ondelete='CASCADE'),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_asked_sets')),
    sa.UniqueConstraint('instrument_version_id', 'digest', name=op.f('uq_asked_sets_instrument_version_id_digest'))
    )
    op.create_table('asked_set_questions',
    sa.Column('asked_set_id', sa.Integer(), nullable=False),
    sa.Column('question_key', sa.String(length=64), nullable=False),
    sa.ForeignKeyConstraint(['asked_set_id'], ['asked_sets.id'], name=op.f('fk_asked_set_questions_asked_set_id_asked_sets'), ondelete='CASCADE'),
    sa.PrimaryKeyConstraint('asked_set_id', 'question_key', name=op.f('pk_asked_set_questions'))
    )
    with _sqlite_foreign_keys_off():
        for table in ASKED_TABLES:
            _add_asked_set_id(table)
    # Testimonies sent before this migration have no group: ``flask responses fill-asked`` fills what it can.
    op.add_column('testimonies', sa.Column('group_code', sa.String(length=40), nullable=True))


def downgrade():
    op.drop_column('testimonies', 'group_code')
    with _sqlite_foreign_keys_off():
        for table in reversed(ASKED_TABLES):
            _drop_asked_set_id(table)
    op.drop_table('asked_set_questions')
    op.drop_table('asked_sets')
