"""four-eyes excerpt approval and a tamper-evident audit chain

Excerpts: a first approval (who, when, a sealed reason) before the final
decision. Excerpts approved by one moderator before this revision go back to
"awaiting a second approval", with that moderator as the first approver: none
was seen by two people.

Audit logs (testimony readings, exports): each entry gets its place in the
chain, its frozen record, the previous link's hash and its own keyed hash; the
head of each chain is a row of ``audit_chain_heads`` (also the append lock).
Entries already there are NOT chained here (a migration has no audit key):
run ``flask --app consult audit seal`` once after upgrading.

Revision ID: a11000000003
Revises: a11000000002
Create Date: 2026-11-29 15:00:00

"""

import sqlalchemy as sa
from alembic import op

# revision identifiers, used by Alembic.
revision = "a11000000003"
down_revision = "a11000000002"
branch_labels = None
depends_on = None

AUDIT_TABLES = ("testimony_audit_events", "export_events")


def upgrade():
    with op.batch_alter_table("testimony_excerpts", schema=None) as batch_op:
        batch_op.add_column(sa.Column("sealed_first_reason", sa.LargeBinary(), nullable=True))
        batch_op.add_column(sa.Column("first_approved_by_id", sa.Integer(), nullable=True))
        batch_op.add_column(sa.Column("first_approved_at", sa.DateTime(), nullable=True))
        batch_op.create_foreign_key(
            batch_op.f("fk_testimony_excerpts_first_approved_by_id_users"),
            "users",
            ["first_approved_by_id"],
            ["id"],
            ondelete="SET NULL",
        )
    # One approval is no longer enough: the old single approvals wait for a second moderator. Their reason
    # stays in sealed_reason (a sealed value is bound to its column and cannot be moved to another).
    op.execute(
        "UPDATE testimony_excerpts SET status = 'awaiting_second', first_approved_by_id = decided_by_id, "
        "first_approved_at = decided_at, decided_by_id = NULL, decided_at = NULL WHERE status = 'approved'"
    )

    op.create_table(
        "audit_chain_heads",
        sa.Column("name", sa.String(length=40), nullable=False),
        sa.Column("last_seq", sa.BigInteger(), nullable=False),
        sa.Column("last_hash", sa.String(length=64), nullable=False),
        sa.PrimaryKeyConstraint("name", name=op.f("pk_audit_chain_heads")),
    )
    for table in AUDIT_TABLES:
        with op.batch_alter_table(table, schema=None) as batch_op:
            batch_op.add_column(sa.Column("chain_seq", sa.BigInteger(), nullable=True))
            batch_op.add_column(sa.Column("chain_prev", sa.String(length=64), nullable=True))
            batch_op.add_column(sa.Column("chain_hash", sa.String(length=64), nullable=True))
            batch_op.add_column(sa.Column("chain_record", sa.Text(), nullable=True))
            batch_op.create_unique_constraint(batch_op.f(f"uq_{table}_chain_seq"), ["chain_seq"])


def downgrade():
    for table in AUDIT_TABLES:
        with op.batch_alter_table(table, schema=None) as batch_op:
            batch_op.drop_constraint(batch_op.f(f"uq_{table}_chain_seq"), type_="unique")
            batch_op.drop_column("chain_record")
            batch_op.drop_column("chain_hash")
            batch_op.drop_column("chain_prev")
            batch_op.drop_column("chain_seq")
    op.drop_table("audit_chain_heads")
    # A downgrade keeps no four-eyes: an excerpt awaiting its second approval goes back to proposed.
    op.execute(
        "UPDATE testimony_excerpts SET status = 'proposed', decided_by_id = NULL, decided_at = NULL "
        "WHERE status = 'awaiting_second'"
    )
    with op.batch_alter_table("testimony_excerpts", schema=None) as batch_op:
        batch_op.drop_constraint(batch_op.f("fk_testimony_excerpts_first_approved_by_id_users"), type_="foreignkey")
        batch_op.drop_column("first_approved_at")
        batch_op.drop_column("first_approved_by_id")
        batch_op.drop_column("sealed_first_reason")
