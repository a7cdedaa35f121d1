"""Spreads a large crawl over several worker processes (one Scrapy crawler each) to use every core.

Parsing and normalising are CPU-bound under the GIL, so a 500-feed crawl in one process uses one core. The parent
splits the sources round-robin, starts `python -m monitor crawl --worker K/N`, and collects one JSON line per
source from each worker. The store keeps them consistent: SQLite writers take the write lock per batch
(`BEGIN IMMEDIATE` with a busy timeout), PostgreSQL relies on the unique keys.
"""

from __future__ import annotations

import json
import os
import subprocess
import sys
from collections.abc import Sequence
from dataclasses import asdict

from sqlalchemy import Engine, select

from monitor.crawl.run_outcome import RunCounts, RunOutcome
from monitor.sources import SourceDefinition
from monitor.store.models import HttpValidator

MIN_SOURCES_PER_WORKER = 20


def default_workers(fresh_sources: int) -> int:
    """One worker per core when enough sources are new to the store (no stored validators: everything they serve
    must be parsed); a re-crawl is mostly 304s and cheaper in one process than the start-up of several."""
    cores = len(os.sched_getaffinity(0)) if hasattr(os, "sched_getaffinity") else (os.cpu_count() or 1)
    return max(1, min(cores, fresh_sources // MIN_SOURCES_PER_WORKER))


def count_fresh_sources(engine: Engine, source_ids: Sequence[str]) -> int:
    """Sources without any stored HTTP validator: never crawled to completion."""
    with engine.connect() as connection:
        known = set(connection.scalars(select(HttpValidator.source_id).distinct()))
    return sum(1 for source_id in source_ids if source_id not in known)


def worker_slice(sources: Sequence[SourceDefinition], spec: str) -> list[SourceDefinition]:
    """The sources of worker `K/N` (1-based K): every N-th source starting at K."""
    index, _, total = spec.partition("/")
    k, n = int(index), int(total)
    if not 1 <= k <= n:
        raise ValueError(f"--worker {spec}: expected K/N with 1 <= K <= N")
    return list(sources[k - 1::n])


def outcome_line(source_id: str, outcome: RunOutcome) -> str:
    return json.dumps({"source": source_id, "status": outcome.status, "error": outcome.error,
                       "counts": asdict(outcome.counts)}, ensure_ascii=False)


def parse_outcome_line(line: str) -> tuple[str, RunOutcome] | None:
    try:
        data = json.loads(line)
        return data["source"], RunOutcome(data["status"], RunCounts(**data["counts"]), data["error"])
    except (ValueError, KeyError, TypeError):
        return None


def run_workers(source_ids: Sequence[str], workers: int) -> dict[str, RunOutcome]:
    """Run `workers` crawl processes over the sources; a worker that dies fails only its own sources."""
    processes = [
        subprocess.Popen([sys.executable, "-m", "monitor", "--quiet", "crawl", *source_ids, "--no-progress",
                          "--worker", f"{k}/{workers}"], stdout=subprocess.PIPE, text=True)
        for k in range(1, workers + 1)
    ]
    outcomes: dict[str, RunOutcome] = {}
    for process in processes:
        stdout, _ = process.communicate()
        for line in stdout.splitlines():
            parsed = parse_outcome_line(line)
            if parsed:
                outcomes[parsed[0]] = parsed[1]
    return outcomes
