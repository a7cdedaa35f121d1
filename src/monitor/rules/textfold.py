"""Text normalisation for matching: the "match view" of a text and the way back to the original offsets.

The view is NFKC-normalised, case-folded and accent-folded; every character that is not a letter or a digit
becomes one space. Hangul syllables are kept whole (accent folding would otherwise split them into jamo).
Offsets in explanations refer to the NFKC form of the stored text, which is what the store keeps anyway.
"""

from __future__ import annotations

import re
import unicodedata
from functools import lru_cache

HANGUL_FIRST = "\uac00"
HANGUL_LAST = "\ud7a3"

_ASCII_TO_VIEW = str.maketrans({chr(code): " " for code in range(128) if not chr(code).isalnum()})
_NON_WORD = re.compile(r"[^\w ]|_")
_NON_WORD_CASE = re.compile(r"[^\w]|_")


# Precomposed Latin/Greek/Cyrillic letters with diacritics and the combining diacritics themselves: the only
# characters that accent folding changes in NFKC text. Other scripts' marks carry letters and stay.
_ACCENTED = re.compile("[\u00c0-\u04ff\u1ab0-\u1aff\u1dc0-\u1fff\u20d0-\u20ff\ufe20-\ufe2f]")
_DIACRITICS = re.compile("[\u0300-\u036f\u1ab0-\u1aff\u1dc0-\u1dff\u20d0-\u20ff\ufe20-\ufe2f]")


def is_hangul(char: str) -> bool:
    return HANGUL_FIRST <= char <= HANGUL_LAST


@lru_cache(maxsize=4096)
def _strip_accents(char: str) -> str:
    return unicodedata.normalize("NFC", _DIACRITICS.sub("", unicodedata.normalize("NFD", char)))


def _strip_match(match: re.Match[str]) -> str:
    return _strip_accents(match.group())


def nfkc(text: str) -> str:
    """The NFKC form of a text; cheap when the text already is NFKC (the store keeps NFKC text)."""
    return text if unicodedata.is_normalized("NFKC", text) else unicodedata.normalize("NFKC", text)


def fold_view(text: str) -> str:
    """The match view of an NFKC text: case- and accent-folded, every non-word character one space."""
    if text.isascii():
        return text.lower().translate(_ASCII_TO_VIEW)
    folded = _ACCENTED.sub(_strip_match, text.casefold())
    if folded.isascii():
        return folded.translate(_ASCII_TO_VIEW)
    return _NON_WORD.sub(" ", folded)


def case_view(text: str) -> str:
    """The case-sensitive view of an NFKC text: only non-word characters become spaces (accents kept)."""
    return _NON_WORD_CASE.sub(" ", text)


@lru_cache(maxsize=65536)
def fold_char(char: str) -> str:
    """The view of one character; concatenating these gives `fold_view` of the whole text."""
    return fold_view(char)


@lru_cache(maxsize=1)
def _irregular() -> re.Pattern[str]:
    """Characters whose view is not exactly one character (ß → ss, a lone combining mark → nothing)."""
    odd = [chr(code) for code in range(0x80, 0x10000)
           if not 0xD800 <= code <= 0xDFFF and len(fold_view(chr(code))) != 1]
    return re.compile("[" + "".join(re.escape(char) for char in odd) + "]")


def offset_map(text: str, view: str) -> list[int] | None:
    """For each view offset, the offset in `text` it came from (one entry past the end); None for identity."""
    if len(text) == len(view) and (text.isascii() or not _irregular().search(text)):
        return None
    positions: list[int] = []
    for index, char in enumerate(text):
        positions.extend([index] * len(fold_char(char)))
    if len(positions) != len(view):
        # Only for pathological input (e.g. jamo that compose across a stripped mark): clamp instead.
        positions = [min(index, len(text)) for index in range(len(view))]
    positions.append(len(text))
    return positions
