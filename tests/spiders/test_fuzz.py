"""Parsers fed mutated fixture bytes never raise: they return items or requests, or report a problem."""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from typing import Any

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st
from scrapy import Request
from scrapy.http import HtmlResponse, Response, XmlResponse
from spiders.base import SourceSpider
from spiders.feed import FeedSpider
from spiders.korean_gov import KoreanGovSpider
from spiders.rijksoverheid import RijksoverheidSpider

from monitor.items import ScrapedItem
from tests.spiders.harness import fixture_bytes, spider_for

HOST = "http://127.0.0.1:8765"
TOKENS = [b"<", b">", b"]]>", b"\x00", b"&", b"&#x0;", b"<script>", b"</div>", b"<!--", b"\xff\xfe",
          b"\xed\xa0\x80", "똠방각하".encode("cp949"), b"<item>", b"</rss>", b'"', b"{", b"<![CDATA[",
          b"\r\n"]


def source_toml(family: str, url: str, params: str = "") -> str:
    return f'[[sources]]\nid = "fuzz"\nfamily = "{family}"\nurls = ["{url}"]\n[sources.params]\n{params}\n'


@dataclass(frozen=True)
class Case:
    fixture: str
    spider_class: type[SourceSpider]
    toml: str
    callback: str
    response_class: type[Response]
    kwargs: dict[str, Any]
    yields_or_reports: bool = True
    """False where an empty answer is legitimate (a day without Rijksoverheid news)."""


LISTING = {"url": f"{HOST}/detail", "title": "listing title", "guid": "1"}
FEED = source_toml("feed", f"{HOST}/f")
RIJKSOVERHEID = source_toml("rijksoverheid", f"{HOST}/api/rss")
CASES = [
    Case("eetimes/feed.xml", FeedSpider, FEED, "parse_feed", XmlResponse, {}),
    Case("feed-formats/atom.xml", FeedSpider, FEED, "parse_feed", XmlResponse, {}),
    Case("feed-formats/jsonfeed.json", FeedSpider, FEED, "parse_feed", XmlResponse, {}),
    Case("businesskorea/allArticle-euckr.xml", FeedSpider, FEED, "parse_feed",
         XmlResponse, {}),
    Case("eetimes/article-sk-hynix-hbm4.html", FeedSpider, FEED, "parse_article",
         HtmlResponse, {"entry": LISTING}),
    Case("rijksoverheid-news/api-rss.xml", RijksoverheidSpider, RIJKSOVERHEID,
         "parse_rss", XmlResponse, {}, yields_or_reports=False),
    Case("rijksoverheid-news/news-sitemap.xml", RijksoverheidSpider,
         RIJKSOVERHEID, "parse_sitemap", XmlResponse, {}),
    Case("rijksoverheid-news/article-beljaarts-2025-02-14.html", RijksoverheidSpider,
         RIJKSOVERHEID, "parse_article", HtmlResponse, {"listing": LISTING}),
    Case("rijksoverheid-news/article-old-platform.html", RijksoverheidSpider,
         RIJKSOVERHEID, "parse_article", HtmlResponse, {"listing": LISTING}),
    Case("motir-press-ko/list-page1.html", KoreanGovSpider,
         source_toml("korean_gov", f"{HOST}/kor/article/A?pageIndex=1", 'board = "motir_kor"'), "parse_list",
         HtmlResponse, {}),
    Case("motir-press-ko/detail-170171-euckr.html", KoreanGovSpider,
         source_toml("korean_gov", f"{HOST}/kor/article/A", 'board = "motir_kor"'), "parse_detail",
         HtmlResponse, {"listing": LISTING}),
    Case("motir-press-en/list-page1.html", KoreanGovSpider,
         source_toml("korean_gov", f"{HOST}/eng/article/E", 'board = "motir_eng"'), "parse_list",
         HtmlResponse, {}),
    Case("msit-press/list-page1.html", KoreanGovSpider,
         source_toml("korean_gov", f"{HOST}/bbs/list.do", 'board = "msit"'), "parse_list", HtmlResponse, {}),
    Case("msit-press/detail-3186721.html", KoreanGovSpider,
         source_toml("korean_gov", f"{HOST}/bbs/list.do", 'board = "msit"'), "parse_detail", HtmlResponse,
         {"listing": LISTING}),
    Case("koreakr-motir/dept_motir.xml", KoreanGovSpider,
         source_toml("korean_gov", f"{HOST}/rss/dept_motir.xml",
                     f'board = "korea_kr"\nfallback_urls = ["{HOST}/list"]'),
         "parse_korea_kr_feed", XmlResponse, {}),
    Case("koreakr-motir/press-release-list.html", KoreanGovSpider,
         source_toml("korean_gov", f"{HOST}/rss/dept_motir.xml", 'board = "korea_kr"'), "parse_press_list",
         HtmlResponse, {}),
]

edit = st.tuples(st.sampled_from(["flip", "insert", "delete", "truncate", "repeat"]), st.integers(0, 1 << 20),
                 st.one_of(st.sampled_from(TOKENS), st.binary(min_size=1, max_size=6)))


def mutate(data: bytes, edits: list[tuple[str, int, bytes]]) -> bytes:
    for operation, where, chunk in edits:
        position = where % (len(data) + 1)
        if operation == "flip" and data:
            position = min(position, len(data) - 1)
            data = data[:position] + bytes([data[position] ^ chunk[0]]) + data[position + 1:]
        elif operation == "insert":
            data = data[:position] + chunk + data[position:]
        elif operation == "delete":
            data = data[:position] + data[position + len(chunk) * 8:]
        elif operation == "truncate":
            data = data[:position]
        elif operation == "repeat":
            data = data[:position] + data[position:position + 200] * 20 + data[position:]
    return data


def run_case(case: Case, body: bytes) -> tuple[list[Any], SourceSpider]:
    spider = spider_for(case.spider_class, case.toml)
    response = case.response_class(url=f"{HOST}/page", body=body, request=Request(f"{HOST}/page"))
    callback: Callable[..., Any] = getattr(spider, case.callback)
    return list(callback(response, **case.kwargs) or []), spider


@pytest.mark.parametrize("case", CASES, ids=[f"{case.fixture}:{case.callback}" for case in CASES])
@settings(max_examples=20, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(edits=st.lists(edit, min_size=1, max_size=5))
def test_mutated_fixtures_never_break_the_parsers(case: Case, edits: list[tuple[str, int, bytes]]) -> None:
    outputs, spider = run_case(case, mutate(fixture_bytes(case.fixture), edits))
    assert all(isinstance(output, ScrapedItem | Request) for output in outputs)
    if case.yields_or_reports:
        assert outputs or spider.problems


@pytest.mark.parametrize("case", CASES[:1] + CASES[6:8] + CASES[9:11],
                         ids=lambda case: f"{case.fixture}:{case.callback}")
@pytest.mark.parametrize("body", [b"", b"\x00" * 64, b"<div>" * 20_000 + b"deep",
                                  b"<rss><channel><item>" * 5_000])
def test_degenerate_bodies(case: Case, body: bytes) -> None:
    outputs, spider = run_case(case, body)
    assert outputs or spider.problems
