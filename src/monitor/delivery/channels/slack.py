"""Slack incoming webhooks: Block Kit with mrkdwn, escaped so scraped text stays text.

Slack's mrkdwn needs `&`, `<` and `>` escaped; with `<` escaped, no `<!channel>`, `<@U…>` or `<url|text>`
can form. Limits kept: 50 blocks, 150 characters in a header, 3,000 in a section or context element.
Link previews are off: scraped URLs are not unfurled.
"""

from __future__ import annotations

from typing import Any

from monitor.delivery.message import Entry, Message
from monitor.delivery.text_safety import one_line, plain, safe_link, split_highlights, truncate

MAX_BLOCKS = 50
HEADER_LIMIT = 150
SECTION_LIMIT = 3000
LEAD_LIMIT = 600
MAX_ENTRIES = 12
MAX_LIST_ENTRIES = 50
MAX_ALSO = 8


def escape(text: str) -> str:
    return text.replace("&", "&amp;").replace("<", "&lt;").replace(">", "&gt;")


def link(text: str, url: str) -> str:
    """`<url|text>` for an http(s) URL, else just the escaped text."""
    target = safe_link(url)
    label = escape(text) or "link"
    if target is None:
        return label
    return f"<{escape(target).replace('|', '%7C')}|{label}>"


def highlighted(snippet: str) -> str:
    return "".join(f"*{escape(part)}*" if hit else escape(part) for part, hit in split_highlights(snippet))


def _section(text: str) -> dict[str, Any]:
    return {"type": "section", "text": {"type": "mrkdwn", "text": truncate(text, SECTION_LIMIT)}}


def _context(text: str) -> dict[str, Any]:
    return {"type": "context", "elements": [{"type": "mrkdwn", "text": truncate(text, SECTION_LIMIT)}]}


def entry_blocks(entry: Entry, *, detail: bool) -> list[dict[str, Any]]:
    title = link(one_line(entry.title, 300) or "(no title)", entry.url)
    lead = escape(plain(entry.lead, LEAD_LIMIT)) if detail else ""
    blocks = [_section(f"*{title}*" + (f"\n{lead}" if lead else ""))]
    facts = [escape(one_line(value, 100)) for value in (entry.source, entry.date, entry.language) if value]
    if facts:
        blocks.append(_context(" · ".join(facts)))
    if detail and entry.why:
        lines = [f"• {escape(one_line(reason.describe(), 200))}: {highlighted(one_line(reason.snippet, 400))}"
                 for reason in entry.why]
        blocks.append(_section("*Why it matched*\n" + "\n".join(lines)))
    if entry.also:
        shown = [link(one_line(also.source, 80), also.url) for also in entry.also[:MAX_ALSO]]
        rest = len(entry.also) - len(shown)
        blocks.append(_context("Also reported by " + ", ".join(shown) + (f" and {rest} more" if rest else "")))
    return blocks


def list_blocks(entries: tuple[Entry, ...]) -> list[dict[str, Any]]:
    """A summary's entries as bullet lines, packed into sections of at most 3,000 characters."""
    blocks: list[dict[str, Any]] = []
    lines: list[str] = []
    for entry in entries:
        line = f"• {link(one_line(entry.title, 200) or '(no title)', entry.url)}"
        line += f" — {escape(one_line(entry.source, 60))}" if entry.source else ""
        if lines and sum(len(text) + 1 for text in lines) + len(line) > SECTION_LIMIT:
            blocks.append(_section("\n".join(lines)))
            lines = []
        lines.append(line)
    return blocks + ([_section("\n".join(lines))] if lines else [])


def render_slack(message: Message) -> dict[str, Any]:
    heading = one_line(message.heading, HEADER_LIMIT) or "Monitor"
    blocks: list[dict[str, Any]] = [{"type": "header", "text": {"type": "plain_text", "text": heading}}]
    if message.text:
        blocks.append(_section(escape(plain(message.text, SECTION_LIMIT - 10))))
    if message.kind == "alert":
        entries = message.entries[:MAX_ENTRIES]
        for index, entry in enumerate(entries):
            if index:
                blocks.append({"type": "divider"})
            blocks.extend(entry_blocks(entry, detail=True))
    else:
        entries = message.entries[:MAX_LIST_ENTRIES]
        blocks.extend(list_blocks(entries))
    more = message.more + len(message.entries) - len(entries)
    if more:
        blocks.append(_context(f"… and {more} more"))
    blocks = blocks[: MAX_BLOCKS - 1] + blocks[-1:] if len(blocks) > MAX_BLOCKS else blocks
    first = one_line(message.entries[0].title, 200) if message.entries else one_line(message.text, 200)
    fallback = escape(f"{heading}: {first}" if first else heading)
    return {"text": fallback, "blocks": blocks, "unfurl_links": False, "unfurl_media": False}
