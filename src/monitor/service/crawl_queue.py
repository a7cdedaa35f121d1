"""Scheduled crawls on the one crawler runner: ticks that come within a moment of each other share one crawler
(a crawler per source costs start-up time and memory), and at most `max_crawlers` crawls run at once.

Each tick awaits its own source's outcome, so APScheduler's `max_instances=1` sees a crawl as running until it
has ended and skips (and reports) the next tick of a source that is still being crawled.
"""

from __future__ import annotations

import asyncio
import logging
import time
from collections.abc import Awaitable, Callable
from typing import Any

from monitor.crawl.run_outcome import RunCounts, RunOutcome
from monitor.crawl.runner import SourceRun, crawl_sources
from monitor.service.logs import event
from monitor.sources import SourceDefinition

log = logging.getLogger("monitor.service.crawl")
AfterBatch = Callable[[list[SourceRun]], Awaitable[None]]


class CrawlQueue:
    def __init__(self, runner: Any, database_url: str, max_crawlers: int, after_batch: AfterBatch,
                 gather_seconds: float = 0.2, on_duration: Callable[[float], None] | None = None) -> None:
        self.runner = runner
        self.database_url = database_url
        self.after_batch = after_batch
        self.gather_seconds = gather_seconds
        self.on_duration = on_duration
        self._slots = asyncio.Semaphore(max(1, max_crawlers))
        self._pending: list[tuple[SourceDefinition, asyncio.Future[RunOutcome]]] = []
        self._flush_handle: asyncio.TimerHandle | None = None
        self._batches: set[asyncio.Task[None]] = set()
        self.closed = False

    @property
    def busy(self) -> bool:
        return bool(self._pending or self._batches)

    async def crawl(self, source: SourceDefinition) -> RunOutcome:
        """Crawl `source` with the next batch; returns its outcome once the batch and its follow-up are done."""
        if self.closed:
            raise RuntimeError("the crawl queue is closed (shutting down)")
        loop = asyncio.get_running_loop()
        future: asyncio.Future[RunOutcome] = loop.create_future()
        self._pending.append((source, future))
        if self._flush_handle is None:
            self._flush_handle = loop.call_later(self.gather_seconds, self._start_flush)
        return await asyncio.shield(future)

    def _start_flush(self) -> None:
        self._flush_handle = None
        task = asyncio.get_running_loop().create_task(self._flush())
        self._batches.add(task)
        task.add_done_callback(self._batches.discard)

    async def _flush(self) -> None:
        async with self._slots:
            batch, self._pending = self._pending, []
            if not batch:
                return
            if self.closed:
                stopped = RunOutcome("failed", RunCounts(), "not crawled: the service is shutting down")
                _resolve(batch, [SourceRun(source, stopped) for source, _ in batch])
                return
            sources = [source for source, _ in batch]
            event(log, "crawl.batch.start", logging.DEBUG, sources=len(sources),
                  ids=",".join(source.id for source in sources[:20]))
            started = time.perf_counter()
            try:
                runs = await crawl_sources(self.runner, sources, self.database_url)
            except BaseException as error:  # the crawl could not even be set up: every tick learns why
                failed = RunOutcome("failed", RunCounts(), f"crawl failed: {type(error).__name__}: {error}")
                runs = [SourceRun(source, failed) for source in sources]
                if not isinstance(error, Exception):
                    _resolve(batch, runs)
                    raise
            if self.on_duration is not None:
                self.on_duration(time.perf_counter() - started)
            try:
                await self.after_batch(runs)
            except Exception:
                event(log, "crawl.after_batch.failed", logging.ERROR, exc_info=True)
            _resolve(batch, runs)

    async def stop(self) -> None:
        """Close the queue, stop the crawls still running (they record how far they got) and join them."""
        self.closed = True
        await self.runner.stop()
        await self.runner.join()
        if self._batches:
            await asyncio.wait(set(self._batches), timeout=30)


def _resolve(batch: list[tuple[SourceDefinition, asyncio.Future[RunOutcome]]], runs: list[SourceRun]) -> None:
    outcomes = {run.source.id: run.outcome for run in runs}
    missing = RunOutcome("failed", RunCounts(), "crawl ended without a result")
    for source, future in batch:
        if not future.done():
            future.set_result(outcomes.get(source.id, missing))
