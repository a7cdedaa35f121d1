"""Pure schedule arithmetic: triggers for sources, per-source offsets, claim slots, backoff and DST checks.

Every node computes the same fire times and the same slot for the same period from its own clock and the
sources file alone, which is what lets a `job_claims` row decide which node runs a period.
"""

from __future__ import annotations

import hashlib
from datetime import UTC, datetime, timedelta, tzinfo
from zoneinfo import ZoneInfo

from apscheduler.triggers.base import BaseTrigger
from apscheduler.triggers.cron import CronTrigger
from apscheduler.triggers.interval import IntervalTrigger

from monitor.sources import Schedule

EPOCH = datetime(1970, 1, 1, tzinfo=UTC)
MAX_CRON_OFFSET = 59
_WEEKDAY_NAMES = ("sun", "mon", "tue", "wed", "thu", "fri", "sat")
_SEARCH_WINDOWS = (timedelta(minutes=2), timedelta(hours=2), timedelta(days=2), timedelta(days=35),
                   timedelta(days=400), timedelta(days=3000))


def source_offset(source_id: str, schedule: Schedule, max_offset: int) -> int:
    """A stable offset in seconds for one source, so sources on the same schedule do not all start at once.

    At most a tenth of the interval (a 1-second schedule has none), at most `max_offset`, and below a minute
    for cron schedules (the offset becomes the cron's second).
    """
    if schedule.interval_seconds:
        bound = min(max_offset, schedule.interval_seconds // 10)
    else:
        bound = min(max_offset, MAX_CRON_OFFSET)
    if bound <= 0:
        return 0
    digest = hashlib.sha256(source_id.encode()).digest()
    return int.from_bytes(digest[:8], "big") % (bound + 1)


def crontab_day_of_week(field: str) -> str:
    """A crontab day-of-week field (0 or 7 = Sunday) in APScheduler 3's terms (0 = Monday): as day names."""
    if field == "*" or not any(character.isdigit() for character in field):
        return field
    days: set[int] = set()
    for part in field.split(","):
        days |= _crontab_days(part)
    return ",".join(_WEEKDAY_NAMES[day] for day in sorted(days))


def _crontab_days(part: str) -> set[int]:
    span, _, step_text = part.partition("/")
    step = int(step_text) if step_text else 1
    if span == "*":
        first, last = 0, 6
    else:
        low, _, high = span.partition("-")
        first, last = _day_number(low), _day_number(high) if high else _day_number(low)
        if step_text and not high:
            last = 6
    if last < first:
        raise ValueError(f"day-of-week range {part!r} runs backwards")
    return {day % 7 for day in range(first, last + 1, step)}


def _day_number(token: str) -> int:
    token = token.strip().lower()
    if token.isdigit() and 0 <= int(token) <= 7:
        return int(token)
    if token[:3] in _WEEKDAY_NAMES:
        return _WEEKDAY_NAMES.index(token[:3])
    raise ValueError(f"{token!r} is not a day of the week (0-7 or sun-sat)")


def cron_trigger(expression: str, zone: tzinfo, second: int = 0) -> CronTrigger:
    """A trigger for a 5-field crontab expression (crontab weekday numbers) in `zone`, firing at `second`."""
    minute, hour, day, month, day_of_week = expression.split()
    return CronTrigger(minute=minute, hour=hour, day=day, month=month,
                       day_of_week=crontab_day_of_week(day_of_week), second=second, timezone=zone)


def source_trigger(schedule: Schedule, offset: int, zone: tzinfo = UTC) -> BaseTrigger:
    """Interval schedules are aligned on the wall clock (every node fires at the same instants); cron schedules
    run in `zone` at second `offset`."""
    if schedule.interval_seconds:
        return IntervalTrigger(seconds=schedule.interval_seconds, start_date=EPOCH + timedelta(seconds=offset),
                               timezone=UTC)
    assert schedule.cron is not None
    return cron_trigger(schedule.cron, zone, second=min(offset, MAX_CRON_OFFSET))


def slot_start(trigger: BaseTrigger, now: datetime) -> datetime | None:
    """The period `now` falls in: the latest fire time at or before `now`, in UTC (None: never fired yet)."""
    if isinstance(trigger, IntervalTrigger):
        start = trigger.start_date
        if now < start:
            return None
        periods = int((now - start).total_seconds() // trigger.interval_length)
        return (start + timedelta(seconds=periods * trigger.interval_length)).astimezone(UTC)
    return previous_fire_time(trigger, now)


def previous_fire_time(trigger: BaseTrigger, now: datetime) -> datetime | None:
    """The latest fire time of `trigger` at or before `now` (searching back up to about eight years)."""
    for window in _SEARCH_WINDOWS:
        fire = trigger.get_next_fire_time(None, now - window)
        if fire is None or fire > now:
            continue
        while True:
            following = trigger.get_next_fire_time(fire, fire + timedelta(microseconds=1))
            if following is None or following > now:
                return fire.astimezone(UTC)
            fire = following
    return None


def next_fire_times(trigger: BaseTrigger, now: datetime, count: int = 1) -> list[datetime]:
    """The next `count` fire times after `now`, in UTC."""
    times: list[datetime] = []
    previous: datetime | None = None
    moment = now
    for _ in range(count):
        fire = trigger.get_next_fire_time(previous, moment)
        if fire is None:
            break
        times.append(fire.astimezone(UTC))
        previous, moment = fire, fire + timedelta(microseconds=1)
    return times


def nominal_interval(trigger: BaseTrigger, now: datetime) -> float:
    """Seconds between two runs: the interval, or the gap between the next two cron fire times."""
    if isinstance(trigger, IntervalTrigger):
        return float(trigger.interval_length)
    upcoming = next_fire_times(trigger, now, 2)
    if len(upcoming) < 2:
        return 86400.0
    return (upcoming[1] - upcoming[0]).total_seconds()


def backoff_delay(interval: float, consecutive_failures: int, cap: float) -> float:
    """Seconds to wait after a run before the next, for a source that keeps failing: the interval after one
    failure, then doubling, capped at `cap` (or the interval when that is longer). Never given up."""
    if consecutive_failures <= 1:
        return interval
    return min(interval * 2 ** (consecutive_failures - 1), max(cap, interval))


def backoff_allows(now: datetime, last_run_at: datetime | None, interval: float, consecutive_failures: int,
                   cap: float) -> bool:
    """Whether a tick at `now` may crawl a failing source whose last run ended at `last_run_at`.

    Half an interval of slack: `last_run_at` is when the last crawl ended, ticks come at the start of periods.
    """
    if last_run_at is None or consecutive_failures <= 1:
        return True
    waited = (now - last_run_at).total_seconds()
    return waited + interval / 2 >= backoff_delay(interval, consecutive_failures, cap)


def zone_named(name: str) -> tzinfo:
    """A time zone by IANA name; ValueError naming it when unknown."""
    if name.upper() == "UTC":
        return UTC
    try:
        return ZoneInfo(name)
    except (KeyError, ValueError) as error:
        raise ValueError(f"unknown time zone {name!r}") from error
