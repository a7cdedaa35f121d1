"""Near-duplicate lookup with 100,000 items in the window: milliseconds per lookup in the store (SQLite) and
agreement with a brute-force scan of every signature in the window, measured in the same run.

    .venv/bin/python bench/bench_neardup.py [--items 100000] [--probes 1000]

The store's lookup is `monitor.store.ingest._near_duplicate_story` (LSH band keys → at most 3 newest items per
band → MinHash similarity). The baseline compares a probe with every stored signature (a linear scan in memory,
what a store without bands would have to do), timed on a subset of probes and reported per lookup.
"""

from __future__ import annotations

import argparse
import random
import statistics
import sys
import tempfile
import time
from datetime import UTC, datetime, timedelta
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent / "farm"))

import vocab
from sqlalchemy import insert

from monitor.dedup.fingerprint import (
    NEAR_DUPLICATE_THRESHOLD,
    band_keys,
    fingerprint,
    signature_to_bytes,
    similarity,
)
from monitor.normalised import NormalisedItem
from monitor.store import ingest
from monitor.store.database import open_store
from monitor.store.models import Item, ItemBand, Story

START = datetime(2026, 9, 1, tzinfo=UTC)


def article(rng: random.Random, n: int) -> str:
    """A ~600-character story from the farm's generator, with a unique serial so stories differ."""
    lang = rng.choice(vocab.LANGS)
    return f"{vocab.title(rng, lang)} ({n})\n" + vocab.paragraph(rng, lang, 600)


def edited(rng: random.Random, text: str) -> str:
    words = text.split()
    for _ in range(max(1, len(words) // 25)):
        words[rng.randrange(len(words))] = rng.choice(["reportedly", "volgens", "관계자는", "on Monday"])
    return " ".join(words) + " (updated)"


def populate(engine, texts: list[str]) -> list[tuple[int, tuple[int, ...]]]:  # type: ignore[no-untyped-def]
    stored = []
    with engine.begin() as connection:
        for start in range(0, len(texts), 2000):
            items, bands = [], []
            for n in range(start, min(start + 2000, len(texts))):
                signature = fingerprint(texts[n])
                story_id = connection.execute(insert(Story).values(created_at=START).returning(Story.id)).scalar()
                when = START + timedelta(seconds=n * 5)
                items.append({"id": n + 1, "source_id": "bench", "url": f"https://b.example/{n}",
                              "canonical_url": f"https://b.example/{n}", "url_key": f"{n:040d}", "guid_key": None,
                              "title": "", "summary": "", "body": texts[n], "author": "", "ministry": "",
                              "language": "", "published_at": when, "fetched_at": when, "content_hash": "",
                              "body_hash": f"{n}", "raw_hash": "", "minhash": signature_to_bytes(signature),
                              "story_id": story_id, "duplicate_of": None, "revision": 1, "empty_text": False})
                bands.extend({"band_key": key, "item_id": n + 1} for key in set(band_keys(signature)))
                stored.append((story_id, signature))
            connection.execute(insert(Item), items)
            connection.execute(insert(ItemBand), bands)
    return stored


def probe_item(text: str, when: datetime) -> NormalisedItem:
    return NormalisedItem(source_id="probe", url="", canonical_url="", url_key="p", guid_key=None, title="",
                          summary="", body=text, author="", ministry="", language="", published_at=when,
                          fetched_at=when, content_hash="", body_hash="", signature=fingerprint(text))


def brute_force(stored: list[tuple[int, tuple[int, ...]]], signature: tuple[int, ...]) -> int | None:
    best, best_score = None, NEAR_DUPLICATE_THRESHOLD
    for story_id, other in stored:
        score = similarity(signature, other)
        if score >= best_score:
            best, best_score = story_id, score
    return best


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--items", type=int, default=100_000)
    parser.add_argument("--probes", type=int, default=1000)
    parser.add_argument("--baseline-probes", type=int, default=20)
    args = parser.parse_args()
    rng = random.Random(7)
    texts = [article(rng, n) for n in range(args.items)]
    folder = Path(tempfile.mkdtemp(prefix="neardup-"))
    engine = open_store(f"sqlite:///{folder / 'bench.db'}")
    started = time.perf_counter()
    stored = populate(engine, texts)
    print(f"populated {args.items} items in {time.perf_counter() - started:.1f} s")
    probes = []
    for n in range(args.probes):
        target = rng.randrange(args.items)
        is_copy = n % 2 == 0
        text = edited(rng, texts[target]) if is_copy else article(rng, args.items + n)
        probes.append((probe_item(text, START + timedelta(seconds=target * 5)), stored[target][0] if is_copy else None))
    window = timedelta(days=30)
    timings, found, agree = [], 0, 0
    with engine.connect() as connection:
        for probe, expected in probes:
            began = time.perf_counter()
            story = ingest._near_duplicate_story(connection, probe, window)
            timings.append(time.perf_counter() - began)
            found += expected is not None and story == expected
    copies = sum(1 for _, expected in probes if expected is not None)
    baseline = []
    for probe, _expected in probes[:args.baseline_probes]:
        began = time.perf_counter()
        brute = brute_force(stored, probe.signature)
        baseline.append(time.perf_counter() - began)
        with engine.connect() as connection:
            agree += brute == ingest._near_duplicate_story(connection, probe, window)
    lookup_ms = statistics.median(timings) * 1000
    baseline_ms = statistics.median(baseline) * 1000
    p95_ms = sorted(timings)[int(len(timings) * .95)] * 1000
    print(f"| metric | value |\n| --- | --- |\n| items in window | {args.items:,} |"
          f"\n| store lookup, median / p95 | {lookup_ms:.3f} ms / {p95_ms:.3f} ms |"
          f"\n| brute-force scan (baseline), median | {baseline_ms:.1f} ms |"
          f"\n| ratio | {baseline_ms / lookup_ms:,.0f}× |"
          f"\n| edited copies found | {found}/{copies} ({found / copies:.3f}) |"
          f"\n| agreement with brute force | {agree}/{len(baseline)} |")
    return 0


if __name__ == "__main__":
    sys.exit(main())
