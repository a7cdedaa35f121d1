"""The delivery state machine as pure functions: due, claim, the result of one attempt, replay.

The dispatcher applies exactly these functions to the stored rows, and the property tests drive them
through random answers, crashes and clock steps. Statuses: `pending` (waiting or being sent), `sent`,
`dead` (retry window used up or the payload refused), `disabled` (channel gone or unavailable), `folded`
(merged into a summary), `capped` (over a rule's hourly cap: left to the digest).
"""

from __future__ import annotations

from dataclasses import dataclass, replace
from datetime import datetime, timedelta
from enum import Enum

from monitor.delivery.schedule import gives_up, retry_delay

CLAIM_LEASE = timedelta(minutes=5)
"""How long a claimed row stays out of other dispatchers' hands: longer than any one send can take."""
FINAL_STATUSES = frozenset({"sent", "dead", "disabled", "folded", "capped"})


class OutcomeKind(Enum):
    SENT = "sent"
    RATE_LIMITED = "rate_limited"
    FAILED = "failed"
    REJECTED = "rejected"
    GONE = "gone"


@dataclass(frozen=True)
class Outcome:
    """What one attempt came to; `pause` is the channel's wait after a 429."""

    kind: OutcomeKind
    http_status: int | None = None
    error: str | None = None
    pause: timedelta | None = None


@dataclass(frozen=True)
class DeliveryState:
    status: str
    attempts: int
    failures: int
    next_attempt_at: datetime
    queued_at: datetime
    claimed_until: datetime | None = None
    sent_at: datetime | None = None
    last_status: int | None = None
    last_error: str | None = None


@dataclass(frozen=True)
class Step:
    """A transition: the delivery's new state and what happens to its channel."""

    state: DeliveryState
    pause_channel_until: datetime | None = None
    disable_channel: str | None = None


def new_state(now: datetime) -> DeliveryState:
    return DeliveryState("pending", 0, 0, now, now)


def is_due(state: DeliveryState, now: datetime) -> bool:
    """Pending, its time has come, and no live claim (a claim outlives a crashed dispatcher only by its lease)."""
    unclaimed = state.claimed_until is None or state.claimed_until <= now
    return state.status == "pending" and state.next_attempt_at <= now and unclaimed


def claim(state: DeliveryState, now: datetime, lease: timedelta = CLAIM_LEASE) -> DeliveryState:
    return replace(state, claimed_until=now + lease)


def release(state: DeliveryState, at: datetime) -> DeliveryState:
    """Give a claimed row back unsent (its channel paused or tripped during the run), due again at `at`."""
    return replace(state, claimed_until=None, next_attempt_at=max(state.next_attempt_at, at))


def transition(state: DeliveryState, outcome: Outcome, now: datetime, jitter: float) -> Step:
    """The state after one attempt that came to `outcome`; `jitter` in [0, 1) places the next retry."""
    tried = replace(state, attempts=state.attempts + 1, claimed_until=None, last_status=outcome.http_status,
                    last_error=outcome.error)
    if outcome.kind is OutcomeKind.SENT:
        return Step(replace(tried, status="sent", sent_at=now, last_error=None))
    if outcome.kind is OutcomeKind.RATE_LIMITED:
        until = now + (outcome.pause or timedelta(seconds=60))
        return Step(replace(tried, next_attempt_at=until), pause_channel_until=until)
    if outcome.kind is OutcomeKind.GONE:
        reason = outcome.error or "410 Gone"
        return Step(replace(tried, status="disabled", last_error=reason), disable_channel=reason)
    if outcome.kind is OutcomeKind.REJECTED:
        return Step(replace(tried, status="dead"))
    failures = state.failures + 1
    if gives_up(state.queued_at, now):
        return Step(replace(tried, status="dead", failures=failures))
    return Step(replace(tried, failures=failures, next_attempt_at=now + retry_delay(failures, jitter)))


def replay(state: DeliveryState, now: datetime) -> DeliveryState:
    """An operator's replay of a dead or disabled delivery: pending again now, a fresh retry window."""
    if state.status not in {"dead", "disabled"}:
        raise ValueError(f"only dead or disabled deliveries are replayed, not {state.status}")
    return replace(state, status="pending", failures=0, next_attempt_at=now, queued_at=now, claimed_until=None)


def is_stale(state: DeliveryState, now: datetime, threshold: timedelta) -> bool:
    """A pending alert queued longer than `threshold` and not being sent: it folds into a summary."""
    unclaimed = state.claimed_until is None or state.claimed_until <= now
    return state.status == "pending" and now - state.queued_at >= threshold and unclaimed
