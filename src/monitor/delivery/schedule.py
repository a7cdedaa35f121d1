"""The retry schedule and rate-limit answers, as pure functions of their inputs.

Retries back off exponentially from 30 s, doubling up to 6 h, with full jitter (a uniformly random delay
between a floor and the exponential value), for as long as the delivery has been queued less than three
days: typically 20–30 attempts. `Retry-After` (seconds or an HTTP date) and Discord's JSON `retry_after`
pause the whole channel.
"""

from __future__ import annotations

import json
from datetime import datetime, timedelta
from email.utils import parsedate_to_datetime

BASE_DELAY = timedelta(seconds=30)
MAX_DELAY = timedelta(hours=6)
MIN_DELAY = timedelta(seconds=1)
RETRY_WINDOW = timedelta(days=3)
DEFAULT_RATE_LIMIT_PAUSE = timedelta(seconds=60)
MAX_RATE_LIMIT_PAUSE = timedelta(hours=24)


def backoff_ceiling(failures: int) -> timedelta:
    """The largest delay after the `failures`-th failure in a row (1-based): 30 s, 1 m, 2 m … capped at 6 h."""
    exponent = max(0, failures - 1)
    if exponent >= 20:
        return MAX_DELAY
    return min(MAX_DELAY, BASE_DELAY * (2**exponent))


def retry_delay(failures: int, jitter: float) -> timedelta:
    """Delay before the next try after `failures` failures; `jitter` in [0, 1) picks the point (full jitter)."""
    ceiling = backoff_ceiling(failures)
    return max(MIN_DELAY, ceiling * min(max(jitter, 0.0), 1.0))


def gives_up(queued_at: datetime, now: datetime) -> bool:
    """True when a failure at `now` should be the last: the delivery has been queued for the whole window."""
    return now - queued_at >= RETRY_WINDOW


def nominal_schedule(limit: int = 64) -> list[timedelta]:
    """The ceilings of successive delays until the window is used up (no jitter): the schedule's upper bound."""
    delays: list[timedelta] = []
    total = timedelta()
    for failures in range(1, limit + 1):
        if total >= RETRY_WINDOW:
            break
        delays.append(backoff_ceiling(failures))
        total += delays[-1]
    return delays


def parse_retry_after(value: str | None, now: datetime) -> timedelta | None:
    """A `Retry-After` header: delta-seconds or an HTTP date; None when absent or unreadable."""
    if value is None or not value.strip():
        return None
    text = value.strip()
    try:
        seconds = float(text)
    except ValueError:
        seconds = None
    if seconds is not None:
        return timedelta(seconds=seconds) if seconds >= 0 and seconds == seconds else None
    try:
        moment = parsedate_to_datetime(text)
    except (TypeError, ValueError, IndexError, OverflowError):
        return None
    if moment is None or moment.tzinfo is None:
        return None
    return max(timedelta(), moment - now)


def parse_retry_after_body(body: bytes) -> timedelta | None:
    """Discord's 429 body: `{"retry_after": 1.5, "global": false, …}` in seconds; None if not that shape."""
    if not body or len(body) > 65536:
        return None
    try:
        data = json.loads(body)
    except (ValueError, UnicodeDecodeError):
        return None
    value = data.get("retry_after") if isinstance(data, dict) else None
    if isinstance(value, bool) or not isinstance(value, int | float) or not value >= 0:
        return None
    return timedelta(seconds=float(value))


def rate_limit_pause(header: str | None, body: bytes, now: datetime) -> timedelta:
    """How long a channel pauses after a 429: the header, else the JSON body, else a minute; at most a day."""
    pause = parse_retry_after(header, now)
    if pause is None:
        pause = parse_retry_after_body(body)
    if pause is None:
        pause = DEFAULT_RATE_LIMIT_PAUSE
    return min(max(pause, MIN_DELAY), MAX_RATE_LIMIT_PAUSE)
