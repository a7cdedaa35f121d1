"""Publication dates from feeds and pages (ISO 8601, RFC 2822, Dutch and Korean forms) as UTC datetimes."""

from __future__ import annotations

import re
from datetime import UTC, date, datetime, time, timedelta, timezone, tzinfo
from email.utils import parsedate_to_datetime
from zoneinfo import ZoneInfo

EARLIEST = datetime(1990, 1, 1, tzinfo=UTC)
"""Anything older is a parse accident (epoch zero, year 1900), not a news item."""
FUTURE_TOLERANCE = timedelta(hours=1)
MAX_CHARS = 300
"""Only the start of a value is searched: a date field is short, a hostile one may not be."""

ZONE_HOURS = {
    "Z": 0, "UT": 0, "UTC": 0, "GMT": 0, "WET": 0, "BST": 1, "WEST": 1, "CET": 1, "MET": 1,
    "CEST": 2, "MEST": 2, "EET": 2, "EEST": 3, "HKT": 8, "SGT": 8, "KST": 9, "JST": 9,
    "AEST": 10, "AEDT": 11, "EST": -5, "EDT": -4, "CST": -6, "CDT": -5, "MST": -7, "MDT": -6,
    "PST": -8, "PDT": -7,
}
MONTHS = {
    "jan": 1, "januari": 1, "january": 1, "feb": 2, "februari": 2, "february": 2, "mrt": 3, "maart": 3,
    "mar": 3, "march": 3, "apr": 4, "april": 4, "mei": 5, "may": 5, "jun": 6, "juni": 6, "june": 6,
    "jul": 7, "juli": 7, "july": 7, "aug": 8, "augustus": 8, "august": 8, "sep": 9, "sept": 9,
    "september": 9, "okt": 10, "oct": 10, "oktober": 10, "october": 10, "nov": 11, "november": 11,
    "dec": 12, "december": 12,
}
_MONTH = "|".join(sorted(MONTHS, key=len, reverse=True))
_ZONE = "|".join(sorted(ZONE_HOURS, key=len, reverse=True))

_YMD = re.compile(r"(?<!\d)(\d{4})\s*[-./년]\s*(\d{1,2})\s*[-./월]\s*(\d{1,2})(?!\d)\s*[.일]?")
_DMY = re.compile(r"(?<!\d)(\d{1,2})[-./](\d{1,2})[-./](\d{4})(?!\d)")
_D_MONTH_Y = re.compile(rf"(?<![\w])(\d{{1,2}})\.?\s+({_MONTH})\.?,?\s+(\d{{4}})(?!\d)", re.I)
_MONTH_D_Y = re.compile(rf"(?<![\w])({_MONTH})\.?\s+(\d{{1,2}})(?:st|nd|rd|th)?,?\s+(\d{{4}})(?!\d)", re.I)
_TIME = re.compile(
    r"\s*(?:[|,@T-]|om|at|um)?\s*(?:(오전|오후)\s*)?(\d{1,2})\s*(?:[:.](\d{2})|시\s*(\d{1,2})\s*분?)(?!\d)"
    r"(?:\s*:?\s*(\d{2})(?!\d)(?:\.\d+)?)?\s*(?:초|uur|u\b)?\s*"
    rf"(?:([ap])\.?m\.?(?![a-z]))?\s*(?:([+-]\d{{2}}:?\d{{2}})|({_ZONE})\b)?",
    re.I,
)
_RFC2822 = re.compile(
    r"^(?:[A-Za-z]{3},?\s*)?\d{1,2}\s+[A-Za-z]{3}\s+\d{2,4}\s+\d{1,2}:\d{2}(?::\d{2})?(?:\s+[+-]?\w+)?$")
_ZONE_NAME = re.compile(rf"\b({_ZONE})\s*$")
_ZONE_WITH_OFFSET = re.compile(r"\b(?:GMT|UTC)\s*([+-])(\d{1,2})(?::?(\d{2}))?\s*$", re.I)


def parse_published(value: str | datetime | None, fetched_at: datetime, default_tz: str = "UTC") -> datetime:
    """The publication time in UTC; naive values are in default_tz; missing, absurd or future values fall back
    to fetched_at. Never raises."""
    now = _as_utc(fetched_at)
    try:
        parsed = _parse(value, _zone(default_tz))
    except (ValueError, OverflowError, TypeError):
        parsed = None
    if parsed is None or parsed < EARLIEST:
        return now
    return now if parsed > now + FUTURE_TOLERANCE else parsed


def _as_utc(moment: datetime) -> datetime:
    if not isinstance(moment, datetime):
        return datetime.now(UTC)
    return moment.replace(tzinfo=UTC) if moment.tzinfo is None else moment.astimezone(UTC)


def _zone(name: str) -> tzinfo:
    try:
        return ZoneInfo(name) if name and name.upper() != "UTC" else UTC
    except (KeyError, ValueError, OSError):  # unknown or malformed name; ZoneInfoNotFoundError is a KeyError
        return UTC


def _parse(value: object, local: tzinfo) -> datetime | None:
    if isinstance(value, datetime):
        return _localise(value, local)
    if isinstance(value, date):
        return _localise(datetime.combine(value, time()), local)
    if not isinstance(value, str):
        return None
    text = " ".join(value[:MAX_CHARS].split())
    if not text:
        return None
    for parser in (_iso, _rfc2822, _numeric_or_named):
        parsed = parser(text, local)
        if parsed is not None:
            return parsed
    return None


def _localise(moment: datetime, local: tzinfo) -> datetime:
    return (moment.replace(tzinfo=local) if moment.tzinfo is None else moment).astimezone(UTC)


def _iso(text: str, local: tzinfo) -> datetime | None:
    if not text[:4].isdigit():
        return None
    try:
        return _localise(datetime.fromisoformat(text), local)
    except ValueError:
        return None


def _rfc2822(text: str, local: tzinfo) -> datetime | None:
    with_offset = _ZONE_WITH_OFFSET.sub(lambda m: _offset_text(m[1], m[2], m[3]), text)
    with_offset = _ZONE_NAME.sub(lambda m: _offset_text("+", "0", "0", ZONE_HOURS[m[1]]), with_offset)
    if not _RFC2822.match(with_offset):
        return None
    try:
        return _localise(parsedate_to_datetime(with_offset), local)
    except (ValueError, TypeError, IndexError):
        return None


def _offset_text(sign: str, hours: str, minutes: str | None, shift: int = 0) -> str:
    total = (int(hours) + shift) * 60 * (-1 if sign == "-" else 1) + int(minutes or 0)
    return f"{'-' if total < 0 else '+'}{abs(total) // 60:02d}{abs(total) % 60:02d}"


def _numeric_or_named(text: str, local: tzinfo) -> datetime | None:
    """The first date in the text (Y-M-D, D-M-Y, '22 december 2021', 'March 5, 2026', '2026년 3월 5일')
    with the time that directly follows it, if any."""
    found: list[tuple[int, int, int, int, int]] = []
    if match := _YMD.search(text):
        found.append((match.start(), match.end(), int(match[1]), int(match[2]), int(match[3])))
    if match := _DMY.search(text):
        first, second = int(match[1]), int(match[2])
        day, month = (second, first) if second > 12 >= first else (first, second)
        found.append((match.start(), match.end(), int(match[3]), month, day))
    if match := _D_MONTH_Y.search(text):
        found.append((match.start(), match.end(), int(match[3]), MONTHS[match[2].lower()], int(match[1])))
    if match := _MONTH_D_Y.search(text):
        found.append((match.start(), match.end(), int(match[3]), MONTHS[match[1].lower()], int(match[2])))
    if not found:
        return None
    _, end, year, month, day = min(found)  # the earliest date in the text is the publication date
    return _with_time(date(year, month, day), text[end:end + 60], local)


def _with_time(day: date, rest: str, local: tzinfo) -> datetime:
    match = _TIME.match(rest)
    if not match:
        return _localise(datetime.combine(day, time()), local)
    hour, minute, second = int(match[2]), int(match[3] or match[4]), int(match[5] or 0)
    meridiem = "p" if match[1] == "오후" else "a" if match[1] == "오전" else (match[6] or "").lower()
    if meridiem and not 1 <= hour <= 12:
        raise ValueError("12-hour clock value out of range")
    if meridiem:
        hour = hour % 12 + (12 if meridiem == "p" else 0)
    zone: tzinfo = local
    if match[7]:
        sign = -1 if match[7][0] == "-" else 1
        digits = match[7][1:].replace(":", "")
        zone = timezone(sign * timedelta(hours=int(digits[:2]), minutes=int(digits[2:])))
    elif match[8]:
        zone = timezone(timedelta(hours=ZONE_HOURS[match[8].upper()]))
    return datetime.combine(day, time(hour, minute, second), zone).astimezone(UTC)
