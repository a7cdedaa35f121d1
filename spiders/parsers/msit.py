"""MSIT (과학기술정보통신부) press-release board: ids from `fn_detail(NNN)`, detail on bbs/view.do."""

from __future__ import annotations

import re
from itertools import islice
from urllib.parse import parse_qsl, urlencode, urlsplit, urlunsplit

from bs4 import Tag

from spiders.parsers.boards import DetailLayout
from spiders.parsers.fields import ItemFields
from spiders.parsers.local_time import SEOUL, find_local_datetime
from spiders.parsers.markup import drop_invisible, first_with_text, parse_html, text_of

DETAIL_ID = re.compile(r"fn_detail\(\s*['\"]?(\d+)")
PRESS_BOARD = "94"
"""bbsSeqNo of the press-release board, added when the list URL does not carry one (seen in code)."""
DETAIL = DetailLayout(
    title=("div.view_head h2", "div.board_view h2", "div.board_view h3"),
    body=("div.board_view div.view_cont", "div.board_view .cont", "div.board_view"),
    date=("div.board_view span.date", "span.date", "div.view_head"),
)
_ROW_TAGS = ("tr", "li")


def detail_url(list_url: str, ntt_seq_no: str) -> str:
    """`bbs/list.do?sCode=user&mPid=208&mId=307&pageIndex=1` → `bbs/view.do?…&bbsSeqNo=94&nttSeqNo=NNN`."""
    parts = urlsplit(list_url)
    head, _, last = parts.path.rpartition("/")
    path = f"{head}/view.do" if last.endswith(".do") else f"{parts.path.rstrip('/')}/view.do"
    query = [(key, value) for key, value in parse_qsl(parts.query, keep_blank_values=True)
             if key not in ("pageIndex", "nttSeqNo")]
    if not any(key == "bbsSeqNo" for key, _ in query):
        query.append(("bbsSeqNo", PRESS_BOARD))
    query.append(("nttSeqNo", ntt_seq_no))
    return urlunsplit((parts.scheme, parts.netloc, path, urlencode(query), ""))


def detail_id(tag: Tag) -> str | None:
    for attribute in ("href", "onclick"):
        value = tag.get(attribute)
        match = DETAIL_ID.search(value) if isinstance(value, str) else None
        if match:
            return match.group(1)
    return None


def parse_list(text: str, list_url: str) -> list[ItemFields]:
    """Every element calling fn_detail(NNN); the title is its text, the YYYY.MM.DD date is in its row."""
    soup = parse_html(text)
    drop_invisible(soup)
    rows: dict[str, ItemFields] = {}
    for link in soup.find_all(lambda tag: detail_id(tag) is not None):
        identifier = detail_id(link) or ""
        if identifier in rows:
            continue
        row = _row_of(link)
        title = text_of(first_with_text(link, (".title", "strong", "p"))) or text_of(link)
        rows[identifier] = ItemFields(url=detail_url(list_url, identifier), guid=identifier, title=title,
                                      published=find_local_datetime(text_of(row), SEOUL))
    return list(rows.values())


def _row_of(link: Tag) -> Tag:
    """The list row around a link: its <tr> or <li>, else the nearest ancestor that also shows a date."""
    row = link.find_parent(_ROW_TAGS)
    if isinstance(row, Tag):
        return row
    for parent in islice(link.parents, 4):
        if find_local_datetime(text_of(parent)[:300], SEOUL) is not None:
            return parent
    return link
