"""The generic feed family end to end: real HTTP on loopback → `monitor crawl` → SQLite and PostgreSQL."""

from __future__ import annotations

from pathlib import Path

from tests.e2e.harness import query, run_monitor, source_table, write_sources
from tests.fixture_server import Answer, FixtureServer

ITEM = """<item><title>{title}</title><link>{link}</link><guid isPermaLink="false">{guid}</guid>
<pubDate>Tue, 06 May 2025 23:45:19 +0000</pubDate><description>{description}</description></item>"""


def rss(*items: str) -> str:
    return ('<?xml version="1.0" encoding="UTF-8"?><rss version="2.0"><channel><title>Trade press</title>'
            "<link>https://press.example/</link><description>d</description>" + "".join(items)
            + "</channel></rss>")


def story(n: int, body: str | None = None, link: str | None = None) -> str:
    text = body or (f"Story {n}: SK hynix expands HBM capacity in Icheon as AI demand grows; analysts expect "
                    f"shipments of twelve-high stacks number {n} to double next year, with new lines at M15X.")
    return ITEM.format(title=f"Story {n} about memory", link=link or f"https://press.example/news/{n}?utm_source=rss",
                       guid=f"press-{n}", description=f"&lt;p&gt;{text}&lt;/p&gt;")


def serve_feed(server: FixtureServer, body: str, etag: str) -> None:
    server.add("/feed.xml", Answer(body=body, headers={"Content-Type": "application/rss+xml", "ETag": etag}))


def test_feed_crawl_stores_once_then_304_then_revision(fixture_server: FixtureServer, database_url: str,
                                                      tmp_path: Path) -> None:
    fixture_server.add("/robots.txt", Answer(status=404))
    serve_feed(fixture_server, rss(story(1), story(2), story(3)), '"v1"')
    sources = write_sources(tmp_path / "sources.toml",
                            source_table("press", "feed", [fixture_server.url("/feed.xml")]))

    first = run_monitor(["crawl", "--all", "--no-progress"], database_url, sources)
    assert first.returncode == 0, first.stderr
    assert query(database_url, "select count(*) from items") == [(3,)]
    assert "3 new item(s)" in first.stdout

    second = run_monitor(["crawl", "press", "--no-progress"], database_url, sources)
    assert second.returncode == 0, second.stderr
    assert "not_modified" in second.stdout
    assert fixture_server.requests_to("/feed.xml")[-1].headers.get("If-None-Match") == '"v1"'
    assert query(database_url, "select count(*) from items") == [(3,)]

    changed = story(2, body="Story 2 corrected: SK hynix now says HBM4 samples ship in March, not June, "
                           "according to a revised statement from the company in Icheon on Tuesday.")
    serve_feed(fixture_server, rss(story(1), changed, story(3), story(4)), '"v2"')
    third = run_monitor(["crawl", "press", "--no-progress"], database_url, sources)
    assert third.returncode == 0, third.stderr
    assert query(database_url, "select count(*) from items") == [(4,)]
    assert query(database_url, "select revision from items where guid_key is not null and title like 'Story 2%'") \
        == [(2,)]
    assert query(database_url, "select count(*) from item_revisions") == [(1,)]
    runs = query(database_url, "select status, items_new, items_updated from crawl_runs order by id")
    assert runs == [("ok", 3, 0), ("not_modified", 0, 0), ("ok", 1, 1)]


def test_unreachable_source_is_reported_and_others_go_on(fixture_server: FixtureServer, sqlite_url: str,
                                                         tmp_path: Path) -> None:
    fixture_server.add("/robots.txt", Answer(status=404))
    serve_feed(fixture_server, rss(story(1)), '"a"')
    sources = write_sources(tmp_path / "sources.toml",
                            source_table("good", "feed", [fixture_server.url("/feed.xml")]),
                            source_table("gone", "feed", ["http://no-such-host.invalid/feed.xml"]))
    result = run_monitor(["crawl", "--all", "--no-progress"], sqlite_url, sources)
    assert result.returncode == 1
    assert "unreachable" in result.stdout
    assert query(sqlite_url, "select source_id, state from source_state order by source_id") == [
        ("gone", "failing"), ("good", "healthy")]


def test_scrapy_crawl_one_source_the_scrapy_way(fixture_server: FixtureServer, sqlite_url: str,
                                                tmp_path: Path) -> None:
    """`scrapy list` and `scrapy crawl <family> -a source=<id>` from the repository root store like `monitor crawl`."""
    import os
    import subprocess
    import sys

    from monitor.config import PROJECT_ROOT

    fixture_server.add("/robots.txt", Answer(status=404))
    serve_feed(fixture_server, rss(story(1), story(2)), '"s"')
    sources = write_sources(tmp_path / "sources.toml",
                            source_table("press", "feed", [fixture_server.url("/feed.xml")]))
    env = {**os.environ, "MONITOR_DATABASE_URL": sqlite_url, "MONITOR_SOURCES": str(sources),
           "MONITOR_ALLOW_PRIVATE_NETWORKS": "1", "MONITOR_PER_HOST_DELAY": "0"}
    scrapy = [sys.executable, "-m", "scrapy"]
    listed = subprocess.run([*scrapy, "list"], cwd=PROJECT_ROOT, env=env, capture_output=True, text=True)
    assert listed.stdout.split() == ["feed", "korean_gov", "rijksoverheid"]
    crawled = subprocess.run([*scrapy, "crawl", "feed", "-a", "source=press"], cwd=PROJECT_ROOT, env=env,
                             capture_output=True, text=True, timeout=120)
    assert crawled.returncode == 0, crawled.stderr[-2000:]
    assert query(sqlite_url, "select count(*) from items") == [(2,)]
    assert query(sqlite_url, "select source_id, status, items_new from crawl_runs") == [("press", "ok", 2)]
