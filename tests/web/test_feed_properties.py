"""Property: any text as a title (or as any other scraped field) gives RSS, Atom and JSON Feed that parse
strictly, with the title coming back as the same text, minus the characters XML 1.0 cannot carry and with
whitespace runs collapsed (titles are one line)."""

from __future__ import annotations

from collections.abc import Iterator
from datetime import UTC, datetime
from pathlib import Path

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from monitor.config import Settings
from monitor.store.database import open_store
from monitor.web import create_app
from monitor.web.entries import Copy, FeedEntry, Hit, Reason
from monitor.web.render import FeedInfo, render
from monitor.web.safe_text import UNTITLED, one_line, safe_link, title_text
from tests.web.app_client import AppClient
from tests.web.feed_store import RULES, FeedStore, url
from tests.web.parsing import contents, feedparsed, titles

ANY_TEXT = st.text(st.characters(exclude_categories=()), max_size=200)  # surrogates and controls included
STORABLE_TEXT = st.text(st.characters(exclude_categories=("Cs",)), max_size=200)  # a database holds no surrogates


def expected_title(raw: str) -> str:
    def allowed(ch: str) -> bool:
        code = ord(ch)
        if code < 0x20:
            return ch in "\t\n\r"
        return not (0x7F <= code <= 0x9F or 0xD800 <= code <= 0xDFFF or code in (0xFFFE, 0xFFFF))

    return " ".join("".join(ch for ch in raw if allowed(ch)).split()) or UNTITLED


def as_feedparser_reads(text: str) -> str:
    """feedparser "repairs" text that looks like UTF-8 read as Latin-1 (feedparser/mixin.py, `pop`): 'Â¡'
    comes back as '¡'. That is the reader's guess, not the feed's content; the strict parsers see 'Â¡'."""
    try:
        return text.encode("iso-8859-1").decode("utf-8")
    except (UnicodeEncodeError, UnicodeDecodeError):
        return text


def _entry(raw: str) -> FeedEntry:
    moment = datetime(2025, 3, 1, tzinfo=UTC)
    return FeedEntry(
        guid="urn:uuid:00000000-0000-5000-8000-000000000000",
        title=title_text(raw),
        link=safe_link(raw),
        source=one_line(raw),
        language=one_line(raw)[:8],
        published=moment,
        updated=moment,
        lead=one_line(raw),
        reasons=(Reason("chips", one_line(raw), (Hit(one_line(raw), "body", one_line(raw)),)),),
        copies=(Copy(one_line(raw), safe_link(raw)),),
        more_copies=0,
    )


@settings(max_examples=300, deadline=None)
@given(raw=ANY_TEXT)
def test_any_title_renders_to_feeds_that_parse_and_round_trip(raw: str) -> None:
    info = FeedInfo("urn:uuid:00000000-0000-5000-8000-000000000001", title_text(raw), one_line(raw), "http://x/")
    expected = expected_title(raw)
    for fmt in ("rss", "atom", "json"):
        body = render(fmt, info, [_entry(raw)])
        assert titles(fmt, body) == [expected]
        assert all("<script" not in fragment for fragment in contents(fmt, body))
    atom = feedparsed(render("atom", info, [_entry(raw)]))
    assert [entry.title for entry in atom.entries] == [as_feedparser_reads(expected)]


@pytest.fixture(scope="module")
def sqlite_store(tmp_path_factory: pytest.TempPathFactory) -> Iterator[FeedStore]:
    engine = open_store(f"sqlite:///{Path(tmp_path_factory.mktemp('feeds')) / 'monitor.db'}")
    yield FeedStore(engine)
    engine.dispose()


@settings(max_examples=60, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture])
@given(raw=STORABLE_TEXT)
def test_any_stored_title_is_served_as_the_same_text(sqlite_store: FeedStore, raw: str) -> None:
    item_id, _, _ = sqlite_store.add_story(summary=raw, source_id=raw[:64], language=raw[:8], canonical_url=raw)
    sqlite_store.set_item(item_id, title=raw)  # item_row() would put a placeholder in place of an empty title
    client = AppClient(create_app(sqlite_store.engine, Settings.from_env(), rules=RULES))
    client.app.state.feeds.validator_seconds = 0.0
    try:
        token = sqlite_store.token()
        for fmt in ("rss", "atom", "json"):
            response = client.get(url(token, "all", fmt) + "?limit=1")
            assert response.status_code == 200
            assert titles(fmt, response.content) == [expected_title(raw)]
    finally:
        client.close()
