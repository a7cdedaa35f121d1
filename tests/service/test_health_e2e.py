"""Source health end to end: a fixture source that starts answering a bot-challenge page, then a feed with zero
items, then recovers, gives exactly one operator webhook per change of state — never one per run."""

from __future__ import annotations

import time
from pathlib import Path

import pytest

from tests.e2e.harness import query
from tests.e2e.test_crawl_feed_e2e import rss, story
from tests.e2e.test_crawl_reliability_e2e import CHALLENGE
from tests.fixture_server import Answer, FixtureServer
from tests.service.harness import RSS_HEADERS, ServiceProcess, WebhookReceiver, alerts_dir, feed_sources, wait_for

pytestmark = pytest.mark.slow


def test_one_operator_alert_per_change_of_state(fixture_server: FixtureServer, tmp_path: Path) -> None:
    fixture_server.add("/robots.txt", Answer(status=404))
    fixture_server.add("/f", Answer(body=rss(story(1)), headers=RSS_HEADERS))
    hook = WebhookReceiver()
    db = f"sqlite:///{tmp_path / 'monitor.db'}"
    env = {"MONITOR_DATABASE_URL": db, "MONITOR_ALERTS_DIR": str(alerts_dir(tmp_path)),
           "MONITOR_SOURCES": str(feed_sources(tmp_path / "sources.toml", {"press": fixture_server.url("/f")})),
           "TEST_HOOK_URL": hook.url("/hook"), "TEST_OPS_URL": hook.url("/ops"), "MONITOR_BACKOFF_CAP": "1"}
    node = ServiceProcess(tmp_path, env).start()

    def alerts() -> list[str]:
        return [entry.body["data"]["heading"] for entry in hook.to("/ops")]

    def runs() -> int:
        return int(query(db, "select count(*) from crawl_runs where status != 'running'")[0][0])

    try:
        wait_for(lambda: runs() >= 3, 20, "healthy runs")
        phases = [(Answer(body=CHALLENGE, headers={"Content-Type": "text/html"}), "press is blocked (was healthy)"),
                  (Answer(body=rss(), headers=RSS_HEADERS), "press is failing (was blocked)"),
                  (Answer(body=rss(story(1), story(2)), headers=RSS_HEADERS), "press recovered (was failing)")]
        for number, (answer, heading) in enumerate(phases, start=1):
            fixture_server.add("/f", answer)
            wait_for(lambda n=number: len(alerts()) >= n, 30, heading)
            assert heading in alerts()[-1]
            settled = runs()
            wait_for(lambda s=settled: runs() >= s + 3, 20, "more runs in the same state")
            assert len(alerts()) == number  # three more runs in the same state: no further alert
        assert node.stop() == 0
    finally:
        node.kill()
    assert query(db, "select from_state, to_state from health_alerts order by id") == [
        ("healthy", "blocked"), ("blocked", "failing"), ("failing", "healthy")]
    # a bad page keeps no validators, so each run re-reads it and says so again (one alert all the same)
    statuses = [row[0] for row in query(db, "select status from crawl_runs where status != 'not_modified' "
                                            "and status != 'running' order by id")]
    changes = [status for i, status in enumerate(statuses) if i == 0 or status != statuses[i - 1]]
    assert changes == ["ok", "blocked", "failed", "ok"]
    assert statuses.count("blocked") >= 3
    time.sleep(0.5)
    assert len(alerts()) == 3
