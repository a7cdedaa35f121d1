"""Retries with exponential backoff and jitter, and `Retry-After` honoured per host.

Replaces Scrapy's RetryMiddleware, which retries at once and ignores `Retry-After`. Waiting happens in an
`async def process_request` that sleeps on the reactor (`scrapy.utils.asyncio.sleep`), never blocking it:
a retried request carries the time it may go again in its meta; a 429/503 with `Retry-After` sets a
"not before" time for its host (host:port) that every later request to that host waits for, while other
hosts go on. Scrapy's download-slot delay does not fit: it spaces every request of a slot evenly rather than
holding one request until a time, and it is shared by all ports of a host name. A waiting request keeps its
place among CONCURRENT_REQUESTS, as a request queued in a download slot does.
"""

from __future__ import annotations

import logging
import random
import time
from datetime import UTC, datetime
from email.utils import parsedate_to_datetime
from typing import TYPE_CHECKING

from scrapy.core.downloader.handlers.http11 import TunnelError
from scrapy.downloadermiddlewares.retry import get_retry_request
from scrapy.exceptions import (
    CannotResolveHostError,
    DownloadConnectionRefusedError,
    DownloadFailedError,
    DownloadTimeoutError,
    IgnoreRequest,
    NotConfigured,
    ResponseDataLossError,
)
from scrapy.settings import SETTINGS_PRIORITIES
from scrapy.utils.asyncio import sleep
from scrapy.utils.httpobj import urlparse_cached
from scrapy.utils.response import response_status_message
from twisted.internet import error as tx_error
from twisted.web.client import ResponseFailed

if TYPE_CHECKING:
    from scrapy import Request
    from scrapy.crawler import Crawler
    from scrapy.http import Response
    from scrapy.settings import BaseSettings

logger = logging.getLogger(__name__)

NOT_BEFORE_META = "monitor_retry_not_before"
"""Request meta: `time.monotonic()` value before which a retried request is not sent."""
RETRY_AFTER_STATUSES = frozenset({429, 503})
DEFAULT_RETRY_TIMES = 3

RETRYABLE_EXCEPTIONS: tuple[type[BaseException], ...] = (
    DownloadConnectionRefusedError, DownloadTimeoutError, DownloadFailedError, ResponseDataLossError,
    ResponseFailed, TunnelError, ConnectionError, tx_error.ConnectError, tx_error.ConnectionDone,
    tx_error.ConnectionLost, tx_error.TimeoutError,
)
"""Resets, refusals, timeouts and lost connections. Name-resolution failures are not retried: they are
(almost always) permanent within a run, and the SSRF guard's refusals look like them."""
NOT_RETRYABLE_EXCEPTIONS: tuple[type[BaseException], ...] = (
    CannotResolveHostError, tx_error.DNSLookupError, tx_error.UnknownHostError, IgnoreRequest,
)


class RetryAfterTooLong(IgnoreRequest):
    """The host asked for a longer pause than MONITOR_MAX_RETRY_AFTER: left alone for the rest of the run."""


def is_retryable(exception: BaseException) -> bool:
    return isinstance(exception, RETRYABLE_EXCEPTIONS) and not isinstance(exception, NOT_RETRYABLE_EXCEPTIONS)


def backoff_delay(base: float, attempt: int, rng: random.Random) -> float:
    """Seconds before retry number `attempt` (1, 2, …): base × 2^(attempt-1) × U(0.5, 1.5)."""
    return base * 2 ** (attempt - 1) * rng.uniform(0.5, 1.5)


def parse_retry_after(value: str | bytes | None, now: datetime | None = None) -> float | None:
    """Seconds a `Retry-After` header asks for (delay-seconds or HTTP-date); None when absent or invalid."""
    if value is None:
        return None
    text = (value.decode("latin-1") if isinstance(value, bytes) else value).strip()
    if text.isascii() and text.isdigit():
        return float(text)
    try:
        when = parsedate_to_datetime(text)
    except (TypeError, ValueError, IndexError):
        return None
    if when.tzinfo is None:
        when = when.replace(tzinfo=UTC)
    return max(0.0, (when - (now or datetime.now(UTC))).total_seconds())


def host_key(request: Request) -> str:
    url = urlparse_cached(request)
    return f"{url.hostname or ''}:{url.port or ''}"


def retry_times_setting(settings: BaseSettings) -> int:
    """RETRY_TIMES, or 3 when only Scrapy's default (2) is there."""
    if (settings.getpriority("RETRY_TIMES") or 0) <= SETTINGS_PRIORITIES["default"]:
        return DEFAULT_RETRY_TIMES
    return settings.getint("RETRY_TIMES")


class BackoffRetryMiddleware:
    """Downloader middleware (order 550, in place of Scrapy's RetryMiddleware).

    Reads RETRY_ENABLED, RETRY_TIMES (default 3), RETRY_HTTP_CODES, MONITOR_RETRY_BACKOFF (default 2.0 s) and
    MONITOR_MAX_RETRY_AFTER (default 600 s); honours the `dont_retry` and `max_retry_times` request meta keys.
    """

    def __init__(self, crawler: Crawler) -> None:
        settings = crawler.settings
        if not settings.getbool("RETRY_ENABLED"):
            raise NotConfigured
        self.crawler = crawler
        self.max_retry_times = retry_times_setting(settings)
        self.retry_http_codes = frozenset(int(code) for code in settings.getlist("RETRY_HTTP_CODES"))
        self.backoff_base = settings.getfloat("MONITOR_RETRY_BACKOFF", 2.0)
        self.max_retry_after = settings.getfloat("MONITOR_MAX_RETRY_AFTER", 600.0)
        self._not_before: dict[str, float] = {}
        self._random = random.Random()

    @classmethod
    def from_crawler(cls, crawler: Crawler) -> BackoffRetryMiddleware:
        return cls(crawler)

    async def process_request(self, request: Request) -> None:
        while (wait := self._wait_for(request)) > 0:
            if wait > self.max_retry_after:
                self._inc_stat("monitor/retry_after_refused")
                raise RetryAfterTooLong(f"{request.url}: its host asked for a pause of {wait:.0f} s, more "
                                        f"than MONITOR_MAX_RETRY_AFTER ({self.max_retry_after:.0f} s)")
            await sleep(wait)

    def _wait_for(self, request: Request) -> float:
        not_before = max(self._not_before.get(host_key(request), 0.0), request.meta.get(NOT_BEFORE_META, 0.0))
        return not_before - time.monotonic()

    def process_response(self, request: Request, response: Response) -> Request | Response:
        if request.meta.get("dont_retry") or response.status not in self.retry_http_codes:
            return response
        retry_after = self._note_retry_after(request, response)
        if retry_after is not None and retry_after > self.max_retry_after:
            self._inc_stat("monitor/retry_after_too_long")
            logger.warning("Giving up on %s this run: HTTP %d with Retry-After %.0f s, more than "
                           "MONITOR_MAX_RETRY_AFTER (%.0f s); its host is left alone for the rest of the run",
                           request.url, response.status, retry_after, self.max_retry_after)
            return response
        return self._retry(request, response_status_message(response.status), retry_after or 0.0) or response

    def _note_retry_after(self, request: Request, response: Response) -> float | None:
        """Hold back the whole host for as long as a 429/503 `Retry-After` asks; return those seconds."""
        if response.status not in RETRY_AFTER_STATUSES:
            return None
        retry_after = parse_retry_after(response.headers.get(b"Retry-After"))
        if retry_after is not None:
            key = host_key(request)
            self._not_before[key] = max(self._not_before.get(key, 0.0), time.monotonic() + retry_after)
        return retry_after

    def process_exception(self, request: Request, exception: Exception) -> Request | None:
        if request.meta.get("dont_retry") or not is_retryable(exception):
            return None
        return self._retry(request, exception, 0.0)

    def _retry(self, request: Request, reason: str | Exception, minimum_delay: float) -> Request | None:
        attempt = request.meta.get("retry_times", 0) + 1
        assert self.crawler.spider is not None
        retry = get_retry_request(request, spider=self.crawler.spider, reason=reason, logger=logger,
                                  max_retry_times=request.meta.get("max_retry_times", self.max_retry_times))
        if retry is None:
            self._inc_stat("monitor/retries_exhausted")
            return None
        delay = max(minimum_delay, backoff_delay(self.backoff_base, attempt, self._random))
        retry.meta[NOT_BEFORE_META] = time.monotonic() + delay
        logger.info("Retrying %s in %.2f s (attempt %d of %d): %s", request.url, delay, attempt,
                    request.meta.get("max_retry_times", self.max_retry_times),
                    reason if isinstance(reason, str) else f"{type(reason).__name__}: {reason}")
        return retry

    def _inc_stat(self, key: str) -> None:
        if self.crawler.stats is not None:
            self.crawler.stats.inc_value(key)
