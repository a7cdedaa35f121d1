"""A Scrapy extension that writes one `crawl_runs` row per source per crawl and updates each source's state."""

from __future__ import annotations

from datetime import UTC, datetime

from scrapy import signals
from scrapy.crawler import Crawler
from sqlalchemy import Engine, insert, select, update

from monitor.crawl.multi_source import source_ids_of
from monitor.crawl.run_outcome import RunCounts, RunOutcome, classify_run
from monitor.crawl.source_accounting import LAST_ERRORS_ATTRIBUTE
from monitor.crawl.source_stats import stats_by_source
from monitor.store.database import shared_engine
from monitor.store.models import CrawlRun, SourceState

OUTCOMES_ATTRIBUTE = "monitor_outcomes"


class RunRecorder:
    def __init__(self, crawler: Crawler) -> None:
        self.crawler = crawler
        self.engine = shared_engine(crawler.settings["MONITOR_DATABASE_URL"])
        self.run_ids: dict[str, int] = {}
        crawler.signals.connect(self.spider_opened, signal=signals.spider_opened)
        crawler.signals.connect(self.spider_closed, signal=signals.spider_closed)

    @classmethod
    def from_crawler(cls, crawler: Crawler) -> RunRecorder:
        return cls(crawler)

    def spider_opened(self, spider) -> None:  # type: ignore[no-untyped-def]
        started = datetime.now(UTC)
        with self.engine.begin() as connection:
            for source_id in source_ids_of(spider):
                self.run_ids[source_id] = connection.execute(insert(CrawlRun).values(
                    source_id=source_id, started_at=started, status="running").returning(CrawlRun.id)).scalar_one()

    def spider_closed(self, spider, reason: str) -> None:  # type: ignore[no-untyped-def]
        counters = stats_by_source(self.crawler.stats.get_stats())
        broken: dict[str, str] = getattr(spider, "broken", {})
        errors = getattr(self.crawler, LAST_ERRORS_ATTRIBUTE, {})
        outcomes: dict[str, RunOutcome] = {}
        for source_id in source_ids_of(spider):
            if source_id in broken:
                outcomes[source_id] = RunOutcome("failed", RunCounts(), broken[source_id])
            else:
                outcomes[source_id] = with_last_error(classify_run(counters.get(source_id, {}), reason),
                                                      errors.get(source_id))
        setattr(self.crawler, OUTCOMES_ATTRIBUTE, outcomes)
        record_outcomes(self.engine, outcomes, self.run_ids)


def with_last_error(outcome: RunOutcome, last_error: str | None) -> RunOutcome:
    """A failed or blocked run names its last error (host, reason), not only the kinds of failure."""
    if not last_error or outcome.status not in {"failed", "blocked"}:
        return outcome
    return RunOutcome(outcome.status, outcome.counts, f"{outcome.error} — last: {last_error}")


def record_outcomes(engine: Engine, outcomes: dict[str, RunOutcome], run_ids: dict[str, int]) -> None:
    now = datetime.now(UTC)
    with engine.begin() as connection:
        states = {row.source_id for row in connection.execute(
            select(SourceState.source_id).where(SourceState.source_id.in_(list(outcomes))))}
        for source_id, outcome in outcomes.items():
            counts = outcome.counts
            values = dict(finished_at=now, status=outcome.status, items_seen=counts.seen, items_new=counts.new,
                          items_updated=counts.updated, items_duplicate=counts.duplicate,
                          items_unchanged=counts.unchanged, items_failed=counts.failed,
                          responses_not_modified=counts.not_modified, error=outcome.error)
            if source_id in run_ids:
                connection.execute(update(CrawlRun).where(CrawlRun.id == run_ids[source_id]).values(**values))
            else:
                connection.execute(insert(CrawlRun).values(source_id=source_id, started_at=now, **values))
            healthy = outcome.state == "healthy"
            if source_id not in states:
                connection.execute(insert(SourceState).values(
                    source_id=source_id, state=outcome.state, last_run_at=now,
                    last_success_at=now if healthy else None, last_error=outcome.error,
                    consecutive_failures=0 if healthy else 1))
                continue
            connection.execute(update(SourceState).where(SourceState.source_id == source_id).values(
                state=outcome.state, last_run_at=now, last_error=outcome.error,
                last_success_at=now if healthy else SourceState.last_success_at,
                consecutive_failures=0 if healthy else SourceState.consecutive_failures + 1))
