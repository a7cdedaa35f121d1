"""Real crawls against the fixture server on 127.0.0.1: every spelling of a local address is refused,
redirects included, unless private networks (or that exact address) are allowed."""

from __future__ import annotations

import pytest

from tests.crawl.crawl_harness import run_crawl
from tests.fixture_server import Answer, FixtureServer

pytestmark = pytest.mark.slow

GUARDED = {"MONITOR_ALLOW_PRIVATE_NETWORKS": False}


LOCAL_HOSTS = ["127.0.0.1", "127.1", "2130706433", "0x7f000001", "0177.0.0.1", "[::1]", "[::ffff:127.0.0.1]",
               "localhost", "0.0.0.0"]


def local_spellings(port: int) -> list[str]:
    return [f"http://{host}:{port}/secret" for host in LOCAL_HOSTS]


def test_every_spelling_of_loopback_is_refused_before_connecting(fixture_server: FixtureServer) -> None:
    fixture_server.add("/secret", Answer(200, "secret"))
    cloud_metadata = "http://169.254.169.254/latest/meta-data/"
    other_schemes = ["file:///etc/passwd", f"ftp://127.0.0.1:{fixture_server.port}/secret"]
    urls = [*local_spellings(fixture_server.port), cloud_metadata, "http://10.0.0.1/", *other_schemes]

    result = run_crawl([*urls, "http://no-such-host.invalid/"], settings=GUARDED)

    for url in urls:
        outcome = result.outcome(url)
        assert outcome["failure"] == "ForbiddenDestination", outcome
        assert "forbidden destination" in outcome["message"]
    assert result.outcome("http://no-such-host.invalid/")["failure"] == "CannotResolveHostError"
    assert result.stats["monitor/forbidden_destination"] == len(urls)
    assert "retry/count" not in result.stats
    assert fixture_server.requests == []


def test_the_resolver_alone_blocks_every_spelling(fixture_server: FixtureServer) -> None:
    """Without the middleware, the guarded resolver still never lets a connection reach loopback."""
    fixture_server.add("/secret", Answer(200, "secret"))
    urls = local_spellings(fixture_server.port)

    result = run_crawl(urls, settings=GUARDED, guard_middleware=False)

    for url in urls:
        assert result.outcome(url)["failure"] == "CannotResolveHostError", result.outcome(url)
    # Scrapy's default resolver (IPv4 only) cannot resolve ::1 at all; every other spelling was dropped.
    for host in LOCAL_HOSTS:
        if host != "[::1]":
            assert f"for host '{host.strip('[]')}': loopback, private" in result.log
    assert fixture_server.requests == []


def test_redirects_to_local_addresses_are_refused(fixture_server: FixtureServer) -> None:
    """127.0.0.1 is allowed by address (MONITOR_ALLOWED_ADDRESSES) and stands for a public site; its redirects
    to other loopback spellings are refused."""
    port = fixture_server.port
    targets = {"/to-localhost": f"http://localhost:{port}/secret", "/to-127-2": f"http://127.0.0.2:{port}/secret",
               "/to-decimal": f"http://2130706434:{port}/secret", "/to-mapped": f"http://[::ffff:7f00:2]:{port}/s",
               "/to-metadata": "http://169.254.169.254/latest/meta-data/"}
    for path, location in targets.items():
        fixture_server.add(path, Answer(302, headers={"Location": location}))
    fixture_server.add("/to-file", Answer(302, headers={"Location": "file:///etc/passwd"}))
    fixture_server.add("/ok", Answer(200, "fine"))
    urls = [fixture_server.url(path) for path in [*targets, "/to-file", "/ok"]]

    result = run_crawl(urls, settings={**GUARDED, "MONITOR_ALLOWED_ADDRESSES": "127.0.0.1"})
    resolver_only = run_crawl([fixture_server.url("/to-127-2"), fixture_server.url("/ok")],
                              settings={**GUARDED, "MONITOR_ALLOWED_ADDRESSES": "127.0.0.1"},
                              guard_middleware=False)

    for path in targets:
        assert result.outcome(fixture_server.url(path))["failure"] == "ForbiddenDestination", path
    # Scrapy's RedirectMiddleware does not follow redirects to other schemes: the 302 reaches the errback.
    assert result.outcome(fixture_server.url("/to-file"))["status"] == 302
    assert result.outcome(fixture_server.url("/ok"))["status"] == 200
    assert resolver_only.outcome(fixture_server.url("/to-127-2"))["failure"] == "CannotResolveHostError"
    assert resolver_only.outcome(fixture_server.url("/ok"))["status"] == 200
    assert fixture_server.requests_to("/secret") == []
    assert fixture_server.requests_to("/s") == []


def test_allowing_private_networks_lets_every_local_spelling_through(fixture_server: FixtureServer) -> None:
    fixture_server.add("/secret", Answer(200, "secret"))
    hosts = ["127.0.0.1", "127.1", "2130706433", "0x7f000001", "0177.0.0.1", "localhost"]
    urls = [f"http://{host}:{fixture_server.port}/secret" for host in hosts]

    result = run_crawl(urls, settings={"MONITOR_ALLOW_PRIVATE_NETWORKS": True})

    assert [result.outcome(url).get("status") for url in urls] == [200] * len(urls)
    assert len(fixture_server.requests_to("/secret")) == len(urls)


def test_the_middleware_installs_the_resolver_when_the_process_did_not(fixture_server: FixtureServer) -> None:
    fixture_server.add("/ok", Answer(200, "fine"))

    result = run_crawl([fixture_server.url("/ok")], install_resolver=False,
                       settings={**GUARDED, "MONITOR_ALLOWED_ADDRESSES": "127.0.0.1"})

    assert result.outcome(fixture_server.url("/ok"))["status"] == 200
    assert result.log.count("Installing the guarded name resolver on the reactor") == 1
