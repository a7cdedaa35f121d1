"""The dispatcher against a real HTTP receiver on 127.0.0.1 and a real store (SQLite and PostgreSQL)."""

from __future__ import annotations

import json
from datetime import timedelta

from sqlalchemy import Engine
from standardwebhooks import Webhook

from monitor.delivery.inspection import replay_deliveries
from tests.delivery.conftest import SECRET, T0, channel_set, deliveries, enqueue, later, rule_set, store_match, webhook
from tests.delivery.dispatch_helpers import attempts, channel_state, dispatch
from tests.delivery.receiver import Receiver, ok
from tests.fixture_server import Answer


def test_500_500_200_is_delivered_once_with_one_signed_id(engine: Engine, receiver: Receiver) -> None:
    url = receiver.script("/hook", Answer(status=500), Answer(status=500), ok())
    channels = channel_set(webhook("generic", "webhook", url, secret=SECRET, secret_env="S"))
    enqueue(engine, [store_match(engine, "memory")], rule_set(("memory", "Memory", ("generic",))), channels)
    first = dispatch(engine, channels, T0)
    assert first.channels["generic"].retrying == 1
    (row,) = deliveries(engine)
    assert row.status == "pending" and row.failures == 1
    assert dispatch(engine, channels, T0 + timedelta(seconds=10)).sent == 0  # not due yet: backoff
    assert len(receiver.at("/hook")) == 1
    dispatch(engine, channels, later(1))
    report = dispatch(engine, channels, later(10))
    assert report.sent == 1 and dispatch(engine, channels, later(60 * 24)).sent == 0
    received = receiver.at("/hook")
    assert len(received) == 3
    (row,) = deliveries(engine)
    assert row.status == "sent" and row.attempts == 3 and row.sent_at is not None
    assert {request.header("webhook-id") for request in received} == {row.idempotency_key}
    verifier = Webhook(SECRET)
    for request in received:
        body = verifier.verify(request.body, request.headers)
        assert body["type"] == "monitor.alert" and body["data"]["entries"][0]["why"][0]["term"] == "HBM"
    assert [attempt.http_status for attempt in attempts(engine)] == [500, 500, 200]


def test_slow_receiver_is_retried_with_the_same_key(sqlite_engine: Engine, receiver: Receiver) -> None:
    url = receiver.script("/slow", Answer(status=200, delay=1.5), ok())
    channels = channel_set(webhook("generic", "webhook", url, secret=SECRET, secret_env="S"))
    enqueue(sqlite_engine, [store_match(sqlite_engine, "r")], rule_set(("r", "R", ("generic",))), channels)
    first = dispatch(sqlite_engine, channels, T0, timeout=0.4)
    assert first.channels["generic"].retrying == 1 and "Timeout" in (first.channels["generic"].last_error or "")
    assert dispatch(sqlite_engine, channels, later(5), timeout=0.4).sent == 1
    ids = {request.header("webhook-id") for request in receiver.at("/slow")}
    assert len(receiver.at("/slow")) == 2 and len(ids) == 1


def test_slack_429_pauses_only_that_channel(engine: Engine, receiver: Receiver) -> None:
    slack_url = receiver.script("/slack", Answer(status=429, body="rate_limited", headers={"Retry-After": "120"}),
                                ok())
    discord_url = receiver.script("/discord", ok(204, ""))
    channels = channel_set(webhook("slack", "slack", slack_url), webhook("discord", "discord", discord_url))
    enqueue(engine, [store_match(engine, "r")], rule_set(("r", "R", ("slack", "discord"))), channels)
    report = dispatch(engine, channels, T0)
    assert report.channels["slack"].rate_limited == 1 and report.channels["discord"].sent == 1
    assert channel_state(engine, "slack").paused_until is not None
    paused = dispatch(engine, channels, T0 + timedelta(seconds=60))
    assert paused.channels["slack"].paused_until is not None and len(receiver.at("/slack")) == 1
    assert dispatch(engine, channels, T0 + timedelta(seconds=121)).channels["slack"].sent == 1
    assert len(receiver.at("/slack")) == 2 and len(receiver.at("/discord")) == 1
    assert {row.status for row in deliveries(engine)} == {"sent"}


def test_discord_429_retry_after_in_the_body(sqlite_engine: Engine, receiver: Receiver) -> None:
    body = json.dumps({"message": "You are being rate limited.", "retry_after": 2.5, "global": False})
    url = receiver.script("/discord", Answer(status=429, body=body, headers={"Content-Type": "application/json"}),
                          ok(204, ""))
    channels = channel_set(webhook("discord", "discord", url))
    enqueue(sqlite_engine, [store_match(sqlite_engine, "r")], rule_set(("r", "R", ("discord",))), channels)
    report = dispatch(sqlite_engine, channels, T0)
    assert report.channels["discord"].paused_until == T0 + timedelta(seconds=2.5)
    assert dispatch(sqlite_engine, channels, T0 + timedelta(seconds=2)).sent == 0
    assert dispatch(sqlite_engine, channels, T0 + timedelta(seconds=3)).sent == 1
    payload = receiver.at("/discord")[-1].json()
    assert payload["allowed_mentions"] == {"parse": []} and payload["embeds"][0]["url"].startswith("https://")


def test_410_disables_the_channel_tells_the_operator_and_replay_enables_it(engine: Engine,
                                                                          receiver: Receiver) -> None:
    teams_url = receiver.script("/teams", Answer(status=410, body="Gone"))
    ops_url = receiver.script("/ops", ok())
    channels = channel_set(webhook("kr-teams", "teams", teams_url), webhook("ops", "slack", ops_url),
                           operator="ops")
    rules = rule_set(("r", "R", ("kr-teams",)))
    enqueue(engine, [store_match(engine, "r"), store_match(engine, "r")], rules, channels)
    report = dispatch(engine, channels, T0)
    assert report.channels["kr-teams"].disabled >= 1
    assert channel_state(engine, "kr-teams").disabled_reason
    rows = {row.channel: row for row in deliveries(engine) if row.kind == "alert"}
    assert all(row.status == "disabled" for row in deliveries(engine) if row.channel == "kr-teams")
    notice = [row for row in deliveries(engine) if row.kind == "notice"]
    assert len(notice) == 1 and notice[0].channel == "ops"
    calls = len(receiver.at("/teams"))
    later_report = dispatch(engine, channels, later(1))
    assert later_report.channels["kr-teams"].disabled_reason and later_report.channels["ops"].sent == 1
    assert "kr-teams" in receiver.at("/ops")[0].body.decode() and len(receiver.at("/teams")) == calls
    receiver.script("/teams", ok(202, ""))
    result = replay_deliveries(engine, [rows["kr-teams"].id], now=later(2))
    assert result.replayed == [rows["kr-teams"].id] and result.channels_enabled == ["kr-teams"]
    assert dispatch(engine, channels, later(3)).channels["kr-teams"].sent == 1
    card = receiver.at("/teams")[-1].json()
    assert card["attachments"][0]["contentType"] == "application/vnd.microsoft.card.adaptive"
    replayed = next(row for row in deliveries(engine) if row.id == rows["kr-teams"].id)
    assert replayed.status == "sent" and replayed.idempotency_key == rows["kr-teams"].idempotency_key


def test_redirect_is_a_failure_and_is_not_followed(sqlite_engine: Engine, receiver: Receiver) -> None:
    url = receiver.script("/moved", Answer(status=302, headers={"Location": receiver.url("/elsewhere")}))
    receiver.script("/elsewhere", ok())
    channels = channel_set(webhook("generic", "webhook", url))
    enqueue(sqlite_engine, [store_match(sqlite_engine, "r")], rule_set(("r", "R", ("generic",))), channels)
    report = dispatch(sqlite_engine, channels, T0)
    assert report.channels["generic"].retrying == 1 and "redirects are not followed" in (
        report.channels["generic"].last_error or "")
    assert receiver.at("/elsewhere") == []


def test_dead_after_the_retry_window_then_replayed_with_the_same_key(sqlite_engine: Engine,
                                                                    receiver: Receiver) -> None:
    url = receiver.script("/down", Answer(status=503, body="down for maintenance"))
    channels = channel_set(webhook("generic", "webhook", url, secret=SECRET, secret_env="S"))
    enqueue(sqlite_engine, [store_match(sqlite_engine, "r")], rule_set(("r", "R", ("generic",))), channels)
    clock = T0
    for _ in range(60):
        row = deliveries(sqlite_engine)[0]
        if row.status != "pending":
            break
        clock = max(clock, row.next_attempt_at.replace(tzinfo=T0.tzinfo))
        dispatch(sqlite_engine, channels, clock)
    (row,) = deliveries(sqlite_engine)
    assert row.status == "dead" and "503" in row.last_error and "maintenance" in row.last_error
    assert clock - T0 >= timedelta(days=3) and 10 <= row.attempts <= 40
    receiver.script("/down", ok())
    replay_deliveries(sqlite_engine, [row.id], now=clock)
    assert dispatch(sqlite_engine, channels, clock).sent == 1
    assert {request.header("webhook-id") for request in receiver.at("/down")} == {row.idempotency_key}


def test_a_failing_channel_never_delays_another(sqlite_engine: Engine, receiver: Receiver) -> None:
    slow_url = receiver.script("/slow", Answer(status=200, delay=2.0))
    fast_url = receiver.script("/fast", ok())
    channels = channel_set(webhook("slow", "webhook", slow_url), webhook("fast", "mattermost", fast_url))
    rules = rule_set(("r", "R", ("slow", "fast")))
    enqueue(sqlite_engine, [store_match(sqlite_engine, "r") for _ in range(3)], rules, channels)
    receiver_started = receiver.at("/fast")
    report = dispatch(sqlite_engine, channels, T0, timeout=1.0)
    assert receiver_started == [] and report.channels["fast"].sent == 3
    fast = receiver.at("/fast")
    slow = receiver.at("/slow")
    assert max(request.at for request in fast) - min(request.at for request in slow) < 0.9
    assert report.channels["slow"].retrying >= 1
    statuses = {(row.channel, row.status) for row in deliveries(sqlite_engine)}
    assert ("fast", "sent") in statuses and ("fast", "pending") not in statuses
