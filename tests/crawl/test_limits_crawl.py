"""Real crawls: oversized, endless, slow and dripping bodies fail cleanly (DOWNLOAD_MAXSIZE, DOWNLOAD_TIMEOUT)
while the other request of the same crawl succeeds."""

from __future__ import annotations

import contextlib
import threading
import time
from collections.abc import Iterator
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer

import pytest

from tests.crawl.crawl_harness import run_crawl
from tests.fixture_server import Answer, FixtureServer

pytestmark = pytest.mark.slow

MIB = 1024 * 1024
LIMITS = {"DOWNLOAD_MAXSIZE": 32 * MIB, "DOWNLOAD_TIMEOUT": 1, "RETRY_TIMES": 1,
          "MONITOR_RETRY_BACKOFF": 0.05}


class StreamingHandler(BaseHTTPRequestHandler):
    """/drip: a declared 1000-byte body sent one byte every 0.1 s; /endless: 1 MiB chunks with no length."""

    protocol_version = "HTTP/1.1"

    def log_message(self, format: str, *args: object) -> None:
        pass

    def do_GET(self) -> None:
        self.send_response(200)
        self.send_header("Content-Type", "application/octet-stream")
        if self.path == "/drip":
            self.send_header("Content-Length", "1000")
        else:
            self.send_header("Connection", "close")
        self.end_headers()
        with contextlib.suppress(OSError):  # the client hangs up on us: that is the point
            self._stream()

    def _stream(self) -> None:
        deadline = time.monotonic() + 20
        while time.monotonic() < deadline:
            if self.path == "/drip":
                self.wfile.write(b"x")
                self.wfile.flush()
                time.sleep(0.1)
            else:
                self.wfile.write(b"y" * MIB)


@contextlib.contextmanager
def streaming_server() -> Iterator[ThreadingHTTPServer]:
    server = ThreadingHTTPServer(("127.0.0.1", 0), StreamingHandler)
    server.daemon_threads = True
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    try:
        yield server
    finally:
        server.shutdown()
        server.server_close()


def test_oversized_slow_and_dripping_bodies_fail_cleanly(fixture_server: FixtureServer) -> None:
    fixture_server.add("/huge", Answer(200, b"z" * (33 * MIB), {"Content-Type": "application/octet-stream"}))
    fixture_server.add("/slow", Answer(200, "late", delay=2.5))
    fixture_server.add("/ok", Answer(200, "fine"))
    with streaming_server() as streaming:
        base = f"http://127.0.0.1:{streaming.server_address[1]}"
        urls = [fixture_server.url("/huge"), fixture_server.url("/slow"), f"{base}/drip", f"{base}/endless",
                fixture_server.url("/ok")]
        started = time.monotonic()

        result = run_crawl(urls, settings=LIMITS)

    assert time.monotonic() - started < 20
    assert result.outcome(fixture_server.url("/ok"))["status"] == 200
    for url in (fixture_server.url("/huge"), f"{base}/endless"):
        assert result.outcome(url)["failure"] == "DownloadCancelledError", result.outcome(url)
    for url in (fixture_server.url("/slow"), f"{base}/drip"):
        assert result.outcome(url)["failure"] == "DownloadTimeoutError", result.outcome(url)
    assert len(fixture_server.requests_to("/huge")) == 1  # a size cut-off is final, not retried
    assert len(fixture_server.requests_to("/slow")) == 2  # a timeout is retried (RETRY_TIMES=1)
    assert result.stats["item_scraped_count"] == 1
