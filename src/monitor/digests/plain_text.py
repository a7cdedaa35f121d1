"""Untrusted text made safe to show: control characters out, one line where needed, bounded length."""

from __future__ import annotations

import re

# Unicode category Cc is exactly U+0000–U+001F and U+007F–U+009F; lone surrogates cannot be encoded.
_CONTROLS_BUT_LINES = re.compile("[\x00-\x08\x0b-\x1f\x7f-\x9f]")
_LINE_BREAKING = re.compile("[\x00-\x1f\x7f-\x9f\u2028\u2029]")
_SURROGATES = re.compile("[\ud800-\udfff]")
_WHITESPACE = re.compile(r"\s+")
_ENCODED_WORD_START = "=?"


def strip_controls(text: str) -> str:
    """Text without control characters other than newline and tab (C0 incl. CR, DEL, C1); lone surrogates
    become U+FFFD."""
    return _CONTROLS_BUT_LINES.sub("", _SURROGATES.sub("\ufffd", text))


def single_line(text: str) -> str:
    """One line of text: controls, U+2028/U+2029 and every run of whitespace become one space."""
    cleaned = _LINE_BREAKING.sub(" ", _SURROGATES.sub("\ufffd", text))
    return _WHITESPACE.sub(" ", cleaned).strip()


def shorten(text: str, limit: int) -> str:
    """At most `limit` characters, cut at a word boundary when there is one near the end, with an ellipsis."""
    if len(text) <= limit:
        return text
    cut = text[: limit - 1]
    space = cut.rfind(" ")
    if space > limit * 0.6:
        cut = cut[:space]
    return cut.rstrip() + "…"


def header_text(text: str, limit: int = 200) -> str:
    """Text fit for a mail header: one line, bounded, and no `=?` that a client could decode as an encoded
    word (`=?UTF-8?Q?=0ABcc:…?=` in a title must stay literal text, never a line break)."""
    line = shorten(single_line(text), limit)
    return line.replace(_ENCODED_WORD_START, "=\u200b?")
