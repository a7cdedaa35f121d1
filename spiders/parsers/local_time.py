"""Dates written without a zone (`2026-09-24`, `2026.09.24 14:05`), read as times in the site's zone."""

from __future__ import annotations

import re
from datetime import datetime
from zoneinfo import ZoneInfo

SEOUL = ZoneInfo("Asia/Seoul")
AMSTERDAM = ZoneInfo("Europe/Amsterdam")

_YMD = re.compile(r"(?<!\d)(\d{4})\s*[-./]\s*(\d{1,2})\s*[-./]\s*(\d{1,2})(?!\d)\.?(?:\s+(\d{1,2}):(\d{2}))?")


def find_local_datetime(text: str, zone: ZoneInfo) -> datetime | None:
    """The first valid year-month-day (and optional HH:MM) in text, as an aware datetime in zone."""
    for match in _YMD.finditer(text[:5000]):
        year, month, day, hour, minute = match.groups()
        try:
            return datetime(int(year), int(month), int(day), int(hour or 0), int(minute or 0), tzinfo=zone)
        except ValueError:
            continue
    return None
