"""The service's jobs on the scheduler and what runs at start-up and on the way out.

Jobs: `crawl:<source>` per enabled source, `digest:<id>` per digest, `dispatch` (delivery dispatcher and
pending digests), `operator-alerts`, `health` (re-derives every source's health: staleness is a matter of time,
not only of runs) and `maintenance` (old claims). All get an explicit id, `replace_existing`, `coalesce` and
`max_instances=1` (`JobPlan.options`).
"""

from __future__ import annotations

import asyncio
import logging
from collections.abc import Awaitable, Callable, Sequence
from datetime import UTC, datetime, timedelta
from typing import Any

from apscheduler.schedulers.base import BaseScheduler
from sqlalchemy import Engine

from monitor.service import health_store
from monitor.service.claims import prune_claims
from monitor.service.config_check import ServiceConfig
from monitor.service.crawl_jobs import CrawlJobs, CrawlWork
from monitor.service.crawl_queue import CrawlQueue
from monitor.service.digest_jobs import DigestJobs
from monitor.service.health import HealthPolicy
from monitor.service.integrations import Integrations
from monitor.service.logs import event
from monitor.service.matching import MatchRunner
from monitor.service.metrics import ServiceMetrics
from monitor.service.operator_alerts import OperatorAlerts
from monitor.service.plans import CRAWL_PREFIX, JobPlan, crawl_plans, periodic_plan
from monitor.service.status import ServiceStatus, gather_status, store_gauges
from monitor.service.subprocess_crawl import SubprocessCrawls

log = logging.getLogger("monitor.service.jobs")
HEALTH_EVERY = 600.0
MAINTENANCE_EVERY = 3600.0


def health_policy(config: ServiceConfig) -> HealthPolicy:
    settings = config.settings
    return HealthPolicy(stale_factor=settings.stale_factor, stale_floor=timedelta(seconds=settings.stale_floor),
                        confirm_runs=settings.health_confirm_runs)


def all_plans(config: ServiceConfig, digest_plans: Sequence[JobPlan] = ()) -> list[JobPlan]:
    """Every job the service schedules, from the definitions alone (also for `monitor status`)."""
    settings = config.settings
    plans = crawl_plans(config.sources, config.zone, settings.crawl_offset_max)
    plans += [periodic_plan("dispatch", settings.dispatch_interval, "deliveries and pending digests"),
              periodic_plan("operator-alerts", settings.dispatch_interval, "source-health alerts to ops"),
              periodic_plan("health", HEALTH_EVERY, "re-derive every source's health"),
              periodic_plan("maintenance", MAINTENANCE_EVERY, "forget old job claims")]
    return plans + list(digest_plans)


class ServiceJobs:
    def __init__(self, config: ServiceConfig, engine: Engine, runner: Any, integrations: Integrations) -> None:
        self.config = config
        self.settings = config.settings
        self.engine = engine
        self.node = config.settings.node_name
        self.integrations = integrations
        self.metrics = ServiceMetrics()
        self.policy = health_policy(config)
        self.matcher = MatchRunner(engine, integrations.matcher, integrations.on_new_matches)
        self.alerts = OperatorAlerts(engine, integrations.hand_over, self.metrics, self.wake_dispatch)
        self.digests = DigestJobs(engine, self.node, config.digests, integrations)
        self.plans = all_plans(config, self.digests.plans())
        queue = CrawlQueue(runner, config.settings.database_url, config.settings.max_crawlers, self._after_batch,
                           on_duration=self.metrics.batch_seconds.observe)
        self.crawls = CrawlJobs(CrawlWork(engine, self.node, self.policy, config.settings.backoff_cap,
                                          self.metrics, queue, SubprocessCrawls(config.settings.subprocess_timeout),
                                          self.matcher, self.wake_alerts, self.wake_dispatch), self.plans)
        self.metrics.add_store_gauges(lambda: store_gauges(self.engine))
        self._active: set[asyncio.Task[Any]] = set()
        self._background: set[asyncio.Future[Any]] = set()
        self.running = False

    async def _after_batch(self, runs: list[Any]) -> None:
        await self.crawls.after_batch(runs)

    def register(self, scheduler: BaseScheduler) -> None:
        functions: dict[str, Callable[..., Awaitable[Any]]] = {
            "dispatch": self.dispatch, "operator-alerts": self.alerts.send_pending,
            "health": self.evaluate_all, "maintenance": self.maintenance}
        for plan in self.plans:
            if plan.kind == "crawl":
                assert plan.source is not None
                function, args = self.crawls.tick, [plan.source.id]
            elif plan.kind == "digest":
                function, args = self.digests.tick, [plan.job_id.split(":", 1)[1]]
            else:
                function, args = functions[plan.job_id], []
            scheduler.add_job(self.tracked(plan.kind, function), trigger=plan.trigger, args=args, **plan.options())

    def tracked(self, kind: str, function: Callable[..., Awaitable[Any]]) -> Callable[..., Awaitable[None]]:
        """The job as the scheduler runs it: counted among the work to wait for on shutdown; errors logged."""

        async def job(*args: Any) -> None:
            task = asyncio.current_task()
            if task is not None:
                self._active.add(task)
            try:
                await function(*args)
            except Exception:
                self.metrics.job_errors.labels(kind).inc()
                event(log, "job.failed", logging.ERROR, exc_info=True, kind=kind, args=",".join(map(str, args)))
            finally:
                if task is not None:
                    self._active.discard(task)

        return job

    async def start_up(self) -> None:
        """Before the scheduler resumes: health of every source, matching left over, crawls and digests missed."""
        await self.evaluate_all()
        self.spawn(self.tracked("match", self.matcher.run)("start-up"))
        self.spawn(self.tracked("crawl", self.crawls.catch_up)())
        await self.tracked("digest", self.digests.catch_up)()
        for missing in self.integrations.missing:
            event(log, "service.not_wired", logging.WARNING, part=missing)

    async def evaluate_all(self) -> None:
        ids = await asyncio.to_thread(health_store.evaluate, self.engine, self.config.sources, self.policy)
        if ids:
            self.wake_alerts()

    def spawn(self, work: Awaitable[Any]) -> None:
        """Run `work` in the background, holding a reference until it ends (the loop keeps only weak ones)."""
        task = asyncio.ensure_future(work)
        self._background.add(task)
        task.add_done_callback(self._background.discard)

    def wake_alerts(self) -> None:
        self.spawn(self.tracked("operator-alerts", self.alerts.send_pending)())

    def wake_dispatch(self) -> None:
        """New operator notices are in the outbox: send them now rather than at the next dispatch tick."""
        if self.integrations.dispatch is not None:
            self.spawn(self.tracked("dispatch", self.integrations.dispatch)())

    async def dispatch(self) -> None:
        if self.integrations.dispatch is not None:
            await self.integrations.dispatch()
        if self.integrations.retry_digests is not None:
            await self.integrations.retry_digests()

    async def maintenance(self) -> None:
        removed = await asyncio.to_thread(prune_claims, self.engine)
        if removed:
            event(log, "claims.pruned", removed=removed)

    def still_running(self, job_id: str) -> None:
        """APScheduler skipped a tick because the previous run of the job has not ended."""
        reason = "still_running"
        self.metrics.ticks_skipped.labels(reason).inc()
        source = job_id[len(CRAWL_PREFIX):] if job_id.startswith(CRAWL_PREFIX) else None
        event(log, "crawl.skipped" if source else "job.skipped", job=job_id, source=source, reason=reason)

    async def drain(self, grace: float) -> bool:
        """With the scheduler paused: let the running jobs (crawl ticks awaiting their crawl included) end."""
        queue, children = self.crawls.work.queue, self.crawls.work.subprocesses
        finished = await self.wait_for_jobs(grace)
        return finished and not queue.busy and not children.busy

    async def stop_crawls(self) -> None:
        self.crawls.closing = True
        await self.crawls.work.queue.stop()
        await self.crawls.work.subprocesses.stop()

    async def wait_for_jobs(self, timeout: float) -> bool:
        """Wait up to `timeout` seconds for running jobs and the work they started; True when all ended."""
        loop = asyncio.get_running_loop()
        deadline = loop.time() + timeout
        current = asyncio.current_task()
        while True:
            pending = {task for task in (*self._active, *self._background) if task is not current and not task.done()}
            remaining = deadline - loop.time()
            if not pending or remaining <= 0:
                return not pending
            await asyncio.wait(pending, timeout=remaining)

    def status(self) -> ServiceStatus:
        return gather_status(self.engine, self.config.sources, self.plans, self.policy, datetime.now(UTC))
