"""Unicode clean-up before storage: NFKC, no control characters, surrogates or invisible junk, tidy lines."""

from __future__ import annotations

import re
import unicodedata

_OTHER_LINE_BREAKS = re.compile("[\x0b\x0c\x85\u2028\u2029]")
_REMOVED = re.compile(
    "[\x00-\x08\x0e-\x1f\x7f-\x84\x86-\x9f"  # C0, C1 controls but \t \n (\x0b \x0c \x85 become line breaks)
    "\ud800-\udfff"  # lone surrogates: not encodable as UTF-8
    "\ufffe\uffff"  # non-characters, invalid in XML
    "\u00ad\u200b\u2060\ufeff]"  # soft hyphen, zero-width space, word joiner, BOM / zero-width no-break space
)
_BLANK_LINES = re.compile(r"\n{3,}")


def clean_text(text: str) -> str:
    """NFKC text without control characters, surrogates or zero-width junk; tidy line ends."""
    if not text:
        return ""
    text = _OTHER_LINE_BREAKS.sub("\n", text.replace("\r\n", "\n").replace("\r", "\n"))
    text = unicodedata.normalize("NFKC", _REMOVED.sub("", text)).replace("\t", " ")
    text = "\n".join(line.rstrip() for line in text.split("\n"))
    if "\n\n\n" in text:
        text = _BLANK_LINES.sub("\n\n", text)
    return text.strip()


def single_line(text: str) -> str:
    """The text on one line: every run of whitespace, newlines included, becomes one space."""
    return " ".join(text.split())
