"""A rijksoverheid.nl news page: the Next.js platform (June 2026 on) or the old one archives still serve."""

from __future__ import annotations

import re
from datetime import datetime

from bs4 import BeautifulSoup, Tag

from spiders.parsers.fields import ItemFields
from spiders.parsers.local_time import AMSTERDAM
from spiders.parsers.markup import (
    drop_invisible,
    inner_html,
    meta_content,
    parse_html,
    text_as_html,
    text_of,
)

SITE_SUFFIX = re.compile(r"\s*\|\s*Rijksoverheid\.nl\s*$", re.I)
MARKER = re.compile(r"Nieuwsbericht\s*\|?\s*(\d{1,2})-(\d{1,2})-(\d{4})\s*\|\s*(\d{1,2}):(\d{2})")
BODY_END = "Heeft deze informatie u geholpen?"
MINISTRY_LINKS = 'a[href^="/ministeries/"], a[href*="rijksoverheid.nl/ministeries/"]'
_MINISTRY_PREFIX = re.compile(r"^\s*(het\s+)?ministerie\s+(van|voor)\s+", re.I)


def parse_news_page(text: str) -> ItemFields:
    """Title, lead, full body (HTML), publication time and ministry; fields not found are left out."""
    soup = parse_html(text)
    drop_invisible(soup)  # before any text is taken: the Next.js payload repeats the whole page
    old = soup.select_one("div.article.content")
    fields = _old_platform(old) if old is not None else _new_platform(soup)
    published = marker_time(soup.get_text(" "))
    if published is not None:
        fields["published"] = published
    ministry = ministry_of(soup)
    if ministry:
        fields["ministry"] = ministry
    return ItemFields(**{key: value for key, value in fields.items() if value})  # type: ignore[typeddict-item]


def _new_platform(soup: BeautifulSoup) -> ItemFields:
    title = text_of(soup.select_one("h1.nav-bar__page-title"))
    if not title:
        title = SITE_SUFFIX.sub("", meta_content(soup, "og:title") or text_of(soup.find("title")))
    lead = soup.select_one("div.rich-text.larger-text")
    summary = inner_html(lead) if lead is not None and text_of(lead) else meta_content(soup, "description")
    blocks = _outermost(soup.select("div.rich-text"))
    body = "\n".join(str(block) for block in blocks if text_of(block)) or text_as_html(marked_text(soup))
    return ItemFields(title=title, summary=summary, body=body)


def _old_platform(article: Tag) -> ItemFields:
    lead = article.select_one("div.intro")
    blocks = ([lead] if lead is not None else []) + article.select("div.contentBox")
    return ItemFields(
        title=text_of(article.select_one("h1.news") or article.find("h1")),
        summary=inner_html(lead) if lead is not None else "",
        body="\n".join(str(block) for block in blocks if text_of(block)),
    )


def _outermost(tags: list[Tag]) -> list[Tag]:
    """Drop matches nested inside another match, so no block is counted twice."""
    chosen = set(map(id, tags))
    return [tag for tag in tags if not any(id(parent) in chosen for parent in tag.parents)]


def marked_text(soup: BeautifulSoup) -> str:
    """The text between "Nieuwsbericht DD-MM-JJJJ | UU:MM" and "Heeft deze informatie u geholpen?"."""
    text = soup.get_text("\n")
    match = MARKER.search(text)
    if match is None:
        return ""
    end = text.find(BODY_END, match.end())
    links = {text_of(link) for link in soup.select(MINISTRY_LINKS)}  # page metadata, not body text
    lines = text[match.end():end if end >= 0 else len(text)].splitlines()
    return "\n".join(line for line in lines if " ".join(line.split()) not in links).strip()


def marker_time(text: str) -> datetime | None:
    match = MARKER.search(text)
    if match is None:
        return None
    day, month, year, hour, minute = map(int, match.groups())
    try:
        return datetime(year, month, day, hour, minute, tzinfo=AMSTERDAM)
    except ValueError:
        return None


def ministry_of(soup: BeautifulSoup) -> str:
    """The first ministry linked from the main content (else the page): "Ministerie van X" becomes "X"."""
    main = soup.find("main")
    for scope in (main, soup) if isinstance(main, Tag) else (soup,):
        for link in scope.select(MINISTRY_LINKS):
            name = normalise_ministry(text_of(link))
            if name:
                return name
    return ""


def normalise_ministry(name: str) -> str:
    return _MINISTRY_PREFIX.sub("", " ".join(name.split())).strip()
