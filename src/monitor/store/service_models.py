"""Tables of the service: claims of scheduled work across nodes, source health and operator alerts.

They live on the same `Base` as the ingestion tables, so one Alembic history (with its own branch, 0006) covers
them. Written only by `monitor.service`.
"""

from __future__ import annotations

from datetime import datetime

from sqlalchemy import DateTime, Integer, String, Text, UniqueConstraint
from sqlalchemy.orm import Mapped, mapped_column

from monitor.store.models import Base


class JobClaim(Base):
    """One node took one period of one scheduled job (a crawl tick, a digest): the unique key lets one node win.

    `slot_start` is the wall-clock-aligned start of the interval, or the cron fire time, in UTC: every node
    computes the same value for the same period from its own in-memory schedule.
    """

    __tablename__ = "job_claims"
    __table_args__ = (UniqueConstraint("job_id", "slot_start", name="uq_job_claims_job_slot"),)

    id: Mapped[int] = mapped_column(Integer, primary_key=True, autoincrement=True)
    job_id: Mapped[str] = mapped_column(String(160))
    slot_start: Mapped[datetime] = mapped_column(DateTime(timezone=True))
    node: Mapped[str] = mapped_column(String(128))
    claimed_at: Mapped[datetime] = mapped_column(DateTime(timezone=True), index=True)


class SourceHealth(Base):
    """The health state the operator was last told about, per source: restarts and other nodes do not re-alert."""

    __tablename__ = "source_health"

    source_id: Mapped[str] = mapped_column(String(64), primary_key=True)
    alerted_state: Mapped[str] = mapped_column(String(16))
    reason: Mapped[str | None] = mapped_column(Text)
    changed_at: Mapped[datetime] = mapped_column(DateTime(timezone=True))


class HealthAlert(Base):
    """One change of a source's health state (or its recovery): an outbox row, sent once to the ops channel."""

    __tablename__ = "health_alerts"

    id: Mapped[int] = mapped_column(Integer, primary_key=True, autoincrement=True)
    source_id: Mapped[str] = mapped_column(String(64), index=True)
    from_state: Mapped[str] = mapped_column(String(16))
    to_state: Mapped[str] = mapped_column(String(16))
    reason: Mapped[str | None] = mapped_column(Text)
    created_at: Mapped[datetime] = mapped_column(DateTime(timezone=True))
    sent_at: Mapped[datetime | None] = mapped_column(DateTime(timezone=True), index=True)
    """When it was handed to the delivery outbox (or only logged, with `last_error` saying why)."""
    attempts: Mapped[int] = mapped_column(Integer, default=0)
    last_error: Mapped[str | None] = mapped_column(Text)
