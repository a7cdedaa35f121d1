"""Building one period of a digest and claiming it, in one transaction: the unique (digest, period) row is
inserted together with the rendered message, its recipients and the matches it holds, or not at all."""

from __future__ import annotations

import logging
from dataclasses import dataclass
from datetime import datetime, timedelta

from sqlalchemy import Connection, Engine

from monitor.digests.config import Digest
from monitor.digests.content import DigestContent, build_content
from monitor.digests.message import build_message, message_bytes, message_id_for
from monitor.digests.references import digest_rule_ids
from monitor.digests.render import DigestTemplates
from monitor.digests.schedule import latest_run, previous_run
from monitor.digests.sends import insert_send, supersede_idle
from monitor.digests.store_reads import MAX_MATCHES, SETTLE, match_rows, period_claimed, read_watermark, utc
from monitor.rules.ruleset import RuleSet

log = logging.getLogger(__name__)

FIRST_DIGEST_SPAN = timedelta(days=1)


@dataclass(frozen=True)
class BuiltDigest:
    """One period's digest, rendered: the watermark range, the matches it holds and the message bytes."""

    digest_id: str
    period_at: datetime
    since: datetime
    match_ids: tuple[int, ...]
    content: DigestContent
    message_id: str
    data: bytes


@dataclass(frozen=True)
class ClaimOutcome:
    """`claimed` (send_id set), `empty` (recorded, not sent), `taken` (another run has this period) or
    `covered` (a digest sent later than this period already holds everything up to it)."""

    status: str
    send_id: int | None = None
    built: BuiltDigest | None = None


def first_since(digest: Digest, period_at: datetime, earliest_unsent: datetime | None) -> datetime:
    """Where a digest that never sent starts: the scheduled time before the last one at or before the period
    (a new digest does not replay the whole history), or earlier if periods were recorded but never sent."""
    previous = previous_run(digest, latest_run(digest, period_at) or period_at)
    start = utc(previous) if previous is not None else period_at - FIRST_DIGEST_SPAN
    return min(start, earliest_unsent) if earliest_unsent is not None else start


def build_period(
    connection: Connection,
    digest: Digest,
    rules: RuleSet,
    templates: DigestTemplates,
    *,
    period_at: datetime,
    now: datetime,
    sender: str,
) -> BuiltDigest | None:
    """Everything since the last digest sent, up to `period_at`, rendered; None if that is already covered.
    Raises DigestTemplateError when a template fails."""
    watermark = read_watermark(connection, digest.id)
    if watermark.since is not None and period_at <= watermark.since:
        return None
    since = watermark.since or first_since(digest, period_at, watermark.earliest_unsent)
    rule_names = digest_rule_ids(digest, rules)
    rows = match_rows(connection, rule_names, since - SETTLE, period_at, watermark.included)
    if len(rows) >= MAX_MATCHES:
        log.warning("digest %s: more than %d matches since %s; the oldest %d are shown",
                    digest.id, MAX_MATCHES, since.isoformat(), MAX_MATCHES)
    content = build_content(
        digest_id=digest.id, name=digest.name, timezone=digest.timezone, rows=rows, rule_names=rule_names,
        since=since, until=period_at, subject_prefix=digest.subject_prefix,
    )
    message_id = message_id_for(digest.id, period_at, sender)
    message = build_message(
        templates.render(content), sender=sender, recipients=digest.recipients, message_id=message_id,
        date=now,
    )
    match_ids = tuple(row.match_id for row in rows)
    return BuiltDigest(digest.id, period_at, since, match_ids, content, message_id, message_bytes(message))


def claim_period(
    engine: Engine,
    digest: Digest,
    rules: RuleSet,
    templates: DigestTemplates,
    *,
    period_at: datetime,
    now: datetime,
    sender: str,
    manual: bool = False,
) -> ClaimOutcome:
    """Build and claim (digest, period) in one transaction; see ClaimOutcome."""
    period_at, now = utc(period_at), utc(now)
    with engine.connect() as connection, connection.begin() as transaction:
        if period_claimed(connection, digest.id, period_at):
            return ClaimOutcome("taken")
        supersede_idle(connection, digest.id, period_at, now)
        built = build_period(
            connection, digest, rules, templates, period_at=period_at, now=now, sender=sender
        )
        if built is None:  # on PostgreSQL, also when another node committed this very period meanwhile
            taken = period_claimed(connection, digest.id, period_at)
            transaction.rollback()
            return ClaimOutcome("taken" if taken else "covered")
        sending = not built.content.empty or digest.send_when_empty
        send_id = insert_send(
            connection,
            {
                "digest_id": digest.id, "period_at": period_at, "manual": manual,
                "watermark_from": built.since, "watermark_to": period_at,
                "status": "pending" if sending else "empty", "match_count": built.content.match_count,
                "message_id": built.message_id, "message": built.data if sending else None,
                "attempts": 0, "next_attempt_at": now, "created_at": now,
            },
            digest.recipients if sending else (),
            built.match_ids if sending else (),
        )
    if send_id is None:
        return ClaimOutcome("taken")
    return ClaimOutcome("claimed" if sending else "empty", send_id, built)
