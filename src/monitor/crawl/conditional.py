"""Conditional GET per source: stored ETag / Last-Modified go out as If-None-Match / If-Modified-Since; a 304 or a
byte-identical body is a healthy "nothing new" and never reaches the spider. Validators are saved only after a run
that stored everything, so a failed run re-fetches next time instead of losing items."""

from __future__ import annotations

import hashlib
from dataclasses import dataclass
from datetime import UTC, datetime

from scrapy import Request, signals
from scrapy.crawler import Crawler
from scrapy.exceptions import IgnoreRequest
from scrapy.http import Response
from sqlalchemy import select

from monitor.crawl.multi_source import SOURCE_META, source_ids_of
from monitor.crawl.source_stats import increment, stats_by_source
from monitor.store.database import shared_engine
from monitor.store.ingest import insert_ignoring_conflicts
from monitor.store.models import HttpValidator

INCOMPLETE_RUN_COUNTERS = frozenset({
    "items/failed", "problem/store_error", "problem/challenge", "problem/parse_error", "problem/layout_changed"})
"""A run with any of these keeps no validators: the same bad page served again must not pass as "not modified"."""


class NotModified(IgnoreRequest):
    """The resource has not changed since the last good run."""


@dataclass(frozen=True)
class Validators:
    url: str
    etag: str | None
    last_modified: str | None
    body_hash: str | None


def url_hash(url: str) -> str:
    return hashlib.sha1(url.encode("utf-8", "surrogatepass")).hexdigest()


class ConditionalGetMiddleware:
    def __init__(self, crawler: Crawler) -> None:
        self.crawler = crawler
        self.engine = shared_engine(crawler.settings["MONITOR_DATABASE_URL"])
        self.source_ids: list[str] = []
        self.known: dict[tuple[str, str], Validators] = {}
        self.fresh: dict[tuple[str, str], Validators] = {}
        crawler.signals.connect(self.spider_opened, signal=signals.spider_opened)
        crawler.signals.connect(self.spider_closed, signal=signals.spider_closed)

    @classmethod
    def from_crawler(cls, crawler: Crawler) -> ConditionalGetMiddleware:
        return cls(crawler)

    def spider_opened(self, spider) -> None:  # type: ignore[no-untyped-def]
        self.source_ids = source_ids_of(spider)
        with self.engine.connect() as connection:
            rows = connection.execute(select(HttpValidator).where(HttpValidator.source_id.in_(self.source_ids)))
            self.known = {(row.source_id, row.url_key): Validators(row.url, row.etag, row.last_modified,
                                                                    row.body_hash) for row in rows}

    def _key(self, request: Request) -> tuple[str, str]:
        return (request.meta.get(SOURCE_META) or "", url_hash(request.url))

    def process_request(self, request: Request) -> None:
        if not request.meta.get("conditional"):
            return
        known = self.known.get(self._key(request))
        if known and known.etag:
            request.headers.setdefault(b"If-None-Match", known.etag.encode("latin-1", "replace"))
        if known and known.last_modified:
            request.headers.setdefault(b"If-Modified-Since", known.last_modified.encode("latin-1", "replace"))

    def process_response(self, request: Request, response: Response) -> Response:
        if not request.meta.get("conditional"):
            return response
        key = self._key(request)
        if response.status == 304:
            increment(self.crawler, key[0], "not_modified")
            raise NotModified(f"304 Not Modified: {request.url}")
        if response.status != 200:
            return response
        body_hash = hashlib.sha256(response.body).hexdigest()
        known = self.known.get(key)
        fresh = Validators(request.url, _header(response, b"ETag"), _header(response, b"Last-Modified"), body_hash)
        if known and known.body_hash == body_hash:
            self.fresh[key] = fresh
            increment(self.crawler, key[0], "not_modified")
            raise NotModified(f"body unchanged since the last run: {request.url}")
        self.fresh[key] = fresh
        return response

    def spider_closed(self) -> None:
        """Save validators only for sources whose items were all stored (else the next run re-fetches)."""
        counters = stats_by_source(self.crawler.stats.get_stats())
        complete = {source_id for source_id in self.source_ids
                    if not INCOMPLETE_RUN_COUNTERS & set(counters.get(source_id, {}))}
        rows = [{"source_id": source_id, "url_key": key, "url": v.url, "etag": v.etag,
                 "last_modified": v.last_modified, "body_hash": v.body_hash, "updated_at": datetime.now(UTC)}
                for (source_id, key), v in self.fresh.items() if source_id in complete]
        if not rows:
            return
        with self.engine.begin() as connection:
            for row in rows:
                connection.execute(HttpValidator.__table__.delete().where(
                    HttpValidator.source_id == row["source_id"], HttpValidator.url_key == row["url_key"]))
            connection.execute(insert_ignoring_conflicts(connection, HttpValidator), rows)


def _header(response: Response, name: bytes) -> str | None:
    value = response.headers.get(name)
    return value.decode("latin-1") if value else None
