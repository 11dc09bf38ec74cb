"""audio prompts per text and language (recorded or synthesised)

Revision ID: a14000000001
Revises: a11000000003
Create Date: 2026-11-29 18:00:00

"""

import sqlalchemy as sa  # noqa: F401
from alembic import op  # noqa: F401

# revision identifiers, used by Alembic.
revision = "a14000000001"
down_revision = "a11000000003"
branch_labels = None
depends_on = None


def upgrade():
    pass


def downgrade():
    pass
