"""Feed parsing on the farm's feeds: the lxml fast path against feedparser, entries/s, median of 3 runs.

Run: .venv/bin/python bench/bench_feed_parse.py [--dir /tmp/bench-feed-farm] [--feeds 100]
Generates the farm (RSS 2.0 and ~10 % Atom 1.0, 50 items each) into --dir when it holds no feeds yet.
"""

from __future__ import annotations

import argparse
import platform
import statistics
import subprocess
import sys
import time
from collections.abc import Callable
from pathlib import Path

import feedparser
from lxml import etree
from spiders.parsers import feeds
from spiders.parsers.fast_feed import parse_well_formed
from spiders.parsers.fields import FeedResult

FARM = Path(__file__).resolve().parent / "farm" / "farm.py"
FEED_URL = "http://127.0.0.1:8765/feeds/{}.xml"
RUNS = 3


def farm_feeds(directory: Path, count: int) -> list[tuple[str, str]]:
    """(URL, text) of the farm's first `count` feeds, generating the farm when it is not there yet."""
    paths = [directory / "feeds" / f"{number}.xml" for number in range(count)]
    if not all(path.exists() for path in paths):
        subprocess.run([sys.executable, str(FARM), "generate", "--dir", str(directory), "--feeds", str(count),
                        "--items", "50", "--seed", "42", "--port", "8765"], check=True, stdout=subprocess.DEVNULL)
    return [(FEED_URL.format(path.stem), path.read_text("utf-8")) for path in paths]


def fast_path(text: str, url: str) -> FeedResult:
    feeds.FAST_PATH = True
    return feeds.parse_feed(text, url)


def feedparser_path(text: str, url: str) -> FeedResult:
    feeds.FAST_PATH = False
    try:
        return feeds.parse_feed(text, url)
    finally:
        feeds.FAST_PATH = True


def entries_per_second(parse: Callable[[str, str], FeedResult], documents: list[tuple[str, str]]) -> float:
    """Median over RUNS passes over all documents."""
    rates = []
    for _ in range(RUNS):
        started = time.perf_counter()
        entries = sum(len(parse(text, url).entries) for url, text in documents)
        rates.append(entries / (time.perf_counter() - started))
    return statistics.median(rates)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--dir", type=Path, default=Path("/tmp/bench-feed-farm"))
    parser.add_argument("--feeds", type=int, default=100)
    arguments = parser.parse_args()
    documents = farm_feeds(arguments.dir, arguments.feeds)
    taken = sum(parse_well_formed(text, url) is not None for url, text in documents)
    url, text = documents[0]
    assert len(fast_path(text, url).entries) == len(feedparser_path(text, url).entries) > 0, "the paths disagree"
    fast_rate = entries_per_second(fast_path, documents)
    slow_rate = entries_per_second(feedparser_path, documents)
    print(f"Python {platform.python_version()}, lxml {etree.__version__}, feedparser {feedparser.__version__}; "
          f"{len(documents)} farm feeds, {sum(text.count('</item>') + text.count('</entry>') for _, text in documents)}"
          f" entries ({taken} feeds take the fast path), median of {RUNS} runs")
    print(f"{'path':<24}{'entries/s':>12}{'µs/entry':>10}")
    for name, rate in (("fast path (lxml)", fast_rate), ("feedparser", slow_rate)):
        print(f"{name:<24}{rate:>12,.0f}{1e6 / rate:>10.1f}")
    print(f"ratio fast / feedparser: {fast_rate / slow_rate:.1f}x")


if __name__ == "__main__":
    main()
