"""The lxml fast path reads well-formed feeds exactly as feedparser does, and refuses everything else."""

from __future__ import annotations

import subprocess
import sys
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st
from scrapy.http import XmlResponse
from spiders.parsers.fast_feed import parse_well_formed
from spiders.parsers.feeds import parse_feed, parse_with_feedparser
from spiders.parsers.fields import FeedResult, ItemFields

from monitor.items import ScrapedItem
from monitor.normalised import InvalidItem, normalise_item
from tests.spiders.harness import FIXTURES

ROOT = Path(__file__).resolve().parents[2]
FETCHED = datetime(2026, 10, 1, 12, 0, tzinfo=UTC)
COMPARED = ("url_key", "guid_key", "title", "summary", "body", "published_at", "author", "content_hash")
RAW_EXACT = ("url", "guid", "published", "author", "title")
"""Raw fields that must match byte for byte (summary and body are HTML: feedparser sanitises them)."""
FARM_URL = "http://127.0.0.1:8765/feeds/{}.xml"
XML_FIXTURES = sorted(path.relative_to(FIXTURES) for path in FIXTURES.glob("*/*.xml"))


@pytest.fixture(scope="session")
def farm_feeds(tmp_path_factory: pytest.TempPathFactory) -> dict[str, str]:
    """20 feeds of 50 items (2 of them Atom) from the benchmark farm, by URL."""
    directory = tmp_path_factory.mktemp("farm")
    subprocess.run([sys.executable, str(ROOT / "bench/farm/farm.py"), "generate", "--dir", str(directory),
                    "--feeds", "20", "--items", "50", "--seed", "42", "--port", "8765"],
                   check=True, capture_output=True)
    return {FARM_URL.format(path.stem): path.read_text("utf-8") for path in (directory / "feeds").glob("*.xml")}


def fixture_text(relative: Path, url: str) -> str:
    """The fixture decoded as the spiders see it (`response.text`: BOM, HTTP header or XML declaration)."""
    return XmlResponse(url=url, body=(FIXTURES / relative).read_bytes()).text


def normalised(fields: ItemFields) -> dict[str, Any] | str:
    try:
        item = normalise_item(ScrapedItem(source_id="s", fetched_at=FETCHED, **fields))
    except InvalidItem as error:
        return f"invalid: {error}"
    return {name: getattr(item, name) for name in COMPARED}


def assert_equivalent(fast: FeedResult, slow: FeedResult) -> int:
    """Same version and entries: raw identity fields exact, normalised fields equal. Returns the entry count."""
    assert (fast.version, fast.problem, len(fast.entries)) == (slow.version, slow.problem, len(slow.entries))
    for mine, theirs in zip(fast.entries, slow.entries, strict=True):
        assert mine.keys() == theirs.keys()
        assert {key: mine.get(key) for key in RAW_EXACT} == {key: theirs.get(key) for key in RAW_EXACT}
        assert normalised(mine) == normalised(theirs)
    return len(fast.entries)


@pytest.mark.parametrize("relative", XML_FIXTURES, ids=str)
def test_fixture_feeds_read_alike(relative: Path) -> None:
    url = f"https://feeds.example.org/{relative.parent}/{relative.name}"
    text = fixture_text(relative, url)
    slow = parse_with_feedparser(text, url)
    fast = parse_well_formed(text, url)
    if slow.problem or not slow.version:
        assert fast is None  # not a feed for feedparser: nothing for the fast path either
    elif fast is not None:
        assert_equivalent(fast, slow)


def test_farm_feeds_read_alike(farm_feeds: dict[str, str]) -> None:
    versions = set()
    for url, text in farm_feeds.items():
        fast = parse_well_formed(text, url)
        assert fast is not None, url
        assert assert_equivalent(fast, parse_with_feedparser(text, url)) == 50
        versions.add(fast.version)
    assert versions == {"rss20", "atom10"}


def test_most_fixture_feeds_take_the_fast_path(capsys: pytest.CaptureFixture[str]) -> None:
    taken, fallen = [], []
    for relative in XML_FIXTURES:
        url = f"https://feeds.example.org/{relative}"
        text = fixture_text(relative, url)
        if not parse_with_feedparser(text, url).version:
            continue
        (taken if parse_well_formed(text, url) is not None else fallen).append(str(relative))
    with capsys.disabled():
        print(f"\nfast path: {len(taken)} fixture feeds; feedparser: {len(fallen)} ({', '.join(fallen)})")
    assert len(taken) >= 10
    assert "feed-formats/atom.xml" in fallen  # xml:base


def test_parse_feed_uses_the_fast_path_and_falls_back(farm_feeds: dict[str, str]) -> None:
    url, text = next(iter(farm_feeds.items()))
    assert parse_feed(text, url) == parse_well_formed(text, url)
    rdf = fixture_text(Path("feed-formats/rss10.rdf"), "https://feeds.example.org/rss10.rdf")
    assert parse_feed(rdf, "https://feeds.example.org/rss10.rdf").version == "rss10"


ITEM = "<item><title>T</title><link>https://example.org/1</link></item>"
RSS = '<rss version="2.0"><channel><title>C</title>{}</channel></rss>'
REFUSED = {
    "billion laughs": '<?xml version="1.0"?><!DOCTYPE rss [<!ENTITY a "aaaaaaaaaa"><!ENTITY b "&a;&a;&a;&a;&a;">'
                      '<!ENTITY c "&b;&b;&b;&b;&b;">]>' + RSS.format("<item><title>&c;</title></item>"),
    "xxe": '<!DOCTYPE rss [<!ENTITY x SYSTEM "file:///etc/passwd">]>' + RSS.format("<item><title>&x;</title></item>"),
    "external dtd": '<!DOCTYPE rss SYSTEM "http://127.0.0.1:9/rss.dtd">' + RSS.format(ITEM),
    "malformed": RSS.format(ITEM)[:-20],
    "undefined entity": RSS.format("<item><title>&nbsp;</title></item>"),
    "undeclared prefix": RSS.format("<item><dc:creator>x</dc:creator></item>"),
    "xml:base": RSS.format('<item xml:base="https://other.example/">' + ITEM[6:]),
    "rss 1.0 namespace": RSS.format(ITEM).replace("<rss ", '<rss xmlns:r="http://purl.org/rss/1.0/" '),
    "unknown rss version": RSS.format(ITEM).replace("2.0", "3.0"),
    "html page": "<html><head><title>Just a moment...</title></head><body>x</body></html>",
    "repeated title": RSS.format("<item><title>A</title><title>B</title></item>"),
    "source element": RSS.format('<item><source url="https://s.example/">S</source>' + ITEM[6:]),
    "dropped tag": RSS.format(ITEM.replace("</item>", "<description>&lt;script&gt;x()&lt;/script&gt;</description>"
                                                      "</item>")),
    "relative link in html": RSS.format(ITEM.replace("</item>", '<description>&lt;a href="/x"&gt;x&lt;/a&gt;'
                                                                "</description></item>")),
    "broken attribute quote": RSS.format(ITEM.replace("</item>", '<description>&lt;img alt="a&gt;b'
                                                                 "</description></item>")),
    "non-ascii name": RSS.format(ITEM.replace("title", "ti\ufefftle")),
    "xhtml content": '<feed xmlns="http://www.w3.org/2005/Atom"><entry><id>urn:1</id><content type="xhtml">'
                     '<div xmlns="http://www.w3.org/1999/xhtml">x</div></content></entry></feed>',
}


@pytest.mark.parametrize("text", REFUSED.values(), ids=REFUSED.keys())
def test_refuses_what_it_is_not_sure_of(text: str) -> None:
    assert parse_well_formed(text, "https://feeds.example.org/feed") is None


@pytest.mark.parametrize("relative", ["feed-formats/rss10.rdf", "feed-formats/atom.xml",
                                      "feed-formats/not-a-feed.html"])
def test_refuses_fixture(relative: str) -> None:
    url = f"https://feeds.example.org/{relative}"
    assert parse_well_formed(fixture_text(Path(relative), url), url) is None


def test_xxe_reads_no_file() -> None:
    result = parse_feed(REFUSED["xxe"], "https://feeds.example.org/feed")
    assert "root:" not in repr(result)


TOKENS = ["<", ">", "&", "&amp;", "]]>", "<![CDATA[", "<!--", "\x00", "\x85", "\ud800", "<item>", "</item>",
          "<entry>", "<title>", "</title>", ' xml:base="/b/"', ' type="html"', "<b>", "&lt;script&gt;", "xmlns:x='y'",
          "<guid>", ' isPermaLink="false"', "<!DOCTYPE rss>", "<?pi?>", "\r\n", "&#x93;", "Ã©",
          "\ufeff", "\U00010000", "<p/>", "&lt;a href=x&gt;"]
edit = st.tuples(st.sampled_from(["insert", "delete", "repeat"]), st.integers(0, 1 << 20),
                 st.one_of(st.sampled_from(TOKENS), st.text(max_size=6)))


def mutate(text: str, edits: list[tuple[str, int, str]]) -> str:
    for operation, where, chunk in edits:
        position = where % (len(text) + 1)
        if operation == "insert":
            text = text[:position] + chunk + text[position:]
        elif operation == "delete":
            text = text[:position] + text[position + 1 + len(chunk) * 4:]
        else:
            text = text[:position] + text[position:position + 300] * 3 + text[position:]
    return text


@settings(max_examples=150, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(feed=st.sampled_from(["0", "1", "3"]), edits=st.lists(edit, min_size=1, max_size=5))
def test_mutated_farm_feeds_never_raise(farm_feeds: dict[str, str], feed: str,
                                        edits: list[tuple[str, int, str]]) -> None:
    result = parse_well_formed(mutate(farm_feeds[FARM_URL.format(feed)], edits), FARM_URL.format(feed))
    assert result is None or isinstance(result, FeedResult)


def small(text: str, items: int = 4) -> str:
    """The feed cut to its first items (mutations then hit the entries, not a 50-item tail)."""
    tag = "</entry>" if "<entry>" in text else "</item>"
    parts = text.split(tag)
    return tag.join(parts[:items]) + tag + ("</feed>\n" if tag == "</entry>" else "</channel></rss>\n")


@settings(max_examples=100, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(feed=st.sampled_from(["0", "1", "3", "4"]), edits=st.lists(edit, min_size=1, max_size=3))
def test_mutated_feeds_the_fast_path_accepts_read_alike(farm_feeds: dict[str, str], feed: str,
                                                        edits: list[tuple[str, int, str]]) -> None:
    url = FARM_URL.format(feed)
    text = mutate(small(farm_feeds[url]), edits)
    fast = parse_well_formed(text, url)
    if fast is not None:
        assert_equivalent(fast, parse_with_feedparser(text, url))
