"""Runs the crawls of many sources in one process: one Scrapy crawler on the asyncio reactor serves them all.

`crawl_sources` is a coroutine for a process whose reactor already runs (the service); `run_crawls` installs the
reactor, runs one batch and returns (the `monitor crawl` command).
"""

from __future__ import annotations

import asyncio
import signal
from collections.abc import Callable, Sequence
from dataclasses import dataclass

from scrapy.settings import Settings as ScrapySettings

from monitor.config import Settings
from monitor.crawl.multi_source import MultiSourceSpider
from monitor.crawl.run_outcome import RunCounts, RunOutcome
from monitor.crawl.run_recorder import OUTCOMES_ATTRIBUTE, record_outcomes
from monitor.crawl.settings import scrapy_settings
from monitor.sources import SourceDefinition
from monitor.store.database import shared_engine

ASYNCIO_REACTOR = "twisted.internet.asyncioreactor.AsyncioSelectorReactor"


@dataclass(frozen=True)
class SourceRun:
    source: SourceDefinition
    outcome: RunOutcome


@dataclass(frozen=True)
class CrawlProgress:
    responses: int
    items: int


OnProgress = Callable[[CrawlProgress], None]
PROGRESS_INTERVAL = 0.5


async def crawl_sources(runner, sources: Sequence[SourceDefinition], database_url: str,  # type: ignore[no-untyped-def]
                        on_progress: OnProgress | None = None) -> list[SourceRun]:
    """Crawl all `sources` with one crawler; every source gets an outcome, even when its spider cannot start."""
    crawler = runner.create_crawler(MultiSourceSpider)
    watcher = _watch(crawler, on_progress) if on_progress else None
    try:
        await runner.crawl(crawler, sources=list(sources))
    except Exception as error:  # the crawl as a whole failed: every source gets a failed run
        outcomes = {source.id: RunOutcome("failed", RunCounts(), f"crawl failed: {type(error).__name__}: {error}")
                    for source in sources}
        record_outcomes(shared_engine(database_url), outcomes, {})
    else:
        outcomes = getattr(crawler, OUTCOMES_ATTRIBUTE, {})
    finally:
        if watcher:
            watcher.cancel()
    missing = RunOutcome("failed", RunCounts(), "crawl ended without a result")
    return [SourceRun(source, outcomes.get(source.id, missing)) for source in sources]


def _watch(crawler, on_progress: OnProgress) -> asyncio.Task:  # type: ignore[no-untyped-def]
    async def loop() -> None:
        while True:
            await asyncio.sleep(PROGRESS_INTERVAL)
            stats = crawler.stats.get_stats() if crawler.stats else {}
            on_progress(CrawlProgress(int(stats.get("response_received_count", 0)),
                                      int(stats.get("item_scraped_count", 0))))

    return asyncio.get_event_loop().create_task(loop())


def make_runner(settings: Settings):  # type: ignore[no-untyped-def]
    """Install the asyncio reactor and the guarded resolver; return a crawler runner on them."""
    from scrapy.crawler import AsyncCrawlerRunner
    from scrapy.utils.reactor import install_reactor

    install_reactor(ASYNCIO_REACTOR)
    from twisted.internet import reactor

    from monitor.crawl.network_guard import install_guarded_resolver

    install_guarded_resolver(reactor, settings.allow_private_networks, settings.allowed_addresses)
    shared_engine(settings.database_url)  # migrate before any crawl starts
    return AsyncCrawlerRunner(ScrapySettings(scrapy_settings(settings)))


def run_crawls(settings: Settings, sources: Sequence[SourceDefinition],
               on_progress: OnProgress | None = None) -> list[SourceRun]:
    """Run one crawl of each source now, in this process, and return when all are done."""
    from scrapy.utils.defer import deferred_from_coro

    runner = make_runner(settings)
    from twisted.internet import reactor

    results: list[SourceRun] = []
    errors: list[BaseException] = []

    async def main() -> None:
        results.extend(await crawl_sources(runner, sources, settings.database_url, on_progress))

    def start() -> None:
        deferred = deferred_from_coro(main())
        deferred.addErrback(lambda failure: errors.append(failure.value))
        deferred.addBoth(lambda _: reactor.stop())

    def stop_gracefully(signum: int, _frame: object) -> None:
        """SIGTERM/SIGINT close the crawlers, so every run is recorded (Twisted's own handler would stop the
        reactor mid-crawl and leave runs marked "running"); a second signal stops at once."""
        signal.signal(signum, signal.SIG_DFL)
        reactor.callFromThread(lambda: deferred_from_coro(runner.stop()))

    for signum in (signal.SIGTERM, signal.SIGINT):
        signal.signal(signum, stop_gracefully)
    reactor.callWhenRunning(start)
    reactor.run(installSignalHandlers=False)
    if errors:
        raise errors[0]
    return results
