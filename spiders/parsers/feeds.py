"""RSS 0.9x/1.0/2.0 and Atom through feedparser, JSON Feed through `jsonfeed`: one result shape for all."""

from __future__ import annotations

from typing import Any

import feedparser

from spiders.parsers.fields import FeedResult, ItemFields
from spiders.parsers.jsonfeed import parse_json_feed


def parse_feed(text: str, url: str) -> FeedResult:
    """Parse decoded feed text; relative links resolve against url (the response URL)."""
    start = text.lstrip("\ufeff \t\r\n")[:1]
    if start == "{":
        return parse_json_feed(text, url)
    if start != "<":
        return FeedResult(problem="neither XML nor JSON")
    # Re-encoded text, declared as UTF-8: the text is already decoded, and feedparser given a str would try
    # it as a URL or a file name first.
    parsed = feedparser.parse(
        text.encode("utf-8", "replace"),
        response_headers={"content-location": url, "content-type": "text/xml; charset=utf-8"},
    )
    entries = [fields for fields in map(entry_fields, parsed.entries) if fields is not None]
    version = str(parsed.get("version") or "")
    if not parsed.entries:
        if parsed.get("bozo"):
            return FeedResult(problem=f"not a feed: {parsed.get('bozo_exception')}", version=version)
        if not version:
            return FeedResult(problem="not a feed: no RSS, RDF or Atom root element")
    return FeedResult(entries=entries, version=version)


def entry_fields(entry: Any) -> ItemFields | None:
    """One feedparser entry as item fields; None when it has neither a link nor a GUID."""
    guid = _string(entry.get("id")) or None
    link = _string(entry.get("link"))
    if not link and guid and guid.startswith(("http://", "https://")):
        link = guid
    if not link and not guid:
        return None
    return ItemFields(
        url=link,
        title=_string(entry.get("title")),
        summary=_string(entry.get("summary")),
        body=_content(entry),
        guid=guid,
        published=_string(entry.get("published") or entry.get("updated")) or None,
        author=_string(entry.get("author")),
    )


def _content(entry: Any) -> str:
    """The longest content block (content:encoded, atom:content); '' when the entry only has a summary."""
    values = [_string(block.get("value")) for block in entry.get("content") or [] if hasattr(block, "get")]
    return max(values, key=len, default="")


def _string(value: Any) -> str:
    return value.strip() if isinstance(value, str) else ""
