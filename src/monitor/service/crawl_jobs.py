"""What one crawl tick does: skip a failing source that is backing off, claim the period, crawl (in-process
batch or subprocess), then match what is new and re-derive the health of the crawled sources.
"""

from __future__ import annotations

import asyncio
import logging
from collections.abc import Callable, Sequence
from dataclasses import dataclass
from datetime import UTC, datetime

from sqlalchemy import Engine

from monitor.crawl.run_outcome import RunOutcome
from monitor.crawl.runner import SourceRun
from monitor.service import health_store
from monitor.service.claims import claim
from monitor.service.crawl_queue import CrawlQueue
from monitor.service.health import HealthPolicy, failing_streak
from monitor.service.logs import event
from monitor.service.matching import MatchRunner
from monitor.service.metrics import ServiceMetrics
from monitor.service.plans import JobPlan
from monitor.service.schedules import backoff_allows, nominal_interval, slot_start
from monitor.service.subprocess_crawl import SubprocessCrawls
from monitor.sources import SourceDefinition

log = logging.getLogger("monitor.service.crawl")


@dataclass
class CrawlWork:
    """Everything a tick needs; one per process."""

    engine: Engine
    node: str
    policy: HealthPolicy
    backoff_cap: float
    metrics: ServiceMetrics
    queue: CrawlQueue
    subprocesses: SubprocessCrawls
    matcher: MatchRunner
    on_alerts: Callable[[], None]
    on_matches: Callable[[], None]


class CrawlJobs:
    def __init__(self, work: CrawlWork, plans: Sequence[JobPlan]) -> None:
        self.work = work
        self.plans = {plan.source.id: plan for plan in plans if plan.source is not None}
        self.closing = False
        self.running: set[str] = set()

    async def catch_up(self) -> None:
        """At start-up: the current period of every source, unless some node crawled it already (a crawl due
        while the service was down runs now, not at the next tick)."""
        await asyncio.gather(*(self.tick(source_id, catching_up=True) for source_id in self.plans))

    async def tick(self, source_id: str, catching_up: bool = False) -> None:
        """The job function of `crawl:<source_id>`."""
        plan = self.plans[source_id]
        source = plan.source
        assert source is not None
        now = datetime.now(UTC)
        if self.closing:
            return self._skip(source_id, "shutting_down")
        if source_id in self.running:  # the start-up catch-up crawl is still going
            return self._skip(source_id, "still_running")
        slot = slot_start(plan.trigger, now) or now
        if not await asyncio.to_thread(self._backoff_allows, plan, now):
            return self._skip(source_id, "backoff")
        if not await asyncio.to_thread(claim, self.work.engine, plan.job_id, slot, self.work.node, now):
            return self._skip(source_id, "claimed_elsewhere", slot=slot)
        self.running.add(source_id)
        try:
            event(log, "crawl.start", logging.DEBUG, source=source_id, slot=slot, catch_up=catching_up or None)
            outcome = await self._crawl(source)
        finally:
            self.running.discard(source_id)
        level = logging.INFO if outcome.status in {"ok", "not_modified"} else logging.WARNING
        event(log, "crawl.done", level, source=source_id, status=outcome.status, new=outcome.counts.new,
              updated=outcome.counts.updated, error=outcome.error)

    async def _crawl(self, source: SourceDefinition) -> RunOutcome:
        if not source.subprocess:
            return await self.work.queue.crawl(source)
        outcome = await self.work.subprocesses.crawl(source)
        await self.after_batch([SourceRun(source, outcome)])
        return outcome

    def _skip(self, source_id: str, reason: str, **fields: object) -> None:
        self.work.metrics.ticks_skipped.labels(reason).inc()
        level = logging.DEBUG if reason == "claimed_elsewhere" else logging.INFO
        event(log, "crawl.skipped", level, source=source_id, reason=reason, **fields)

    def _backoff_allows(self, plan: JobPlan, now: datetime) -> bool:
        """A source that keeps failing or being blocked is crawled less often (never given up)."""
        assert plan.source is not None
        with self.work.engine.connect() as connection:
            history = health_store.load_histories(connection, [plan.source.id], now)[plan.source.id]
        streak = failing_streak(history)
        last_run = history.runs[0].finished_at if history.runs else None
        return backoff_allows(now, last_run, nominal_interval(plan.trigger, now), streak, self.work.backoff_cap)

    async def after_batch(self, runs: list[SourceRun]) -> None:
        """After a crawl: count it, match what it stored, re-derive the health of its sources."""
        self.work.metrics.record_runs(runs)
        if any(run.outcome.counts.new or run.outcome.counts.updated for run in runs):
            result = await self.work.matcher.run("crawl")
            if result is not None and result.matches_new:
                self.work.metrics.matches_new.inc(result.matches_new)
                self.work.on_matches()
        alerts = await asyncio.to_thread(health_store.evaluate, self.work.engine,
                                         [run.source for run in runs], self.work.policy)
        if alerts:
            self.work.on_alerts()
