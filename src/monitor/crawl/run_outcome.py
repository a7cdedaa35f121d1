"""How a crawl run ended, derived from its Scrapy stats: a pure function so every rule is table-tested."""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass
from typing import Any

PROBLEM_PREFIX = "monitor/problem/"
UNREACHABLE_EXCEPTIONS = ("DNSLookupError", "CannotResolveHostError", "RobotsUnreachable", "DownloadTimeoutError",
                          "DownloadConnectionRefusedError", "ConnectionRefusedError", "TCPTimedOutError", "NoRouteError",
                          "ConnectError", "TimeoutError", "ConnectionLost", "ResponseNeverReceived",
                          "ConnectingCancelledError")
STATE_FOR_STATUS = {"ok": "healthy", "not_modified": "healthy", "empty": "stale", "failed": "failing",
                    "blocked": "blocked"}


@dataclass(frozen=True)
class RunCounts:
    new: int
    updated: int
    duplicate: int
    unchanged: int
    failed: int
    not_modified: int

    @property
    def seen(self) -> int:
        return self.new + self.updated + self.duplicate + self.unchanged


@dataclass(frozen=True)
class RunOutcome:
    status: str
    """ok, not_modified, empty, failed or blocked."""
    counts: RunCounts
    error: str | None

    @property
    def state(self) -> str:
        return STATE_FOR_STATUS[self.status]


def counts_from_stats(stats: Mapping[str, Any]) -> RunCounts:
    def get(name: str) -> int:
        return int(stats.get(name, 0) or 0)

    return RunCounts(new=get("monitor/items/new"), updated=get("monitor/items/updated"),
                     duplicate=get("monitor/items/duplicate"), unchanged=get("monitor/items/unchanged"),
                     failed=get("monitor/items/failed"), not_modified=get("monitor/not_modified"))


def _problems(stats: Mapping[str, Any]) -> dict[str, int]:
    return {key[len(PROBLEM_PREFIX):]: int(value) for key, value in stats.items()
            if key.startswith(PROBLEM_PREFIX) and value}


def _download_failures(stats: Mapping[str, Any]) -> dict[str, int]:
    prefix = "downloader/exception_type_count/"
    failures = {key[len(prefix):].rsplit(".", 1)[-1]: int(value) for key, value in stats.items()
                if key.startswith(prefix)}
    for key, value in stats.items():
        if key.startswith("httperror/response_ignored_status_count/"):
            failures[f"HTTP {key.rsplit('/', 1)[-1]}"] = int(value)
    return failures


def _describe(counts: Mapping[str, int]) -> str:
    return ", ".join(f"{name} ×{count}" if count > 1 else name for name, count in sorted(counts.items()))


def classify_run(stats: Mapping[str, Any], finish_reason: str | None = None) -> RunOutcome:
    """Decide the status of one run from its stats (see STATE_FOR_STATUS for the source state it implies)."""
    counts = counts_from_stats(stats)
    problems = _problems(stats)
    failures = _download_failures(stats)
    robots = int(stats.get("monitor/robots_refused", 0) or 0) + int(stats.get("monitor/robots_unavailable", 0) or 0)
    forbidden = int(stats.get("monitor/forbidden_destination", 0) or 0)
    notes = [text for text in (_describe(problems), _describe(failures)) if text]
    error = "; ".join(notes) or None
    if "challenge" in problems and counts.seen == 0:
        return RunOutcome("blocked", counts, f"bot challenge or maintenance page: {error}")
    nothing = counts.seen == 0 and counts.not_modified == 0
    if nothing and failures and all(name in UNREACHABLE_EXCEPTIONS for name in failures):
        return RunOutcome("failed", counts, f"site unreachable: {error}")
    if (robots or forbidden) and nothing:
        why = "robots.txt refused or unavailable" if robots else "destination forbidden (private network)"
        return RunOutcome("blocked", counts, why)
    if nothing:
        if failures or problems or counts.failed or finish_reason not in (None, "finished"):
            return RunOutcome("failed", counts, error or f"crawl ended: {finish_reason}")
        return RunOutcome("empty", counts, "no items and no error: the page may have changed its layout")
    if counts.seen == 0:
        return RunOutcome("not_modified", counts, error)
    return RunOutcome("ok", counts, error)
