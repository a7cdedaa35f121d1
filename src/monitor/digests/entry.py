"""One digest entry from one stored match: title, source, language, local date, lead, safe link, and why it
matched. Pure; a row with a broken explanation or an absurd field is shown minimally, never raised."""

from __future__ import annotations

import json
import logging
from dataclasses import dataclass, field
from datetime import UTC, datetime
from urllib.parse import urlsplit
from zoneinfo import ZoneInfo

from monitor.digests.plain_text import shorten, single_line

log = logging.getLogger(__name__)

TITLE_LIMIT = 300
LEAD_LIMIT = 320
SNIPPET_LIMIT = 240
REASONS_SHOWN = 3
URL_LIMIT = 2048
SAFE_SCHEMES = ("http", "https")


@dataclass(frozen=True)
class MatchRow:
    """A stored match joined with its item, as read from the store (item fields None if the item is gone)."""

    match_id: int
    rule_id: str
    item_id: int
    story_id: int | None
    explanation: str | None
    matched_at: datetime
    title: str | None = None
    summary: str | None = None
    body: str | None = None
    source_id: str | None = None
    language: str | None = None
    published_at: datetime | None = None
    url: str | None = None


@dataclass(frozen=True)
class Segment:
    """A piece of a snippet; `hit` marks the words the rule matched (shown bold)."""

    text: str
    hit: bool = False


@dataclass(frozen=True)
class Reason:
    """Why an item matched: a term of the rule, the field it was found in, and the words around it."""

    term: str
    field: str
    segments: tuple[Segment, ...]

    @property
    def snippet(self) -> str:
        return "".join(segment.text for segment in self.segments)


@dataclass(frozen=True)
class Entry:
    """One story under one rule: its first item, plus the other sources that reported it."""

    item_id: int
    title: str
    source: str
    language: str
    date: str
    lead: str
    link: str | None
    reasons: tuple[Reason, ...] = ()
    also_reported_by: tuple[str, ...] = field(default=())
    degraded: bool = False


def safe_link(url: str | None) -> str | None:
    """The URL if it is an absolute http(s) link with no whitespace or controls, else None (shown unlinked)."""
    if not url or len(url) > URL_LIMIT or url != single_line(url) or " " in url:
        return None
    try:
        parts = urlsplit(url)
    except ValueError:
        return None
    return url if parts.scheme.lower() in SAFE_SCHEMES and parts.netloc else None


def local_date(moment: datetime | None, zone: ZoneInfo) -> str:
    """`2026-03-29 08:15 CEST` in the digest's zone; a naive time counts as UTC."""
    if moment is None:
        return ""
    aware = moment if moment.tzinfo else moment.replace(tzinfo=UTC)
    return aware.astimezone(zone).strftime("%Y-%m-%d %H:%M %Z")


def lead_of(summary: str | None, body: str | None) -> str:
    """The summary, or else the start of the body, on one line and short."""
    text = single_line(summary or "") or single_line(body or "")
    return shorten(text, LEAD_LIMIT)


def snippet_segments(snippet: str) -> tuple[Segment, ...]:
    """`…before **hit** after…` (the stored explanation format) as plain and bold segments."""
    parts = shorten(single_line(snippet), SNIPPET_LIMIT).split("**")
    return tuple(Segment(part, index % 2 == 1) for index, part in enumerate(parts) if part)


def reasons_of(explanation: str | None) -> tuple[Reason, ...]:
    """The first few hits of a stored explanation (`{"hits": [{"term", "field", "snippet"}, …]}`).

    Raises ValueError (or TypeError) for JSON that does not have that shape."""
    data = json.loads(explanation or "")
    hits = data["hits"] if isinstance(data, dict) else None
    if not isinstance(hits, list):
        raise ValueError("explanation has no list of hits")
    reasons = []
    for hit in hits[:REASONS_SHOWN]:
        term, where, snippet = hit["term"], hit["field"], hit.get("snippet", "")
        if not all(isinstance(value, str) for value in (term, where, snippet)):
            raise ValueError("explanation hit is not text")
        reasons.append(Reason(shorten(single_line(term), 80), shorten(single_line(where), 20),
                              snippet_segments(snippet)))
    return tuple(reasons)


def build_entry(row: MatchRow, zone: ZoneInfo) -> Entry:
    """The entry of one row; whatever is wrong with the row, an entry comes back (degraded and logged)."""
    try:
        return _full_entry(row, zone)
    except Exception as error:  # one bad item never stops a digest
        log.warning("digest: showing match %s (item %s) minimally: %s: %s",
                    row.match_id, row.item_id, type(error).__name__, str(error)[:200])
        return minimal_entry(row)


def _full_entry(row: MatchRow, zone: ZoneInfo) -> Entry:
    degraded = False
    try:
        reasons = reasons_of(row.explanation)
    except (ValueError, TypeError, KeyError, AttributeError) as error:
        log.warning("digest: match %s has an unreadable explanation: %s", row.match_id, str(error)[:200])
        reasons, degraded = (), True
    return Entry(
        item_id=row.item_id,
        title=shorten(single_line(row.title or ""), TITLE_LIMIT) or f"Item {row.item_id}",
        source=shorten(single_line(row.source_id or ""), 64),
        language=shorten(single_line(row.language or ""), 8),
        date=local_date(row.published_at, zone),
        lead=lead_of(row.summary, row.body),
        link=safe_link(row.url),
        reasons=reasons,
        degraded=degraded,
    )


def minimal_entry(row: MatchRow) -> Entry:
    """Title (or the item number) and a safe link only: for rows whose other fields cannot be shown."""
    try:
        title = shorten(single_line(str(row.title or "")), TITLE_LIMIT)
    except Exception:
        title = ""
    try:
        link = safe_link(row.url if isinstance(row.url, str) else None)
    except Exception:
        link = None
    return Entry(row.item_id, title or f"Item {row.item_id}", "", "", "", "", link, degraded=True)
