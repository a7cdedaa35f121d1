"""Discord webhooks: an embed per item, mentions off (`allowed_mentions.parse = []`), Discord's limits kept.

Limits: 2,000 characters of content; per embed a 256-character title, a 4,096-character description, 25
fields of 256/1,024 characters, a 2,048-character footer; 10 embeds and 6,000 characters over all embeds.
"""

from __future__ import annotations

from typing import Any

from monitor.delivery.channels.markdown import escape_markdown, highlighted_markdown, markdown_link
from monitor.delivery.message import Entry, Message
from monitor.delivery.text_safety import one_line, plain, safe_link, split_highlights, truncate

CONTENT_LIMIT = 2000
TITLE_LIMIT = 256
DESCRIPTION_LIMIT = 4096
FIELD_VALUE_LIMIT = 1024
FOOTER_LIMIT = 2048
MAX_EMBEDS = 10
EMBEDS_TOTAL_LIMIT = 6000
LEAD_LIMIT = 800
SUMMARY_LINES = 40
COLOR = 0x1F6FEB


def _field(name: str, value: str, inline: bool = True) -> dict[str, Any]:
    return {"name": name, "value": truncate(value, FIELD_VALUE_LIMIT) or "-", "inline": inline}


def alert_embed(entry: Entry, rule_name: str) -> dict[str, Any]:
    embed: dict[str, Any] = {"title": truncate(escape_markdown(one_line(entry.title, 200)), TITLE_LIMIT)
                             or "(no title)", "color": COLOR}
    target = safe_link(entry.url)
    if target is not None:
        embed["url"] = target
    parts = [escape_markdown(plain(entry.lead, LEAD_LIMIT))] if entry.lead else []
    if entry.why:
        lines = [f"• {escape_markdown(one_line(reason.describe(), 200))}: "
                 f"{highlighted_markdown(split_highlights(one_line(reason.snippet, 400)))}"
                 for reason in entry.why]
        parts.append("**Why it matched**\n" + "\n".join(lines))
    if parts:
        embed["description"] = truncate("\n\n".join(parts), DESCRIPTION_LIMIT)
    fields = [_field(name, escape_markdown(one_line(value, 200)))
              for name, value in (("Source", entry.source), ("Date", entry.date), ("Language", entry.language))
              if value]
    if entry.also:
        links = ", ".join(markdown_link(one_line(also.source, 80), also.url) for also in entry.also[:10])
        fields.append(_field("Also reported by", links, inline=False))
    if fields:
        embed["fields"] = fields
    if rule_name:
        embed["footer"] = {"text": truncate(one_line(rule_name), FOOTER_LIMIT)}
    return embed


def list_embed(message: Message) -> dict[str, Any]:
    lines = [f"• {markdown_link(one_line(entry.title, 150) or '(no title)', entry.url)}"
             + (f" — {escape_markdown(one_line(entry.source, 60))}" if entry.source else "")
             for entry in message.entries[:SUMMARY_LINES]]
    more = message.more + len(message.entries) - min(len(message.entries), SUMMARY_LINES)
    description = "\n".join(lines) + (f"\n… and {more} more" if more else "")
    return {"title": truncate(escape_markdown(one_line(message.heading)), TITLE_LIMIT) or "Monitor",
            "description": truncate(description, DESCRIPTION_LIMIT - 500), "color": COLOR}


def _embed_size(embed: dict[str, Any]) -> int:
    size = len(embed.get("title", "")) + len(embed.get("description", ""))
    size += len(embed.get("footer", {}).get("text", ""))
    return size + sum(len(item["name"]) + len(item["value"]) for item in embed.get("fields", ()))


def render_discord(message: Message) -> dict[str, Any]:
    heading = escape_markdown(one_line(message.heading, 200)) or "Monitor"
    if message.kind == "alert":
        embeds = [alert_embed(entry, message.heading) for entry in message.entries[:MAX_EMBEDS]]
        content = f"**{heading}**"
    else:
        embeds = [list_embed(message)] if message.entries else []
        content = f"**{heading}**" + (f"\n{escape_markdown(plain(message.text))}" if message.text else "")
    while len(embeds) > 1 and sum(map(_embed_size, embeds)) > EMBEDS_TOTAL_LIMIT:
        embeds.pop()
    if embeds and _embed_size(embeds[0]) > EMBEDS_TOTAL_LIMIT:
        embeds[0]["description"] = truncate(embeds[0].get("description", ""), 2000)
    return {"content": truncate(content, CONTENT_LIMIT), "embeds": embeds, "allowed_mentions": {"parse": []}}
