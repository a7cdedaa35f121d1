"""Messages for the operator channel (`operator = true` in channels.toml): durable notices and direct sends.

`enqueue_operator_message` puts a notice in the outbox in the caller's transaction: it is retried like any
delivery and, with a stable `key_parts`, written once however often it is called (e.g. one per source
state change). `send_operator_message` sends one message now, a single attempt, for when there is no store.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from datetime import UTC, datetime

import httpx
from sqlalchemy import Connection

from monitor.delivery.channel_config import ChannelSet, WebhookChannelConfig
from monitor.delivery.lifecycle import OutcomeKind
from monitor.delivery.message import Message
from monitor.delivery.outbox import idempotency_key, insert_statement
from monitor.store.delivery_models import Delivery


@dataclass(frozen=True)
class OperatorSend:
    sent: bool
    detail: str


def enqueue_notice(connection: Connection, channel: str, heading: str, text: str, *,
                   key_parts: Sequence[object], now: datetime) -> bool:
    """Insert a notice delivery for `channel`; False when one with the same key exists already."""
    message = Message("notice", heading, text=text, created_at=now.isoformat())
    values = {"idempotency_key": idempotency_key("ntc", channel, *key_parts), "channel": channel,
              "kind": "notice", "status": "pending", "payload": message.to_json(), "attempts": 0, "failures": 0,
              "next_attempt_at": now, "queued_at": now, "created_at": now}
    table = Delivery.__table__
    statement = (insert_statement(connection, table).values(**values)
                 .on_conflict_do_nothing(index_elements=["idempotency_key"]).returning(table.c.id))
    return connection.execute(statement).scalar_one_or_none() is not None


def enqueue_operator_message(connection: Connection, channels: ChannelSet, heading: str, text: str, *,
                             key_parts: Sequence[object], now: datetime | None = None) -> bool:
    """A durable notice to the operator channel; False when there is no usable operator webhook channel
    (an e-mail operator channel is the digest sender's to serve) or the notice was queued before."""
    if not isinstance(channels.get(channels.operator or ""), WebhookChannelConfig):
        return False
    return enqueue_notice(connection, channels.operator or "", heading, text, key_parts=key_parts,
                          now=now or datetime.now(UTC))


async def send_operator_message(channels: ChannelSet, text: str, *, heading: str = "Monitor",
                                client: httpx.AsyncClient | None = None, key: str | None = None) -> OperatorSend:
    """Send `text` to the operator channel now (one attempt, no outbox)."""
    from monitor.delivery.dispatcher import policy_from_env
    from monitor.delivery.sender import send_delivery
    from monitor.delivery.transport import webhook_client

    config = channels.get(channels.operator) if channels.operator else None
    if not isinstance(config, WebhookChannelConfig):
        return OperatorSend(False, "no usable operator webhook channel in channels.toml")
    now = datetime.now(UTC)
    message = Message("notice", heading, text=text, created_at=now.isoformat())
    key = key or idempotency_key("ntc", config.name, heading, text, now.isoformat())
    own = client is None
    client = client or webhook_client(policy_from_env())
    try:
        outcome, _ = await send_delivery(client, config, message, key)
    finally:
        if own:
            await client.aclose()
    if outcome.kind is OutcomeKind.SENT:
        return OperatorSend(True, f"sent to {config.name}")
    return OperatorSend(False, outcome.error or outcome.kind.value)
