"""`monitor dispatch`, `monitor deliveries [--status]`, `monitor deliveries replay ID` and `monitor match`."""

from __future__ import annotations

from datetime import UTC, datetime
from pathlib import Path

import pytest
from click.testing import CliRunner
from sqlalchemy import Engine, update

from monitor.cli import main
from monitor.delivery.channel_config import load_channels
from monitor.store.database import open_store
from monitor.store.delivery_models import Delivery
from tests.delivery.conftest import SECRET, deliveries, enqueue, rule_set, store_match
from tests.delivery.receiver import Receiver, ok
from tests.rules.store_items import insert_items, item_row

ALERTS = Path(__file__).resolve().parents[2] / "alerts"


@pytest.fixture
def env(sqlite_url: str, tmp_path: Path, receiver: Receiver) -> dict[str, str]:
    folder = tmp_path / "alerts"
    folder.mkdir()
    (folder / "channels.toml").write_text(
        '[channels.generic]\nkind = "webhook"\nurl_env = "TEST_HOOK_URL"\nsecret_env = "TEST_HOOK_SECRET"\n'
        '[channels.team-slack]\nkind = "slack"\nurl_env = "TEST_SLACK_URL"\n')
    return {"MONITOR_DATABASE_URL": sqlite_url, "MONITOR_ALERTS_DIR": str(folder),
            "MONITOR_ALLOW_PRIVATE_NETWORKS": "1", "TEST_HOOK_URL": receiver.script("/hook", ok()),
            "TEST_HOOK_SECRET": SECRET}


def stored(env: dict[str, str]) -> Engine:
    engine = open_store(env["MONITOR_DATABASE_URL"])
    channels = load_channels(Path(env["MONITOR_ALERTS_DIR"]) / "channels.toml", env)
    enqueue(engine, [store_match(engine, "r"), store_match(engine, "r")], rule_set(("r", "R", ("generic",))),
            channels, now=datetime.now(UTC))
    return engine


def test_dispatch_lists_deliveries_and_replays_a_dead_one(env: dict[str, str], receiver: Receiver) -> None:
    engine = stored(env)
    runner = CliRunner()
    result = runner.invoke(main, ["dispatch"], env=env)
    assert result.exit_code == 0, result.output
    assert "generic" in result.output and "2 sent" in result.output
    assert "unavailable: TEST_SLACK_URL is not set" in result.output
    first = deliveries(engine)[0]
    with engine.begin() as connection:
        connection.execute(update(Delivery).where(Delivery.id == first.id)
                           .values(status="dead", last_error="HTTP 500 (boom)"))
    listed = runner.invoke(main, ["deliveries", "--status", "dead"], env=env)
    assert listed.exit_code == 0 and "HTTP 500 (boom)" in listed.output and "1 shown" in listed.output
    replayed = runner.invoke(main, ["deliveries", "replay", str(first.id)], env=env)
    assert replayed.exit_code == 0 and "pending again" in replayed.output
    assert runner.invoke(main, ["dispatch"], env=env).exit_code == 0
    ids = [request.header("webhook-id") for request in receiver.at("/hook")]
    assert len(ids) == 3 and ids.count(first.idempotency_key) == 2
    refused = runner.invoke(main, ["deliveries", "replay", str(first.id), "999"], env=env)
    assert refused.exit_code == 1 and "only dead or disabled" in refused.output and "no such" in refused.output


def test_bad_channels_file_is_a_clear_error(env: dict[str, str]) -> None:
    (Path(env["MONITOR_ALERTS_DIR"]) / "channels.toml").write_text('[channels.x]\nkind = "pager"\nurl_env = "U"\n')
    result = CliRunner().invoke(main, ["dispatch"], env=env)
    assert result.exit_code == 1 and "channel 'x', field 'kind'" in result.output


def test_match_command_queues_deliveries(sqlite_url: str, receiver: Receiver) -> None:
    engine = open_store(sqlite_url)
    insert_items(engine, [item_row(1, "SK hynix began mass production of 12-layer HBM3E for Nvidia.")])
    env = {"MONITOR_DATABASE_URL": sqlite_url, "MONITOR_ALERTS_DIR": str(ALERTS),
           "MONITOR_SLACK_WEBHOOK_URL": receiver.script("/slack", ok()), "MONITOR_ALLOW_PRIVATE_NETWORKS": "1"}
    result = CliRunner().invoke(main, ["match"], env=env)
    assert result.exit_code == 0, result.output
    assert "1 deliveries queued" in result.output
    rows = deliveries(engine)
    assert [(row.channel, row.rule_id, row.status) for row in rows] == [("team-slack", "memory-hbm", "pending")]
    assert CliRunner().invoke(main, ["dispatch"], env=env).exit_code == 0
    assert len(receiver.at("/slack")) == 1 and "Memory and HBM" in receiver.at("/slack")[0].body.decode()
