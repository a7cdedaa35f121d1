"""Crawl one source in its own process (`subprocess = true` in the sources file): `python -m monitor crawl <id>`.

The child records its own `crawl_runs` row and prints its outcome as a JSON line (`--worker 1/1`); a child that
hangs past the timeout is terminated, then killed. On shutdown, running children are asked to stop (SIGTERM,
which lets Scrapy close the spider and record the run) before the service exits.
"""

from __future__ import annotations

import asyncio
import contextlib
import logging
import sys

from monitor.crawl.run_outcome import RunCounts, RunOutcome
from monitor.crawl.workers import parse_outcome_line
from monitor.service.logs import event
from monitor.sources import SourceDefinition

log = logging.getLogger("monitor.service.subprocess")
STOP_WAIT = 20.0


class SubprocessCrawls:
    def __init__(self, timeout: float) -> None:
        self.timeout = timeout
        self._children: set[asyncio.subprocess.Process] = set()

    @property
    def busy(self) -> bool:
        return bool(self._children)

    async def crawl(self, source: SourceDefinition) -> RunOutcome:
        process = await asyncio.create_subprocess_exec(
            sys.executable, "-m", "monitor", "--quiet", "crawl", source.id, "--no-progress", "--worker", "1/1",
            stdin=asyncio.subprocess.DEVNULL, stdout=asyncio.subprocess.PIPE, stderr=asyncio.subprocess.PIPE)
        self._children.add(process)
        event(log, "crawl.subprocess.start", source=source.id, pid=process.pid)
        try:
            stdout, stderr = await asyncio.wait_for(process.communicate(), self.timeout)
        except TimeoutError:
            await _end(process)
            return RunOutcome("failed", RunCounts(), f"subprocess crawl took longer than {self.timeout:.0f}s")
        finally:
            self._children.discard(process)
        for line in stdout.decode(errors="replace").splitlines():
            parsed = parse_outcome_line(line)
            if parsed and parsed[0] == source.id:
                return parsed[1]
        tail = stderr.decode(errors="replace").strip().splitlines()[-3:]
        return RunOutcome("failed", RunCounts(),
                          f"subprocess crawl exited {process.returncode} without a result: {' | '.join(tail)}")

    async def stop(self) -> None:
        await asyncio.gather(*(_end(process) for process in list(self._children)))


async def _end(process: asyncio.subprocess.Process) -> None:
    if process.returncode is not None:
        return
    with contextlib.suppress(ProcessLookupError):
        process.terminate()
    try:
        await asyncio.wait_for(process.wait(), STOP_WAIT)
    except TimeoutError:
        with contextlib.suppress(ProcessLookupError):
            process.kill()
        await process.wait()
