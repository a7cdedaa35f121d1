"""The three formats on SQLite and PostgreSQL: strict parsing, feedparser without bozo, content types,
escaping of hostile titles, links that are never javascript:/data:, what an entry says, one per story."""

from __future__ import annotations

import pytest
from feedparser.mixin import _FeedParserMixin

from tests.web.app_client import AppClient
from tests.web.feed_store import FeedStore, url
from tests.web.parsing import (
    content_hrefs,
    content_tags,
    contents,
    entry_links,
    feedparsed,
    guids,
    json_feed,
    strict_xml,
    titles,
)

FORMATS = ("rss", "atom", "json")
CONTENT_TYPES = {
    "rss": "application/rss+xml; charset=utf-8",
    "atom": "application/atom+xml; charset=utf-8",
    "json": "application/feed+json",
}
HOSTILE_TITLES = [
    "Chips ]]> & <b>bold</b> < 3",
    "<script>alert('x')</script> export rules",
    "a" * 10_000,
    "end of CDATA ]]]]><![CDATA[> and & < > done",
    "AT&amp;T &lt;b&gt; <i>text</i>",
    "zero\x00 bell\x07 escape\x1b form\x0c feed\ufffe\uffff C1\x85\x9f done",
]


def _expected_title(raw: str) -> str:
    kept = "".join(ch for ch in raw if not (ord(ch) < 32 or 0x7F <= ord(ch) <= 0x9F or ch in "\ufffe\uffff"))
    return " ".join(kept.split())


@pytest.mark.parametrize("fmt", FORMATS)
def test_every_format_parses_strictly_with_the_right_headers(
    store: FeedStore, client: AppClient, fmt: str
) -> None:
    for index in range(3):
        store.add_story(title=f"Chip story {index}")
    token = store.token()
    response = client.get(url(token, "all", fmt))
    assert response.status_code == 200
    assert response.headers["content-type"] == CONTENT_TYPES[fmt]
    assert response.headers["x-content-type-options"] == "nosniff"
    assert "max-age" in response.headers["cache-control"]
    assert response.headers["etag"].startswith('"') and response.headers["last-modified"].endswith("GMT")
    assert sorted(titles(fmt, response.content)) == ["Chip story 0", "Chip story 1", "Chip story 2"]
    if fmt != "json":
        parsed = feedparsed(response.content)
        assert sorted(entry.title for entry in parsed.entries) == sorted(titles(fmt, response.content))
        assert all(entry.id.startswith("urn:uuid:") for entry in parsed.entries)


@pytest.mark.parametrize(
    "raw", HOSTILE_TITLES, ids=["cdata-amp-lt", "script", "10k", "nested-cdata", "entities", "controls"]
)
def test_hostile_titles_parse_strictly_and_round_trip(store: FeedStore, client: AppClient, raw: str) -> None:
    if "\x00" in raw and store.engine.dialect.name == "postgresql":
        raw = raw.replace("\x00", "")  # PostgreSQL text cannot hold NUL at all
    store.add_story(title=raw, summary=raw)
    token = store.token()
    expected = _expected_title(raw)
    for fmt in FORMATS:
        body = client.get(url(token, "all", fmt)).content
        assert titles(fmt, body) == [expected]
        if fmt != "json":
            assert b"<script" not in body
            # An RSS title has no type: feedparser guesses HTML when the text holds a closing tag or an
            # entity and then hands back HTML. Atom says type="text", so it always round-trips exactly.
            if fmt == "atom" or not _FeedParserMixin.looks_like_html(expected):
                assert [entry.title for entry in feedparsed(body).entries] == [expected]
            else:
                assert not feedparsed(body).bozo


@pytest.mark.parametrize(
    "link",
    [
        "javascript:alert(document.cookie)",
        "JaVaScRiPt:alert(1)",
        " javascript:alert(1)",
        "data:text/html;base64,PHNjcmlwdD5hbGVydCgxKTwvc2NyaXB0Pg==",
        "vbscript:msgbox(1)",
        "file:///etc/passwd",
        "//evil.example/relative",
    ],
)
def test_unsafe_links_never_become_links(store: FeedStore, client: AppClient, link: str) -> None:
    summary = f'<a href="{link}">click</a> <a href="&#106;avascript:alert(1)">entity</a> <img src=x onerror=alert(1)>'
    _, story_id, _ = store.add_story(title="Unsafe", canonical_url=link, summary=summary)
    copy_id, _ = store.add_item(story=story_id, canonical_url=link, source_id="copycat")
    store.add_match(copy_id, "chips", story_id)
    token = store.token("chips")
    for fmt in FORMATS:
        body = client.get(url(token, "chips", fmt)).content
        links = entry_links(fmt, body)
        assert all(found.startswith(("http://", "https://", "mailto:")) for found in links), links
        for fragment in contents(fmt, body):
            assert not {"script", "img"} & content_tags(fragment)
            assert "copycat" in fragment
        if fmt != "json":
            for entry in feedparsed(body).entries:
                assert "javascript:" not in str(entry.get("link", "")).lower()
                hrefs = content_hrefs(entry.summary)
                assert all(href.startswith(("http://", "https://", "mailto:")) for href in hrefs), hrefs


def test_an_entry_carries_link_source_language_date_lead_and_why(store: FeedStore, client: AppClient) -> None:
    store.add_story(
        title="Beljaarts in Seoul",
        summary="De minister bezoekt Zuid-Korea <script>x</script>.",
        canonical_url="https://www.rijksoverheid.nl/actueel/nieuws/1",
        source_id="rijksoverheid-nieuws",
        language="nl",
    )
    token = store.token("chips")
    item = json_feed(client.get(url(token, "chips", "json")).content)["items"][0]
    assert item["url"] == "https://www.rijksoverheid.nl/actueel/nieuws/1"
    assert item["language"] == "nl" and item["authors"] == [{"name": "rijksoverheid-nieuws"}]
    assert item["date_published"].startswith("2025-03-01T08:")
    assert item["summary"] == "De minister bezoekt Zuid-Korea <script>x</script>."
    assert "&lt;script&gt;x&lt;/script&gt;" in item["content_html"]
    assert "matched <code>halfgeleider*</code> in body: De <strong>halfgeleider</strong>industrie" in (
        item["content_html"]
    )
    why = "matched `halfgeleider*` in body: De **halfgeleider**industrie groeit"
    assert item["_monitor"]["rules"][0]["why"] == [why]
    assert item["tags"] == ["Chips & <wafers>"]
    rss = strict_xml(client.get(url(token, "chips", "rss")).content)
    description = rss.find("channel/item/description").text
    assert "Why it matched" in description and "rijksoverheid-nieuws" in description
    assert "Language: nl" in description


def test_one_entry_per_rule_and_story_with_later_copies_as_also_reported(
    store: FeedStore, client: AppClient
) -> None:
    _, story_id, _ = store.add_story(title="First report", source_id="yonhap")
    for source in ("koreaherald", "businesskorea"):
        copy_id, _ = store.add_item(story=story_id, title=f"Copy in {source}", source_id=source,
                                    canonical_url=f"https://{source}.example/1")
        store.add_match(copy_id, "chips", story_id)
        store.add_match(copy_id, "memory", story_id)
    store.add_story(title="Other story")
    token = store.token("chips")
    item = json_feed(client.get(url(token, "chips", "json")).content)["items"][1]
    assert item["title"] == "First report" and item["authors"] == [{"name": "yonhap"}]
    assert [copy["source"] for copy in item["_monitor"]["also_reported_by"]] == ["koreaherald", "businesskorea"]
    assert 'Also reported by: <a href="https://koreaherald.example/1"' in item["content_html"]
    everything = json_feed(client.get(url(store.token("all"), "all", "json")).content)["items"]
    assert len(everything) == 2
    assert [rule["id"] for rule in everything[1]["_monitor"]["rules"]] == ["chips", "memory"]


def test_limit_is_the_only_query_parameter(store: FeedStore, client: AppClient) -> None:
    for index in range(55):
        store.add_story(title=f"Story {index}")
    token = store.token()
    assert len(guids("rss", client.get(url(token)).content)) == 50
    assert titles("atom", client.get(url(token, "all", "atom") + "?limit=3").content) == [
        "Story 54", "Story 53", "Story 52"
    ]
    assert len(guids("json", client.get(url(token, "all", "json") + "?limit=200").content)) == 55
    for query in ("limit=0", "limit=201", "limit=-1", "limit=abc", "limit=3&limit=4", "limit=%D9%A3",
                  "utm_source=x", "limit=3&callback=x", "token=x"):
        response = client.get(url(token) + "?" + query)
        assert response.status_code == 400, query
        assert response.headers["content-type"].startswith("text/plain")
        assert response.headers["x-content-type-options"] == "nosniff"
        assert "callback" not in response.text and "utm" not in response.text


def test_rules_without_a_feed_are_not_in_the_all_feed(store: FeedStore, client: AppClient) -> None:
    store.add_story("quiet", title="Only the quiet rule")
    store.add_story("memory", title="Memory story")
    assert titles("rss", client.get(url(store.token())).content) == ["Memory story"]
