"""The generic JSON webhook: a Standard Webhooks style body `{"type", "timestamp", "data"}`.

Values are plain text (JSON-escaped by the encoder, control characters removed); `url` fields hold only
http(s) URLs, or null. The request is signed by `monitor.delivery.signing`.
"""

from __future__ import annotations

from typing import Any

from monitor.delivery.message import Entry, Message
from monitor.delivery.text_safety import clean, clean_line, safe_link

LEAD_LIMIT = 2000
MAX_ENTRIES = 200


def entry_data(entry: Entry) -> dict[str, Any]:
    return {
        "title": clean_line(entry.title, 1000),
        "url": safe_link(entry.url),
        "source": clean_line(entry.source, 200),
        "published_at": clean_line(entry.published_at, 40) or None,
        "language": clean_line(entry.language, 16),
        "lead": clean(entry.lead, LEAD_LIMIT),
        "why": [{"term": clean_line(reason.term, 200), "field": clean_line(reason.field, 40),
                 "snippet": clean_line(reason.snippet, 600)} for reason in entry.why],
        "also_reported": [{"source": clean_line(also.source, 200), "title": clean_line(also.title, 1000),
                           "url": safe_link(also.url)} for also in entry.also],
    }


def render_webhook(message: Message) -> dict[str, Any]:
    entries = message.entries[:MAX_ENTRIES]
    data: dict[str, Any] = {
        "heading": clean_line(message.heading, 500),
        "rule_id": message.rule_id,
        "text": clean(message.text, 10_000),
        "entries": [entry_data(entry) for entry in entries],
        "more": message.more + len(message.entries) - len(entries),
    }
    return {"type": f"monitor.{message.kind}", "timestamp": message.created_at or None, "data": data}
