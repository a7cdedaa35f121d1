"""guid_key, body_hash and content_hash: stable keys, reflow-proof body hashes, content changes detected."""

from __future__ import annotations

import re

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from monitor.identity import body_hash, content_hash, guid_key
from monitor.urls import canonical_url, url_identity_key

ANY_TEXT = st.text(alphabet=st.characters(codec=None, categories=None))  # controls and lone surrogates too
SHA1 = re.compile(r"[0-9a-f]{40}")
SHA256 = re.compile(r"[0-9a-f]{64}")


class TestGuidKey:
    def test_stable_and_hex(self) -> None:
        key = guid_key("rijksoverheid", "https://www.rijksoverheid.nl/-/a1b2")
        assert key == guid_key("rijksoverheid", "https://www.rijksoverheid.nl/-/a1b2")
        assert key is not None and SHA1.fullmatch(key)

    @pytest.mark.parametrize("guid", [None, "", "   ", "\n\t"])
    def test_empty_guid_gives_no_key(self, guid: str | None) -> None:
        assert guid_key("source", guid) is None
        assert guid_key("source", guid, "https://example.com/a") is None

    def test_surrounding_whitespace_is_ignored_case_is_not(self) -> None:
        assert guid_key("s", " abc \n") == guid_key("s", "abc")
        assert guid_key("s", "ABC") != guid_key("s", "abc")

    def test_the_source_is_part_of_the_key(self) -> None:
        assert guid_key("yonhap", "12345") != guid_key("etnews", "12345")

    def test_fields_cannot_run_into_each_other(self) -> None:
        assert guid_key("ab", "c") != guid_key("a", "bc")
        assert guid_key("a", "b", "https://c.example/") != guid_key("a", "b https://c.example/")

    def test_two_items_with_one_guid_are_told_apart_by_their_link(self) -> None:
        first = guid_key("motie", "1", "https://www.motie.go.kr/news/view?no=1001")
        second = guid_key("motie", "1", "https://www.motie.go.kr/news/view?no=1002")
        assert first != second
        assert first != guid_key("motie", "1")

    def test_the_link_is_canonicalised(self) -> None:
        plain = guid_key("s", "g", "https://example.com/a?id=1")
        assert plain == guid_key("s", "g", "https://EXAMPLE.com:443/a?utm_source=rss&id=1#top")
        assert guid_key("s", "g", "   ") == guid_key("s", "g")

    def test_a_link_that_is_not_a_url_still_gives_a_stable_key(self) -> None:
        assert guid_key("s", "g", "not a url") == guid_key("s", "g", " not a url ")
        assert guid_key("s", "g", "not a url") != guid_key("s", "g")

    @settings(max_examples=300, deadline=None)
    @given(ANY_TEXT, ANY_TEXT, st.none() | ANY_TEXT)
    def test_never_raises(self, source: str, guid: str, link: str | None) -> None:
        key = guid_key(source, guid, link)
        assert key is None or SHA1.fullmatch(key)


class TestBodyHash:
    def test_reflowed_copies_match(self) -> None:
        original = "Het kabinet breidt de exportcontrole uit.\n\nDe maatregel geldt vanaf 15 januari."
        reflowed = "  Het kabinet breidt de\nexportcontrole uit.   De maatregel geldt\tvanaf 15 januari.  "
        assert body_hash(original) == body_hash(reflowed)

    def test_case_width_and_invisible_characters_do_not_matter(self) -> None:
        assert body_hash("ASML Orders") == body_hash("asml orders")
        assert body_hash("ＨＢＭ４ 반도체") == body_hash("HBM4 반도체")
        assert body_hash("zero\u200bwidth\x00") == body_hash("zerowidth")

    def test_different_text_differs(self) -> None:
        assert body_hash("8.1 trillion won") != body_hash("8.2 trillion won")

    def test_empty_text_is_the_hash_of_nothing(self) -> None:
        empty = "e3b0c44298fc1c149afbf4c8996fb92427ae41e4649b934ca495991b7852b855"
        assert body_hash("") == body_hash(" \n\t ") == empty

    @settings(max_examples=300, deadline=None)
    @given(ANY_TEXT)
    def test_never_raises(self, text: str) -> None:
        assert SHA256.fullmatch(body_hash(text))


class TestContentHash:
    def test_changes_when_any_field_changes(self) -> None:
        base = content_hash("Title", "Summary", "Body")
        changed = {content_hash("Title!", "Summary", "Body"), content_hash("Title", "Summary.", "Body"),
                   content_hash("Title", "Summary", "Body 2")}
        assert len(changed | {base}) == 4

    def test_fields_cannot_run_into_each_other(self) -> None:
        assert content_hash("ab", "c", "") != content_hash("a", "bc", "")
        assert content_hash("", "", "x") != content_hash("x", "", "")

    def test_cleaning_differences_do_not_count_as_changes(self) -> None:
        assert content_hash("Title ", "Sum\r\nmary", "Body\x00") == content_hash("Title", "Sum\nmary", "Body")

    @settings(max_examples=300, deadline=None)
    @given(ANY_TEXT, ANY_TEXT, ANY_TEXT)
    def test_never_raises(self, title: str, summary: str, body: str) -> None:
        assert SHA256.fullmatch(content_hash(title, summary, body))


def test_recrawling_three_times_gives_one_set_of_keys() -> None:
    """The same feed entry seen three times, dressed differently each time, yields identical keys."""
    seen = [
        ("https://www.korea.kr/news/policyNewsView.do?newsId=148&call_from=rsslink", " 148 ", "본문\n내용"),
        ("http://www.korea.kr/news/policyNewsView.do?newsId=148&utm_source=rss", "148", "본문 내용"),
        ("https://WWW.KOREA.KR/news/policyNewsView.do?newsId=148#top", "148\n", " 본문  내용 "),
    ]
    keys = {(url_identity_key(canonical_url(url) or ""), guid_key("korea-kr", guid), body_hash(body))
            for url, guid, body in seen}
    assert len(keys) == 1
