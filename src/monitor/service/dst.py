"""Cron schedules that fall in a daylight-saving change run twice or never on that day: find and reject them.

In Europe/Amsterdam the wall clock skips 02:00–03:00 in March and repeats it in October; Asia/Seoul and UTC
have no change, so nothing is rejected there.
"""

from __future__ import annotations

from datetime import UTC, datetime, timedelta, tzinfo
from functools import lru_cache


def expand_field(field: str, low: int, high: int) -> set[int] | None:
    """The values a numeric cron field selects; None for `*` (every value, e.g. every hour)."""
    if field == "*":
        return None
    values: set[int] = set()
    for part in field.split(","):
        span, _, step_text = part.partition("/")
        step = int(step_text) if step_text else 1
        if span == "*":
            first, last = low, high
        else:
            start, _, end = span.partition("-")
            first = int(start)
            last = int(end) if end else (high if step_text else first)
        values.update(range(first, last + 1, step))
    return values


@lru_cache(maxsize=64)
def changed_local_hours(zone: tzinfo, year: int) -> frozenset[int]:
    """Local hours of `year` in `zone` that a daylight-saving change skips or repeats."""
    hours: set[int] = set()
    moment = datetime(year, 1, 1, tzinfo=UTC)
    end = datetime(year + 1, 1, 1, tzinfo=UTC)
    offset = moment.astimezone(zone).utcoffset()
    while moment < end:
        following = moment + timedelta(hours=1)
        new_offset = following.astimezone(zone).utcoffset()
        if new_offset != offset and offset is not None and new_offset is not None:
            change = _change_instant(zone, moment, following)
            low, high = min(offset, new_offset), max(offset, new_offset)
            wall = (change + low).replace(tzinfo=None)
            last = (change + high - timedelta(minutes=1)).replace(tzinfo=None)
            hour = wall.replace(minute=0, second=0, microsecond=0)
            while hour <= last:
                hours.add(hour.hour)
                hour += timedelta(hours=1)
        offset, moment = new_offset, following
    return frozenset(hours)


def _change_instant(zone: tzinfo, before: datetime, after: datetime) -> datetime:
    """The first minute (UTC) at which the offset of `after` applies."""
    target = after.astimezone(zone).utcoffset()
    low, high = before, after
    while high - low > timedelta(minutes=1):
        middle = low + (high - low) / 2
        middle = middle.replace(second=0, microsecond=0)
        if middle <= low:
            break
        if middle.astimezone(zone).utcoffset() == target:
            high = middle
        else:
            low = middle
    return high


def dst_problem(expression: str, zone: tzinfo, year: int | None = None) -> str | None:
    """Why a 5-field cron expression is unsafe in `zone` (it names an hour a DST change skips or repeats), or
    None. A `*` hour (every hour) is fine: it only runs once less or once more on those days."""
    hours = expand_field(expression.split()[1], 0, 23)
    if hours is None:
        return None
    year = year or datetime.now(UTC).year
    changed = changed_local_hours(zone, year) | changed_local_hours(zone, year + 1)
    clash = sorted(hours & changed)
    if not clash:
        return None
    windows = ", ".join(f"{hour:02d}:00–{(hour + 1) % 24:02d}:00" for hour in clash)
    return (f"cron {expression!r} fires between {windows} local time in {zone}, which the daylight-saving "
            "change skips or repeats (it would run never or twice that day); pick another hour")
