"""The scheduler's jobs in-process (a real AsyncIOScheduler, a real store): one job per schedule however often
the service starts, the job options, a crawl that overruns its interval is skipped and logged, and digests due
while the service was down run once at start-up (frozen clocks across the 2026 DST changes)."""

from __future__ import annotations

import asyncio
import logging
from collections.abc import Iterator
from datetime import UTC, datetime, timedelta
from pathlib import Path
from zoneinfo import ZoneInfo

import pytest
from apscheduler.events import EVENT_JOB_MAX_INSTANCES
from apscheduler.schedulers.asyncio import AsyncIOScheduler
from sqlalchemy import Engine

from monitor.config import PROJECT_ROOT, Settings
from monitor.delivery.channel_config import ChannelSet
from monitor.digests.config import Digest, load_digests
from monitor.digests.schedule import cron_trigger, latest_run
from monitor.rules.ruleset import RuleSet
from monitor.service.claims import claim
from monitor.service.config_check import ServiceConfig
from monitor.service.digest_jobs import DigestJobs
from monitor.service.integrations import DigestSchedule, Integrations, build_integrations
from monitor.service.jobs import ServiceJobs
from monitor.service.schedules import next_fire_times
from monitor.sources import Schedule, SourceDefinition
from monitor.store.database import open_store

AMS = ZoneInfo("Europe/Amsterdam")
SEOUL = ZoneInfo("Asia/Seoul")
SOURCES = [
    SourceDefinition("a", "feed", "A", ("https://a.example/f",), "en", Schedule(interval_seconds=1)),
    SourceDefinition("b", "feed", "B", ("https://b.example/f",), "en", Schedule(interval_seconds=900)),
    SourceDefinition("c", "feed", "C", ("https://c.example/f",), "en", Schedule(cron="0 8 * * 1-5")),
    SourceDefinition("d", "feed", "D", ("https://d.example/f",), "en", Schedule(interval_seconds=60),
                     enabled=False),
]


@pytest.fixture
def engine(sqlite_url: str) -> Iterator[Engine]:
    store = open_store(sqlite_url)
    yield store
    store.dispose()


def service_config(sqlite_url: str) -> ServiceConfig:
    settings = Settings.from_env({"MONITOR_DATABASE_URL": sqlite_url, "MONITOR_ALLOW_PRIVATE_NETWORKS": "1"})
    digests = load_digests(PROJECT_ROOT / "alerts" / "digests.toml")
    return ServiceConfig(settings, SOURCES, RuleSet(()), UTC, ChannelSet(), digests)


def test_three_starts_leave_one_job_per_schedule(sqlite_url: str, engine: Engine) -> None:
    async def scenario() -> None:
        config = service_config(sqlite_url)
        for _ in range(3):  # three starts of the service, each re-registering (as after a reload) three times
            integrations = build_integrations(config, engine)
            jobs = ServiceJobs(config, engine, None, integrations)
            scheduler = AsyncIOScheduler(event_loop=asyncio.get_running_loop(), timezone=UTC)
            scheduler.start(paused=True)
            for _ in range(3):
                jobs.register(scheduler)
            ids = sorted(job.id for job in scheduler.get_jobs())
            assert ids == sorted(set(ids))
            assert ids == sorted(["crawl:a", "crawl:b", "crawl:c", "digest:kr-team", "digest:nl-team", "dispatch",
                                  "health", "maintenance", "operator-alerts"])
            for job in scheduler.get_jobs():
                assert (job.coalesce, job.max_instances) == (True, 1)
            assert scheduler.get_job("digest:nl-team").misfire_grace_time == 6 * 3600
            scheduler.shutdown(wait=False)
            await integrations.close()
            await asyncio.sleep(0)

    asyncio.run(scenario())


def test_digest_jobs_keep_local_time_across_dst(sqlite_url: str, engine: Engine) -> None:
    jobs = ServiceJobs(service_config(sqlite_url), engine, None, build_integrations(service_config(sqlite_url),
                                                                                   engine))
    triggers = {plan.job_id: plan.trigger for plan in jobs.plans}
    for start in (datetime(2026, 3, 27, tzinfo=UTC), datetime(2026, 10, 23, tzinfo=UTC)):
        nl = next_fire_times(triggers["digest:nl-team"], start, 5)
        kr = next_fire_times(triggers["digest:kr-team"], start, 5)
        assert {fire.astimezone(AMS).hour for fire in nl} == {8}
        assert {fire.hour for fire in kr} == {23}  # 08:00 in Seoul, which has no DST
    assert {fire.hour for fire in next_fire_times(triggers["digest:nl-team"], datetime(2026, 3, 27, tzinfo=UTC),
                                                   4)} == {7, 6}


def test_a_crawl_still_running_at_its_next_tick_is_skipped_and_logged(
        sqlite_url: str, engine: Engine, caplog: pytest.LogCaptureFixture) -> None:
    caplog.set_level(logging.INFO, logger="monitor.service")
    runs: list[str] = []

    async def slow_tick(source_id: str) -> None:
        runs.append(source_id)
        await asyncio.sleep(2.6)

    async def scenario() -> ServiceJobs:
        config = service_config(sqlite_url)
        config.sources = SOURCES[:1]
        config.digests = {}
        jobs = ServiceJobs(config, engine, None, Integrations(matcher=build_integrations(config, engine).matcher))
        jobs.crawls.tick = slow_tick  # type: ignore[method-assign]
        scheduler = AsyncIOScheduler(event_loop=asyncio.get_running_loop(), timezone=UTC)
        scheduler.add_listener(lambda submission: jobs.still_running(submission.job_id), EVENT_JOB_MAX_INSTANCES)
        scheduler.start()
        jobs.register(scheduler)
        await asyncio.sleep(4.2)
        scheduler.pause()
        assert await jobs.wait_for_jobs(5)
        scheduler.shutdown(wait=False)
        await asyncio.sleep(0)
        return jobs

    jobs = asyncio.run(scenario())
    assert 1 <= len(runs) <= 2  # one run at a time: never stacked
    skipped = jobs.metrics.ticks_skipped.labels("still_running")._value.get()
    assert skipped >= 2
    lines = [record for record in caplog.records if record.getMessage() == "crawl.skipped"]
    assert len(lines) == skipped


def recording_digests(engine: Engine, digests: dict[str, Digest], ran: list[tuple[str, datetime]]) -> DigestJobs:
    async def run(digest: Digest, period: datetime) -> None:
        ran.append((digest.id, period))

    def recorded(_engine: Engine, digest: Digest, period: datetime) -> bool:
        return (digest.id, period) in ran

    wiring = Integrations(matcher=None, run_digest=run,  # type: ignore[arg-type]
                          digest_schedule=DigestSchedule(cron_trigger, latest_run, recorded))
    return DigestJobs(engine, "node-a", digests, wiring)


@pytest.mark.parametrize(("digest_id", "last_sent", "down_until", "period"), [
    # Amsterdam, spring-forward day: down 07:55–08:05 local; the 08:00 CEST digest runs once at start-up
    ("nl-team", datetime(2026, 3, 28, 7, tzinfo=UTC), datetime(2026, 3, 29, 6, 5, tzinfo=UTC),
     datetime(2026, 3, 29, 6, tzinfo=UTC)),
    # Amsterdam, fall-back weekend: down three days; one digest, for the latest period
    ("nl-team", datetime(2026, 10, 23, 6, tzinfo=UTC), datetime(2026, 10, 26, 9, tzinfo=UTC),
     datetime(2026, 10, 26, 7, tzinfo=UTC)),
    # Seoul: no DST; 08:00 KST is 23:00 UTC the day before
    ("kr-team", datetime(2026, 3, 27, 23, tzinfo=UTC), datetime(2026, 3, 28, 23, 5, tzinfo=UTC),
     datetime(2026, 3, 28, 23, tzinfo=UTC)),
    ("kr-team", datetime(2026, 10, 22, 23, tzinfo=UTC), datetime(2026, 10, 25, 23, 30, tzinfo=UTC),
     datetime(2026, 10, 25, 23, tzinfo=UTC)),
])
def test_a_digest_due_while_down_runs_once_at_start_up(engine: Engine, digest_id: str, last_sent: datetime,
                                                       down_until: datetime, period: datetime) -> None:
    digests = load_digests(PROJECT_ROOT / "alerts" / "digests.toml")
    ran: list[tuple[str, datetime]] = [(digest_id, last_sent)]
    claim(engine, f"digest:{digest_id}", last_sent, "node-a")
    for restart in range(3):  # started, then restarted twice within minutes
        asyncio.run(recording_digests(engine, {digest_id: digests[digest_id]}, ran)
                    .catch_up(down_until + timedelta(minutes=restart)))
    assert [moment for name, moment in ran[1:]] == [period]
    assert latest_run(digests[digest_id], down_until).astimezone(UTC) == period


def test_each_digest_period_runs_on_one_node(engine: Engine, tmp_path: Path) -> None:
    digests = load_digests(PROJECT_ROOT / "alerts" / "digests.toml")
    ran: list[tuple[str, datetime]] = []
    fire = datetime(2026, 10, 25, 7, 0, 0, 300_000, tzinfo=UTC)  # 08:00 CET, the first morning after the change
    node_a = recording_digests(engine, {"nl-team": digests["nl-team"]}, ran)
    node_b = recording_digests(engine, {"nl-team": digests["nl-team"]}, ran)
    node_b.node = "node-b"

    async def both() -> list[bool]:
        return list(await asyncio.gather(node_a.tick("nl-team", fire), node_b.tick("nl-team", fire)))

    assert sorted(asyncio.run(both())) == [False, True]
    assert ran == [("nl-team", datetime(2026, 10, 25, 7, tzinfo=UTC))]
