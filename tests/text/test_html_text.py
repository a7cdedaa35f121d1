"""html_to_text: visible text only, blocks as line breaks, tidy whitespace, bounded on hostile input."""

from __future__ import annotations

import time

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from monitor.text.html_text import html_to_text


@pytest.mark.parametrize(("html", "expected"), [
    ("", ""),
    ("plain text", "plain text"),
    ("Tom &amp; Jerry &lt;3 &#xAC00;", "Tom & Jerry <3 가"),
    ("line one\n\n\n\nline two", "line one\n\nline two"),
    ("  spaced   out \t text  ", "spaced out text"),
    ("<p>a</p><p>b</p>", "a\n\nb"),
    ("<div>a</div>\n   <div>b</div>", "a\nb"),
    ("a<br>b", "a\nb"),
    ("a<br><br>b", "a\n\nb"),
    ("a<br><br><br><br>b", "a\n\nb"),
    ("<ul><li>one</li><li>two</li></ul><p>after   it</p>", "one\ntwo\n\nafter it"),
    ("<b>bold</b> <i>italic</i>", "bold italic"),
    ("<h1>Title</h1><section><p>Body</p></section>", "Title\n\nBody"),
    ("<table><tr><td>a</td><td>b</td></tr><tr><td>c</td><td>d</td></tr></table>", "a b\nc d"),
    ("<blockquote>quoted</blockquote>after", "quoted\n\nafter"),
    ("<pre>line 1\nline 2</pre>", "line 1\nline 2"),
    ("<p>text\n   wrapped\n in source</p>", "text wrapped in source"),
    ("<p>Zuid-Korea &amp; Nederland</p>", "Zuid-Korea & Nederland"),
    ("<p>반도체 <b>수출</b> 통제</p>", "반도체 수출 통제"),
])
def test_structure_and_whitespace(html: str, expected: str) -> None:
    assert html_to_text(html) == expected


@pytest.mark.parametrize("element", ["script", "style", "noscript", "template", "iframe", "svg", "form"])
def test_invisible_elements_are_dropped(element: str) -> None:
    html = f"<p>before</p><{element}>hidden <b>stuff</b></{element}><p>after</p>"
    assert html_to_text(html) == "before\n\nafter"


def test_comments_cdata_and_doctype_are_dropped() -> None:
    html = "<!DOCTYPE html><html><body>a<!-- secret -->b<![CDATA[ c ]]></body></html>"
    assert html_to_text(html) == "ab"


def test_head_and_title_are_not_body_text() -> None:
    html = ("<html><head><title>Page title</title><meta name='x' content='y'></head>"
            "<body><p>Body</p></body></html>")
    assert html_to_text(html) == "Body"


def test_broken_markup_still_yields_text() -> None:
    assert html_to_text("<p>unclosed <b>bold <div>block") == "unclosed bold\nblock"
    assert html_to_text("a < b and c > d") == "a < b and c > d"


@pytest.mark.timeout(30)
def test_deeply_nested_divs_finish_quickly() -> None:
    html = "<div>" * 100_000 + "deep text" + "</div>" * 100_000
    started = time.perf_counter()
    assert html_to_text(html) == "deep text"
    assert time.perf_counter() - started < 5


@pytest.mark.timeout(60)
def test_a_fifty_megabyte_text_node_finishes_quickly() -> None:
    html = "<p>" + "woord " * 8_400_000 + "</p>"
    assert len(html) > 50_000_000
    started = time.perf_counter()
    text = html_to_text(html)
    assert time.perf_counter() - started < 10
    assert text.startswith("woord woord") and len(text) == 8_400_000 * 6 - 1


@pytest.mark.timeout(60)
def test_a_fifty_megabyte_plain_string_takes_the_fast_path() -> None:
    started = time.perf_counter()
    assert len(html_to_text("x" * 50_000_000)) == 50_000_000
    assert time.perf_counter() - started < 5


@settings(max_examples=300, deadline=None)
@given(st.text())
def test_never_raises_and_output_is_tidy(source: str) -> None:
    text = html_to_text(source)
    assert text == text.strip()
    assert "\n\n\n" not in text
    assert "  " not in text
    assert "\r" not in text


@settings(max_examples=200, deadline=None)
@given(st.lists(st.sampled_from(["<p>", "</p>", "<div>", "</div>", "<br>", "<script>", "</script>", "<!--",
                                 "-->", "<b>", "</b>", "text", " ", "\n", "&amp;", "&#0;", "<li>", "<table>",
                                 "<td>", "한국"])))
def test_tag_soup_never_raises(tokens: list[str]) -> None:
    html_to_text("".join(tokens))


class ParserBlowsUp:
    def __init__(self, *args: object, **kwargs: object) -> None:
        raise RecursionError("maximum recursion depth exceeded")


@pytest.mark.parametrize(("html", "expected"), [
    ("<p>a</p><p>b</p>", "a\n\nb"),
    ("x<script>evil()</script>y<SCRIPT src=x>z</SCRIPT >w", "xyw"),
    ("Tom &amp; <b>Jer</b>ry<br/>next", "Tom & Jerry\nnext"),
    ("<head><meta charset=utf-8><title>T</title></head><body><p>x</p><meta name=a>y", "x\ny"),
    ("<script>never closed", ""),
    ("a < b", "a < b"),
])
def test_fallback_when_the_parser_fails(monkeypatch: pytest.MonkeyPatch, html: str, expected: str) -> None:
    monkeypatch.setattr("monitor.text.html_text.BeautifulSoup", ParserBlowsUp)
    assert html_to_text(html) == expected


@pytest.mark.timeout(30)
def test_fallback_is_linear_on_hostile_input(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr("monitor.text.html_text.BeautifulSoup", ParserBlowsUp)
    started = time.perf_counter()
    assert html_to_text("<div>" * 100_000 + "deep" + "</div>" * 100_000) == "deep"
    assert html_to_text("<script>" * 200_000) == ""
    assert html_to_text("<" * 1_000_000 + "x") == "<" * 1_000_000 + "x"
    assert time.perf_counter() - started < 5


def test_xml_input_gives_no_warning(recwarn: pytest.WarningsRecorder) -> None:
    html_to_text('<?xml version="1.0"?><rss><item><description>x</description></item></rss>')
    assert not [w for w in recwarn if "XML" in str(w.message)]
