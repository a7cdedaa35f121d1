"""The store side of source health: run histories from `crawl_runs`, the state the operator knows
(`source_health`) and the alert outbox (`health_alerts`).

A change is written with a conditional update on the state the operator was last told about, so when two nodes
evaluate the same source at once only one of them inserts the alert.
"""

from __future__ import annotations

from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta

from sqlalchemy import Connection, Engine, func, insert, select, update

from monitor.service.health import Decision, HealthPolicy, History, RunRecord, confirmed_state, decide
from monitor.sources import SourceDefinition
from monitor.store.models import CrawlRun
from monitor.store.service_models import HealthAlert, SourceHealth

RECENT_RUNS = 20
RHYTHM_LOOKBACK = timedelta(days=60)
RHYTHM_RUNS = 60


@dataclass(frozen=True)
class AlertRow:
    id: int
    source_id: str
    from_state: str
    to_state: str
    reason: str | None
    created_at: datetime


def utc(moment: datetime) -> datetime:
    """SQLite hands back naive datetimes; the store writes UTC."""
    return moment.replace(tzinfo=UTC) if moment.tzinfo is None else moment.astimezone(UTC)


def load_histories(connection: Connection, source_ids: Sequence[str], now: datetime) -> dict[str, History]:
    """The recent finished runs and the times of new-item runs of each source (two queries for all)."""
    if not source_ids:
        return {}
    finished = CrawlRun.finished_at.is_not(None) & (CrawlRun.status != "running")
    position = func.row_number().over(partition_by=CrawlRun.source_id, order_by=CrawlRun.id.desc()).label("n")
    recent = (select(CrawlRun.source_id, CrawlRun.finished_at, CrawlRun.status, CrawlRun.items_new,
                     CrawlRun.error, position)
              .where(CrawlRun.source_id.in_(list(source_ids)), finished).subquery())
    runs: dict[str, list[RunRecord]] = {source_id: [] for source_id in source_ids}
    for row in connection.execute(select(recent).where(recent.c.n <= RECENT_RUNS)
                                  .order_by(recent.c.source_id, recent.c.n)):
        runs[row.source_id].append(RunRecord(utc(row.finished_at), row.status, row.items_new, row.error))
    rhythm_position = func.row_number().over(partition_by=CrawlRun.source_id,
                                             order_by=CrawlRun.id.desc()).label("n")
    rhythm = (select(CrawlRun.source_id, CrawlRun.finished_at, rhythm_position)
              .where(CrawlRun.source_id.in_(list(source_ids)), finished, CrawlRun.items_new > 0,
                     CrawlRun.finished_at >= now - RHYTHM_LOOKBACK).subquery())
    times: dict[str, list[datetime]] = {source_id: [] for source_id in source_ids}
    for row in connection.execute(select(rhythm).where(rhythm.c.n <= RHYTHM_RUNS)
                                  .order_by(rhythm.c.source_id, rhythm.c.n)):
        times[row.source_id].append(utc(row.finished_at))
    return {source_id: History(tuple(runs[source_id]), tuple(times[source_id])) for source_id in source_ids}


def known_states(connection: Connection, source_ids: Iterable[str] | None = None) -> dict[str, str]:
    query = select(SourceHealth.source_id, SourceHealth.alerted_state)
    if source_ids is not None:
        query = query.where(SourceHealth.source_id.in_(list(source_ids)))
    return {row.source_id: row.alerted_state for row in connection.execute(query)}


def apply_decision(connection: Connection, source_id: str, decision: Decision, now: datetime) -> int | None:
    """Store the new known state; returns the id of the alert row when this call won the change and it alerts."""
    if decision.previous is None:
        dialect_insert = _insert_ignore(connection)
        inserted = connection.execute(dialect_insert.values(
            source_id=source_id, alerted_state=decision.record, reason=decision.reason, changed_at=now)
            .on_conflict_do_nothing(index_elements=["source_id"]).returning(SourceHealth.source_id)).first()
        won = inserted is not None
    else:
        won = (connection.execute(update(SourceHealth).where(
            SourceHealth.source_id == source_id, SourceHealth.alerted_state == decision.previous).values(
            alerted_state=decision.record, reason=decision.reason, changed_at=now)).rowcount or 0) == 1
    if not won or not decision.alert:
        return None
    return connection.execute(insert(HealthAlert).values(
        source_id=source_id, from_state=decision.previous or "new", to_state=decision.record,
        reason=decision.reason, created_at=now, attempts=0).returning(HealthAlert.id)).scalar_one()


def _insert_ignore(connection: Connection):  # type: ignore[no-untyped-def]
    from sqlalchemy.dialects import postgresql, sqlite

    table = SourceHealth.__table__
    return postgresql.insert(table) if connection.dialect.name == "postgresql" else sqlite.insert(table)


def evaluate(engine: Engine, sources: Sequence[SourceDefinition], policy: HealthPolicy,
             now: datetime | None = None) -> list[int]:
    """Re-derive the health of `sources`; record changes; returns the ids of new alert rows."""
    now = now or datetime.now(UTC)
    alerts: list[int] = []
    with engine.begin() as connection:
        histories = load_histories(connection, [source.id for source in sources], now)
        known = known_states(connection, [source.id for source in sources])
        for source in sources:
            verdict = confirmed_state(histories[source.id], now, source.enabled, policy)
            decision = decide(known.get(source.id), verdict)
            if decision is None:
                continue
            alert_id = apply_decision(connection, source.id, decision, now)
            if alert_id is not None:
                alerts.append(alert_id)
    return alerts


def unsent_alerts(engine: Engine, limit: int = 50) -> list[AlertRow]:
    """Alerts not handed to the operator channel yet, oldest first."""
    with engine.connect() as connection:
        rows = connection.execute(select(HealthAlert.id, HealthAlert.source_id, HealthAlert.from_state,
                                         HealthAlert.to_state, HealthAlert.reason, HealthAlert.created_at)
                                  .where(HealthAlert.sent_at.is_(None)).order_by(HealthAlert.id).limit(limit)).all()
    return [AlertRow(row.id, row.source_id, row.from_state, row.to_state, row.reason, utc(row.created_at))
            for row in rows]


def take_alert(connection: Connection, alert_id: int, now: datetime, note: str | None = None) -> bool:
    """Mark an alert handed over, in the caller's transaction; False when another node took it first."""
    return (connection.execute(update(HealthAlert).where(
        HealthAlert.id == alert_id, HealthAlert.sent_at.is_(None)).values(
        sent_at=now, attempts=HealthAlert.attempts + 1, last_error=note)).rowcount or 0) == 1
