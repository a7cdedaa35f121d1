"""Digest schedules with a frozen clock: 08:00 local stays 08:00 local across the 2026 DST changes."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta
from zoneinfo import ZoneInfo

import pytest

from monitor.digests.schedule import (
    cron_trigger,
    cron_weekdays,
    due_periods,
    latest_run,
    next_run,
    previous_run,
)
from tests.digests.seed import kr_digest

AMSTERDAM = ZoneInfo("Europe/Amsterdam")
SEOUL = ZoneInfo("Asia/Seoul")


def digest(timezone: str, schedule: str = "0 8 * * *"):  # type: ignore[no-untyped-def]
    return kr_digest(timezone=timezone, schedule=schedule)


@pytest.mark.parametrize(("timezone", "day", "utc_hour"), [
    ("Europe/Amsterdam", datetime(2026, 3, 28), 7),   # CET, the day before clocks go forward
    ("Europe/Amsterdam", datetime(2026, 3, 29), 6),   # CEST from 02:00 that night
    ("Europe/Amsterdam", datetime(2026, 3, 30), 6),
    ("Europe/Amsterdam", datetime(2026, 10, 24), 6),  # CEST, the day before clocks go back
    ("Europe/Amsterdam", datetime(2026, 10, 25), 7),  # CET from 03:00 that night
    ("Europe/Amsterdam", datetime(2026, 10, 26), 7),
    ("Asia/Seoul", datetime(2026, 3, 29), 23),        # KST all year: 08:00 is 23:00 UTC the day before
    ("Asia/Seoul", datetime(2026, 10, 25), 23),
])
def test_eight_local_stays_eight_local(timezone: str, day: datetime, utc_hour: int) -> None:
    zone = ZoneInfo(timezone)
    midnight = day.replace(tzinfo=zone)
    fire = next_run(digest(timezone), midnight)
    assert fire.astimezone(zone).replace(tzinfo=None) == day.replace(hour=8)
    expected_utc = (day - timedelta(days=1) if utc_hour == 23 else day).replace(hour=utc_hour, tzinfo=UTC)
    assert fire.astimezone(UTC) == expected_utc


@pytest.mark.parametrize("timezone", ["Europe/Amsterdam", "Asia/Seoul"])
@pytest.mark.parametrize("start", [datetime(2026, 3, 25), datetime(2026, 10, 21)])
def test_a_week_of_runs_across_a_change_is_one_a_day_at_eight(timezone: str, start: datetime) -> None:
    zone = ZoneInfo(timezone)
    moment = start.replace(tzinfo=zone)
    fires = []
    for _ in range(8):
        moment = next_run(digest(timezone), moment)
        fires.append(moment.astimezone(zone))
    assert [(fire.hour, fire.minute) for fire in fires] == [(8, 0)] * 8
    assert [fire.date() for fire in fires] == [(start + timedelta(days=n)).date() for n in range(8)]
    gaps = {fires[n + 1].astimezone(UTC) - fires[n].astimezone(UTC) for n in range(7)}
    expected = {timedelta(hours=24)} if timezone == "Asia/Seoul" else {
        timedelta(hours=24), timedelta(hours=23) if start.month == 3 else timedelta(hours=25)}
    assert gaps == expected


def test_the_apscheduler_trigger_agrees() -> None:
    trigger = cron_trigger(digest("Europe/Amsterdam"))
    now = datetime(2026, 3, 29, 0, 0, tzinfo=AMSTERDAM)
    assert trigger.get_next_fire_time(None, now) == datetime(2026, 3, 29, 8, 0, tzinfo=AMSTERDAM)
    assert str(trigger.timezone) == "Europe/Amsterdam"


def test_latest_and_previous_run() -> None:
    amsterdam = digest("Europe/Amsterdam")
    at = datetime(2026, 10, 25, 7, 59, tzinfo=UTC)  # 08:59 CET
    assert latest_run(amsterdam, at) == datetime(2026, 10, 25, 8, 0, tzinfo=AMSTERDAM)
    assert previous_run(amsterdam, latest_run(amsterdam, at)) == datetime(2026, 10, 24, 8, 0, tzinfo=AMSTERDAM)
    assert latest_run(amsterdam, datetime(2026, 10, 25, 6, 59, tzinfo=UTC)).day == 24  # 07:59 CET


def test_due_periods_after_three_days_down() -> None:
    seoul = digest("Asia/Seoul")
    last_sent = datetime(2026, 3, 26, 23, 0, tzinfo=UTC)
    now = datetime(2026, 3, 30, 0, 0, tzinfo=UTC)
    due = due_periods(seoul, last_sent, now)
    assert [fire.astimezone(UTC) for fire in due] == [datetime(2026, 3, day, 23, 0, tzinfo=UTC) for day in (27, 28, 29)]
    assert due_periods(seoul, due[-1], now) == []
    assert due_periods(seoul, None, now) == [due[-1]]
    assert len(due_periods(seoul, last_sent - timedelta(days=400), now, limit=5)) == 5


def test_down_from_0755_to_0805_has_the_0800_run_due() -> None:
    amsterdam = digest("Europe/Amsterdam")
    sent = datetime(2026, 3, 28, 8, 0, tzinfo=AMSTERDAM)
    back = datetime(2026, 3, 29, 8, 5, tzinfo=AMSTERDAM)
    assert due_periods(amsterdam, sent, back) == [datetime(2026, 3, 29, 8, 0, tzinfo=AMSTERDAM)]


@pytest.mark.parametrize(("field", "days"), [
    ("1-5", "mon,tue,wed,thu,fri"), ("0", "sun"), ("7", "sun"), ("5-7", "sun,fri,sat"), ("sat,sun", "sun,sat"),
    ("*", "*"), ("1-5/2", "mon,wed,fri"),
])
def test_weekdays_count_like_crontab(field: str, days: str) -> None:
    assert cron_weekdays(field) == days


def test_weekday_schedule_skips_the_weekend() -> None:
    weekdays = digest("Europe/Amsterdam", "0 8 * * 1-5")
    friday = datetime(2026, 3, 27, 9, 0, tzinfo=AMSTERDAM)
    assert next_run(weekdays, friday) == datetime(2026, 3, 30, 8, 0, tzinfo=AMSTERDAM)  # Monday


def test_naive_times_are_refused() -> None:
    with pytest.raises(ValueError, match="timezone-aware"):
        next_run(digest("Asia/Seoul"), datetime(2026, 3, 29, 8, 0))
