"""`make bench`: every benchmark of the project, one after the other, each printing its own table.

Each compares with a baseline measured in the same run (see the module docstrings). Run one alone with
`.venv/bin/python bench/<name>.py --help`.
"""

from __future__ import annotations

import subprocess
import sys
from pathlib import Path

HERE = Path(__file__).resolve().parent
BENCHMARKS = [
    ("fingerprint, language, HTML to text (per item)", ["bench_fingerprint.py"]),
    ("feed parsing: fast path vs feedparser", ["bench_feed_parse.py"]),
    ("near-duplicate lookup, 100,000 items in the window", ["bench_neardup.py"]),
    ("article-text extraction on the fixture pages", ["bench_extraction.py"]),
    ("rule matching: 1,000 rules over 10,000 items", ["bench_rules.py"]),
    ("feed endpoint: full feeds and 304s", ["bench_feeds.py"]),
    ("webhook dispatch", ["bench_webhooks.py"]),
    ("email digests: 1,000 rendered and sent", ["bench_digests.py"]),
    ("the service: memory and freshness", ["bench_service.py"]),
    ("ingestion: the 500-feed farm, three passes", ["bench_ingest.py", "--reps", "3"]),
]


def main() -> int:
    failed = []
    for title, command in BENCHMARKS:
        script = HERE / command[0]
        if not script.exists():
            continue
        print(f"\n## {title}\n", flush=True)
        if subprocess.run([sys.executable, str(script), *command[1:]]).returncode:
            failed.append(command[0])
    if failed:
        print(f"\nfailed: {', '.join(failed)}")
    return 1 if failed else 0


if __name__ == "__main__":
    sys.exit(main())
