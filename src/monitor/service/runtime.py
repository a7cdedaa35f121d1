"""The running service on the reactor's asyncio loop: scheduler, jobs, HTTP server, and the way out.

Shutdown order (from the spike, see docs/architecture.md): the signal handler only asks uvicorn to exit; then
pause the scheduler, let running crawls finish (up to MONITOR_SHUTDOWN_GRACE), stop and join the crawler
runner, wait for the jobs still finishing (matching, health), and only then shut the scheduler down (shutting it
down first would cancel a crawl task that Scrapy then keeps running out of reach). The caller stops the reactor.
"""

from __future__ import annotations

import asyncio
import contextlib
import logging
import signal
import socket
from collections.abc import Awaitable, Callable
from datetime import UTC
from typing import Any

import uvicorn
from apscheduler.events import EVENT_JOB_MAX_INSTANCES, JobSubmissionEvent
from apscheduler.schedulers.asyncio import AsyncIOScheduler

from monitor.service.jobs import ServiceJobs
from monitor.service.logs import event

log = logging.getLogger("monitor.service")
JOB_WAIT_AT_EXIT = 30.0


class QuietServer(uvicorn.Server):
    """uvicorn without its own signal handling: ours asks it to exit, and nothing re-raises the signal."""

    @contextlib.contextmanager
    def capture_signals(self):  # type: ignore[no-untyped-def]
        yield


class ServiceRuntime:
    def __init__(self, jobs: ServiceJobs, app: Any, sock: socket.socket) -> None:
        self.jobs = jobs
        self.sock = sock
        self.scheduler = AsyncIOScheduler(event_loop=asyncio.get_running_loop(), timezone=UTC)
        self.server = QuietServer(uvicorn.Config(app, log_config=None, access_log=False, lifespan="on",
                                                 timeout_graceful_shutdown=5))
        self.force = asyncio.Event()
        self.signals = 0

    def request_stop(self, signum: int) -> None:
        """SIGTERM / SIGINT: ask uvicorn to exit; the second signal cuts the drain short."""
        self.signals += 1
        event(log, "service.signal", signal=signal.Signals(signum).name, count=self.signals)
        self.server.should_exit = True
        if self.signals > 1:
            self.force.set()

    async def run(self) -> int:
        loop = asyncio.get_running_loop()
        for signum in (signal.SIGTERM, signal.SIGINT):
            loop.add_signal_handler(signum, self.request_stop, signum)
        self.scheduler.add_listener(self._skipped, EVENT_JOB_MAX_INSTANCES)
        self.scheduler.start(paused=True)
        self.jobs.register(self.scheduler)
        await self.jobs.start_up()
        self.scheduler.resume()
        self.jobs.running = True
        self.jobs.metrics.up.set(1)
        event(log, "service.started", node=self.jobs.node, jobs=len(self.scheduler.get_jobs()),
              http=f"http://{self.sock.getsockname()[0]}:{self.sock.getsockname()[1]}")
        code = 0
        try:
            await self.server.serve(sockets=[self.sock])
        except (Exception, SystemExit) as error:  # the HTTP app failed to start: stop everything cleanly
            event(log, "service.http_failed", logging.ERROR, error=f"{type(error).__name__}: {error}")
            code = 1
        await self.shutdown()
        for signum in (signal.SIGTERM, signal.SIGINT):
            loop.remove_signal_handler(signum)
        return code

    async def shutdown(self) -> None:
        self.jobs.running = False
        self.jobs.metrics.up.set(0)
        self.scheduler.pause()
        event(log, "service.draining", grace=self.jobs.settings.shutdown_grace)
        drained = await self._until_forced(self.jobs.drain(self.jobs.settings.shutdown_grace))
        await self.jobs.stop_crawls()
        await self._until_forced(self.jobs.wait_for_jobs(JOB_WAIT_AT_EXIT))
        self.scheduler.shutdown(wait=False)
        await asyncio.sleep(0)  # let the scheduler's shutdown (scheduled on the loop) run
        event(log, "service.stopped", drained=drained)

    async def _until_forced(self, work: Awaitable[bool]) -> bool:
        task = asyncio.ensure_future(work)
        forced = asyncio.ensure_future(self.force.wait())
        done, _ = await asyncio.wait({task, forced}, return_when=asyncio.FIRST_COMPLETED)
        forced.cancel()
        if task in done:
            return task.result()
        task.cancel()
        return False

    def _skipped(self, submission: JobSubmissionEvent) -> None:
        self.jobs.still_running(submission.job_id)


def install_exception_logging(loop: asyncio.AbstractEventLoop, handler: Callable[..., None] | None = None) -> None:
    """Unhandled errors in loop callbacks become structured log lines instead of stray tracebacks."""

    def report(_loop: asyncio.AbstractEventLoop, context: dict[str, Any]) -> None:
        error = context.get("exception")
        event(log, "loop.error", logging.ERROR, message=context.get("message"),
              error=f"{type(error).__name__}: {error}" if error else None)

    loop.set_exception_handler(handler or report)
