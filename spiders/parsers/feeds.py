"""RSS 0.9x/1.0/2.0 and Atom through feedparser, JSON Feed through `jsonfeed`: one result shape for all.
Plainly well-formed RSS 2.0 / 0.9x and Atom 1.0 take `fast_feed` (lxml) first, with the same result."""

from __future__ import annotations

from typing import Any

import feedparser

from spiders.parsers.fast_feed import parse_well_formed
from spiders.parsers.fields import FeedResult, ItemFields
from spiders.parsers.jsonfeed import parse_json_feed

PROLOG_CHARS = 65_536
FAST_PATH = True
"""Try `parse_well_formed` before feedparser (False: feedparser for every XML feed, as a baseline)."""


def parse_feed(text: str, url: str) -> FeedResult:
    """Parse decoded feed text; relative links resolve against url (the response URL)."""
    start = text.lstrip("\ufeff \t\r\n")[:1]
    if start == "{":
        return parse_json_feed(text, url)
    if start != "<":
        return FeedResult(problem="neither XML nor JSON")
    if declares_entities(text):
        return FeedResult(problem="refused: the document declares XML entities (XML bomb / XXE protection)")
    if FAST_PATH:
        result = parse_well_formed(text, url)
        if result is not None:
            return result
    return parse_with_feedparser(text, url)


def declares_entities(text: str) -> bool:
    """True when the prolog declares entities (billion laughs, XXE). No feed needs them; feedparser leaves them
    unexpanded, but such a document is an attack or a broken feed either way, and the source should say so."""
    head = text[:PROLOG_CHARS]
    doctype = head.find("<!DOCTYPE")
    return doctype >= 0 and "<!ENTITY" in head[doctype:]


def parse_with_feedparser(text: str, url: str) -> FeedResult:
    """Any XML feed (or not-a-feed) through feedparser, which copes with what `fast_feed` refuses."""
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
