"""What an HTTP answer from a webhook means for the delivery: sent, retry, pause the channel, give up.

2xx is sent (Teams Workflows answers 202). 429 pauses the channel for Retry-After or Discord's JSON
`retry_after`. 410 Gone disables the channel. 400, 413 and 422 refuse the payload itself: retrying cannot
help, so the delivery is dead at once (and can be replayed). Everything else, 3xx included (redirects are
never followed), is a failure to retry with backoff.
"""

from __future__ import annotations

from datetime import datetime

from monitor.delivery.lifecycle import Outcome, OutcomeKind
from monitor.delivery.schedule import rate_limit_pause

PAYLOAD_REFUSED = frozenset({400, 413, 422})
ERROR_TEXT_LIMIT = 300


def classify_answer(status: int, retry_after: str | None, body: bytes, now: datetime) -> Outcome:
    if 200 <= status < 300:
        return Outcome(OutcomeKind.SENT, status)
    summary = f"HTTP {status}" + _body_hint(body)
    if status == 429:
        pause = rate_limit_pause(retry_after, body, now)
        return Outcome(OutcomeKind.RATE_LIMITED, status, f"{summary}; channel paused {pause}", pause)
    if status == 410:
        return Outcome(OutcomeKind.GONE, status, f"{summary}: the endpoint is gone; channel disabled")
    if status in PAYLOAD_REFUSED:
        return Outcome(OutcomeKind.REJECTED, status, f"{summary}: the payload was refused")
    if 300 <= status < 400:
        return Outcome(OutcomeKind.FAILED, status, f"{summary}: redirects are not followed")
    return Outcome(OutcomeKind.FAILED, status, summary)


def classify_error(error: BaseException) -> Outcome:
    """A request that got no answer: timeout, refused or reset connection, or the address guard."""
    name = type(error).__name__
    text = " ".join(str(error).split())[:ERROR_TEXT_LIMIT]
    return Outcome(OutcomeKind.FAILED, None, f"{name}: {text}" if text else name)


def _body_hint(body: bytes) -> str:
    """The first words of the answer (Slack answers `invalid_payload`, `channel_is_archived`, …)."""
    text = body[:ERROR_TEXT_LIMIT].decode("utf-8", "replace")
    text = " ".join("".join(char if char.isprintable() else " " for char in text).split())
    return f" ({text[:120]})" if text else ""
