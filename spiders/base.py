"""The base every family spider derives from: resolves its source definition and reports health problems."""

from __future__ import annotations

from datetime import UTC, datetime
from typing import Any

import scrapy

from monitor.config import Settings
from monitor.crawl.source_stats import increment
from monitor.items import ScrapedItem
from monitor.sources import SourceDefinition, load_sources, select_sources


class SourceSpider(scrapy.Spider):
    """A spider bound to one source of `sources.toml`.

    The runner passes the definition itself (`source=SourceDefinition`); `scrapy crawl <family> -a source=<id>`
    passes the id, which is looked up in the sources file (MONITOR_SOURCES).
    """

    family: str = ""

    def __init__(self, source: SourceDefinition | str | None = None, **kwargs: Any) -> None:
        super().__init__(**kwargs)
        if source is None:
            raise ValueError(f"spider {self.name!r} needs a source: scrapy crawl {self.name} -a source=<id>")
        if isinstance(source, str):
            settings = Settings.from_env()
            (source,) = select_sources(load_sources(settings.sources_path), [source])
        if source.family != self.family:
            raise ValueError(f"source {source.id!r} is of family {source.family!r}, not {self.family!r}")
        self.source: SourceDefinition = source
        self.problems: list[str] = []

    @property
    def params(self) -> dict[str, Any]:
        return self.source.params

    def make_item(self, url: str, **fields: Any) -> ScrapedItem:
        fields.setdefault("language_hint", self.source.language)
        return ScrapedItem(source_id=self.source.id, url=url, fetched_at=datetime.now(UTC), **fields)

    def report(self, kind: str, message: str) -> None:
        """Record a health problem of this run (parse_error, empty_text, challenge, layout_changed, …)."""
        self.problems.append(f"{kind}: {message}")
        increment(getattr(self, "crawler", None), self.source.id, f"problem/{kind}")
        self.logger.warning("%s: %s: %s", self.source.id, kind, message)
