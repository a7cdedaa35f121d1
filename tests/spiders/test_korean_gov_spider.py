"""The Korean government family: MOTIR Korean and English boards, MSIT, korea.kr RSS and its fallback."""

from __future__ import annotations

from datetime import date, datetime
from zoneinfo import ZoneInfo

from bs4 import BeautifulSoup
from scrapy.exceptions import IgnoreRequest
from scrapy.http import XmlResponse
from scrapy.spidermiddlewares.httperror import HttpError
from spiders.korean_gov import KoreanGovSpider
from spiders.parsers import koreakr

from tests.spiders.harness import (
    failure_for,
    problem_kinds,
    response_for,
    spider_for,
    split,
    start_requests,
)

HOST = "http://127.0.0.1:8765"
SEOUL = ZoneInfo("Asia/Seoul")
MOTIR_KOR_LIST = f"{HOST}/kor/article/ATCL3f49a5a8c?pageIndex=1"
MOTIR_ENG_LIST = f"{HOST}/eng/article/EATCLdfa319ada?pageIndex=1&bbsCdN=2"
MSIT_LIST = f"{HOST}/bbs/list.do?sCode=user&mPid=208&mId=307&pageIndex=1"
KOREAKR_FEED = f"{HOST}/rss/dept_motir.xml"
KOREAKR_LIST = f"{HOST}/briefing/pressReleaseList.do?startDate=2026-01-01&endDate=2026-01-03&pageIndex=1"


def board_spider(board: str, url: str, extra: str = "") -> KoreanGovSpider:
    return spider_for(KoreanGovSpider, f"""
[[sources]]
id = "test-{board.replace('_', '-')}"
family = "korean_gov"
urls = ["{url}"]
language = "ko"
[sources.params]
board = "{board}"
{extra}
""")


def text_of(html: str) -> str:
    return " ".join(BeautifulSoup(html, "lxml").get_text(" ").split())


def list_requests(spider: KoreanGovSpider, fixture: str, url: str) -> list:
    items, requests = split(spider.parse_list(response_for(fixture, url)))
    assert not items
    return requests


# MOTIR, Korean board

def test_motir_list_pages_are_conditional_and_paged() -> None:
    spider = board_spider("motir_kor", MOTIR_KOR_LIST, "pages = 2")
    requests = start_requests(spider)
    assert [request.url for request in requests] == [MOTIR_KOR_LIST, MOTIR_KOR_LIST.replace("=1", "=2")]
    assert all(request.meta.get("conditional") is True for request in requests)


def test_motir_korean_list_leads_to_detail_pages_on_the_list_host() -> None:
    spider = board_spider("motir_kor", MOTIR_KOR_LIST, 'ministry = "산업통상부"')
    requests = list_requests(spider, "motir-press-ko/list-page1.html", MOTIR_KOR_LIST)
    assert [request.url for request in requests] == [
        f"{HOST}/kor/article/ATCL3f49a5a8c/{article}/view"
        for article in ("170183", "170175", "170171", "170168")
    ]
    listing = requests[0].cb_kwargs["listing"]
    assert listing["guid"] == "170183" and listing["title"] == "9월 반도체 수출 역대 최대…HBM·DDR5 수요 견인"
    assert listing["published"] == datetime(2026, 9, 24, tzinfo=SEOUL) and listing["ministry"] == "산업통상부"
    assert all("conditional" not in request.meta for request in requests)
    assert not spider.problems  # the 점검회의 title is not a maintenance page


def test_motir_korean_detail() -> None:
    spider = board_spider("motir_kor", MOTIR_KOR_LIST, 'ministry = "산업통상부"')
    request = list_requests(spider, "motir-press-ko/list-page1.html", MOTIR_KOR_LIST)[0]
    response = response_for("motir-press-ko/detail-170183.html", request.url, cb_kwargs=request.cb_kwargs)
    (item,) = list(spider.parse_detail(response, **request.cb_kwargs))
    body = text_of(item.body)
    assert "152억 달러" in body and "SK하이닉스와 삼성전자의 HBM3E" in body
    assert ".hwp" not in body and "이전글" not in body
    assert item.author == "반도체과" and item.ministry == "산업통상부" and item.guid == "170183"
    assert item.url == request.url and item.language_hint == "ko" and not spider.problems


def test_motir_korean_detail_in_the_second_container_with_an_inline_department() -> None:
    spider = board_spider("motir_kor", MOTIR_KOR_LIST)
    listing = {"url": f"{HOST}/kor/article/ATCL3f49a5a8c/170175/view", "guid": "170175", "title": "list"}
    response = response_for("motir-press-ko/detail-170175.html", listing["url"])
    (item,) = list(spider.parse_detail(response, listing=listing))  # type: ignore[arg-type]
    assert item.author == "구주통상과" and "ASML, ASM" in text_of(item.body)
    assert item.title == "산업통상부 장관, SEMICON Korea 계기 한-네덜란드 반도체 협력 강화"
    assert item.published == datetime(2026, 9, 23, tzinfo=SEOUL)


def test_hangul_survives_an_euc_kr_declaration_on_cp949_bytes() -> None:
    spider = board_spider("motir_kor", MOTIR_KOR_LIST)
    listing = {"url": f"{HOST}/kor/article/ATCL3f49a5a8c/170171/view", "guid": "170171", "title": "t"}
    response = response_for("motir-press-ko/detail-170171-euckr.html", listing["url"])
    (item,) = list(spider.parse_detail(response, listing=listing))  # type: ignore[arg-type]
    assert "똠방각하" in item.body and "햏뷁" in item.body and "\ufffd" not in item.body
    assert item.title == "섬유패션산업 디지털 전환 지원사업 공고" and item.author == "섬유탄소나노과"


def test_a_redesigned_list_is_a_layout_change() -> None:
    spider = board_spider("motir_kor", MOTIR_KOR_LIST)
    assert list_requests(spider, "motir-press-ko/list-redesigned.html", MOTIR_KOR_LIST) == []
    assert problem_kinds(spider) == ["layout_changed"]


def test_a_maintenance_page_is_a_challenge() -> None:
    spider = board_spider("motir_kor", MOTIR_KOR_LIST)
    assert list_requests(spider, "motir-press-ko/maintenance-jeomgeom.html", MOTIR_KOR_LIST) == []
    assert problem_kinds(spider) == ["challenge"]


def test_a_detail_that_cannot_be_fetched_keeps_the_list_row() -> None:
    spider = board_spider("motir_kor", MOTIR_KOR_LIST)
    request = list_requests(spider, "motir-press-ko/list-page1.html", MOTIR_KOR_LIST)[1]
    (item,) = list(spider.detail_failed(failure_for(request, ConnectionResetError("reset by peer"))))
    assert item.title.startswith("산업통상부 장관, SEMICON Korea") and item.guid == "170175"
    assert item.published == datetime(2026, 9, 23, tzinfo=SEOUL)
    assert problem_kinds(spider) == ["fetch_error"]


def test_detail_pages_without_a_body() -> None:
    spider = board_spider("motir_kor", MOTIR_KOR_LIST)
    listing = {"url": f"{HOST}/kor/article/ATCL3f49a5a8c/1/view", "title": "t"}
    other_page = "<html><body><p>다른 페이지</p></body></html>".encode()
    no_container = response_for(None, listing["url"], body=other_page)
    hwp_only = response_for(None, listing["url"], body=b"<html><body><div class='view_cont'> </div></body>")
    assert len(list(spider.parse_detail(no_container, listing=listing))) == 1  # type: ignore[arg-type]
    assert len(list(spider.parse_detail(hwp_only, listing=listing))) == 1  # type: ignore[arg-type]
    assert problem_kinds(spider) == ["layout_changed", "empty_text"]


# MOTIR, English board

def test_motir_english_list_and_detail() -> None:
    spider = board_spider("motir_eng", MOTIR_ENG_LIST)
    requests = list_requests(spider, "motir-press-en/list-page1.html", MOTIR_ENG_LIST)
    assert [request.url for request in requests] == [
        f"{HOST}/eng/article/EATCLdfa319ada/{article}/view" for article in ("2134", "2131", "2127")
    ]
    listing = requests[0].cb_kwargs["listing"]
    assert listing["summary"].startswith("Korea's semiconductor exports rose 28.5 percent")
    response = response_for("motir-press-en/detail-2134.html", requests[0].url)
    (item,) = list(spider.parse_detail(response, **requests[0].cb_kwargs))
    assert "12-layer HBM3E" in text_of(item.body) and "Press release (PDF)" not in text_of(item.body)
    assert item.summary == listing["summary"] and item.author == "Semiconductor Division"
    assert item.published == datetime(2026, 10, 1, 11, 0, tzinfo=SEOUL)


# MSIT

def test_msit_list_builds_view_urls_from_fn_detail() -> None:
    spider = board_spider("msit", MSIT_LIST)
    requests = list_requests(spider, "msit-press/list-page1.html", MSIT_LIST)
    assert [request.url for request in requests] == [
        f"{HOST}/bbs/view.do?sCode=user&mPid=208&mId=307&bbsSeqNo=94&nttSeqNo={number}"
        for number in ("3186721", "3186702", "3186690")
    ]
    assert requests[1].cb_kwargs["listing"]["published"] == datetime(2026, 9, 23, tzinfo=SEOUL)
    assert requests[0].cb_kwargs["listing"]["title"].startswith("과기정통부, 6G 상용화 앞당긴다")


def test_msit_detail() -> None:
    spider = board_spider("msit", MSIT_LIST, 'ministry = "과학기술정보통신부"')
    request = list_requests(spider, "msit-press/list-page1.html", MSIT_LIST)[0]
    response = response_for("msit-press/detail-3186721.html", request.url)
    (item,) = list(spider.parse_detail(response, **request.cb_kwargs))
    body = text_of(item.body)
    assert "저전력 NPU" in body and "조회" not in body and ".hwpx" not in body
    assert item.author == "전파정책과" and item.ministry == "과학기술정보통신부" and item.guid == "3186721"


# korea.kr

def koreakr_spider(fallback: bool = True) -> KoreanGovSpider:
    extra = 'ministry = "산업통상부"\n' + (f'fallback_urls = ["{KOREAKR_LIST}"]' if fallback else "")
    return board_spider("korea_kr", KOREAKR_FEED, extra)


def test_korea_kr_feed_gives_full_bodies_without_button_or_logo() -> None:
    spider = koreakr_spider()
    (request,) = start_requests(spider)
    assert request.meta.get("conditional") is True and request.callback == spider.parse_korea_kr_feed
    response = response_for("koreakr-motir/dept_motir.xml", KOREAKR_FEED, cls=XmlResponse)
    items, requests = split(spider.parse_korea_kr_feed(response))
    assert not requests and len(items) == 3 and not spider.problems
    first, second, _ = items
    assert first.guid == "156712345"
    assert first.url == "https://www.korea.kr/briefing/pressReleaseView.do?newsId=156712345"
    assert first.ministry == "산업통상부" and first.published == "Thu, 24 Sep 2026 02:00:00 GMT"
    for item in items:
        assert "btn_textview" not in item.body and "logo_" not in item.body and "<img" not in item.body
        assert "자료제공" not in item.body and "텍스트 보기" not in item.body
    assert text_of(first.body).endswith("소재·부품·장비 기업 지원을 이어갈 계획이다.")
    assert second.title == "한-네덜란드 반도체 공급망 협력 양해각서 체결"  # prefix removed
    assert second.ministry == "산업통상자원부"
    assert text_of(second.body).endswith("기술 협력을 넓히기로 했다.")


def test_korea_kr_msit_feed_without_guids_uses_the_news_id() -> None:
    spider = board_spider("korea_kr", f"{HOST}/rss/dept_msit.xml", 'ministry = "과학기술정보통신부"')
    response = response_for("koreakr-msit/dept_msit.xml", f"{HOST}/rss/dept_msit.xml", cls=XmlResponse)
    items, _ = split(spider.parse_korea_kr_feed(response))
    assert [item.guid for item in items] == ["156712330", "156712310"]
    assert "양자 암호" in text_of(items[0].body) and items[0].ministry == "과학기술정보통신부"


def test_a_feed_that_is_not_a_feed_falls_back_to_the_html_list() -> None:
    spider = koreakr_spider()
    response = response_for("koreakr-motir/rss-discontinued.html", KOREAKR_FEED)
    items, requests = split(spider.parse_korea_kr_feed(response))
    assert not items and len(requests) == 1 and problem_kinds(spider) == ["parse_error"]
    assert requests[0].url.startswith(f"{HOST}/briefing/pressReleaseList.do?startDate=")
    assert "startDate=2026-01-01" not in requests[0].url and "conditional" not in requests[0].meta


def test_an_empty_feed_or_a_failed_download_falls_back_once() -> None:
    spider = koreakr_spider()
    empty = b'<?xml version="1.0"?><rss version="2.0"><channel><title>x</title></channel></rss>'
    empty_feed = response_for(None, KOREAKR_FEED, cls=XmlResponse, body=empty)
    _, first = split(spider.parse_korea_kr_feed(empty_feed))
    (request,) = start_requests(spider)
    second = list(spider.korea_kr_feed_failed(failure_for(request, ConnectionRefusedError("refused"))))
    assert len(first) == 1 and second == []
    assert problem_kinds(spider) == ["layout_changed", "fetch_error"]


def test_an_http_error_on_the_feed_falls_back() -> None:
    spider = koreakr_spider()
    (request,) = start_requests(spider)
    gone = response_for(None, KOREAKR_FEED, body=b"Not Found", status=404)
    failure = failure_for(request, HttpError(gone, "Ignoring non-200 response"))
    assert len(list(spider.korea_kr_feed_failed(failure))) == 1
    assert problem_kinds(spider) == ["fetch_error"] and "HttpError" in spider.problems[0]


def test_not_modified_is_no_reason_to_fall_back() -> None:
    spider = koreakr_spider()
    (request,) = start_requests(spider)
    assert list(spider.korea_kr_feed_failed(failure_for(request, IgnoreRequest("304")))) == []
    assert spider.problems == []


def test_no_fallback_urls_means_only_the_report() -> None:
    spider = koreakr_spider(fallback=False)
    (request,) = start_requests(spider)
    assert list(spider.korea_kr_feed_failed(failure_for(request, TimeoutError("slow")))) == []
    assert problem_kinds(spider) == ["fetch_error"]


def test_the_html_list_keeps_this_ministrys_rows_under_either_name() -> None:
    spider = koreakr_spider()
    response = response_for("koreakr-motir/press-release-list.html", KOREAKR_LIST)
    items, _ = split(spider.parse_press_list(response))
    assert [item.guid for item in items] == ["156712345", "156712301"]
    assert items[0].url == f"{HOST}/briefing/pressReleaseView.do?newsId=156712345"  # pWise* dropped
    assert items[0].summary.startswith("반도체 수출이") and items[0].ministry == "산업통상부"
    assert items[1].ministry == "산업통상자원부" and items[0].published == datetime(2026, 9, 24, tzinfo=SEOUL)


def test_an_html_list_without_rows_is_a_layout_change() -> None:
    spider = koreakr_spider()
    items, _ = split(spider.parse_press_list(response_for("motir-press-ko/list-page1.html", KOREAKR_LIST)))
    assert not items and problem_kinds(spider) == ["layout_changed"]


def test_fallback_dates_cover_the_last_days() -> None:
    url = koreakr.dated_list_url(KOREAKR_LIST, date(2026, 9, 24))
    assert "startDate=2026-09-22&endDate=2026-09-24&pageIndex=1" in url
    assert koreakr.dated_list_url(f"{HOST}/briefing/pressReleaseList.do?pageIndex=1", date(2026, 9, 24)) \
        == f"{HOST}/briefing/pressReleaseList.do?pageIndex=1"


def test_credit_inside_body_text_and_identity_helpers() -> None:
    html = ('<div><p>본문입니다. [자료제공 :<img src="/logo.png" alt="외교부"/>] 끝.</p>'
            '<a href="x"><img src="/images/btn_textview.gif" alt="텍스트 보기"/></a>'
            '<img src="/chart.png" alt="수출 그래프"/></div>')
    cleaned = koreakr.clean_description(html)
    assert text_of(cleaned) == "본문입니다. 끝." and "chart.png" in cleaned and "logo.png" not in cleaned
    assert koreakr.split_ministry_prefix("[외교부] 제목") == ("외교부", "제목")
    assert koreakr.split_ministry_prefix("제목 [참고]") == ("", "제목 [참고]")
    assert koreakr.identity_url("https://www.korea.kr/b/v.do?newsId=1&call_from=rsslink&pWiseSub=B5") \
        == "https://www.korea.kr/b/v.do?newsId=1"
