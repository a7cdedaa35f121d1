"""Tables of the feed endpoint: one row per feed token, stored as a SHA-256 hash, never in clear.

A token opens exactly one feed scope: "all" (everything) or one rule id. Revoked tokens stay as rows so
`monitor feeds list` can show them. The extra index on `matches (rule_id, id)` lets the endpoint compute a
feed's validator (newest match id, match count) with an index-only range scan per rule.
"""

from __future__ import annotations

from datetime import datetime

from sqlalchemy import Boolean, DateTime, Index, String
from sqlalchemy.orm import Mapped, mapped_column

from monitor.store.match_models import Match
from monitor.store.models import Base

ALL_SCOPE = "all"


class FeedToken(Base):
    """An unguessable token (secrets.token_urlsafe(32)) that opens one feed; only its hash is kept."""

    __tablename__ = "feed_tokens"

    token_hash: Mapped[str] = mapped_column(String(64), primary_key=True)
    scope: Mapped[str] = mapped_column(String(128))
    created_at: Mapped[datetime] = mapped_column(DateTime(timezone=True))
    revoked: Mapped[bool] = mapped_column(Boolean, default=False)


MATCHES_RULE_ID_INDEX = Index("ix_matches_rule_id_id", Match.rule_id, Match.id)
