"""Long outages: stale instant alerts fold into one summary; an outage longer than that sends no flood."""

from __future__ import annotations

from datetime import timedelta

from sqlalchemy import Engine

from tests.delivery.conftest import T0, channel_set, deliveries, enqueue, later, rule_set, store_match, webhook
from tests.delivery.dispatch_helpers import dispatch
from tests.delivery.receiver import Receiver, ok
from tests.fixture_server import Answer


def test_stale_alerts_fold_into_one_summary(engine: Engine, receiver: Receiver) -> None:
    url = receiver.script("/slack", ok())
    channels = channel_set(webhook("team-slack", "slack", url))
    enqueue(engine, [store_match(engine, "r", title=f"Story {n}") for n in range(5)],
            rule_set(("r", "Rule R", ("team-slack",))), channels)
    report = dispatch(engine, channels, T0 + timedelta(hours=7))
    assert report.channels["team-slack"].folded == 5 and report.channels["team-slack"].sent == 1
    (request,) = receiver.at("/slack")
    text = request.body.decode()
    assert "5 delayed alerts" in text and all(f"Story {n}" in text for n in range(5))
    rows = deliveries(engine)
    summary = next(row for row in rows if row.kind == "summary")
    assert summary.status == "sent"
    assert all(row.status == "folded" and row.folded_into == summary.id for row in rows if row.kind == "alert")


def test_three_day_outage_with_hundreds_pending_sends_no_flood(sqlite_engine: Engine, receiver: Receiver) -> None:
    url = receiver.script("/hook", Answer(status=503))
    channels = channel_set(webhook("generic", "webhook", url))
    rules = rule_set(("r", "R", ("generic",)))
    enqueue(sqlite_engine, [store_match(sqlite_engine, "r", title=f"Story {n}") for n in range(300)], rules,
            channels)
    for hour in range(0, 72, 2):
        dispatch(sqlite_engine, channels, later(hour * 60))
    during = len(receiver.at("/hook"))
    assert during < 120  # the channel trips on its first failure per run: no 300 requests an hour
    receiver.script("/hook", ok())
    dispatch(sqlite_engine, channels, later(72 * 60 + 1))
    dispatch(sqlite_engine, channels, later(80 * 60))
    rows = deliveries(sqlite_engine)
    answered = len(receiver.at("/hook")) - during
    statuses = {row.status for row in rows if row.kind == "alert"}
    assert statuses <= {"folded", "sent", "dead"}
    assert all(row.status == "sent" for row in rows if row.kind == "summary")
    assert answered <= 5  # one summary (and what was sent before the fold), not 300 messages
    folded = sum(row.status == "folded" for row in rows)
    assert folded >= 290
