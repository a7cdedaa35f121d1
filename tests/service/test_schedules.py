"""Schedule arithmetic, table-tested: offsets, triggers, claim slots, backoff, DST for cron crawls."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta
from zoneinfo import ZoneInfo

import pytest

from monitor.service.dst import dst_problem, expand_field
from monitor.service.plans import crawl_plan, periodic_plan, upcoming
from monitor.service.schedules import (
    backoff_allows,
    backoff_delay,
    crontab_day_of_week,
    next_fire_times,
    nominal_interval,
    previous_fire_time,
    slot_start,
    source_offset,
    source_trigger,
)
from monitor.sources import Schedule, SourceDefinition

AMS = ZoneInfo("Europe/Amsterdam")
SEOUL = ZoneInfo("Asia/Seoul")


def utc(*parts: int) -> datetime:
    return datetime(*parts, tzinfo=UTC)


@pytest.mark.parametrize(("schedule", "max_offset", "bound"), [
    (Schedule(interval_seconds=1), 60, 0),
    (Schedule(interval_seconds=5), 60, 0),
    (Schedule(interval_seconds=900), 60, 60),
    (Schedule(interval_seconds=300), 60, 30),
    (Schedule(interval_seconds=3600), 0, 0),
    (Schedule(cron="*/30 * * * *"), 600, 59),
])
def test_offsets_are_stable_bounded_and_spread(schedule: Schedule, max_offset: int, bound: int) -> None:
    offsets = [source_offset(f"source-{n}", schedule, max_offset) for n in range(200)]
    assert offsets == [source_offset(f"source-{n}", schedule, max_offset) for n in range(200)]
    assert all(0 <= offset <= bound for offset in offsets)
    if bound >= 30:
        assert len(set(offsets)) > bound // 2  # spread, not all at one second


@pytest.mark.parametrize(("field", "expected"), [
    ("*", "*"), ("1-5", "mon,tue,wed,thu,fri"), ("0", "sun"), ("7", "sun"), ("0,6", "sun,sat"),
    ("*/2", "sun,tue,thu,sat"), ("mon-fri", "mon-fri"), ("1,3-4", "mon,wed,thu"),
])
def test_crontab_weekdays_become_apscheduler_names(field: str, expected: str) -> None:
    assert crontab_day_of_week(field) == expected


@pytest.mark.parametrize(("interval", "offset", "now", "slot"), [
    (900, 0, utc(2026, 3, 30, 7, 0, 20), utc(2026, 3, 30, 7, 0, 0)),
    (900, 17, utc(2026, 3, 30, 7, 0, 20), utc(2026, 3, 30, 7, 0, 17)),
    (900, 17, utc(2026, 3, 30, 7, 0, 16), utc(2026, 3, 30, 6, 45, 17)),
    (1, 0, utc(2026, 3, 30, 7, 0, 20, 999_000), utc(2026, 3, 30, 7, 0, 20)),
    (3600, 30, utc(2026, 10, 25, 1, 59, 59), utc(2026, 10, 25, 1, 0, 30)),
])
def test_interval_slots_are_wall_clock_aligned(interval: int, offset: int, now: datetime, slot: datetime) -> None:
    trigger = source_trigger(Schedule(interval_seconds=interval), offset)
    assert slot_start(trigger, now) == slot
    fire = next_fire_times(trigger, now, 1)[0]
    assert fire == slot + timedelta(seconds=interval)
    assert slot_start(trigger, fire) == fire  # a tick at its fire time claims its own period


def test_two_nodes_compute_the_same_slot_whenever_they_tick_within_the_period() -> None:
    trigger = source_trigger(Schedule(interval_seconds=60), 7)
    fire = utc(2026, 5, 1, 12, 0, 7)
    assert {slot_start(trigger, fire + timedelta(milliseconds=ms)) for ms in (0, 3, 250, 59_999)} == {fire}


@pytest.mark.parametrize(("cron", "zone", "now", "slot"), [
    ("0 8 * * *", AMS, utc(2026, 3, 28, 7, 0, 5), utc(2026, 3, 28, 7, 0, 9)),  # before: 08:00 CET = 07:00Z
    ("0 8 * * *", AMS, utc(2026, 3, 30, 6, 0, 30), utc(2026, 3, 30, 6, 0, 9)),  # after: 08:00 CEST = 06:00Z
    ("0 8 * * *", AMS, utc(2026, 10, 26, 7, 0, 30), utc(2026, 10, 26, 7, 0, 9)),
    ("0 8 * * *", SEOUL, utc(2026, 3, 30, 0, 0, 30), utc(2026, 3, 29, 23, 0, 9)),
    ("*/15 * * * 1-5", UTC, utc(2026, 5, 4, 10, 7, 0), utc(2026, 5, 4, 10, 0, 9)),  # Monday
    ("*/15 * * * 1-5", UTC, utc(2026, 5, 3, 10, 7, 0), utc(2026, 5, 1, 23, 45, 9)),  # Sunday → Friday night
])
def test_cron_crawl_slots_follow_local_time_across_dst(cron: str, zone: ZoneInfo, now: datetime,
                                                      slot: datetime) -> None:
    trigger = source_trigger(Schedule(cron=cron), 9, zone)
    if now < slot:  # the period of `now` is the previous one
        assert slot_start(trigger, now) < slot
    else:
        assert slot_start(trigger, now) == slot


def test_cron_crawl_fires_at_eight_local_every_day_through_both_changes() -> None:
    trigger = source_trigger(Schedule(cron="0 8 * * *"), 0, AMS)
    for start in (utc(2026, 3, 26), utc(2026, 10, 22)):
        local_hours = {fire.astimezone(AMS).hour for fire in next_fire_times(trigger, start, 7)}
        assert local_hours == {8}
    spring = next_fire_times(trigger, utc(2026, 3, 28), 2)
    assert spring[1] - spring[0] == timedelta(hours=23)
    autumn = next_fire_times(trigger, utc(2026, 10, 24), 2)
    assert autumn[1] - autumn[0] == timedelta(hours=25)


def test_previous_fire_time_searches_back_far_enough() -> None:
    yearly = source_trigger(Schedule(cron="0 6 1 1 *"), 0, UTC)
    assert previous_fire_time(yearly, utc(2026, 11, 28)) == utc(2026, 1, 1, 6)
    assert previous_fire_time(yearly, utc(2026, 1, 1, 6)) == utc(2026, 1, 1, 6)


@pytest.mark.parametrize(("interval", "failures", "cap", "delay"), [
    (1800, 0, 21600, 1800), (1800, 1, 21600, 1800), (1800, 2, 21600, 3600), (1800, 3, 21600, 7200),
    (1800, 5, 21600, 21600), (1800, 50, 21600, 21600), (86400, 4, 21600, 86400), (1, 3, 2, 2),
])
def test_backoff_doubles_and_is_capped_never_infinite(interval: int, failures: int, cap: int, delay: int) -> None:
    assert backoff_delay(interval, failures, cap) == delay


def test_backoff_skips_ticks_until_the_delay_has_passed() -> None:
    last = utc(2026, 5, 1, 12, 0, 40)  # the run of the 12:00 tick ended 40 s after it began
    ticks = [utc(2026, 5, 1, 12, 30) + timedelta(minutes=30 * n) for n in range(6)]
    allowed = [backoff_allows(tick, last, 1800, 3, 21600) for tick in ticks]
    assert allowed == [False, False, False, True, True, True]  # 2 h after a third failure
    assert backoff_allows(ticks[0], last, 1800, 1, 21600)
    assert backoff_allows(ticks[0], None, 1800, 9, 21600)


@pytest.mark.parametrize(("cron", "zone", "refused"), [
    ("30 2 * * *", AMS, True), ("0 2 * * *", AMS, True), ("0 1-3 * * *", AMS, True), ("0 */2 * * *", AMS, True),
    ("0 3 * * *", AMS, False), ("0 8 * * *", AMS, False), ("*/30 * * * *", AMS, False),
    ("30 2 * * *", SEOUL, False), ("30 2 * * *", UTC, False), ("30 1 * * *", ZoneInfo("America/New_York"), True),
])
def test_cron_in_the_dst_hour_is_refused_only_where_clocks_change(cron: str, zone: ZoneInfo, refused: bool) -> None:
    problem = dst_problem(cron, zone, year=2026)
    assert (problem is not None) == refused
    if refused:
        assert "daylight-saving" in problem and cron in problem


def test_expand_field() -> None:
    assert expand_field("*", 0, 23) is None
    assert expand_field("1-3,8", 0, 23) == {1, 2, 3, 8}
    assert expand_field("*/6", 0, 23) == {0, 6, 12, 18}
    assert expand_field("4/10", 0, 23) == {4, 14}


def test_nominal_interval() -> None:
    assert nominal_interval(source_trigger(Schedule(interval_seconds=90), 0), utc(2026, 1, 1)) == 90
    weekdays = source_trigger(Schedule(cron="0 9 * * 1-5"), 0, UTC)
    assert nominal_interval(weekdays, utc(2026, 5, 4, 12)) == 86400  # Monday noon → Tue, Wed


def test_plans_have_ids_and_the_job_options() -> None:
    source = SourceDefinition("press", "feed", "Press", ("https://x.example/f",), "en",
                              Schedule(interval_seconds=900))
    plan = crawl_plan(source, UTC, 60)
    options = plan.options()
    assert options["id"] == "crawl:press"
    assert (options["replace_existing"], options["coalesce"], options["max_instances"]) == (True, True, 1)
    assert options["misfire_grace_time"] == 450
    rows = upcoming([plan, periodic_plan("dispatch", 5, "d")], utc(2026, 1, 1, 0, 0, 1))
    assert [row.job_id for row in rows] == ["dispatch", "crawl:press"]
