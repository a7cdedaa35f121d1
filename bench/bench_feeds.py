"""Benchmark of the feed endpoint (issue #4): full 50-entry feeds and conditional 304s, one server core.

A SQLite store with 5,000 matches (the rules of alerts/, ~3,500 stories, later copies) is served by uvicorn
in one process pinned to core 0 (`taskset`); wrk runs on core 1 against loopback. Two servers, same store:

  cached  the app as shipped: token lookup + validator query per request, rendering cached per feed
  naive   the baseline, same app without the cache: every request, conditional or not, loads the entries,
          renders the feed and hashes it, then answers 200 or 304

For each (server, request) pair wrk runs `--seconds` seconds, three times; the table gives the median req/s
and the ratio cached / naive. Targets: full 50-entry feed >= 500 req/s, 304 >= 2,000 req/s.

Run: .venv/bin/python bench/bench_feeds.py [--matches 5000] [--seconds 5] [--reps 3] [--access-log]
"""

from __future__ import annotations

import argparse
import json
import os
import random
import re
import shutil
import socket
import statistics
import subprocess
import sys
import tempfile
import time
import urllib.request
from datetime import UTC, datetime, timedelta
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT / "src"))

from sqlalchemy import insert  # noqa: E402

from monitor.rules import load_rule_set  # noqa: E402
from monitor.store.database import open_store  # noqa: E402
from monitor.store.match_models import Match  # noqa: E402
from monitor.store.models import Item, Story  # noqa: E402
from monitor.web.tokens import create_token  # noqa: E402

ALERTS = ROOT / "alerts"
WORDS = (
    "halfgeleider", "chip", "export", "ASML", "Samsung", "HBM", "wafer", "fabriek", "minister", "Seoul",
    "Eindhoven", "lithografie", "반도체", "수출", "장비", "메모리", "협력", "산업부", "investment", "supply",
    "chain", "memory", "packaging",
)


def _sentence(rng: random.Random, words: int) -> str:
    return " ".join(rng.choice(WORDS) for _ in range(words))


def build_store(path: Path, matches: int) -> str:
    """A store with `matches` matches over the alerts/ rules; returns an "all" feed token."""
    rng = random.Random(4)
    engine = open_store(f"sqlite:///{path}")
    rule_ids = [rule.id for rule in load_rule_set(ALERTS).rules if rule.deliver.feed]
    start = datetime(2025, 1, 1, tzinfo=UTC)
    items, match_rows, story_id = [], [], 0
    with engine.begin() as connection:
        for number in range(int(matches * 0.8)):
            if number == 0 or rng.random() > 0.15:  # 15 % of items are later copies of the story before
                story_id = connection.execute(insert(Story).values(created_at=start)).inserted_primary_key[0]
            moment = start + timedelta(minutes=number)
            items.append(dict(
                id=number + 1, source_id=rng.choice(["yonhap", "rijksoverheid-nieuws", "thelec", "eetimes"]),
                url=f"https://news.example/{number}", canonical_url=f"https://news.example/{number}",
                url_key=f"{number:040d}", guid_key=None, title=_sentence(rng, 12), summary=_sentence(rng, 50),
                body=_sentence(rng, 400), author="", ministry="", language=rng.choice(["nl", "en", "ko"]),
                published_at=moment, fetched_at=moment, updated_at=None, content_hash=f"{number:064d}",
                body_hash=f"{number:064d}", raw_hash="", minhash=None, story_id=story_id, duplicate_of=None,
                revision=1, empty_text=False,
            ))
        connection.execute(insert(Item), items)
        pairs: set[tuple[int, str]] = set()
        while len(pairs) < matches:
            pairs.add((rng.choice(items)["id"], rng.choice(rule_ids)))
        for item_id, rule_id in sorted(pairs):
            item = items[item_id - 1]
            hits = [{"term": f"{rng.choice(WORDS)}*", "field": "body", "start": 10, "end": 20,
                     "snippet": f"…{_sentence(rng, 6)} **{rng.choice(WORDS)}** {_sentence(rng, 6)}…"}
                    for _ in range(rng.randint(1, 3))]
            match_rows.append(dict(item_id=item_id, rule_id=rule_id, story_id=item["story_id"],
                                   explanation=json.dumps({"hits": hits}), backfill=False,
                                   matched_at=item["fetched_at"]))
        connection.execute(insert(Match), match_rows)
    token = create_token(engine, "all")
    engine.dispose()
    return token


def serve(database: str, mode: str, port: int, access_log: bool) -> None:
    """The server process: the app (cached) or the baseline (naive, no cache) under uvicorn."""
    import uvicorn

    from monitor.config import Settings
    from monitor.store.database import create_store_engine
    from monitor.web import create_app, feed_app, uvicorn_log_config
    from monitor.web.feeds import FeedService

    engine = create_store_engine(f"sqlite:///{database}")
    rules = load_rule_set(ALERTS)
    if mode == "naive":
        service = FeedService(engine, rules.rules, home_url="http://127.0.0.1/", cache_size=0, validator_seconds=0)
        app = feed_app(service)
    else:
        app = create_app(engine, Settings.from_env(), rules=rules)
    uvicorn.run(app, host="127.0.0.1", port=port, workers=1, log_config=uvicorn_log_config(),
                access_log=access_log, log_level="info" if access_log else "warning")


def _free_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return probe.getsockname()[1]


def _pin(core: int) -> list[str]:
    return ["taskset", "-c", str(core)] if shutil.which("taskset") and (os.cpu_count() or 1) > 1 else []


def start_server(database: Path, mode: str, access_log: bool) -> tuple[subprocess.Popen[bytes], int]:
    port = _free_port()
    command = [*_pin(0), sys.executable, __file__, "--serve", str(database), mode, str(port)]
    if access_log:
        command.append("--access-log")
    quiet = subprocess.DEVNULL if access_log else None  # uvicorn's start/stop lines, access lines
    process = subprocess.Popen(command, stdout=subprocess.DEVNULL, stderr=quiet)
    deadline = time.monotonic() + 30
    while time.monotonic() < deadline:
        try:
            with socket.create_connection(("127.0.0.1", port), timeout=0.2):
                return process, port
        except OSError:
            time.sleep(0.1)
    process.kill()
    raise SystemExit(f"the {mode} server did not start")


def fetch(url: str) -> tuple[int, str, int]:
    """(status, ETag, number of entries in an RSS body) of one GET."""
    with urllib.request.urlopen(url) as response:
        body = response.read()
        return response.status, response.headers["ETag"], body.count(b"<item>")


def run_wrk(url: str, seconds: float, headers: dict[str, str]) -> float:
    command = [*_pin(1), "wrk", "-t1", "-c32", f"-d{max(1, round(seconds))}s"]
    for name, value in headers.items():
        command += ["-H", f"{name}: {value}"]
    output = subprocess.run([*command, url], capture_output=True, text=True, check=True).stdout
    if "Non-2xx or 3xx" in output or "Socket errors" in output:
        raise SystemExit(f"wrk saw errors:\n{output}")
    return float(re.search(r"Requests/sec:\s+([\d.]+)", output).group(1))  # type: ignore[union-attr]


def run_python_load(url: str, seconds: float, headers: dict[str, str]) -> float:
    """Fallback load generator without wrk: 32 keep-alive connections from one asyncio loop on core 1."""
    import asyncio

    import httpx

    if hasattr(os, "sched_setaffinity") and (os.cpu_count() or 1) > 1:
        os.sched_setaffinity(0, {1})

    async def worker(client: httpx.AsyncClient, stop: float) -> int:
        done = 0
        while time.monotonic() < stop:
            response = await client.get(url, headers=headers)
            assert response.status_code in (200, 304), response.status_code
            done += 1
        return done

    async def main() -> float:
        limits = httpx.Limits(max_connections=32, max_keepalive_connections=32)
        async with httpx.AsyncClient(limits=limits) as client:
            start = time.monotonic()
            counts = await asyncio.gather(*(worker(client, start + seconds) for _ in range(32)))
            return sum(counts) / (time.monotonic() - start)

    rate = asyncio.run(main())
    if hasattr(os, "sched_setaffinity"):
        os.sched_setaffinity(0, set(range(os.cpu_count() or 1)))
    return rate


REQUESTS = (  # (label, format, conditional)
    ("full 50-entry RSS, 200", "rss", False),
    ("full 50-entry Atom, 200", "atom", False),
    ("full 50-entry JSON Feed, 200", "json", False),
    ("conditional RSS, 304", "rss", True),
    ("conditional JSON Feed, 304", "json", True),
)
TARGETS = {False: 500.0, True: 2000.0}


def _versions() -> str:
    from importlib.metadata import version

    packages = ("uvicorn", "starlette", "h11", "feedgen", "lxml", "sqlalchemy", "nh3")
    found = ", ".join(f"{name} {version(name)}" for name in packages)
    wrk = "wrk 4" if shutil.which("wrk") else "python load generator (no wrk)"
    return f"Python {sys.version.split()[0]}, {found}; {wrk}"


def measure(args: argparse.Namespace, database: Path, token: str) -> dict[tuple[str, str], list[float]]:
    load = run_wrk if shutil.which("wrk") else run_python_load
    servers = {mode: start_server(database, mode, args.access_log) for mode in ("cached", "naive")}
    rates: dict[tuple[str, str], list[float]] = {}
    try:
        for _ in range(args.reps):
            for label, fmt, conditional in REQUESTS:
                for mode, (_process, port) in servers.items():
                    url = f"http://127.0.0.1:{port}/feeds/{token}/all.{fmt}"
                    status, etag, entries = fetch(url)
                    assert status == 200 and (fmt != "rss" or entries == 50), (status, entries)
                    headers = {"If-None-Match": etag} if conditional else {}
                    rates.setdefault((label, mode), []).append(load(url, args.seconds, headers))
    finally:
        for process, _port in servers.values():
            process.terminate()
            process.wait(10)
    return rates


def report(rates: dict[tuple[str, str], list[float]], args: argparse.Namespace) -> None:
    print(f"{args.matches:,} matches in SQLite; server on 1 core (uvicorn, 1 process); load on the other core; "
          f"{args.seconds:g} s per run, median of {args.reps}; access log {'on' if args.access_log else 'off'}")
    print(f"{'request':<30} {'cached req/s':>13} {'naive req/s':>12} {'ratio':>7} {'target':>8}")
    for label, _fmt, conditional in REQUESTS:
        cached = statistics.median(rates[(label, "cached")])
        naive = statistics.median(rates[(label, "naive")])
        target = TARGETS[conditional]
        verdict = "ok" if cached >= target else "MISSED"
        print(f"{label:<30} {cached:>13,.0f} {naive:>12,.0f} {cached / naive:>6.1f}× {target:>6,.0f} {verdict}")
    print(_versions())


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--matches", type=int, default=5000)
    parser.add_argument("--seconds", type=float, default=5.0)
    parser.add_argument("--reps", type=int, default=3)
    parser.add_argument("--access-log", action="store_true", help="Servers write uvicorn's access log.")
    parser.add_argument("--serve", nargs=3, metavar=("DB", "MODE", "PORT"), help=argparse.SUPPRESS)
    args = parser.parse_args()
    if args.serve:
        serve(args.serve[0], args.serve[1], int(args.serve[2]), args.access_log)
        return 0
    with tempfile.TemporaryDirectory(prefix="bench-feeds-") as folder:
        database = Path(folder) / "monitor.db"
        token = build_store(database, args.matches)
        report(measure(args, database, token), args)
    return 0


if __name__ == "__main__":
    sys.exit(main())
