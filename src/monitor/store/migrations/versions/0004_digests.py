"""email digests: sends, recipients, matches held

Revision ID: 0004
Revises: 0002
"""

import sqlalchemy as sa
from alembic import op

revision = "0004"
down_revision = "0002"
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.create_table(
        "digest_sends",
        sa.Column("id", sa.Integer(), autoincrement=True, nullable=False),
        sa.Column("digest_id", sa.String(length=64), nullable=False),
        sa.Column("period_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("manual", sa.Boolean(), nullable=False),
        sa.Column("watermark_from", sa.DateTime(timezone=True), nullable=True),
        sa.Column("watermark_to", sa.DateTime(timezone=True), nullable=False),
        sa.Column("status", sa.String(length=16), nullable=False),
        sa.Column("match_count", sa.Integer(), nullable=False),
        sa.Column("message_id", sa.String(length=255), nullable=False),
        sa.Column("message", sa.LargeBinary(), nullable=True),
        sa.Column("attempts", sa.Integer(), nullable=False),
        sa.Column("next_attempt_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("claimed_until", sa.DateTime(timezone=True), nullable=True),
        sa.Column("last_error", sa.Text(), nullable=True),
        sa.Column("created_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("sent_at", sa.DateTime(timezone=True), nullable=True),
        sa.PrimaryKeyConstraint("id"),
        sa.UniqueConstraint("digest_id", "period_at", name="uq_digest_sends_period"),
    )
    op.create_index("ix_digest_sends_status_next", "digest_sends", ["status", "next_attempt_at"])
    op.create_table(
        "digest_recipients",
        sa.Column("send_id", sa.Integer(), nullable=False),
        sa.Column("address", sa.String(length=320), nullable=False),
        sa.Column("status", sa.String(length=16), nullable=False),
        sa.Column("attempts", sa.Integer(), nullable=False),
        sa.Column("refusals", sa.Integer(), nullable=False),
        sa.Column("last_error", sa.Text(), nullable=True),
        sa.Column("sent_at", sa.DateTime(timezone=True), nullable=True),
        sa.ForeignKeyConstraint(["send_id"], ["digest_sends.id"]),
        sa.PrimaryKeyConstraint("send_id", "address"),
    )
    op.create_table(
        "digest_send_matches",
        sa.Column("send_id", sa.Integer(), nullable=False),
        sa.Column("match_id", sa.Integer(), nullable=False),
        sa.ForeignKeyConstraint(["send_id"], ["digest_sends.id"]),
        sa.ForeignKeyConstraint(["match_id"], ["matches.id"]),
        sa.PrimaryKeyConstraint("send_id", "match_id"),
    )
    op.create_index("ix_digest_send_matches_match_id", "digest_send_matches", ["match_id"])


def downgrade() -> None:
    op.drop_index("ix_digest_send_matches_match_id", table_name="digest_send_matches")
    op.drop_table("digest_send_matches")
    op.drop_table("digest_recipients")
    op.drop_index("ix_digest_sends_status_next", table_name="digest_sends")
    op.drop_table("digest_sends")
