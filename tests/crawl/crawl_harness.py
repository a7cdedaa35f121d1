"""Runs one real crawl in this process and prints what happened to every URL as JSON on stdout.

`python -m tests.crawl.crawl_harness '<json>'` with `{"urls": [url | {"url": …, "after": seconds}],
"settings": {…}, "middlewares": {…}, "guard_middleware": true, "install_resolver": true}`. A reactor runs
once per process, so tests start this in a subprocess (`run_crawl`). Each outcome is `{"url", "status" |
"failure", "message", "at"}` (`at` is `time.monotonic()`, comparable with the fixture server's request times).
"""

from __future__ import annotations

import json
import os
import subprocess
import sys
import time
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

ROOT = Path(__file__).resolve().parents[2]

BASE_SETTINGS: dict[str, Any] = {
    "TWISTED_REACTOR": "twisted.internet.asyncioreactor.AsyncioSelectorReactor",
    "TELNETCONSOLE_ENABLED": False,
    "REMOTE_CONTROL_ENABLED": False,
    "LOG_LEVEL": "INFO",
    "LOGSTATS_INTERVAL": 0,
    "USER_AGENT": "monitor-test-bot/0.1 (+https://example.invalid/bot)",
    "ROBOTSTXT_OBEY": False,
    "COOKIES_ENABLED": False,
    "DOWNLOAD_DELAY": 0,
    "DOWNLOAD_TIMEOUT": 10,
    "RETRY_TIMES": 2,
    "MONITOR_RETRY_BACKOFF": 0.05,
    "MONITOR_ALLOW_PRIVATE_NETWORKS": True,
}
MIDDLEWARES: dict[str, int | None] = {
    "scrapy.downloadermiddlewares.robotstxt.RobotsTxtMiddleware": None,
    "scrapy.downloadermiddlewares.retry.RetryMiddleware": None,
    "monitor.crawl.network_guard.PrivateNetworkMiddleware": 40,
    "monitor.crawl.robots.StrictRobotsTxtMiddleware": 100,
    "monitor.crawl.retry.BackoffRetryMiddleware": 550,
}


@dataclass
class CrawlResult:
    outcomes: list[dict[str, Any]]
    stats: dict[str, Any]
    log: str = field(repr=False)

    def outcome(self, url: str) -> dict[str, Any]:
        (found,) = [outcome for outcome in self.outcomes if outcome["url"] == url]
        return found


def run_crawl(urls: list[str | dict[str, Any]], timeout: float = 60, **config: Any) -> CrawlResult:
    """Run the harness in a subprocess and return its outcomes, stats and log (stderr)."""
    env = {**os.environ, "PYTHONPATH": os.pathsep.join([str(ROOT / "src"), str(ROOT)])}
    completed = subprocess.run([sys.executable, "-m", "tests.crawl.crawl_harness",
                                json.dumps({"urls": urls, **config})],
                               cwd=ROOT, env=env, capture_output=True, text=True, timeout=timeout)
    if completed.returncode != 0 or not completed.stdout.strip():
        raise AssertionError(f"harness failed ({completed.returncode}):\n{completed.stderr[-4000:]}")
    data = json.loads(completed.stdout.strip().splitlines()[-1])
    return CrawlResult(data["outcomes"], data["stats"], completed.stderr)


def main(config: dict[str, Any]) -> None:
    from scrapy.crawler import CrawlerProcess

    settings = {**BASE_SETTINGS, **config.get("settings", {})}
    middlewares = {**MIDDLEWARES, **config.get("middlewares", {})}
    if not config.get("guard_middleware", True):
        middlewares["monitor.crawl.network_guard.PrivateNetworkMiddleware"] = None
    settings["DOWNLOADER_MIDDLEWARES"] = middlewares
    outcomes: list[dict[str, Any]] = []
    process = CrawlerProcess(settings, install_root_handler=True)
    crawler = process.create_crawler(_spider_class())
    process.crawl(crawler, targets=config["urls"], outcomes=outcomes)
    if config.get("install_resolver", True):
        from twisted.internet import reactor

        from monitor.crawl.network_guard import install_guarded_resolver

        # CrawlerProcess.start() installs TWISTED_DNS_RESOLVER on the reactor: wrap it once the reactor runs.
        allow_private = bool(settings["MONITOR_ALLOW_PRIVATE_NETWORKS"])
        allowed = str(settings.get("MONITOR_ALLOWED_ADDRESSES", "")).split(",")
        reactor.callWhenRunning(install_guarded_resolver, reactor, allow_private, allowed)
    process.start()
    stats = crawler.stats.get_stats() if crawler.stats else {}
    print(json.dumps({"outcomes": outcomes, "stats": stats}, default=str))


def _spider_class() -> type:
    import scrapy
    from scrapy.spidermiddlewares.httperror import HttpError
    from scrapy.utils.asyncio import sleep
    from twisted.python.failure import Failure

    class HarnessSpider(scrapy.Spider):
        name = "harness"

        def __init__(self, targets: list[str | dict[str, Any]], outcomes: list[dict[str, Any]]) -> None:
            super().__init__()
            self.targets = [t if isinstance(t, dict) else {"url": t} for t in targets]
            self.outcomes = outcomes

        async def start(self) -> Any:
            started = time.monotonic()
            for target in sorted(self.targets, key=lambda t: t.get("after", 0)):
                if (wait := started + target.get("after", 0) - time.monotonic()) > 0:
                    await sleep(wait)
                yield scrapy.Request(target["url"], callback=self.parse, errback=self.failed,
                                     dont_filter=True, meta={"harness_url": target["url"]})

        def parse(self, response: scrapy.http.Response) -> Any:
            self.outcomes.append({"url": response.meta["harness_url"], "status": response.status,
                                  "final_url": response.url, "at": time.monotonic()})
            yield {"url": response.url}

        def failed(self, failure: Failure) -> None:
            request = getattr(failure, "request", None)
            outcome: dict[str, Any] = {"url": request.meta["harness_url"] if request else None,
                                       "failure": type(failure.value).__name__,
                                       "message": str(failure.value), "at": time.monotonic()}
            if isinstance(failure.value, HttpError):
                outcome["status"] = failure.value.response.status
            self.outcomes.append(outcome)

    return HarnessSpider


if __name__ == "__main__":
    main(json.loads(sys.argv[1]))
