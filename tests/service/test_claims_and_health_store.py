"""Claims and the health store on SQLite and PostgreSQL: one winner per period, one alert per change of state,
no second alert after a restart or from a second node, each alert handed to the ops outbox once."""

from __future__ import annotations

import asyncio
from collections.abc import Iterator
from concurrent.futures import ThreadPoolExecutor
from datetime import UTC, datetime, timedelta

import pytest
from sqlalchemy import Engine, func, insert, select

from monitor.delivery.channel_config import ChannelSet, WebhookChannelConfig
from monitor.delivery.operator import enqueue_operator_message
from monitor.service import health_store
from monitor.service.claims import claim, last_claimed_slot, prune_claims
from monitor.service.health import HealthPolicy
from monitor.service.metrics import ServiceMetrics
from monitor.service.operator_alerts import OperatorAlerts
from monitor.sources import Schedule, SourceDefinition
from monitor.store.database import create_store_engine, open_store
from monitor.store.delivery_models import Delivery
from monitor.store.models import CrawlRun
from monitor.store.service_models import HealthAlert, JobClaim, SourceHealth

SLOT = datetime(2026, 3, 29, 6, 0, 17, tzinfo=UTC)
POLICY = HealthPolicy(confirm_runs=2)
SOURCE = SourceDefinition("press", "feed", "Press", ("https://press.example/f",), "en", Schedule(interval_seconds=60))


@pytest.fixture
def engine(database_url: str) -> Iterator[Engine]:
    store = open_store(database_url)
    yield store
    store.dispose()


def test_one_winner_per_job_and_slot(engine: Engine) -> None:
    assert claim(engine, "crawl:press", SLOT, "a")
    assert not claim(engine, "crawl:press", SLOT, "b")
    assert not claim(engine, "crawl:press", SLOT.astimezone(), "b")  # the same instant in another zone
    assert claim(engine, "crawl:press", SLOT + timedelta(minutes=1), "b")
    assert claim(engine, "crawl:other", SLOT, "b")
    assert last_claimed_slot(engine, "crawl:press") == SLOT + timedelta(minutes=1)


def test_racing_nodes_claim_each_slot_once(engine: Engine) -> None:
    slots = [SLOT + timedelta(seconds=n) for n in range(20)]

    def node(name: str) -> list[bool]:
        return [claim(engine, "crawl:press", slot, name) for slot in slots]

    with ThreadPoolExecutor(4) as pool:
        results = list(pool.map(node, ["a", "b", "c", "d"]))
    assert [sum(column) for column in zip(*results, strict=True)] == [1] * len(slots)
    with engine.connect() as connection:
        assert connection.scalar(select(func.count()).select_from(JobClaim)) == len(slots)


def test_old_claims_are_pruned(engine: Engine) -> None:
    claim(engine, "crawl:press", SLOT, "a", now=SLOT)
    claim(engine, "crawl:press", SLOT + timedelta(days=20), "a", now=SLOT + timedelta(days=20))
    assert prune_claims(engine, now=SLOT + timedelta(days=21)) == 1


def add_runs(engine: Engine, at: datetime, *statuses: str) -> datetime:
    with engine.begin() as connection:
        for status in statuses:
            at += timedelta(minutes=1)
            connection.execute(insert(CrawlRun).values(
                source_id="press", started_at=at, finished_at=at, status=status, items_new=1 if status == "ok" else 0,
                error=None if status == "ok" else f"{status} run"))
    return at


def alert_rows(engine: Engine) -> list[tuple[str, str]]:
    with engine.connect() as connection:
        return [(row.from_state, row.to_state) for row in connection.execute(
            select(HealthAlert.from_state, HealthAlert.to_state).order_by(HealthAlert.id))]


def test_one_alert_per_change_and_none_after_a_restart(engine: Engine, database_url: str) -> None:
    at = datetime.now(UTC) - timedelta(hours=1)
    for statuses in (("ok", "ok"), ("blocked",), ("blocked", "blocked"), ("failed", "failed", "failed"),
                     ("ok",), ("ok", "ok")):
        at = add_runs(engine, at, *statuses)
        health_store.evaluate(engine, [SOURCE], POLICY)
        health_store.evaluate(engine, [SOURCE], POLICY)  # evaluating twice changes nothing
    assert alert_rows(engine) == [("healthy", "blocked"), ("blocked", "failing"), ("failing", "healthy")]
    restarted = create_store_engine(database_url)
    try:
        assert health_store.evaluate(restarted, [SOURCE], POLICY) == []
    finally:
        restarted.dispose()
    with engine.connect() as connection:
        assert connection.scalar(select(SourceHealth.alerted_state)) == "healthy"


def test_two_nodes_evaluating_at_once_alert_once(engine: Engine) -> None:
    add_runs(engine, datetime.now(UTC) - timedelta(hours=1), "ok", "failed", "failed")
    with ThreadPoolExecutor(4) as pool:
        list(pool.map(lambda _: health_store.evaluate(engine, [SOURCE], POLICY), range(8)))
    assert alert_rows(engine) == [("new", "failing")]


def test_alerts_are_handed_to_the_ops_outbox_once(engine: Engine) -> None:
    channels = ChannelSet({"ops": WebhookChannelConfig("ops", "webhook", "OPS_URL", "https://ops.example/hook",
                                                       operator=True)}, operator="ops")
    add_runs(engine, datetime.now(UTC) - timedelta(hours=1), "ok", "blocked", "blocked")
    health_store.evaluate(engine, [SOURCE], POLICY)

    def hand_over(connection, heading, text, key_parts):  # type: ignore[no-untyped-def]
        return enqueue_operator_message(connection, channels, heading, text, key_parts=key_parts)

    alerts = OperatorAlerts(engine, hand_over, ServiceMetrics())
    assert asyncio.run(alerts.send_pending()) == 1
    assert asyncio.run(alerts.send_pending()) == 0
    with engine.connect() as connection:
        notices = connection.execute(select(Delivery.channel, Delivery.kind, Delivery.payload)).all()
        assert connection.scalar(select(HealthAlert.sent_at)) is not None
    assert [(channel, kind) for channel, kind, _ in notices] == [("ops", "notice")]
    assert "press is blocked" in notices[0].payload


def test_without_an_ops_channel_alerts_are_logged_and_closed(engine: Engine, caplog: pytest.LogCaptureFixture) -> None:
    add_runs(engine, datetime.now(UTC) - timedelta(hours=1), "failed", "failed")
    health_store.evaluate(engine, [SOURCE], POLICY)
    assert asyncio.run(OperatorAlerts(engine, None, ServiceMetrics()).send_pending()) == 0
    with engine.connect() as connection:
        assert connection.scalar(select(HealthAlert.last_error)) == "no usable operator channel: logged only"
    assert any("source.health.changed" in record.getMessage() for record in caplog.records)
