"""How a crawl of one source ended, derived from its per-source counters: a pure function, table-tested.

Counters (see `source_stats`): `items/<outcome>`, `not_modified`, `problem/<kind>` (reported by the spider:
challenge, layout_changed, parse_error, empty_text, fetch_error …) and `failure/<name>` (every failed request:
the exception class, or `HTTP <status>`).
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass

UNREACHABLE = frozenset({
    "DNSLookupError", "CannotResolveHostError", "RobotsUnreachable", "ConnectionRefusedError", "TCPTimedOutError",
    "NoRouteError", "ConnectError", "TimeoutError", "ConnectionLost", "ResponseNeverReceived",
    "ConnectingCancelledError", "DownloadTimeoutError", "DownloadConnectionRefusedError", "ConnectionDone"})
REFUSALS = {"RobotsRefused": "robots.txt disallows it", "ForbiddenDestination": "destination is a private network",
            "RetryAfterTooLong": "the site asked us to wait longer than MONITOR_MAX_RETRY_AFTER"}
STATE_FOR_STATUS = {"ok": "healthy", "not_modified": "healthy", "empty": "stale", "failed": "failing",
                    "blocked": "blocked"}


@dataclass(frozen=True)
class RunCounts:
    new: int = 0
    updated: int = 0
    duplicate: int = 0
    unchanged: int = 0
    failed: int = 0
    not_modified: int = 0

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


def counts_from(counters: Mapping[str, int]) -> RunCounts:
    return RunCounts(new=counters.get("items/new", 0), updated=counters.get("items/updated", 0),
                     duplicate=counters.get("items/duplicate", 0), unchanged=counters.get("items/unchanged", 0),
                     failed=counters.get("items/failed", 0), not_modified=counters.get("not_modified", 0))


def _group(counters: Mapping[str, int], prefix: str) -> dict[str, int]:
    return {key[len(prefix):]: value for key, value in counters.items() if key.startswith(prefix) and value}


def _describe(counts: Mapping[str, int]) -> str:
    return ", ".join(f"{name} ×{count}" if count > 1 else name for name, count in sorted(counts.items()))


def classify_run(counters: Mapping[str, int], finish_reason: str | None = None) -> RunOutcome:
    """Decide the status of one source's run (see STATE_FOR_STATUS for the source state it implies)."""
    counts = counts_from(counters)
    problems = _group(counters, "problem/")
    failures = _group(counters, "failure/")
    error = "; ".join(text for text in (_describe(problems), _describe(failures)) if text) or None
    nothing = counts.seen == 0 and counts.not_modified == 0
    if "challenge" in problems and counts.seen == 0:
        return RunOutcome("blocked", counts, f"bot challenge or maintenance page: {error}")
    if nothing and failures and set(failures) <= UNREACHABLE:
        return RunOutcome("failed", counts, f"site unreachable: {error}")
    refusals = [REFUSALS[name] for name in failures if name in REFUSALS]
    if nothing and refusals and set(failures) <= set(REFUSALS) | UNREACHABLE:
        return RunOutcome("blocked", counts, f"not crawled: {'; '.join(sorted(set(refusals)))}")
    if nothing:
        if failures or problems or counts.failed or finish_reason not in (None, "finished"):
            return RunOutcome("failed", counts, error or f"crawl ended: {finish_reason}")
        return RunOutcome("empty", counts, "no items and no error: the page may have changed its layout")
    if counts.seen == 0:
        return RunOutcome("not_modified", counts, error)
    return RunOutcome("ok", counts, error)
