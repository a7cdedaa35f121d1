"""Untrusted text on its way into a feed: XML-safe characters, one-line titles, safe links, allow-listed HTML.

Everything stored came from scraped pages, so every string is treated as hostile here: characters XML 1.0
forbids (C0 controls except tab/newline/return, lone surrogates, U+FFFE/U+FFFF) and the C1 controls are
removed; links survive only with an http(s) scheme (mailto inside HTML); HTML goes through nh3's allow-list.
"""

from __future__ import annotations

import re
from urllib.parse import urlsplit

import nh3

_NOT_XML = re.compile("[\x00-\x08\x0b\x0c\x0e-\x1f\x7f-\x9f\ud800-\udfff\ufffe\uffff]")
LINK_SCHEMES = frozenset({"http", "https"})
HTML_LINK_SCHEMES = {"http", "https", "mailto"}
HTML_TAGS = {"p", "br", "ul", "li", "strong", "em", "code", "a", "small"}
HTML_ATTRIBUTES = {"a": {"href"}}
MAX_LINK_CHARS = 4096
UNTITLED = "(untitled)"


def xml_safe(text: str) -> str:
    """The text without the characters XML 1.0 cannot carry (and without C1 controls)."""
    return _NOT_XML.sub("", text) if text else ""


def one_line(text: str) -> str:
    """XML-safe text with every run of whitespace (newlines included) collapsed to one space."""
    return " ".join(xml_safe(text).split())


def title_text(text: str) -> str:
    """An entry title: one line, never empty (feeds need a title)."""
    return one_line(text) or UNTITLED


def safe_link(url: str | None) -> str | None:
    """The URL if it is an absolute http(s) link that can sit in an attribute; None otherwise.

    `javascript:`, `data:`, `vbscript:`, `file:` and relative or malformed URLs never become links.
    """
    if not url:
        return None
    url = url.strip()
    if len(url) > MAX_LINK_CHARS or _NOT_XML.search(url) or any(ch.isspace() for ch in url):
        return None
    try:
        parts = urlsplit(url)
    except ValueError:
        return None
    if parts.scheme.lower() not in LINK_SCHEMES or not parts.hostname:
        return None
    return url


def clean_html(fragment: str) -> str:
    """Allow-list sanitising of an HTML fragment: a few text tags, links to http/https/mailto only."""
    return nh3.clean(
        xml_safe(fragment),
        tags=HTML_TAGS,
        attributes=HTML_ATTRIBUTES,
        url_schemes=HTML_LINK_SCHEMES,
        link_rel="noopener noreferrer nofollow",
        strip_comments=True,
    )


def shorten(text: str, limit: int) -> str:
    """At most `limit` characters, cut at a word boundary with an ellipsis."""
    if len(text) <= limit:
        return text
    cut = text[:limit]
    if " " in cut[limit // 2 :]:
        cut = cut[: cut.rindex(" ")]
    return cut.rstrip() + "…"
