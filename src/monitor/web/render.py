"""RSS 2.0 and Atom 1.0 through feedgen (lxml escapes every text node), JSON Feed 1.1 through `json`.

Output is deterministic for the same entries (the feed's date is its newest entry's, never "now"), so the
ETag, a hash of the body, only changes when the content does. Texts are XML-safe before they get here.
"""

from __future__ import annotations

import json
from collections.abc import Sequence
from dataclasses import dataclass
from datetime import UTC, datetime
from typing import Any

from feedgen.feed import FeedGenerator

from monitor.web.content import entry_html, entry_text
from monitor.web.entries import FeedEntry

FORMATS = {
    "rss": "application/rss+xml; charset=utf-8",
    "atom": "application/atom+xml; charset=utf-8",
    "json": "application/feed+json",
}
JSON_FEED_VERSION = "https://jsonfeed.org/version/1.1"
EPOCH = datetime(1970, 1, 1, tzinfo=UTC)
AUTHOR = "monitor"


@dataclass(frozen=True)
class FeedInfo:
    """The feed as a whole: a stable id, its title and description, the service's public address."""

    feed_id: str
    title: str
    description: str
    home_url: str


def render(fmt: str, info: FeedInfo, entries: Sequence[FeedEntry]) -> bytes:
    if fmt == "json":
        return render_json(info, entries)
    generator = _generator(info, entries)
    return generator.atom_str() if fmt == "atom" else generator.rss_str()


def feed_updated(entries: Sequence[FeedEntry]) -> datetime:
    return max((entry.updated for entry in entries), default=EPOCH)


def _generator(info: FeedInfo, entries: Sequence[FeedEntry]) -> FeedGenerator:
    generator = FeedGenerator()
    generator.id(info.feed_id)
    generator.title(info.title)
    generator.description(info.description or info.title)  # RSS requires a non-empty description
    generator.subtitle(info.description or info.title)
    generator.link(href=info.home_url, rel="alternate")
    generator.author({"name": AUTHOR})
    generator.generator(AUTHOR)
    updated = feed_updated(entries)
    generator.updated(updated)
    generator.lastBuildDate(updated)
    for entry in entries:
        _add_entry(generator, entry)
    return generator


def _add_entry(generator: FeedGenerator, entry: FeedEntry) -> None:
    item = generator.add_entry(order="append")
    item.id(entry.guid)
    item.guid(entry.guid, permalink=False)
    item.title(entry.title)
    if entry.link:
        item.link(href=entry.link, rel="alternate")
    item.content(entry_html(entry), type="html")  # Atom <content type="html">, RSS <description>: escaped
    item.published(entry.published)
    item.updated(entry.updated)
    for reason in entry.reasons:
        item.category(term=reason.rule_id, label=reason.rule_name)


def render_json(info: FeedInfo, entries: Sequence[FeedEntry]) -> bytes:
    feed = {
        "version": JSON_FEED_VERSION,
        "title": info.title,
        "home_page_url": info.home_url,
        "description": info.description,
        "authors": [{"name": AUTHOR}],
        "items": [_json_item(entry) for entry in entries],
    }
    return json.dumps(feed, ensure_ascii=False, separators=(",", ":")).encode("utf-8")


def _json_item(entry: FeedEntry) -> dict[str, Any]:
    item: dict[str, Any] = {"id": entry.guid, "title": entry.title}
    if entry.link:
        item["url"] = entry.link
    item.update(
        content_html=entry_html(entry),
        content_text=entry_text(entry),
        date_published=entry.published.isoformat(),
        date_modified=entry.updated.isoformat(),
        authors=[{"name": entry.source}],
        tags=[reason.rule_name for reason in entry.reasons],
    )
    if entry.lead:
        item["summary"] = entry.lead
    if entry.language:
        item["language"] = entry.language
    item["_monitor"] = {
        "source": entry.source,
        "rules": [
            {"id": reason.rule_id, "name": reason.rule_name, "why": [hit.describe() for hit in reason.hits]}
            for reason in entry.reasons
        ],
        "also_reported_by": [{"source": copy.source, "url": copy.link} for copy in entry.copies],
        "more_copies": entry.more_copies,
    }
    return item
