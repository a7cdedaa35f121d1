"""Builds spiders and hand-made responses for parse-level tests, and runs `start()` without a reactor."""

from __future__ import annotations

import asyncio
from collections.abc import AsyncIterator, Iterable
from pathlib import Path
from typing import Any, TypeVar

from scrapy import Request
from scrapy.http import HtmlResponse, Response
from scrapy.utils.test import get_crawler
from spiders.base import SourceSpider
from twisted.python.failure import Failure

from monitor.items import ScrapedItem
from monitor.sources import parse_sources

FIXTURES = Path(__file__).resolve().parents[1] / "fixtures"
SpiderT = TypeVar("SpiderT", bound=SourceSpider)


def spider_for(spider_class: type[SpiderT], toml: str) -> SpiderT:
    """The spider of to the single source in toml (parsed like sources.toml: params get their defaults)."""
    (source,) = parse_sources(toml)
    crawler = get_crawler(spider_class)
    return spider_class.from_crawler(crawler, source=source)


def fixture_bytes(relative: str) -> bytes:
    return (FIXTURES / relative).read_bytes()


def response_for(relative: str | None, url: str, *, cls: type[Response] = HtmlResponse,
                 body: bytes | None = None, status: int = 200, headers: dict[str, str] | None = None,
                 cb_kwargs: dict[str, Any] | None = None) -> Response:
    """A response to a request for url, with a fixture file (or body) as its bytes."""
    request = Request(url, cb_kwargs=cb_kwargs or {})
    content = body if body is not None else fixture_bytes(relative or "")
    return cls(url=url, body=content, status=status, headers=headers or {}, request=request)


def failure_for(request: Request, error: Exception) -> Failure:
    """The failure an errback receives: Scrapy attaches the request to it."""
    failure = Failure(error)
    failure.request = request  # type: ignore[attr-defined]
    return failure


def start_requests(spider: SourceSpider) -> list[Request]:
    async def collect(requests: AsyncIterator[Any]) -> list[Request]:
        return [request async for request in requests]

    return asyncio.run(collect(spider.start()))


def split(results: Iterable[Any] | None) -> tuple[list[ScrapedItem], list[Request]]:
    """A callback's output divided into items and follow-up requests."""
    outputs = list(results or [])
    items = [output for output in outputs if isinstance(output, ScrapedItem)]
    requests = [output for output in outputs if isinstance(output, Request)]
    assert len(items) + len(requests) == len(outputs), f"unexpected output: {outputs!r}"
    return items, requests


def problem_kinds(spider: SourceSpider) -> list[str]:
    return [problem.split(":", 1)[0] for problem in spider.problems]
