"""canonical_url and url_identity_key: one key per article however the link is dressed up; never raises."""

from __future__ import annotations

import operator
import re

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from monitor.urls import canonical_url, url_identity_key

BASE = "https://www.rijksoverheid.nl/actueel/nieuws/2025/02/14/index"


@pytest.mark.parametrize(("url", "expected"), [
    ("https://example.com/a", "https://example.com/a"),
    ("HTTP://WWW.Example.COM/Path/Case", "http://www.example.com/Path/Case"),
    ("https://example.com", "https://example.com/"),
    ("https://example.com:443/a", "https://example.com/a"),
    ("http://example.com:80/a", "http://example.com/a"),
    ("http://example.com:8080/a", "http://example.com:8080/a"),
    ("https://example.com:80/a", "https://example.com:80/a"),
    ("https://example.com/a#section-2", "https://example.com/a"),
    ("https://example.com/a?b=2&a=1", "https://example.com/a?a=1&b=2"),
    ("https://example.com/a?utm_source=rss&utm_medium=feed&id=7", "https://example.com/a?id=7"),
    ("https://example.com/a?UTM_Campaign=x&id=7", "https://example.com/a?id=7"),
    ("https://example.com/a?fbclid=1&gclid=2&mc_cid=3&mc_eid=4&_ga=5&igshid=6&ref_src=7&x=8",
     "https://example.com/a?x=8"),
    ("https://www.korea.kr/news/view.do?newsId=148&call_from=rsslink", "https://www.korea.kr/news/view.do?newsId=148"),
    ("https://news.example.kr/a?pWiseUtm=1&pWise=2&no=3", "https://news.example.kr/a?no=3"),
    ("https://example.com/a?utm_source=x", "https://example.com/a"),
    ("https://example.com/a?", "https://example.com/a"),
    ("https://example.com/a?x=&y", "https://example.com/a?x=&y="),
    ("https://example.com/a/./b/../c", "https://example.com/a/c"),
    ("https://example.com/%7euser/%41", "https://example.com/~user/A"),
    ("https://example.com/a%2fb", "https://example.com/a%2Fb"),
    ("https://example.com/a b", "https://example.com/a%20b"),
    ("https://example.com/뉴스?q=반도체", "https://example.com/%EB%89%B4%EC%8A%A4?q=%EB%B0%98%EB%8F%84%EC%B2%B4"),
    ("https://bücher.example/straße", "https://xn--bcher-kva.example/stra%C3%9Fe"),
    ("https://산업통상자원부.한국/", "https://xn--or3b91dqb533agnb56am15b.xn--3e0b707e/"),
    ("https://user:secret@example.com/a", "https://example.com/a"),
    ("https://example.com./a", "https://example.com/a"),
    ("  https://example.com/a\n", "https://example.com/a"),
    ("https://exam\nple.com/a", "https://example.com/a"),
    ("http:/example.com/a", "http://example.com/a"),
    ("http:\\\\example.com\\a", "http://example.com/a"),
    ("http:///example.com/a", "http://example.com/a"),  # as browsers read it
    ("http://[::1]:8080/a", "http://[::1]:8080/a"),
    ("http://127.0.0.1/a", "http://127.0.0.1/a"),
])
def test_canonical_url(url: str, expected: str) -> None:
    assert canonical_url(url) == expected
    assert canonical_url(expected) == expected


@pytest.mark.parametrize(("url", "expected"), [
    ("/actueel/nieuws/2025/02/14/item", "https://www.rijksoverheid.nl/actueel/nieuws/2025/02/14/item"),
    ("item?utm_source=rss", "https://www.rijksoverheid.nl/actueel/nieuws/2025/02/14/item"),
    ("../13/other", "https://www.rijksoverheid.nl/actueel/nieuws/2025/02/13/other"),
    ("//cdn.example.com/a", "https://cdn.example.com/a"),
    ("?page=2", "https://www.rijksoverheid.nl/actueel/nieuws/2025/02/14/index?page=2"),
    ("#top", "https://www.rijksoverheid.nl/actueel/nieuws/2025/02/14/index"),
    ("https://other.example/x", "https://other.example/x"),
])
def test_relative_links_resolve_against_the_base(url: str, expected: str) -> None:
    assert canonical_url(url, BASE) == expected


@pytest.mark.parametrize("url", [
    "", "   ", "not a url", "mailto:press@minezk.nl", "javascript:alert(1)", "JaVaScRiPt:alert(1)",
    "data:text/html,<b>x</b>", "ftp://example.com/file", "file:///etc/passwd", "tel:+31703796000", "http://",
    "https://", "http://exa mple.com/", "http://exa<mple.com/", "http://a..b/", "http://%41.com/",
    "http://example.com:99999/", "http://example.com:port/", "http://[::1/", "//example.com/no-base",
    "/relative", "\x00\ud800", "https://" + "a" * 300 + ".com/",
])
def test_not_http_urls_give_none(url: str) -> None:
    assert canonical_url(url) is None


def test_a_bad_base_does_not_make_a_relative_link_valid() -> None:
    assert canonical_url("/path", "mailto:x@example.com") is None
    assert canonical_url("/path", "not a base") is None
    assert canonical_url("https://example.com/a", "garbage") == "https://example.com/a"


@pytest.mark.parametrize(("a", "b"), [
    ("https://example.com/news/1", "http://example.com/news/1"),
    ("https://example.com/news/1", "https://example.com/news/1/"),
    ("https://example.com/news/1", "https://EXAMPLE.com:443/news/1?utm_source=rss&utm_medium=feed#comments"),
    ("https://example.com/news?id=1&page=2", "http://example.com/news/?page=2&id=1&fbclid=abc"),
    ("https://example.com/", "http://example.com"),
])
def test_identity_key_ignores_scheme_trailing_slash_and_tracking(a: str, b: str) -> None:
    key_a = url_identity_key(canonical_url(a) or "")
    assert key_a == url_identity_key(canonical_url(b) or "")
    assert re.fullmatch(r"[0-9a-f]{40}", key_a)


@pytest.mark.parametrize(("a", "b"), [
    ("https://example.com/news/1", "https://example.com/news/2"),
    ("https://example.com/news/1", "https://www.example.com/news/1"),
    ("https://example.com/news?id=1", "https://example.com/news?id=2"),
    ("https://example.com/news", "https://example.com/News"),
    ("https://example.com:8443/news", "https://example.com/news"),
])
def test_identity_key_separates_different_items(a: str, b: str) -> None:
    assert url_identity_key(canonical_url(a) or "") != url_identity_key(canonical_url(b) or "")


def test_identity_key_of_an_uncanonical_url_matches_its_canonical_form() -> None:
    raw = "HTTPS://Example.com/a/?utm_source=x"
    assert url_identity_key(raw) == url_identity_key(canonical_url(raw) or "")


URLISH = st.builds(
    operator.add,
    st.sampled_from(["http://", "https://", "HTTP://", "http:/", "https:\\\\", "//", "/", "", "mailto:",
                     "javascript:"]),
    st.text(st.sampled_from(list("abcXYZ019.-_:@[]%/?&=#;+ ~\\\t\nü한\x00")), max_size=60),
)


@settings(max_examples=3000, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(st.one_of(URLISH, st.text()), st.one_of(st.none(), st.just(BASE), st.text(max_size=30)))
def test_canonical_url_is_idempotent_and_never_raises(url: str, base: str | None) -> None:
    canonical = canonical_url(url, base)
    if canonical is not None:
        assert canonical_url(canonical) == canonical
        assert canonical.startswith(("http://", "https://"))
        assert "#" not in canonical
        canonical.encode("ascii")
        assert re.fullmatch(r"[0-9a-f]{40}", url_identity_key(canonical))


@settings(max_examples=300, deadline=None)
@given(st.text())
def test_url_identity_key_never_raises(text: str) -> None:
    assert len(url_identity_key(text)) == 40
