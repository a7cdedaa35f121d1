"""Operator messages: durable notices (once per key) through the outbox, and a direct one-attempt send."""

from __future__ import annotations

import asyncio

from sqlalchemy import Engine

from monitor.delivery.operator import enqueue_operator_message, send_operator_message
from monitor.delivery.transport import NetworkPolicy, webhook_client
from tests.delivery.conftest import T0, channel_set, deliveries, later, webhook
from tests.delivery.dispatch_helpers import dispatch
from tests.delivery.receiver import Receiver, ok
from tests.fixture_server import Answer


def test_durable_notice_is_queued_once_and_sent(sqlite_engine: Engine, receiver: Receiver) -> None:
    channels = channel_set(webhook("ops", "discord", receiver.script("/ops", ok(204, ""))), operator="ops")
    for _ in range(3):
        with sqlite_engine.begin() as connection:
            enqueue_operator_message(connection, channels, "Source koreakr blocked",
                                     "koreakr answers a bot challenge @everyone", key_parts=("health", "koreakr",
                                                                                              "blocked", 17), now=T0)
    assert len(deliveries(sqlite_engine)) == 1
    assert dispatch(sqlite_engine, channels, later(1)).sent == 1
    payload = receiver.at("/ops")[0].json()
    assert "Source koreakr blocked" in payload["content"] and "@everyone" not in payload["content"]
    with sqlite_engine.begin() as connection:
        assert not enqueue_operator_message(connection, channel_set(), "x", "y", key_parts=(1,))


def test_direct_send(receiver: Receiver) -> None:
    channels = channel_set(webhook("ops", "slack", receiver.script("/ops", ok(), Answer(status=500))),
                           operator="ops")

    async def send() -> list[bool]:
        async with webhook_client(NetworkPolicy(allow_private=True)) as client:
            first = await send_operator_message(channels, "crawl of yonhap failing", client=client)
            second = await send_operator_message(channels, "again", client=client)
            return [first.sent, second.sent]

    assert asyncio.run(send()) == [True, False]
    assert "crawl of yonhap failing" in receiver.at("/ops")[0].body.decode()
    assert not asyncio.run(send_operator_message(channel_set(), "nobody")).sent
