"""The shipped spiders/sources.toml loads and defines every source the product promises."""

from __future__ import annotations

from pathlib import Path

import pytest

from monitor.sources import load_sources

SOURCES_FILE = Path(__file__).resolve().parents[2] / "spiders" / "sources.toml"
REQUIRED = {
    "rijksoverheid-news": ("rijksoverheid", None),
    "motir-press-ko": ("korean_gov", "motir_kor"),
    "motir-press-en": ("korean_gov", "motir_eng"),
    "koreakr-motir": ("korean_gov", "korea_kr"),
    "koreakr-msit": ("korean_gov", "korea_kr"),
    "msit-press": ("korean_gov", "msit"),
    "eetimes": ("feed", None),
    "semiengineering": ("feed", None),
    "semiwiki": ("feed", None),
    "thelec": ("feed", None),
    "businesskorea": ("feed", None),
    "trendforce": ("feed", None),
    "digitimes": ("feed", None),
    "koreaherald": ("feed", None),
    "yonhap": ("feed", None),
}


@pytest.fixture(scope="module")
def sources() -> dict:
    return {source.id: source for source in load_sources(SOURCES_FILE)}


def test_every_required_source_is_defined_with_its_family_and_board(sources: dict) -> None:
    for source_id, (family, board) in REQUIRED.items():
        assert source_id in sources, source_id
        assert sources[source_id].family == family and sources[source_id].enabled
        if board:
            assert sources[source_id].params["board"] == board


def test_schedules_are_between_15_minutes_and_an_hour_and_ministries_every_30(sources: dict) -> None:
    for source in sources.values():
        assert 900 <= (source.schedule.interval_seconds or 0) <= 3600, source.id
        if source.family != "feed":
            assert source.schedule.interval_seconds == 1800, source.id


def test_source_specific_parameters(sources: dict) -> None:
    assert sources["digitimes"].params["browser_user_agent"] is True
    assert sources["rijksoverheid-news"].params["sitemap_url"] == "https://www.rijksoverheid.nl/news/sitemap.xml"
    assert sources["rijksoverheid-news"].urls == ("https://www.rijksoverheid.nl/api/rss",)
    assert sources["koreakr-motir"].urls == ("https://www.korea.kr/rss/dept_motir.xml",)
    assert sources["koreakr-msit"].urls == ("https://www.korea.kr/rss/dept_msit.xml",)
    for source_id in ("koreakr-motir", "koreakr-msit"):
        (fallback,) = sources[source_id].params["fallback_urls"]
        assert fallback.startswith("https://www.korea.kr/briefing/pressReleaseList.do?")
    assert sources["thelec"].params["body_selector"] == "article#article-view-content-div"
