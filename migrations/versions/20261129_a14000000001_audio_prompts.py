"""audio prompts per text and language (recorded or synthesised)

Revision ID: a14000000001
Revises: a11000000003
Create Date: 2026-11-29 18:00:00

"""

import sqlalchemy as sa
from alembic import op

# revision identifiers, used by Alembic.
revision = "a14000000001"
down_revision = "a11000000003"
branch_labels = None
depends_on = None


def upgrade():
    op.create_table(
        "audio_prompts",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("instrument_version_id", sa.Integer(), nullable=False),
        sa.Column("path", sa.String(length=255), nullable=False),
        sa.Column("language", sa.String(length=16), nullable=False),
        sa.Column("source", sa.String(length=12), nullable=False),
        sa.Column("audio", sa.LargeBinary(), nullable=False),
        sa.Column("mime_type", sa.String(length=40), nullable=False),
        sa.Column("seconds", sa.Float(), nullable=False),
        sa.Column("text_hash", sa.String(length=16), nullable=False),
        sa.Column("digest", sa.String(length=16), nullable=False),
        sa.Column("uploaded_by_id", sa.Integer(), nullable=True),
        sa.Column("created_at", sa.DateTime(), nullable=False),
        sa.ForeignKeyConstraint(
            ["instrument_version_id"],
            ["instrument_versions.id"],
            name=op.f("fk_audio_prompts_instrument_version_id_instrument_versions"),
            ondelete="CASCADE",
        ),
        sa.ForeignKeyConstraint(
            ["uploaded_by_id"], ["users.id"], name=op.f("fk_audio_prompts_uploaded_by_id_users"), ondelete="SET NULL"
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_audio_prompts")),
        sa.UniqueConstraint(
            "instrument_version_id",
            "path",
            "language",
            name=op.f("uq_audio_prompts_instrument_version_id_path_language"),
        ),
    )
    with op.batch_alter_table("audio_prompts", schema=None) as batch_op:
        batch_op.create_index(
            batch_op.f("ix_audio_prompts_instrument_version_id"), ["instrument_version_id"], unique=False
        )
    with op.batch_alter_table("instrument_versions", schema=None) as batch_op:
        batch_op.add_column(sa.Column("recorded_audio", sa.JSON(), nullable=True))


def downgrade():
    with op.batch_alter_table("instrument_versions", schema=None) as batch_op:
        batch_op.drop_column("recorded_audio")
    with op.batch_alter_table("audio_prompts", schema=None) as batch_op:
        batch_op.drop_index(batch_op.f("ix_audio_prompts_instrument_version_id"))
    op.drop_table("audio_prompts")
