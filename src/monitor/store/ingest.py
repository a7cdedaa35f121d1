"""The store decides what is new: insert-or-ignore on identity keys, revisions for changed content, exact copies by
body hash and near-duplicates grouped into stories by MinHash bands. One call handles a batch in one transaction."""

from __future__ import annotations

from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from datetime import timedelta
from enum import StrEnum

from sqlalchemy import Connection, bindparam, func, insert, select, union_all, update
from sqlalchemy.dialects import postgresql, sqlite

from monitor.dedup.fingerprint import (
    BANDS,
    NEAR_DUPLICATE_THRESHOLD,
    band_keys,
    signature_from_bytes,
    signature_to_bytes,
    similarity,
)
from monitor.normalised import NormalisedItem
from monitor.store.models import Item, ItemBand, ItemRevision, Story, Tombstone

KEY_CHUNK = 400
ITEMS = Item.__table__
_STORY_INSERT = insert(Story.__table__).returning(Story.__table__.c.id)
CANDIDATES_PER_BAND = 3


class Outcome(StrEnum):
    NEW = "new"
    UPDATED = "updated"
    UNCHANGED = "unchanged"
    DUPLICATE = "duplicate"
    """An exact copy (same body) of an item stored under another identity: kept, linked, never alerted twice."""


@dataclass(frozen=True)
class IngestResult:
    outcome: Outcome
    item_id: int | None
    story_id: int | None = None


def insert_ignoring_conflicts(connection: Connection, table):  # type: ignore[no-untyped-def]
    """`INSERT … ON CONFLICT DO NOTHING` for the connection's dialect; execute it with parameter dicts so the
    compiled statement is cached (a `.values(rows)` statement is compiled anew every time)."""
    target = getattr(table, "__table__", table)
    dialect = connection.dialect.name
    if dialect == "postgresql":
        return postgresql.insert(target).on_conflict_do_nothing()
    if dialect == "sqlite":
        return sqlite.insert(target).on_conflict_do_nothing()
    raise NotImplementedError(f"unsupported database dialect {dialect}")


def _chunks(values: Sequence[str]) -> Iterable[Sequence[str]]:
    for start in range(0, len(values), KEY_CHUNK):
        yield values[start:start + KEY_CHUNK]


def _existing_by_key(connection: Connection, items: Sequence[NormalisedItem]) -> dict[str, tuple[int, str, int, str]]:
    """Map every known url_key / guid_key of the batch to (item id, content hash, revision, raw hash)."""
    url_keys = sorted({item.url_key for item in items})
    guid_keys = sorted({item.guid_key for item in items if item.guid_key})
    found: dict[str, tuple[int, str, int, str]] = {}
    columns = (Item.id, Item.url_key, Item.guid_key, Item.content_hash, Item.revision, Item.raw_hash)
    for chunk in _chunks(url_keys):
        for row in connection.execute(select(*columns).where(Item.url_key.in_(chunk))):
            found[row.url_key] = (row.id, row.content_hash, row.revision, row.raw_hash)
    for chunk in _chunks(guid_keys):
        for row in connection.execute(select(*columns).where(Item.guid_key.in_(chunk))):
            found[row.guid_key] = (row.id, row.content_hash, row.revision, row.raw_hash)
    return found


def _tombstoned(connection: Connection, items: Sequence[NormalisedItem]) -> set[str]:
    keys = sorted({item.url_key for item in items} | {item.guid_key for item in items if item.guid_key})
    dead: set[str] = set()
    for chunk in _chunks(keys):
        dead.update(connection.scalars(select(Tombstone.key).where(Tombstone.key.in_(chunk))))
    return dead


def _record_revision(connection: Connection, item_id: int, revision: int, new: NormalisedItem) -> None:
    old = connection.execute(select(Item.title, Item.summary, Item.body, Item.content_hash)
                             .where(Item.id == item_id)).one()
    connection.execute(insert(ItemRevision).values(
        item_id=item_id, revision=revision, title=old.title, summary=old.summary, body=old.body,
        content_hash=old.content_hash, recorded_at=new.fetched_at))
    connection.execute(update(Item).where(Item.id == item_id).values(
        title=new.title, summary=new.summary, body=new.body, author=new.author, ministry=new.ministry,
        language=new.language, content_hash=new.content_hash, body_hash=new.body_hash, raw_hash=new.raw_hash,
        minhash=signature_to_bytes(new.signature) if new.signature else None,
        revision=revision + 1, updated_at=new.fetched_at, empty_text=new.empty_text))


def _first_copies(connection: Connection, items: Sequence[NormalisedItem]) -> dict[str, tuple[int, int | None]]:
    """body hash → (item id, story id) of the oldest stored original with that non-empty body, for a batch."""
    hashes = sorted({item.body_hash for item in items if item.body})
    found: dict[str, tuple[int, int | None]] = {}
    for chunk in _chunks(hashes):
        rows = connection.execute(
            select(ITEMS.c.body_hash, ITEMS.c.id, ITEMS.c.story_id)
            .where(ITEMS.c.body_hash.in_(chunk), ITEMS.c.duplicate_of.is_(None)).order_by(ITEMS.c.id.desc()))
        found.update({row.body_hash: (row.id, row.story_id) for row in rows})  # ascending wins: oldest last
    return found


def _build_candidate_query():  # type: ignore[no-untyped-def]
    """Items that share a band with the new item: the newest CANDIDATES_PER_BAND per band key, so a band that
    boilerplate made common costs the same as a rare one (one index range scan each)."""
    per_band = [
        select(ItemBand.item_id).where(ItemBand.band_key == bindparam(f"band{i}"))
        .order_by(ItemBand.item_id.desc()).limit(CANDIDATES_PER_BAND).subquery()
        for i in range(BANDS)
    ]
    candidate_ids = union_all(*(select(sub.c.item_id) for sub in per_band))
    return (select(ITEMS.c.story_id, ITEMS.c.minhash)
            .where(ITEMS.c.id.in_(candidate_ids),
                   ITEMS.c.published_at >= bindparam("earliest"), ITEMS.c.published_at <= bindparam("latest")))


_CANDIDATE_QUERY = _build_candidate_query()


def _near_duplicate_story(connection: Connection, item: NormalisedItem, window: timedelta) -> int | None:
    keys = band_keys(item.signature)
    if len(keys) != BANDS:
        return None
    params: dict[str, object] = {f"band{i}": key for i, key in enumerate(keys)}
    params["earliest"], params["latest"] = item.published_at - window, item.published_at + window
    best_story, best_score = None, NEAR_DUPLICATE_THRESHOLD
    for row in connection.execute(_CANDIDATE_QUERY, params):
        if row.minhash is None:
            continue
        score = similarity(item.signature, signature_from_bytes(row.minhash))
        if score >= best_score:
            best_story, best_score = row.story_id, score
    return best_story


def _insert_new(connection: Connection, item: NormalisedItem, window: timedelta,
                copies: dict[str, tuple[int, int | None]]) -> IngestResult:
    copy = copies.get(item.body_hash) if item.body else None
    story_id = copy[1] if copy else _near_duplicate_story(connection, item, window)
    if story_id is None:
        story_id = connection.execute(_STORY_INSERT, {"created_at": item.fetched_at}).scalar_one()
    row = {
        "source_id": item.source_id, "url": item.url, "canonical_url": item.canonical_url,
        "url_key": item.url_key, "guid_key": item.guid_key, "title": item.title, "summary": item.summary,
        "body": item.body, "author": item.author, "ministry": item.ministry, "language": item.language,
        "published_at": item.published_at, "fetched_at": item.fetched_at, "content_hash": item.content_hash,
        "body_hash": item.body_hash, "raw_hash": item.raw_hash,
        "minhash": signature_to_bytes(item.signature) if item.signature else None,
        "story_id": story_id, "duplicate_of": copy[0] if copy else None, "revision": 1,
        "empty_text": item.empty_text,
    }
    item_id = connection.execute(
        insert_ignoring_conflicts(connection, Item).returning(ITEMS.c.id), row).scalar()
    if item_id is None:  # another writer stored the same identity first
        return IngestResult(Outcome.UNCHANGED, None)
    if item.body and not copy:
        copies[item.body_hash] = (item_id, story_id)
    keys = band_keys(item.signature)
    if keys and not copy:
        connection.execute(insert_ignoring_conflicts(connection, ItemBand),
                           [{"band_key": key, "item_id": item_id} for key in set(keys)])
    return IngestResult(Outcome.DUPLICATE if copy else Outcome.NEW, item_id, story_id)


def ingest_batch(connection: Connection, items: Sequence[NormalisedItem],
                 near_duplicate_window: timedelta = timedelta(days=7)) -> list[IngestResult]:
    """Store a batch inside the caller's transaction; returns one result per item, in order."""
    known = _existing_by_key(connection, items)
    copies = _first_copies(connection, items)
    dead = _tombstoned(connection, items)
    results: list[IngestResult] = []
    for item in items:
        if item.url_key in dead or (item.guid_key and item.guid_key in dead):
            results.append(IngestResult(Outcome.UNCHANGED, None))
            continue
        existing = known.get(item.url_key) or (known.get(item.guid_key) if item.guid_key else None)
        if existing is None:
            result = _insert_new(connection, item, near_duplicate_window, copies)
            if result.item_id is not None:
                known[item.url_key] = (result.item_id, item.content_hash, 1, item.raw_hash)
                if item.guid_key:
                    known[item.guid_key] = known[item.url_key]
            results.append(result)
            continue
        item_id, stored_hash, revision, stored_raw = existing
        if stored_hash == item.content_hash:
            if item.raw_hash and stored_raw != item.raw_hash:  # same text, other bytes: remember the new bytes
                connection.execute(update(Item).where(Item.id == item_id).values(raw_hash=item.raw_hash))
                known[item.url_key] = (item_id, stored_hash, revision, item.raw_hash)
            results.append(IngestResult(Outcome.UNCHANGED, item_id))
            continue
        _record_revision(connection, item_id, revision, item)
        known[item.url_key] = (item_id, item.content_hash, revision + 1, item.raw_hash)
        results.append(IngestResult(Outcome.UPDATED, item_id))
    return results


def count_items(connection: Connection) -> int:
    return connection.execute(select(func.count()).select_from(Item)).scalar_one()



def known_raw_hashes(connection: Connection, source_ids: Sequence[str]) -> set[str]:
    """Raw hashes of the stored items of these sources (what a re-crawl can skip without normalising)."""
    hashes: set[str] = set()
    for chunk in _chunks(sorted(source_ids)):
        hashes.update(connection.scalars(select(ITEMS.c.raw_hash).where(ITEMS.c.source_id.in_(chunk))))
    return hashes
