"""Mattermost incoming webhooks: the Slack-compatible payload Mattermost renders, `text` plus attachments.

Mattermost reads Slack's legacy message attachments (title, title_link, text, fields) but not Block Kit;
its text is Markdown, so scraped text is backslash-escaped, angle brackets become entities (Mattermost
rewrites Slack's `<url|text>` and `<!channel>` itself) and mentions (`@channel`, `@all`) are neutralised.
Posts stay well under Mattermost's 16,383-character limit.
"""

from __future__ import annotations

from typing import Any

from monitor.delivery.channels.markdown import escape_mattermost as escape
from monitor.delivery.channels.markdown import highlighted_markdown, markdown_link
from monitor.delivery.message import Entry, Message
from monitor.delivery.text_safety import one_line, plain, safe_link, split_highlights, truncate

TEXT_LIMIT = 4000
ATTACHMENT_TEXT_LIMIT = 3000
LEAD_LIMIT = 800
MAX_ATTACHMENTS = 10
COLOR = "#1f6feb"


def attachment(entry: Entry, *, detail: bool) -> dict[str, Any]:
    title = one_line(entry.title, 250) or "(no title)"
    parts = [escape(plain(entry.lead, LEAD_LIMIT))] if detail and entry.lead else []
    if detail and entry.why:
        parts.append("**Why it matched**\n" + "\n".join(
            f"- {escape(one_line(reason.describe(), 200))}: "
            f"{highlighted_markdown(split_highlights(one_line(reason.snippet, 400)), escape)}"
            for reason in entry.why))
    if entry.also:
        parts.append("Also reported by " + ", ".join(
            markdown_link(one_line(also.source, 80), also.url, escape) for also in entry.also[:10]))
    body: dict[str, Any] = {"fallback": title, "color": COLOR, "title": escape(title),
                            "text": truncate("\n\n".join(parts), ATTACHMENT_TEXT_LIMIT)}
    target = safe_link(entry.url)
    if target is not None:
        body["title_link"] = target
    body["fields"] = [{"short": True, "title": name, "value": escape(one_line(value, 200))}
                      for name, value in (("Source", entry.source), ("Date", entry.date),
                                          ("Language", entry.language)) if value]
    return body


def render_mattermost(message: Message) -> dict[str, Any]:
    heading = escape(one_line(message.heading, 200)) or "Monitor"
    text = f"#### {heading}"
    if message.text:
        text += "\n" + escape(plain(message.text, TEXT_LIMIT - 300))
    detail = message.kind == "alert"
    attachments = [attachment(entry, detail=detail) for entry in message.entries[:MAX_ATTACHMENTS]]
    more = message.more + len(message.entries) - len(attachments)
    if more:
        text += f"\n… and {more} more"
    return {"text": truncate(text, TEXT_LIMIT), "attachments": attachments}
