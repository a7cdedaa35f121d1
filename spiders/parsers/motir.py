"""MOTIR (산업통상부, formerly MOTIE) press-release boards: the Korean table list, the English card list."""

from __future__ import annotations

import re
from urllib.parse import urlsplit, urlunsplit

from bs4 import Tag

from spiders.parsers.boards import DetailLayout
from spiders.parsers.fields import ItemFields
from spiders.parsers.local_time import SEOUL, find_local_datetime
from spiders.parsers.markup import drop_invisible, parse_html, text_of

ARTICLE_ID = re.compile(r"article\.view\(\s*['\"]?(\d+)")
KOREAN_DETAIL = DetailLayout(
    title=(".view_title", ".view_tit", ".bbs_view .tit", ".board_view .tit", ".view_cont_top h3",
           "#contents h3"),
    body=(".view_cont", ".bbs_view", ".board_view", "#contents"),
    date=(".view_info", ".view_title", ".bbs_view", "#contents"),
)
ENGLISH_DETAIL = DetailLayout(
    title=(".view-title", ".view_title", ".board-view .title", ".board-view h3", "#contents h3"),
    body=(".view-cont", ".view_cont", ".board-view", ".bbs_view", ".board_view", "#contents"),
    date=(".view-info", ".view_info", ".board-view", "#contents"),
)


def detail_url(list_url: str, article_id: str) -> str:
    """`…/kor/article/ATCL3f49a5a8c?pageIndex=2` → `…/kor/article/ATCL3f49a5a8c/{id}/view`, same host."""
    parts = urlsplit(list_url)
    return urlunsplit((parts.scheme, parts.netloc, f"{parts.path.rstrip('/')}/{article_id}/view", "", ""))


def article_id(tag: Tag) -> str | None:
    """The id in `javascript:article.view('170183')`, from the href or an onclick."""
    for attribute in ("href", "onclick"):
        value = tag.get(attribute)
        match = ARTICLE_ID.search(value) if isinstance(value, str) else None
        if match:
            return match.group(1)
    return None


def parse_korean_list(text: str, list_url: str) -> list[ItemFields]:
    """Rows of `table tbody tr`: a link to `article.view('ID')` with the title in <i>, a YYYY-MM-DD date."""
    soup = parse_html(text)
    drop_invisible(soup)
    rows: dict[str, ItemFields] = {}
    for row in soup.select("table tbody tr"):
        link = next((tag for tag in row.find_all("a") if article_id(tag)), None)
        if link is None:
            continue
        identifier = article_id(link) or ""
        rows.setdefault(identifier, ItemFields(
            url=detail_url(list_url, identifier),
            guid=identifier,
            title=text_of(link.find("i")) or text_of(link),
            published=find_local_datetime(text_of(row), SEOUL),
        ))
    return list(rows.values())


def parse_english_list(text: str, list_url: str) -> list[ItemFields]:
    """Cards of `div.board-list li`: `strong.title`, `span.cont` (summary) and `span.date` (YYYY-MM-DD)."""
    soup = parse_html(text)
    drop_invisible(soup)
    rows: dict[str, ItemFields] = {}
    for card in soup.select("div.board-list li"):
        links = card.select('a[href^="javascript:article.view("]')
        link = next((tag for tag in links if article_id(tag)), None)
        if link is None:
            continue
        identifier = article_id(link) or ""
        rows.setdefault(identifier, ItemFields(
            url=detail_url(list_url, identifier),
            guid=identifier,
            title=text_of(card.select_one("strong.title")) or text_of(link),
            summary=text_of(card.select_one("span.cont")),
            published=find_local_datetime(text_of(card.select_one("span.date")) or text_of(card), SEOUL),
        ))
    return list(rows.values())
