"""Service benchmark: `monitor serve` memory and freshness (targets from performance.md, issue #5).

1. idle RSS after start-up (target ≤ 150 MB), against the floor of a bare process importing the same libraries;
2. peak RSS (VmHWM) while the 500-feed farm (bench/farm) is crawled in one scheduled round (target ≤ 400 MB);
3. RSS over N scheduled crawls of a small fixture feed on a 1-second schedule (target: flat within 10 %);
4. freshness: an item appears in a fixture feed at a random moment; time until its webhook arrives, with a
   60-second schedule (target ≤ 60 s + 5 s); and the tick-to-webhook latency on a 1-second schedule.

    .venv/bin/python bench/bench_service.py [--crawls 300] [--fresh 3] [--skip-farm] [--port 8765]
"""

from __future__ import annotations

import argparse
import json
import os
import random
import shutil
import signal
import socket
import statistics
import subprocess
import sys
import threading
import time
import urllib.request
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path

HERE = Path(__file__).resolve().parent
ROOT = HERE.parent
WORK = Path("/tmp/monitor-bench/service")
VOCABULARY = ("wafer fab lithography export licence memory stack bonding yield capacity packaging substrate "
              "supplier ministry minister agreement cooperation talent campus equipment cleanroom node roadmap "
              "foundry design tariff customs shipment quarter forecast investment subsidy research centre pilot")
CHANNELS = '[channels.team-slack]\nkind = "webhook"\nurl_env = "BENCH_HOOK_URL"\n'
sys.path.insert(0, str(HERE))


class _Server(ThreadingHTTPServer):
    request_queue_size = 256
    daemon_threads = True


class Feed:
    """A small RSS feed on loopback; `add()` publishes a new item (distinct text that matches `memory-hbm`)."""

    def __init__(self) -> None:
        self.items: list[tuple[int, str]] = []
        self.added: dict[int, float] = {}
        feed = self

        class Handler(BaseHTTPRequestHandler):
            protocol_version = "HTTP/1.1"

            def log_message(self, *args: object) -> None:
                pass

            def do_GET(self) -> None:
                body = feed.render() if self.path.startswith("/feed") else b""
                self.send_response(200 if body else 404)
                self.send_header("Content-Type", "application/rss+xml")
                self.send_header("Content-Length", str(len(body)))
                self.end_headers()
                self.wfile.write(body)

        self.server = _Server(("127.0.0.1", 0), Handler)
        threading.Thread(target=self.server.serve_forever, daemon=True).start()

    def url(self) -> str:
        return f"http://127.0.0.1:{self.server.server_address[1]}/feed.xml"

    def add(self) -> int:
        number = len(self.items) + 1
        words = " ".join(random.sample(VOCABULARY.split(), 25))
        self.items.append((number, f"SK hynix HBM3E note {number}: {words}."))
        self.added[number] = time.time()
        return number

    def render(self) -> bytes:
        entries = "".join(f"<item><title>HBM note {n}</title><link>https://bench.example/{n}</link>"
                          f"<guid>bench-{n}</guid><description>{text}</description></item>"
                          for n, text in self.items[-30:])
        return (f'<?xml version="1.0"?><rss version="2.0"><channel><title>bench</title>'
                f"<link>https://bench.example/</link><description>d</description>{entries}</channel></rss>").encode()


class Receiver:
    """Webhook receiver: records the arrival time of each alert by the number in its title."""

    def __init__(self) -> None:
        self.arrived: dict[int, float] = {}
        receiver = self

        class Handler(BaseHTTPRequestHandler):
            protocol_version = "HTTP/1.1"

            def log_message(self, *args: object) -> None:
                pass

            def do_POST(self) -> None:
                data = json.loads(self.rfile.read(int(self.headers.get("Content-Length") or 0)) or b"{}")
                for entry in data.get("data", {}).get("entries", []):
                    title = entry.get("title", "")
                    if title.startswith("HBM note "):
                        receiver.arrived.setdefault(int(title.rsplit(" ", 1)[1]), time.time())
                self.send_response(200)
                self.send_header("Content-Length", "0")
                self.end_headers()

        self.server = _Server(("127.0.0.1", 0), Handler)
        threading.Thread(target=self.server.serve_forever, daemon=True).start()

    def url(self) -> str:
        return f"http://127.0.0.1:{self.server.server_address[1]}/hook"


def free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return int(sock.getsockname()[1])


def memory(pid: int) -> tuple[float, float]:
    """(RSS, peak RSS) of a process in MB, from /proc."""
    fields = dict(line.split(":", 1) for line in Path(f"/proc/{pid}/status").read_text().splitlines() if ":" in line)
    return int(fields["VmRSS"].split()[0]) / 1024, int(fields["VmHWM"].split()[0]) / 1024


class Service:
    def __init__(self, name: str, sources: str, **env: str) -> None:
        self.dir = WORK / name
        shutil.rmtree(self.dir, ignore_errors=True)
        (self.dir / "alerts").mkdir(parents=True)
        for part in ("rules", "concepts"):
            shutil.copytree(ROOT / "alerts" / part, self.dir / "alerts" / part)
        (self.dir / "alerts" / "channels.toml").write_text(CHANNELS)
        (self.dir / "sources.toml").write_text(sources)
        self.db = self.dir / "monitor.db"
        self.port = free_port()
        self.env = {**os.environ, "MONITOR_DATABASE_URL": f"sqlite:///{self.db}", "MONITOR_HOME": str(self.dir),
                    "MONITOR_SOURCES": str(self.dir / "sources.toml"), "MONITOR_ALERTS_DIR": str(self.dir / "alerts"),
                    "MONITOR_ALLOW_PRIVATE_NETWORKS": "1", "MONITOR_PER_HOST_DELAY": "0",
                    "MONITOR_HTTP_PORT": str(self.port), "MONITOR_LOG_LEVEL": "WARNING",
                    "MONITOR_DISPATCH_INTERVAL": "1", **env}
        self.process: subprocess.Popen[bytes] | None = None

    def __enter__(self) -> Service:
        log = (self.dir / "serve.log").open("wb")
        self.process = subprocess.Popen([sys.executable, "-m", "monitor", "serve"], env=self.env, stderr=log,
                                        stdout=log, cwd=self.dir)
        deadline = time.monotonic() + 90
        while time.monotonic() < deadline:
            try:
                urllib.request.urlopen(f"http://127.0.0.1:{self.port}/healthz", timeout=2).read()
                return self
            except OSError:
                time.sleep(0.2)
        raise SystemExit(f"monitor serve did not start; see {self.dir / 'serve.log'}")

    def __exit__(self, *exc: object) -> None:
        assert self.process is not None
        self.process.send_signal(signal.SIGTERM)
        self.process.wait(120)

    def count(self, sql: str) -> int:
        import sqlite3

        with sqlite3.connect(self.db, timeout=30) as connection:
            return int(connection.execute(sql).fetchone()[0])

    def wait(self, sql: str, at_least: int, timeout: float) -> None:
        deadline = time.monotonic() + timeout
        while self.count(sql) < at_least:
            if time.monotonic() > deadline:
                raise SystemExit(f"timed out waiting for {sql} >= {at_least}")
            time.sleep(0.5)


def feed_source(url: str, schedule: str) -> str:
    return f'[[sources]]\nid = "bench"\nfamily = "feed"\nurls = ["{url}"]\nschedule = "{schedule}"\n'


def floor_rss() -> float:
    """RSS of a bare process that imports what the service imports (the baseline of this run)."""
    code = ("import scrapy.crawler, twisted.internet.asyncioreactor, uvicorn, starlette.applications, apscheduler."
            "schedulers.asyncio, sqlalchemy, prometheus_client, httpx; import pathlib; print(pathlib.Path("
            "'/proc/self/status').read_text())")
    status = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, check=True).stdout
    return int(next(line for line in status.splitlines() if line.startswith("VmRSS")).split()[1]) / 1024


def idle_rss(feed: Feed) -> float:
    with Service("idle", feed_source(feed.url(), "1h")) as service:
        time.sleep(5)
        assert service.process is not None
        return memory(service.process.pid)[0]


def farm_peak(port: int) -> tuple[float, float, int]:
    """Peak RSS and duration of one scheduled round over the 500 farm feeds (all due at the same second)."""
    from bench_ingest import farm_up

    server = farm_up(port)
    try:
        urls = urllib.request.urlopen(f"http://127.0.0.1:{port}/feeds.txt").read().decode().split()
        sources = "".join(f'[[sources]]\nid = "farm-{n}"\nfamily = "feed"\nurls = ["{url}"]\nschedule = "30s"\n\n'
                          for n, url in enumerate(urls))
        with Service("farm", sources, MONITOR_CRAWL_OFFSET_MAX="0") as service:
            assert service.process is not None
            started = time.monotonic()
            service.wait("select count(*) from crawl_runs where status != 'running'", len(urls), 600)
            service.wait("select count(*) from match_progress", service.count("select count(*) from items"), 300)
            elapsed = time.monotonic() - started
            return memory(service.process.pid)[1], elapsed, service.count("select count(*) from items")
    finally:
        if server:
            server.terminate()


def rss_growth(feed: Feed, crawls: int) -> tuple[float, float, float]:
    """RSS after a warm-up of 10 % of the crawls and after all of them (a new item every 10th crawl)."""
    with Service("growth", feed_source(feed.url(), "1s"), MONITOR_BACKOFF_CAP="1") as service:
        assert service.process is not None
        runs = "select count(*) from crawl_runs where status != 'running'"
        warm_up = max(10, crawls // 10)
        warm: float | None = None
        while (done := service.count(runs)) < crawls:
            if done // 10 > len(feed.items) - 1:
                feed.add()
            if done >= warm_up and warm is None:
                warm = memory(service.process.pid)[0]
            time.sleep(0.5)
        warm = warm or memory(service.process.pid)[0]
        final = memory(service.process.pid)[0]
        return warm, final, (final - warm) / warm * 100


def freshness(feed: Feed, receiver: Receiver, schedule: str, samples: int, spread: float) -> list[float]:
    """Seconds from an item appearing (at a random moment within `spread` seconds) to its webhook."""
    delays = []
    with Service(f"fresh-{schedule}", feed_source(feed.url(), schedule)):
        time.sleep(3)
        for _ in range(samples):
            time.sleep(random.uniform(0.5, spread))
            number = feed.add()
            deadline = time.monotonic() + 180
            while number not in receiver.arrived and time.monotonic() < deadline:
                time.sleep(0.05)
            if number in receiver.arrived:
                delays.append(receiver.arrived[number] - feed.added[number])
    return delays


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--crawls", type=int, default=300, help="scheduled crawls for the memory-growth run")
    parser.add_argument("--fresh", type=int, default=3, help="items timed on the 60-second schedule")
    parser.add_argument("--skip-farm", action="store_true")
    parser.add_argument("--port", type=int, default=8765, help="port of the 500-feed farm")
    args = parser.parse_args()
    WORK.mkdir(parents=True, exist_ok=True)
    feed, receiver = Feed(), Receiver()
    os.environ["BENCH_HOOK_URL"] = receiver.url()
    feed.add()
    rows = []
    floor = floor_rss()
    idle = idle_rss(feed)
    rows.append(("idle RSS after start-up", f"{idle:.0f} MB", f"bare imports {floor:.0f} MB (×{idle / floor:.2f})",
                 "≤ 150 MB", idle <= 150))
    if not args.skip_farm:
        peak, seconds, items = farm_peak(args.port)
        rows.append(("peak RSS, 500-feed farm round", f"{peak:.0f} MB", f"{items} items, crawl+match {seconds:.0f} s",
                     "≤ 400 MB", peak <= 400))
    warm, final, growth = rss_growth(feed, args.crawls)
    rows.append((f"RSS over {args.crawls} crawls (1 s)", f"{warm:.0f} → {final:.0f} MB", f"{growth:+.1f} %",
                 "within ±10 %", abs(growth) <= 10))
    quick = freshness(feed, receiver, "1s", 5, 3.0)
    rows.append(("item → webhook, 1 s schedule", f"median {statistics.median(quick):.2f} s",
                 f"max {max(quick):.2f} s over {len(quick)}", "≤ 1 s + 5 s", max(quick) <= 6))
    if args.fresh:
        slow = freshness(feed, receiver, "60s", args.fresh, 60.0)
        rows.append(("item → webhook, 60 s schedule", f"median {statistics.median(slow):.1f} s",
                     f"max {max(slow):.1f} s over {len(slow)}", "≤ 60 s + 5 s", max(slow) <= 65))
    print("\n| what | measured | context | target | met |\n| --- | --- | --- | --- | --- |")
    for what, measured, context, target, met in rows:
        print(f"| {what} | {measured} | {context} | {target} | {'yes' if met else 'NO'} |")
    print(f"\nPython {sys.version.split()[0]}, {os.cpu_count()} cores; logs under {WORK}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
