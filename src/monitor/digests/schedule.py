"""When digests run: 5-field cron expressions in the digest's time zone, through APScheduler 3's CronTrigger.

Pure functions of (digest, clock): the service schedules `cron_trigger(digest)`; start-up catch-up and the
tests use `latest_run`, `next_run` and `due_periods` with a frozen clock. 08:00 local stays 08:00 local
across daylight-saving changes because the trigger works in the zone, never in fixed 24-hour steps.
"""

from __future__ import annotations

from collections import deque
from collections.abc import Iterator
from datetime import UTC, datetime, timedelta
from functools import lru_cache
from typing import Protocol
from zoneinfo import ZoneInfo

from apscheduler.triggers.cron import CronTrigger

_TICK = timedelta(microseconds=1)
_LOOKBACK_WINDOWS = (timedelta(hours=2), timedelta(days=2), timedelta(days=35), timedelta(days=400))
_MAX_STEPS = 100_000
_DST_PROBE_YEARS = range(2020, 2041)


class Scheduled(Protocol):
    """Anything with a cron schedule and a time zone (a Digest)."""

    @property
    def schedule(self) -> str: ...

    @property
    def timezone(self) -> str: ...


def cron_trigger(digest: Scheduled) -> CronTrigger:
    """The APScheduler 3 trigger the service schedules the digest with (one job per digest id)."""
    return _trigger(digest.schedule, digest.timezone)


@lru_cache(maxsize=256)
def _trigger(schedule: str, timezone: str) -> CronTrigger:
    minute, hour, day, month, weekday = schedule.split()
    return CronTrigger(
        minute=minute, hour=hour, day=day, month=month, day_of_week=cron_weekdays(weekday),
        timezone=ZoneInfo(timezone),
    )


def cron_weekdays(field: str) -> str:
    """A crontab weekday field (0 or 7 = Sunday, 1 = Monday; names allowed) as APScheduler 3 day names.

    APScheduler 3 counts 0 as Monday, so `1-5` handed over unchanged would mean Tuesday to Saturday.
    """
    if field == "*":
        return "*"
    days: set[int] = set()
    for part in field.lower().split(","):
        spread, _, step_text = part.partition("/")
        step = int(step_text) if step_text else 1
        if spread == "*":
            first, last = 0, 6
        else:
            first_text, _, last_text = spread.partition("-")
            first = _weekday_number(first_text)
            last = _weekday_number(last_text) if last_text else (6 if step_text else first)
            last = 7 if last == 0 and first > 0 else last
        if not 0 <= first <= last <= 7 or step < 1:
            raise ValueError(f"weekday field {field!r} is not valid")
        days.update(number % 7 for number in range(first, last + 1, step))
    return ",".join(_WEEKDAYS[number] for number in sorted(days))


_WEEKDAYS = ("sun", "mon", "tue", "wed", "thu", "fri", "sat")


def _weekday_number(text: str) -> int:
    if text in _WEEKDAYS:
        return _WEEKDAYS.index(text)
    number = int(text)
    if not 0 <= number <= 7:
        raise ValueError(f"weekday {text!r} is outside 0-7")
    return number


def _aware(moment: datetime, name: str) -> datetime:
    if moment.tzinfo is None:
        raise ValueError(f"{name} must be timezone-aware, got {moment!r}")
    return moment


def _fires(trigger: CronTrigger, start: datetime, end: datetime) -> Iterator[datetime]:
    """Fire times t with start <= t <= end, in order (at most _MAX_STEPS of them)."""
    fire = trigger.get_next_fire_time(None, start)
    steps = 0
    while fire is not None and fire <= end and steps < _MAX_STEPS:
        yield fire
        fire = trigger.get_next_fire_time(fire, fire)
        steps += 1


def next_run(digest: Scheduled, after: datetime) -> datetime:
    """The first scheduled time strictly after `after`, in the digest's time zone."""
    fire = cron_trigger(digest).get_next_fire_time(None, _aware(after, "after") + _TICK)
    if fire is None:  # a 5-field cron expression always has a next time
        raise ValueError(f"schedule {digest.schedule!r} never runs again")
    return fire


def latest_run(digest: Scheduled, now: datetime) -> datetime | None:
    """The last scheduled time at or before `now` (None if there was none within about a year)."""
    trigger = cron_trigger(digest)
    now = _aware(now, "now")
    for window in _LOOKBACK_WINDOWS:
        last = None
        for last in _fires(trigger, now - window, now):  # noqa: B007 (only the last one is wanted)
            pass
        if last is not None:
            return last
    return None


def previous_run(digest: Scheduled, before: datetime) -> datetime | None:
    """The last scheduled time strictly before `before`."""
    return latest_run(digest, _aware(before, "before") - _TICK)


def due_periods(
    digest: Scheduled, last_sent: datetime | None, now: datetime, limit: int = 100
) -> list[datetime]:
    """Scheduled times in (last_sent, now], oldest first, at most the `limit` newest. With no previous
    send, only the latest scheduled time (a new digest does not replay its history).

    After downtime the service runs only the newest of these (coalescing): its content is everything
    since the last digest that was sent, so the missed ones are covered.
    """
    now = _aware(now, "now")
    if last_sent is None:
        latest = latest_run(digest, now)
        return [latest] if latest is not None else []
    newest: deque[datetime] = deque(maxlen=limit)
    newest.extend(_fires(cron_trigger(digest), _aware(last_sent, "last_sent") + _TICK, now))
    return list(newest)


def observes_dst(timezone: str) -> bool:
    """Whether the zone's UTC offset changes within a year (then 02:00–03:00 local is skipped or doubled)."""
    zone = ZoneInfo(timezone)
    for year in _DST_PROBE_YEARS:
        winter = datetime(year, 1, 15, 12, tzinfo=UTC).astimezone(zone).utcoffset()
        summer = datetime(year, 7, 15, 12, tzinfo=UTC).astimezone(zone).utcoffset()
        if winter != summer:
            return True
    return False


def _hours(field: str) -> set[int]:
    """The hours a cron hour field names (`*`, `8`, `1-3`, `*/2`, `0-12/4`, lists of these)."""
    hours: set[int] = set()
    for part in field.split(","):
        spread, _, step_text = part.partition("/")
        step = int(step_text) if step_text else 1
        if spread == "*":
            first, last = 0, 23
        else:
            first_text, _, last_text = spread.partition("-")
            first = int(first_text)
            last = int(last_text) if last_text else (23 if step_text else first)
        hours.update(range(first, last + 1, max(step, 1)))
    return hours


def schedule_problem(expression: str, timezone: str) -> tuple[str, str] | None:
    """(message, hint) when the cron expression cannot be used in that zone, else None."""
    fields = expression.split()
    if len(fields) != 5:
        return (f"schedule {expression!r} must have 5 fields", 'minute hour day month weekday, e.g. "0 8 * * *"')
    try:
        _trigger(expression, timezone)
        hours = _hours(fields[1])
    except ValueError as error:
        return f"schedule {expression!r} is not a valid cron expression: {error}", 'e.g. "0 8 * * 1-5"'
    if 2 in hours and len(hours) < 24 and observes_dst(timezone):
        return (
            f"schedule {expression!r} runs between 02:00 and 03:00 in {timezone}, which happens twice or "
            "never on daylight-saving days",
            "pick another hour, e.g. 0 3 * * * or 0 8 * * *",
        )
    return None
