"""Real crawls: retries with visible backoff, Retry-After holding back one host only, giving up cleanly."""

from __future__ import annotations

import time
from contextlib import ExitStack
from email.utils import formatdate
from itertools import pairwise

import pytest

from tests.crawl.crawl_harness import run_crawl
from tests.fixture_server import Answer, FixtureServer

pytestmark = pytest.mark.slow

RETRY = {"RETRY_TIMES": 2, "MONITOR_RETRY_BACKOFF": 0.2}


def gaps(server: FixtureServer, path: str) -> list[float]:
    times = [request.at for request in server.requests_to(path)]
    return [later - earlier for earlier, later in pairwise(times)]


def test_transient_failures_are_retried_with_backoff_then_given_up() -> None:
    with ExitStack() as stack:
        errors, dropping, resetting = (stack.enter_context(FixtureServer()) for _ in range(3))
        errors.add("/flaky", Answer(500), Answer(500), Answer(200, "ok"))
        errors.add("/down", Answer(503, "down"))
        dropping.add("/dropped", Answer(drop=True), Answer(drop=True), Answer(200, "ok"))
        resetting.add("/reset", Answer(drop=True))
        urls = [errors.url("/flaky"), errors.url("/down"), dropping.url("/dropped"), resetting.url("/reset")]

        result = run_crawl(urls, settings=RETRY)

        assert result.outcome(errors.url("/flaky"))["status"] == 200
        assert result.outcome(dropping.url("/dropped"))["status"] == 200
        assert result.stats["item_scraped_count"] == 2
        for server, path in ((errors, "/flaky"), (dropping, "/dropped")):
            first, second = gaps(server, path)
            assert first >= 0.2 * 0.5 and second >= 0.4 * 0.5, (path, first, second)  # base × 2^(n-1) × ≥ 0.5
        down = result.outcome(errors.url("/down"))
        assert (down["failure"], down["status"]) == ("HttpError", 503)
        reset = result.outcome(resetting.url("/reset"))
        assert reset["failure"] == "DownloadFailedError", reset
        assert len(errors.requests_to("/down")) == len(resetting.requests_to("/reset")) == 3
        assert result.stats["monitor/retries_exhausted"] == 2
        assert "Gave up retrying <GET " + errors.url("/down") in result.log


def test_retry_after_holds_back_that_host_only() -> None:
    with FixtureServer() as limited, FixtureServer() as other:
        limited.add("/limited", Answer(429, headers={"Retry-After": "2"}), Answer(200, "ok"))
        limited.add("/later", Answer(200, "ok"))
        other.add("/o1", Answer(200, "ok"))
        other.add("/o2", Answer(200, "ok"))
        urls = [limited.url("/limited"), {"url": limited.url("/later"), "after": 0.5},
                {"url": other.url("/o1"), "after": 0.5}, {"url": other.url("/o2"), "after": 1.0}]

        result = run_crawl(urls, settings={**RETRY, "MONITOR_RETRY_BACKOFF": 0.05})

        assert result.stats["item_scraped_count"] == 4
        refused_at = limited.requests_to("/limited")[0].at
        retried_at = limited.requests_to("/limited")[1].at
        later_at = limited.requests_to("/later")[0].at
        assert retried_at - refused_at >= 1.95 and later_at - refused_at >= 1.95, (retried_at, later_at)
        assert all(request.at - refused_at < 1.8 for request in other.requests), "other host held back"


def test_retry_after_as_date_and_beyond_the_maximum() -> None:
    with FixtureServer() as dated, FixtureServer() as greedy:
        wall, mono = time.time(), time.monotonic()
        until = int(wall) + 4
        retry_after = {"Retry-After": formatdate(until, usegmt=True)}
        dated.add("/dated", Answer(503, headers=retry_after), Answer(200, "ok"))
        greedy.add("/greedy", Answer(429, headers={"Retry-After": "3600"}), Answer(200, "ok"))
        greedy.add("/next", Answer(200, "ok"))
        urls = [dated.url("/dated"), greedy.url("/greedy"), {"url": greedy.url("/next"), "after": 0.5}]

        result = run_crawl(urls, settings={**RETRY, "MONITOR_MAX_RETRY_AFTER": 60})

        assert result.outcome(dated.url("/dated"))["status"] == 200
        assert dated.requests_to("/dated")[1].at >= mono + (until - wall) - 0.05
        greedy_outcome = result.outcome(greedy.url("/greedy"))
        assert (greedy_outcome["failure"], greedy_outcome["status"]) == ("HttpError", 429)
        assert result.outcome(greedy.url("/next"))["failure"] == "RetryAfterTooLong"
        assert [request.path for request in greedy.requests] == ["/greedy"]
        assert "Retry-After 3600 s, more than MONITOR_MAX_RETRY_AFTER (60 s)" in result.log
        assert result.stats["monitor/retry_after_too_long"] == 1
