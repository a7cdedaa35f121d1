"""Source health as pure rules over a source's run history (table-tested; the store layer is `health_store`).

States: `healthy`; `stale` (a run found nothing and reported no error, or no new item for much longer than the
source's usual rhythm); `failing` (HTTP errors, parse errors, unreachable, a layout change that yields zero
items, empty text); `blocked` (challenge or maintenance pages, robots.txt refusals); `disabled` (switched off in
the sources file); `new` (never crawled). The operator hears about a change once: a bad state must hold for
`confirm_runs` runs in a row before it is alerted, a recovery is alerted at once.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from datetime import datetime, timedelta
from itertools import pairwise
from statistics import median

from monitor.crawl.run_outcome import STATE_FOR_STATUS

BAD_STATES = frozenset({"stale", "failing", "blocked"})
CONTENT_PROBLEMS = ("bot challenge", "layout_changed", "parse_error", "empty_text")
"""Failed or blocked runs that did read a page (its body was judged, not lost on the way)."""
QUIET_STATES = frozenset({"new", "disabled"})
"""Changes to or from these are recorded but not alerted (they are the operator's own doing)."""


@dataclass(frozen=True)
class RunRecord:
    finished_at: datetime
    status: str
    """ok, not_modified, empty, failed or blocked (`monitor.crawl.run_outcome`)."""
    items_new: int
    error: str | None = None


@dataclass(frozen=True)
class History:
    runs: tuple[RunRecord, ...] = ()
    """Finished runs, most recent first."""
    new_item_times: tuple[datetime, ...] = ()
    """When runs that stored new items ended, most recent first (the source's publishing rhythm)."""


@dataclass(frozen=True)
class HealthPolicy:
    stale_factor: float = 4.0
    """Stale when the time since the last new item exceeds this many usual gaps …"""
    stale_floor: timedelta = timedelta(hours=6)
    """… and at least this long."""
    min_gaps: int = 3
    """Gaps between new-item runs needed before the rhythm is trusted."""
    confirm_runs: int = 2


@dataclass(frozen=True)
class Verdict:
    state: str
    reason: str | None = None
    from_rhythm: bool = False


@dataclass(frozen=True)
class Decision:
    """What to store as the state the operator knows, and whether to alert (from `previous`)."""

    record: str
    reason: str | None
    alert: bool
    previous: str | None


def usual_gap(new_item_times: Sequence[datetime], min_gaps: int) -> timedelta | None:
    """The median gap between runs that found new items; None until there are `min_gaps` gaps."""
    gaps = [later - earlier for later, earlier in pairwise(new_item_times) if later > earlier]
    if len(gaps) < min_gaps:
        return None
    return timedelta(seconds=median(gap.total_seconds() for gap in gaps))


def read_content(run: RunRecord) -> bool:
    """Whether the run judged a fetched body (so a later 304 or identical body refers to that verdict)."""
    return run.status in {"ok", "empty"} or any(problem in (run.error or "") for problem in CONTENT_PROBLEMS)


def run_verdict(runs: Sequence[RunRecord], index: int = 0) -> Verdict:
    """The state one run implies. A not-modified run (304, or a body identical to the last one read) repeats
    the verdict on that body: a challenge page or an empty feed served again is still blocked or failing."""
    run = runs[index]
    if run.status == "not_modified":
        for position in range(index + 1, len(runs)):
            if runs[position].status != "not_modified" and read_content(runs[position]):
                return run_verdict(runs, position)
        return Verdict("healthy")
    state = STATE_FOR_STATUS.get(run.status, "failing")
    if state == "stale":
        return Verdict("stale", run.error or "the last crawl found no items and reported no error")
    return Verdict(state, None if state == "healthy" else run.error)


def failing_streak(history: History) -> int:
    """How many of the latest runs in a row left the source failing or blocked (drives the crawl backoff)."""
    streak = 0
    for index in range(len(history.runs)):
        if run_verdict(history.runs, index).state not in {"failing", "blocked"}:
            break
        streak += 1
    return streak


def current_state(history: History, now: datetime, enabled: bool, policy: HealthPolicy) -> Verdict:
    """The state of a source now, from its last run and its publishing rhythm."""
    if not enabled:
        return Verdict("disabled", "disabled in the sources file")
    if not history.runs:
        return Verdict("new", "never crawled")
    verdict = run_verdict(history.runs)
    if verdict.state != "healthy":
        return verdict
    return _rhythm_verdict(history, now, policy) or verdict


def _rhythm_verdict(history: History, now: datetime, policy: HealthPolicy) -> Verdict | None:
    gap = usual_gap(history.new_item_times, policy.min_gaps)
    if gap is None or not history.new_item_times:
        return None
    quiet = now - history.new_item_times[0]
    limit = max(gap * policy.stale_factor, policy.stale_floor)
    if quiet <= limit:
        return None
    return Verdict("stale", f"no new items for {_human(quiet)}; it usually publishes every {_human(gap)}",
                   from_rhythm=True)


def confirmed_state(history: History, now: datetime, enabled: bool, policy: HealthPolicy) -> Verdict | None:
    """The state worth telling the operator about, or None while a bad state is not yet confirmed."""
    verdict = current_state(history, now, enabled, policy)
    if verdict.state not in BAD_STATES or verdict.from_rhythm:
        return verdict
    recent = history.runs[:policy.confirm_runs]
    if len(recent) < policy.confirm_runs:
        return None
    if all(run_verdict(history.runs, index).state == verdict.state for index in range(len(recent))):
        return verdict
    return None


def decide(alerted: str | None, confirmed: Verdict | None) -> Decision | None:
    """Compare what the operator was told (`alerted`, None when nothing yet) with the confirmed state."""
    if confirmed is None or confirmed.state == alerted:
        return None
    if alerted is None:
        return Decision(confirmed.state, confirmed.reason, confirmed.state in BAD_STATES, None)
    quiet = confirmed.state in QUIET_STATES or (alerted in QUIET_STATES and confirmed.state not in BAD_STATES)
    return Decision(confirmed.state, confirmed.reason, not quiet, alerted)


def _human(span: timedelta) -> str:
    seconds = span.total_seconds()
    for unit, size in (("d", 86400), ("h", 3600), ("min", 60)):
        if seconds >= size:
            return f"{seconds / size:.1f} {unit}".replace(".0 ", " ")
    return f"{seconds:.0f} s"
