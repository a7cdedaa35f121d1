"""The outbox on SQLite and PostgreSQL: delivery rows commit with the matches, once per (rule, story, channel)."""

from __future__ import annotations

import json

from sqlalchemy import Engine, func, inspect, select

from monitor.delivery.enqueue import delivery_key, make_enqueue_hook
from monitor.rules.stage import run_match_stage
from monitor.store.delivery_models import Delivery, DeliveryAlsoReported
from tests.delivery.conftest import (
    channel_set,
    deliveries,
    enqueue,
    rule_set,
    store_match,
    webhook,
)
from tests.rules.store_items import NOW, insert_items, insert_story, item_row

RULES = rule_set(("memory", "Memory and HBM", ("team-slack", "generic")))
CHANNELS = channel_set(webhook("team-slack", "slack", "https://hooks.example/1"),
                       webhook("generic", "webhook", "https://hooks.example/2"))


def test_migration_creates_outbox_tables(engine: Engine) -> None:
    tables = set(inspect(engine).get_table_names())
    assert {"deliveries", "delivery_attempts", "delivery_also_reported", "channel_state"} <= tables
    uniques = inspect(engine).get_unique_constraints("deliveries")
    assert any(unique["column_names"] == ["idempotency_key"] for unique in uniques)


def test_one_delivery_per_channel_with_a_stable_key(engine: Engine) -> None:
    match = store_match(engine, "memory")
    result = enqueue(engine, [match], RULES, CHANNELS)
    rows = deliveries(engine)
    assert result.queued == 2 and {row.channel for row in rows} == {"team-slack", "generic"}
    for row in rows:
        assert row.status == "pending" and row.attempts == 0
        assert row.idempotency_key == delivery_key(row.channel, "memory", match.story_id, match.item_id)
        payload = json.loads(row.payload)
        assert payload["heading"] == "Memory and HBM"
        assert payload["entries"][0]["why"][0]["term"] == "HBM"
    again = enqueue(engine, [match], RULES, CHANNELS)
    assert again.queued == 0 and len(deliveries(engine)) == 2


def test_later_copy_of_the_story_is_also_reported(engine: Engine) -> None:
    first = store_match(engine, "memory", source="thelec")
    enqueue(engine, [first], RULES, CHANNELS)
    copy = store_match(engine, "memory", source="yonhap", story_id=first.story_id)
    result = enqueue(engine, [copy], RULES, CHANNELS)
    assert result.queued == 0 and result.also_reported == 2
    assert len(deliveries(engine)) == 2
    with engine.connect() as connection:
        sources = connection.execute(select(DeliveryAlsoReported.source_id)).scalars().all()
    assert sources == ["yonhap", "yonhap"]


def test_same_story_twice_in_one_batch(engine: Engine) -> None:
    first = store_match(engine, "memory", source="thelec")
    copy = store_match(engine, "memory", source="koreaherald", story_id=first.story_id)
    result = enqueue(engine, [first, copy], RULES, CHANNELS)
    assert result.queued == 2 and result.also_reported == 2


def test_backfill_never_alerts_and_unavailable_channels_are_recorded(engine: Engine) -> None:
    rules = rule_set(("memory", "Memory", ("team-slack", "kr-teams", "nowhere")))
    channels = channel_set(webhook("team-slack", "slack", "https://hooks.example/1"),
                           unavailable={"kr-teams": "MONITOR_TEAMS_WEBHOOK_URL is not set"})
    assert enqueue(engine, [store_match(engine, "memory", backfill=True)], rules, channels).queued == 0
    assert deliveries(engine) == []
    result = enqueue(engine, [store_match(engine, "memory")], rules, channels)
    rows = {row.channel: row for row in deliveries(engine)}
    assert (result.queued, result.disabled) == (1, 2)
    assert rows["kr-teams"].status == "disabled" and "MONITOR_TEAMS_WEBHOOK_URL" in rows["kr-teams"].last_error
    assert rows["nowhere"].status == "disabled" and "no channel named" in rows["nowhere"].last_error


def test_match_stage_hook_commits_deliveries_with_the_matches(engine: Engine) -> None:
    rules = rule_set(("hbm-rule", "HBM", ("team-slack",)))
    story = insert_story(engine)
    insert_items(engine, [
        item_row(1, "SK hynix began mass production of HBM.", story_id=story),
        item_row(2, "Samsung also makes HBM, a report says.", story_id=story, source_id="other"),
        item_row(3, "Rain in the afternoon."),
    ])
    hook = make_enqueue_hook(rules, CHANNELS, clock=lambda: NOW)
    result = run_match_stage(engine, rules, on_new_matches=hook, now=NOW)
    assert result.matches_new == 2
    assert hook.totals.queued == 1 and hook.totals.also_reported == 1  # type: ignore[attr-defined]
    with engine.connect() as connection:
        assert connection.execute(select(func.count()).select_from(Delivery)).scalar_one() == 1
    run_match_stage(engine, rules, on_new_matches=hook, now=NOW)
    assert hook.totals.queued == 1  # type: ignore[attr-defined]


def test_email_channels_take_digests_not_instant_alerts(engine: Engine) -> None:
    from monitor.delivery.channel_config import ChannelSet, EmailChannelConfig

    mail = EmailChannelConfig("mail", "localhost", 25, "none", "monitor@localhost")
    channels = ChannelSet({"mail": mail})
    result = enqueue(engine, [store_match(engine, "memory")], rule_set(("memory", "M", ("mail",))), channels)
    (row,) = deliveries(engine)
    assert result.disabled == 1 and row.status == "disabled" and "digests" in row.last_error


def test_hourly_cap_when_the_rule_has_one(engine: Engine) -> None:
    from dataclasses import replace
    from types import SimpleNamespace

    from monitor.rules import RuleSet

    (rule,) = rule_set(("memory", "M", ("team-slack",))).rules
    capped = RuleSet((replace(rule, deliver=SimpleNamespace(instant=("team-slack",), max_instant_per_hour=2)),))
    result = enqueue(engine, [store_match(engine, "memory") for _ in range(3)], capped, CHANNELS)
    assert (result.queued, result.capped) == (2, 1)
    assert sorted(row.status for row in deliveries(engine)) == ["capped", "pending", "pending"]
