"""Tables of the delivery outbox: one row per (rule, story, channel) alert, every attempt, each channel's state.

Rows are inserted in the same transaction as the matches they come from (`monitor.delivery.enqueue`), so a
match is never stored without its deliveries. The dispatcher (`monitor.delivery.dispatcher`) claims due rows,
sends them and records each attempt; `idempotency_key` is fixed at insert time and reused by every retry.
"""

from __future__ import annotations

from datetime import datetime

from sqlalchemy import DateTime, Float, ForeignKey, Index, Integer, String, Text, UniqueConstraint
from sqlalchemy.orm import Mapped, mapped_column

from monitor.store.models import Base

DELIVERY_STATUSES = ("pending", "sent", "dead", "folded", "disabled", "capped")


class Delivery(Base):
    """One message for one channel: an alert (rule × story), a folded summary of stale alerts, or a notice.

    `payload` is the JSON snapshot the message is rendered from, taken when the row is made. `failures`
    drives the retry schedule (a 429 is an attempt but not a failure); `queued_at` starts the retry window
    and the folding threshold (set again by a replay); `claimed_until` is the lease of the dispatcher that
    is sending the row: after a crash the row is due again once the lease has run out.
    """

    __tablename__ = "deliveries"
    __table_args__ = (
        Index("ix_deliveries_due", "status", "next_attempt_at"),
        Index("ix_deliveries_channel_status", "channel", "status"),
        Index("ix_deliveries_rule_created", "rule_id", "created_at"),
    )

    id: Mapped[int] = mapped_column(Integer, primary_key=True, autoincrement=True)
    idempotency_key: Mapped[str] = mapped_column(String(80), unique=True)
    channel: Mapped[str] = mapped_column(String(64))
    kind: Mapped[str] = mapped_column(String(16), default="alert")
    rule_id: Mapped[str | None] = mapped_column(String(128))
    story_id: Mapped[int | None] = mapped_column(Integer)
    match_id: Mapped[int | None] = mapped_column(Integer)
    item_id: Mapped[int | None] = mapped_column(Integer)
    status: Mapped[str] = mapped_column(String(16), default="pending")
    payload: Mapped[str] = mapped_column(Text)
    attempts: Mapped[int] = mapped_column(Integer, default=0)
    failures: Mapped[int] = mapped_column(Integer, default=0)
    next_attempt_at: Mapped[datetime] = mapped_column(DateTime(timezone=True))
    claimed_until: Mapped[datetime | None] = mapped_column(DateTime(timezone=True))
    queued_at: Mapped[datetime] = mapped_column(DateTime(timezone=True))
    created_at: Mapped[datetime] = mapped_column(DateTime(timezone=True))
    sent_at: Mapped[datetime | None] = mapped_column(DateTime(timezone=True))
    last_status: Mapped[int | None] = mapped_column(Integer)
    last_error: Mapped[str | None] = mapped_column(Text)
    folded_into: Mapped[int | None] = mapped_column(Integer)


class DeliveryAlsoReported(Base):
    """A later match of the same story for the same rule: shown as "also reported by" while the delivery is
    pending, recorded without a new alert once it has been sent."""

    __tablename__ = "delivery_also_reported"
    __table_args__ = (UniqueConstraint("delivery_id", "item_id", name="uq_delivery_also_reported"),)

    id: Mapped[int] = mapped_column(Integer, primary_key=True, autoincrement=True)
    delivery_id: Mapped[int] = mapped_column(ForeignKey("deliveries.id"), index=True)
    match_id: Mapped[int] = mapped_column(Integer)
    item_id: Mapped[int] = mapped_column(Integer)
    source_id: Mapped[str] = mapped_column(String(64))
    title: Mapped[str] = mapped_column(Text, default="")
    url: Mapped[str] = mapped_column(Text, default="")
    reported_at: Mapped[datetime] = mapped_column(DateTime(timezone=True))


class DeliveryAttempt(Base):
    """One try at sending a delivery: when, the HTTP status (if an answer came), the error, how long."""

    __tablename__ = "delivery_attempts"
    __table_args__ = (Index("ix_delivery_attempts_channel_at", "channel", "at"),)

    id: Mapped[int] = mapped_column(Integer, primary_key=True, autoincrement=True)
    delivery_id: Mapped[int] = mapped_column(ForeignKey("deliveries.id"), index=True)
    channel: Mapped[str] = mapped_column(String(64))
    at: Mapped[datetime] = mapped_column(DateTime(timezone=True))
    outcome: Mapped[str] = mapped_column(String(16))
    http_status: Mapped[int | None] = mapped_column(Integer)
    error: Mapped[str | None] = mapped_column(Text)
    duration_ms: Mapped[float] = mapped_column(Float, default=0.0)


class ChannelState(Base):
    """A channel paused by a 429 until `paused_until`, or disabled by a 410 Gone (`disabled_reason`)."""

    __tablename__ = "channel_state"

    channel: Mapped[str] = mapped_column(String(64), primary_key=True)
    paused_until: Mapped[datetime | None] = mapped_column(DateTime(timezone=True))
    disabled_reason: Mapped[str | None] = mapped_column(Text)
    disabled_at: Mapped[datetime | None] = mapped_column(DateTime(timezone=True))
    updated_at: Mapped[datetime] = mapped_column(DateTime(timezone=True))
