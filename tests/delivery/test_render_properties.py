"""Any text as a title, lead or source renders to Slack, Mattermost, Discord, Teams and JSON payloads that
parse, with that text only as text: no link, mention or markup of its own, and only http(s) links."""

from __future__ import annotations

import json
import re
from typing import Any

from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from monitor.delivery.channels.discord import render_discord
from monitor.delivery.channels.mattermost import render_mattermost
from monitor.delivery.channels.slack import render_slack
from monitor.delivery.channels.teams import render_teams
from monitor.delivery.channels.webhook import render_webhook
from monitor.delivery.message import AlsoReported, Entry, Message, Reason
from monitor.delivery.text_safety import clean_line

HOSTILE = ["<!channel>", "<!here>", "@everyone", "@here", "@channel", "<@U123>", "<#C1>", "<https://evil.example|x>",
           "[x](https://evil.example)", "javascript:alert(1)", "]]>", "&amp;", "**", "\r\nBcc: x@y", "\x00", "\ud800",
           "\u202e", "`", "|", ">", "<", "&", "&lt;script&gt;"]
TEXT = st.lists(st.one_of(st.sampled_from(HOSTILE), st.text(max_size=40)), max_size=8).map("".join)
URL = st.one_of(st.sampled_from(["https://example.org/a", "http://example.org/b?x=1&y=(2)", "javascript:alert(1)",
                                 "data:text/html,<b>", "vbscript:msgbox", "file:///etc/passwd", "JAVASCRIPT:x",
                                 " https://example.org/c", "https://exa mple.org", ""]), st.text(max_size=30))
SAFE_URLS = {"https://example.org/a", "https://example.org/c", "http://example.org/b?x=1&y=(2)", "http://example.org/b?x=1&y=%282%29"}
MENTION = re.compile(r"(?<![\u200b\\])@(everyone|here|channel|all)\b|<[!@#]")
SLACK_LINK = re.compile(r"<([^|>]*)\|")
PLAIN_KEYS = frozenset({"fallback", "footer"})
MARKDOWN_LINK = re.compile(r"(?<!\\)\]\(([^)]*)\)")


@st.composite
def messages(draw: st.DrawFn) -> Message:
    entries = tuple(
        Entry(title=draw(TEXT), url=draw(URL), source=draw(TEXT), language=draw(TEXT), lead=draw(TEXT),
              why=(Reason(draw(TEXT), "title", draw(TEXT)),), also=(AlsoReported(draw(TEXT), draw(TEXT), draw(URL)),))
        for _ in range(draw(st.integers(1, 3)))
    )
    return Message(draw(st.sampled_from(["alert", "summary", "notice"])), draw(TEXT), entries, text=draw(TEXT))


def strings(payload: Any, skip: frozenset[str] = frozenset()) -> list[str]:
    if isinstance(payload, str):
        return [payload]
    if isinstance(payload, dict):
        return [text for key, value in payload.items() if key not in skip for text in strings(value, skip)]
    if isinstance(payload, list):
        return [text for value in payload for text in strings(value, skip)]
    return []


def url_fields(payload: Any) -> list[str]:
    """Values of `url` / `title_link` keys anywhere (Discord embeds, Teams OpenUrl, Mattermost attachments)."""
    if isinstance(payload, list):
        return [url for value in payload for url in url_fields(value)]
    if not isinstance(payload, dict):
        return []
    found = [payload[key] for key in ("url", "title_link") if isinstance(payload.get(key), str)]
    return found + [url for value in payload.values() for url in url_fields(value)]


def mrkdwn_texts(payload: Any) -> list[str]:
    """Slack's parsed text: `mrkdwn` text objects and the top-level fallback (plain_text is never parsed)."""
    if isinstance(payload, list):
        return [text for value in payload for text in mrkdwn_texts(value)]
    if not isinstance(payload, dict):
        return []
    own = [payload["text"]] if payload.get("type") == "mrkdwn" else []
    return own + [text for value in payload.values() for text in mrkdwn_texts(value)]


def link_targets(render: Any, payload: dict[str, Any]) -> list[str]:
    if render is render_slack:
        return [target for text in [payload["text"], *mrkdwn_texts(payload)] for target in SLACK_LINK.findall(text)]
    if render is render_teams:  # TextRuns are plain text; links are only Action.OpenUrl
        return url_fields(payload)
    markdown = strings(payload, PLAIN_KEYS)  # Mattermost's `fallback` and Discord's `footer` are plain text
    return url_fields(payload) + [target for text in markdown for target in MARKDOWN_LINK.findall(text)]


def round_trip(payload: dict[str, Any]) -> dict[str, Any]:
    body = json.dumps(payload, ensure_ascii=False, separators=(",", ":")).encode("utf-8")
    return json.loads(body)


@settings(max_examples=150, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(messages())
def test_chat_payloads_parse_and_carry_text_only_as_text(message: Message) -> None:
    for render in (render_slack, render_mattermost, render_discord, render_teams):
        payload = round_trip(render(message))
        for text in strings(payload):
            assert not MENTION.search(text), (render.__name__, text)
            assert "\x00" not in text and "\ud800" not in text and "\u202e" not in text
        for target in link_targets(render, payload):
            assert target.replace("&amp;", "&") in SAFE_URLS, (render.__name__, target)


@settings(max_examples=100, deadline=None)
@given(messages())
def test_generic_json_keeps_the_text_and_links_only_http(message: Message) -> None:
    payload = round_trip(render_webhook(message))
    for sent, entry in zip(payload["data"]["entries"], message.entries, strict=False):
        assert sent["title"] == clean_line(entry.title, 1000)
        assert sent["url"] is None or sent["url"] in SAFE_URLS


@settings(max_examples=60, deadline=None)
@given(st.text(min_size=1, max_size=12_000))
def test_any_long_title_stays_within_the_limits(title: str) -> None:
    message = Message("alert", title, (Entry(title=title, url="https://example.org/a", lead=title),))
    slack = render_slack(message)
    assert len(slack["blocks"][0]["text"]["text"]) <= 150
    assert all(len(block["text"]["text"]) <= 3000 for block in slack["blocks"] if block["type"] == "section")
    discord = render_discord(message)
    assert len(discord["content"]) <= 2000 and len(discord["embeds"][0]["title"]) <= 256
    assert len(json.dumps(render_teams(message)).encode()) <= 24_000
