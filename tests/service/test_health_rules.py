"""Source-health rules, table-tested: states from run history, the publishing rhythm, confirmation, alerts."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

import pytest

from monitor.service.health import (
    Decision,
    HealthPolicy,
    History,
    RunRecord,
    Verdict,
    confirmed_state,
    current_state,
    decide,
    failing_streak,
    usual_gap,
)

NOW = datetime(2026, 5, 20, 12, tzinfo=UTC)
POLICY = HealthPolicy(stale_factor=4, stale_floor=timedelta(hours=6), min_gaps=3, confirm_runs=2)


def runs(*statuses: str, every: timedelta = timedelta(minutes=30)) -> tuple[RunRecord, ...]:
    """Most recent first, one every `every` back from NOW."""
    return tuple(RunRecord(NOW - every * n, status, 1 if status == "ok" else 0, None if status == "ok" else "x")
                 for n, status in enumerate(statuses))


def published(*hours_ago: float) -> tuple[datetime, ...]:
    return tuple(NOW - timedelta(hours=hours) for hours in hours_ago)


@pytest.mark.parametrize(("history", "enabled", "state"), [
    (History(), True, "new"),
    (History(runs("ok")), False, "disabled"),
    (History(runs("ok", "failed")), True, "healthy"),
    (History(runs("not_modified", "ok")), True, "healthy"),
    (History(runs("failed", "ok")), True, "failing"),
    (History(runs("blocked", "ok")), True, "blocked"),
    (History(runs("empty", "ok")), True, "stale"),
    # publishes every ~2 h; nothing new for 7 h < max(4 × 2 h, 6 h) = 8 h: healthy
    (History(runs("not_modified"), published(7, 9, 11, 13, 15)), True, "healthy"),
    # … nothing new for 9 h > 8 h: stale, though every run succeeds
    (History(runs("not_modified"), published(9, 11, 13, 15, 17)), True, "stale"),
    # publishes every 10 min: the 6 h floor applies
    (History(runs("not_modified"), published(5, 5.2, 5.4, 5.6)), True, "healthy"),
    (History(runs("not_modified"), published(7, 7.2, 7.4, 7.6)), True, "stale"),
    # too little history to know the rhythm: never stale by rhythm
    (History(runs("not_modified"), published(100, 102)), True, "healthy"),
])
def test_current_state(history: History, enabled: bool, state: str) -> None:
    assert current_state(history, NOW, enabled, POLICY).state == state


def record(status: str, error: str | None = None) -> RunRecord:
    return RunRecord(NOW, status, 0, error)


@pytest.mark.parametrize(("history", "state"), [
    # a 304 or an identical body repeats the verdict on the body it refers to …
    ((record("not_modified"), record("blocked", "bot challenge or maintenance page: challenge")), "blocked"),
    ((record("not_modified"), record("not_modified"), record("failed", "layout_changed")), "failing"),
    ((record("not_modified"), record("empty", "no items and no error")), "stale"),
    ((record("not_modified"), record("ok")), "healthy"),
    # … but not of a run that read nothing: the site is back and unchanged since the last good body
    ((record("not_modified"), record("failed", "site unreachable: DNSLookupError"), record("ok")), "healthy"),
    ((record("not_modified"), record("blocked", "not crawled: robots.txt disallows it"),
      record("failed", "parse_error")), "failing"),
    ((record("not_modified"),), "healthy"),
])
def test_not_modified_runs_repeat_the_verdict_on_their_content(history: tuple[RunRecord, ...], state: str) -> None:
    assert current_state(History(history), NOW, True, POLICY).state == state


def test_stale_reason_names_the_rhythm() -> None:
    verdict = current_state(History(runs("ok"), published(9, 11, 13, 15, 17)), NOW, True, POLICY)
    assert verdict.from_rhythm and "usually publishes every 2 h" in (verdict.reason or "")


def test_usual_gap_is_the_median() -> None:
    assert usual_gap(published(1, 2, 3, 10), 3) == timedelta(hours=1)
    assert usual_gap(published(1, 2), 3) is None


@pytest.mark.parametrize(("statuses", "confirmed"), [
    (("failed",), None),  # one failure is not yet worth an alert
    (("failed", "ok"), None),
    (("failed", "failed"), "failing"),
    (("blocked", "failed"), None),
    (("blocked", "blocked", "ok"), "blocked"),
    (("ok", "failed", "failed"), "healthy"),  # a recovery is told at once
    (("empty", "empty"), "stale"),
])
def test_bad_states_need_confirmation(statuses: tuple[str, ...], confirmed: str | None) -> None:
    verdict = confirmed_state(History(runs(*statuses)), NOW, True, POLICY)
    assert (verdict.state if verdict else None) == confirmed


@pytest.mark.parametrize(("alerted", "state", "expected"), [
    (None, "healthy", Decision("healthy", None, False, None)),  # first sight of a good source: silent
    (None, "failing", Decision("failing", "why", True, None)),
    (None, "new", Decision("new", "why", False, None)),
    ("new", "healthy", Decision("healthy", None, False, "new")),
    ("new", "blocked", Decision("blocked", "why", True, "new")),
    ("healthy", "failing", Decision("failing", "why", True, "healthy")),
    ("failing", "blocked", Decision("blocked", "why", True, "failing")),
    ("failing", "healthy", Decision("healthy", None, True, "failing")),  # recovery
    ("healthy", "disabled", Decision("disabled", "why", False, "healthy")),
    ("disabled", "healthy", Decision("healthy", None, False, "disabled")),
    ("healthy", "healthy", None),
    ("failing", None, None),  # not confirmed: nothing changes
])
def test_decide_alerts_once_per_change(alerted: str | None, state: str | None, expected: Decision | None) -> None:
    verdict = None if state is None else Verdict(state, None if state == "healthy" else "why")
    assert decide(alerted, verdict) == expected


def test_a_sequence_of_runs_alerts_once_per_confirmed_change() -> None:
    """healthy ×3 → challenge ×3 → zero items ×3 → healthy ×2: three alerts, none per run."""
    sequence = ["ok"] * 3 + ["blocked"] * 3 + ["failed"] * 3 + ["ok"] * 2
    alerted: str | None = None
    alerts = []
    for count in range(1, len(sequence) + 1):
        history = History(tuple(RunRecord(NOW, status, 0) for status in reversed(sequence[:count])))
        decision = decide(alerted, confirmed_state(history, NOW, True, POLICY))
        if decision:
            alerted = decision.record
            if decision.alert:
                alerts.append((decision.previous, decision.record))
    assert alerts == [("healthy", "blocked"), ("blocked", "failing"), ("failing", "healthy")]


@pytest.mark.parametrize(("history", "streak"), [
    ((record("ok"),), 0),
    ((record("failed", "HTTP 503"), record("failed", "HTTP 503"), record("ok")), 2),
    ((record("not_modified"), record("blocked", "bot challenge or maintenance page"), record("ok")), 2),
    ((record("empty"), record("failed", "x")), 0),
    ((), 0),
])
def test_failing_streak_drives_the_backoff(history: tuple[RunRecord, ...], streak: int) -> None:
    assert failing_streak(History(history)) == streak
