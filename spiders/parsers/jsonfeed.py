"""JSON Feed 1.0 / 1.1 (jsonfeed.org), which feedparser 6.0 does not read, mapped to the same FeedResult."""

from __future__ import annotations

import json
from typing import Any
from urllib.parse import urljoin

from spiders.parsers.fields import FeedResult, ItemFields
from spiders.parsers.markup import text_as_html


def parse_json_feed(text: str, url: str) -> FeedResult:
    try:
        document = json.loads(text)
    except (ValueError, RecursionError) as error:
        return FeedResult(problem=f"invalid JSON: {str(error)[:200]}")
    if not isinstance(document, dict) or "jsonfeed.org/version/" not in _string(document.get("version")):
        return FeedResult(problem="JSON, but not a JSON Feed (no jsonfeed.org version)")
    items = document.get("items")
    if not isinstance(items, list):
        return FeedResult(problem="JSON Feed without an items list", version=_version(document))
    entries = [fields for fields in (_item_fields(item, url) for item in items) if fields is not None]
    return FeedResult(entries=entries, version=_version(document))


def _item_fields(item: Any, base: str) -> ItemFields | None:
    if not isinstance(item, dict):
        return None
    guid = _string(item.get("id")) or (str(item["id"]) if isinstance(item.get("id"), int) else "")
    link = _string(item.get("url")) or _string(item.get("external_url"))
    if not link and guid.startswith(("http://", "https://")):
        link = guid
    if not link and not guid:
        return None
    content_text = _string(item.get("content_text"))
    return ItemFields(
        url=_absolute(base, link) if link else "",
        title=_string(item.get("title")),
        summary=_string(item.get("summary")),
        body=_string(item.get("content_html")) or text_as_html(content_text),
        guid=guid or None,
        published=_string(item.get("date_published")) or _string(item.get("date_modified")) or None,
        author=_author(item),
    )


def _absolute(base: str, link: str) -> str:
    try:
        return urljoin(base, link)
    except ValueError:  # "Invalid IPv6 URL": keep the link as written, the pipeline judges it
        return link


def _author(item: dict[str, Any]) -> str:
    authors = item.get("authors")
    candidates = authors if isinstance(authors, list) else [item.get("author")]
    names = [_string(author.get("name")) for author in candidates if isinstance(author, dict)]
    return ", ".join(name for name in names if name)


def _version(document: dict[str, Any]) -> str:
    return "json" + _string(document.get("version")).rsplit("/", 1)[-1]


def _string(value: Any) -> str:
    return value.strip() if isinstance(value, str) else ""
