"""A store with items and matches written straight through SQLAlchemy, a small rule set and feed tokens."""

from __future__ import annotations

import json
from dataclasses import replace
from datetime import UTC, datetime, timedelta
from typing import Any

from sqlalchemy import Engine, insert, update

from monitor.rules import Delivery, Rule, RuleSet, rule_from_query
from monitor.store.match_models import Match
from monitor.store.models import Item
from monitor.web.feed_urls import feed_path
from monitor.web.tokens import create_token
from tests.rules.store_items import insert_items, insert_story, item_row

EXPLANATION = {
    "hits": [
        {"term": "halfgeleider*", "field": "body", "start": 4, "end": 16,
         "snippet": "De **halfgeleider**industrie groeit"},
    ]
}


def make_rule(rule_id: str, name: str, *, feed: bool = True) -> Rule:
    return replace(rule_from_query("chip", {}, rule_id), name=name, deliver=Delivery(feed=feed))


RULES = RuleSet(
    (
        make_rule("chips", "Chips & <wafers>"),
        make_rule("memory", "Memory"),
        make_rule("quiet", "No feed", feed=False),
    )
)


class FeedStore:
    """Items, stories and matches for the feed tests; every non-null column is filled."""

    def __init__(self, engine: Engine) -> None:
        self.engine = engine
        self._number = 0

    def add_item(self, *, story: int | None = None, new_story: bool = True, **fields: Any) -> tuple[int, int | None]:
        self._number += 1
        story_id = story if story is not None else (insert_story(self.engine) if new_story else None)
        fields.setdefault("published_at", datetime(2025, 3, 1, 8, 0, tzinfo=UTC) + timedelta(minutes=self._number))
        row = item_row(self._number, fields.pop("body", f"body {self._number} halfgeleiderindustrie"),
                       story_id=story_id, **fields)
        return insert_items(self.engine, [row])[0], story_id

    def add_match(self, item_id: int, rule_id: str, story_id: int | None, *,
                  explanation: str | None = None, matched_at: datetime | None = None) -> int:
        values = dict(
            item_id=item_id, rule_id=rule_id, story_id=story_id,
            explanation=explanation if explanation is not None else json.dumps(EXPLANATION),
            backfill=False, matched_at=matched_at or datetime.now(UTC),
        )
        with self.engine.begin() as connection:
            return connection.execute(insert(Match).values(**values).returning(Match.id)).scalar_one()

    def add_story(self, rule_id: str = "chips", **fields: Any) -> tuple[int, int | None, int]:
        """An item in a new story matched by `rule_id`: (item id, story id, match id)."""
        item_id, story_id = self.add_item(**fields)
        return item_id, story_id, self.add_match(item_id, rule_id, story_id)

    def set_item(self, item_id: int, **values: Any) -> None:
        with self.engine.begin() as connection:
            connection.execute(update(Item).where(Item.id == item_id).values(**values))

    def token(self, scope: str = "all") -> str:
        return create_token(self.engine, scope)


def url(token: str, scope: str = "all", fmt: str = "rss") -> str:
    return feed_path(token, scope, fmt)
