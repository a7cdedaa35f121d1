"""A spider middleware that tags every request with its source and counts its failures per source.

Every request a spider emits (at start or from a callback) gets `meta["source_id"]` (from the response that led to
it, or the spider's own source) and an errback wrapper that records `failure/<name>` for that source before the
spider's own errback runs. A 304 / unchanged body (`NotModified`) is not a failure.
"""

from __future__ import annotations

from collections.abc import AsyncIterator, Callable, Iterable
from typing import Any

from scrapy import Request
from scrapy.crawler import Crawler
from scrapy.http import Response
from scrapy.spidermiddlewares.httperror import HttpError
from twisted.python.failure import Failure

from monitor.crawl.conditional import NotModified
from monitor.crawl.multi_source import SOURCE_META
from monitor.crawl.source_stats import increment


def failure_name(failure: Failure) -> str:
    if failure.check(HttpError):
        return f"HTTP {failure.value.response.status}"
    return failure.type.__name__ if failure.type else "error"


LAST_ERRORS_ATTRIBUTE = "monitor_last_errors"


def last_errors(crawler: Crawler) -> dict[str, str]:
    """The last failure message per source of this crawl (shown with the run's status)."""
    if not hasattr(crawler, LAST_ERRORS_ATTRIBUTE):
        setattr(crawler, LAST_ERRORS_ATTRIBUTE, {})
    return getattr(crawler, LAST_ERRORS_ATTRIBUTE)


def _describe(failure: Failure) -> str:
    message = failure.getErrorMessage()
    request = getattr(failure, "request", None)
    if request is not None and request.url not in message:
        message = f"{request.url}: {message}"
    return message[:300]


class SourceAccountingMiddleware:
    def __init__(self, crawler: Crawler) -> None:
        self.crawler = crawler

    @classmethod
    def from_crawler(cls, crawler: Crawler) -> SourceAccountingMiddleware:
        return cls(crawler)

    def _default_source(self) -> str | None:
        source = getattr(self.crawler.spider, "source", None)
        return source.id if source is not None else None

    def _tag(self, request: Request, source_id: str | None) -> Request:
        source_id = request.meta.setdefault(SOURCE_META, source_id)
        if source_id and not getattr(request.errback, "_monitor_counts", False):
            request.errback = self._counting_errback(source_id, request.errback)
        return request

    def _counting_errback(self, source_id: str, original: Callable[..., Any] | None) -> Callable[..., Any]:
        crawler = self.crawler

        def errback(failure: Failure) -> Any:
            if not failure.check(NotModified):
                increment(crawler, source_id, f"failure/{failure_name(failure)}")
                last_errors(crawler)[source_id] = _describe(failure)
            return original(failure) if original is not None else None

        errback._monitor_counts = True  # type: ignore[attr-defined]
        return errback

    async def process_start(self, start: AsyncIterator[Any]) -> AsyncIterator[Any]:
        default = self._default_source()
        async for entry in start:
            yield self._tag(entry, default) if isinstance(entry, Request) else entry

    def _source_of(self, response: Response | Failure) -> str | None:
        request = getattr(response, "request", None)
        meta = getattr(response, "meta", None) if isinstance(response, Response) else getattr(request, "meta", None)
        return (meta or {}).get(SOURCE_META) or self._default_source()

    def process_spider_output(self, response: Response, result: Iterable[Any]) -> Iterable[Any]:
        source_id = self._source_of(response)
        for entry in result:
            yield self._tag(entry, source_id) if isinstance(entry, Request) else entry

    async def process_spider_output_async(self, response: Response,
                                          result: AsyncIterator[Any]) -> AsyncIterator[Any]:
        source_id = self._source_of(response)
        async for entry in result:
            yield self._tag(entry, source_id) if isinstance(entry, Request) else entry
