"""Microsoft Teams Workflows webhooks: an Adaptive Card in the `attachments` envelope (answered with 202).

Scraped text goes only into `TextRun`s of `RichTextBlock`s, which Teams shows as plain text (no Markdown),
so a title cannot make a link or a mention; links are `Action.OpenUrl` with vetted http(s) URLs. The card
is kept under Teams' 28 KB message limit by dropping entries, then shortening leads.
"""

from __future__ import annotations

import json
from typing import Any

from monitor.delivery.message import Entry, Message
from monitor.delivery.text_safety import one_line, plain, safe_link, split_highlights

SIZE_LIMIT = 24_000
LEAD_LIMIT = 600
MAX_ENTRIES = 15


def run(text: str, **style: Any) -> dict[str, Any]:
    return {"type": "TextRun", "text": text, **style}


def rich(*runs: dict[str, Any], **style: Any) -> dict[str, Any]:
    return {"type": "RichTextBlock", "inlines": [piece for piece in runs if piece["text"]], **style}


def open_url(url: str) -> dict[str, Any] | None:
    target = safe_link(url)
    return {"type": "Action.OpenUrl", "url": target} if target else None


def entry_blocks(entry: Entry, *, detail: bool, lead_limit: int) -> list[dict[str, Any]]:
    title = run(one_line(entry.title, 300) or "(no title)", weight="Bolder", size="Medium")
    action = open_url(entry.url)
    if action is not None:
        title["selectAction"] = action
    facts = " · ".join(one_line(value, 100) for value in (entry.source, entry.date, entry.language) if value)
    blocks = [rich(title, separator=True, spacing="Medium"), rich(run(facts, isSubtle=True))]
    if detail and entry.lead:
        blocks.append(rich(run(plain(entry.lead, lead_limit))))
    if detail and entry.why:
        blocks.append(rich(run("Why it matched", weight="Bolder")))
        for reason in entry.why:
            pieces = split_highlights(one_line(reason.snippet, 400))
            runs = [run(f"• {one_line(reason.describe(), 200)}: ")]
            runs += [run(text, weight="Bolder") if hit else run(text) for text, hit in pieces]
            blocks.append(rich(*runs, spacing="None"))
    if entry.also:
        sources = ", ".join(one_line(also.source, 80) for also in entry.also[:10])
        blocks.append(rich(run(f"Also reported by {sources}", isSubtle=True)))
    return [block for block in blocks if block["inlines"]]


def card(message: Message, entries: tuple[Entry, ...], lead_limit: int) -> dict[str, Any]:
    body = [rich(run(one_line(message.heading, 200) or "Monitor", weight="Bolder", size="Large"))]
    if message.text:
        body.append(rich(run(plain(message.text, 2000))))
    for entry in entries:
        body.extend(entry_blocks(entry, detail=message.kind == "alert", lead_limit=lead_limit))
    more = message.more + len(message.entries) - len(entries)
    if more:
        body.append(rich(run(f"… and {more} more", isSubtle=True)))
    content: dict[str, Any] = {"$schema": "http://adaptivecards.io/schemas/adaptive-card.json",
                               "type": "AdaptiveCard", "version": "1.4", "body": body,
                               "msteams": {"width": "Full"}}
    action = open_url(entries[0].url) if message.kind == "alert" and entries else None
    if action is not None:
        content["actions"] = [{**action, "title": "Open article"}]
    return {"type": "message", "attachments": [
        {"contentType": "application/vnd.microsoft.card.adaptive", "contentUrl": None, "content": content}]}


def render_teams(message: Message) -> dict[str, Any]:
    entries = message.entries[:MAX_ENTRIES]
    lead_limit = LEAD_LIMIT
    payload = card(message, entries, lead_limit)
    while len(json.dumps(payload).encode()) > SIZE_LIMIT:
        if len(entries) > 1:
            entries = entries[:-1]
        elif lead_limit > 50:
            lead_limit //= 3
        else:
            break
        payload = card(message, entries, lead_limit)
    return payload
