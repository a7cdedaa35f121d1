"""Benchmark of the rule matcher (issue #3): throughput, ratio to a naive baseline, and `monitor rules test`.

1. 1,000 rules generated from nl/en/ko vocabularies over 10,000 items of ~3 KB, on one core: MB/s of
   `RuleMatcher.match` versus a naive baseline measured in the same run (each rule as one Python regex applied
   to every item). The baseline is timed on a subset and extrapolated (it is ~100× slower); median of 3.
2. `monitor rules test semiconductor-industry` over 100,000 items stored in SQLite, timed as a whole command.

Run: .venv/bin/python bench/bench_rules.py [--items 10000] [--rules 1000] [--stored 100000] [--skip-store]
"""

from __future__ import annotations

import argparse
import hashlib
import os
import random
import re
import statistics
import subprocess
import sys
import tempfile
import time
from datetime import UTC, datetime, timedelta
from pathlib import Path

import ahocorasick

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT / "src"))

from monitor.rules import MatchItem, RuleMatcher, parse_query  # noqa: E402
from monitor.rules.rulefile import Rule  # noqa: E402


def _words(text: str) -> list[str]:
    return text.split()


NAMES = _words(
    "ASML ASMI NXP Nexperia Besi Philips Prodrive VDL Zeiss Trumpf Shell Heineken Ahold Booking Adyen "
    "Prosus Wolters Randstad Signify Fugro Boskalis Damen Thales Airbus Siemens Bosch Infineon Nvidia "
    "Intel TSMC Samsung Hyundai Kia Doosan Hanwha Naver Kakao Micron Kioxia Qualcomm Broadcom Apple "
    "Google Microsoft Amazon Huawei SMIC Tesla BYD CATL Rapidus Imec TNO Qutech Photondelta Smart "
    "Photonics Eindhoven Veldhoven Delft Twente Nijmegen Groningen Rotterdam Amsterdam Utrecht Leiden "
    "Seoul Busan Pyeongtaek Yongin Hwaseong Icheon Cheongju Gumi Ulsan Daejeon Incheon Tokyo Taipei "
    "Hsinchu Dresden Beljaarts Bruins Klever Schoof Hoekstra Ahn Yoon Lee Choi Kim Park Jung Kang Cho "
    "Han"
)
NL_HEADS = _words(
    "chip halfgeleider export lithografie geheugen wafer batterij waterstof kwantum fotonica defensie "
    "energie netwerk data software robot sensor laser satelliet micro"
)
NL_TAILS = _words(
    "fabriek industrie sector productie beleid markt tekort machine bedrijf technologie onderzoek "
    "investering subsidie strategie keten export toezicht wet fonds campus"
)
EN_ADJECTIVES = _words("advanced global domestic critical strategic leading mature new key")
EN_NOUNS = _words(
    "chip memory wafer packaging lithography foundry supply export investment subsidy factory fab "
    "equipment technology research talent"
)
KO_HEADS = _words(
    "반도체 메모리 배터리 수출 공급망 인공지능 디스플레이 수소 원전 방산 바이오 자동차 조선 철강 통신"
)
KO_TAILS = _words("공장 산업 정책 투자 협력 규제 지원 기술 시장 생산 수출 장비 소재 인력 연구")


def vocabularies() -> dict[str, list[str]]:
    """About 1,000 realistic domain terms per language: compounds, phrases, names, prefixes."""
    nl = [head + tail for head in NL_HEADS for tail in NL_TAILS] + NAMES
    en = [f'"{adjective} {noun}"' for adjective in EN_ADJECTIVES for noun in EN_NOUNS] + NAMES
    en += [noun + "*" for noun in EN_NOUNS]
    ko = [head + tail for head in KO_HEADS for tail in KO_TAILS] + NAMES
    return {"nl": nl, "en": en, "ko": ko}


VOCABULARIES = vocabularies()
FILLER = {
    "nl": (
        "de het een en van in op met voor dat is zijn werd heeft over naar door bij ook nog om tot uit "
        "maar als dan deze die jaar week dinsdag gemeente provincie regering bedrijven onderzoek markt "
        "prijzen economie plannen nieuwe grote Nederlandse volgens verder tijdens landen beleid sector"
    ),
    "en": (
        "the a and of in on with for that is are was has have about to by at also still from but as "
        "then this these year week Tuesday city province government companies research market prices "
        "economy plans new large according further during countries policy sector said would could"
    ),
    "ko": (
        "정부는 이날 발표했다 올해 지난해 기업 시장 가격 경제 계획 새로운 대규모 따르면 또한 기간 "
        "국가 정책 분야 관계자는 말했다 예정이다 밝혔다 위해 대한 있는 했다 것으로 이번 지역 회의 "
        "발표 증가 감소 전망 국내 해외 주요 관련 지원 추진 확대 강화 협의 논의"
    ),
}


def make_rules(count: int, rng: random.Random) -> list[Rule]:
    """Realistic shapes: OR-lists, AND with context, NEAR, phrases, NOT, case-sensitive acronyms, scopes."""
    rules: list[Rule] = []
    pools = VOCABULARIES
    for index in range(count):
        language = rng.choice(["nl", "en", "ko"])
        words = pools[language]
        a, b, c, d = rng.sample(words, 4)
        shape = index % 6
        if shape == 0:
            query = f"{a} OR {b} OR {c}"
        elif shape == 1:
            query = f"({a} OR {b}) AND {c}"
        elif shape == 2:
            query = f"{a} NEAR/10 ({b} OR {c})"
        elif shape == 3:
            phrase = " ".join(word.strip('"').rstrip("*") for word in (a, b))
            query = f'"{phrase}" OR ({c} AND NOT {d})'
        elif shape == 4:
            query = f"title:{a} OR (body:{b} AND {c})"
        else:
            query = f"case:{rng.choice(['ASML', 'ASM', 'NXP', 'HBM', 'EUV', 'TSMC'])} AND ({a} OR {b})"
        rules.append(Rule(f"r{index}", f"rule {index}", query, parse_query(query)))
    return rules


def make_text(language: str, rng: random.Random, size: int = 3000) -> str:
    filler = FILLER[language].split()
    domain = [
        word.strip('"').rstrip("*") + ("s" if word.endswith("*") else "") for word in VOCABULARIES[language]
    ]
    words: list[str] = []
    length = 0
    while length < size:
        sentence = [rng.choice(domain) if rng.random() < 0.02 else rng.choice(filler) for _ in range(12)]
        text = " ".join(sentence).capitalize() + "."
        words.append(text)
        length += len(text.encode()) + 1
    return " ".join(words)


def make_items(count: int, rng: random.Random) -> list[MatchItem]:
    items = []
    for _ in range(count):
        language = rng.choices(["nl", "en", "ko"], weights=[4, 4, 2])[0]
        title = make_text(language, rng, 60)
        items.append(
            MatchItem(
                title=title, summary="", body=make_text(language, rng), source_id="bench", language=language
            )
        )
    return items


def naive_patterns(rules: list[Rule]) -> list[re.Pattern[str]]:
    """Each rule as one regex: an alternation of its words on word boundaries (ignores its boolean shape)."""
    patterns = []
    for rule in rules:
        words = re.findall(r'[\w-]+\*?|"[^"]+"', re.sub(r"\b(AND|OR|NOT|NEAR/\d+)\b|\w+:", " ", rule.query))
        alternatives = [
            re.escape(word.strip('"').rstrip("*")) + (r"\w*" if word.endswith("*") else "") for word in words
        ]
        patterns.append(re.compile(r"(?i)\b(?:" + "|".join(alternatives) + r")\b"))
    return patterns


def time_matcher(matcher: RuleMatcher, items: list[MatchItem], *, explain: bool) -> tuple[float, int]:
    """CPU seconds of matching every item; with `explain`, also the JSON explanation of every match."""
    started = time.process_time()
    matched = 0
    for item in items:
        matches = matcher.match(item)
        matched += len(matches)
        if explain:
            for match in matches:
                match.explanation_json()
    return time.process_time() - started, matched


def time_baseline(patterns: list[re.Pattern[str]], items: list[MatchItem]) -> float:
    started = time.process_time()
    for item in items:
        text = f"{item.title}\n{item.body}"
        for pattern in patterns:
            pattern.search(text)
    return time.process_time() - started


def item_bytes(items: list[MatchItem]) -> int:
    return sum(len(item.title.encode()) + len(item.body.encode()) for item in items)


def bench_matching(rule_count: int, item_count: int, rounds: int = 3) -> None:
    rng = random.Random(3)
    rules = make_rules(rule_count, rng)
    items = make_items(item_count, rng)
    megabytes = item_bytes(items) / 1e6
    started = time.process_time()
    matcher = RuleMatcher(rules, {})
    compile_seconds = time.process_time() - started
    patterns = naive_patterns(rules)
    subset = items[: max(1, item_count // 100)]
    subset_share = item_bytes(subset) / item_bytes(items)
    ours, explained, baseline, matched = [], [], [], 0
    for _ in range(rounds):
        seconds, matched = time_matcher(matcher, items, explain=False)
        ours.append(seconds)
        explained.append(time_matcher(matcher, items, explain=True)[0])
        baseline.append(time_baseline(patterns, subset) / subset_share)
    ours_s, base_s = statistics.median(ours), statistics.median(baseline)
    explained_s = statistics.median(explained)
    version = getattr(ahocorasick, "__version__", "2.3.1")
    print(f"versions: python {sys.version.split()[0]}, pyahocorasick {version}")
    print(
        f"corpus: {item_count} items, {megabytes:.1f} MB (nl/en/ko 4:4:2), {rule_count} rules, "
        f"{len(matcher.specs)} distinct terms, compiled in {compile_seconds:.2f} s; "
        f"{matched} matches ({matched / item_count:.1f} per item)"
    )
    print(f"{'engine (CPU seconds, median of ' + str(rounds) + ')':<52}{'seconds':>9}{'MB/s':>8}{'ratio':>8}")
    rows = [
        ("RuleMatcher.match: which rules match (evidence kept)", ours_s),
        ("  + explanation JSON with snippets for every match", explained_s),
        (f"naive: 1 regex per rule (timed on {len(subset)} items, extrapolated)", base_s),
    ]
    for label, seconds in rows:
        print(f"{label:<52}{seconds:>9.2f}{megabytes / seconds:>8.2f}{base_s / seconds:>7.0f}x")
    print("targets: >= 20 MB/s and >= 20x the baseline, one core")


def fill_store(url: str, count: int) -> None:
    from sqlalchemy import insert

    from monitor.store.database import open_store
    from monitor.store.models import Item

    engine = open_store(url)
    rng = random.Random(5)
    base = make_items(2000, rng)
    now = datetime.now(UTC)
    for start in range(0, count, 5000):
        rows = []
        for number in range(start, min(count, start + 5000)):
            item = base[number % len(base)]
            key = hashlib.sha1(str(number).encode()).hexdigest()
            rows.append(
                dict(
                    source_id=f"source-{number % 12}",
                    url=f"https://example.org/{number}",
                    canonical_url=f"https://example.org/{number}",
                    url_key=key,
                    title=item.title,
                    summary="",
                    body=item.body,
                    author="",
                    ministry="",
                    language=item.language,
                    published_at=now - timedelta(minutes=number),
                    fetched_at=now,
                    content_hash=key,
                    body_hash=key,
                    revision=1,
                    empty_text=False,
                )
            )
        with engine.begin() as connection:
            connection.execute(insert(Item), rows)
    engine.dispose()


def bench_rules_test(count: int) -> None:
    with tempfile.TemporaryDirectory() as folder:
        url = f"sqlite:///{folder}/bench.db"
        started = time.perf_counter()
        fill_store(url, count)
        print(f"\nstore: {count} items written to SQLite in {time.perf_counter() - started:.0f} s")
        env = {**os.environ, "MONITOR_DATABASE_URL": url, "MONITOR_ALERTS_DIR": str(ROOT / "alerts")}
        command = [
            sys.executable,
            "-c",
            "from monitor.cli import main; main()",
            "rules",
            "test",
            "semiconductor-industry",
            "--show",
            "3",
        ]
        timings = []
        for _ in range(3):
            started = time.perf_counter()
            done = subprocess.run(command, env=env, capture_output=True, text=True, check=False)
            timings.append(time.perf_counter() - started)
        summary = (done.stdout.strip().splitlines() or [done.stderr.strip()])[-1]
        print(
            f"`monitor rules test semiconductor-industry` over {count} stored items: "
            f"{statistics.median(timings):.2f} s median of 3 (target <= 10 s): {summary}"
        )


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--items", type=int, default=10_000)
    parser.add_argument("--rules", type=int, default=1_000)
    parser.add_argument("--stored", type=int, default=100_000)
    parser.add_argument("--skip-store", action="store_true")
    arguments = parser.parse_args()
    bench_matching(arguments.rules, arguments.items)
    if not arguments.skip_store:
        bench_rules_test(arguments.stored)


if __name__ == "__main__":
    main()
