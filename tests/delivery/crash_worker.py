"""Subprocess of the kill-and-restart test: match stored items with the outbox hook, say so, then wait.

`python -m tests.delivery.crash_worker DATABASE_URL ALERTS_DIR`: commits the matches and their delivery
rows in one transaction, prints `committed N`, and sleeps until the test kills it with SIGKILL — a process
that dies between committing a match and sending it.
"""

from __future__ import annotations

import os
import sys
import time
from pathlib import Path

from monitor.delivery.channel_config import load_channels
from monitor.delivery.enqueue import make_enqueue_hook
from monitor.rules.stage import run_match_stage
from monitor.store.database import open_store
from tests.delivery.conftest import rule_set


def main() -> None:
    database_url, alerts_dir = sys.argv[1], Path(sys.argv[2])
    engine = open_store(database_url)
    rules = rule_set(("memory", "Memory", ("generic",)))
    channels = load_channels(alerts_dir / "channels.toml", os.environ)
    hook = make_enqueue_hook(rules, channels)
    run_match_stage(engine, rules, on_new_matches=hook)
    print(f"committed {hook.totals.queued}", flush=True)  # type: ignore[attr-defined]
    time.sleep(600)


if __name__ == "__main__":
    main()
