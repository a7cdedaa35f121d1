"""What the service and the CLI call: run a digest (claim its period, build, send, record), retry pending
sends, and find the digests that came due while the service was down."""

from __future__ import annotations

import asyncio
import logging
import ssl
from collections.abc import Iterable, Mapping
from dataclasses import dataclass
from datetime import datetime
from pathlib import Path
from typing import Any

from sqlalchemy import Engine, select

from monitor.digests.claim import build_period, claim_period
from monitor.digests.config import Digest
from monitor.digests.references import email_channel
from monitor.digests.render import DigestTemplateError, DigestTemplates, templates_for
from monitor.digests.schedule import latest_run
from monitor.digests.sends import due_sends, lease, load_attempt, record_attempt
from monitor.digests.smtp import DEFAULT_TIMEOUT, EmailChannel, SmtpOutcome, deliver
from monitor.digests.store_reads import latest_period, utc
from monitor.rules.ruleset import RuleSet
from monitor.store.digest_models import DigestSend

log = logging.getLogger(__name__)

DRY_RUN_SENDER = "monitor@localhost"


@dataclass(frozen=True)
class DigestResult:
    """What one call did. status: sent | pending (retried later) | dead | empty (nothing new, not sent) |
    taken (another node or run has this period) | covered | not-due | busy (being sent elsewhere) |
    dry-run | error (template or channel problem; nothing was claimed)."""

    digest_id: str
    status: str
    period_at: datetime | None = None
    send_id: int | None = None
    match_count: int = 0
    message_id: str | None = None
    delivered: tuple[str, ...] = ()
    pending: tuple[str, ...] = ()
    path: Path | None = None
    error: str | None = None


@dataclass(frozen=True)
class SmtpOptions:
    """How to reach SMTP servers: `env` holds password variables (default: os.environ)."""

    env: Mapping[str, str] | None = None
    timeout: float = DEFAULT_TIMEOUT
    ssl_context: ssl.SSLContext | None = None


def scheduled_period(digest: Digest, now: datetime) -> datetime | None:
    """The period a scheduled run at `now` is for: the latest scheduled time at or before it, in UTC."""
    latest = latest_run(digest, utc(now))
    return utc(latest) if latest is not None else None


def run_digest(
    engine: Engine,
    digest: Digest,
    channels: Any,
    rules: RuleSet,
    *,
    now: datetime,
    dry_run_dir: Path | None = None,
    manual: bool = False,
    templates: DigestTemplates | None = None,
    smtp: SmtpOptions | None = None,
) -> DigestResult:
    """Claim the digest's period (the latest scheduled time ≤ now; with `manual`, now itself), build it from
    everything since the last digest sent, send it and record the outcome. Safe on several nodes and after
    a restart: a period is claimed and sent once. With `dry_run_dir`, write the .eml there instead; nothing
    is recorded."""
    templates = templates or templates_for()
    if dry_run_dir is not None:
        return dry_run(engine, digest, channels, rules, now=now, folder=dry_run_dir, templates=templates)
    try:
        channel = email_channel(digest, channels)
    except LookupError as error:
        log.error("digest %s: cannot send: %s", digest.id, error)
        return DigestResult(digest.id, "error", error=str(error))
    period_at = utc(now).replace(microsecond=0) if manual else scheduled_period(digest, now)
    if period_at is None:
        return DigestResult(digest.id, "not-due")
    try:
        claim = claim_period(engine, digest, rules, templates, period_at=period_at, now=now,
                             sender=channel.sender, manual=manual)
    except DigestTemplateError as error:
        log.error("digest %s: %s", digest.id, error)
        return DigestResult(digest.id, "error", period_at, error=str(error))
    count = claim.built.content.match_count if claim.built else 0
    if claim.status != "claimed" or claim.send_id is None:
        log.info("digest %s period %s: %s", digest.id, period_at.isoformat(), claim.status)
        return DigestResult(digest.id, claim.status, period_at, claim.send_id, count)
    return attempt_send(engine, claim.send_id, channel, now=now, smtp=smtp)


def attempt_send(
    engine: Engine, send_id: int, channel: EmailChannel, *, now: datetime, smtp: SmtpOptions | None = None
) -> DigestResult:
    """One attempt at a pending send: lease it, offer the stored message to the recipients still pending,
    record each answer. Returns status busy when the send is not due or another node holds it."""
    smtp = smtp or SmtpOptions()
    with engine.begin() as connection:
        leased = lease(connection, send_id, now)
        attempt = load_attempt(connection, send_id) if leased else None
        period_at = connection.execute(select(DigestSend.period_at).where(DigestSend.id == send_id)).scalar()
    period_at = utc(period_at) if period_at is not None else None
    if attempt is None:
        return DigestResult("", "busy", period_at, send_id)
    outcome = (deliver(channel, attempt.recipients, attempt.message, env=smtp.env, timeout=smtp.timeout,
                       ssl_context=smtp.ssl_context)
               if attempt.recipients else SmtpOutcome())
    with engine.begin() as connection:
        status = record_attempt(connection, attempt, outcome, now)
    pending = tuple(a for a in attempt.recipients if a not in outcome.delivered) if status == "pending" else ()
    error = outcome.error or ("; ".join(f"{a}: {answer}" for a, answer in outcome.refused.items()) or None)
    log_level = logging.INFO if status == "sent" else logging.WARNING
    log.log(log_level, "digest %s %s: %s (delivered %d, pending %d)%s", attempt.digest_id, attempt.message_id,
            status, len(outcome.delivered), len(pending), f": {error}" if error else "")
    return DigestResult(attempt.digest_id, status, period_at, send_id, message_id=attempt.message_id,
                        delivered=outcome.delivered, pending=pending, error=error)


def retry_pending_digests(
    engine: Engine,
    digests: Mapping[str, Digest],
    channels: Any,
    *,
    now: datetime,
    smtp: SmtpOptions | None = None,
) -> list[DigestResult]:
    """One attempt at every pending send that is due (backoff elapsed, not held by another node)."""
    with engine.connect() as connection:
        due = due_sends(connection, now)
    results = []
    for send_id, digest_id in due:
        digest = digests.get(digest_id)
        if digest is None:
            log.warning("digest send %s: digest %r is no longer configured; left pending", send_id, digest_id)
            continue
        try:
            channel = email_channel(digest, channels)
        except LookupError as error:
            log.error("digest %s: cannot retry: %s", digest_id, error)
            results.append(DigestResult(digest_id, "error", send_id=send_id, error=str(error)))
            continue
        results.append(attempt_send(engine, send_id, channel, now=now, smtp=smtp))
    return results


def digests_due(engine: Engine, digests: Iterable[Digest], now: datetime) -> list[Digest]:
    """Digests whose latest scheduled time (≤ now) has no recorded period: at start-up after downtime, run
    each once with run_digest(now=now); its content covers every missed period."""
    due = []
    with engine.connect() as connection:
        for digest in digests:
            period_at = scheduled_period(digest, now)
            last = latest_period(connection, digest.id)
            if period_at is not None and (last is None or period_at > last):
                due.append(digest)
    return due


def dry_run(
    engine: Engine, digest: Digest, channels: Any, rules: RuleSet, *, now: datetime, folder: Path,
    templates: DigestTemplates | None = None,
) -> DigestResult:
    """Write the digest a run now would send to `folder` as an .eml; records nothing, sends nothing."""
    try:
        sender = email_channel(digest, channels).sender
    except LookupError:
        sender = DRY_RUN_SENDER
    period_at = utc(now).replace(microsecond=0)
    try:
        with engine.connect() as connection:
            built = build_period(connection, digest, rules, templates or templates_for(),
                                 period_at=period_at, now=now, sender=sender)
            connection.rollback()
    except DigestTemplateError as error:
        return DigestResult(digest.id, "error", period_at, error=str(error))
    if built is None:
        return DigestResult(digest.id, "covered", period_at)
    folder.mkdir(parents=True, exist_ok=True)
    path = folder / f"{digest.id}-{period_at:%Y%m%dT%H%M%SZ}.eml"
    path.write_bytes(built.data)
    return DigestResult(digest.id, "dry-run", period_at, match_count=built.content.match_count,
                        message_id=built.message_id, path=path)


async def run_digest_async(
    engine: Engine, digest: Digest, channels: Any, rules: RuleSet, *, now: datetime, **options: Any
) -> DigestResult:
    """run_digest in a worker thread (the store and smtplib block), for the service's event loop."""
    return await asyncio.to_thread(run_digest, engine, digest, channels, rules, now=now, **options)


async def retry_pending_digests_async(
    engine: Engine, digests: Mapping[str, Digest], channels: Any, *, now: datetime, **options: Any
) -> list[DigestResult]:
    return await asyncio.to_thread(retry_pending_digests, engine, digests, channels, now=now, **options)
