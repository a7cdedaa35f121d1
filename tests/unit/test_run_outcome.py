"""How a run's stats become a status and a source state."""

from __future__ import annotations

import pytest

from monitor.crawl.run_outcome import classify_run

DNS = "downloader/exception_type_count/twisted.internet.error.DNSLookupError"


@pytest.mark.parametrize(("stats", "status", "state", "error_part"), [
    ({"monitor/items/new": 3}, "ok", "healthy", None),
    ({"monitor/not_modified": 1}, "not_modified", "healthy", None),
    ({}, "empty", "stale", "layout"),
    ({DNS: 2}, "failed", "failing", "site unreachable"),
    ({DNS: 1, "monitor/robots_unavailable": 1}, "failed", "failing", "site unreachable"),
    ({"monitor/problem/challenge": 1}, "blocked", "blocked", "challenge"),
    ({"monitor/robots_refused": 2}, "blocked", "blocked", "robots.txt"),
    ({"httperror/response_ignored_status_count/503": 1}, "failed", "failing", "HTTP 503"),
    ({"monitor/problem/parse_error": 1}, "failed", "failing", "parse_error"),
    ({"monitor/items/unchanged": 5, "monitor/problem/empty_text": 1}, "ok", "healthy", "empty_text"),
])
def test_classification(stats: dict, status: str, state: str, error_part: str | None) -> None:
    outcome = classify_run(stats, "finished")
    assert (outcome.status, outcome.state) == (status, state)
    if error_part:
        assert error_part in (outcome.error or "")
    else:
        assert outcome.error is None


def test_counts() -> None:
    outcome = classify_run({"monitor/items/new": 2, "monitor/items/duplicate": 1, "monitor/items/updated": 1,
                            "monitor/items/unchanged": 4, "monitor/items/failed": 1})
    assert outcome.counts.seen == 8 and outcome.counts.failed == 1
