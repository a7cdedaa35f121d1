"""Taking due deliveries for one dispatch run: fold stale alerts, then claim rows under a lease.

On PostgreSQL the rows are selected `FOR UPDATE SKIP LOCKED`, so two dispatchers never take the same row;
on SQLite the transaction starts with `BEGIN IMMEDIATE` (see `monitor.store.database`), which serialises
claims. A claim is a lease (`claimed_until`) committed before anything is sent: if the process dies, the
row is due again when the lease runs out and goes out with the same idempotency key.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import datetime, timedelta

from sqlalchemy import Connection, Engine, Select, func, select, update

from monitor.delivery.channel_config import ChannelSet, WebhookChannelConfig
from monitor.delivery.channels.registry import per_minute
from monitor.delivery.folding import fold_stale
from monitor.delivery.lifecycle import CLAIM_LEASE, DeliveryState, claim
from monitor.delivery.message import Message
from monitor.delivery.outbox import (
    STATE_COLUMNS,
    ChannelStatus,
    also_reported,
    channel_statuses,
    state_from_row,
    unclaimed,
)
from monitor.store.delivery_models import Delivery, DeliveryAttempt

FOLD_AFTER = timedelta(hours=6)


@dataclass(frozen=True)
class ClaimedDelivery:
    id: int
    key: str
    channel: str
    message: Message
    state: DeliveryState


@dataclass
class ClaimPlan:
    """What one run sends, per channel, and why other channels send nothing now."""

    batches: dict[str, list[ClaimedDelivery]] = field(default_factory=dict)
    paused: dict[str, datetime] = field(default_factory=dict)
    disabled: dict[str, str] = field(default_factory=dict)
    throttled: list[str] = field(default_factory=list)
    folded: dict[str, int] = field(default_factory=dict)


def lock_rows(statement: Select, connection: Connection) -> Select:
    """`FOR UPDATE SKIP LOCKED` where the database has it (PostgreSQL)."""
    return statement.with_for_update(skip_locked=True) if connection.dialect.name == "postgresql" else statement


def claim_due(engine: Engine, channels: ChannelSet, now: datetime, limit: int,
              fold_after: timedelta = FOLD_AFTER, lease: timedelta = CLAIM_LEASE) -> ClaimPlan:
    """Fold and claim, channel by channel, each in its own short transaction."""
    plan = ClaimPlan()
    with engine.connect() as connection:
        statuses = channel_statuses(connection)
    for name, config in channels.channels.items():
        if not isinstance(config, WebhookChannelConfig):
            continue
        status = statuses.get(name, ChannelStatus())
        if status.disabled_reason:
            plan.disabled[name] = status.disabled_reason
            with engine.begin() as connection:
                disable_pending(connection, name, status.disabled_reason)
            continue
        if status.paused_until and status.paused_until > now:
            plan.paused[name] = status.paused_until
            continue
        with engine.begin() as connection:
            folded = fold_stale(connection, name, now, fold_after)
            if folded:
                plan.folded[name] = folded
            budget = _budget(connection, config, now, limit)
            if budget <= 0:
                plan.throttled.append(name)
                continue
            batch = _claim_channel(connection, name, now, budget, lease)
        if batch:
            plan.batches[name] = batch
    return plan


def disable_pending(connection: Connection, channel: str, reason: str) -> int:
    """Pending deliveries of a disabled channel (queued after its 410) become disabled too, with the reason."""
    return connection.execute(
        update(Delivery).where(Delivery.channel == channel, Delivery.status == "pending")
        .values(status="disabled", claimed_until=None, last_error=f"channel disabled: {reason}")
    ).rowcount


def _budget(connection: Connection, config: WebhookChannelConfig, now: datetime, limit: int) -> int:
    """How many rows the channel may take now: `limit`, or what is left of its per-minute pace."""
    pace = per_minute(config)
    if pace is None:
        return limit
    recent = connection.execute(
        select(func.count()).select_from(DeliveryAttempt)
        .where(DeliveryAttempt.channel == config.name, DeliveryAttempt.at > now - timedelta(minutes=1))
    ).scalar_one()
    return min(limit, pace - recent)


def _claim_channel(connection: Connection, channel: str, now: datetime, budget: int,
                   lease: timedelta) -> list[ClaimedDelivery]:
    statement = (
        select(Delivery.id, Delivery.idempotency_key, Delivery.payload, *STATE_COLUMNS)
        .where(Delivery.status == "pending", Delivery.channel == channel, Delivery.next_attempt_at <= now,
               unclaimed(now))
        .order_by(Delivery.next_attempt_at, Delivery.id)
        .limit(budget)
    )
    rows = connection.execute(lock_rows(statement, connection)).all()
    if not rows:
        return []
    ids = [row.id for row in rows]
    connection.execute(update(Delivery).where(Delivery.id.in_(ids)).values(claimed_until=now + lease))
    extra = also_reported(connection, ids)
    return [
        ClaimedDelivery(row.id, row.idempotency_key, channel,
                        Message.from_json(row.payload).with_also(extra.get(row.id, ())),
                        claim(state_from_row(row), now, lease))
        for row in rows
    ]


