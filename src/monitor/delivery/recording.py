"""Writing what a dispatch run did: each attempt, each delivery's new state, the channel's pause or end.

Updates apply only to rows still `pending`: if a lease ran out and another dispatcher finished the row
meanwhile, its outcome stands. A 410 Gone disables the channel and all its pending deliveries (with the
reason) and queues a notice to the operator channel.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from datetime import datetime

from sqlalchemy import Connection, Engine, bindparam, insert, update

from monitor.delivery.channel_config import ChannelSet
from monitor.delivery.lifecycle import DeliveryState, Outcome, Step
from monitor.delivery.operator import enqueue_operator_message
from monitor.delivery.outbox import state_values, upsert_channel_state
from monitor.store.delivery_models import ChannelState, Delivery, DeliveryAttempt


@dataclass(frozen=True)
class AttemptResult:
    delivery_id: int
    channel: str
    outcome: Outcome
    step: Step
    at: datetime
    duration_ms: float


def record_results(engine: Engine, results: Sequence[AttemptResult], channels: ChannelSet) -> None:
    """Store a group of attempts in one transaction (group commit while sends are still in flight)."""
    if not results:
        return
    with engine.begin() as connection:
        connection.execute(insert(DeliveryAttempt), [
            {"delivery_id": result.delivery_id, "channel": result.channel, "at": result.at,
             "outcome": result.outcome.kind.value, "http_status": result.outcome.http_status,
             "error": result.outcome.error, "duration_ms": round(result.duration_ms, 2)}
            for result in results
        ])
        statement = (update(Delivery.__table__)
                     .where(Delivery.__table__.c.id == bindparam("row_id"),
                            Delivery.__table__.c.status == "pending")
                     .values({name: bindparam(f"new_{name}") for name in state_values(results[0].step.state)}))
        connection.execute(statement, [
            {"row_id": result.delivery_id, **{f"new_{name}": value
                                              for name, value in state_values(result.step.state).items()}}
            for result in results
        ])
        for result in results:
            _apply_channel_effects(connection, result, channels)


def _apply_channel_effects(connection: Connection, result: AttemptResult, channels: ChannelSet) -> None:
    if result.step.pause_channel_until is not None:
        upsert_channel_state(connection, result.channel, result.at, paused_until=result.step.pause_channel_until)
    if result.step.disable_channel is not None:
        disable_channel(connection, result.channel, result.step.disable_channel, result.at, channels)


def disable_channel(connection: Connection, channel: str, reason: str, now: datetime, channels: ChannelSet) -> None:
    """Stop sending to a gone endpoint: channel state, its pending deliveries, and a notice to the operator."""
    upsert_channel_state(connection, channel, now, disabled_reason=reason, disabled_at=now)
    connection.execute(
        update(Delivery).where(Delivery.channel == channel, Delivery.status == "pending")
        .values(status="disabled", claimed_until=None, last_error=f"channel disabled: {reason}")
    )
    if channels.operator != channel:
        enqueue_operator_message(connection, channels, f"Channel {channel} disabled",
                       f"Deliveries to channel {channel} stopped: {reason}. Fix its URL in the environment, "
                       f"then replay its deliveries with `monitor deliveries replay ID`.",
                       key_parts=("gone", channel, now.isoformat()), now=now)


def release_rows(engine: Engine, states: Sequence[tuple[int, DeliveryState]]) -> None:
    """Give claimed rows back unsent (their channel paused, went away or failed during this run)."""
    if not states:
        return
    with engine.begin() as connection:
        table = Delivery.__table__
        connection.execute(
            update(table).where(table.c.id == bindparam("row_id"), table.c.status == "pending")
            .values(claimed_until=None, next_attempt_at=bindparam("next_at")),
            [{"row_id": row_id, "next_at": state.next_attempt_at} for row_id, state in states],
        )


def enable_channel(connection: Connection, channel: str, now: datetime) -> bool:
    """Clear a channel's disabled state (an operator replays its deliveries); True if it was disabled."""
    was = connection.execute(
        update(ChannelState).where(ChannelState.channel == channel, ChannelState.disabled_reason.is_not(None))
        .values(disabled_reason=None, disabled_at=None, paused_until=None, updated_at=now)
    ).rowcount
    return bool(was)
