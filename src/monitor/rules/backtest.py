"""Trying a rule on stored items without writing anything (`monitor rules test`)."""

from __future__ import annotations

import time
from collections import Counter
from collections.abc import Callable
from dataclasses import dataclass, field
from datetime import UTC, datetime, timedelta

from sqlalchemy import Engine, func, select

from monitor.rules.explain import RuleMatch
from monitor.rules.item_rows import StoredItem, item_batches, item_query
from monitor.rules.matcher import RuleMatcher


@dataclass(frozen=True)
class BacktestHit:
    item: StoredItem
    matches: list[RuleMatch]


@dataclass
class BacktestResult:
    items_scanned: int = 0
    items_matched: int = 0
    per_source: Counter[str] = field(default_factory=Counter)
    newest: list[BacktestHit] = field(default_factory=list)
    seconds: float = 0.0


def count_items(engine: Engine, since: datetime | None, *, unmatched_only: bool = False) -> int:
    """How many items a run will read (for progress bars)."""
    query = item_query(since=since, unmatched_only=unmatched_only).subquery()
    with engine.connect() as connection:
        return int(connection.execute(select(func.count()).select_from(query)).scalar_one())


def backtest(
    engine: Engine,
    matcher: RuleMatcher,
    *,
    since: timedelta | None = None,
    show: int = 20,
    progress: Callable[[int], None] | None = None,
    now: datetime | None = None,
    batch_size: int = 2000,
) -> BacktestResult:
    """Which stored items (published within `since`) the matcher's rules match, counted per source.

    Explanations are built only for the `show` newest matching items.
    """
    started = time.perf_counter()
    cutoff = (now or datetime.now(UTC)) - since if since is not None else None
    result = BacktestResult()
    matched: list[StoredItem] = []
    for batch in item_batches(engine, item_query(since=cutoff, unmatched_only=False), batch_size):
        for item in batch:
            if matcher.match(item.fields, explain_hits=False):
                matched.append(item)
                result.per_source[item.source_id] += 1
        result.items_scanned += len(batch)
        if progress is not None:
            progress(len(batch))
    result.items_matched = len(matched)
    matched.sort(key=lambda item: (item.published_at, item.id), reverse=True)
    result.newest = [BacktestHit(item, matcher.match(item.fields)) for item in matched[:show]]
    result.seconds = time.perf_counter() - started
    return result
