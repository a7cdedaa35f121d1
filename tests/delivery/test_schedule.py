"""The retry schedule and rate-limit answers: pure functions, tested without a network or a database."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

from hypothesis import given
from hypothesis import strategies as st

from monitor.delivery.answers import classify_answer
from monitor.delivery.lifecycle import OutcomeKind
from monitor.delivery.schedule import (
    MAX_DELAY,
    MAX_RATE_LIMIT_PAUSE,
    RETRY_WINDOW,
    backoff_ceiling,
    gives_up,
    nominal_schedule,
    parse_retry_after,
    parse_retry_after_body,
    rate_limit_pause,
    retry_delay,
)

NOW = datetime(2025, 3, 1, 12, 0, tzinfo=UTC)


def test_backoff_doubles_from_30_seconds_and_caps_at_6_hours() -> None:
    assert [backoff_ceiling(n).total_seconds() for n in range(1, 6)] == [30, 60, 120, 240, 480]
    assert backoff_ceiling(10) == timedelta(seconds=30 * 2**9)
    assert backoff_ceiling(11) == backoff_ceiling(500) == MAX_DELAY


def test_schedule_spans_about_three_days() -> None:
    schedule = nominal_schedule()
    total = sum(schedule, timedelta())
    assert RETRY_WINDOW <= total < RETRY_WINDOW + MAX_DELAY
    assert 15 <= len(schedule) <= 25


@given(st.integers(min_value=1, max_value=100), st.floats(min_value=0, max_value=1, exclude_max=True))
def test_full_jitter_stays_between_a_second_and_the_ceiling(failures: int, jitter: float) -> None:
    delay = retry_delay(failures, jitter)
    assert timedelta(seconds=1) <= delay <= max(backoff_ceiling(failures), timedelta(seconds=1))


def test_jitter_spreads_the_delays() -> None:
    assert retry_delay(8, 0.1) < retry_delay(8, 0.5) < retry_delay(8, 0.9)


def test_gives_up_after_the_window() -> None:
    assert not gives_up(NOW, NOW + RETRY_WINDOW - timedelta(seconds=1))
    assert gives_up(NOW, NOW + RETRY_WINDOW)


def test_retry_after_in_seconds_or_as_an_http_date() -> None:
    assert parse_retry_after("120", NOW) == timedelta(seconds=120)
    assert parse_retry_after("Sat, 01 Mar 2025 12:05:00 GMT", NOW) == timedelta(minutes=5)
    assert parse_retry_after("Sat, 01 Mar 2025 11:00:00 GMT", NOW) == timedelta()
    for junk in (None, "", "soon", "-5", "nan", "Mon, 99 Foo 2025"):
        assert parse_retry_after(junk, NOW) is None


def test_discord_retry_after_in_the_json_body() -> None:
    assert parse_retry_after_body(b'{"message": "You are being rate limited.", "retry_after": 1.5, '
                                  b'"global": false}') == timedelta(seconds=1.5)
    for junk in (b"", b"not json", b"[]", b'{"retry_after": "x"}', b'{"retry_after": -1}', b'{"retry_after": true}'):
        assert parse_retry_after_body(junk) is None


def test_rate_limit_pause_prefers_the_header_then_the_body_then_a_minute() -> None:
    assert rate_limit_pause("7", b'{"retry_after": 99}', NOW) == timedelta(seconds=7)
    assert rate_limit_pause(None, b'{"retry_after": 2.5}', NOW) == timedelta(seconds=2.5)
    assert rate_limit_pause(None, b"", NOW) == timedelta(seconds=60)
    assert rate_limit_pause("99999999", b"", NOW) == MAX_RATE_LIMIT_PAUSE


def test_answers_classified() -> None:
    kinds = {status: classify_answer(status, None, b"", NOW).kind for status in (200, 202, 204, 301, 302, 400,
                                                                               404, 410, 429, 500, 503)}
    assert kinds[200] is kinds[202] is kinds[204] is OutcomeKind.SENT
    assert kinds[301] is kinds[302] is kinds[404] is kinds[500] is kinds[503] is OutcomeKind.FAILED
    assert kinds[400] is OutcomeKind.REJECTED and kinds[410] is OutcomeKind.GONE
    assert kinds[429] is OutcomeKind.RATE_LIMITED
    redirect = classify_answer(302, None, b"", NOW)
    assert "redirects are not followed" in (redirect.error or "")
    slack = classify_answer(410, None, b"channel_is_archived", NOW)
    assert "channel_is_archived" in (slack.error or "")
