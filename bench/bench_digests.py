"""Benchmark of email digests (issue #4): 1,000 personalised digests rendered and handed to a local SMTP server.

Every digest has its own recipients (1–3) and rule set (2 of 50 rules, ~20 matches in nl/en/ko, some grouped
into stories). Three ways, each timed as wall-clock seconds for all 1,000, median of --reps runs:

1. service path: `run_digest` per digest on a SQLite store (claim row, watermark query, content, render,
   message, one SMTP connection per digest, outcome recorded) — the figure the target (<= 60 s) is about;
2. pipeline: content → render → message → SMTP with one cached template environment and one reused SMTP
   connection (no store);
3. baseline, same pipeline with a fresh Jinja2 environment per digest (templates parsed and compiled every
   time) and a new SMTP connection per digest. Ratio = baseline / pipeline.

Run: .venv/bin/python bench/bench_digests.py [--digests 1000] [--reps 3] [--skip-store]
"""

from __future__ import annotations

import argparse
import random
import socket
import statistics
import subprocess
import sys
import tempfile
import time
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import replace
from datetime import UTC, datetime, timedelta
from importlib.metadata import version
from pathlib import Path
from typing import Any

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT / "src"))
sys.path.insert(0, str(ROOT))

from sqlalchemy import insert  # noqa: E402

from monitor.delivery.channel_config import EmailChannelConfig  # noqa: E402
from monitor.digests import Digest, run_digest  # noqa: E402
from monitor.digests.content import build_content  # noqa: E402
from monitor.digests.entry import MatchRow  # noqa: E402
from monitor.digests.message import build_message, message_bytes, message_id_for  # noqa: E402
from monitor.digests.render import DEFAULT_TEMPLATES_DIR, DigestTemplates  # noqa: E402
from monitor.digests.smtp import SmtpSession  # noqa: E402
from monitor.rules import RuleSet, rule_from_query  # noqa: E402
from monitor.store.database import open_store  # noqa: E402
from monitor.store.match_models import Match  # noqa: E402
from monitor.store.models import Item, Story  # noqa: E402

NOW = datetime(2026, 3, 29, 23, 30, tzinfo=UTC)  # after 08:00 in Seoul (23:00 UTC) and Amsterdam (06:00 UTC)
PERIOD = datetime(2026, 3, 29, 23, 0, tzinfo=UTC)
RULES = 50
MATCHES_PER_RULE = 10
TITLES = {
    "ko": ["SK하이닉스, HBM4 양산 돌입", "삼성전자 평택 공장 증설", "산업부, 반도체 수출통제 대응 회의",
           "ASML 한국 투자 확대"],
    "nl": ["Kabinet versterkt exportcontrole op chipmachines", "ASML opent trainingscentrum in Korea",
           "Minister bezoekt Seoul voor halfgeleiderakkoord", "Brainport en Yongin sluiten samenwerking"],
    "en": ["SK hynix ramps HBM4 for Nvidia", "Samsung delays Pyeongtaek line", "Dutch export rules tighten",
           "ASML posts record EUV orders"],
}


@contextmanager
def smtp_server() -> Iterator[int]:
    """aiosmtpd in its own process (so it does not compete with the client for the GIL), discarding mail."""
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        port = probe.getsockname()[1]
    process = subprocess.Popen([sys.executable, "-m", "aiosmtpd", "-n", "-c", "aiosmtpd.handlers.Sink",
                                "-l", f"127.0.0.1:{port}"])
    try:
        for _ in range(100):
            try:
                socket.create_connection(("127.0.0.1", port), timeout=1).close()
                break
            except OSError:
                time.sleep(0.05)
        yield port
    finally:
        process.terminate()
        process.wait(10)


def rule_set() -> RuleSet:
    base = rule_from_query("chip", {}, "rule-00")
    return RuleSet(tuple(replace(base, id=f"rule-{n:02d}", name=f"Rule {n}: chips and more") for n in range(RULES)))


def digests(count: int, rng: random.Random) -> list[Digest]:
    zones = ("Europe/Amsterdam", "Asia/Seoul")
    return [
        Digest(
            id=f"d{n:04d}", name=f"Digest {n}", channel="mail", schedule="0 8 * * *", timezone=zones[n % 2],
            recipients=tuple(f"user{n}-{k}@example.org" for k in range(1 + n % 3)),
            rules=tuple(f"rule-{r:02d}" for r in rng.sample(range(RULES), 2)), subject_prefix="[Monitor]",
        )
        for n in range(count)
    ]


def match_rows(rng: random.Random) -> dict[str, list[MatchRow]]:
    rows: dict[str, list[MatchRow]] = {}
    number = 0
    for rule in range(RULES):
        for k in range(MATCHES_PER_RULE):
            number += 1
            language = ("ko", "nl", "en")[number % 3]
            title = f"{rng.choice(TITLES[language])} ({number})"
            snippet = f"… {title.split()[0]} **{title.split()[1]}** {' '.join(title.split()[2:])} …"
            rows.setdefault(f"rule-{rule:02d}", []).append(MatchRow(
                match_id=number, rule_id=f"rule-{rule:02d}", item_id=number, story_id=number // 3 if k % 3 else None,
                explanation=f'{{"hits": [{{"term": "x", "field": "title", "snippet": "{snippet}"}}]}}',
                matched_at=NOW - timedelta(hours=18), title=title, summary=f"{title}. " * 6, body="",
                source_id=f"source-{number % 7}", language=language, published_at=PERIOD - timedelta(hours=k),
                url=f"https://example.org/news/{number}?a=1&b=2",
            ))
    return rows


def pipeline(all_digests: list[Digest], rows: dict[str, list[MatchRow]], channel: EmailChannelConfig,
             *, cached: bool) -> float:
    """Seconds to build, render and hand over every digest (cached: one env, one connection)."""
    started = time.perf_counter()
    shared = DigestTemplates(DEFAULT_TEMPLATES_DIR)
    session = SmtpSession(channel) if cached else None
    for digest in all_digests:
        templates = shared if cached else DigestTemplates(DEFAULT_TEMPLATES_DIR)
        chosen = [row for rule_id in digest.rules for row in rows[rule_id]]
        content = build_content(digest_id=digest.id, name=digest.name, timezone=digest.timezone, rows=chosen,
                                rule_names={r: r for r in digest.rules}, since=PERIOD - timedelta(days=1),
                                until=PERIOD, subject_prefix=digest.subject_prefix)
        message = build_message(templates.render(content), sender=channel.sender, recipients=digest.recipients,
                                message_id=message_id_for(digest.id, PERIOD, channel.sender), date=NOW)
        data = message_bytes(message)
        if session is not None:
            outcome = session.send(digest.recipients, data)
        else:
            with SmtpSession(channel) as one_off:
                outcome = one_off.send(digest.recipients, data)
        assert outcome.error is None and len(outcome.delivered) == len(digest.recipients), outcome
    if session is not None:
        session.close()
    return time.perf_counter() - started


def seed_store(url: str, rows: dict[str, list[MatchRow]]) -> Any:
    engine = open_store(url)
    with engine.begin() as connection:
        stories = {row.story_id for rule_rows in rows.values() for row in rule_rows if row.story_id is not None}
        story_ids = {story: connection.execute(insert(Story).values(created_at=NOW).returning(Story.id))
                     .scalar_one() for story in sorted(stories)}
        for rule_rows in rows.values():
            for row in rule_rows:
                item_id = connection.execute(insert(Item).values(
                    source_id=row.source_id, url=row.url, canonical_url=row.url, url_key=f"{row.item_id:040d}",
                    title=row.title, summary=row.summary, body="", language=row.language,
                    published_at=row.published_at, fetched_at=NOW, content_hash="h", body_hash=f"{row.item_id}",
                    story_id=story_ids.get(row.story_id),
                ).returning(Item.id)).scalar_one()
                connection.execute(insert(Match).values(
                    item_id=item_id, rule_id=row.rule_id, story_id=story_ids.get(row.story_id),
                    explanation=row.explanation, backfill=False, matched_at=row.matched_at))
    return engine


def service_path(all_digests: list[Digest], rows: dict[str, list[MatchRow]], channel: EmailChannelConfig) -> float:
    with tempfile.TemporaryDirectory() as folder:
        engine = seed_store(f"sqlite:///{folder}/bench.db", rows)
        rules, channels = rule_set(), {"mail": channel}
        started = time.perf_counter()
        for digest in all_digests:
            result = run_digest(engine, digest, channels, rules, now=NOW)
            assert result.status == "sent", result
        seconds = time.perf_counter() - started
        engine.dispose()
    return seconds


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--digests", type=int, default=1000)
    parser.add_argument("--reps", type=int, default=3)
    parser.add_argument("--skip-store", action="store_true", help="Only the pipeline and its baseline.")
    args = parser.parse_args()
    rng = random.Random(4)
    all_digests, rows = digests(args.digests, rng), match_rows(rng)
    timings: dict[str, list[float]] = {"store": [], "pipeline": [], "baseline": []}
    with smtp_server() as port:
        channel = EmailChannelConfig(name="mail", smtp_host="127.0.0.1", smtp_port=port, security="none",
                                     sender="monitor@example.org")
        for _ in range(args.reps):
            if not args.skip_store:
                timings["store"].append(service_path(all_digests, rows, channel))
            timings["pipeline"].append(pipeline(all_digests, rows, channel, cached=True))
            timings["baseline"].append(pipeline(all_digests, rows, channel, cached=False))
    matches = statistics.mean(sum(len(rows[r]) for r in digest.rules) for digest in all_digests)
    print(f"versions: python {sys.version.split()[0]}, jinja2 {version('jinja2')}, nh3 {version('nh3')}, "
          f"sqlalchemy {version('sqlalchemy')}, aiosmtpd {version('aiosmtpd')}")
    recipients = sum(len(digest.recipients) for digest in all_digests)
    print(f"{args.digests} digests, {matches:.0f} matches each, {recipients} recipients; every message "
          "accepted (250) by aiosmtpd in a separate process")
    base = statistics.median(timings["baseline"])
    labels = {"store": "run_digest on SQLite (claim, build, send, record)",
              "pipeline": "pipeline: cached templates, one SMTP connection",
              "baseline": "baseline: fresh Environment + connection per digest"}
    print(f"{'way (wall seconds, median of ' + str(args.reps) + ')':<58}{'seconds':>9}{'per s':>8}{'ratio':>8}")
    for key, label in labels.items():
        if timings[key]:
            seconds = statistics.median(timings[key])
            print(f"{label:<58}{seconds:>9.2f}{args.digests / seconds:>8.0f}{base / seconds:>7.1f}x")
    print("target: 1,000 digests rendered and handed to a local SMTP server in <= 60 s")


if __name__ == "__main__":
    main()
