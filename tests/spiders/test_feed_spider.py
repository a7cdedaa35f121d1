"""The generic feed family: every feed format, charsets, relative links, following links, failures."""

from __future__ import annotations

from bs4 import BeautifulSoup
from scrapy.exceptions import IgnoreRequest
from scrapy.http import Response, TextResponse, XmlResponse
from scrapy.spidermiddlewares.httperror import HttpError
from spiders.feed import FeedSpider

from tests.spiders.harness import (
    failure_for,
    problem_kinds,
    response_for,
    spider_for,
    split,
    start_requests,
)

FEED_URL = "http://127.0.0.1:8765/feed/"


def feed_spider(params: str = "", urls: str = f'["{FEED_URL}"]') -> FeedSpider:
    return spider_for(FeedSpider, f"""
[[sources]]
id = "test-feed"
family = "feed"
urls = {urls}
language = "en"
[sources.params]
{params}
""")


def text_of(html: str) -> str:
    return " ".join(BeautifulSoup(html, "lxml").get_text(" ").split())


def parse(spider: FeedSpider, fixture: str, url: str = FEED_URL, **kwargs: object) -> tuple[list, list]:
    return split(spider.parse_feed(response_for(fixture, url, cls=XmlResponse, **kwargs)))  # type: ignore[arg-type]


def test_start_requests_are_conditional_and_plain_by_default() -> None:
    spider = feed_spider(urls=f'["{FEED_URL}", "http://127.0.0.1:8765/other.xml"]')
    requests = start_requests(spider)
    assert [request.url for request in requests] == [FEED_URL, "http://127.0.0.1:8765/other.xml"]
    assert all(request.meta.get("conditional") is True for request in requests)
    assert all(b"User-Agent" not in request.headers for request in requests)


def test_browser_user_agent_is_sent_when_asked() -> None:
    (request,) = start_requests(feed_spider("browser_user_agent = true"))
    assert request.headers[b"User-Agent"].startswith(b"Mozilla/5.0")


def test_rss20_excerpts_become_items_with_raw_fields() -> None:
    spider = feed_spider()
    items, requests = parse(spider, "eetimes/feed.xml")
    assert not requests and len(items) == 3 and not spider.problems
    first = items[0]
    assert first.source_id == "test-feed"
    assert first.url == "https://www.eetimes.com/sk-hynix-samples-16-high-hbm4-as-ai-memory-race-tightens/"
    assert first.title == "SK hynix Samples 16-High HBM4 as AI Memory Race Tightens"
    assert "16-high HBM4" in first.summary and first.body == ""
    assert first.guid == "https://www.eetimes.com/?p=1051234"
    assert first.published == "Thu, 24 Sep 2026 13:05:00 +0000"
    assert first.author == "Jane Doe" and first.language_hint == "en"


def test_full_text_in_content_encoded_is_the_body_and_is_not_followed() -> None:
    items, requests = parse(feed_spider("follow_links = true"), "trendforce/feed.xml")
    assert not requests
    assert "Hanmi Semiconductor" in items[0].body and items[0].summary.startswith("HBM supply")


def test_atom_with_xml_base_and_relative_links() -> None:
    items, _ = parse(feed_spider(), "feed-formats/atom.xml")
    assert [item.url for item in items] == [
        "https://news.example.org/semis/2026/09/semicon-korea-dutch-pavilion",
        "https://news.example.org/outlook/wfe-q4",
    ]
    assert 'href="https://news.example.org/photos/pavilion"' in items[0].body
    assert items[0].author == "Kim Seo-yeon" and items[0].published == "2026-09-24T07:30:00+09:00"
    assert items[1].published == "2026-09-23T10:00:00Z" and items[1].body == ""


def test_json_feed_items_resolve_against_the_response_url() -> None:
    spider = feed_spider()
    response = response_for("feed-formats/jsonfeed.json", "http://127.0.0.1:8765/feed.json", cls=TextResponse,
                            headers={"Content-Type": "application/feed+json"})
    items, _ = split(spider.parse_feed(response))
    assert len(items) == 2 and not spider.problems  # the string in "items" is skipped
    assert items[0].url == "http://127.0.0.1:8765/2026/09/24/export-controls-hbm"
    assert "SK hynix" in items[0].body and items[0].author == "Anna de Vries"
    assert items[0].guid == "2026-09-24-export-controls" and items[1].guid == "42"
    assert items[1].body.count("<p>") == 2 and items[1].published == "2026-09-23T09:00:00Z"
    assert items[1].author == "Policy desk"


def test_rss10_rdf_with_dublin_core() -> None:
    items, _ = parse(feed_spider(), "feed-formats/rss10.rdf")
    assert [item.title for item in items] == ["반도체 장비 수입 9월 증가", "Weekly memory price tracker"]
    assert items[0].published == "2026-09-24T09:00:00+09:00" and items[0].author == "편집부"
    assert "노광 장비" in items[0].summary


def test_rss091_latin1() -> None:
    (item,), _ = parse(feed_spider(), "feed-formats/rss091.xml")
    assert "Cafés" in item.summary and item.guid is None


def test_euc_kr_feed_keeps_cp949_only_syllables() -> None:
    items, _ = parse(feed_spider(), "businesskorea/allArticle-euckr.xml")
    assert items[0].title == "SK하이닉스, HBM4 16단 샘플 공급…AI 반도체 주도권 강화"
    assert "똠방각하" in items[0].summary and items[0].author == "김햏뷁 기자"


def test_euc_kr_declared_by_the_http_header_only() -> None:
    body = "<rss version='2.0'><channel><title>t</title><item><title>똠방각하 반도체</title>" \
           "<link>http://127.0.0.1:8765/a</link></item></channel></rss>"
    items, _ = parse(feed_spider(), "", body=body.encode("cp949"),
                     headers={"Content-Type": "application/rss+xml; charset=EUC-KR"})
    assert items[0].title == "똠방각하 반도체"


def test_relative_links_resolve_against_the_response_url() -> None:
    items, _ = parse(feed_spider(), "koreaherald/newsAll.xml", url="http://127.0.0.1:8765/rss/newsAll")
    assert items[0].url == "http://127.0.0.1:8765/article/10581234"
    assert 'href="http://127.0.0.1:8765/article/10581200"' in items[0].summary
    assert items[1].url == "http://127.0.0.1:8765/rss/article/10581240"


def test_follow_links_requests_summary_only_entries_with_the_entry_in_cb_kwargs() -> None:
    spider = feed_spider("follow_links = true")
    items, requests = parse(spider, "eetimes/feed.xml")
    assert not items and len(requests) == 3
    first = requests[0]
    assert first.url == "https://www.eetimes.com/sk-hynix-samples-16-high-hbm4-as-ai-memory-race-tightens/"
    assert first.cb_kwargs["entry"]["title"].startswith("SK hynix")
    assert "conditional" not in first.meta and first.callback == spider.parse_article


def test_followed_article_text_comes_from_the_generic_extractor() -> None:
    spider = feed_spider("follow_links = true")
    _, requests = parse(spider, "eetimes/feed.xml")
    response = response_for("eetimes/article-sk-hynix-hbm4.html", requests[0].url,
                            cb_kwargs=requests[0].cb_kwargs)
    (item,) = list(spider.parse_article(response, **requests[0].cb_kwargs))
    text = text_of(item.body)
    assert "Icheon and Cheongju fabs" in text and "export controls on advanced memory" in text
    assert "Most read" not in text and "All rights reserved" not in text
    assert item.title.startswith("SK hynix") and item.summary and not spider.problems


def test_followed_article_text_with_a_body_selector_drops_scripts() -> None:
    spider = feed_spider('follow_links = true\nbody_selector = "article#article-view-content-div"')
    _, requests = parse(spider, "thelec/allArticle.xml")
    response = response_for("thelec/article-5123.html", requests[0].url)
    (item,) = list(spider.parse_article(response, **requests[0].cb_kwargs))
    assert "Pyeongtaek campus" in item.body and "googletag" not in item.body
    assert "All rights reserved" not in item.body


def test_an_invalid_body_selector_is_reported_and_the_extractor_used() -> None:
    spider = feed_spider('follow_links = true\nbody_selector = "article[["')
    start_requests(spider)
    assert problem_kinds(spider) == ["parse_error"] and spider.body_selector == ""


def test_article_without_text_reports_empty_text_and_keeps_the_entry() -> None:
    spider = feed_spider("follow_links = true")
    _, requests = parse(spider, "eetimes/feed.xml")
    response = response_for(None, requests[0].url, body=b"<html><body><div></div></body></html>")
    (item,) = list(spider.parse_article(response, **requests[0].cb_kwargs))
    assert problem_kinds(spider) == ["empty_text"] and item.summary and item.body == ""


def test_article_download_failure_keeps_the_entry_and_reports() -> None:
    spider = feed_spider("follow_links = true")
    _, requests = parse(spider, "eetimes/feed.xml")
    (item,) = list(spider.article_failed(failure_for(requests[1], ConnectionRefusedError("refused"))))
    assert item.title.startswith("ASML Bookings") and problem_kinds(spider) == ["fetch_error"]


def test_ignored_requests_are_not_problems_but_http_errors_are() -> None:
    spider = feed_spider()
    (request,) = start_requests(spider)
    spider.feed_failed(failure_for(request, IgnoreRequest("304 Not Modified")))
    assert spider.problems == []
    spider.feed_failed(failure_for(request, TimeoutError("took too long")))
    assert problem_kinds(spider) == ["fetch_error"] and FEED_URL in spider.problems[0]
    answer = response_for(None, FEED_URL, body=b"gone", status=410)
    spider.feed_failed(failure_for(request, HttpError(answer, "Ignoring non-200 response")))
    assert problem_kinds(spider) == ["fetch_error", "fetch_error"]


def test_a_challenge_page_yields_nothing_and_is_reported() -> None:
    spider = feed_spider("browser_user_agent = true")
    items, requests = parse(spider, "digitimes/challenge-just-a-moment.html")
    assert not items and not requests
    assert problem_kinds(spider) == ["challenge"]


def test_an_html_page_instead_of_a_feed_is_a_parse_error() -> None:
    spider = feed_spider()
    items, _ = parse(spider, "feed-formats/not-a-feed.html")
    assert not items and problem_kinds(spider) == ["parse_error"]


def test_text_that_is_neither_xml_nor_json_is_a_parse_error_and_never_a_file_name() -> None:
    spider = feed_spider()
    items, _ = parse(spider, "", body=b"/etc/passwd")
    assert not items and problem_kinds(spider) == ["parse_error"]


def test_a_feed_without_entries_is_a_layout_change() -> None:
    spider = feed_spider()
    items, _ = parse(spider, "feed-formats/empty.xml")
    assert not items and problem_kinds(spider) == ["layout_changed"]


def test_a_binary_response_is_a_parse_error() -> None:
    spider = feed_spider()
    response = Response(url=FEED_URL, body=b"%PDF-1.7 \x00\x01", headers={"Content-Type": "application/pdf"})
    assert list(spider.parse_feed(response)) == []
    assert problem_kinds(spider) == ["parse_error"]


def test_xml_entities_are_not_expanded_from_files_or_the_network() -> None:
    body = b"""<?xml version="1.0"?><!DOCTYPE rss [<!ENTITY xxe SYSTEM "file:///etc/passwd">]>
<rss version="2.0"><channel><title>x</title><item><title>a &xxe; b</title><link>http://127.0.0.1:8765/x</link>
</item></channel></rss>"""
    items, _ = parse(feed_spider(), "", body=body)
    assert all("root:" not in item.title for item in items)
