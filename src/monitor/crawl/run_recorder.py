"""A Scrapy extension that writes one `crawl_runs` row per crawl and updates the source's state."""

from __future__ import annotations

from datetime import UTC, datetime

from scrapy import signals
from scrapy.crawler import Crawler
from sqlalchemy import insert, select, update

from monitor.crawl.run_outcome import RunOutcome, classify_run
from monitor.store.database import shared_engine
from monitor.store.models import CrawlRun, SourceState

OUTCOME_ATTRIBUTE = "monitor_outcome"


class RunRecorder:
    def __init__(self, crawler: Crawler) -> None:
        self.crawler = crawler
        self.engine = shared_engine(crawler.settings["MONITOR_DATABASE_URL"])
        self.run_id: int | None = None
        crawler.signals.connect(self.spider_opened, signal=signals.spider_opened)
        crawler.signals.connect(self.spider_closed, signal=signals.spider_closed)

    @classmethod
    def from_crawler(cls, crawler: Crawler) -> RunRecorder:
        return cls(crawler)

    def spider_opened(self, spider) -> None:  # type: ignore[no-untyped-def]
        with self.engine.begin() as connection:
            self.run_id = connection.execute(insert(CrawlRun).values(
                source_id=spider.source.id, started_at=datetime.now(UTC), status="running").returning(
                CrawlRun.id)).scalar_one()

    def spider_closed(self, spider, reason: str) -> None:  # type: ignore[no-untyped-def]
        outcome = classify_run(self.crawler.stats.get_stats(), reason)
        setattr(self.crawler, OUTCOME_ATTRIBUTE, outcome)
        record_outcome(self.engine, spider.source.id, self.run_id, outcome)


def record_outcome(engine, source_id: str, run_id: int | None, outcome: RunOutcome) -> None:  # type: ignore[no-untyped-def]
    now = datetime.now(UTC)
    counts = outcome.counts
    with engine.begin() as connection:
        values = dict(finished_at=now, status=outcome.status, items_seen=counts.seen, items_new=counts.new,
                      items_updated=counts.updated, items_duplicate=counts.duplicate,
                      items_unchanged=counts.unchanged, items_failed=counts.failed,
                      responses_not_modified=counts.not_modified, error=outcome.error)
        if run_id is None:
            connection.execute(insert(CrawlRun).values(source_id=source_id, started_at=now, **values))
        else:
            connection.execute(update(CrawlRun).where(CrawlRun.id == run_id).values(**values))
        healthy = outcome.state == "healthy"
        state = connection.execute(select(SourceState).where(SourceState.source_id == source_id)).first()
        if state is None:
            connection.execute(insert(SourceState).values(
                source_id=source_id, state=outcome.state, last_run_at=now,
                last_success_at=now if healthy else None, last_error=outcome.error,
                consecutive_failures=0 if healthy else 1))
        else:
            connection.execute(update(SourceState).where(SourceState.source_id == source_id).values(
                state=outcome.state, last_run_at=now, last_error=outcome.error,
                last_success_at=now if healthy else SourceState.last_success_at,
                consecutive_failures=0 if healthy else SourceState.consecutive_failures + 1))
