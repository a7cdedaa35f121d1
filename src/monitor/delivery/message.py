"""What a delivery says, independent of the channel: the model every renderer takes.

A delivery row stores this as JSON (`payload`) when it is made; "also reported by" entries are added from
their own table when it is sent. Text here is raw (untrusted, unescaped): each renderer escapes it.
"""

from __future__ import annotations

import json
from dataclasses import asdict, dataclass, field, replace
from typing import Any

KINDS = ("alert", "summary", "notice")


@dataclass(frozen=True)
class Reason:
    """One hit of the rule: the term, the field it was found in, and a snippet with `**hit**` markers."""

    term: str
    field: str
    snippet: str

    def describe(self) -> str:
        return f"matched {self.term} in {self.field}"


@dataclass(frozen=True)
class AlsoReported:
    source: str
    title: str = ""
    url: str = ""


@dataclass(frozen=True)
class Entry:
    """One item: its title and link, where and when it was published, its lead, why it matched."""

    title: str
    url: str = ""
    source: str = ""
    published_at: str = ""
    language: str = ""
    lead: str = ""
    why: tuple[Reason, ...] = ()
    also: tuple[AlsoReported, ...] = ()

    @property
    def date(self) -> str:
        """The publication date as `YYYY-MM-DD HH:MM UTC` (the stored value is ISO 8601 in UTC)."""
        text = self.published_at
        return f"{text[:10]} {text[11:16]} UTC" if len(text) >= 16 else text


@dataclass(frozen=True)
class Message:
    """`alert`: one entry for a rule. `summary`: stale alerts folded together (`more` left out).
    `notice`: an operator message (`text`)."""

    kind: str
    heading: str
    entries: tuple[Entry, ...] = ()
    rule_id: str | None = None
    text: str = ""
    more: int = 0
    created_at: str = ""
    extra: dict[str, Any] = field(default_factory=dict)

    def with_also(self, also: tuple[AlsoReported, ...]) -> Message:
        """The alert with later copies of its story added to its entry."""
        if not also or not self.entries:
            return self
        first = replace(self.entries[0], also=self.entries[0].also + also)
        return replace(self, entries=(first, *self.entries[1:]))

    def to_json(self) -> str:
        return json.dumps(asdict(self), ensure_ascii=False, separators=(",", ":"))

    @classmethod
    def from_json(cls, text: str) -> Message:
        data = json.loads(text)
        entries = tuple(_entry(entry) for entry in data.get("entries", ()))
        return cls(
            kind=str(data.get("kind", "alert")),
            heading=str(data.get("heading", "")),
            entries=entries,
            rule_id=data.get("rule_id"),
            text=str(data.get("text", "")),
            more=int(data.get("more", 0)),
            created_at=str(data.get("created_at", "")),
            extra=dict(data.get("extra") or {}),
        )


def _entry(data: dict[str, Any]) -> Entry:
    return Entry(
        title=str(data.get("title", "")),
        url=str(data.get("url", "")),
        source=str(data.get("source", "")),
        published_at=str(data.get("published_at", "")),
        language=str(data.get("language", "")),
        lead=str(data.get("lead", "")),
        why=tuple(Reason(str(r.get("term", "")), str(r.get("field", "")), str(r.get("snippet", "")))
                  for r in data.get("why", ())),
        also=tuple(AlsoReported(str(a.get("source", "")), str(a.get("title", "")), str(a.get("url", "")))
                   for a in data.get("also", ())),
    )


def reasons_from_explanation(explanation: str, limit: int = 5) -> tuple[Reason, ...]:
    """The hits of a match's explanation JSON (`{"hits": [{"term", "field", "snippet", …}]}`) as reasons."""
    try:
        hits = json.loads(explanation).get("hits", [])
    except (ValueError, AttributeError):
        return ()
    reasons = [
        Reason(str(hit.get("term", "")), str(hit.get("field", "")), str(hit.get("snippet", "")))
        for hit in hits
        if isinstance(hit, dict)
    ]
    return tuple(reasons[:limit])
