"""The delivery state machine under random answers, crashes, restarts and clock steps (hypothesis).

The model dispatcher below does what `dispatcher`/`claims`/`recording` do, with the same pure functions
(`is_due`, `claim`, `transition`, `release`, `replay`): claims are committed before sending; a crash loses
everything not committed; a restart is a new process with an empty memory. Checked after every step:
nothing is lost, every request carries the delivery's one key, nothing is sent after it was recorded as
sent, and a receiver accepts a delivery at most once more than the crashes between its 2xx and the record.
At the end the receiver recovers and every delivery is sent (or dead/disabled, never stuck pending).
"""

from __future__ import annotations

from collections import Counter
from dataclasses import replace
from datetime import UTC, datetime, timedelta

from hypothesis import settings
from hypothesis import strategies as st
from hypothesis.stateful import RuleBasedStateMachine, invariant, precondition, rule

from monitor.delivery.answers import classify_answer, classify_error
from monitor.delivery.lifecycle import (
    CLAIM_LEASE,
    FINAL_STATUSES,
    DeliveryState,
    OutcomeKind,
    claim,
    is_due,
    new_state,
    release,
    replay,
    transition,
)

T0 = datetime(2025, 3, 1, 12, 0, tzinfo=UTC)
ANSWERS = st.sampled_from([200, 202, 204, 429, 500, 503, 302, "timeout", "reset", 410])


class DeliveryMachine(RuleBasedStateMachine):
    def __init__(self) -> None:
        super().__init__()
        self.now = T0
        self.store: dict[int, DeliveryState] = {}
        self.keys: dict[int, str] = {}
        self.received: list[tuple[int, str, datetime]] = []
        self.accepted: Counter[int] = Counter()
        self.crashes_after_2xx: Counter[int] = Counter()
        self.sent_recorded_at: dict[int, datetime] = {}
        self.paused_until: datetime | None = None
        self.disabled = False

    # -- the world ---------------------------------------------------------------------------------------

    def receive(self, delivery_id: int, answer: int | str) -> None:
        self.received.append((delivery_id, self.keys[delivery_id], self.now))
        if isinstance(answer, int) and 200 <= answer < 300:
            self.accepted[delivery_id] += 1

    def outcome(self, answer: int | str):  # type: ignore[no-untyped-def]
        if answer == "timeout":
            return classify_error(TimeoutError("timed out"))
        if answer == "reset":
            return classify_error(ConnectionResetError("reset"))
        headers = "30" if answer == 429 else None
        return classify_answer(int(answer), headers, b"", self.now)

    def due(self) -> list[int]:
        if self.disabled:  # as `claims.disable_pending`: rows queued after the 410 are disabled too
            self.disable_pending()
            return []
        if self.paused_until and self.paused_until > self.now:
            return []
        return sorted(i for i, state in self.store.items() if is_due(state, self.now))

    def record(self, delivery_id: int, answer: int | str, jitter: float) -> datetime | None:
        """Commit one attempt's result; the moment the channel may resume if it stops now."""
        step = transition(self.store[delivery_id], self.outcome(answer), self.now, jitter)
        if self.store[delivery_id].status == "pending":
            self.store[delivery_id] = step.state
        if step.state.status == "sent":
            self.sent_recorded_at.setdefault(delivery_id, self.now)
        if step.pause_channel_until:
            self.paused_until = max(self.paused_until or self.now, step.pause_channel_until)
        if step.disable_channel:
            self.disabled = True
            self.disable_pending()
        if step.state.status == "sent":
            return None
        return step.pause_channel_until or self.now + timedelta(seconds=30)

    def disable_pending(self) -> None:
        for other, state in self.store.items():
            if state.status == "pending":
                self.store[other] = replace(state, status="disabled", claimed_until=None)

    # -- steps ---------------------------------------------------------------------------------------------

    @rule()
    def enqueue(self) -> None:
        delivery_id = len(self.keys) + 1
        self.keys[delivery_id] = f"msg_{delivery_id:032x}"
        self.store[delivery_id] = new_state(self.now)

    @rule(answers=st.lists(ANSWERS, min_size=1, max_size=6), jitter=st.floats(0, 0.999))
    def dispatch(self, answers: list[int | str], jitter: float) -> None:
        batch = self.due()
        for delivery_id in batch:
            self.store[delivery_id] = claim(self.store[delivery_id], self.now)
        resume_at = None
        for index, delivery_id in enumerate(batch):
            if resume_at is not None:
                self.store[delivery_id] = release(self.store[delivery_id], resume_at)
                continue
            answer = answers[index % len(answers)]
            self.receive(delivery_id, answer)
            resume_at = self.record(delivery_id, answer, jitter)

    @rule(answer=ANSWERS, after_send=st.booleans())
    def crash(self, answer: int | str, after_send: bool) -> None:
        """The process dies after claiming (a) before sending or (b) after the answer, before recording."""
        batch = self.due()[:1]
        for delivery_id in batch:
            self.store[delivery_id] = claim(self.store[delivery_id], self.now)
            if after_send:
                self.receive(delivery_id, answer)
                if isinstance(answer, int) and 200 <= answer < 300:
                    self.crashes_after_2xx[delivery_id] += 1

    @rule(seconds=st.sampled_from([1, 29, 61, 301, 3600, 6 * 3600, 26 * 3600]))
    def advance_clock(self, seconds: int) -> None:
        self.now += timedelta(seconds=seconds)

    @precondition(lambda self: any(state.status in {"dead", "disabled"} for state in self.store.values()))
    @rule()
    def replay_dead(self) -> None:
        self.disabled = False
        for delivery_id, state in self.store.items():
            if state.status in {"dead", "disabled"}:
                self.store[delivery_id] = replay(state, self.now)

    # -- invariants ------------------------------------------------------------------------------------------

    @invariant()
    def nothing_lost_and_one_key(self) -> None:
        assert set(self.store) == set(self.keys)
        assert all(state.status == "pending" or state.status in FINAL_STATUSES for state in self.store.values())
        assert all(key == self.keys[delivery_id] for delivery_id, key, _ in self.received)

    @invariant()
    def at_most_one_duplicate_per_crash(self) -> None:
        for delivery_id, count in self.accepted.items():
            assert count <= 1 + self.crashes_after_2xx[delivery_id], delivery_id
        for delivery_id, key, at in self.received:
            recorded = self.sent_recorded_at.get(delivery_id)
            assert recorded is None or at <= recorded, (delivery_id, key)

    @invariant()
    def sent_means_accepted(self) -> None:
        for delivery_id, state in self.store.items():
            if state.status == "sent":
                assert self.accepted[delivery_id] >= 1

    def teardown(self) -> None:
        """The receiver recovers: every delivery ends sent, dead or disabled; none stays pending."""
        for _ in range(400):
            if not any(state.status == "pending" for state in self.store.values()):
                break
            self.now += CLAIM_LEASE + timedelta(hours=1)
            self.dispatch([200], 0.5)
        assert not any(state.status == "pending" for state in self.store.values())
        assert all(self.accepted[i] >= 1 for i, state in self.store.items() if state.status == "sent")
        self.at_most_one_duplicate_per_crash()


TestDeliveryStateMachine = DeliveryMachine.TestCase
TestDeliveryStateMachine.settings = settings(max_examples=200, stateful_step_count=40, deadline=None)


def test_rate_limit_does_not_use_up_the_retry_schedule() -> None:
    state = new_state(T0)
    for _ in range(100):
        state = transition(state, classify_answer(429, "1", b"", T0), T0, 0.5).state
    assert state.status == "pending" and state.failures == 0 and state.attempts == 100
    assert OutcomeKind.RATE_LIMITED.value == "rate_limited"
