"""Writing items straight into the `items` table for match-stage tests (all non-null columns filled)."""

from __future__ import annotations

import hashlib
from datetime import UTC, datetime, timedelta
from typing import Any

from sqlalchemy import Engine, insert

from monitor.store.models import Item, Story

NOW = datetime(2025, 3, 1, 12, 0, tzinfo=UTC)


def item_row(
    number: int,
    body: str,
    *,
    title: str = "",
    language: str = "en",
    source_id: str = "test-source",
    age: timedelta = timedelta(days=1),
    **extra: Any,
) -> dict[str, Any]:
    key = hashlib.sha1(f"{number}".encode()).hexdigest()
    row: dict[str, Any] = dict(
        source_id=source_id,
        url=f"https://example.org/{number}",
        canonical_url=f"https://example.org/{number}",
        url_key=key,
        guid_key=None,
        title=title or f"Item {number}",
        summary="",
        body=body,
        author="",
        ministry="",
        language=language,
        published_at=NOW - age,
        fetched_at=NOW,
        updated_at=None,
        content_hash=key,
        body_hash=key,
        minhash=None,
        story_id=None,
        duplicate_of=None,
        revision=1,
        empty_text=False,
    )
    row.update(extra)
    return row


def insert_items(engine: Engine, rows: list[dict[str, Any]]) -> list[int]:
    with engine.begin() as connection:
        result = connection.execute(insert(Item).returning(Item.id), rows)
        return [row.id for row in result]


def insert_story(engine: Engine) -> int:
    with engine.begin() as connection:
        return connection.execute(insert(Story).values(created_at=NOW).returning(Story.id)).scalar_one()
