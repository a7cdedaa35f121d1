"""HTML to plain text: visible text only, block elements as line breaks, whitespace tidied."""

from __future__ import annotations

import html
import re

from bs4 import BeautifulSoup, NavigableString, Tag
from bs4.element import PreformattedString

DROPPED = frozenset({
    "script", "style", "noscript", "template", "iframe", "svg", "math", "form", "object", "embed",
    "canvas", "audio", "video", "head", "title", "meta", "link", "button", "select", "textarea",
})
"""Elements whose content is never visible article text."""
VOID = frozenset({
    "area", "base", "br", "col", "embed", "hr", "img", "input", "link", "meta", "source", "track", "wbr",
})
"""Elements that never have content or a closing tag."""

PARAGRAPHS = frozenset({
    "p", "h1", "h2", "h3", "h4", "h5", "h6", "blockquote", "pre", "table", "ul", "ol", "dl", "figure",
    "hr", "address", "fieldset",
})
"""Blocks set off by an empty line."""

LINES = frozenset({
    "br", "div", "li", "tr", "dt", "dd", "section", "article", "aside", "header", "footer", "main", "nav",
    "figcaption", "caption", "details", "summary", "center", "body", "html", "option",
    "legend", "dialog", "menu", "hgroup", "search",
})
"""Blocks that start and end on a line of their own."""

CELLS = frozenset({"td", "th"})
"""Table cells: separated by a space, rows by line breaks."""

_BLANK_LINES = re.compile(r"\n{3,}")
_ANY_SPACE = re.compile(r"\s+")


def html_to_text(html_source: str) -> str:
    """Visible text of an HTML fragment or page; never raises, bounded time on hostile input."""
    if not html_source:
        return ""
    if "<" not in html_source:
        return _tidy(html.unescape(html_source))
    if html_source.startswith("<?xml"):  # no text in it, and bs4 would warn that XML is parsed as HTML
        end = html_source.find("?>", 0, 500)
        html_source = html_source[end + 2:] if end > 0 else html_source[5:]
    try:
        soup = BeautifulSoup(html_source, "lxml")
        return _tidy(_join(_walk(soup)))
    except Exception:  # a parser failure must not lose the item: strip tags without a tree instead
        return _tidy(_strip_tags(html_source))


def _walk(root: Tag) -> list[str | int]:
    """Text pieces and break markers (1 = line, 2 = empty line) in document order, without recursion."""
    out: list[str | int] = []
    pre_depth = 0
    stack: list[tuple[Tag, int]] = [(root, 0)]
    while stack:
        tag, index = stack[-1]
        if index >= len(tag.contents):
            stack.pop()
            name = tag.name
            if name == "pre":
                pre_depth -= 1
            out.append(_break(name))
            continue
        stack[-1] = (tag, index + 1)
        node = tag.contents[index]
        if isinstance(node, Tag):
            name = node.name
            if name == "br":
                out.append("\n")
            elif name in CELLS:
                out.append(" ")
                stack.append((node, 0))
            elif name not in DROPPED:
                out.append(_break(name))
                if name == "pre":
                    pre_depth += 1
                stack.append((node, 0))
        elif isinstance(node, NavigableString) and not isinstance(node, PreformattedString):
            out.append(str(node) if pre_depth else _ANY_SPACE.sub(" ", node))
    return out


def _break(name: str) -> int:
    return 2 if name in PARAGRAPHS else 1 if name in LINES else 0


def _join(pieces: list[str | int]) -> str:
    """Merge adjacent break markers (the larger wins) and drop whitespace-only text between them."""
    parts: list[str] = []
    pending = 0
    for piece in pieces:
        if isinstance(piece, int):
            pending = max(pending, piece)
        elif pending and piece.isspace():
            continue
        elif piece:
            if pending:
                parts.append("\n" * pending)
                pending = 0
            parts.append(piece)
    return "".join(parts)


def _strip_tags(source: str) -> str:
    """Tree-free fallback, one linear scan: text between tags, dropped elements skipped, entities decoded."""
    lowered = source.lower()
    pieces: list[str] = []
    position, end = 0, len(source)
    while position < end:
        opening = source.find("<", position)
        closing = source.find(">", opening + 1) if opening >= 0 else -1
        if closing < 0:
            pieces.append(source[position:])
            break
        pieces.append(source[position:opening])
        position = closing + 1
        name = (lowered[opening + 1:closing].split(None, 1) or [""])[0].rstrip("/")
        if name in DROPPED and name not in VOID and lowered[closing - 1] != "/":
            skip_to = lowered.find(f"</{name}", position)
            after = lowered.find(">", skip_to) if skip_to >= 0 else -1
            if after < 0:
                break
            position = after + 1
        elif name.lstrip("/") in PARAGRAPHS or name.lstrip("/") in LINES:
            pieces.append("\n")
    return html.unescape("".join(pieces))


def _tidy(text: str) -> str:
    """Collapse inline whitespace, trim every line and keep at most one empty line in a row."""
    lines = text.replace("\r\n", "\n").replace("\r", "\n").split("\n")
    text = "\n".join(" ".join(line.split()) for line in lines)
    if "\n\n\n" in text:
        text = _BLANK_LINES.sub("\n\n", text)
    return text.strip()
