"""What the Korean ministries' board detail pages share: a title, a body container, a department, a date."""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass

from bs4 import BeautifulSoup, Tag

from spiders.parsers.fields import ItemFields
from spiders.parsers.local_time import SEOUL, find_local_datetime
from spiders.parsers.markup import drop_invisible, first_with_text, labelled_value, parse_html, text_of

NOT_BODY = ".view_file, .file_list, .attach, .file, .btn_area, .view_btn, .board_btn, .prev_next, .view_head"
"""Attachment lists, buttons and headers inside a body container: kept out of the body."""
DEPARTMENT_LABELS = ("담당부서", "Department", "Division")
STOP_WORDS = ("담당자", "연락처", "전화", "등록일", "작성일", "조회", "Date", "Tel", "Contact")


@dataclass(frozen=True)
class DetailLayout:
    """Where a board's detail page keeps its parts, each a list of selectors tried in order."""

    title: Sequence[str]
    body: Sequence[str]
    date: Sequence[str] = ()


@dataclass
class DetailPage:
    fields: ItemFields
    has_body_container: bool
    """False means none of the body selectors matched: the layout probably changed."""


def parse_detail(text: str, layout: DetailLayout) -> DetailPage:
    soup = parse_html(text)
    drop_invisible(soup)
    department = _department(soup)
    date_text = text_of(first_with_text(soup, layout.date)) if layout.date else ""
    published = find_local_datetime(date_text, SEOUL) if date_text else None
    title = text_of(first_with_text(soup, layout.title))
    container = _body_container(soup, layout.body)
    body = ""
    if container is not None:
        for tag in container.select(NOT_BODY):
            tag.decompose()
        body = str(container) if text_of(container) else ""
    fields = ItemFields(title=title, body=body, author=department, published=published)
    return DetailPage(ItemFields(**{key: value for key, value in fields.items() if value}),  # type: ignore
                      has_body_container=container is not None)


def _body_container(soup: BeautifulSoup, selectors: Sequence[str]) -> Tag | None:
    found = first_with_text(soup, selectors)
    if found is not None:
        return found
    for selector in selectors:  # present but empty (a release whose body is only in an HWP/PDF attachment)
        tag = soup.select_one(selector)
        if tag is not None:
            return tag
    return None


def _department(soup: BeautifulSoup) -> str:
    for label in DEPARTMENT_LABELS:
        value = labelled_value(soup, label, STOP_WORDS)
        if value:
            return value[:100]
    return ""
