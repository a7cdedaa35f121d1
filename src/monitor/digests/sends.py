"""Durable digest sends: claiming a period, leasing a send for one attempt, recording what the server said.

A send is `pending` until each recipient is settled; then `sent` (someone got it) or `dead` (nobody did).
Every attempt offers the stored message to the recipients still pending, so a refused address is retried
alone with the same bytes and Message-ID. Retries back off exponentially (1 min doubling to 1 h, with
jitter); after three days the remaining recipients are given up.
"""

from __future__ import annotations

import random
from collections.abc import Collection, Sequence
from dataclasses import dataclass
from datetime import datetime, timedelta
from typing import Any

from sqlalchemy import Connection, and_, exists, insert, or_, select, update
from sqlalchemy.dialects import postgresql, sqlite

from monitor.digests.smtp import SmtpOutcome
from monitor.digests.store_reads import utc
from monitor.store.digest_models import DigestRecipient, DigestSend, DigestSendMatch

LEASE = timedelta(minutes=10)
FIRST_RETRY = timedelta(minutes=1)
LONGEST_RETRY = timedelta(hours=1)
GIVE_UP_AFTER = timedelta(days=3)
MAX_REFUSALS = 5


def retry_delay(attempts: int, jitter: float = 0.1) -> timedelta:
    """Wait before attempt `attempts + 1`: 1, 2, 4 … minutes up to an hour, ±10 % so nodes spread out."""
    base = min(FIRST_RETRY * 2 ** max(attempts - 1, 0), LONGEST_RETRY)
    return base * (1 + random.uniform(-jitter, jitter))


def _insert(connection: Connection, table: Any) -> Any:
    dialect = connection.dialect.name
    if dialect == "postgresql":
        return postgresql.insert(table)
    if dialect == "sqlite":
        return sqlite.insert(table)
    raise NotImplementedError(f"digests support SQLite and PostgreSQL, not {dialect}")


def insert_send(
    connection: Connection, values: dict[str, Any], recipients: Sequence[str], match_ids: Collection[int]
) -> int | None:
    """The new send's id, or None when another node or run claimed this (digest, period) first."""
    statement = (
        _insert(connection, DigestSend.__table__)
        .values(**values)
        .on_conflict_do_nothing(index_elements=["digest_id", "period_at"])
        .returning(DigestSend.__table__.c.id)
    )
    send_id = connection.execute(statement).scalar_one_or_none()
    if send_id is None:
        return None
    if recipients:
        connection.execute(insert(DigestRecipient), [
            {"send_id": send_id, "address": address, "status": "pending", "attempts": 0, "refusals": 0}
            for address in recipients
        ])
    if match_ids:
        connection.execute(insert(DigestSendMatch),
                           [{"send_id": send_id, "match_id": match_id} for match_id in sorted(match_ids)])
    return send_id


def supersede_idle(connection: Connection, digest_id: str, period_at: datetime, now: datetime) -> int:
    """Fold older pending sends that were tried, reached no recipient and are not being sent into the period
    being built (it starts at the last digest sent, so it holds their matches): after an SMTP outage, one
    digest. A send not tried yet is left alone: another node may have just claimed it."""
    delivered = exists().where(DigestRecipient.send_id == DigestSend.id, DigestRecipient.status == "sent")
    result = connection.execute(
        update(DigestSend)
        .where(
            DigestSend.digest_id == digest_id,
            DigestSend.status == "pending",
            DigestSend.period_at < utc(period_at),
            DigestSend.attempts > 0,
            or_(DigestSend.claimed_until.is_(None), DigestSend.claimed_until < utc(now)),
            ~delivered,
        )
        .values(status="superseded", last_error="folded into a newer digest", claimed_until=None)
        .execution_options(synchronize_session=False)
    )
    return result.rowcount or 0


def lease(connection: Connection, send_id: int, now: datetime) -> bool:
    """Take the send for one attempt (True), unless it is settled, not due, or another node holds it."""
    now = utc(now)
    result = connection.execute(
        update(DigestSend)
        .where(
            DigestSend.id == send_id,
            DigestSend.status == "pending",
            DigestSend.next_attempt_at <= now,
            or_(DigestSend.claimed_until.is_(None), DigestSend.claimed_until < now),
        )
        .values(claimed_until=now + LEASE, attempts=DigestSend.attempts + 1)
        .execution_options(synchronize_session=False)
    )
    return result.rowcount == 1


@dataclass(frozen=True)
class Attempt:
    """A leased send: the stored message and the recipients it still has to reach."""

    send_id: int
    digest_id: str
    message_id: str
    message: bytes
    recipients: tuple[str, ...]


def load_attempt(connection: Connection, send_id: int) -> Attempt:
    send = connection.execute(
        select(DigestSend.digest_id, DigestSend.message_id, DigestSend.message).where(DigestSend.id == send_id)
    ).one()
    pending = connection.execute(
        select(DigestRecipient.address)
        .where(DigestRecipient.send_id == send_id, DigestRecipient.status == "pending")
        .order_by(DigestRecipient.address)
    ).scalars()
    return Attempt(send_id, send.digest_id, send.message_id, bytes(send.message or b""), tuple(pending))


def due_sends(
    connection: Connection, now: datetime, digest_ids: Collection[str] | None = None
) -> list[tuple[int, str]]:
    """(send id, digest id) of pending sends whose next attempt is due and that no node holds, oldest first."""
    now = utc(now)
    query = select(DigestSend.id, DigestSend.digest_id).where(
        DigestSend.status == "pending",
        DigestSend.next_attempt_at <= now,
        or_(DigestSend.claimed_until.is_(None), DigestSend.claimed_until < now),
    )
    if digest_ids is not None:
        query = query.where(DigestSend.digest_id.in_(sorted(digest_ids)))
    return [(row.id, row.digest_id) for row in connection.execute(query.order_by(DigestSend.period_at))]


def record_attempt(connection: Connection, attempt: Attempt, outcome: SmtpOutcome, now: datetime) -> str:
    """Store what the server said for each pending recipient; returns the send's new status."""
    now = utc(now)
    table = DigestRecipient.__table__
    mine = and_(table.c.send_id == attempt.send_id, table.c.status == "pending")
    if outcome.delivered:
        connection.execute(
            update(table).where(mine, table.c.address.in_(outcome.delivered))
            .values(status="sent", sent_at=now, attempts=table.c.attempts + 1, last_error=None)
        )
    for address, answer in outcome.refused.items():
        connection.execute(
            update(table).where(mine, table.c.address == address)
            .values(attempts=table.c.attempts + 1, refusals=table.c.refusals + 1, last_error=answer)
        )
    connection.execute(
        update(table).where(mine, table.c.refusals >= MAX_REFUSALS).values(status="dead")
    )
    if outcome.error:
        connection.execute(
            update(table).where(mine).values(attempts=table.c.attempts + 1, last_error=outcome.error)
        )
    return _settle(connection, attempt.send_id, outcome, now)


def _settle(connection: Connection, send_id: int, outcome: SmtpOutcome, now: datetime) -> str:
    send = connection.execute(
        select(DigestSend.attempts, DigestSend.created_at).where(DigestSend.id == send_id)
    ).one()
    statuses = list(connection.execute(
        select(DigestRecipient.status).where(DigestRecipient.send_id == send_id)
    ).scalars())
    error = outcome.error or "; ".join(f"{a}: {answer}" for a, answer in outcome.refused.items()) or None
    values: dict[str, Any] = {"claimed_until": None, "last_error": error}
    if "pending" in statuses and now - utc(send.created_at) >= GIVE_UP_AFTER:
        connection.execute(
            update(DigestRecipient)
            .where(DigestRecipient.send_id == send_id, DigestRecipient.status == "pending")
            .values(status="dead")
        )
        statuses = ["dead" if status == "pending" else status for status in statuses]
    if "pending" in statuses:
        values.update(status="pending", next_attempt_at=now + retry_delay(send.attempts))
    else:
        values.update(status="sent" if "sent" in statuses else "dead", sent_at=now)
    connection.execute(update(DigestSend).where(DigestSend.id == send_id).values(**values))
    return values["status"]
