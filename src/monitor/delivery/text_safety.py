"""Scraped text on its way into chat messages: control characters out, mentions neutralised, links vetted.

Every renderer passes each piece of untrusted text through `plain` (or `one_line`) and then its own markup
escaping. `@everyone`, `@here`, `@channel`, `@user` get a zero-width space after the `@`, and `<!channel>`,
`<@id>`, `<#id>` one after the `<`, so no service turns them into a mention. Only absolute http and https
URLs with a host become links (`safe_link`); `javascript:`, `data:`, `vbscript:` and `file:` never do.
"""

from __future__ import annotations

import re
import unicodedata
from urllib.parse import quote, urlsplit

ZERO_WIDTH_SPACE = "\u200b"
LINK_SCHEMES = frozenset({"http", "https"})
MAX_LINK_LENGTH = 2000
_MENTION = re.compile(r"@(?=[^\s\u200b])")
_ANGLE_MENTION = re.compile(r"<(?=[!@#])")
_URL_SAFE = ":/?#[]@!$&'*+,;=%~-._"
_BIDI_CONTROLS = frozenset("\u202a\u202b\u202c\u202d\u202e\u2066\u2067\u2068\u2069")


def _keep(char: str) -> bool:
    if char in "\n\t":
        return True
    if char in _BIDI_CONTROLS:
        return False
    category = unicodedata.category(char)
    return category not in {"Cc", "Cs", "Co", "Cn"} or char == " "


def clean(text: object, limit: int | None = None) -> str:
    """Text without control characters, bidi overrides or lone surrogates, maybe truncated (for JSON)."""
    value = "".join(char for char in str(text or "") if _keep(char)).strip()
    return truncate(value, limit)


def clean_line(text: object, limit: int | None = None) -> str:
    """`clean` with every run of whitespace (newlines included) folded into one space."""
    return clean(" ".join(str(text or "").split()), limit)


def neutralise_mentions(text: str) -> str:
    return _ANGLE_MENTION.sub("<" + ZERO_WIDTH_SPACE, _MENTION.sub("@" + ZERO_WIDTH_SPACE, text))


def plain(text: object, limit: int | None = None) -> str:
    """`clean` text with mentions neutralised (for chat)."""
    return truncate(neutralise_mentions(clean(text)), limit)


def one_line(text: object, limit: int | None = None) -> str:
    """`clean_line` text with mentions neutralised (for chat)."""
    return truncate(neutralise_mentions(clean_line(text)), limit)


def truncate(text: str, limit: int | None, ellipsis: str = "…") -> str:
    """At most `limit` characters, cut at a word boundary where one is near, ending in `ellipsis`."""
    if limit is None or len(text) <= limit:
        return text
    if limit <= len(ellipsis):
        return text[:limit]
    cut = text[: limit - len(ellipsis)]
    space = cut.rfind(" ")
    if space > len(cut) * 0.6:
        cut = cut[:space]
    return cut.rstrip() + ellipsis


def safe_link(url: object) -> str | None:
    """The URL, percent-encoded where markup could break, if it is absolute http(s) with a host; else None."""
    text = str(url or "").strip()
    if not text or len(text) > MAX_LINK_LENGTH:
        return None
    if any(char.isspace() or unicodedata.category(char) in {"Cc", "Cf", "Cs"} for char in text):
        return None
    try:
        parts = urlsplit(text)
        host = parts.hostname
    except ValueError:
        return None
    if parts.scheme.lower() not in LINK_SCHEMES or not host:
        return None
    return quote(text, safe=_URL_SAFE)


def split_highlights(snippet: str) -> list[tuple[str, bool]]:
    """An explanation snippet `…before **hit** after…` as (text, is_hit) pieces."""
    pieces = snippet.split("**")
    if len(pieces) % 2 == 0:  # an odd number of markers: the text had its own `**`; show it all plain
        return [(snippet.replace("**", ""), False)]
    return [(piece, index % 2 == 1) for index, piece in enumerate(pieces) if piece]
