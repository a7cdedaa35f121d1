"""How one source's counters become a status and a source state."""

from __future__ import annotations

import pytest

from monitor.crawl.run_outcome import classify_run
from monitor.crawl.source_stats import source_stat, stats_for_source


@pytest.mark.parametrize(("counters", "status", "state", "error_part"), [
    ({"items/new": 3}, "ok", "healthy", None),
    ({"not_modified": 1}, "not_modified", "healthy", None),
    ({}, "empty", "stale", "layout"),
    ({"failure/CannotResolveHostError": 2}, "failed", "failing", "site unreachable"),
    ({"failure/RobotsUnreachable": 1}, "failed", "failing", "site unreachable"),
    ({"problem/challenge": 1}, "blocked", "blocked", "challenge"),
    ({"failure/RobotsRefused": 2}, "blocked", "blocked", "robots.txt"),
    ({"failure/ForbiddenDestination": 1}, "blocked", "blocked", "private network"),
    ({"failure/HTTP 503": 1}, "failed", "failing", "HTTP 503"),
    ({"problem/parse_error": 1}, "failed", "failing", "parse_error"),
    ({"items/unchanged": 5, "problem/empty_text": 1}, "ok", "healthy", "empty_text"),
])
def test_classification(counters: dict, status: str, state: str, error_part: str | None) -> None:
    outcome = classify_run(counters, "finished")
    assert (outcome.status, outcome.state) == (status, state)
    if error_part:
        assert error_part in (outcome.error or "")
    else:
        assert outcome.error is None


def test_counts_and_per_source_view() -> None:
    stats = {source_stat("a", "items/new"): 2, source_stat("a", "items/duplicate"): 1,
             source_stat("b", "items/new"): 7, "downloader/request_count": 9}
    assert stats_for_source(stats, "a") == {"items/new": 2, "items/duplicate": 1}
    outcome = classify_run(stats_for_source(stats, "a"))
    assert outcome.counts.seen == 3 and outcome.status == "ok"
