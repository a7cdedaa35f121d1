"""Feed-test fixtures: a store on SQLite and PostgreSQL, an httpx client of the app (ASGITransport)."""

from __future__ import annotations

from collections.abc import Iterator

import pytest

from monitor.config import Settings
from monitor.store.database import open_store
from monitor.web import create_app
from tests.web.app_client import AppClient
from tests.web.feed_store import RULES, FeedStore


@pytest.fixture
def store(database_url: str) -> Iterator[FeedStore]:
    engine = open_store(database_url)
    yield FeedStore(engine)
    engine.dispose()


@pytest.fixture
def client(store: FeedStore) -> Iterator[AppClient]:
    app_client = AppClient(create_app(store.engine, Settings.from_env(), rules=RULES))
    # tests add matches and look at once; the once-a-second validator memo has its own test
    app_client.app.state.feeds.validator_seconds = 0.0
    yield app_client
    app_client.close()
