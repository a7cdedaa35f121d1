"""Article-text extraction on the fixture article pages: pages per second and token precision / recall of
trafilatura (the generic extractor the feed family uses for summary-only entries) against the text of each
page's known body container, with BeautifulSoup's whole-page `get_text()` as the baseline in the same run.

    .venv/bin/python bench/bench_extraction.py [--repeat 20]

The pages are the project's fixtures (tests/fixtures/): two trade-press articles, the Rijksoverheid seed
release (new platform, with its Next.js payload) and an old-platform page, MOTIR and MSIT detail pages. The
expected text is the page's body container, named per page below (the site-specific parsers read the same
containers); precision = share of extracted tokens that are body tokens, recall = share of body tokens found.
"""

from __future__ import annotations

import argparse
import re
import statistics
import sys
import time
from collections import Counter
from pathlib import Path

from bs4 import BeautifulSoup

ROOT = Path(__file__).resolve().parents[1]
FIXTURES = ROOT / "tests" / "fixtures"
PAGES = {
    "eetimes/article-sk-hynix-hbm4.html": "div.entry-content",
    "thelec/article-5123.html": "article#article-view-content-div",
    "rijksoverheid-news/article-beljaarts-2025-02-14.html": "div.rich-text",
    "rijksoverheid-news/article-old-platform.html": "div.contentBox",
    "motir-press-ko/detail-170183.html": "div.view_cont",
    "motir-press-en/detail-2134.html": "div.view_cont, div.board-view, div.view-cont, div.bbs_view",
    "msit-press/detail-3186721.html": "div.board_view",
}
TOKEN = re.compile(r"\w+")


def tokens(text: str) -> Counter[str]:
    return Counter(token.casefold() for token in TOKEN.findall(text))


def expected_text(html: str, selector: str) -> str:
    soup = BeautifulSoup(html, "lxml")
    for tag in soup(["script", "style", "noscript"]):
        tag.decompose()
    return "\n".join(node.get_text(" ") for node in soup.select(selector))


def extract_trafilatura(html: str, url: str) -> str:
    import trafilatura

    return trafilatura.extract(html, url=url, include_comments=False, include_tables=True) or ""


def extract_get_text(html: str, _url: str) -> str:
    soup = BeautifulSoup(html, "lxml")
    for tag in soup(["script", "style", "noscript"]):
        tag.decompose()
    return soup.get_text(" ")


def score(found: Counter[str], wanted: Counter[str]) -> tuple[float, float]:
    overlap = sum((found & wanted).values())
    return overlap / max(1, sum(found.values())), overlap / max(1, sum(wanted.values()))


def measure(extractor, pages: dict[str, tuple[str, str]], repeat: int) -> tuple[float, float, float]:  # type: ignore[no-untyped-def]
    precisions, recalls = [], []
    for html, wanted in pages.values():
        precision, recall = score(tokens(extractor(html, "https://example.org/a")), tokens(wanted))
        precisions.append(precision)
        recalls.append(recall)
    runs = []
    for _ in range(3):
        started = time.perf_counter()
        for _ in range(repeat):
            for html, _wanted in pages.values():
                extractor(html, "https://example.org/a")
        runs.append(len(pages) * repeat / (time.perf_counter() - started))
    return statistics.mean(precisions), statistics.mean(recalls), statistics.median(runs)


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--repeat", type=int, default=20)
    args = parser.parse_args()
    pages = {}
    for name, selector in PAGES.items():
        html = (FIXTURES / name).read_text(encoding="utf-8", errors="replace")
        wanted = expected_text(html, selector)
        if wanted.strip():
            pages[name] = (html, wanted)
    print(f"{len(pages)} fixture pages with a known body container\n")
    print("| extractor | precision | recall | pages/s |\n| --- | --- | --- | --- |")
    for label, extractor in (("trafilatura 2.3.1", extract_trafilatura), ("get_text() (baseline)", extract_get_text)):
        precision, recall, rate = measure(extractor, pages, args.repeat)
        print(f"| {label} | {precision:.3f} | {recall:.3f} | {rate:.0f} |")
    return 0


if __name__ == "__main__":
    sys.exit(main())
