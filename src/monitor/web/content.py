"""The body of one entry: the lead, why it matched, source / language / date, later copies.

Built from escaped parts, then passed through the nh3 allow-list once more, so nothing scraped can add a tag,
an attribute or a link other than an http(s) one. The same facts as plain text go into JSON Feed's
`content_text` and into the `_monitor` extension.
"""

from __future__ import annotations

from html import escape

from monitor.web.entries import Copy, FeedEntry, Hit
from monitor.web.safe_text import clean_html


def entry_html(entry: FeedEntry) -> str:
    parts = []
    if entry.lead:
        parts.append(f"<p>{escape(entry.lead)}</p>")
    if entry.reasons:
        items = "".join(
            f"<li><strong>{escape(reason.rule_name)}</strong>: {_hits_html(reason.hits)}</li>"
            for reason in entry.reasons
        )
        parts.append(f"<p><strong>Why it matched</strong></p><ul>{items}</ul>")
    parts.append(f"<p><small>{escape(_facts(entry))}</small></p>")
    if entry.copies:
        parts.append(f"<p>Also reported by: {_copies_html(entry.copies, entry.more_copies)}</p>")
    return clean_html("".join(parts))


def entry_text(entry: FeedEntry) -> str:
    lines = [entry.lead] if entry.lead else []
    for reason in entry.reasons:
        described = "; ".join(hit.describe() for hit in reason.hits) or "matched"
        lines.append(f"Why it matched ({reason.rule_name}): {described}")
    lines.append(_facts(entry))
    if entry.copies:
        names = ", ".join(copy.source for copy in entry.copies)
        more = f" and {entry.more_copies} more" if entry.more_copies else ""
        lines.append(f"Also reported by: {names}{more}")
    return "\n\n".join(lines)


def _facts(entry: FeedEntry) -> str:
    facts = [f"Source: {entry.source}"]
    if entry.language:
        facts.append(f"Language: {entry.language}")
    facts.append(f"Published: {entry.published:%Y-%m-%d %H:%M} UTC")
    return " · ".join(facts)


def _hits_html(hits: tuple[Hit, ...]) -> str:
    if not hits:
        return "matched"
    return "; ".join(
        f"matched <code>{escape(hit.term)}</code> in {escape(hit.field)}: {_snippet_html(hit.snippet)}"
        for hit in hits
    )


def _snippet_html(snippet: str) -> str:
    """`…before **hit** after…` with the hit in <strong>."""
    pieces = escape(snippet).split("**")
    if len(pieces) % 2 == 0:  # an unpaired marker: show the text as it is
        return escape(snippet)
    return "".join(f"<strong>{piece}</strong>" if index % 2 else piece for index, piece in enumerate(pieces))


def _copies_html(copies: tuple[Copy, ...], more: int) -> str:
    shown = ", ".join(
        f'<a href="{escape(copy.link, quote=True)}">{escape(copy.source)}</a>' if copy.link else escape(copy.source)
        for copy in copies
    )
    return shown + (f" and {more} more" if more else "")
