"""From a spider's raw `ScrapedItem` to the `NormalisedItem` the store keeps: validation, clean text, UTC dates,
detected language, canonical URL and identity keys. Pure functions: no Scrapy, no database."""

from __future__ import annotations

import hashlib
from dataclasses import dataclass, field
from datetime import UTC, datetime

from monitor.dedup.fingerprint import fingerprint
from monitor.identity import body_hash, content_hash, guid_key
from monitor.items import ScrapedItem
from monitor.text.dates import parse_published
from monitor.text.html_text import html_to_text
from monitor.text.language import detect_language
from monitor.text.normalise import clean_text, single_line
from monitor.urls import canonical_url, url_identity_key

SOURCE_TIME_ZONES = {"ko": "Asia/Seoul", "nl": "Europe/Amsterdam"}
MAX_TITLE_CHARS = 2_000
MAX_FIELD_CHARS = 2_000_000


class InvalidItem(ValueError):
    """The item cannot be stored; the message says which field and why."""


@dataclass(frozen=True)
class NormalisedItem:
    source_id: str
    url: str
    canonical_url: str
    url_key: str
    guid_key: str | None
    title: str
    summary: str
    body: str
    author: str
    ministry: str
    language: str
    published_at: datetime
    fetched_at: datetime
    content_hash: str
    body_hash: str
    raw_hash: str = ""
    signature: tuple[int, ...] = field(default=())
    empty_text: bool = False
    """The source sent markup but no text came out of it (a health signal, not a silent zero)."""


def raw_fingerprint(item: ScrapedItem) -> str:
    """A hash of the raw fields: identical raw content always normalises to the same stored item."""
    published = item.published.isoformat() if isinstance(item.published, datetime) else str(item.published or "")
    parts = (item.source_id, item.url, item.guid or "", item.title, item.summary, item.body, published,
             item.author, item.ministry, item.language_hint)
    return hashlib.sha1("\x1f".join(parts).encode("utf-8", "surrogatepass")).hexdigest()


def validate_item(item: object) -> ScrapedItem:
    if not isinstance(item, ScrapedItem):
        raise InvalidItem(f"expected a ScrapedItem, got {type(item).__name__}")
    if not item.source_id:
        raise InvalidItem("source_id is empty")
    if not (item.title or item.summary or item.body):
        raise InvalidItem(f"{item.url or item.guid}: title, summary and body are all empty")
    return item


def _text(value: str, limit: int = MAX_FIELD_CHARS) -> str:
    return clean_text(html_to_text(value[:limit])) if value else ""


def _identity(item: ScrapedItem, link: str | None, repeated_guid: bool) -> tuple[str, str, str | None]:
    """(canonical_url, url_key, guid_key). Without a usable link the key comes from the GUID or the title."""
    guid = (item.guid or "").strip() or None
    if link:
        key = url_identity_key(link)
    elif guid:
        key = hashlib.sha1(f"guid\x1f{item.source_id}\x1f{guid}".encode()).hexdigest()
    else:
        title = single_line(clean_text(item.title)).casefold()
        if not title:
            raise InvalidItem("no link, no GUID and no title: the item has no identity")
        key = hashlib.sha1(f"title\x1f{item.source_id}\x1f{title}".encode()).hexdigest()
    return link or "", key, guid_key(item.source_id, guid, link if repeated_guid else None)


def normalise_item(item: ScrapedItem, *, now: datetime | None = None, repeated_guid: bool = False,
                   base_url: str | None = None) -> NormalisedItem:
    """Clean, date, key and fingerprint one item. `repeated_guid` means the feed reused this GUID for
    another link in the same run, so the GUID alone is not a trustworthy identity."""
    validate_item(item)
    fetched_at = item.fetched_at or now or datetime.now(UTC)
    if fetched_at.tzinfo is None:
        fetched_at = fetched_at.replace(tzinfo=UTC)
    link = canonical_url(item.url, base_url) if item.url else None
    canonical, url_key, item_guid_key = _identity(item, link, repeated_guid)
    title = single_line(_text(item.title, MAX_TITLE_CHARS * 4))[:MAX_TITLE_CHARS]
    summary = _text(item.summary)
    body = _text(item.body) or summary
    had_markup = bool((item.body or item.summary).strip())
    language = detect_language(f"{title}\n{body}", item.language_hint)
    default_tz = SOURCE_TIME_ZONES.get(item.language_hint, "UTC")
    published = parse_published(item.published, fetched_at, default_tz)
    return NormalisedItem(
        source_id=item.source_id,
        url=link or item.url,
        canonical_url=canonical,
        url_key=url_key,
        guid_key=item_guid_key,
        title=title,
        summary=summary,
        body=body,
        author=single_line(clean_text(item.author))[:500],
        ministry=single_line(clean_text(item.ministry))[:500],
        language=language,
        published_at=published,
        fetched_at=fetched_at,
        content_hash=content_hash(title, summary, body),
        body_hash=body_hash(body),
        raw_hash=raw_fingerprint(item),
        signature=fingerprint(f"{title}\n{body}"),
        empty_text=had_markup and not (summary or body),
    )
