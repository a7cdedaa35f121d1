"""The dispatcher: send every due delivery, each channel on its own, and record what happened.

One run: fold stale alerts and claim due rows per channel (`claims`), then send every channel's batch
concurrently, each with its own concurrency limit. Results are written in group commits while sends are
still in flight, so a delivery is marked sent moments after its 2xx. Within a run, a channel stops at its
first 429 (paused for Retry-After), 410 (disabled) or failure (tripped for `TRIP_DELAY`); its remaining
rows are given back unsent, and the other channels carry on. `monitor dispatch` runs this once; the
service runs it every few seconds.
"""

from __future__ import annotations

import asyncio
import logging
import random
from collections.abc import Callable, Mapping
from dataclasses import dataclass, field
from datetime import UTC, datetime, timedelta

import httpx
from sqlalchemy import Engine

from monitor.config import Settings
from monitor.delivery.channel_config import ChannelSet, WebhookChannelConfig
from monitor.delivery.channels.registry import KINDS
from monitor.delivery.claims import FOLD_AFTER, ClaimedDelivery, ClaimPlan, claim_due
from monitor.delivery.lifecycle import CLAIM_LEASE, DeliveryState, OutcomeKind, release, transition
from monitor.delivery.recording import AttemptResult, record_results, release_rows
from monitor.delivery.sender import send_delivery
from monitor.delivery.transport import NetworkPolicy, webhook_client

logger = logging.getLogger(__name__)
DEFAULT_LIMIT = 500
TRIP_DELAY = timedelta(seconds=30)


@dataclass
class ChannelReport:
    sent: int = 0
    retrying: int = 0
    dead: int = 0
    disabled: int = 0
    rate_limited: int = 0
    released: int = 0
    folded: int = 0
    paused_until: datetime | None = None
    disabled_reason: str | None = None
    throttled: bool = False
    last_error: str | None = None


@dataclass
class DispatchReport:
    channels: dict[str, ChannelReport] = field(default_factory=dict)
    unavailable: dict[str, str] = field(default_factory=dict)

    def total(self, name: str) -> int:
        return sum(getattr(report, name) for report in self.channels.values())

    @property
    def sent(self) -> int:
        return self.total("sent")


def policy_from_env(env: Mapping[str, str] | None = None) -> NetworkPolicy:
    settings = Settings.from_env(env)
    return NetworkPolicy.from_settings(settings.allow_private_networks, settings.allowed_addresses)


async def dispatch_due(engine: Engine, channels: ChannelSet, *, now: datetime | None = None,
                       client: httpx.AsyncClient | None = None, limit: int = DEFAULT_LIMIT,
                       policy: NetworkPolicy | None = None, fold_after: timedelta = FOLD_AFTER,
                       lease: timedelta = CLAIM_LEASE, jitter: Callable[[], float] = random.random,
                       ) -> DispatchReport:
    """Send what is due at `now` (default: the wall clock), at most `limit` rows per channel.

    Without `client`, a guarded client (see `transport`) is made from `policy` or the MONITOR_* settings.
    """
    now = now or datetime.now(UTC)
    plan = await asyncio.to_thread(claim_due, engine, channels, now, limit, fold_after, lease)
    report = _report_for(plan, channels)
    if not plan.batches:
        return report
    own_client = client is None
    client = client or webhook_client(policy or policy_from_env())
    try:
        runs = [
            _ChannelRun(engine, channels, config, plan.batches[name], client, now, jitter, report.channels[name])
            for name, config in channels.channels.items()
            if name in plan.batches and isinstance(config, WebhookChannelConfig)
        ]
        await asyncio.gather(*(run.run() for run in runs))
    finally:
        if own_client:
            await client.aclose()
    return report


def _report_for(plan: ClaimPlan, channels: ChannelSet) -> DispatchReport:
    report = DispatchReport(unavailable=dict(channels.unavailable))
    for name, config in channels.channels.items():
        if isinstance(config, WebhookChannelConfig):
            report.channels[name] = ChannelReport(
                folded=plan.folded.get(name, 0), paused_until=plan.paused.get(name),
                disabled_reason=plan.disabled.get(name), throttled=name in plan.throttled)
    return report


class _ResultWriter:
    """Group commit: results gathered while one write runs go together in the next."""

    def __init__(self, engine: Engine, channels: ChannelSet) -> None:
        self.engine, self.channels = engine, channels
        self.waiting: list[AttemptResult] = []
        self.lock = asyncio.Lock()

    async def add(self, result: AttemptResult) -> None:
        self.waiting.append(result)
        if not self.lock.locked():
            await self.flush()

    async def flush(self) -> None:
        async with self.lock:
            while self.waiting:
                batch, self.waiting = self.waiting, []
                await asyncio.to_thread(record_results, self.engine, batch, self.channels)


class _ChannelRun:
    """One channel's share of a run: bounded concurrency, stop at the first 429, 410 or failure."""

    def __init__(self, engine: Engine, channels: ChannelSet, config: WebhookChannelConfig,
                 batch: list[ClaimedDelivery], client: httpx.AsyncClient, now: datetime,
                 jitter: Callable[[], float], report: ChannelReport) -> None:
        self.engine, self.config, self.batch, self.client = engine, config, batch, client
        self.now, self.jitter, self.report = now, jitter, report
        self.writer = _ResultWriter(engine, channels)
        self.resume_at: datetime | None = None
        self.released: list[tuple[int, DeliveryState]] = []

    async def run(self) -> None:
        gate = asyncio.Semaphore(KINDS[self.config.kind].concurrency)
        await asyncio.gather(*(self._send(delivery, gate) for delivery in self.batch))
        await self.writer.flush()
        if self.released:
            await asyncio.to_thread(release_rows, self.engine, self.released)
        self.report.released = len(self.released)

    async def _send(self, delivery: ClaimedDelivery, gate: asyncio.Semaphore) -> None:
        async with gate:
            if self.resume_at is not None:
                self.released.append((delivery.id, release(delivery.state, self.resume_at)))
                return
            outcome, elapsed = await send_delivery(self.client, self.config, delivery.message, delivery.key)
            step = transition(delivery.state, outcome, self.now, self.jitter())
            self._count(delivery, outcome.kind, step.state, outcome.error)
            if outcome.kind is not OutcomeKind.SENT and self.resume_at is None:
                self.resume_at = step.pause_channel_until or self.now + TRIP_DELAY
            await self.writer.add(AttemptResult(delivery.id, self.config.name, outcome, step, self.now, elapsed))

    def _count(self, delivery: ClaimedDelivery, kind: OutcomeKind, state: DeliveryState, error: str | None) -> None:
        report = self.report
        if kind is OutcomeKind.SENT:
            report.sent += 1
            return
        report.last_error = error
        if kind is OutcomeKind.RATE_LIMITED:
            report.rate_limited += 1
            report.paused_until = state.next_attempt_at
            logger.warning("channel %s rate limited: paused until %s", self.config.name, state.next_attempt_at)
        elif kind is OutcomeKind.GONE:
            report.disabled += 1
            report.disabled_reason = error
            logger.error("channel %s disabled: %s", self.config.name, error)
        elif state.status == "dead":
            report.dead += 1
            logger.error("delivery %s to %s is dead: %s", delivery.id, self.config.name, error)
        else:
            report.retrying += 1
            logger.warning("delivery %s to %s failed, retry at %s: %s", delivery.id, self.config.name,
                           state.next_attempt_at, error)
