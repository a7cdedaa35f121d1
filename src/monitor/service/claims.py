"""Claims of scheduled periods: `INSERT … ON CONFLICT DO NOTHING RETURNING` on (job id, slot); the node whose
insert returns a row runs that period, every other node skips it. No advisory locks (they break behind
connection poolers); works the same on SQLite, where it also stops a restarted node from repeating a period.
"""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

from sqlalchemy import Engine, delete, select
from sqlalchemy.dialects import postgresql, sqlite

from monitor.store.service_models import JobClaim

CLAIMS_KEPT = timedelta(days=14)


def claim(engine: Engine, job_id: str, slot: datetime, node: str, now: datetime | None = None) -> bool:
    """True when this node won the period `slot` of `job_id` (and must run it)."""
    table = JobClaim.__table__
    values = {"job_id": job_id, "slot_start": slot.astimezone(UTC), "node": node,
              "claimed_at": now or datetime.now(UTC)}
    with engine.begin() as connection:
        insert = postgresql.insert(table) if connection.dialect.name == "postgresql" else sqlite.insert(table)
        statement = insert.values(**values).on_conflict_do_nothing(
            index_elements=["job_id", "slot_start"]).returning(table.c.id)
        return connection.execute(statement).first() is not None


def last_claimed_slot(engine: Engine, job_id: str) -> datetime | None:
    """The latest period of `job_id` any node claimed."""
    with engine.connect() as connection:
        slots = connection.scalars(select(JobClaim.slot_start).where(JobClaim.job_id == job_id)
                                   .order_by(JobClaim.slot_start.desc()).limit(1)).all()
    return _utc(slots[0]) if slots else None


def prune_claims(engine: Engine, now: datetime | None = None, keep: timedelta = CLAIMS_KEPT) -> int:
    """Forget claims older than `keep` (they only guard periods that are long past)."""
    cutoff = (now or datetime.now(UTC)) - keep
    with engine.begin() as connection:
        return connection.execute(delete(JobClaim).where(JobClaim.claimed_at < cutoff)).rowcount or 0


def _utc(moment: datetime) -> datetime:
    """SQLite hands back naive datetimes; the store writes UTC."""
    return moment.replace(tzinfo=UTC) if moment.tzinfo is None else moment.astimezone(UTC)
