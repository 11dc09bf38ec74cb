"""exports: export jobs (files bound to an account, expiring) and the export audit log

Revision ID: 9ff8246d0d22
Revises: 3f12d77b85ac
Create Date: 2026-11-29 08:35:55.162415

"""
from alembic import op
import sqlalchemy as sa


# revision identifiers, used by Alembic.
revision = '9ff8246d0d22'
down_revision = '3f12d77b85ac'
branch_labels = None
depends_on = None


def upgrade():
    op.create_table('export_jobs',
    sa.Column('id', sa.String(length=64), nullable=False),
    sa.Column('user_id', sa.Integer(), nullable=False),
    sa.Column('territory_id', sa.Integer(), nullable=False),
    sa.Column('consultation_id', sa.Integer(), nullable=False),
    sa.Column('kind', sa.String(length=20), nullable=False),
    sa.Column('fmt', sa.String(length=20), nullable=False),
    sa.Column('layout', sa.String(length=20), nullable=False),
    sa.Column('lang', sa.String(length=8), nullable=False),
    sa.Column('status', sa.Enum('queued', 'running', 'done', 'failed', name='export_job_status', native_enum=False, length=40), nullable=False),
    sa.Column('progress_done', sa.Integer(), nullable=False),
    sa.Column('progress_total', sa.Integer(), nullable=False),
    sa.Column('file_name', sa.String(length=200), nullable=False),
    sa.Column('path', sa.String(length=500), nullable=True),
    sa.Column('size', sa.BigInteger(), nullable=True),
    sa.Column('error_code', sa.String(length=40), nullable=True),
    sa.Column('created_at', sa.DateTime(), nullable=False),
    sa.Column('finished_at', sa.DateTime(), nullable=True),
    sa.Column('expires_at', sa.DateTime(), nullable=False),
    sa.ForeignKeyConstraint(['consultation_id'], ['consultations.id'], name=op.f('fk_export_jobs_consultation_id_consultations'), ondelete='CASCADE'),
    sa.ForeignKeyConstraint(['territory_id'], ['territories.id'], name=op.f('fk_export_jobs_territory_id_territories'), ondelete='CASCADE'),
    sa.ForeignKeyConstraint(['user_id'], ['users.id'], name=op.f('fk_export_jobs_user_id_users'), ondelete='CASCADE'),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_export_jobs'))
    )
    with op.batch_alter_table('export_jobs', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_export_jobs_consultation_id'), ['consultation_id'], unique=False)
        batch_op.create_index(batch_op.f('ix_export_jobs_expires_at'), ['expires_at'], unique=False)
        batch_op.create_index(batch_op.f('ix_export_jobs_territory_id'), ['territory_id'], unique=False)
        batch_op.create_index(batch_op.f('ix_export_jobs_user_id'), ['user_id'], unique=False)

    # The audit log outlives jobs, accounts and consultations: its references become empty, the lines stay.
    op.create_table('export_events',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('user_id', sa.Integer(), nullable=True),
    sa.Column('via', sa.Enum('web', 'command_line', name='export_via', native_enum=False, length=40), nullable=False),
    sa.Column('territory_id', sa.Integer(), nullable=True),
    sa.Column('consultation_id', sa.Integer(), nullable=True),
    sa.Column('job_id', sa.String(length=64), nullable=True),
    sa.Column('kind', sa.String(length=20), nullable=False),
    sa.Column('fmt', sa.String(length=20), nullable=False),
    sa.Column('layout', sa.String(length=20), nullable=False),
    sa.Column('lang', sa.String(length=8), nullable=False),
    sa.Column('outcome', sa.Enum('started', 'done', 'failed', name='export_outcome', native_enum=False, length=40), nullable=False),
    sa.Column('created_at', sa.DateTime(), nullable=False),
    sa.ForeignKeyConstraint(['consultation_id'], ['consultations.id'], name=op.f('fk_export_events_consultation_id_consultations'), ondelete='SET NULL'),
    sa.ForeignKeyConstraint(['job_id'], ['export_jobs.id'], name=op.f('fk_export_events_job_id_export_jobs'), ondelete='SET NULL'),
    sa.ForeignKeyConstraint(['territory_id'], ['territories.id'], name=op.f('fk_export_events_territory_id_territories'), ondelete='SET NULL'),
    sa.ForeignKeyConstraint(['user_id'], ['users.id'], name=op.f('fk_export_events_user_id_users'), ondelete='SET NULL'),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_export_events'))
    )
    with op.batch_alter_table('export_events', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_export_events_consultation_id'), ['consultation_id'], unique=False)
        batch_op.create_index(batch_op.f('ix_export_events_created_at'), ['created_at'], unique=False)
        batch_op.create_index(batch_op.f('ix_export_events_job_id'), ['job_id'], unique=False)
        batch_op.create_index(batch_op.f('ix_export_events_territory_id'), ['territory_id'], unique=False)
        batch_op.create_index(batch_op.f('ix_export_events_user_id'), ['user_id'], unique=False)



def downgrade():
    with op.batch_alter_table('export_events', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_export_events_user_id'))
        batch_op.drop_index(batch_op.f('ix_export_events_territory_id'))
        batch_op.drop_index(batch_op.f('ix_export_events_job_id'))
        batch_op.drop_index(batch_op.f('ix_export_events_created_at'))
        batch_op.drop_index(batch_op.f('ix_export_events_consultation_id'))

    op.drop_table('export_events')
    with op.batch_alter_table('export_jobs', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_export_jobs_user_id'))
        batch_op.drop_index(batch_op.f('ix_export_jobs_territory_id'))
        batch_op.drop_index(batch_op.f('ix_export_jobs_expires_at'))
        batch_op.drop_index(batch_op.f('ix_export_jobs_consultation_id'))

    op.drop_table('export_jobs')
