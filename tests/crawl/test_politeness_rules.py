"""Pure rules of the retry and robots.txt middlewares: Retry-After, backoff, what is retried, robots."""

from __future__ import annotations

import random
from datetime import UTC, datetime, timedelta
from email.utils import format_datetime
from urllib.parse import urlparse

import pytest
from scrapy.exceptions import (
    CannotResolveHostError,
    DownloadCancelledError,
    DownloadConnectionRefusedError,
    DownloadFailedError,
    DownloadTimeoutError,
    IgnoreRequest,
    ResponseDataLossError,
)
from scrapy.settings import Settings
from twisted.internet import error as tx_error

from monitor.crawl.retry import backoff_delay, is_retryable, parse_retry_after, retry_times_setting
from monitor.crawl.robots import policy_for_response, robots_origin

NOW = datetime(2026, 3, 1, 12, 0, 0, tzinfo=UTC)


@pytest.mark.parametrize(("value", "expected"), [
    ("2", 2.0), (b"120", 120.0), (" 0 ", 0.0), (None, None), ("", None), ("-5", None), ("1.5", None),
    ("soon", None), ("٣", None),
    (format_datetime(NOW + timedelta(seconds=30), usegmt=True), 30.0),
    ("Sun, 01 Mar 2026 12:01:00 GMT", 60.0),
    (format_datetime(NOW - timedelta(hours=1), usegmt=True), 0.0),
    ("Sunday, 01-Mar-26 12:00:10 GMT", 10.0),
])
def test_parse_retry_after(value: str | bytes | None, expected: float | None) -> None:
    assert parse_retry_after(value, now=NOW) == expected


def test_backoff_doubles_with_jitter_between_half_and_one_and_a_half() -> None:
    rng = random.Random(7)
    for attempt in range(1, 6):
        nominal = 2.0 * 2 ** (attempt - 1)
        delays = [backoff_delay(2.0, attempt, rng) for _ in range(200)]
        assert all(0.5 * nominal <= delay <= 1.5 * nominal for delay in delays)
        assert max(delays) - min(delays) > 0.5 * nominal  # really jittered


@pytest.mark.parametrize("exception", [
    DownloadConnectionRefusedError(), DownloadTimeoutError(), DownloadFailedError(), ResponseDataLossError(),
    tx_error.ConnectionLost(), tx_error.ConnectionDone(), tx_error.ConnectionRefusedError(),
    tx_error.TCPTimedOutError(), tx_error.TimeoutError(), ConnectionResetError(),
])
def test_transient_failures_are_retried(exception: Exception) -> None:
    assert is_retryable(exception)


@pytest.mark.parametrize("exception", [
    CannotResolveHostError(), tx_error.DNSLookupError(), tx_error.UnknownHostError(), IgnoreRequest(),
    DownloadCancelledError(), ValueError(),
])
def test_permanent_failures_are_not_retried(exception: Exception) -> None:
    assert not is_retryable(exception)


def test_retry_times_defaults_to_three_but_follows_the_setting() -> None:
    assert retry_times_setting(Settings()) == 3
    assert retry_times_setting(Settings({"RETRY_TIMES": 1})) == 1
    assert retry_times_setting(Settings({"RETRY_TIMES": 0})) == 0


@pytest.mark.parametrize(("url", "origin"), [
    ("http://Example.com/a?b", "http://example.com:80"), ("https://example.com:8443/", "https://example.com:8443"),
    ("https://user:pw@example.com/", "https://example.com:443"), ("http://[::1]:8080/", "http://[::1]:8080"),
])
def test_robots_origin(url: str, origin: str) -> None:
    assert robots_origin(urlparse(url)) == origin


@pytest.mark.parametrize(("status", "refused", "rules"), [
    (200, False, True), (204, False, True), (301, False, False), (401, False, False), (403, False, False),
    (404, False, False), (410, False, False), (429, True, False), (500, True, False), (503, True, False),
    (599, True, False),
])
def test_robots_policy_by_status(status: int, refused: bool, rules: bool) -> None:
    parser = object()
    policy = policy_for_response("https://example.com:443", status, parser, 2.0)  # type: ignore[arg-type]
    assert (policy.refusal is not None) == refused
    assert (policy.parser is parser) == rules
    assert policy.crawl_delay == (2.0 if rules else None)
    if refused:
        assert str(status) in (policy.refusal or "")
