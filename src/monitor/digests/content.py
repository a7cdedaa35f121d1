"""What a digest says: its matches grouped by rule, then by story (one entry per story, the other sources as
"also reported by"). Pure: rows in, a DigestContent out; the templates only lay it out."""

from __future__ import annotations

import logging
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass
from datetime import UTC, datetime
from zoneinfo import ZoneInfo

from monitor.digests.entry import Entry, MatchRow, build_entry, local_date
from monitor.digests.plain_text import shorten, single_line

log = logging.getLogger(__name__)

MAX_ENTRIES_PER_RULE = 100
_EARLIEST = datetime.min.replace(tzinfo=UTC)


@dataclass(frozen=True)
class RuleSection:
    """The stories one rule matched, newest first; `more` counts stories left out to keep the mail short."""

    rule_id: str
    name: str
    entries: tuple[Entry, ...]
    match_count: int
    more: int = 0


@dataclass(frozen=True)
class DigestContent:
    """Everything a template may show; all text is plain (the HTML template escapes it)."""

    digest_id: str
    name: str
    timezone: str
    subject_prefix: str
    since: str
    until: str
    day: str
    sections: tuple[RuleSection, ...]
    match_count: int

    @property
    def empty(self) -> bool:
        return self.match_count == 0

    @property
    def story_count(self) -> int:
        return sum(len(section.entries) + section.more for section in self.sections)

    @property
    def first_title(self) -> str:
        for section in self.sections:
            for entry in section.entries:
                return entry.title
        return ""


def build_content(
    *,
    digest_id: str,
    name: str,
    timezone: str,
    rows: Sequence[MatchRow],
    rule_names: Mapping[str, str],
    since: datetime | None,
    until: datetime,
    subject_prefix: str = "",
) -> DigestContent:
    """Group `rows` by rule (in the order of `rule_names`, then any other rule id) and by story."""
    zone = ZoneInfo(timezone)
    by_rule: dict[str, list[MatchRow]] = {rule_id: [] for rule_id in rule_names}
    for row in rows:
        by_rule.setdefault(row.rule_id, []).append(row)
    sections = tuple(
        rule_section(rule_id, rule_names.get(rule_id, rule_id), rule_rows, zone)
        for rule_id, rule_rows in by_rule.items()
        if rule_rows
    )
    return DigestContent(
        digest_id=digest_id,
        name=shorten(single_line(name), 200),
        timezone=timezone,
        subject_prefix=shorten(single_line(subject_prefix), 80),
        since=local_date(since, zone),
        until=local_date(until, zone),
        day=until.astimezone(zone).strftime("%Y-%m-%d"),
        sections=sections,
        match_count=len(rows),
    )


def rule_section(rule_id: str, name: str, rows: Sequence[MatchRow], zone: ZoneInfo) -> RuleSection:
    """One rule's stories: one entry per story, newest story first."""
    groups = sorted(story_groups(rows), key=lambda group: _moment(group[0]), reverse=True)
    entries = tuple(story_entry(group, zone) for group in groups[:MAX_ENTRIES_PER_RULE])
    return RuleSection(
        rule_id=rule_id,
        name=shorten(single_line(name), 200) or rule_id,
        entries=entries,
        match_count=len(rows),
        more=max(0, len(groups) - MAX_ENTRIES_PER_RULE),
    )


def story_groups(rows: Iterable[MatchRow]) -> list[list[MatchRow]]:
    """Rows of one story together (an item without a story is its own story), first-published row first."""
    groups: dict[object, list[MatchRow]] = {}
    for row in rows:
        key = ("story", row.story_id) if row.story_id is not None else ("item", row.item_id)
        groups.setdefault(key, []).append(row)
    return [sorted(group, key=lambda row: (_moment(row), row.match_id)) for group in groups.values()]


def story_entry(group: Sequence[MatchRow], zone: ZoneInfo) -> Entry:
    """The entry of the story's first item, with the other items' sources as "also reported by"."""
    entry = build_entry(group[0], zone)
    others: list[str] = []
    for row in group[1:]:
        source = shorten(single_line(row.source_id or ""), 64)
        if source and source != entry.source and source not in others:
            others.append(source)
    if not others:
        return entry
    return Entry(
        entry.item_id, entry.title, entry.source, entry.language, entry.date, entry.lead, entry.link,
        entry.reasons, tuple(others), entry.degraded,
    )


def _moment(row: MatchRow) -> datetime:
    """When the row's item was published (else matched), as an aware UTC time for sorting."""
    moment = row.published_at or row.matched_at
    if not isinstance(moment, datetime):
        return _EARLIEST
    return moment if moment.tzinfo else moment.replace(tzinfo=UTC)
