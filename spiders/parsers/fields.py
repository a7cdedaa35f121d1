"""The fields a parser hands to a spider, named like `monitor.items.ScrapedItem`'s keyword arguments."""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import datetime
from typing import TypedDict


class ItemFields(TypedDict, total=False):
    """Raw item fields: `SourceSpider.make_item(**fields)` turns them into a ScrapedItem."""

    url: str
    title: str
    summary: str
    """Lead or excerpt; may be HTML."""
    body: str
    """Full text; may be HTML."""
    guid: str | None
    published: str | datetime | None
    author: str
    ministry: str


def merged(listing: ItemFields, page: ItemFields) -> ItemFields:
    """The listing's fields overlaid with what the detail page found; URL and identity stay the listing's."""
    result = ItemFields(**listing)
    for key, value in page.items():
        if value and key not in ("url", "guid"):
            result[key] = value  # type: ignore[literal-required]
    return result


@dataclass
class FeedResult:
    """The entries of a feed, or why the text is not a feed (`problem`)."""

    entries: list[ItemFields] = field(default_factory=list)
    problem: str | None = None
    version: str = ""
    """feedparser's format name (rss20, rss10, atom10, …) or "json1" / "json1.1"."""
