"""What an operator sees and does: the outbox listed with last errors, and replays of dead deliveries.

A replay puts a dead or disabled delivery back to pending with the same idempotency key (a receiver that
did get it can tell), a fresh retry window, and re-enables its channel if a 410 had disabled it.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass, field
from datetime import UTC, datetime

from sqlalchemy import Engine, select, update

from monitor.delivery.lifecycle import replay
from monitor.delivery.outbox import as_utc, state_from_row, state_values
from monitor.delivery.recording import enable_channel
from monitor.store.delivery_models import Delivery


@dataclass(frozen=True)
class DeliveryView:
    id: int
    key: str
    channel: str
    kind: str
    rule_id: str | None
    status: str
    attempts: int
    next_attempt_at: datetime | None
    created_at: datetime | None
    sent_at: datetime | None
    last_status: int | None
    last_error: str | None


@dataclass
class ReplayResult:
    replayed: list[int] = field(default_factory=list)
    skipped: dict[int, str] = field(default_factory=dict)
    channels_enabled: list[str] = field(default_factory=list)


def list_deliveries(engine: Engine, *, status: str | None = None, channel: str | None = None,
                    limit: int = 50) -> list[DeliveryView]:
    """The newest deliveries first, optionally of one status or channel."""
    statement = select(Delivery).order_by(Delivery.id.desc()).limit(limit)
    if status:
        statement = statement.where(Delivery.status == status)
    if channel:
        statement = statement.where(Delivery.channel == channel)
    with engine.connect() as connection:
        rows = connection.execute(statement).all()
    return [
        DeliveryView(row.id, row.idempotency_key, row.channel, row.kind, row.rule_id, row.status, row.attempts,
                     as_utc(row.next_attempt_at), as_utc(row.created_at), as_utc(row.sent_at), row.last_status,
                     row.last_error)
        for row in rows
    ]


def replay_deliveries(engine: Engine, ids: Sequence[int], now: datetime | None = None) -> ReplayResult:
    """Dead or disabled deliveries back to pending, same key; others are skipped with the reason."""
    now = now or datetime.now(UTC)
    result = ReplayResult()
    with engine.begin() as connection:
        for delivery_id in ids:
            row = connection.execute(select(Delivery).where(Delivery.id == delivery_id)).one_or_none()
            if row is None:
                result.skipped[delivery_id] = "no such delivery"
                continue
            if row.status not in {"dead", "disabled"}:
                result.skipped[delivery_id] = f"it is {row.status}; only dead or disabled ones are replayed"
                continue
            values = state_values(replay(state_from_row(row), now))
            connection.execute(update(Delivery).where(Delivery.id == delivery_id).values(**values))
            result.replayed.append(delivery_id)
            if row.channel not in result.channels_enabled and enable_channel(connection, row.channel, now):
                result.channels_enabled.append(row.channel)
    return result
