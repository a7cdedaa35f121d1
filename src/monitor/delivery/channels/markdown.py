"""Markdown as Discord and Mattermost read it: every markup character of scraped text escaped with `\\`.

Mattermost also rewrites Slack's `<url|text>` and `<!channel>` in incoming webhooks before it reads the
Markdown, so for Mattermost `&`, `<` and `>` become entities first (`escape_mattermost`): no angle bracket
from scraped text reaches it.
"""

from __future__ import annotations

import re
from collections.abc import Callable

from monitor.delivery.text_safety import safe_link

_SPECIAL = re.compile(r"([\\`*_~|>\[\]()#<:!+\-=.{}])")


def escape_markdown(text: str) -> str:
    """Scraped text that renders as itself: no bold, links, headings, spoilers, code or quotes of its own."""
    return _SPECIAL.sub(r"\\\1", text)


def escape_mattermost(text: str) -> str:
    return escape_markdown(text.replace("&", "&amp;").replace("<", "&lt;").replace(">", "&gt;"))


def markdown_link(text: str, url: str, escape: Callable[[str], str] = escape_markdown) -> str:
    """`[text](url)` for an http(s) URL (parentheses in it encoded), else the escaped text alone."""
    target = safe_link(url)
    label = escape(text) or "link"
    if target is None:
        return label
    return f"[{label}]({target.replace('(', '%28').replace(')', '%29')})"


def highlighted_markdown(pieces: list[tuple[str, bool]], escape: Callable[[str], str] = escape_markdown) -> str:
    return "".join(f"**{escape(part)}**" if hit else escape(part) for part, hit in pieces)
