"""Micro-benchmark of the pure text functions on 3 KB items: µs per call, median of 3 runs.

Run: .venv/bin/python bench/bench_fingerprint.py
"""

from __future__ import annotations

import hashlib
import html
import json
import statistics
import struct
import time
from collections.abc import Callable
from pathlib import Path

from monitor.dedup.fingerprint import NUM_HASHES, fingerprint, shingles
from monitor.text.html_text import html_to_text
from monitor.text.language import detect_language
from monitor.text.normalise import clean_text

PAIRS = Path(__file__).resolve().parents[1] / "tests" / "dedup" / "near_duplicates.jsonl"
ITEM_BYTES = 3_000
RUNS = 3
BASELINE_HASHES = 64


def items_by_language() -> dict[str, str]:
    """One 3 KB (UTF-8) item per language, stitched from different stories of the labelled set."""
    texts: dict[str, list[str]] = {"nl": [], "en": [], "ko": []}
    with PAIRS.open(encoding="utf-8") as lines:
        for line in lines:
            pair = json.loads(line)
            if pair["kind"] != "same_topic":  # two different stories in one language
                continue
            for text in (pair["a"], pair["b"]):
                language = detect_language(text)
                if language in texts and text not in texts[language]:
                    texts[language].append(text)
    return {lang: "\n\n".join(parts).encode()[:ITEM_BYTES].decode("utf-8", "ignore")
            for lang, parts in texts.items()}


def as_html(text: str) -> str:
    """The item as an article page: paragraphs, a script, a nav and some inline markup."""
    body = "".join(f"<p>{html.escape(p)}</p>\n" for p in text.split("\n\n"))
    return ("<html><head><title>t</title><script>var a = 1;</script></head><body>"
            f"<nav><a href='/'>Home</a></nav><article><h1>Title</h1>{body}"
            "<ul><li><b>Tags</b>: chips</li></ul></article></body></html>")


def naive_minhash(text: str) -> tuple[int, ...]:
    """The textbook baseline: every shingle hashed by BASELINE_HASHES separately seeded BLAKE2b functions."""
    grams = {gram.encode() for gram in shingles(text)}
    salts = [struct.pack("<Q", seed) for seed in range(BASELINE_HASHES)]
    return tuple(min(int.from_bytes(hashlib.blake2b(gram, digest_size=8, salt=salt).digest(), "little")
                     for gram in grams) for salt in salts)


def microseconds(function: Callable[[str], object], argument: str) -> float:
    """Median over RUNS of the mean time per call, in µs."""
    function(argument)
    calls = max(3, int(0.2 / max(_once(function, argument), 1e-7)))
    runs = []
    for _ in range(RUNS):
        started = time.perf_counter()
        for _ in range(calls):
            function(argument)
        runs.append((time.perf_counter() - started) / calls * 1e6)
    return statistics.median(runs)


def _once(function: Callable[[str], object], argument: str) -> float:
    started = time.perf_counter()
    function(argument)
    return time.perf_counter() - started


def main() -> None:
    items = items_by_language()
    print(f"µs per call on a {ITEM_BYTES:,}-byte item (median of {RUNS} runs); "
          f"fingerprint has {NUM_HASHES} hashes, the naive baseline {BASELINE_HASHES}")
    print(f"{'function':26} " + " ".join(f"{lang:>10}" for lang in items))
    rows: dict[str, dict[str, float]] = {
        "fingerprint": {lang: microseconds(fingerprint, text) for lang, text in items.items()},
        f"naive MinHash ({BASELINE_HASHES} blake2b)": {
            lang: microseconds(naive_minhash, text) for lang, text in items.items()},
        "detect_language": {lang: microseconds(detect_language, text) for lang, text in items.items()},
        "html_to_text (as <p> page)": {
            lang: microseconds(html_to_text, as_html(text)) for lang, text in items.items()},
        "html_to_text (plain text)": {lang: microseconds(html_to_text, text) for lang, text in items.items()},
        "clean_text": {lang: microseconds(clean_text, text) for lang, text in items.items()},
    }
    for name, figures in rows.items():
        print(f"{name:26} " + " ".join(f"{figures[lang]:10.1f}" for lang in items))
    baseline = rows[f"naive MinHash ({BASELINE_HASHES} blake2b)"]
    print(f"{'naive / fingerprint':26} " + " ".join(
        f"{baseline[lang] / rows['fingerprint'][lang]:9.0f}x" for lang in items))
    print("characters per item: " + ", ".join(f"{lang} {len(text):,}" for lang, text in items.items()))


if __name__ == "__main__":
    main()
