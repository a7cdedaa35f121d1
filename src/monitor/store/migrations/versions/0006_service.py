"""service: job claims, source health, operator health alerts

Revision ID: 0006
Revises: 0002
"""

import sqlalchemy as sa
from alembic import op

revision = "0006"
down_revision = "0002"
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.create_table(
        "job_claims",
        sa.Column("id", sa.Integer(), autoincrement=True, nullable=False),
        sa.Column("job_id", sa.String(length=160), nullable=False),
        sa.Column("slot_start", sa.DateTime(timezone=True), nullable=False),
        sa.Column("node", sa.String(length=128), nullable=False),
        sa.Column("claimed_at", sa.DateTime(timezone=True), nullable=False),
        sa.PrimaryKeyConstraint("id"),
        sa.UniqueConstraint("job_id", "slot_start", name="uq_job_claims_job_slot"),
    )
    op.create_index("ix_job_claims_claimed_at", "job_claims", ["claimed_at"])
    op.create_table(
        "source_health",
        sa.Column("source_id", sa.String(length=64), nullable=False),
        sa.Column("alerted_state", sa.String(length=16), nullable=False),
        sa.Column("reason", sa.Text(), nullable=True),
        sa.Column("changed_at", sa.DateTime(timezone=True), nullable=False),
        sa.PrimaryKeyConstraint("source_id"),
    )
    op.create_table(
        "health_alerts",
        sa.Column("id", sa.Integer(), autoincrement=True, nullable=False),
        sa.Column("source_id", sa.String(length=64), nullable=False),
        sa.Column("from_state", sa.String(length=16), nullable=False),
        sa.Column("to_state", sa.String(length=16), nullable=False),
        sa.Column("reason", sa.Text(), nullable=True),
        sa.Column("created_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("sent_at", sa.DateTime(timezone=True), nullable=True),
        sa.Column("attempts", sa.Integer(), nullable=False),
        sa.Column("last_error", sa.Text(), nullable=True),
        sa.PrimaryKeyConstraint("id"),
    )
    op.create_index("ix_health_alerts_source_id", "health_alerts", ["source_id"])
    op.create_index("ix_health_alerts_sent_at", "health_alerts", ["sent_at"])


def downgrade() -> None:
    op.drop_index("ix_health_alerts_sent_at", table_name="health_alerts")
    op.drop_index("ix_health_alerts_source_id", table_name="health_alerts")
    op.drop_table("health_alerts")
    op.drop_table("source_health")
    op.drop_index("ix_job_claims_claimed_at", table_name="job_claims")
    op.drop_table("job_claims")
