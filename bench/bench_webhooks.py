"""Benchmark of webhook delivery (issue #4): deliveries per second to a local receiver, target >= 200/s.

N signed generic-webhook deliveries (Standard Webhooks HMAC, JSON body) are queued in a fresh SQLite outbox
and sent to an asyncio HTTP/1.1 receiver on 127.0.0.1 running in its own process. Measured, median of 3:

- the dispatcher: `dispatch_due` called until nothing is due: claims, renders, signs, sends with bounded
  concurrency over keep-alive connections, records every attempt and marks each row sent;
- a naive baseline in the same run: one synchronous `httpx.post` per delivery (rendered and signed the same
  way), no concurrency and no bookkeeping at all. It is ~20x slower, so it is timed on `--baseline` of the
  deliveries and reported as a rate.

Run: .venv/bin/python bench/bench_webhooks.py [--deliveries 2000] [--baseline 300] [--reps 3]
"""

from __future__ import annotations

import argparse
import asyncio
import multiprocessing
import statistics
import sys
import tempfile
import time
from datetime import UTC, datetime
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT / "src"))

import httpx  # noqa: E402
from sqlalchemy import Engine, func, insert, select  # noqa: E402

from monitor.delivery.channel_config import ChannelSet, WebhookChannelConfig  # noqa: E402
from monitor.delivery.channels.registry import outgoing_request  # noqa: E402
from monitor.delivery.dispatcher import dispatch_due  # noqa: E402
from monitor.delivery.message import Entry, Message, Reason  # noqa: E402
from monitor.delivery.transport import NetworkPolicy, webhook_client  # noqa: E402
from monitor.store.database import open_store  # noqa: E402
from monitor.store.delivery_models import Delivery  # noqa: E402

SECRET = "whsec_MDEyMzQ1Njc4OWFiY2RlZjAxMjM0NTY3ODlhYmNkZWY="
TARGET = 200.0
ANSWER = b"HTTP/1.1 200 OK\r\nContent-Length: 2\r\nContent-Type: text/plain\r\n\r\nok"


async def _serve_connection(reader: asyncio.StreamReader, writer: asyncio.StreamWriter) -> None:
    try:
        while True:
            head = await reader.readuntil(b"\r\n\r\n")
            length = 0
            for line in head.split(b"\r\n"):
                if line.lower().startswith(b"content-length:"):
                    length = int(line.split(b":", 1)[1])
            await reader.readexactly(length)
            writer.write(ANSWER)
            await writer.drain()
    except (asyncio.IncompleteReadError, ConnectionError):
        pass
    finally:
        writer.close()


def _receiver(port_out: multiprocessing.Queue) -> None:  # type: ignore[type-arg]
    async def run() -> None:
        server = await asyncio.start_server(_serve_connection, "127.0.0.1", 0, backlog=1024)
        port_out.put(server.sockets[0].getsockname()[1])
        async with server:
            await server.serve_forever()

    asyncio.run(run())


def _message(number: int) -> Message:
    entry = Entry(title=f"SK hynix ships HBM4 samples, report {number}", url=f"https://example.org/{number}",
                  source="thelec", published_at="2025-03-01T09:30:00+00:00", language="en",
                  lead="The memory maker said on Monday it had shipped 12-layer HBM4 samples. " * 4,
                  why=(Reason("HBM", "title", "SK hynix ships **HBM**4 samples"),))
    return Message("alert", "Memory and HBM", (entry,), rule_id="memory-hbm", created_at="2025-03-01T12:00:00")


def _fill(engine: Engine, count: int, now: datetime) -> None:
    rows = [{"idempotency_key": f"msg_{number:032x}", "channel": "bench", "kind": "alert", "rule_id": "memory-hbm",
             "status": "pending", "payload": _message(number).to_json(), "attempts": 0, "failures": 0,
             "next_attempt_at": now, "queued_at": now, "created_at": now} for number in range(count)]
    with engine.begin() as connection:
        connection.execute(insert(Delivery), rows)


def _dispatcher_run(url: str, count: int) -> float:
    channels = ChannelSet({"bench": WebhookChannelConfig("bench", "webhook", "U", url, "S", SECRET)})
    with tempfile.TemporaryDirectory() as folder:
        engine = open_store(f"sqlite:///{folder}/bench.db")
        now = datetime.now(UTC)
        _fill(engine, count, now)

        async def send_all() -> None:
            async with webhook_client(NetworkPolicy(allow_private=True)) as client:
                while (await dispatch_due(engine, channels, now=now, client=client, limit=500)).sent:
                    pass

        started = time.perf_counter()
        asyncio.run(send_all())
        elapsed = time.perf_counter() - started
        with engine.connect() as connection:
            sent = connection.execute(select(func.count()).where(Delivery.status == "sent")).scalar_one()
        engine.dispose()
    if sent != count:
        raise SystemExit(f"dispatcher sent {sent} of {count}")
    return elapsed


def _baseline_run(url: str, count: int) -> float:
    config = WebhookChannelConfig("bench", "webhook", "U", url, "S", SECRET)
    started = time.perf_counter()
    for number in range(count):
        request = outgoing_request(config, _message(number), f"msg_{number:032x}", int(time.time()))
        httpx.post(request.url, content=request.body, headers=request.headers).raise_for_status()
    return time.perf_counter() - started


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--deliveries", type=int, default=2000)
    parser.add_argument("--baseline", type=int, default=300, help="deliveries timed for the baseline")
    parser.add_argument("--reps", type=int, default=3)
    args = parser.parse_args()
    ports: multiprocessing.Queue = multiprocessing.Queue()  # type: ignore[type-arg]
    server = multiprocessing.Process(target=_receiver, args=(ports,), daemon=True)
    server.start()
    url = f"http://127.0.0.1:{ports.get(timeout=10)}/hook"
    try:
        dispatcher = [_dispatcher_run(url, args.deliveries) for _ in range(args.reps)]
        scale = args.deliveries / args.baseline
        baseline = [_baseline_run(url, args.baseline) * scale for _ in range(args.reps)]
    finally:
        server.terminate()
    print(f"versions: python {sys.version.split()[0]}, httpx {httpx.__version__}; receiver: asyncio, own process")
    print(f"{'sender (' + str(args.deliveries) + ' deliveries, median of ' + str(args.reps) + ')':<58}"
          f"{'seconds':>9}{'per s':>9}")
    for label, timings in (("dispatcher (outbox, concurrent, records every attempt)", dispatcher),
                           ("naive baseline (one httpx.post at a time; rate of a subset)", baseline)):
        seconds = statistics.median(timings)
        print(f"{label:<58}{seconds:>9.2f}{args.deliveries / seconds:>9.0f}")
    rate = args.deliveries / statistics.median(dispatcher)
    ratio = statistics.median(baseline) / statistics.median(dispatcher)
    print(f"dispatcher {ratio:.1f}x the baseline; target >= {TARGET:.0f} deliveries/s: "
          f"{'met' if rate >= TARGET else 'NOT met'}")
    if rate < TARGET:
        raise SystemExit(1)


if __name__ == "__main__":
    main()
