"""Hands the health-alert rows (`health_alerts`) to the operator channel, each exactly once.

In one transaction a row is marked handed over and a notice is put into the delivery outbox
(`enqueue_operator_message`, keyed by the alert's id), so the dispatcher sends it with its retries and
idempotency key; a crash before the commit leaves both undone and the row is handed over again later. Without a
usable operator channel the alert is written to the log as a warning and marked as logged.
"""

from __future__ import annotations

import asyncio
import logging
from collections.abc import Callable, Sequence
from datetime import UTC, datetime

from sqlalchemy import Connection, Engine

from monitor.service import health_store
from monitor.service.health_store import AlertRow
from monitor.service.logs import event
from monitor.service.metrics import ServiceMetrics

log = logging.getLogger("monitor.service.health")
HandOver = Callable[[Connection, str, str, Sequence[object]], bool]
"""(connection, heading, text, key parts) → queued for the operator channel in that transaction; False when
there is no usable operator channel."""


def alert_text(alert: AlertRow) -> tuple[str, str]:
    """The heading and text of one alert (plain text; reasons come from our own run classification)."""
    if alert.to_state == "healthy":
        heading = f"Source {alert.source_id} recovered (was {alert.from_state})"
        text = f"{alert.source_id} is healthy again since {alert.created_at:%Y-%m-%d %H:%M} UTC."
    else:
        heading = f"Source {alert.source_id} is {alert.to_state} (was {alert.from_state})"
        text = (f"{alert.source_id} became {alert.to_state} at {alert.created_at:%Y-%m-%d %H:%M} UTC: "
                f"{alert.reason or 'no reason recorded'}. It is still crawled, less often while it fails.")
    return heading, text


class OperatorAlerts:
    def __init__(self, engine: Engine, hand_over: HandOver | None, metrics: ServiceMetrics,
                 on_queued: Callable[[], None] | None = None) -> None:
        self.engine = engine
        self.hand_over = hand_over
        self.metrics = metrics
        self.on_queued = on_queued
        self._lock = asyncio.Lock()

    async def send_pending(self) -> int:
        """Hand every waiting alert over; returns how many were queued for the operator channel."""
        if self._lock.locked():
            return 0
        async with self._lock:
            queued = 0
            for alert in await asyncio.to_thread(health_store.unsent_alerts, self.engine):
                outcome = await asyncio.to_thread(self._hand_over_one, alert)
                if outcome is not None:
                    self.metrics.health_alerts.labels(outcome).inc()
                    queued += outcome == "queued"
            if queued and self.on_queued is not None:
                self.on_queued()
            return queued

    def _hand_over_one(self, alert: AlertRow) -> str | None:
        heading, text = alert_text(alert)
        now = datetime.now(UTC)
        try:
            with self.engine.begin() as connection:
                queued = self.hand_over is not None and self.hand_over(connection, heading, text,
                                                                       ("source-health", alert.id))
                note = None if queued else "no usable operator channel: logged only"
                if not health_store.take_alert(connection, alert.id, now, note):
                    raise _TakenElsewhere  # rolls the notice back: the node that took the row queues it
        except _TakenElsewhere:
            return None
        event(log, "source.health.changed", logging.WARNING, source=alert.source_id, state=alert.to_state,
              previous=alert.from_state, reason=alert.reason, operator="queued" if queued else "log only")
        return "queued" if queued else "logged"


class _TakenElsewhere(Exception):
    pass
