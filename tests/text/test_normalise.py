"""clean_text and single_line: NFKC, no control characters, surrogates or zero-width junk, idempotent."""

from __future__ import annotations

import re
import unicodedata

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from monitor.text.normalise import clean_text, single_line

FORBIDDEN = re.compile("[\x00-\x08\x0b-\x1f\x7f-\x9f\ud800-\udfff\ufffe\uffff\u200b\ufeff\t\r]")
ANY_CHARACTER = st.characters(codec=None, categories=None)  # includes controls and lone surrogates
NASTY = st.lists(st.one_of(ANY_CHARACTER, st.sampled_from(
    ["\x00", "\r\n", "\r", "\n", "\t", "\x0b", "\x85", "\u2028", "\ud800", "\udfff", "\ufeff", "\u200b",
     "\ufffe", "\uffff", " ", "\u00a0", "\u0301", "e", "가", "\uff21", "\u00ad"]))).map("".join)


@pytest.mark.parametrize(("raw", "expected"), [
    ("", ""),
    ("plain", "plain"),
    ("a\x00b", "ab"),
    ("bell\x07 and escape\x1b[31m", "bell and escape[31m"),
    ("c1\x80\x9fcontrol", "c1control"),
    ("tab\there", "tab here"),
    ("windows\r\nline\rends", "windows\nline\nends"),
    ("lone \ud800 surrogate \udfff", "lone  surrogate"),
    ("non\ufffechar\uffff", "nonchar"),
    ("zero\u200bwidth\ufeff", "zerowidth"),
    ("soft\u00adhyphen", "softhyphen"),
    ("trailing   \nspaces \t\n", "trailing\nspaces"),
    ("a\n\n\n\n\nb", "a\n\nb"),
    ("a\n \n \n b", "a\n\n b"),
    ("   both ends \n\n", "both ends"),
    ("ｆｕｌｌｗｉｄｔｈ ＡＢＣ １２３", "fullwidth ABC 123"),
    ("ﬁnance ①", "finance 1"),
    ("e\u0301", "\u00e9"),
    ("no\u00a0break", "no break"),
    ("한국어 ㈜삼성", "한국어 (주)삼성"),
    ("ZWJ emoji \U0001f468\u200d\U0001f469 kept", "ZWJ emoji \U0001f468\u200d\U0001f469 kept"),
    ("vertical\x0btab\x0cfeed\x85next\u2028line", "vertical\ntab\nfeed\nnext\nline"),
])
def test_clean_text(raw: str, expected: str) -> None:
    assert clean_text(raw) == expected


@pytest.mark.parametrize(("raw", "expected"), [
    ("", ""),
    ("  one\n\ntwo\tthree\r\nfour  ", "one two three four"),
    ("Subject\r\nBcc: x@example.com", "Subject Bcc: x@example.com"),
    ("no\u00a0break\u2028sep", "no break sep"),
])
def test_single_line(raw: str, expected: str) -> None:
    assert single_line(raw) == expected


@settings(max_examples=2000, deadline=None)
@given(NASTY)
def test_clean_text_is_idempotent_and_safe(raw: str) -> None:
    cleaned = clean_text(raw)
    assert clean_text(cleaned) == cleaned
    assert not FORBIDDEN.search(cleaned)
    assert cleaned == cleaned.strip()
    assert "\n\n\n" not in cleaned
    assert unicodedata.is_normalized("NFKC", cleaned)
    cleaned.encode("utf-8")  # strict: raises on a surrogate


@settings(max_examples=500, deadline=None)
@given(NASTY)
def test_single_line_has_no_line_breaks(raw: str) -> None:
    line = single_line(clean_text(raw))
    assert "\n" not in line and "\r" not in line
    assert single_line(line) == line
