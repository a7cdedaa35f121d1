"""matches and match progress

Revision ID: 0002
Revises: 0001
"""

import sqlalchemy as sa
from alembic import op

revision = "0002"
down_revision = "0001"
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.create_table(
        "matches",
        sa.Column("id", sa.Integer(), autoincrement=True, nullable=False),
        sa.Column("item_id", sa.Integer(), nullable=False),
        sa.Column("rule_id", sa.String(length=128), nullable=False),
        sa.Column("story_id", sa.Integer(), nullable=True),
        sa.Column("explanation", sa.Text(), nullable=False),
        sa.Column("backfill", sa.Boolean(), nullable=False),
        sa.Column("matched_at", sa.DateTime(timezone=True), nullable=False),
        sa.ForeignKeyConstraint(["item_id"], ["items.id"]),
        sa.PrimaryKeyConstraint("id"),
        sa.UniqueConstraint("item_id", "rule_id", name="uq_matches_item_rule"),
    )
    op.create_index("ix_matches_rule_matched_at", "matches", ["rule_id", "matched_at"])
    op.create_index("ix_matches_story_id", "matches", ["story_id"])
    op.create_index("ix_matches_matched_at", "matches", ["matched_at"])
    op.create_table(
        "match_progress",
        sa.Column("item_id", sa.Integer(), nullable=False),
        sa.Column("revision", sa.Integer(), nullable=False),
        sa.Column("matched_at", sa.DateTime(timezone=True), nullable=False),
        sa.ForeignKeyConstraint(["item_id"], ["items.id"]),
        sa.PrimaryKeyConstraint("item_id"),
    )


def downgrade() -> None:
    op.drop_table("match_progress")
    op.drop_index("ix_matches_matched_at", table_name="matches")
    op.drop_index("ix_matches_story_id", table_name="matches")
    op.drop_index("ix_matches_rule_matched_at", table_name="matches")
    op.drop_table("matches")
