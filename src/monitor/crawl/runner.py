"""Runs the crawls of several sources in one process on Scrapy's asyncio reactor, a few at a time.

`crawl_sources` is a coroutine for a process whose reactor already runs (the service); `run_crawls` installs the
reactor, runs one batch and returns (the `monitor crawl` command).
"""

from __future__ import annotations

import asyncio
from collections.abc import Callable, Sequence
from dataclasses import dataclass

from scrapy.settings import Settings as ScrapySettings

from monitor.config import Settings
from monitor.crawl.run_outcome import RunCounts, RunOutcome
from monitor.crawl.run_recorder import OUTCOME_ATTRIBUTE, record_outcome
from monitor.crawl.settings import scrapy_settings
from monitor.sources import SourceDefinition
from monitor.store.database import shared_engine

ASYNCIO_REACTOR = "twisted.internet.asyncioreactor.AsyncioSelectorReactor"
PARALLEL_CRAWLS = 8


@dataclass(frozen=True)
class SourceRun:
    source: SourceDefinition
    outcome: RunOutcome


OnDone = Callable[[SourceRun], None]


def _failed(error: str) -> RunOutcome:
    return RunOutcome("failed", RunCounts(0, 0, 0, 0, 0, 0), error)


async def crawl_one(runner, source: SourceDefinition, database_url: str) -> SourceRun:  # type: ignore[no-untyped-def]
    """Crawl one source; a spider that fails to start is recorded as a failed run, never raised."""
    try:
        spider_class = runner.spider_loader.load(source.family)
        crawler = runner.create_crawler(spider_class)
        await runner.crawl(crawler, source=source)
    except Exception as error:  # a broken source must not stop the others
        outcome = _failed(f"crawl did not run: {type(error).__name__}: {error}")
        record_outcome(shared_engine(database_url), source.id, None, outcome)
        return SourceRun(source, outcome)
    outcome = getattr(crawler, OUTCOME_ATTRIBUTE, None) or _failed("crawl ended without a result")
    return SourceRun(source, outcome)


async def crawl_sources(runner, sources: Sequence[SourceDefinition], database_url: str,  # type: ignore[no-untyped-def]
                        on_done: OnDone | None = None, parallel: int = PARALLEL_CRAWLS) -> list[SourceRun]:
    limit = asyncio.Semaphore(parallel)

    async def run(source: SourceDefinition) -> SourceRun:
        async with limit:
            result = await crawl_one(runner, source, database_url)
        if on_done:
            on_done(result)
        return result

    return list(await asyncio.gather(*(run(source) for source in sources)))


def make_runner(settings: Settings):  # type: ignore[no-untyped-def]
    """Install the asyncio reactor and the guarded resolver; return a crawler runner on them."""
    from scrapy.crawler import AsyncCrawlerRunner
    from scrapy.utils.reactor import install_reactor

    install_reactor(ASYNCIO_REACTOR)
    from twisted.internet import reactor

    from monitor.crawl.network_guard import install_guarded_resolver

    install_guarded_resolver(reactor, settings.allow_private_networks)
    shared_engine(settings.database_url)  # migrate before any crawl starts
    return AsyncCrawlerRunner(ScrapySettings(scrapy_settings(settings)))


def run_crawls(settings: Settings, sources: Sequence[SourceDefinition],
               on_done: OnDone | None = None) -> list[SourceRun]:
    """Run one crawl of each source now, in this process, and return when all are done."""
    from scrapy.utils.defer import deferred_from_coro

    runner = make_runner(settings)
    from twisted.internet import reactor

    results: list[SourceRun] = []
    errors: list[BaseException] = []

    async def main() -> None:
        results.extend(await crawl_sources(runner, sources, settings.database_url, on_done))

    def start() -> None:
        deferred = deferred_from_coro(main())
        deferred.addErrback(lambda failure: errors.append(failure.value))
        deferred.addBoth(lambda _: reactor.stop())

    reactor.callWhenRunning(start)
    reactor.run()
    if errors:
        raise errors[0]
    return results
