"""Tables of email digests: one durable row per (digest, period), its recipients and the matches it holds.

The unique (digest_id, period_at) row is the claim: two nodes, a restart or a retry never build or send one
period twice. The rendered message is stored with the row, so every retry sends the same bytes with the same
Message-ID. A digest's content is every match since the watermark of the last digest that was sent.
"""

from __future__ import annotations

from datetime import datetime

from sqlalchemy import (
    Boolean,
    DateTime,
    ForeignKey,
    Index,
    Integer,
    LargeBinary,
    String,
    Text,
    UniqueConstraint,
)
from sqlalchemy.orm import Mapped, mapped_column

from monitor.store.models import Base


class DigestSend(Base):
    """One period of one digest: pending until every recipient has it (sent) or the retries ran out (dead).

    `watermark_from`/`watermark_to`: the matches it holds have matched_at in (from, to]; `to` is the period.
    `superseded` (a pending send no recipient had yet, folded into a newer period) and `empty` (nothing new
    and send_when_empty off) are final and do not move the watermark.
    """

    __tablename__ = "digest_sends"
    __table_args__ = (
        UniqueConstraint("digest_id", "period_at", name="uq_digest_sends_period"),
        Index("ix_digest_sends_status_next", "status", "next_attempt_at"),
    )

    id: Mapped[int] = mapped_column(Integer, primary_key=True, autoincrement=True)
    digest_id: Mapped[str] = mapped_column(String(64))
    period_at: Mapped[datetime] = mapped_column(DateTime(timezone=True))
    manual: Mapped[bool] = mapped_column(Boolean, default=False)
    watermark_from: Mapped[datetime | None] = mapped_column(DateTime(timezone=True))
    watermark_to: Mapped[datetime] = mapped_column(DateTime(timezone=True))
    status: Mapped[str] = mapped_column(String(16), default="pending")
    match_count: Mapped[int] = mapped_column(Integer, default=0)
    message_id: Mapped[str] = mapped_column(String(255))
    message: Mapped[bytes | None] = mapped_column(LargeBinary)
    attempts: Mapped[int] = mapped_column(Integer, default=0)
    next_attempt_at: Mapped[datetime] = mapped_column(DateTime(timezone=True))
    claimed_until: Mapped[datetime | None] = mapped_column(DateTime(timezone=True))
    last_error: Mapped[str | None] = mapped_column(Text)
    created_at: Mapped[datetime] = mapped_column(DateTime(timezone=True))
    sent_at: Mapped[datetime | None] = mapped_column(DateTime(timezone=True))


class DigestRecipient(Base):
    """One address of a send: a refused address is retried alone, with the same message and Message-ID."""

    __tablename__ = "digest_recipients"

    send_id: Mapped[int] = mapped_column(ForeignKey("digest_sends.id"), primary_key=True)
    address: Mapped[str] = mapped_column(String(320), primary_key=True)
    status: Mapped[str] = mapped_column(String(16), default="pending")
    attempts: Mapped[int] = mapped_column(Integer, default=0)
    refusals: Mapped[int] = mapped_column(Integer, default=0)
    last_error: Mapped[str | None] = mapped_column(Text)
    sent_at: Mapped[datetime | None] = mapped_column(DateTime(timezone=True))


class DigestSendMatch(Base):
    """A match a send holds: a match committed late (after its period was built) goes into the next digest
    once, never twice."""

    __tablename__ = "digest_send_matches"

    send_id: Mapped[int] = mapped_column(ForeignKey("digest_sends.id"), primary_key=True)
    match_id: Mapped[int] = mapped_column(ForeignKey("matches.id"), primary_key=True, index=True)
