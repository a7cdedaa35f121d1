"""parse_published: many date forms to aware UTC; absurd, missing or future dates give the fetch time."""

from __future__ import annotations

from datetime import UTC, date, datetime, timedelta, timezone

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from monitor.text.dates import parse_published

FETCHED = datetime(2026, 3, 6, 12, 0, tzinfo=UTC)


def utc(*args: int) -> datetime:
    return datetime(*args, tzinfo=UTC)


@pytest.mark.parametrize(("value", "default_tz", "expected"), [
    # RFC 822 / 2822, with numeric offsets and zone names
    ("Thu, 05 Mar 2026 14:05:00 GMT", "UTC", utc(2026, 3, 5, 14, 5)),
    ("Thu, 05 Mar 2026 14:05:00 UT", "Asia/Seoul", utc(2026, 3, 5, 14, 5)),
    ("Thu, 05 Mar 2026 14:05:00 +0900", "Europe/Amsterdam", utc(2026, 3, 5, 5, 5)),
    ("Thu, 05 Mar 2026 14:05 +0100", "UTC", utc(2026, 3, 5, 13, 5)),
    ("Thu, 05 Mar 2026 14:05:00 KST", "UTC", utc(2026, 3, 5, 5, 5)),
    ("Thu, 05 Mar 2026 14:05:00 CET", "UTC", utc(2026, 3, 5, 13, 5)),
    ("Thu, 05 Mar 2026 14:05:00 GMT+9", "UTC", utc(2026, 3, 5, 5, 5)),
    ("Mon, 2 Feb 2026 9:00:00 PST", "UTC", utc(2026, 2, 2, 17, 0)),
    ("Thu, 05 Mar 2026 14:05:00 -0000", "Asia/Seoul", utc(2026, 3, 5, 5, 5)),  # -0000: zone unknown
    ("Thu, 05 Mar 2026", "Asia/Seoul", utc(2026, 3, 4, 15, 0)),
    # ISO 8601
    ("2026-03-05T14:05:00Z", "Asia/Seoul", utc(2026, 3, 5, 14, 5)),
    ("2026-03-05T14:05:00.123Z", "UTC", datetime(2026, 3, 5, 14, 5, 0, 123000, tzinfo=UTC)),
    ("2026-03-05T14:05:00+09:00", "Europe/Amsterdam", utc(2026, 3, 5, 5, 5)),
    ("2026-03-05T14:05:00+0900", "UTC", utc(2026, 3, 5, 5, 5)),
    ("2026-03-05T14:05:00", "Asia/Seoul", utc(2026, 3, 5, 5, 5)),
    ("20260305T140500Z", "UTC", utc(2026, 3, 5, 14, 5)),
    ("2026-03-05", "Asia/Seoul", utc(2026, 3, 4, 15, 0)),
    ("2026-03-05 14:05", "Europe/Amsterdam", utc(2026, 3, 5, 13, 5)),
    # Numeric dates with other separators
    ("2026.03.05", "UTC", utc(2026, 3, 5)),
    ("2026/03/05 14:05", "Europe/Amsterdam", utc(2026, 3, 5, 13, 5)),
    ("2026.03.05 14:05", "Asia/Seoul", utc(2026, 3, 5, 5, 5)),
    ("05-03-2026", "UTC", utc(2026, 3, 5)),
    ("02/25/2026", "UTC", utc(2026, 2, 25)),  # month first only where the day cannot be a month
    # Dutch
    ("Nieuwsbericht | 22-12-2021 | 15:01", "Europe/Amsterdam", utc(2021, 12, 22, 14, 1)),
    ("22-12-2021 | 15:01", "Europe/Amsterdam", utc(2021, 12, 22, 14, 1)),
    ("22 december 2021", "Europe/Amsterdam", utc(2021, 12, 21, 23, 0)),
    ("22 december 2021 om 15.01 uur", "Europe/Amsterdam", utc(2021, 12, 22, 14, 1)),
    ("Gepubliceerd op 5 mrt. 2026, 09:30", "Europe/Amsterdam", utc(2026, 3, 5, 8, 30)),
    ("1 juli 2025 10:00", "Europe/Amsterdam", utc(2025, 7, 1, 8, 0)),  # summer time: UTC+2
    ("22 december 2021 3.5 miljoen", "UTC", utc(2021, 12, 22)),  # a figure is not a time
    # English
    ("March 5, 2026 2:05 PM", "UTC", utc(2026, 3, 5, 14, 5)),
    ("5 March 2026", "UTC", utc(2026, 3, 5)),
    # Korean
    ("2026년 3월 5일", "Asia/Seoul", utc(2026, 3, 4, 15, 0)),
    ("2026년 3월 5일 오후 2:05", "Asia/Seoul", utc(2026, 3, 5, 5, 5)),
    ("2026년 3월 5일 오전 12:30", "Asia/Seoul", utc(2026, 3, 4, 15, 30)),
    ("2026. 3. 5. 오후 2:05", "Asia/Seoul", utc(2026, 3, 5, 5, 5)),
    ("2026-03-05 14시 5분", "Asia/Seoul", utc(2026, 3, 5, 5, 5)),
    ("입력 2026.03.05 14:05 | 수정 2026.03.05 15:00", "Asia/Seoul", utc(2026, 3, 5, 5, 5)),
    ("등록일 : 2026-03-05", "Asia/Seoul", utc(2026, 3, 4, 15, 0)),
])
def test_formats(value: str, default_tz: str, expected: datetime) -> None:
    result = parse_published(value, FETCHED, default_tz)
    assert result == expected
    assert result.tzinfo is UTC


@pytest.mark.parametrize("value", [
    None, "", "   ", "31 Jun", "Tue, 31 Jun 2025 10:00:00 GMT", "31-06-2025", "2025-02-30", "gisteren 14u",
    "vandaag", "오후 2:05", "방금 전", "3시간 전", "14:05", "not a date", "2026-13-01", "2026-03-05T25:00:00",
    "1970-01-01T00:00:00Z", "1900-01-01", "0001-01-01", "9999-12-31T23:59:59Z", "2099-01-01",
    "Thu, 05 Mar 2026 14:05:00 +9999", "2026년 13월 40일", "2026년 3월 5일 오후 14:05", "x" * 5_000_000,
    "\x00\ud800", 12345, b"2026-03-05", ["2026-03-05"],
])
def test_unusable_values_fall_back_to_fetch_time(value: object) -> None:
    assert parse_published(value, FETCHED) == FETCHED  # type: ignore[arg-type]


def test_the_future_is_clamped_but_the_next_hour_is_tolerated() -> None:
    assert parse_published("2026-03-06T12:59:00Z", FETCHED) == utc(2026, 3, 6, 12, 59)
    assert parse_published("2026-03-06T13:01:00Z", FETCHED) == FETCHED
    assert parse_published(FETCHED + timedelta(days=400), FETCHED) == FETCHED


def test_datetimes() -> None:
    assert parse_published(datetime(2026, 3, 5, 14, 5), FETCHED, "Asia/Seoul") == utc(2026, 3, 5, 5, 5)
    offset = timezone(timedelta(hours=-5))
    new_york = datetime(2026, 3, 5, 9, 0, tzinfo=offset)
    assert parse_published(new_york, FETCHED, "Asia/Seoul") == utc(2026, 3, 5, 14)
    assert parse_published(date(2026, 3, 5), FETCHED) == utc(2026, 3, 5)  # type: ignore[arg-type]


def test_odd_arguments_never_raise() -> None:
    assert parse_published("2026-03-05", FETCHED, "Mars/Olympus") == utc(2026, 3, 5)
    assert parse_published("2026-03-05", FETCHED, "") == utc(2026, 3, 5)
    assert parse_published("2026-03-05", FETCHED, "../../etc/passwd") == utc(2026, 3, 5)
    naive_fetch = datetime(2026, 3, 6, 12, 0)
    assert parse_published(None, naive_fetch) == FETCHED
    seoul_fetch = datetime(2026, 3, 6, 21, 0, tzinfo=timezone(timedelta(hours=9)))
    assert parse_published(None, seoul_fetch) == FETCHED


@settings(max_examples=1000, deadline=None)
@given(st.one_of(st.none(), st.text(), st.datetimes(), st.datetimes(timezones=st.timezones())),
       st.sampled_from(["UTC", "Asia/Seoul", "Europe/Amsterdam", "Nowhere/Else"]))
def test_never_raises_and_always_aware_utc_within_bounds(value: object, default_tz: str) -> None:
    result = parse_published(value, FETCHED, default_tz)  # type: ignore[arg-type]
    assert result.tzinfo is UTC
    assert datetime(1990, 1, 1, tzinfo=UTC) <= result <= FETCHED + timedelta(hours=1)


@settings(max_examples=300, deadline=None)
@given(st.datetimes(min_value=datetime(1990, 1, 2), max_value=datetime(2026, 3, 5)), st.sampled_from(
    ["%Y-%m-%dT%H:%M:%SZ", "%a, %d %b %Y %H:%M:%S GMT", "%Y.%m.%d %H:%M", "%d-%m-%Y | %H:%M",
     "%Y년 %m월 %d일 %H:%M"]))
def test_round_trip_of_formatted_utc_times(moment: datetime, pattern: str) -> None:
    moment = moment.replace(second=0 if "%S" not in pattern else moment.second, microsecond=0)
    assert parse_published(moment.strftime(pattern), FETCHED) == moment.replace(tzinfo=UTC)
