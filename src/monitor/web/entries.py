"""What a feed shows: the newest stories of a scope, one entry per story, read from `matches` and `items`.

A per-rule feed has one entry per (rule, story); the "all" feed has one per story, naming every rule that
matched it. The entry is the story's first matched item; later copies are listed as "also reported by".
The GUID is a name-based UUID of (scope kind, rule, story): it never changes, whatever is added later.
"""

from __future__ import annotations

import json
import uuid
from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from datetime import UTC, datetime
from typing import Any, NamedTuple

from sqlalchemy import Connection, Row, bindparam, func, select

from monitor.store.feed_models import ALL_SCOPE
from monitor.store.match_models import Match
from monitor.store.models import Item
from monitor.web.safe_text import one_line, safe_link, shorten, title_text

GUID_NAMESPACE = uuid.UUID("6f1d4a52-8a9e-4c1b-9a63-0c7f0f5e2b11")
LEAD_CHARS = 400
HITS_SHOWN = 3
COPIES_SHOWN = 10
SCAN_CHUNK = 256
MAX_ID = 2**31 - 1  # `matches.id` is a 32-bit INTEGER on PostgreSQL

_IDS = bindparam("rule_ids", expanding=True)
_NEWEST_ANY = (
    select(Match.id, Match.rule_id, Match.story_id, Match.item_id)
    .where(Match.id <= bindparam("at_most"))
    .order_by(Match.id.desc())
    .limit(bindparam("chunk"))
)
_NEWEST_OF_RULE = _NEWEST_ANY.where(Match.rule_id == bindparam("rule_id"))
_VALIDATOR = select(func.max(Match.id), func.count(Match.id)).where(Match.rule_id.in_(_IDS))
_DETAILS = (
    select(
        Match.id, Match.rule_id, Match.story_id, Match.item_id, Match.explanation, Match.matched_at,
        Item.title, Item.summary, func.substr(Item.body, 1, LEAD_CHARS * 2).label("lead"),
        Item.canonical_url, Item.source_id, Item.language, Item.published_at, Item.updated_at,
    )
    .join(Item, Item.id == Match.item_id)
    .where(Match.rule_id.in_(_IDS))
    .order_by(Match.id)
)


class Hit(NamedTuple):
    """One explained hit: the term, the field and a snippet with the hit in `**…**`."""

    term: str
    field: str
    snippet: str

    def describe(self) -> str:
        return f"matched `{self.term}` in {self.field}: {self.snippet}"


@dataclass(frozen=True)
class Reason:
    """Why one rule matched: its name and a few hits."""

    rule_id: str
    rule_name: str
    hits: tuple[Hit, ...]


@dataclass(frozen=True)
class Copy:
    source: str
    link: str | None


@dataclass(frozen=True)
class FeedEntry:
    guid: str
    title: str
    link: str | None
    source: str
    language: str
    published: datetime
    updated: datetime
    lead: str
    reasons: tuple[Reason, ...]
    copies: tuple[Copy, ...]
    more_copies: int


def validator(connection: Connection, rule_ids: Sequence[str]) -> tuple[int, int]:
    """(newest match id, number of matches) of a scope: an index-only scan of `matches (rule_id, id)`."""
    newest, count = connection.execute(_VALIDATOR, {"rule_ids": list(rule_ids)}).one()
    return int(newest or 0), int(count or 0)


def story_key(story_id: int | None, item_id: int) -> int:
    """The story of a match, or the item alone (negative) when it has none."""
    return story_id if story_id is not None else -item_id


def newest_stories(connection: Connection, rule_ids: Sequence[str], limit: int) -> list[int]:
    """Story keys of the `limit` stories with the newest matches, newest first.

    Scans matches backwards in chunks: one rule along the `(rule_id, id)` index; several rules along the
    primary key, filtered here (an IN list would make the database sort every match of the scope).
    """
    found: dict[int, None] = {}
    wanted = frozenset(rule_ids)
    single = len(rule_ids) == 1
    statement = _NEWEST_OF_RULE if single else _NEWEST_ANY
    at_most = MAX_ID
    while wanted and len(found) < limit:
        parameters = {"at_most": at_most, "chunk": SCAN_CHUNK, **({"rule_id": rule_ids[0]} if single else {})}
        rows = connection.execute(statement, parameters).all()
        for row in rows:
            if row.rule_id in wanted:
                found.setdefault(story_key(row.story_id, row.item_id), None)
        if len(rows) < SCAN_CHUNK:
            break
        at_most = rows[-1].id - 1
    return list(found)[:limit]


def load_entries(
    connection: Connection, scope: str, rule_ids: Sequence[str], rule_names: Mapping[str, str], limit: int
) -> list[FeedEntry]:
    """The feed's entries, newest story first."""
    keys = newest_stories(connection, rule_ids, limit)
    if not keys:
        return []
    stories = [key for key in keys if key > 0]
    lone_items = [-key for key in keys if key < 0]
    condition = Match.story_id.in_(stories)
    if lone_items:
        condition = condition | (Match.story_id.is_(None) & Match.item_id.in_(lone_items))
    rows = connection.execute(_DETAILS.where(condition), {"rule_ids": list(rule_ids)}).all()
    groups: dict[int, list[Row[Any]]] = {key: [] for key in keys}
    for row in rows:
        groups.setdefault(story_key(row.story_id, row.item_id), []).append(row)
    return [_entry(scope, key, groups[key], rule_names) for key in keys if groups.get(key)]


def _utc(moment: datetime | None) -> datetime:
    if moment is None:
        return datetime(1970, 1, 1, tzinfo=UTC)
    return moment.replace(tzinfo=UTC) if moment.tzinfo is None else moment.astimezone(UTC)


def _entry(scope: str, key: int, rows: list[Row[Any]], rule_names: Mapping[str, str]) -> FeedEntry:
    first = rows[0]
    kind = "all" if scope == ALL_SCOPE else f"rule/{scope}"
    guid = uuid.uuid5(GUID_NAMESPACE, f"{kind}/story/{key}").urn
    updated = max(max(_utc(row.matched_at), _utc(row.updated_at)) for row in rows)
    lead = one_line(first.summary) or one_line(first.lead or "")
    copies = _copies(first.item_id, rows)
    return FeedEntry(
        guid=guid,
        title=title_text(first.title),
        link=safe_link(first.canonical_url),
        source=one_line(first.source_id),
        language=one_line(first.language),
        published=_utc(first.published_at),
        updated=updated,
        lead=shorten(lead, LEAD_CHARS),
        reasons=_reasons(rows, rule_names),
        copies=tuple(copies[:COPIES_SHOWN]),
        more_copies=max(0, len(copies) - COPIES_SHOWN),
    )


def _reasons(rows: list[Row[Any]], rule_names: Mapping[str, str]) -> tuple[Reason, ...]:
    """Each rule's first match in the story, explained."""
    seen: dict[str, Reason] = {}
    for row in rows:
        if row.rule_id not in seen:
            name = one_line(rule_names.get(row.rule_id, row.rule_id))
            seen[row.rule_id] = Reason(row.rule_id, name, explained_hits(row.explanation))
    return tuple(seen.values())


def _copies(primary_item: int, rows: list[Row[Any]]) -> list[Copy]:
    items: dict[int, Copy] = {}
    for row in rows:
        if row.item_id != primary_item and row.item_id not in items:
            items[row.item_id] = Copy(one_line(row.source_id), safe_link(row.canonical_url))
    return list(items.values())


def explained_hits(explanation: str, limit: int = HITS_SHOWN) -> tuple[Hit, ...]:
    """The first hits of a stored explanation (`{"hits": [{"term", "field", "snippet", …}]}`)."""
    try:
        hits = json.loads(explanation).get("hits", [])
    except (ValueError, AttributeError):
        return ()
    found = []
    for hit in hits[:limit] if isinstance(hits, list) else []:
        if isinstance(hit, dict):
            found.append(Hit(*(one_line(str(hit.get(name, ""))) for name in ("term", "field", "snippet"))))
    return tuple(found)
