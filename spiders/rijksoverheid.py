"""The Rijksoverheid family: /api/rss day windows and the news sitemap; news items followed to their page."""

from __future__ import annotations

from collections.abc import AsyncIterator, Iterable, Iterator
from datetime import UTC, datetime
from typing import Any

from scrapy import Request
from scrapy.http import Response
from twisted.python.failure import Failure

from monitor.items import ScrapedItem
from monitor.sources import SourceDefinition
from spiders.base import SourceSpider
from spiders.parsers.feeds import parse_feed
from spiders.parsers.fields import ItemFields, merged
from spiders.parsers.markup import parse_html, text_of
from spiders.parsers.rijksoverheid_listing import (
    RSS_ITEM_CAP,
    is_news_page,
    news_query_urls,
    parse_news_sitemap,
    url_key,
)
from spiders.parsers.rijksoverheid_page import parse_news_page
from spiders.response_checks import failure_message, fetch_failed, follow_request, usable_page

CONDITIONAL = {"conditional": True}
"""Meta of listing requests: the conditional-GET middleware adds validators and drops 304s."""


class RijksoverheidSpider(SourceSpider):
    """urls[0] is the /api/rss endpoint; params: window_days, sitemap_url, follow_links.

    The RSS and the sitemap are read together and their union is crawled once per URL within the run."""

    name = family = "rijksoverheid"

    def __init__(self, source: SourceDefinition | str | None = None, **kwargs: Any) -> None:
        super().__init__(source, **kwargs)
        self.listed: set[str] = set()

    async def start(self) -> AsyncIterator[Request]:
        for url in news_query_urls(self.source.urls[0], datetime.now(UTC), self.params["window_days"]):
            yield Request(url, callback=self.parse_rss, errback=self.listing_failed, meta=CONDITIONAL)
        if self.params.get("sitemap_url"):
            yield Request(self.params["sitemap_url"], callback=self.parse_sitemap,
                          errback=self.listing_failed, meta=CONDITIONAL)

    def parse_rss(self, response: Response) -> Iterator[ScrapedItem | Request]:
        if not usable_page(self, response):
            return
        result = parse_feed(response.text, response.url)
        if result.problem:
            self.report("parse_error", f"{response.url}: {result.problem}")
            return
        if len(result.entries) >= RSS_ITEM_CAP:
            self.logger.info("%s: %d items, the endpoint's cap; the sitemap fills the gap", response.url,
                             len(result.entries))
        yield from self.listed_items(result.entries)

    def parse_sitemap(self, response: Response) -> Iterator[ScrapedItem | Request]:
        if not usable_page(self, response):
            return
        entries = parse_news_sitemap(response.text)
        if entries is None:
            self.report("parse_error", f"{response.url}: not a sitemap <urlset>")
            return
        if not entries:
            self.report("layout_changed", f"{response.url}: the news sitemap lists no pages")
        yield from self.listed_items(entries)

    def listed_items(self, entries: Iterable[ItemFields]) -> Iterator[ScrapedItem | Request]:
        """Each URL once per run, whichever listing named it first; news pages are followed."""
        for entry in entries:
            url = entry.get("url") or ""
            key = url_key(url) if url else f"guid:{entry.get('guid')}"
            if key in self.listed:
                continue
            self.listed.add(key)
            request = None
            if self.params.get("follow_links") and is_news_page(url):
                request = follow_request(url, callback=self.parse_article, errback=self.article_failed,
                                         cb_kwargs={"listing": entry})
            yield request if request is not None else self.make_item(**entry)

    def parse_article(self, response: Response, listing: ItemFields) -> Iterator[ScrapedItem]:
        if not usable_page(self, response):
            yield self.make_item(**listing)
            return
        page = parse_news_page(response.text)
        if not page.get("body"):
            visible = text_of(parse_html(response.text).body)
            kind = "empty_text" if not visible else "layout_changed"
            self.report(kind, f"{response.url}: no body found on the news page")
        yield self.make_item(**merged(listing, page))

    def listing_failed(self, failure: Failure) -> None:
        if fetch_failed(failure):
            self.report("fetch_error", failure_message(failure))

    def article_failed(self, failure: Failure) -> Iterator[ScrapedItem]:
        listing: ItemFields = failure.request.cb_kwargs["listing"]  # type: ignore[attr-defined]
        if fetch_failed(failure):
            self.report("fetch_error", failure_message(failure))
        yield self.make_item(**listing)
