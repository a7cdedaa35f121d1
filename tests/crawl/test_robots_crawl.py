"""Real crawls: robots.txt 404 means allowed, 5xx / timeout / refused connection means the host is left alone
this run while other hosts are crawled, rules and Crawl-delay are obeyed, one robots.txt fetch per origin."""

from __future__ import annotations

import socket
from contextlib import ExitStack
from itertools import pairwise

import pytest

from tests.crawl.crawl_harness import run_crawl
from tests.fixture_server import Answer, FixtureServer

pytestmark = pytest.mark.slow

ROBOTS = {"ROBOTSTXT_OBEY": True, "RETRY_TIMES": 1, "MONITOR_RETRY_BACKOFF": 0.05, "DOWNLOAD_TIMEOUT": 1}
RULES = """User-agent: *
Disallow: /

User-agent: monitor-test-bot
Disallow: /private
"""


def closed_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return probe.getsockname()[1]


def test_robots_outcomes_per_host() -> None:
    with ExitStack() as stack:
        absent, broken, ruled, slow = (stack.enter_context(FixtureServer()) for _ in range(4))
        for server in (absent, broken, ruled, slow):
            for path in ("/a", "/b", "/private/x"):
                server.add(path, Answer(200, "page"))
        broken.add("/robots.txt", Answer(500, "oops"))
        ruled.add_text("/robots.txt", RULES, "text/plain")
        slow.add("/robots.txt", Answer(200, "User-agent: *\nAllow: /\n", delay=3))
        unreachable = f"http://127.0.0.1:{closed_port()}"
        paths = ("/a", "/b", "/private/x")
        urls = [server.url(path) for server in (absent, broken, ruled, slow) for path in paths]

        result = run_crawl([*urls, f"{unreachable}/a"], settings=ROBOTS)

        assert [result.outcome(absent.url(path))["status"] for path in paths] == [200] * 3
        assert len(absent.requests_to("/robots.txt")) == 1  # three requests waited for one fetch
        for server, refusal in ((broken, "RobotsRefused"), (slow, "RobotsUnreachable")):
            for path in paths:
                assert result.outcome(server.url(path))["failure"] == refusal
            assert [request.path for request in server.requests] == ["/robots.txt", "/robots.txt"]  # 1 retry
        assert result.outcome(f"{unreachable}/a")["failure"] == "RobotsUnreachable"
        assert result.outcome(ruled.url("/a"))["status"] == 200
        assert result.outcome(ruled.url("/private/x"))["failure"] == "RobotsRefused"
        assert ruled.requests_to("/private") == []
        assert result.stats["monitor/robots_unavailable"] == 3
        assert result.stats["monitor/robots_refused"] == 3 + 3 + 1 + 1
        refusal = f"Not crawling http://127.0.0.1:{broken.port} this run: robots.txt answered HTTP 500"
        assert refusal in result.log


def test_crawl_delay_spaces_requests_to_the_host() -> None:
    with FixtureServer() as server:
        server.add_text("/robots.txt", "User-agent: *\nCrawl-delay: 1\n", "text/plain")
        paths = ["/p1", "/p2", "/p3"]
        for path in paths:
            server.add(path, Answer(200, "page"))

        result = run_crawl([server.url(path) for path in paths], settings=ROBOTS)

        assert [result.outcome(server.url(path))["status"] for path in paths] == [200] * 3
        assert server.requests[0].path == "/robots.txt"
        # Between the pages; the robots.txt fetch itself is made before the delay is known.
        times = [request.at for request in server.requests[1:]]
        gaps = [later - earlier for earlier, later in pairwise(times)]
        assert min(gaps) >= 0.95, gaps
