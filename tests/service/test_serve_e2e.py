"""`monitor serve` end to end in a subprocess: one-second schedules against the fixture server, SQLite, the
shipped rules and a local webhook receiver. Crawl rounds land, /healthz and /metrics answer, matches are made,
each alert arrives once; SIGTERM exits 0; after a restart nothing is stored, matched or delivered twice.
A configuration error refuses the start, naming file and field."""

from __future__ import annotations

import subprocess
import sys
import time
from pathlib import Path

import pytest

from tests.e2e.harness import query
from tests.e2e.test_crawl_feed_e2e import rss, story
from tests.fixture_server import Answer, FixtureServer
from tests.service.harness import (
    RSS_HEADERS,
    ServiceProcess,
    WebhookReceiver,
    alerts_dir,
    feed_sources,
    wait_for,
)

pytestmark = pytest.mark.slow
NEW_STORY = ("Samsung Electronics confirmed that its HBM4 memory passed qualification for a new AI accelerator, "
             "with volume shipments from the Pyeongtaek lines planned before the end of the quarter.")


def count(database_url: str, sql: str) -> int:
    return int(query(database_url, sql)[0][0])


def snapshot(database_url: str, hook: WebhookReceiver) -> dict[str, int]:
    return {"items": count(database_url, "select count(*) from items"),
            "matches": count(database_url, "select count(*) from matches"),
            "deliveries": count(database_url, "select count(*) from deliveries"),
            "received": len(hook.to("/hook"))}


def webhook_ids(hook: WebhookReceiver) -> list[str]:
    return [entry.headers.get("Idempotency-Key") or "" for entry in hook.to("/hook")]


def test_serve_crawls_matches_delivers_once_and_restarts_without_duplicates(
        fixture_server: FixtureServer, tmp_path: Path) -> None:
    fixture_server.add("/robots.txt", Answer(status=404))
    fixture_server.add("/f", Answer(body=rss(story(1), story(2)), headers=RSS_HEADERS))
    hook = WebhookReceiver()
    db = f"sqlite:///{tmp_path / 'monitor.db'}"
    env = {"MONITOR_DATABASE_URL": db, "MONITOR_SOURCES": str(feed_sources(tmp_path / "sources.toml",
                                                                          {"press": fixture_server.url("/f")})),
           "MONITOR_ALERTS_DIR": str(alerts_dir(tmp_path)), "TEST_HOOK_URL": hook.url("/hook"),
           "TEST_OPS_URL": hook.url("/ops")}
    node = ServiceProcess(tmp_path, env, "first").start()
    try:
        wait_for(lambda: count(db, "select count(*) from crawl_runs where status != 'running'") >= 3, 30,
                 "three crawl rounds")
        assert count(db, "select count(*) from matches") >= 2
        instant = count(db, "select count(*) from deliveries where channel = 'team-slack'")
        assert instant >= 2
        wait_for(lambda: len(hook.to("/hook")) >= instant, 20, "the webhooks")
        status, document = node.healthz() or (0, {})
        assert status == 200 and document["status"] == "ok"
        assert document["sources"]["press"]["state"] == "healthy" and document["pending_deliveries"] == 0
        code, metrics = node.get("/metrics")
        assert code == 200 and b'monitor_crawl_runs_total{source="press",status="ok"} 1.0' in metrics
        fixture_server.add("/f", Answer(body=rss(story(1), story(2), story(3, NEW_STORY)), headers=RSS_HEADERS))
        wait_for(lambda: count(db, "select count(*) from items") == 3, 20, "the new item")
        wait_for(lambda: len(hook.to("/hook")) > instant, 20, "the new item's webhook")
        assert node.stop() == 0, node.log()[-3000:]
    finally:
        node.kill()
    before = snapshot(db, hook)
    assert before["received"] == before["deliveries"]
    runs_before = count(db, "select count(*) from crawl_runs")

    restarted = ServiceProcess(tmp_path, env, "second").start()
    try:
        wait_for(lambda: count(db, "select count(*) from crawl_runs") >= runs_before + 3, 30, "crawls after restart")
        assert restarted.stop() == 0, restarted.log()[-3000:]
    finally:
        restarted.kill()
    assert snapshot(db, hook) == before
    keys = webhook_ids(hook)
    assert all(keys) and len(set(keys)) == len(keys)  # every alert arrived once
    assert count(db, "select count(*) from crawl_runs where status = 'running'") == 0
    log = node.log() + restarted.log()
    assert "database is locked" not in log and "Traceback" not in log
    assert "event=service.stopped drained=True" in log


def test_a_configuration_error_refuses_the_start_naming_file_and_field(tmp_path: Path) -> None:
    sources = tmp_path / "sources.toml"
    sources.write_text('[[sources]]\nid = "press"\nfamily = "feed"\nurls = ["https://x.example/f"]\n'
                       'schedule = "cron: 30 2 * * *"\n', encoding="utf-8")
    alerts = alerts_dir(tmp_path)
    (alerts / "channels.toml").write_text('[channels.x]\nkind = "pigeon"\n', encoding="utf-8")
    env = {"MONITOR_SOURCES": str(sources), "MONITOR_ALERTS_DIR": str(alerts),
           "MONITOR_CRAWL_TIMEZONE": "Europe/Amsterdam", "MONITOR_DATABASE_URL": f"sqlite:///{tmp_path}/m.db"}
    result = subprocess.run([sys.executable, "-m", "monitor", "serve"], env={**ServiceProcess(tmp_path, env).env},
                            capture_output=True, text=True, timeout=60)
    assert result.returncode == 2
    assert f"{sources}: source 'press': field 'schedule'" in result.stderr
    assert "channels.toml: channel 'x'" in result.stderr
    assert not (tmp_path / "m.db").exists()  # refused before anything was opened or started
    env["MONITOR_HTTP_PORT"] = "http"
    result = subprocess.run([sys.executable, "-m", "monitor", "serve", "--check"],
                            env={**ServiceProcess(tmp_path, {}).env, **env}, capture_output=True, text=True,
                            timeout=60)
    assert result.returncode == 2 and "MONITOR_HTTP_PORT" in result.stderr


def test_sigterm_lets_a_running_crawl_finish_and_overrunning_ticks_are_skipped(
        fixture_server: FixtureServer, tmp_path: Path) -> None:
    """A feed that takes 2.5 s on a 1-second schedule: the ticks that come meanwhile are skipped and logged;
    SIGTERM in the middle of a crawl waits for it, records it, and exits 0. A `subprocess = true` source runs
    as its own `monitor crawl` process."""
    fixture_server.add("/robots.txt", Answer(status=404))
    fixture_server.add("/slow", Answer(body=rss(story(1)), headers=RSS_HEADERS, delay=2.5))
    fixture_server.add("/isolated", Answer(body=rss(story(7, NEW_STORY)), headers=RSS_HEADERS))
    sources = feed_sources(tmp_path / "sources.toml", {"slow": fixture_server.url("/slow")})
    sources.write_text(sources.read_text() + '[[sources]]\nid = "isolated"\nfamily = "feed"\n'
                       f'urls = ["{fixture_server.url("/isolated")}"]\nschedule = "2s"\nsubprocess = true\n')
    db = f"sqlite:///{tmp_path / 'monitor.db'}"
    env = {"MONITOR_DATABASE_URL": db, "MONITOR_SOURCES": str(sources), "MONITOR_ALERTS_DIR": str(alerts_dir(tmp_path)),
           "MONITOR_DOWNLOAD_TIMEOUT": "10"}
    node = ServiceProcess(tmp_path, env).start()
    try:
        wait_for(lambda: count(db, "select count(*) from crawl_runs where source_id = 'isolated'") >= 1, 30,
                 "the subprocess crawl")
        wait_for(lambda: len(fixture_server.requests_to("/slow")) >= 2, 20, "a second slow crawl")
        time.sleep(0.5)  # inside the second slow crawl
        assert node.stop() == 0
    finally:
        node.kill()
    log = node.log()
    assert "event=crawl.skipped" in log and "reason=still_running" in log
    assert "event=crawl.subprocess.start source=isolated" in log
    assert count(db, "select count(*) from crawl_runs where status = 'running'") == 0
    assert count(db, "select count(*) from crawl_runs where source_id = 'slow'") == len(
        fixture_server.requests_to("/slow"))
    assert query(db, "select status from crawl_runs where source_id = 'isolated' order by id limit 1") == [("ok",)]
    assert count(db, "select count(*) from items where source_id = 'isolated'") == 1
    status = subprocess.run([sys.executable, "-m", "monitor", "status"], env=node.env, capture_output=True,
                            text=True, timeout=60)
    assert status.returncode == 0, status.stderr
    assert "slow" in status.stdout and "crawl:isolated" in status.stdout and "Next scheduled jobs" in status.stdout
