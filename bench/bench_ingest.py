"""Ingestion benchmark on the loopback feed farm (bench/farm, copied from the workplace's shared/bench).

Protocol (bench/farm/README.md): reset → fresh store → pass 1 (25,000 new) → pass 2 (all 304) → advance 10 % of
the feeds by 5 items → pass 3 (250 new); one `monitor crawl --all` process per pass, start-up included, under
/usr/bin/time -v; three repetitions, medians. The bare floor (urllib + feedparser, no storage) runs in the same
session as the baseline and the table prints the ratio.

    .venv/bin/python bench/bench_ingest.py [--reps 3] [--port 8765]
"""

from __future__ import annotations

import argparse
import json
import os
import subprocess
import sys
import time
import urllib.request
from pathlib import Path

HERE = Path(__file__).resolve().parent
FARM = HERE / "farm"
ROOT = HERE.parent
WORK = Path("/tmp/monitor-bench")


def farm_up(port: int) -> subprocess.Popen | None:
    try:
        urllib.request.urlopen(f"http://127.0.0.1:{port}/feeds.txt", timeout=2).read()
        return None
    except OSError:
        pass
    farm_dir = WORK / "farm"
    if not (farm_dir / "state.json").exists():
        subprocess.run([sys.executable, str(FARM / "farm.py"), "generate", "--dir", str(farm_dir), "--feeds", "500",
                        "--items", "50", "--seed", "42", "--port", str(port)], check=True, capture_output=True)
    server = subprocess.Popen([sys.executable, str(FARM / "farm.py"), "serve", "--dir", str(farm_dir),
                               "--port", str(port)], stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
    for _ in range(100):
        try:
            urllib.request.urlopen(f"http://127.0.0.1:{port}/feeds.txt", timeout=2).read()
            return server
        except OSError:
            time.sleep(0.2)
    raise SystemExit("the farm did not start")


def write_sources(port: int) -> Path:
    urls = urllib.request.urlopen(f"http://127.0.0.1:{port}/feeds.txt").read().decode().split()
    WORK.mkdir(parents=True, exist_ok=True)
    path = WORK / "farm-sources.toml"
    path.write_text("".join(f'[[sources]]\nid = "farm-{n}"\nfamily = "feed"\nurls = ["{url}"]\n'
                            f'schedule = "15m"\n\n' for n, url in enumerate(urls)), encoding="utf-8")
    return path


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--reps", type=int, default=3)
    parser.add_argument("--port", type=int, default=8765)
    args = parser.parse_args()
    server = farm_up(args.port)
    sources = write_sources(args.port)
    store = WORK / "store"
    results = WORK / "results"
    for old in results.glob("*.jsonl"):
        old.unlink()
    monitor = ROOT / ".venv" / "bin" / "monitor"
    env_prefix = (f"MONITOR_DATABASE_URL=sqlite:///{store}/m.db MONITOR_SOURCES={sources} "
                  f"MONITOR_ALLOW_PRIVATE_NETWORKS=1 MONITOR_PER_HOST_DELAY=0 MONITOR_HOME={store}")
    count_sql = "select count(*) from items"
    count = (f"{sys.executable} -c \"import sqlite3;"
             f"print(sqlite3.connect('{store}/m.db').execute('{count_sql}').fetchone()[0])\"")
    try:
        subprocess.run([sys.executable, str(FARM / "bench_cmd.py"), "--name", "monitor", "--reps", str(args.reps),
                        "--port", str(args.port), "--out", str(results),
                        "--setup", f"rm -rf {store} && mkdir -p {store}",
                        "--pass-cmd", f"{env_prefix} {monitor} crawl --all --no-progress > /dev/null",
                        "--count-cmd", count, "--size-path", str(store)], check=True)
        subprocess.run([sys.executable, str(FARM / "baseline.py"), "--reps", str(args.reps), "--port",
                        str(args.port), "--modes", "seq", "seq-304", "--out", str(results)], check=True)
        print_ratios(results)
    finally:
        if server:
            server.terminate()
    return 0


def _median(values: list[float]) -> float:
    ordered = sorted(values)
    return ordered[len(ordered) // 2]


def _load(path: Path) -> list[dict]:
    return [json.loads(line) for line in path.read_text().splitlines() if line.strip()] if path.exists() else []


PEER = {1: 16.2, 2: 1.32, 3: 2.96}
"""`reader` 3.26 on the same farm and protocol, one process per pass (bench/farm/README.md)."""
TARGET = {1: 12.0, 2: 1.2, 3: 2.0}


def print_ratios(results: Path) -> None:
    """monitor's medians against the bare floor measured in this run, the peer's figures and the targets."""
    runs = _load(results / "cmd_monitor.jsonl")
    floor = {row["mode"]: [] for row in _load(results / "baseline.jsonl")}
    for row in _load(results / "baseline.jsonl"):
        floor[row["mode"]].append(row["wall_s"])
    floor_wall = {1: _median(floor.get("seq", [0])), 2: _median(floor.get("seq-304", [0]))}
    print("\n| pass | monitor wall s | new | peak MB | bare floor s (this run) | × floor | reader 3.26 s | target s |")
    print("| --- | --- | --- | --- | --- | --- | --- | --- |")
    for index, number in enumerate((1, 2, 3)):
        passes = [run["passes"][index] for run in runs]
        wall = _median([p["wall_s"] for p in passes])
        base = floor_wall.get(number)
        ratio = f"{wall / base:.2f}" if base else "—"
        print(f"| {number} | {wall:.2f} | {_median([p['new_entries'] or 0 for p in passes])} "
              f"| {_median([p['peak_rss_mb'] or 0 for p in passes]):.0f} | {base or '—'} | {ratio} "
              f"| {PEER[number]} | {TARGET[number]} |")


if __name__ == "__main__":
    os.chdir(ROOT)
    sys.exit(main())
