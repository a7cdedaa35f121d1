"""The outbox rows as the state machine sees them, and the few store operations everything shares.

SQLite hands `DateTime(timezone=True)` values back without a zone; every time here is UTC, so `as_utc`
puts the zone back. Inserts that must not duplicate are insert-or-ignore on the row's unique key.
"""

from __future__ import annotations

import hashlib
from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from datetime import UTC, datetime
from typing import Any

from sqlalchemy import ColumnElement, Connection, or_, select
from sqlalchemy.dialects import postgresql, sqlite

from monitor.delivery.lifecycle import DeliveryState
from monitor.delivery.message import AlsoReported
from monitor.store.delivery_models import ChannelState, Delivery, DeliveryAlsoReported

STATE_COLUMNS = (
    Delivery.status, Delivery.attempts, Delivery.failures, Delivery.next_attempt_at, Delivery.queued_at,
    Delivery.claimed_until, Delivery.sent_at, Delivery.last_status, Delivery.last_error,
)


def unclaimed(now: datetime) -> ColumnElement[bool]:
    """No live claim on the row: never claimed, or the claiming dispatcher's lease has run out."""
    return or_(Delivery.claimed_until.is_(None), Delivery.claimed_until <= now)


def as_utc(moment: datetime | None) -> datetime | None:
    if moment is None:
        return None
    return moment.replace(tzinfo=UTC) if moment.tzinfo is None else moment.astimezone(UTC)


def insert_statement(connection: Connection, table: Any) -> Any:
    """INSERT with `on_conflict_do_nothing` available, on SQLite and PostgreSQL."""
    if connection.dialect.name == "postgresql":
        return postgresql.insert(table)
    if connection.dialect.name == "sqlite":
        return sqlite.insert(table)
    raise NotImplementedError(f"the outbox supports SQLite and PostgreSQL, not {connection.dialect.name}")


def idempotency_key(prefix: str, *parts: object) -> str:
    """A stable key from what makes a delivery unique (e.g. channel, rule, story): `prefix_<32 hex>`."""
    digest = hashlib.sha256("\x1f".join(str(part) for part in parts).encode()).hexdigest()
    return f"{prefix}_{digest[:32]}"


def state_from_row(row: Any) -> DeliveryState:
    return DeliveryState(
        status=row.status,
        attempts=row.attempts,
        failures=row.failures,
        next_attempt_at=as_utc(row.next_attempt_at),  # type: ignore[arg-type]
        queued_at=as_utc(row.queued_at),  # type: ignore[arg-type]
        claimed_until=as_utc(row.claimed_until),
        sent_at=as_utc(row.sent_at),
        last_status=row.last_status,
        last_error=row.last_error,
    )


def state_values(state: DeliveryState) -> dict[str, Any]:
    return {
        "status": state.status,
        "attempts": state.attempts,
        "failures": state.failures,
        "next_attempt_at": state.next_attempt_at,
        "queued_at": state.queued_at,
        "claimed_until": state.claimed_until,
        "sent_at": state.sent_at,
        "last_status": state.last_status,
        "last_error": state.last_error,
    }


@dataclass(frozen=True)
class ChannelStatus:
    paused_until: datetime | None = None
    disabled_reason: str | None = None


def channel_statuses(connection: Connection) -> dict[str, ChannelStatus]:
    rows = connection.execute(select(ChannelState.channel, ChannelState.paused_until, ChannelState.disabled_reason))
    return {row.channel: ChannelStatus(as_utc(row.paused_until), row.disabled_reason) for row in rows}


def upsert_channel_state(connection: Connection, channel: str, now: datetime, **values: Any) -> None:
    statement = insert_statement(connection, ChannelState.__table__).values(channel=channel, updated_at=now,
                                                                           **values)
    statement = statement.on_conflict_do_update(index_elements=["channel"], set_={"updated_at": now, **values})
    connection.execute(statement)


def also_reported(connection: Connection, delivery_ids: Iterable[int]) -> dict[int, tuple[AlsoReported, ...]]:
    """Later copies of each delivery's story, oldest first."""
    ids = list(delivery_ids)
    found: dict[int, list[AlsoReported]] = {}
    table = DeliveryAlsoReported
    for start in range(0, len(ids), 500):
        rows = connection.execute(
            select(table.delivery_id, table.source_id, table.title, table.url)
            .where(table.delivery_id.in_(ids[start : start + 500]))
            .order_by(table.delivery_id, table.reported_at, table.id)
        )
        for row in rows:
            found.setdefault(row.delivery_id, []).append(AlsoReported(row.source_id, row.title, row.url))
    return {delivery_id: tuple(entries) for delivery_id, entries in found.items()}


def chunks(values: Sequence[Any], size: int = 500) -> Iterable[Sequence[Any]]:
    for start in range(0, len(values), size):
        yield values[start : start + size]
