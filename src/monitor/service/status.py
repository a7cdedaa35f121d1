"""What `monitor status` prints and `/healthz` answers: per-source health, deliveries, the next jobs.

Read from the store only (any node, or no running service at all, gives the same answer). Delivery and
digest tables are optional: when they are absent the counts are None.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta
from typing import Any

from sqlalchemy import Connection, Engine, func, inspect, select, text

from monitor.service.health import BAD_STATES, HealthPolicy, current_state
from monitor.service.health_store import load_histories, utc
from monitor.service.plans import JobPlan, Upcoming, upcoming
from monitor.sources import SourceDefinition
from monitor.store.models import Item, SourceState
from monitor.store.service_models import HealthAlert

ITEMS_PER_DAY_WINDOW = timedelta(days=7)


@dataclass(frozen=True)
class SourceStatus:
    id: str
    state: str
    reason: str | None
    last_run_at: datetime | None
    last_success_at: datetime | None
    items_per_day: float
    last_error: str | None


@dataclass(frozen=True)
class ServiceStatus:
    sources: list[SourceStatus]
    deliveries: dict[str, int] | None
    digests: dict[str, int] | None
    unsent_alerts: int
    last_crawl_at: datetime | None
    upcoming: list[Upcoming]

    @property
    def degraded(self) -> bool:
        return any(source.state in BAD_STATES for source in self.sources)


def gather_status(engine: Engine, sources: Sequence[SourceDefinition], plans: Sequence[JobPlan],
                  policy: HealthPolicy, now: datetime | None = None) -> ServiceStatus:
    now = now or datetime.now(UTC)
    ids = [source.id for source in sources]
    with engine.connect() as connection:
        histories = load_histories(connection, ids, now)
        states = {row.source_id: row for row in connection.execute(select(SourceState))}
        per_day = _items_per_day(connection, now)
        deliveries = _counts(connection, "deliveries", "status")
        digests = _counts(connection, "digest_sends", "status")
        unsent = connection.scalar(select(func.count()).select_from(HealthAlert)
                                   .where(HealthAlert.sent_at.is_(None))) or 0
    rows = []
    for source in sources:
        verdict = current_state(histories[source.id], now, source.enabled, policy)
        state = states.get(source.id)
        rows.append(SourceStatus(
            source.id, verdict.state, verdict.reason, _maybe_utc(state.last_run_at if state else None),
            _maybe_utc(state.last_success_at if state else None), per_day.get(source.id, 0.0),
            state.last_error if state else None))
    last_crawl = max((row.last_run_at for row in rows if row.last_run_at), default=None)
    return ServiceStatus(rows, deliveries, digests, unsent, last_crawl, upcoming(plans, now))


def _maybe_utc(moment: datetime | None) -> datetime | None:
    return utc(moment) if moment else None


def _items_per_day(connection: Connection, now: datetime) -> dict[str, float]:
    days = ITEMS_PER_DAY_WINDOW.total_seconds() / 86400
    query = (select(Item.source_id, func.count()).where(Item.fetched_at >= now - ITEMS_PER_DAY_WINDOW)
             .group_by(Item.source_id))
    return {source_id: round(count / days, 1) for source_id, count in connection.execute(query)}


def _counts(connection: Connection, table: str, column: str) -> dict[str, int] | None:
    if not inspect(connection).has_table(table):
        return None
    rows = connection.execute(text(f"SELECT {column}, COUNT(*) FROM {table} GROUP BY {column}"))
    return {str(status): int(count) for status, count in rows}


def healthz_document(status: ServiceStatus, node: str, running: bool) -> dict[str, Any]:
    """The machine-readable health of the service: `ok`, `degraded` (a source is not healthy) or `stopping`."""
    overall = "stopping" if not running else "degraded" if status.degraded else "ok"
    deliveries = status.deliveries
    return {
        "status": overall,
        "node": node,
        "time": datetime.now(UTC).isoformat(),
        "last_crawl_at": _iso(status.last_crawl_at),
        "pending_deliveries": deliveries.get("pending", 0) if deliveries is not None else None,
        "dead_deliveries": deliveries.get("dead", 0) if deliveries is not None else None,
        "pending_digests": status.digests.get("pending", 0) if status.digests is not None else None,
        "unsent_operator_alerts": status.unsent_alerts,
        "sources": {source.id: {"state": source.state, "reason": source.reason,
                                "last_run_at": _iso(source.last_run_at),
                                "last_success_at": _iso(source.last_success_at)}
                    for source in status.sources},
        "next_jobs": [{"id": job.job_id, "at": _iso(job.next_run)} for job in status.upcoming[:10]],
    }


def _iso(moment: datetime | None) -> str | None:
    return moment.isoformat() if moment else None


def store_gauges(engine: Engine) -> dict[str, dict[str, float]]:
    """Shared-state gauges for /metrics: sources by the state of their last run, deliveries by status and
    unsent operator alerts."""
    with engine.connect() as connection:
        deliveries = _counts(connection, "deliveries", "status") or {}
        sources = _counts(connection, "source_state", "state") or {}
        unsent = connection.scalar(select(func.count()).select_from(HealthAlert)
                                   .where(HealthAlert.sent_at.is_(None))) or 0
    return {"monitor_sources": {key: float(value) for key, value in sources.items()},
            "monitor_deliveries": {key: float(value) for key, value in deliveries.items()},
            "monitor_health_alerts_unsent": {"source_health": float(unsent)}}
