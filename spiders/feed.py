"""The generic feed family: RSS 0.9x/1.0/2.0, Atom and JSON Feed; optionally follows summary-only entries."""

from __future__ import annotations

from collections.abc import AsyncIterator, Iterator
from functools import cached_property
from typing import Any

from scrapy import Request
from scrapy.http import Response
from twisted.python.failure import Failure

from monitor.items import ScrapedItem
from spiders.base import SourceSpider
from spiders.parsers.articles import extract_article, valid_selector
from spiders.parsers.feeds import parse_feed
from spiders.parsers.fields import ItemFields
from spiders.response_checks import failure_message, fetch_failed, follow_request, usable_page

BROWSER_USER_AGENT = (
    "Mozilla/5.0 (X11; Linux x86_64) AppleWebKit/537.36 (KHTML, like Gecko) Chrome/131.0 Safari/537.36"
)
"""Used when the crawl settings carry no MONITOR_BROWSER_USER_AGENT."""


class FeedSpider(SourceSpider):
    """Reads each of the source's feed URLs; params: follow_links, body_selector, browser_user_agent."""

    name = family = "feed"

    async def start(self) -> AsyncIterator[Request]:
        _ = self.body_selector  # reports a bad selector once, before any download
        for url in self.source.urls:
            yield Request(url, callback=self.parse_feed, errback=self.feed_failed,
                          meta={"conditional": True}, headers=self.request_headers())

    @cached_property
    def body_selector(self) -> str:
        """params.body_selector when it is valid CSS; '' (the generic extractor) otherwise."""
        selector = self.params.get("body_selector") or ""
        if selector and not valid_selector(selector):
            self.report("parse_error", f"params.body_selector {selector!r} is not valid CSS; "
                                       "using the generic extractor")
            return ""
        return selector

    def request_headers(self) -> dict[str, str]:
        if not self.params.get("browser_user_agent"):
            return {}
        settings = getattr(self, "settings", None)
        agent = settings.get("MONITOR_BROWSER_USER_AGENT") if settings is not None else None
        return {"User-Agent": agent or BROWSER_USER_AGENT}

    def parse_feed(self, response: Response) -> Iterator[ScrapedItem | Request]:
        if not usable_page(self, response):
            return
        result = parse_feed(response.text, response.url)
        if result.problem:
            self.report("parse_error", f"{response.url}: {result.problem}")
            return
        if not result.entries:
            self.report("layout_changed", f"{response.url}: the feed ({result.version}) has no entries")
            return
        for entry in result.entries:
            request = self.article_request(entry)
            yield request if request is not None else self.make_item(**entry)

    def article_request(self, entry: ItemFields) -> Request | None:
        """Follow only entries that carry a summary and no body, and only when the source asks for it."""
        if not self.params.get("follow_links") or entry.get("body"):
            return None
        return follow_request(entry.get("url") or "", callback=self.parse_article,
                              errback=self.article_failed, cb_kwargs={"entry": entry},
                              headers=self.request_headers())

    def parse_article(self, response: Response, entry: ItemFields) -> Iterator[ScrapedItem]:
        if not usable_page(self, response):
            yield self.make_item(**entry)
            return
        body = extract_article(response.text, response.url, self.body_selector)
        if not body:
            self.report("empty_text", f"{response.url}: no article text found on the page")
        yield self.make_item(**{**entry, "body": body})

    def feed_failed(self, failure: Failure) -> None:
        if fetch_failed(failure):  # 304 Not Modified, robots.txt: not this spider's problem
            self.report("fetch_error", failure_message(failure))

    def article_failed(self, failure: Failure) -> Iterator[ScrapedItem]:
        entry: dict[str, Any] = failure.request.cb_kwargs["entry"]  # type: ignore[attr-defined]
        if fetch_failed(failure):
            self.report("fetch_error", failure_message(failure))
        yield self.make_item(**entry)
