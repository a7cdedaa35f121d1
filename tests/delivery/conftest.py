"""Fixtures of the delivery tests: a migrated store (SQLite and PostgreSQL), a receiver, stored matches."""

from __future__ import annotations

import base64
import json
from collections.abc import Iterator
from dataclasses import replace
from datetime import UTC, datetime, timedelta
from typing import Any

import pytest
from sqlalchemy import Engine, insert, select

from monitor.delivery.channel_config import ChannelSet, WebhookChannelConfig
from monitor.delivery.enqueue import EnqueueResult, enqueue_deliveries
from monitor.rules import Delivery as RuleDelivery
from monitor.rules import RuleSet, rule_from_query
from monitor.rules.stage import NewMatch
from monitor.store.database import open_store
from monitor.store.delivery_models import Delivery
from monitor.store.match_models import Match
from tests.delivery.receiver import Receiver
from tests.rules.store_items import insert_items, insert_story, item_row

SECRET = "whsec_" + base64.b64encode(b"0123456789abcdef0123456789abcdef").decode()
T0 = datetime(2025, 3, 1, 12, 0, tzinfo=UTC)
EXPLANATION = json.dumps({"hits": [{"term": "HBM", "field": "title", "start": 0, "end": 3,
                                    "snippet": "SK hynix ships **HBM** samples"}]})


@pytest.fixture
def engine(database_url: str) -> Iterator[Engine]:
    engine = open_store(database_url)
    yield engine
    engine.dispose()


@pytest.fixture
def sqlite_engine(sqlite_url: str) -> Iterator[Engine]:
    engine = open_store(sqlite_url)
    yield engine
    engine.dispose()


@pytest.fixture
def receiver() -> Iterator[Receiver]:
    with Receiver() as server:
        yield server


def webhook(name: str, kind: str, url: str, **extra: Any) -> WebhookChannelConfig:
    return WebhookChannelConfig(name=name, kind=kind, url_env=f"URL_{name.upper().replace('-', '_')}", url=url,
                                **extra)


def channel_set(*configs: WebhookChannelConfig, operator: str | None = None,
                unavailable: dict[str, str] | None = None) -> ChannelSet:
    return ChannelSet({config.name: config for config in configs}, operator, unavailable or {})


def rule_set(*rules: tuple[str, str, tuple[str, ...]]) -> RuleSet:
    made = [replace(rule_from_query("hbm", {}, rule_id), name=name, deliver=RuleDelivery(instant=instant))
            for rule_id, name, instant in rules]
    return RuleSet(tuple(made))


_numbers = iter(range(1, 10**9))


def store_match(engine: Engine, rule_id: str, *, title: str = "SK hynix ships HBM samples",
                source: str = "thelec", story_id: int | None = None, url: str | None = None,
                backfill: bool = False, lead: str = "The memory maker said on Monday…") -> NewMatch:
    """An item (in a story) and its match for `rule_id`, stored; the NewMatch the stage would report."""
    number = next(_numbers)
    story_id = story_id if story_id is not None else insert_story(engine)
    (item_id,) = insert_items(engine, [item_row(number, lead, title=title, source_id=source, story_id=story_id,
                                                summary=lead, url=url or f"https://example.org/{number}")])
    with engine.begin() as connection:
        match_id = connection.execute(insert(Match).values(
            item_id=item_id, rule_id=rule_id, story_id=story_id, explanation=EXPLANATION, backfill=backfill,
            matched_at=T0).returning(Match.id)).scalar_one()
    return NewMatch(match_id, item_id, rule_id, story_id, backfill)


def enqueue(engine: Engine, matches: list[NewMatch], rules: RuleSet, channels: ChannelSet,
            now: datetime = T0) -> EnqueueResult:
    with engine.begin() as connection:
        return enqueue_deliveries(connection, matches, rules, channels, now)


def deliveries(engine: Engine) -> list[Any]:
    with engine.connect() as connection:
        return connection.execute(select(Delivery).order_by(Delivery.id)).all()


def later(minutes: float) -> datetime:
    return T0 + timedelta(minutes=minutes)
