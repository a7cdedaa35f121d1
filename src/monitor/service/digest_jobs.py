"""Digest jobs: one cron job per digest in its own time zone; each period is claimed in `job_claims` and built
by the digest code (whose own unique (digest, period) row guards the send as well).

At start-up the latest period of each digest runs once when no node has run it yet: a digest due while the
service was down (for five minutes or three days) goes out once, with everything since the last one sent.
"""

from __future__ import annotations

import asyncio
import logging
from datetime import UTC, datetime
from typing import Any

from sqlalchemy import Engine

from monitor.service.claims import claim
from monitor.service.integrations import Integrations
from monitor.service.logs import event
from monitor.service.plans import DIGEST_PREFIX, JobPlan, digest_plan

log = logging.getLogger("monitor.service.digests")


class DigestJobs:
    def __init__(self, engine: Engine, node: str, digests: dict[str, Any], integrations: Integrations) -> None:
        self.engine = engine
        self.node = node
        self.digests = digests
        self.integrations = integrations

    @property
    def wired(self) -> bool:
        return self.integrations.run_digest is not None and self.integrations.digest_schedule is not None

    def plans(self) -> list[JobPlan]:
        if not self.wired:
            return []
        schedule = self.integrations.digest_schedule
        assert schedule is not None
        return [digest_plan(digest_id, schedule.trigger(digest),
                            f"digest {digest_id} at '{digest.schedule}' {digest.timezone}")
                for digest_id, digest in self.digests.items()]

    async def tick(self, digest_id: str, now: datetime | None = None) -> bool:
        """The job function of `digest:<id>`: claim the period that just began and build/send it."""
        return await self._period(digest_id, now or datetime.now(UTC), catching_up=False)

    async def catch_up(self, now: datetime | None = None) -> None:
        """At start-up: the latest period of every digest, unless it was run already."""
        for digest_id in self.digests if self.wired else ():
            await self._period(digest_id, now or datetime.now(UTC), catching_up=True)

    async def _period(self, digest_id: str, now: datetime, catching_up: bool) -> bool:
        schedule = self.integrations.digest_schedule
        run = self.integrations.run_digest
        if schedule is None or run is None:
            return False
        digest = self.digests[digest_id]
        period = schedule.latest(digest, now)
        if period is None:
            return False
        won = await asyncio.to_thread(claim, self.engine, DIGEST_PREFIX + digest_id, period, self.node, now)
        if not won and catching_up:
            # claimed before, but a node may have died before the digest code recorded the period
            won = not await asyncio.to_thread(schedule.recorded, self.engine, digest, period)
        if not won:
            event(log, "digest.skipped", logging.DEBUG, digest=digest_id, period=period, reason="claimed")
            return False
        event(log, "digest.start", digest=digest_id, period=period, catch_up=catching_up or None)
        await run(digest, period)
        return True
