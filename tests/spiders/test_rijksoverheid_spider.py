"""The Rijksoverheid family: the /api/rss window, the sitemap cross-check, news pages, the seed."""

from __future__ import annotations

import json
from datetime import UTC, datetime
from urllib.parse import parse_qs, urlsplit

import pytest
from bs4 import BeautifulSoup
from scrapy.http import XmlResponse
from spiders.parsers.rijksoverheid_listing import day_windows, iso_instant, news_query_urls
from spiders.parsers.rijksoverheid_page import normalise_ministry, parse_news_page
from spiders.rijksoverheid import RijksoverheidSpider

from tests.spiders.harness import (
    FIXTURES,
    failure_for,
    fixture_bytes,
    problem_kinds,
    response_for,
    spider_for,
    split,
    start_requests,
)

ENDPOINT = "http://127.0.0.1:8765/api/rss"
SITEMAP = "http://127.0.0.1:8765/news/sitemap.xml"
SEED_URL = ("https://www.rijksoverheid.nl/actueel/nieuws/2025/02/14/"
            "bedrijven-en-minister-beljaarts-naar-zuid-korea-voor-hightech-en-halfgeleiders")


def rijksoverheid_spider(params: str = f'sitemap_url = "{SITEMAP}"') -> RijksoverheidSpider:
    return spider_for(RijksoverheidSpider, f"""
[[sources]]
id = "rijksoverheid-news"
family = "rijksoverheid"
urls = ["{ENDPOINT}"]
language = "nl"
[sources.params]
{params}
""")


def text_of(html: str) -> str:
    return " ".join(BeautifulSoup(html, "lxml").get_text(" ").split())


def query_of(url: str) -> dict:
    return json.loads(parse_qs(urlsplit(url).query)["query"][0])


def test_query_urls_cover_each_day_with_millisecond_utc_instants() -> None:
    now = datetime(2026, 9, 24, 10, 0, tzinfo=UTC)
    urls = news_query_urls(ENDPOINT, now, 2)
    assert len(urls) == 2 and all(url.startswith(f"{ENDPOINT}?query=") for url in urls)
    query = query_of(urls[0])
    assert query["filters"][0] == {"field": "content_type", "values": ["pro:newsDocument"], "type": "all"}
    assert query["resultSearchTerm"] == "" and query["pageTitle"] == "Nieuws"
    period = query["filters"][1]["values"][0]
    assert query["filters"][1]["field"] == "sort_date" and period["name"] == "specificPeriod"
    assert (period["from"], period["to"]) == ("2026-09-23T22:00:00.000Z", "2026-09-24T21:59:59.999Z")
    assert query_of(urls[1])["filters"][1]["values"][0]["from"] == "2026-09-22T22:00:00.000Z"


@pytest.mark.parametrize(("now", "first_from", "first_to"), [
    # the day summer time starts (23 hours) and the day it ends (25 hours)
    (datetime(2026, 3, 29, 12, tzinfo=UTC), "2026-03-28T23:00:00.000Z", "2026-03-29T21:59:59.999Z"),
    (datetime(2026, 10, 25, 12, tzinfo=UTC), "2026-10-24T22:00:00.000Z", "2026-10-25T22:59:59.999Z"),
    (datetime(2026, 1, 5, 23, 30, tzinfo=UTC), "2026-01-05T23:00:00.000Z", "2026-01-06T22:59:59.999Z"),
])
def test_day_boundaries_follow_europe_amsterdam(now: datetime, first_from: str, first_to: str) -> None:
    start, end = day_windows(now, 1)[0]
    assert (iso_instant(start), iso_instant(end)) == (first_from, first_to)


def test_window_days_is_clamped() -> None:
    now = datetime(2026, 9, 24, tzinfo=UTC)
    assert len(news_query_urls(ENDPOINT, now, 0)) == 1 and len(news_query_urls(ENDPOINT, now, 400)) == 31


def test_start_sends_conditional_rss_queries_and_the_sitemap() -> None:
    spider = rijksoverheid_spider(f'sitemap_url = "{SITEMAP}"\nwindow_days = 3')
    requests = start_requests(spider)
    assert [request.url for request in requests][-1] == SITEMAP and len(requests) == 4
    assert all(request.meta.get("conditional") is True for request in requests)
    assert requests[0].callback == spider.parse_rss and requests[-1].callback == spider.parse_sitemap


def test_rss_and_sitemap_are_united_and_each_page_followed_once() -> None:
    spider = rijksoverheid_spider()
    rss = response_for("rijksoverheid-news/api-rss.xml", f"{ENDPOINT}?query=x", cls=XmlResponse)
    sitemap = response_for("rijksoverheid-news/news-sitemap.xml", SITEMAP, cls=XmlResponse)
    items, from_rss = split(spider.parse_rss(rss))
    more_items, from_sitemap = split(spider.parse_sitemap(sitemap))
    assert not items and not more_items and not spider.problems
    assert len(from_rss) == 4 and len(from_sitemap) == 1  # the Borssele page is in both
    assert from_sitemap[0].url.endswith("/europese-toeslag-van-euro-2-voor-pakketjes-van-buiten-de-eu")
    assert from_sitemap[0].cb_kwargs["listing"]["published"] == "2026-09-23T14:30:20.053Z"
    listing = from_rss[1].cb_kwargs["listing"]
    assert listing["title"] == "Kabinet scherpt exportcontrole op geavanceerde chipmachines aan"
    assert listing["guid"] == "1b7e9a40-3c2d-4e58-a6f1-90d4b2c8e7f3"
    assert "conditional" not in from_rss[1].meta


def test_without_follow_links_the_listing_is_the_item() -> None:
    spider = rijksoverheid_spider("follow_links = false")
    items, requests = split(spider.parse_rss(
        response_for("rijksoverheid-news/api-rss.xml", f"{ENDPOINT}?query=x", cls=XmlResponse)))
    assert not requests and len(items) == 4
    assert items[1].summary.startswith("Het kabinet breidt de vergunningplicht")
    assert items[1].published == "Tue, 22 Sep 2026 16:00:00 GMT"


def test_pages_outside_the_news_section_are_not_followed() -> None:
    spider = rijksoverheid_spider()
    body = fixture_bytes("rijksoverheid-news/api-rss.xml").replace(b"/actueel/nieuws/2026/09/22/nieuwe",
                                                                   b"/documenten/rapporten/2026/09/22/nieuwe")
    items, requests = split(spider.parse_rss(response_for(None, ENDPOINT, cls=XmlResponse, body=body)))
    assert len(items) == 1 and "/documenten/" in items[0].url and len(requests) == 3


def seed_item() -> tuple[RijksoverheidSpider, object]:
    spider = rijksoverheid_spider()
    listing = {"url": SEED_URL, "title": "Bedrijven en minister Beljaarts naar Zuid-Korea",
               "published": "Fri, 14 Feb 2025 09:30:00 GMT", "guid": "5e8b1f3a"}
    response = response_for("rijksoverheid-news/article-beljaarts-2025-02-14.html", SEED_URL,
                            cb_kwargs={"listing": listing})
    (item,) = list(spider.parse_article(response, listing=listing))  # type: ignore[arg-type]
    return spider, item


def test_the_seed_press_release_comes_out_whole() -> None:
    spider, item = seed_item()
    seed = (FIXTURES / "rijksoverheid-news/seed-beljaarts.txt").read_text(encoding="utf-8")
    title, *paragraphs = [part.strip() for part in seed.split("\n\n") if part.strip()]
    body = text_of(item.body)  # type: ignore[attr-defined]
    for paragraph in paragraphs:
        assert " ".join(paragraph.split()) in body
        assert body.count(" ".join(paragraph.split())[:80]) == 1  # the Next.js payload is not repeated
    assert item.title == title  # type: ignore[attr-defined]
    assert item.ministry == "Economische Zaken"  # type: ignore[attr-defined]
    assert item.published.date().isoformat() == "2025-02-14"  # type: ignore[attr-defined]
    assert item.url == SEED_URL and item.guid == "5e8b1f3a"  # type: ignore[attr-defined]
    assert text_of(item.summary) == " ".join(paragraphs[0].split())  # type: ignore[attr-defined]
    assert "__next_f" not in item.body and "Heeft deze informatie" not in body  # type: ignore[attr-defined]
    assert not spider.problems


def test_old_platform_page() -> None:
    page = parse_news_page(fixture_bytes("rijksoverheid-news/article-old-platform.html").decode())
    assert page["title"] == ("Kabinet neemt aanvullende maatregelen voor export geavanceerde "
                             "halfgeleidertechnologie")
    assert text_of(page["summary"]).startswith("Het kabinet neemt aanvullende maatregelen")
    body = text_of(page["body"])
    assert "De regeling raakt vooral ASML." in body and "dataLayer" not in body
    assert page["published"] == datetime.fromisoformat("2023-06-30T16:05:00+02:00")
    assert page["ministry"] == "Buitenlandse Zaken"


def test_page_with_only_the_text_markers() -> None:
    page = parse_news_page(fixture_bytes("rijksoverheid-news/article-e-facturatie-marker-only.html").decode())
    assert page["title"] == "Kabinet kiest voor invoering e-facturatie en rapportage voor bedrijven"
    assert page["summary"].startswith("Per 1 juli 2030 wil het kabinet e-facturatie")  # meta description
    body = text_of(page["body"])
    assert body.startswith("Per 1 juli 2030") and body.endswith("gaat in 2027 in internetconsultatie.")
    assert page["published"] == datetime.fromisoformat("2026-09-18T11:00:00+02:00")
    assert page["ministry"] == "Financiën"


def test_real_new_platform_excerpt_and_real_head() -> None:
    page = parse_news_page(fixture_bytes("rijksoverheid-news/kabinet-schoof.html").decode())
    assert page["title"] == "Kabinet-Schoof (2024-2026)"
    assert text_of(page["summary"]).startswith("Op 2 juli 2024 was de beëdiging van het kabinet-Schoof.")
    assert "Staatssecretarissen" in text_of(page["body"]) and "Ministers" in text_of(page["body"])
    head = parse_news_page(fixture_bytes("rijksoverheid-news/article-head-e-facturatie.html").decode())
    assert head["title"] == "Kabinet kiest voor invoering e-facturatie en rapportage voor bedrijven"
    assert head["summary"].startswith("Per 1 juli 2030 wil het kabinet")


@pytest.mark.parametrize("name", ["Ministerie van Economische Zaken", "Economische Zaken",
                                  "  ministerie van  Economische Zaken "])
def test_ministry_names_are_normalised(name: str) -> None:
    assert normalise_ministry(name) == "Economische Zaken"


def test_a_page_that_cannot_be_fetched_keeps_the_listing() -> None:
    spider = rijksoverheid_spider()
    _, requests = split(spider.parse_rss(
        response_for("rijksoverheid-news/api-rss.xml", ENDPOINT, cls=XmlResponse)))
    (item,) = list(spider.article_failed(failure_for(requests[1], ConnectionResetError("reset"))))
    assert item.title.startswith("Kabinet scherpt exportcontrole") and item.summary
    assert problem_kinds(spider) == ["fetch_error"]


def test_a_maintenance_page_is_a_challenge_and_keeps_the_listing() -> None:
    spider = rijksoverheid_spider()
    listing = {"url": SEED_URL, "title": "Bedrijven en minister Beljaarts"}
    response = response_for("rijksoverheid-news/maintenance-onderhoud.html", SEED_URL)
    (item,) = list(spider.parse_article(response, listing=listing))  # type: ignore[arg-type]
    assert item.title == "Bedrijven en minister Beljaarts" and problem_kinds(spider) == ["challenge"]


def test_a_page_without_text_is_empty_text_and_a_page_without_body_a_layout_change() -> None:
    spider = rijksoverheid_spider()
    listing = {"url": SEED_URL, "title": "t"}
    empty = response_for(None, SEED_URL, body=b"<html><body><div id='__next'></div></body></html>")
    other = response_for(None, SEED_URL, body=b"<html><body><p>Iets heel anders</p></body></html>")
    list(spider.parse_article(empty, listing=listing))  # type: ignore[arg-type]
    list(spider.parse_article(other, listing=listing))  # type: ignore[arg-type]
    assert problem_kinds(spider) == ["empty_text", "layout_changed"]


def test_listing_failures() -> None:
    spider = rijksoverheid_spider()
    items, requests = split(spider.parse_sitemap(response_for(None, SITEMAP, cls=XmlResponse,
                                                              body=b"<html><body>nope</body></html>")))
    empty = b'<?xml version="1.0"?><urlset xmlns="http://www.sitemaps.org/schemas/sitemap/0.9"></urlset>'
    split(spider.parse_sitemap(response_for(None, SITEMAP, cls=XmlResponse, body=empty)))
    split(spider.parse_rss(response_for(None, ENDPOINT, cls=XmlResponse, body=b"{}")))
    assert not items and not requests
    assert problem_kinds(spider) == ["parse_error", "layout_changed", "parse_error"]
