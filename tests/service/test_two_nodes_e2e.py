"""Two `monitor serve` processes on one PostgreSQL, the same sources on one-second schedules: every crawl tick
is claimed by one node and crawled once, every match and every webhook happens once."""

from __future__ import annotations

import time
from pathlib import Path

import pytest

from tests.e2e.harness import query
from tests.e2e.test_crawl_feed_e2e import rss, story
from tests.fixture_server import Answer, FixtureServer
from tests.service.harness import RSS_HEADERS, ServiceProcess, WebhookReceiver, alerts_dir, feed_sources

pytestmark = [pytest.mark.slow, pytest.mark.postgres]
SOURCES = ("alpha", "beta")


def test_two_nodes_run_each_tick_and_each_delivery_once(fixture_server: FixtureServer, postgres_url: str,
                                                        tmp_path: Path) -> None:
    fixture_server.add("/robots.txt", Answer(status=404))
    for n, source_id in enumerate(SOURCES):
        fixture_server.add(f"/{source_id}", Answer(body=rss(story(10 * n + 1)), headers=RSS_HEADERS))
    hook = WebhookReceiver()
    feeds = {source_id: fixture_server.url(f"/{source_id}") for source_id in SOURCES}
    env = {"MONITOR_DATABASE_URL": postgres_url, "MONITOR_ALERTS_DIR": str(alerts_dir(tmp_path)),
           "MONITOR_SOURCES": str(feed_sources(tmp_path / "sources.toml", feeds)),
           "TEST_HOOK_URL": hook.url("/hook"), "TEST_OPS_URL": hook.url("/ops")}
    nodes = [ServiceProcess(tmp_path, env, "node-a"), ServiceProcess(tmp_path, env, "node-b")]
    try:
        for node in nodes:
            node.start()
        started = time.monotonic()
        time.sleep(3)
        for n, source_id in enumerate(SOURCES):  # a second item per source while both nodes run
            fixture_server.add(f"/{source_id}", Answer(body=rss(story(10 * n + 1), story(10 * n + 5, body=(
                f"Story {n}: ASML ships another EUV lithography system to a Korean memory maker as export control "
                f"talks continue between The Hague and Seoul, number {n}."))), headers=RSS_HEADERS))
        time.sleep(max(0.0, 8 - (time.monotonic() - started)))
        assert [node.stop() for node in nodes] == [0, 0], nodes[0].log()[-2000:] + nodes[1].log()[-2000:]
    finally:
        for node in nodes:
            node.kill()

    claims = query(postgres_url, "select job_id, slot_start, node from job_claims where job_id like 'crawl:%'")
    assert len({(job, slot) for job, slot, _ in claims}) == len(claims)
    assert {node for _, _, node in claims} == {"node-a", "node-b"}  # both nodes took part
    for source_id in SOURCES:
        ticks = [row for row in claims if row[0] == f"crawl:{source_id}"]
        runs = query(postgres_url, "select count(*) from crawl_runs where source_id = :s", s=source_id)[0][0]
        assert len(ticks) >= 6
        assert runs == len(ticks)  # every claimed tick crawled, and nothing crawled without a claim
        assert len(fixture_server.requests_to(f"/{source_id}")) == runs
    assert query(postgres_url, "select count(*) from items") == [(4,)]
    assert query(postgres_url, "select count(*) from matches") == query(
        postgres_url, "select count(distinct (item_id, rule_id)) from matches")
    deliveries = query(postgres_url, "select count(*) from deliveries where status = 'sent'")[0][0]
    keys = [entry.headers.get("Idempotency-Key") for entry in hook.to("/hook")]
    assert deliveries >= 2 and len(keys) == deliveries and len(set(keys)) == len(keys)
    log = nodes[0].log() + nodes[1].log()
    assert "Traceback" not in log
