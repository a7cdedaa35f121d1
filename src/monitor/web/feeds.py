"""The feed service: token check, the scope's validator, and rendered feeds cached per (scope, format, limit).

Per request: one primary-key lookup of the token hash; at most once a second per feed, one aggregate over
`matches (rule_id, id)` (newest id, count), the feed's validator. A new match therefore shows within a
second (clients may keep a copy for `max-age` = 60 s anyway). A cached rendering is reused while the
validator is unchanged and it is younger than `max_age` seconds (so an edited item or a deleted match shows
within that time even when no new match came); otherwise the feed is rendered again. The ETag is
`"<format>-<newest id>-<count>-<hash of the body>"`: strong, and it changes whenever a byte of the body does.

SQLite reads go through a second engine on the same file that never takes the write lock: the store's own
engine starts every transaction with BEGIN IMMEDIATE, which would queue feed readers behind crawl writers.
"""

from __future__ import annotations

import hashlib
import threading
import time
import uuid
from collections import OrderedDict
from collections.abc import Iterable
from dataclasses import dataclass
from datetime import datetime

from sqlalchemy import Connection, Engine, create_engine, event
from sqlalchemy.engine import make_url

from monitor.rules import Rule
from monitor.store.feed_models import ALL_SCOPE
from monitor.web.conditional import http_date
from monitor.web.entries import GUID_NAMESPACE, load_entries, validator
from monitor.web.render import FORMATS, FeedInfo, feed_updated, render
from monitor.web.safe_text import one_line
from monitor.web.tokens import token_opens

DEFAULT_LIMIT = 50
MAX_LIMIT = 200
CACHE_SIZE = 256
MAX_AGE_SECONDS = 60.0
VALIDATOR_SECONDS = 1.0
SECURITY_HEADERS = {
    "x-content-type-options": "nosniff",
    "referrer-policy": "no-referrer",
    "content-security-policy": "default-src 'none'; sandbox",
}


@dataclass(frozen=True)
class Stale:
    """A feed whose cached rendering is missing or out of date, with the validator it must be rendered at."""

    scope: str
    fmt: str
    limit: int
    validator: tuple[int, int]


@dataclass(frozen=True)
class RenderedFeed:
    validator: tuple[int, int]
    made_at: float
    body: bytes
    etag: str
    last_modified: datetime | None
    headers: dict[str, str]
    """Headers of a 200 answer; a 304 sends the same minus content-type."""

    @property
    def not_modified_headers(self) -> dict[str, str]:
        return {name: value for name, value in self.headers.items() if name != "content-type"}


def reader_engine(engine: Engine) -> tuple[Engine, bool]:
    """An engine for reads and whether it is ours to dispose (see the module docstring)."""
    url = engine.url
    if url.get_backend_name() != "sqlite" or url.database in (None, "", ":memory:"):
        return engine, False
    reader = create_engine(make_url(url), connect_args={"timeout": 30})

    def _read_only(dbapi_connection, _record) -> None:  # type: ignore[no-untyped-def]
        cursor = dbapi_connection.cursor()
        cursor.execute("PRAGMA query_only=ON")
        cursor.close()

    event.listen(reader, "connect", _read_only)
    return reader, True


class FeedService:
    """Answers "what is the body of this feed for this token", caching renderings; thread-safe."""

    def __init__(
        self,
        engine: Engine,
        rules: Iterable[Rule],
        *,
        home_url: str,
        cache_size: int = CACHE_SIZE,
        max_age: float = MAX_AGE_SECONDS,
        validator_seconds: float = VALIDATOR_SECONDS,
    ) -> None:
        self.engine, self._owns_engine = reader_engine(engine)
        feed_rules = [rule for rule in rules if rule.deliver.feed]
        self.rule_names = {rule.id: rule.name for rule in feed_rules}
        self.scopes: dict[str, tuple[str, ...]] = {rule.id: (rule.id,) for rule in feed_rules}
        self.scopes[ALL_SCOPE] = tuple(sorted(self.rule_names))
        self.infos = {scope: _feed_info(scope, feed_rules, home_url) for scope in self.scopes}
        self.cache_size = cache_size
        self.max_age = max_age
        self.validator_seconds = validator_seconds
        self._validators: dict[str, tuple[tuple[int, int], float]] = {}
        self._cache: OrderedDict[tuple[str, str, int], RenderedFeed] = OrderedDict()
        self._lock = threading.Lock()

    def close(self) -> None:
        if self._owns_engine:
            self.engine.dispose()

    def clear(self) -> None:
        """Forget every cached rendering and validator (the next request of each feed queries and renders)."""
        with self._lock:
            self._cache.clear()
            self._validators.clear()

    def get(self, token: str, scope: str, fmt: str, limit: int) -> RenderedFeed | None:
        """The feed, or None when the token does not open it (unknown, revoked, other scope, no such feed)."""
        found = self.lookup(token, scope, fmt, limit)
        return self.render(found) if isinstance(found, Stale) else found

    def lookup(self, token: str, scope: str, fmt: str, limit: int) -> RenderedFeed | Stale | None:
        """The cached feed when it is current; `Stale` when it must be rendered; None for a 404.

        The cheap part: one token lookup, and the validator query at most every `validator_seconds`.
        """
        rule_ids = self.scopes.get(scope)
        with self.engine.connect() as connection:
            if not token_opens(connection, token, scope) or rule_ids is None or fmt not in FORMATS:
                return None
            current = self._validator(connection, scope, rule_ids)
        cached = self._cached((scope, fmt, limit), current)
        return cached if cached is not None else Stale(scope, fmt, limit, current)

    def render(self, stale: Stale) -> RenderedFeed:
        """Load the entries and render the feed (the expensive part; run it off the event loop)."""
        with self.engine.connect() as connection:
            entries = load_entries(connection, stale.scope, self.scopes[stale.scope], self.rule_names, stale.limit)
        body = render(stale.fmt, self.infos[stale.scope], entries)
        last_modified = feed_updated(entries) if entries else None
        rendered = _rendered(stale.fmt, stale.validator, body, last_modified, self.max_age)
        self._store((stale.scope, stale.fmt, stale.limit), rendered)
        return rendered

    def _validator(self, connection: Connection, scope: str, rule_ids: tuple[str, ...]) -> tuple[int, int]:
        now = time.monotonic()
        known = self._validators.get(scope)
        if known is not None and now - known[1] < self.validator_seconds:
            return known[0]
        current = validator(connection, rule_ids)
        self._validators[scope] = (current, now)
        return current

    def _cached(self, key: tuple[str, str, int], current: tuple[int, int]) -> RenderedFeed | None:
        with self._lock:
            cached = self._cache.get(key)
            if cached is None:
                return None
            if cached.validator != current or time.monotonic() - cached.made_at > self.max_age:
                del self._cache[key]
                return None
            self._cache.move_to_end(key)
            return cached

    def _store(self, key: tuple[str, str, int], rendered: RenderedFeed) -> None:
        if self.cache_size <= 0:
            return
        with self._lock:
            self._cache[key] = rendered
            self._cache.move_to_end(key)
            while len(self._cache) > self.cache_size:
                self._cache.popitem(last=False)


def _feed_info(scope: str, rules: list[Rule], home_url: str) -> FeedInfo:
    feed_id = uuid.uuid5(GUID_NAMESPACE, f"feed/{scope}").urn
    if scope == ALL_SCOPE:
        return FeedInfo(feed_id, "Monitor: all matches", "Every match of every rule that has a feed.", home_url)
    rule = next(rule for rule in rules if rule.id == scope)
    description = one_line(rule.description) or f"Matches of the rule {rule.id}."
    return FeedInfo(feed_id, f"Monitor: {one_line(rule.name) or rule.id}", description, home_url)


def _rendered(
    fmt: str, current: tuple[int, int], body: bytes, last_modified: datetime | None, max_age: float
) -> RenderedFeed:
    digest = hashlib.blake2b(body, digest_size=12).hexdigest()
    etag = f'"{fmt}-{current[0]}-{current[1]}-{digest}"'
    headers = {
        "content-type": FORMATS[fmt],
        "etag": etag,
        "cache-control": f"private, max-age={int(max_age)}",
        **SECURITY_HEADERS,
    }
    if last_modified is not None:
        headers["last-modified"] = http_date(last_modified)
    return RenderedFeed(current, time.monotonic(), body, etag, last_modified, headers)
