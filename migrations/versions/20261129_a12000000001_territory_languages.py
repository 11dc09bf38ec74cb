"""territory languages: any language by its code, with its endonym and names

Revision ID: a12000000001
Revises: 5d6246aa9e44
Create Date: 2026-11-29 15:00:00

"""
from alembic import op
import sqlalchemy as sa


# revision identifiers, used by Alembic.
revision = 'a12000000001'
down_revision = '5d6246aa9e44'
branch_labels = None
depends_on = None


def upgrade():
    pass


def downgrade():
    pass
