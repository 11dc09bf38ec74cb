"""four-eyes excerpt approval and a tamper-evident audit chain

Revision ID: a11000000003
Revises: a11000000002
Create Date: 2026-11-29 15:00:00

"""
from alembic import op
import sqlalchemy as sa


# revision identifiers, used by Alembic.
revision = 'a11000000003'
down_revision = 'a11000000002'
branch_labels = None
depends_on = None


def upgrade():
    pass


def downgrade():
    pass
