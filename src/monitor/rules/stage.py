"""The match stage: stored items × rules → rows in `matches`, idempotent on (item, rule).

A plain run takes the items no run has seen (no `match_progress` row, or an older revision) and all
enabled rules, and records progress. A re-match (`since` and/or `rule_ids`) takes every item in the window,
seen or not, and marks its new matches as backfill. Exact copies (`duplicate_of` set) are matched like any
item: they may come from a source a rule filters on, and their matches give the feed its "also reported
by"; each match carries the item's `story_id` so deliveries can go out once per (rule, story).
"""

from __future__ import annotations

import time
from collections.abc import Callable, Sequence
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta

from sqlalchemy import Connection, Engine

from monitor.rules.item_rows import StoredItem, item_batches, item_query
from monitor.rules.matcher import RuleMatcher, compile_rules
from monitor.rules.ruleset import RuleSet
from monitor.rules.store_writes import insert_matches, record_progress


@dataclass(frozen=True)
class NewMatch:
    """A match row this run inserted (not one that existed already)."""

    match_id: int
    item_id: int
    rule_id: str
    story_id: int | None
    backfill: bool


NewMatchHook = Callable[[Connection, Sequence[NewMatch]], None]
"""Called inside the transaction that inserts the matches: a delivery outbox adds its rows here."""


@dataclass(frozen=True)
class MatchStageResult:
    items_scanned: int
    matches_found: int
    matches_new: int
    rules: int
    backfill: bool
    seconds: float


def run_match_stage(
    engine: Engine,
    rules: RuleSet | RuleMatcher,
    *,
    since: timedelta | datetime | None = None,
    rule_ids: Sequence[str] | None = None,
    batch_size: int = 500,
    on_new_matches: NewMatchHook | None = None,
    progress: Callable[[int], None] | None = None,
    now: datetime | None = None,
) -> MatchStageResult:
    """Match stored items and store the matches; safe to run twice, on several nodes, or after a crash.

    `rules` is the loaded rule set (compiled here, restricted to `rule_ids`) or an already compiled matcher.
    `since` is an age (timedelta) or a moment; it selects by publication time.
    """
    started = time.perf_counter()
    now = now or datetime.now(UTC)
    matcher = rules if isinstance(rules, RuleMatcher) else compile_rules(rules, rule_ids)
    backfill = since is not None or rule_ids is not None
    cutoff = now - since if isinstance(since, timedelta) else since
    query = item_query(since=cutoff, unmatched_only=not backfill)
    scanned = found = new = 0
    for batch in item_batches(engine, query, batch_size):
        rows = _match_batch(matcher, batch, backfill, now)
        with engine.begin() as connection:
            inserted = insert_matches(connection, rows)
            fresh = [
                NewMatch(match_id, item_id, rule_id, row["story_id"], backfill)
                for (match_id, item_id, rule_id), row in inserted
            ]
            if on_new_matches is not None and fresh:
                on_new_matches(connection, fresh)
            if rule_ids is None:
                record_progress(connection, [(item.id, item.revision) for item in batch], now)
        scanned += len(batch)
        found += len(rows)
        new += len(fresh)
        if progress is not None:
            progress(len(batch))
    return MatchStageResult(scanned, found, new, len(matcher.rules), backfill, time.perf_counter() - started)


def _match_batch(
    matcher: RuleMatcher, batch: list[StoredItem], backfill: bool, now: datetime
) -> list[dict[str, object]]:
    rows: list[dict[str, object]] = []
    for item in batch:
        for match in matcher.match(item.fields):
            rows.append(
                {
                    "item_id": item.id,
                    "rule_id": match.rule_id,
                    "story_id": item.story_id,
                    "explanation": match.explanation_json(),
                    "backfill": backfill,
                    "matched_at": now,
                }
            )
    return rows
