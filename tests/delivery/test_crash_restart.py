"""Kill -9 between commit and send, and between the receiver's 2xx and the record: nothing lost, one key.

(a) A process commits matches with their deliveries and is killed before sending: after a restart
(`monitor dispatch` in a new process) each is sent exactly once. (b) `monitor dispatch` gets the receiver's
200 but is killed before it can mark the delivery sent (the test holds the database so the write waits):
after a restart the delivery goes out at most once more, with the same key, and is then marked sent.
"""

from __future__ import annotations

import os
import signal
import subprocess
import sys
import threading
import time
from datetime import UTC, datetime, timedelta
from pathlib import Path

import pytest
from sqlalchemy import Engine, select
from standardwebhooks import Webhook

from monitor.delivery.channel_config import load_channels
from tests.delivery.conftest import SECRET, deliveries, enqueue, rule_set, store_match
from tests.delivery.dispatch_helpers import dispatch
from tests.delivery.receiver import Received, Receiver, ok
from tests.rules.store_items import insert_items, item_row

ROOT = Path(__file__).resolve().parents[2]
pytestmark = pytest.mark.slow


def alerts_dir(tmp_path: Path) -> Path:
    folder = tmp_path / "alerts"
    folder.mkdir()
    (folder / "channels.toml").write_text(
        '[channels.generic]\nkind = "webhook"\nurl_env = "TEST_HOOK_URL"\nsecret_env = "TEST_HOOK_SECRET"\n')
    return folder


def environment(database_url: str, folder: Path, hook_url: str) -> dict[str, str]:
    return {**os.environ, "MONITOR_DATABASE_URL": database_url, "MONITOR_ALERTS_DIR": str(folder),
            "MONITOR_ALLOW_PRIVATE_NETWORKS": "1", "TEST_HOOK_URL": hook_url, "TEST_HOOK_SECRET": SECRET}


def run_cli(env: dict[str, str], *args: str) -> subprocess.CompletedProcess[str]:
    return subprocess.run([sys.executable, "-m", "monitor", *args], cwd=ROOT, env=env, capture_output=True,
                          text=True, timeout=60)


def test_killed_after_commit_before_send(engine: Engine, database_url: str, receiver: Receiver,
                                         tmp_path: Path) -> None:
    url = receiver.script("/hook", ok())
    folder = alerts_dir(tmp_path)
    env = environment(database_url, folder, url)
    insert_items(engine, [item_row(n, f"SK hynix HBM shipments, report {n}.") for n in range(1, 4)])
    worker = subprocess.Popen([sys.executable, "-m", "tests.delivery.crash_worker", database_url, str(folder)],
                              cwd=ROOT, env=env, stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True)
    try:
        line = worker.stdout.readline() if worker.stdout else ""
        assert line.startswith("committed 3"), (line, worker.stderr.read() if worker.stderr else "")
        worker.send_signal(signal.SIGKILL)
    finally:
        worker.kill()
        worker.wait(timeout=10)
    assert receiver.at("/hook") == [] and {row.status for row in deliveries(engine)} == {"pending"}
    restarted = run_cli(env, "dispatch")
    assert restarted.returncode == 0, restarted.stderr
    assert "3 sent" in restarted.stdout and SECRET not in restarted.stdout + restarted.stderr
    assert run_cli(env, "dispatch").returncode == 0
    received = receiver.at("/hook")
    keys = {row.idempotency_key for row in deliveries(engine)}
    assert len(received) == 3 and {request.header("webhook-id") for request in received} == keys
    assert {row.status for row in deliveries(engine)} == {"sent"}


class DatabaseHold:
    """Holds the delivery rows (PostgreSQL) or SQLite's write lock from a thread until released."""

    def __init__(self, engine: Engine) -> None:
        self.engine = engine
        self.take, self.held, self.release = threading.Event(), threading.Event(), threading.Event()
        self.thread = threading.Thread(target=self._run, daemon=True)
        self.thread.start()

    def _run(self) -> None:
        from monitor.store.delivery_models import Delivery

        self.take.wait()
        with self.engine.connect() as connection:
            transaction = connection.begin()  # SQLite: BEGIN IMMEDIATE takes the write lock
            connection.execute(select(Delivery.id).with_for_update())
            self.held.set()
            self.release.wait(30)
            transaction.rollback()

    def before_answer(self, _request: Received) -> None:
        self.take.set()
        self.held.wait(10)


def test_killed_after_the_2xx_before_marking_sent(engine: Engine, database_url: str, receiver: Receiver,
                                                  tmp_path: Path) -> None:
    url = receiver.script("/hook", ok())
    folder = alerts_dir(tmp_path)
    env = environment(database_url, folder, url)
    channels = load_channels(folder / "channels.toml", env)
    enqueue(engine, [store_match(engine, "memory")], rule_set(("memory", "Memory", ("generic",))), channels,
            now=datetime.now(UTC))
    hold = DatabaseHold(engine)
    receiver.before_answer = hold.before_answer
    dispatcher = subprocess.Popen([sys.executable, "-m", "monitor", "dispatch"], cwd=ROOT, env=env,
                                  stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True)
    try:
        assert hold.held.wait(30), "the dispatcher never reached the receiver"
        time.sleep(0.5)  # the 200 reaches the dispatcher, which now waits to record it
        dispatcher.send_signal(signal.SIGKILL)
        dispatcher.wait(timeout=10)
    finally:
        hold.release.set()
        dispatcher.kill()
        hold.thread.join(10)
    receiver.before_answer = None
    (row,) = deliveries(engine)
    assert row.status == "pending" and len(receiver.at("/hook")) == 1
    assert run_cli(env, "dispatch").returncode == 0 and len(receiver.at("/hook")) == 1  # lease still live
    report = dispatch(engine, channels, datetime.now(UTC) + timedelta(minutes=6))
    assert report.sent == 1
    dispatch(engine, channels, datetime.now(UTC) + timedelta(hours=1))
    received = receiver.at("/hook")
    assert len(received) == 2 and {request.header("webhook-id") for request in received} == {row.idempotency_key}
    for request in received:
        Webhook(SECRET).verify(request.body, request.headers)
    assert deliveries(engine)[0].status == "sent"
