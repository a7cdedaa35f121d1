"""challenge_reason: challenge, captcha, access-denied and maintenance pages, but never real articles."""

from __future__ import annotations

import time

import pytest

from monitor.crawl.page_checks import challenge_reason, page_title, visible_text
from tests.spiders.harness import fixture_bytes

ARTICLE_FILLER = "<p>" + "Het kabinet investeert in de halfgeleiderindustrie en in onderzoek. " * 60 + "</p>"


@pytest.mark.parametrize(("relative", "status", "expected"), [
    ("digitimes/challenge-just-a-moment.html", 200, "Cloudflare"),
    ("digitimes/challenge-just-a-moment.html", 403, "HTTP 403"),
    ("motir-press-ko/maintenance-jeomgeom.html", 200, "점검"),
    ("rijksoverheid-news/maintenance-onderhoud.html", 200, "onderhoud"),
])
def test_fixture_pages_are_recognised(relative: str, status: int, expected: str) -> None:
    reason = challenge_reason(status, fixture_bytes(relative).decode("utf-8"))
    assert reason is not None and expected in reason


@pytest.mark.parametrize("page", [
    "<html><head><title>Attention Required! | Cloudflare</title></head><body>Sorry, you have been blocked"
    "</body></html>",
    "<html><head><title>Access Denied</title></head><body>You don't have permission to access this server."
    "</body></html>",
    "<html><body><form><div class='g-recaptcha' data-sitekey='x'></div>Please complete the captcha</form>"
    "</body></html>",
    "<html><head><title>점검 중</title></head><body>서버 점검 중입니다. 잠시 후 이용해 주세요.</body></html>",
    "<html><body><h1>Under maintenance</h1><p>We'll be back soon.</p></body></html>",
    "<html><body><div class='cf-browser-verification'>" + "x" * 5000 + "</div></body></html>",
])
def test_challenge_pages(page: str) -> None:
    assert challenge_reason(200, page) is not None


@pytest.mark.parametrize("relative", [
    "motir-press-ko/list-page1.html",  # a title with 점검회의
    "motir-press-ko/detail-170183.html",
    "rijksoverheid-news/article-beljaarts-2025-02-14.html",
    "eetimes/article-sk-hynix-hbm4.html",
    "eetimes/feed.xml",
    "koreakr-motir/rss-discontinued.html",
    "feed-formats/jsonfeed.json",
])
def test_ordinary_pages_and_feeds_pass(relative: str) -> None:
    assert challenge_reason(200, fixture_bytes(relative).decode("utf-8")) is None


@pytest.mark.parametrize("title", [
    "Hackers bypass captcha on ticket sites",
    "반도체 공급망 점검 회의 개최",
    "Onderhoud aan dijken kost miljarden",
    "Access denied: China blocks chip tool imports",
    "Just a moment of calm for memory prices",
])
def test_articles_about_these_words_pass(title: str) -> None:
    page = f"<html><head><title>{title}</title></head><body><h1>{title}</h1>{ARTICLE_FILLER}</body></html>"
    assert challenge_reason(200, page) is None


def test_a_short_feed_about_maintenance_is_still_a_feed() -> None:
    feed = "<?xml version='1.0'?><rss><channel><title>Under maintenance</title><item>" \
           "<title>Wegens onderhoud</title></item></channel></rss>"
    assert challenge_reason(200, feed) is None


def test_a_short_503_page_is_a_challenge_but_not_a_200_one() -> None:
    page = "<html><body><p>Something went wrong.</p></body></html>"
    assert challenge_reason(503, page) is not None and challenge_reason(200, page) is None


def test_title_and_visible_text_helpers() -> None:
    page = "<html><head><title> A  <b>b</b> </title><script>var x = '<p>hidden</p>';</script></head>" \
           "<body><!-- note --><p>shown</p><style>p{}</style></body></html>"
    assert page_title(page) == "A b" and visible_text(page) == "A b shown"
    assert page_title("<html><title>unclosed") == ""


@pytest.mark.parametrize("hostile", ["<" * 300_000, "<script>" * 40_000, "<!--" * 60_000, "<title>" * 40_000,
                                     "<style>a</style>" * 20_000])
def test_hostile_markup_costs_linear_time(hostile: str) -> None:
    started = time.perf_counter()
    challenge_reason(200, hostile)
    assert time.perf_counter() - started < 1.0
