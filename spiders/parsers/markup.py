"""Small HTML helpers shared by the page parsers, on BeautifulSoup over already-decoded text."""

from __future__ import annotations

import html
import re
from collections.abc import Iterable

from bs4 import BeautifulSoup, Tag

INVISIBLE = ("script", "style", "noscript", "template")
_SPACE = re.compile(r"\s+")


def parse_html(text: str) -> BeautifulSoup:
    """A tree of decoded HTML text (never raw bytes: the charset is Scrapy's business)."""
    return BeautifulSoup(text, "lxml")


def drop_invisible(soup: BeautifulSoup | Tag) -> None:
    """Remove scripts, styles and templates: payloads that repeat the page (Next.js) never reach the text."""
    for tag in soup.find_all(INVISIBLE):
        tag.decompose()


def text_of(tag: Tag | None) -> str:
    """The element's text with whitespace collapsed ('' for None)."""
    return _SPACE.sub(" ", tag.get_text(" ")).strip() if tag is not None else ""


def first_with_text(soup: BeautifulSoup | Tag, selectors: Iterable[str]) -> Tag | None:
    """The first element, trying the selectors in order, that has any text."""
    for selector in selectors:
        for tag in soup.select(selector):
            if text_of(tag):
                return tag
    return None


def meta_content(soup: BeautifulSoup, *names: str) -> str:
    """The content of the first <meta name=…> or <meta property=…> among names that has one."""
    for name in names:
        tag = soup.find("meta", attrs={"name": name}) or soup.find("meta", attrs={"property": name})
        if isinstance(tag, Tag):
            content = tag.get("content")
            if isinstance(content, str) and content.strip():
                return content.strip()
    return ""


def inner_html(tag: Tag) -> str:
    return tag.decode_contents().strip()


def text_as_html(text: str) -> str:
    """Plain text as escaped HTML paragraphs, one per non-empty line (a later HTML-to-text step keeps it)."""
    lines = (" ".join(line.split()) for line in text.splitlines())
    return "\n".join(f"<p>{html.escape(line)}</p>" for line in lines if line)


def labelled_value(soup: BeautifulSoup | Tag, label: str, stop_words: Iterable[str] = ()) -> str:
    """The value after a label such as 담당부서 ("담당부서 : 반도체과", <th>담당부서</th><td>…</td>)."""
    stops = "|".join(re.escape(word) for word in stop_words)
    tail = rf"(?=\s{{2,}}|\s*\||\s*(?:{stops})|$)" if stops else r"(?=\s{2,}|\s*\||$)"
    pattern = re.compile(rf"{re.escape(label)}\s*[:：]?\s*(\S[^|\n]*?){tail}")
    for node in soup.find_all(string=re.compile(re.escape(label))):
        parent = node.parent
        if parent is None:
            continue
        match = pattern.search(" ".join(parent.get_text(" ").split())[:500])
        if match:
            return match.group(1).strip()
        sibling = parent.find_next_sibling()
        if isinstance(sibling, Tag) and text_of(sibling):
            return text_of(sibling)[:200]
    return ""
