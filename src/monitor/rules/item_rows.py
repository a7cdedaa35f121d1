"""Reading stored items for matching: batches in id order, only the columns rules look at."""

from __future__ import annotations

from collections.abc import Iterator
from datetime import datetime
from typing import NamedTuple

from sqlalchemy import ColumnElement, Engine, Select, and_, or_, select

from monitor.rules.item_scan import MatchItem
from monitor.store.match_models import MatchProgress
from monitor.store.models import Item

ITEM_COLUMNS = (
    Item.id,
    Item.source_id,
    Item.title,
    Item.summary,
    Item.body,
    Item.ministry,
    Item.language,
    Item.story_id,
    Item.revision,
    Item.published_at,
)


class StoredItem(NamedTuple):
    id: int
    source_id: str
    title: str
    story_id: int | None
    revision: int
    published_at: datetime
    fields: MatchItem


def unmatched_filter() -> ColumnElement[bool]:
    """Items the stage has not run over yet, or only at an older revision."""
    return or_(MatchProgress.item_id.is_(None), MatchProgress.revision < Item.revision)


def item_query(*, since: datetime | None, unmatched_only: bool) -> Select:
    query = select(*ITEM_COLUMNS)
    if unmatched_only:
        query = query.outerjoin(MatchProgress, MatchProgress.item_id == Item.id).where(unmatched_filter())
    if since is not None:
        query = query.where(Item.published_at >= since)
    return query


def item_batches(engine: Engine, query: Select, batch_size: int = 1000) -> Iterator[list[StoredItem]]:
    """Keyset pagination over `query` by item id; each batch is read in its own short transaction."""
    last_id = 0
    while True:
        with engine.connect() as connection:
            rows = connection.execute(
                query.where(and_(Item.id > last_id)).order_by(Item.id).limit(batch_size)
            ).all()
        if not rows:
            return
        last_id = rows[-1].id
        yield [_stored(row) for row in rows]


def _stored(row) -> StoredItem:  # type: ignore[no-untyped-def]
    fields = MatchItem(
        title=row.title or "",
        summary=row.summary or "",
        body=row.body or "",
        ministry=row.ministry or "",
        source_id=row.source_id or "",
        language=row.language or "",
    )
    return StoredItem(
        row.id, row.source_id, row.title or "", row.story_id, row.revision, row.published_at, fields
    )
