"""voice recordings: encrypted spoken answers and testimony narratives

Revision ID: a14000000002
Revises: a14000000001
Create Date: 2026-11-29 18:00:00

"""

import sqlalchemy as sa
from alembic import op

# revision identifiers, used by Alembic.
revision = "a14000000002"
down_revision = "a14000000001"
branch_labels = None
depends_on = None


def upgrade():
    op.create_table(
        "testimony_recordings",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("testimony_id", sa.Integer(), nullable=True),
        sa.Column("draft_id", sa.Integer(), nullable=True),
        sa.Column("question_key", sa.String(length=64), nullable=False),
        sa.Column("key_id", sa.String(length=32), nullable=True),
        sa.Column("sealed_audio", sa.LargeBinary(), nullable=True),
        sa.Column("sealed_transcript", sa.LargeBinary(), nullable=True),
        sa.Column("seconds", sa.Float(), nullable=False),
        sa.Column("recorded_on", sa.Date(), nullable=False),
        sa.Column("transcribed_by_id", sa.Integer(), nullable=True),
        sa.Column("transcribed_at", sa.DateTime(), nullable=True),
        sa.ForeignKeyConstraint(["testimony_id"], ["testimonies.id"], ondelete="CASCADE"),
        sa.ForeignKeyConstraint(["draft_id"], ["testimony_drafts.id"], ondelete="CASCADE"),
        sa.ForeignKeyConstraint(["transcribed_by_id"], ["users.id"], ondelete="SET NULL"),
        sa.PrimaryKeyConstraint("id"),
        sa.UniqueConstraint("draft_id", "question_key", name="uq_testimony_recordings_draft_question"),
        sa.UniqueConstraint("testimony_id", "question_key", name="uq_testimony_recordings_testimony_question"),
    )
    op.create_index("ix_testimony_recordings_testimony_id", "testimony_recordings", ["testimony_id"])
    op.create_index("ix_testimony_recordings_draft_id", "testimony_recordings", ["draft_id"])
    op.create_index("ix_testimony_recordings_key_id", "testimony_recordings", ["key_id"])
    op.create_table(
        "answer_recordings",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("consultation_id", sa.Integer(), nullable=False),
        sa.Column("draft_id", sa.Integer(), nullable=True),
        sa.Column("response_id", sa.Integer(), nullable=True),
        sa.Column("question_key", sa.String(length=64), nullable=False),
        sa.Column("key_id", sa.String(length=32), nullable=True),
        sa.Column("sealed_audio", sa.LargeBinary(), nullable=True),
        sa.Column("sealed_transcript", sa.LargeBinary(), nullable=True),
        sa.Column("seconds", sa.Float(), nullable=False),
        sa.Column("recorded_on", sa.Date(), nullable=False),
        sa.Column("transcribed_by_id", sa.Integer(), nullable=True),
        sa.Column("transcribed_at", sa.DateTime(), nullable=True),
        sa.ForeignKeyConstraint(["consultation_id"], ["consultations.id"], ondelete="CASCADE"),
        sa.ForeignKeyConstraint(["draft_id"], ["response_drafts.id"], ondelete="CASCADE"),
        sa.ForeignKeyConstraint(["response_id"], ["responses.id"], ondelete="CASCADE"),
        sa.ForeignKeyConstraint(["transcribed_by_id"], ["users.id"], ondelete="SET NULL"),
        sa.PrimaryKeyConstraint("id"),
        sa.UniqueConstraint("draft_id", "question_key", name="uq_answer_recordings_draft_question"),
        sa.UniqueConstraint("response_id", "question_key", name="uq_answer_recordings_response_question"),
    )
    for column in ("consultation_id", "draft_id", "response_id", "key_id"):
        op.create_index(f"ix_answer_recordings_{column}", "answer_recordings", [column])


def downgrade():
    for column in ("consultation_id", "draft_id", "response_id", "key_id"):
        op.drop_index(f"ix_answer_recordings_{column}", table_name="answer_recordings")
    op.drop_table("answer_recordings")
    op.drop_index("ix_testimony_recordings_key_id", table_name="testimony_recordings")
    op.drop_index("ix_testimony_recordings_draft_id", table_name="testimony_recordings")
    op.drop_index("ix_testimony_recordings_testimony_id", table_name="testimony_recordings")
    op.drop_table("testimony_recordings")
