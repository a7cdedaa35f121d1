"""Tables of the match stage: one row per (item, rule) that matched, and which items the stage has seen.

They live on the same `Base` as the ingestion tables so one Alembic history covers both. A later delivery
outbox inserts its rows in the same transaction as the matches (see `monitor.rules.stage.run_match_stage`).
"""

from __future__ import annotations

from datetime import datetime

from sqlalchemy import Boolean, DateTime, ForeignKey, Index, Integer, String, Text, UniqueConstraint
from sqlalchemy.orm import Mapped, mapped_column

from monitor.store.models import Base


class Match(Base):
    """An item matched a rule: stored once per (item, rule), with the explanation as JSON text.

    `story_id` is copied from the item so deliveries can go out once per (rule, story); `backfill` marks
    matches made by a re-match over past items (`monitor match --since/--rule`): no need to alert instantly.
    """

    __tablename__ = "matches"
    __table_args__ = (
        UniqueConstraint("item_id", "rule_id", name="uq_matches_item_rule"),
        Index("ix_matches_rule_matched_at", "rule_id", "matched_at"),
    )

    id: Mapped[int] = mapped_column(Integer, primary_key=True, autoincrement=True)
    item_id: Mapped[int] = mapped_column(ForeignKey("items.id"))
    rule_id: Mapped[str] = mapped_column(String(128))
    story_id: Mapped[int | None] = mapped_column(Integer, index=True)
    explanation: Mapped[str] = mapped_column(Text)
    backfill: Mapped[bool] = mapped_column(Boolean, default=False)
    matched_at: Mapped[datetime] = mapped_column(DateTime(timezone=True), index=True)


class MatchProgress(Base):
    """An item the match stage has run all enabled rules over, at which revision of the item.

    One row per item rather than a single id watermark: on PostgreSQL, ids can commit out of order, and a
    single watermark would then skip an item for good. An item updated to a newer revision is matched again.
    """

    __tablename__ = "match_progress"

    item_id: Mapped[int] = mapped_column(ForeignKey("items.id"), primary_key=True)
    revision: Mapped[int] = mapped_column(Integer)
    matched_at: Mapped[datetime] = mapped_column(DateTime(timezone=True))
