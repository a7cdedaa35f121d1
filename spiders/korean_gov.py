"""The Korean government family: MOTIR's Korean and English boards, MSIT's board (list → detail) and the
korea.kr per-ministry RSS with its HTML list as fallback. params.board picks the layout."""

from __future__ import annotations

from collections.abc import AsyncIterator, Callable, Iterator
from dataclasses import dataclass
from datetime import UTC, datetime

from scrapy import Request
from scrapy.http import Response
from twisted.python.failure import Failure
from w3lib.url import add_or_replace_parameter

from monitor.items import ScrapedItem
from spiders.base import SourceSpider
from spiders.parsers import koreakr, motir, msit
from spiders.parsers.boards import DetailLayout, parse_detail
from spiders.parsers.feeds import parse_feed
from spiders.parsers.fields import ItemFields, merged
from spiders.parsers.local_time import SEOUL
from spiders.parsers.markup import parse_html, text_of
from spiders.response_checks import failure_message, fetch_failed, follow_request, usable_page


@dataclass(frozen=True)
class Board:
    """A list → detail board: how to read its list page and where its detail page keeps things."""

    parse_list: Callable[[str, str], list[ItemFields]]
    detail: DetailLayout


BOARDS: dict[str, Board] = {
    "motir_kor": Board(motir.parse_korean_list, motir.KOREAN_DETAIL),
    "motir_eng": Board(motir.parse_english_list, motir.ENGLISH_DETAIL),
    "msit": Board(msit.parse_list, msit.DETAIL),
}
FEED_BOARD = "korea_kr"


class KoreanGovSpider(SourceSpider):
    """params: board (motir_kor | motir_eng | msit | korea_kr), pages, ministry, fallback_urls (korea_kr)."""

    name = family = "korean_gov"
    fallback_started = False

    async def start(self) -> AsyncIterator[Request]:
        board = self.params["board"]
        for url in self.source.urls:
            if board == FEED_BOARD:
                yield Request(url, callback=self.parse_korea_kr_feed, errback=self.korea_kr_feed_failed,
                              meta={"conditional": True})
                continue
            for page in range(1, max(1, self.params.get("pages") or 1) + 1):
                page_url = url if page == 1 else add_or_replace_parameter(url, "pageIndex", str(page))
                yield Request(page_url, callback=self.parse_list, errback=self.list_failed,
                              meta={"conditional": True})

    # list → detail boards

    def parse_list(self, response: Response) -> Iterator[ScrapedItem | Request]:
        if not usable_page(self, response):
            return
        rows = BOARDS[self.params["board"]].parse_list(response.text, response.url)
        if not rows:
            self.report("layout_changed", f"{response.url}: no press releases found on the list page")
        for row in rows:
            listing = self.with_ministry(row)
            request = follow_request(row["url"], callback=self.parse_detail, errback=self.detail_failed,
                                     cb_kwargs={"listing": listing})
            yield request if request is not None else self.make_item(**listing)

    def parse_detail(self, response: Response, listing: ItemFields) -> Iterator[ScrapedItem]:
        if not usable_page(self, response):
            yield self.make_item(**listing)
            return
        page = parse_detail(response.text, BOARDS[self.params["board"]].detail)
        if not page.has_body_container:
            self.report("layout_changed", f"{response.url}: no body container on the detail page")
        elif not page.fields.get("body"):
            self.report("empty_text", f"{response.url}: the body container has no text")
        yield self.make_item(**merged(listing, page.fields))

    def list_failed(self, failure: Failure) -> None:
        if fetch_failed(failure):
            self.report("fetch_error", failure_message(failure))

    def detail_failed(self, failure: Failure) -> Iterator[ScrapedItem]:
        """The detail page could not be fetched: keep what the list said (title, summary, date)."""
        listing: ItemFields = failure.request.cb_kwargs["listing"]  # type: ignore[attr-defined]
        if fetch_failed(failure):
            self.report("fetch_error", failure_message(failure))
        yield self.make_item(**listing)

    def with_ministry(self, fields: ItemFields) -> ItemFields:
        return ItemFields(**{"ministry": self.params.get("ministry") or "", **fields})  # type: ignore[typeddict-item]

    # korea.kr: RSS first, HTML list when the feed fails

    def parse_korea_kr_feed(self, response: Response) -> Iterator[ScrapedItem | Request]:
        if not usable_page(self, response):
            yield from self.fallback_requests("the feed answered with a challenge or non-text page")
            return
        result = parse_feed(response.text, response.url)
        if result.problem:
            self.report("parse_error", f"{response.url}: {result.problem}; using the HTML list")
            yield from self.fallback_requests(result.problem)
            return
        items = koreakr.feed_items(result, self.params.get("ministry") or "")
        if not items:
            self.report("layout_changed", f"{response.url}: the feed has no entries; using the HTML list")
            yield from self.fallback_requests("empty feed")
            return
        for fields in items:
            if fields.get("body") and not text_of(parse_html(fields["body"])):
                self.report("empty_text", f"{fields.get('url')}: the description has no text")
            yield self.make_item(**fields)

    def korea_kr_feed_failed(self, failure: Failure) -> Iterator[Request]:
        if not fetch_failed(failure):  # 304 Not Modified or robots.txt: the feed is fine, or off limits
            return
        self.report("fetch_error", f"{failure_message(failure)}; using the HTML list")
        yield from self.fallback_requests("download failed")

    def fallback_requests(self, why: str) -> Iterator[Request]:
        """The HTML list pages of params.fallback_urls, once per run."""
        if self.fallback_started:
            return
        self.fallback_started = True
        urls = [url for url in self.params.get("fallback_urls") or [] if isinstance(url, str)]
        if not urls:
            self.logger.warning("%s: feed unusable (%s) and no fallback_urls", self.source.id, why)
        today = datetime.now(UTC).astimezone(SEOUL).date()
        for url in urls:
            request = follow_request(koreakr.dated_list_url(url, today), callback=self.parse_press_list,
                                     errback=self.list_failed)
            if request is None:
                self.report("parse_error", f"params.fallback_urls: {url!r} is not an http(s) URL")
            else:
                yield request

    def parse_press_list(self, response: Response) -> Iterator[ScrapedItem]:
        if not usable_page(self, response):
            return
        rows = koreakr.parse_press_list(response.text, response.url)
        if not rows:
            self.report("layout_changed", f"{response.url}: no press releases found on the list page")
        wanted = self.params.get("ministry") or ""
        for row in rows:
            found = row.get("ministry") or ""
            if wanted and found and not koreakr.same_ministry(found, wanted):
                continue  # the list shows every ministry; this source follows one
            yield self.make_item(**self.with_ministry(row))
