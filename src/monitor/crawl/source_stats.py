"""Per-source counters inside one crawl's stats: `monitor/source/<source id>/<name>`.

One crawler serves many sources, so every counter that decides a source's health carries the source id.
"""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

PREFIX = "monitor/source/"


def source_stat(source_id: str, name: str) -> str:
    return f"{PREFIX}{source_id}/{name}"


def stats_for_source(stats: Mapping[str, Any], source_id: str) -> dict[str, int]:
    """The counters of one source with the prefix removed (`items/new`, `problem/challenge`, …)."""
    prefix = f"{PREFIX}{source_id}/"
    return {key[len(prefix):]: int(value or 0) for key, value in stats.items() if key.startswith(prefix)}


def increment(crawler: Any, source_id: str, name: str, count: int = 1) -> None:
    if crawler is not None and crawler.stats is not None:
        crawler.stats.inc_value(source_stat(source_id, name), count)


def stats_by_source(stats: Mapping[str, Any]) -> dict[str, dict[str, int]]:
    """All per-source counters grouped by source id, in one pass over the stats."""
    grouped: dict[str, dict[str, int]] = {}
    for key, value in stats.items():
        if key.startswith(PREFIX):
            source_id, _, name = key[len(PREFIX):].partition("/")
            grouped.setdefault(source_id, {})[name] = int(value or 0)
    return grouped
