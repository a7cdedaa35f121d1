"""What the service schedules, computed from the definitions alone (pure): one plan per job, with its id,
trigger and options. `monitor serve` registers them; `monitor status` lists their next fire times without a
running service; every node computes the same plans from the same files.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass, field
from datetime import datetime, tzinfo
from typing import Any

from apscheduler.triggers.base import BaseTrigger
from apscheduler.triggers.interval import IntervalTrigger

from monitor.service.schedules import EPOCH, next_fire_times, nominal_interval, source_offset, source_trigger
from monitor.sources import SourceDefinition

CRAWL_PREFIX = "crawl:"
DIGEST_PREFIX = "digest:"
DIGEST_MISFIRE_GRACE = 6 * 3600
MAX_CRAWL_MISFIRE_GRACE = 600


@dataclass(frozen=True)
class JobPlan:
    job_id: str
    kind: str
    """crawl, digest or periodic."""
    trigger: BaseTrigger
    misfire_grace_time: int
    description: str
    source: SourceDefinition | None = None
    offset: int = 0
    extra: dict[str, Any] = field(default_factory=dict)

    def options(self) -> dict[str, Any]:
        """The options every job gets: an explicit id, replaced on restart, coalesced, one at a time."""
        return {"id": self.job_id, "name": self.description, "replace_existing": True, "coalesce": True,
                "max_instances": 1, "misfire_grace_time": self.misfire_grace_time}


def crawl_plan(source: SourceDefinition, zone: tzinfo, max_offset: int) -> JobPlan:
    offset = source_offset(source.id, source.schedule, max_offset)
    trigger = source_trigger(source.schedule, offset, zone)
    grace = int(min(max(nominal_interval(trigger, EPOCH) / 2, 1), MAX_CRAWL_MISFIRE_GRACE))
    how = "subprocess" if source.subprocess else "in-process"
    return JobPlan(CRAWL_PREFIX + source.id, "crawl", trigger, grace,
                   f"crawl {source.id} {source.schedule.describe()} +{offset}s ({how})", source, offset)


def crawl_plans(sources: Sequence[SourceDefinition], zone: tzinfo, max_offset: int) -> list[JobPlan]:
    """One crawl job per enabled source."""
    return [crawl_plan(source, zone, max_offset) for source in sources if source.enabled]


def periodic_plan(job_id: str, seconds: float, description: str) -> JobPlan:
    trigger = IntervalTrigger(seconds=seconds, start_date=EPOCH)
    return JobPlan(job_id, "periodic", trigger, max(1, int(seconds)), description)


def digest_plan(digest_id: str, trigger: BaseTrigger, description: str) -> JobPlan:
    return JobPlan(DIGEST_PREFIX + digest_id, "digest", trigger, DIGEST_MISFIRE_GRACE, description)


@dataclass(frozen=True)
class Upcoming:
    job_id: str
    next_run: datetime | None
    description: str


def upcoming(plans: Sequence[JobPlan], now: datetime) -> list[Upcoming]:
    """The next fire time of every plan, soonest first."""
    rows = []
    for plan in plans:
        times = next_fire_times(plan.trigger, now, 1)
        rows.append(Upcoming(plan.job_id, times[0] if times else None, plan.description))
    far = datetime.max.replace(tzinfo=now.tzinfo)
    return sorted(rows, key=lambda row: (row.next_run or far, row.job_id))
