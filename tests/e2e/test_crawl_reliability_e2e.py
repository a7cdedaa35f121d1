"""Ingestion faults end to end (reliability.md, "Ingestion" and "Politeness"): a clear health signal, nothing
lost, nothing deleted, other sources unaffected."""

from __future__ import annotations

import gzip
from pathlib import Path

from tests.e2e.harness import query, run_monitor, source_table, write_sources
from tests.e2e.test_crawl_feed_e2e import rss, story
from tests.fixture_server import Answer, FixtureServer

RSS = {"Content-Type": "application/rss+xml; charset=utf-8"}
CHALLENGE = ("<html><head><title>Just a moment...</title></head><body><div id='cf-browser-verification'>"
             "Checking your browser before accessing the site.</div></body></html>")
BILLION_LAUGHS = """<?xml version="1.0"?>
<!DOCTYPE lolz [<!ENTITY lol "lol"><!ENTITY lol2 "&lol;&lol;&lol;&lol;&lol;&lol;&lol;&lol;&lol;&lol;">
<!ENTITY lol3 "&lol2;&lol2;&lol2;&lol2;&lol2;&lol2;&lol2;&lol2;&lol2;&lol2;">
<!ENTITY lol4 "&lol3;&lol3;&lol3;&lol3;&lol3;&lol3;&lol3;&lol3;&lol3;&lol3;">
<!ENTITY lol5 "&lol4;&lol4;&lol4;&lol4;&lol4;&lol4;&lol4;&lol4;&lol4;&lol4;">
<!ENTITY lol6 "&lol5;&lol5;&lol5;&lol5;&lol5;&lol5;&lol5;&lol5;&lol5;&lol5;">
<!ENTITY lol7 "&lol6;&lol6;&lol6;&lol6;&lol6;&lol6;&lol6;&lol6;&lol6;&lol6;">
<!ENTITY lol8 "&lol7;&lol7;&lol7;&lol7;&lol7;&lol7;&lol7;&lol7;&lol7;&lol7;">
<!ENTITY lol9 "&lol8;&lol8;&lol8;&lol8;&lol8;&lol8;&lol8;&lol8;&lol8;&lol8;">]>
<rss version="2.0"><channel><title>&lol9;</title><item><title>&lol9;</title><link>https://x.example/1</link>
</item></channel></rss>"""


def crawl(database_url: str, sources: Path) -> str:
    result = run_monitor(["crawl", "--all", "--no-progress"], database_url, sources)
    return result.stdout


def state(database_url: str, source_id: str) -> str:
    return query(database_url, "select state from source_state where source_id = :s", s=source_id)[0][0]


def test_health_follows_challenge_outage_layout_change_and_recovery(
        fixture_server: FixtureServer, database_url: str, tmp_path: Path) -> None:
    fixture_server.add("/robots.txt", Answer(status=404))
    sources = write_sources(tmp_path / "sources.toml", source_table("press", "feed", [fixture_server.url("/f")]))
    steps = [
        (Answer(body=rss(story(1), story(2)), headers=RSS), "healthy"),
        (Answer(status=200, body=CHALLENGE, headers={"Content-Type": "text/html"}), "blocked"),
        (Answer(status=503, body="down for maintenance", headers={"Content-Type": "text/plain"}), "failing"),
        (Answer(body=rss(), headers=RSS), "failing"),  # a feed that lost all its entries: layout changed
        (Answer(body=rss(story(1), story(2), story(3)), headers=RSS), "healthy"),
    ]
    for answer, expected in steps:
        fixture_server.add("/f", answer)
        crawl(database_url, sources)
        assert state(database_url, "press") == expected
        assert query(database_url, "select count(*) from items")[0][0] >= 2  # nothing is ever deleted
    assert query(database_url, "select status from crawl_runs order by id") == [
        ("ok",), ("blocked",), ("failed",), ("failed",), ("ok",)]
    assert query(database_url, "select count(*) from items") == [(3,)]


def test_hostile_bodies_fail_their_source_only(fixture_server: FixtureServer, sqlite_url: str,
                                               tmp_path: Path) -> None:
    fixture_server.add("/robots.txt", Answer(status=404))
    fixture_server.add("/good", Answer(body=rss(story(1)), headers=RSS))
    fixture_server.add("/laughs", Answer(body=BILLION_LAUGHS, headers=RSS))
    bomb = gzip.compress(b"<rss>" + b" " * (40 * 1024 * 1024))
    fixture_server.add("/bomb", Answer(body=bomb, headers={**RSS, "Content-Encoding": "gzip"}))
    sources = write_sources(tmp_path / "sources.toml",
                            source_table("good", "feed", [fixture_server.url("/good")]),
                            source_table("laughs", "feed", [fixture_server.url("/laughs")]),
                            source_table("bomb", "feed", [fixture_server.url("/bomb")]))
    crawl(sqlite_url, sources)
    states = dict(query(sqlite_url, "select source_id, state from source_state"))
    assert states == {"good": "healthy", "laughs": "failing", "bomb": "failing"}
    assert query(sqlite_url, "select count(*) from items") == [(1,)]
    errors = dict(query(sqlite_url, "select source_id, error from crawl_runs"))
    assert "parse_error" in errors["laughs"]
    assert "lollol" not in errors["laughs"]


def test_control_characters_are_stripped_before_the_database(fixture_server: FixtureServer, database_url: str,
                                                             tmp_path: Path) -> None:
    fixture_server.add("/robots.txt", Answer(status=404))
    dirty = story(1, body="SK hynix\x07 ships HBM4&#0; samples\x1b[31m to Nvidia \ud800 this week, the company "
                          "said on Tuesday in Icheon, adding that volume production follows in the spring.")
    fixture_server.add("/f", Answer(body=rss(dirty).encode("utf-8", "surrogatepass"), headers=RSS))
    sources = write_sources(tmp_path / "sources.toml", source_table("press", "feed", [fixture_server.url("/f")]))
    crawl(database_url, sources)
    [(body,)] = query(database_url, "select body from items")
    assert "HBM4" in body and not any(ord(c) < 32 and c not in "\n\t" for c in body)
    assert "\x00" not in body and "\ud800" not in body


def test_byte_identical_body_without_validators_is_not_modified(fixture_server: FixtureServer, sqlite_url: str,
                                                               tmp_path: Path) -> None:
    fixture_server.add("/robots.txt", Answer(status=404))
    fixture_server.add("/f", Answer(body=rss(story(1)), headers=RSS))  # no ETag, no Last-Modified
    sources = write_sources(tmp_path / "sources.toml", source_table("press", "feed", [fixture_server.url("/f")]))
    crawl(sqlite_url, sources)
    crawl(sqlite_url, sources)
    assert query(sqlite_url, "select status, items_seen, responses_not_modified from crawl_runs order by id") == [
        ("ok", 1, 0), ("not_modified", 0, 1)]
    assert state(sqlite_url, "press") == "healthy"
