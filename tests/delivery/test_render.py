"""The channel renderers: payload shapes, escaping, neutralised mentions, vetted links, size limits."""

from __future__ import annotations

import json

from monitor.delivery.channels.discord import render_discord
from monitor.delivery.channels.mattermost import render_mattermost
from monitor.delivery.channels.slack import render_slack
from monitor.delivery.channels.teams import render_teams
from monitor.delivery.channels.webhook import render_webhook
from monitor.delivery.folding import summary_message
from monitor.delivery.message import AlsoReported, Entry, Message, Reason, reasons_from_explanation
from monitor.delivery.text_safety import safe_link, truncate
from tests.delivery.conftest import EXPLANATION, T0

ENTRY = Entry(title="SK hynix ships HBM4 <samples> & more", url="https://example.org/a?x=1&y=2",
              source="thelec", published_at="2025-03-01T09:30:00+00:00", language="en",
              lead="The memory maker said on Monday it had shipped samples.",
              why=reasons_from_explanation(EXPLANATION),
              also=(AlsoReported("yonhap", "HBM4 samples", "https://yna.example/1"),))
ALERT = Message("alert", "Memory and HBM", (ENTRY,), rule_id="memory-hbm", created_at=T0.isoformat())
HOSTILE = Entry(title="<!channel> @everyone <https://evil.example|click> [x](https://evil.example) **bold**",
                url="javascript:alert(1)", source="@here", lead="<@U123> hi @channel")


def test_slack_block_kit() -> None:
    payload = render_slack(ALERT)
    assert payload["unfurl_links"] is False and payload["blocks"][0]["type"] == "header"
    first = payload["blocks"][1]["text"]["text"]
    assert first.startswith("*<https://example.org/a?x=1&amp;y=2|SK hynix ships HBM4 &lt;samples&gt; &amp; more>*")
    text = json.dumps(payload, ensure_ascii=False)
    assert "Why it matched" in text and "*HBM*" in text and "Also reported by <https://yna.example/1|yonhap>" in text
    assert "thelec · 2025-03-01 09:30 UTC · en" in text


def test_slack_neutralises_markup_from_scraped_text() -> None:
    text = json.dumps(render_slack(Message("alert", "@everyone rule", (HOSTILE,))), ensure_ascii=False)
    assert "<!channel>" not in text and "<https://evil" not in text and "<@U123>" not in text
    assert "&lt;\u200b!channel&gt;" in text and "javascript:" not in text
    assert "@everyone" not in text and "@\u200beveryone" in text


def test_discord_embed_and_mentions_off() -> None:
    payload = render_discord(ALERT)
    assert payload["allowed_mentions"] == {"parse": []}
    embed = payload["embeds"][0]
    assert embed["url"] == "https://example.org/a?x=1&y=2"
    assert embed["title"].startswith("SK hynix ships HBM4 \\<samples")
    assert {field["name"] for field in embed["fields"]} == {"Source", "Date", "Language", "Also reported by"}
    assert "[yonhap](https://yna.example/1)" in embed["fields"][-1]["value"]
    hostile = render_discord(Message("alert", "r", (HOSTILE,)))
    assert "url" not in hostile["embeds"][0] and "@everyone" not in json.dumps(hostile, ensure_ascii=False)
    assert "](https://evil" not in json.dumps(hostile)


def test_discord_limits() -> None:
    huge = Entry(title="T" * 10_000, url="https://example.org/x", lead="word " * 5000,
                 why=tuple(Reason("t", "body", "s " * 1000) for _ in range(5)))
    payload = render_discord(Message("alert", "H" * 5000, (huge,) * 12))
    assert len(payload["content"]) <= 2000 and len(payload["embeds"]) <= 10
    total = 0
    for embed in payload["embeds"]:
        assert len(embed["title"]) <= 256 and len(embed.get("description", "")) <= 4096
        total += len(embed["title"]) + len(embed.get("description", "")) + len(embed["footer"]["text"])
        total += sum(len(field["name"]) + len(field["value"]) for field in embed.get("fields", ()))
    assert total <= 6000


def test_teams_adaptive_card_in_the_workflows_envelope() -> None:
    payload = render_teams(ALERT)
    assert payload["type"] == "message"
    attachment = payload["attachments"][0]
    assert attachment["contentType"] == "application/vnd.microsoft.card.adaptive"
    card = attachment["content"]
    assert card["type"] == "AdaptiveCard" and card["version"] == "1.4"
    assert card["actions"] == [{"type": "Action.OpenUrl", "url": "https://example.org/a?x=1&y=2",
                                "title": "Open article"}]
    runs = [run for block in card["body"] for run in block["inlines"]]
    assert all(run["type"] == "TextRun" for run in runs)
    assert any(run["text"] == "SK hynix ships HBM4 <samples> & more" for run in runs)
    assert any(run["text"] == "HBM" and run.get("weight") == "Bolder" for run in runs)
    hostile = json.dumps(render_teams(Message("alert", "r", (HOSTILE,))))
    assert "Action.OpenUrl" not in hostile


def test_teams_stays_under_its_size_limit() -> None:
    entries = tuple(Entry(title="제목 " * 200, url=f"https://example.org/{n}", lead="본문 " * 3000) for n in range(60))
    payload = render_teams(Message("summary", "60 delayed alerts", entries))
    assert len(json.dumps(payload).encode()) <= 24_000


def test_mattermost_slack_compatible_attachments() -> None:
    payload = render_mattermost(ALERT)
    attachment = payload["attachments"][0]
    assert payload["text"].startswith("#### Memory and HBM")
    assert attachment["title"] == "SK hynix ships HBM4 &amp;lt;samples&amp;gt; &amp;amp; more".replace("&amp;", "&")
    assert attachment["fallback"] == "SK hynix ships HBM4 <samples> & more"
    assert attachment["title_link"] == "https://example.org/a?x=1&y=2"
    hostile = json.dumps(render_mattermost(Message("alert", "@all", (HOSTILE,))), ensure_ascii=False)
    assert "@channel" not in hostile and "@all" not in hostile and "<!channel>" not in hostile
    assert "title_link" not in hostile


def test_generic_webhook_json() -> None:
    payload = render_webhook(ALERT)
    assert payload["type"] == "monitor.alert" and payload["timestamp"] == T0.isoformat()
    entry = payload["data"]["entries"][0]
    assert entry["title"] == ENTRY.title and entry["url"] == "https://example.org/a?x=1&y=2"
    assert entry["why"][0]["snippet"] == "SK hynix ships **HBM** samples"
    assert entry["also_reported"] == [{"source": "yonhap", "title": "HBM4 samples", "url": "https://yna.example/1"}]
    assert render_webhook(Message("alert", "r", (HOSTILE,)))["data"]["entries"][0]["url"] is None


def test_summary_lists_entries_and_counts_the_rest() -> None:
    alerts = [Message("alert", f"Rule {n % 3}", (Entry(title=f"Item {n}", url=f"https://e.example/{n}"),))
              for n in range(80)]
    summary = summary_message(alerts, threshold=T0 - T0.replace(hour=6), now=T0)
    assert summary.kind == "summary" and len(summary.entries) == 50 and summary.more == 30
    slack = render_slack(summary)
    assert len(slack["blocks"]) <= 50 and "… and 30 more" in json.dumps(slack, ensure_ascii=False)
    assert "• <https://e.example/0|Item 0>" in json.dumps(slack, ensure_ascii=False)
    assert "and 40 more" in json.dumps(render_discord(summary))


def test_links_are_only_http_and_https() -> None:
    for bad in ("javascript:alert(1)", "JaVaScRiPt:alert(1)", "data:text/html,<b>x</b>", "vbscript:x",
                "file:///etc/passwd", "java\tscript:alert(1)", "//evil.example/x", "http:evil", "", "https://"):
        assert safe_link(bad) is None, bad
    assert safe_link("https://example.org/a b") is None
    assert safe_link("https://example.org/a|b>c") == "https://example.org/a%7Cb%3Ec"


def test_truncate_marks_the_cut() -> None:
    assert truncate("short", 10) == "short"
    cut = truncate("one two three four five six", 15)
    assert len(cut) <= 15 and cut.endswith("…")
