"""Validators and stable identity on SQLite and PostgreSQL: ETag / Last-Modified, 304 with no body, GUIDs that
never change, and a cached rendering that is dropped when the feed changes."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta
from email.utils import format_datetime, parsedate_to_datetime

import pytest

from monitor.config import Settings
from monitor.web import create_app
from tests.web.app_client import AppClient
from tests.web.feed_store import RULES, FeedStore, url
from tests.web.parsing import guids, json_feed, titles

FORMATS = ("rss", "atom", "json")


@pytest.mark.parametrize("fmt", FORMATS)
def test_if_none_match_answers_304_with_no_body(store: FeedStore, client: AppClient, fmt: str) -> None:
    store.add_story(title="One")
    token = store.token()
    first = client.get(url(token, "all", fmt))
    etag = first.headers["etag"]
    assert etag.startswith(f'"{fmt}-') and not etag.startswith("W/")
    for header in (etag, f'"other", {etag}', f"W/{etag}", "*"):
        again = client.get(url(token, "all", fmt), headers={"If-None-Match": header})
        assert again.status_code == 304, header
        assert again.content == b""
        assert again.headers["etag"] == etag
        assert again.headers["x-content-type-options"] == "nosniff"
    stale = client.get(url(token, "all", fmt), headers={"If-None-Match": '"rss-0-0-stale"'})
    assert stale.status_code == 200 and stale.content == first.content


def test_if_modified_since_answers_304_unless_newer(store: FeedStore, client: AppClient) -> None:
    store.add_story(title="One")
    token = store.token()
    first = client.get(url(token))
    last_modified = first.headers["last-modified"]
    assert parsedate_to_datetime(last_modified) <= datetime.now(UTC)
    assert client.get(url(token), headers={"If-Modified-Since": last_modified}).status_code == 304
    later = format_datetime(datetime.now(UTC) + timedelta(hours=1), usegmt=True)
    assert client.get(url(token), headers={"If-Modified-Since": later}).status_code == 304
    earlier = format_datetime(parsedate_to_datetime(last_modified) - timedelta(seconds=1), usegmt=True)
    assert client.get(url(token), headers={"If-Modified-Since": earlier}).status_code == 200
    assert client.get(url(token), headers={"If-Modified-Since": "not a date"}).status_code == 200
    # If-None-Match wins over If-Modified-Since (RFC 9110 §13.2.2)
    both = {"If-None-Match": '"stale"', "If-Modified-Since": later}
    assert client.get(url(token), headers=both).status_code == 200


def test_head_has_the_headers_and_no_body(store: FeedStore, client: AppClient) -> None:
    store.add_story(title="One")
    token = store.token()
    head = client.head(url(token, "all", "atom"))
    get = client.get(url(token, "all", "atom"))
    assert head.status_code == 200 and head.content == b""
    assert head.headers["etag"] == get.headers["etag"]
    assert head.headers["content-type"] == "application/atom+xml; charset=utf-8"


@pytest.mark.parametrize("fmt", FORMATS)
def test_guids_are_stable_across_requests_and_new_matches(store: FeedStore, client: AppClient, fmt: str) -> None:
    _, story_id, _ = store.add_story(title="Old story")
    store.add_story(title="Second story")
    token, rule_token = store.token(), store.token("chips")
    before = guids(fmt, client.get(url(token, "all", fmt)).content)
    rule_before = guids(fmt, client.get(url(rule_token, "chips", fmt)).content)
    assert before == guids(fmt, client.get(url(token, "all", fmt)).content)
    assert len(set(before)) == 2 and not set(before) & set(rule_before)  # each feed names its own entries
    copy_id, _ = store.add_item(story=story_id, title="A later copy", source_id="other")
    store.add_match(copy_id, "chips", story_id)
    store.add_match(copy_id, "memory", story_id)
    store.add_story(title="New story")
    after = guids(fmt, client.get(url(token, "all", fmt)).content)
    assert set(before) < set(after) and len(after) == 3
    assert set(rule_before) < set(guids(fmt, client.get(url(rule_token, "chips", fmt)).content))
    restarted = AppClient(create_app(store.engine, Settings.from_env(), rules=RULES))  # a new process
    try:
        assert guids(fmt, restarted.get(url(token, "all", fmt)).content) == after
    finally:
        restarted.close()


def test_a_new_match_changes_the_etag_and_the_body(store: FeedStore, client: AppClient) -> None:
    store.add_story(title="One")
    token = store.token()
    first = client.get(url(token, "all", "json"))
    store.add_story("memory", title="Two")
    second = client.get(url(token, "all", "json"), headers={"If-None-Match": first.headers["etag"]})
    assert second.status_code == 200 and second.headers["etag"] != first.headers["etag"]
    assert titles("json", second.content) == ["Two", "One"]


def test_the_validator_is_queried_at_most_once_a_second(store: FeedStore, client: AppClient) -> None:
    feeds = client.app.state.feeds
    feeds.validator_seconds = 1.0  # as shipped
    store.add_story(title="One")
    token = store.token()
    first = client.get(url(token))
    store.add_story(title="Two")
    assert client.get(url(token), headers={"If-None-Match": first.headers["etag"]}).status_code == 304
    feeds.validator_seconds = 0.0  # the second is over
    fresh = client.get(url(token), headers={"If-None-Match": first.headers["etag"]})
    assert fresh.status_code == 200 and titles("rss", fresh.content) == ["Two", "One"]


def test_an_edited_item_shows_once_the_cached_rendering_expires(store: FeedStore, client: AppClient) -> None:
    item_id, _, _ = store.add_story(title="Before the edit")
    token = store.token()
    first = client.get(url(token, "all", "json"))
    store.set_item(item_id, title="After the edit", updated_at=datetime.now(UTC), revision=2)
    assert client.get(url(token, "all", "json")).content == first.content  # cached, validator unchanged
    client.app.state.feeds.max_age = 0.0
    edited = client.get(url(token, "all", "json"), headers={"If-None-Match": first.headers["etag"]})
    assert edited.status_code == 200 and edited.headers["etag"] != first.headers["etag"]
    assert json_feed(edited.content)["items"][0]["title"] == "After the edit"


def test_same_content_same_etag_after_re_rendering(store: FeedStore, client: AppClient) -> None:
    store.add_story(title="One")
    token = store.token()
    first = client.get(url(token, "all", "rss"))
    client.app.state.feeds.clear()
    again = client.get(url(token, "all", "rss"), headers={"If-None-Match": first.headers["etag"]})
    assert again.status_code == 304


def test_an_empty_feed_is_valid_and_has_an_etag(store: FeedStore, client: AppClient) -> None:
    token = store.token()
    for fmt in FORMATS:
        response = client.get(url(token, "all", fmt))
        assert response.status_code == 200 and titles(fmt, response.content) == []
        conditional = client.get(url(token, "all", fmt), headers={"If-None-Match": response.headers["etag"]})
        assert conditional.status_code == 304


def test_the_service_answers_without_http(store: FeedStore, client: AppClient) -> None:
    store.add_story(title="One")
    token = store.token("chips")
    feeds = client.app.state.feeds
    rendered = feeds.get(token, "chips", "json", 5)
    assert rendered is not None and json_feed(rendered.body)["items"][0]["title"] == "One"
    assert feeds.get(token, "chips", "json", 5) is rendered  # cached
    assert feeds.get(token, "memory", "json", 5) is None
