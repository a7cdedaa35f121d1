"""Running the dispatcher from synchronous tests, on a logical clock, against the loopback receiver."""

from __future__ import annotations

import asyncio
from datetime import datetime
from typing import Any

from sqlalchemy import Engine, select

from monitor.delivery.channel_config import ChannelSet
from monitor.delivery.dispatcher import DispatchReport, dispatch_due
from monitor.delivery.transport import NetworkPolicy, webhook_client
from monitor.store.delivery_models import ChannelState, DeliveryAttempt

LOOPBACK = NetworkPolicy(allow_private=True)


def dispatch(engine: Engine, channels: ChannelSet, at: datetime, *, timeout: float = 5.0,
             policy: NetworkPolicy = LOOPBACK, **options: Any) -> DispatchReport:
    async def run() -> DispatchReport:
        async with webhook_client(policy, timeout=timeout) as client:
            return await dispatch_due(engine, channels, now=at, client=client, jitter=lambda: 0.5, **options)

    return asyncio.run(run())


def attempts(engine: Engine) -> list[Any]:
    with engine.connect() as connection:
        return connection.execute(select(DeliveryAttempt).order_by(DeliveryAttempt.id)).all()


def channel_state(engine: Engine, channel: str) -> Any:
    with engine.connect() as connection:
        return connection.execute(select(ChannelState).where(ChannelState.channel == channel)).one_or_none()
