"""One SQLite file under the service's concurrent load for a bounded time: crawl writes (items, crawl runs,
source state), the match stage with the delivery hook, the dispatcher marking deliveries sent, job claims and
feed reads through the web app, all at once. No "database is locked", no lost write."""

from __future__ import annotations

import asyncio
import threading
import time
from collections.abc import Callable
from datetime import UTC, datetime
from pathlib import Path

from sqlalchemy import Engine, insert

from monitor.config import Settings
from monitor.crawl.run_outcome import RunCounts, RunOutcome
from monitor.crawl.run_recorder import record_outcomes
from monitor.delivery.channel_config import load_channels
from monitor.delivery.dispatcher import dispatch_due
from monitor.delivery.enqueue import make_enqueue_hook
from monitor.rules.ruleset import load_rule_set
from monitor.rules.stage import run_match_stage
from monitor.service.claims import claim
from monitor.store.database import open_store
from monitor.store.models import Item
from monitor.web.app import create_app
from monitor.web.tokens import create_token
from tests.e2e.harness import query
from tests.rules.store_items import item_row
from tests.service.harness import WebhookReceiver, alerts_dir, wait_for
from tests.web.app_client import AppClient

SECONDS = 5.0
BODY = "SK hynix will double HBM3E output at its Cheongju plant, the memory maker said on {n}."


def loop_until(stop: threading.Event, errors: list[BaseException], work: Callable[[int], None]) -> threading.Thread:
    def run() -> None:
        n = 0
        while not stop.is_set():
            try:
                work(n)
            except BaseException as error:  # any failure fails the test, with its message
                errors.append(error)
                return
            n += 1

    thread = threading.Thread(target=run, daemon=True)
    thread.start()
    return thread


class Load:
    """The service's writers and readers on one SQLite file, each callable in a loop."""

    def __init__(self, tmp_path: Path) -> None:
        self.url = f"sqlite:///{tmp_path / 'monitor.db'}"
        self.engine: Engine = open_store(self.url)
        self.hook = WebhookReceiver()
        folder = alerts_dir(tmp_path)
        env = {"TEST_HOOK_URL": self.hook.url("/hook"), "TEST_OPS_URL": self.hook.url("/ops"),
               "MONITOR_ALLOW_PRIVATE_NETWORKS": "1"}
        self.channels = load_channels(folder / "channels.toml", env)
        self.rules = load_rule_set(folder)
        self.token = create_token(self.engine)
        self.client = AppClient(create_app(self.engine, Settings.from_env({"MONITOR_DATABASE_URL": self.url}),
                                           rules=self.rules))
        self.written = 0
        self.reads = 0

    def crawl(self, n: int) -> None:
        rows = [item_row(10 * n + k, BODY.format(n=10 * n + k), source_id="press", fetched_at=datetime.now(UTC))
                for k in range(10)]
        with self.engine.begin() as connection:
            connection.execute(insert(Item), rows)
        self.written += len(rows)
        record_outcomes(self.engine, {"press": RunOutcome("ok", RunCounts(new=10), None)}, {})
        time.sleep(0.1)

    def match(self, _n: int) -> None:
        run_match_stage(self.engine, self.rules, on_new_matches=make_enqueue_hook(self.rules, self.channels))

    def dispatch(self, _n: int) -> None:
        asyncio.run(dispatch_due(self.engine, self.channels))

    def claims(self, n: int) -> None:
        claim(self.engine, "crawl:press", datetime.fromtimestamp(1_800_000_000 + n, UTC), "node")

    def read(self, _n: int) -> None:
        answer = self.client.get(f"/feeds/{self.token}/all.rss")
        assert answer.status_code == 200, answer.text
        self.reads += 1

    def all_sent(self) -> bool:
        self.dispatch(0)
        return query(self.url, "select count(*) from deliveries where status = 'pending'") == [(0,)]

    def close(self) -> None:
        self.client.close()
        self.hook.close()
        self.engine.dispose()


def test_sqlite_takes_crawls_matching_dispatch_claims_and_feed_reads_at_once(tmp_path: Path) -> None:
    load = Load(tmp_path)
    errors: list[BaseException] = []
    stop = threading.Event()
    workers = (load.crawl, load.match, load.dispatch, load.claims, load.read, load.read)
    threads = [loop_until(stop, errors, work) for work in workers]
    time.sleep(SECONDS)
    stop.set()
    for thread in threads:
        thread.join(30)
    try:
        assert not errors, [f"{type(error).__name__}: {error}" for error in errors]
        load.match(0)
        url, items = load.url, load.written
        assert query(url, "select count(*) from items") == [(items,)]
        assert query(url, "select count(*) from crawl_runs") == [(items // 10,)]
        assert query(url, "select count(*) from matches where rule_id = 'memory-hbm'") == [(items,)]
        deliveries = query(url, "select count(*) from deliveries where channel = 'team-slack'")[0][0]
        assert deliveries >= items  # one alert per item (each its own story) and rule
        wait_for(load.all_sent, 60, "every delivery sent")
        keys = [entry.headers.get("Idempotency-Key") for entry in load.hook.to("/hook")]
        assert len(keys) == len(set(keys)) == deliveries
        assert items >= 50 and load.reads >= 20
    finally:
        load.close()
