"""Item pipelines: validate → normalise (text, dates, language, keys) → store, in batches.

Each stage is a thin Scrapy wrapper around a pure function of `monitor.normalised` or the store's `ingest_batch`.
Counts go to the per-source counters `items/<outcome>` (`monitor.crawl.source_stats`) for the run recorder.
"""

from __future__ import annotations

from datetime import timedelta

from scrapy.crawler import Crawler
from scrapy.exceptions import DropItem

from monitor.crawl.multi_source import source_ids_of
from monitor.crawl.source_stats import increment
from monitor.normalised import InvalidItem, NormalisedItem, normalise_item, raw_fingerprint, validate_item
from monitor.store.database import shared_engine
from monitor.store.ingest import ingest_batch, known_raw_hashes

BATCH_SIZE = 200


class ValidatePipeline:
    """Drops what cannot be stored, with the reason, and counts it as failed."""

    def __init__(self, crawler: Crawler) -> None:
        self.crawler = crawler

    @classmethod
    def from_crawler(cls, crawler: Crawler) -> ValidatePipeline:
        return cls(crawler)

    def process_item(self, item: object) -> object:
        try:
            validate_item(item)
        except InvalidItem as error:
            increment(self.crawler, getattr(item, "source_id", "") or "unknown", "items/failed")
            raise DropItem(f"invalid item: {error}") from None
        return item


class NormalisePipeline:
    """Cleans, dates, keys and fingerprints; notices a feed that reuses one GUID for several links. An item whose
    raw fields are byte-for-byte those of a stored item is counted unchanged without the work."""

    def __init__(self, crawler: Crawler) -> None:
        self.crawler = crawler
        self.engine = shared_engine(crawler.settings["MONITOR_DATABASE_URL"])
        self.links_by_guid: dict[tuple[str, str], str] = {}
        self.known_raw: set[str] = set()

    def open_spider(self) -> None:
        with self.engine.connect() as connection:
            self.known_raw = known_raw_hashes(connection, source_ids_of(self.crawler.spider))

    @classmethod
    def from_crawler(cls, crawler: Crawler) -> NormalisePipeline:
        return cls(crawler)

    def process_item(self, item: object) -> NormalisedItem:
        raw = validate_item(item)
        guid = (raw.guid or "").strip()
        repeated = False
        if guid:
            first_link = self.links_by_guid.setdefault((raw.source_id, guid), raw.url)
            repeated = first_link != raw.url
        if raw_fingerprint(raw) in self.known_raw:
            increment(self.crawler, raw.source_id, "items/unchanged")
            raise DropItem("unchanged since it was stored", log_level="DEBUG")
        try:
            normalised = normalise_item(raw, repeated_guid=repeated)
        except InvalidItem as error:
            increment(self.crawler, raw.source_id, "items/failed")
            raise DropItem(f"invalid item: {error}") from None
        if normalised.empty_text:
            increment(self.crawler, raw.source_id, "problem/empty_text")
        return normalised


class StorePipeline:
    """Hands items to the store in batches; the store alone decides new / updated / duplicate / unchanged."""

    def __init__(self, crawler: Crawler) -> None:
        self.crawler = crawler
        settings = crawler.settings
        self.engine = shared_engine(settings["MONITOR_DATABASE_URL"])
        self.window = timedelta(days=settings.getint("MONITOR_NEAR_DUPLICATE_DAYS", 7))
        self.pending: list[NormalisedItem] = []

    @classmethod
    def from_crawler(cls, crawler: Crawler) -> StorePipeline:
        return cls(crawler)

    def process_item(self, item: NormalisedItem) -> NormalisedItem:
        self.pending.append(item)
        if len(self.pending) >= BATCH_SIZE:
            self.flush()
        return item

    def close_spider(self) -> None:
        self.flush()

    def flush(self) -> None:
        if not self.pending:
            return
        batch, self.pending = self.pending, []
        try:
            with self.engine.begin() as connection:
                results = ingest_batch(connection, batch, self.window)
        except Exception:
            for item in batch:
                increment(self.crawler, item.source_id, "items/failed")
                increment(self.crawler, item.source_id, "problem/store_error")
            raise
        for item, result in zip(batch, results, strict=True):
            increment(self.crawler, item.source_id, f"items/{result.outcome.value}")
