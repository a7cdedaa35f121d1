"""Digest content as pure functions: grouping by rule and story, entries, and bad rows shown minimally."""

from __future__ import annotations

import json
import logging
from datetime import UTC, datetime, timedelta
from zoneinfo import ZoneInfo

import pytest

from monitor.digests.content import MAX_ENTRIES_PER_RULE, build_content
from monitor.digests.entry import MatchRow, build_entry, lead_of, reasons_of, safe_link
from tests.digests.seed import PERIOD, explanation

SEOUL = ZoneInfo("Asia/Seoul")


def row(number: int, rule_id: str = "memory-hbm", **fields: object) -> MatchRow:
    values: dict = dict(
        match_id=number, rule_id=rule_id, item_id=number, story_id=None,
        explanation=explanation("HBM", "body", "SK하이닉스 **HBM** 증산"), matched_at=PERIOD,
        title=f"Title {number}", summary="", body=f"Body of item {number}.", source_id="yonhap", language="ko",
        published_at=PERIOD - timedelta(hours=number), url=f"https://example.org/{number}",
    )
    values.update(fields)
    return MatchRow(**values)


def content(*rows: MatchRow, rule_names: dict[str, str] | None = None):  # type: ignore[no-untyped-def]
    names = rule_names or {"export-controls": "Export controls", "memory-hbm": "Memory and HBM"}
    return build_content(digest_id="kr-team", name="KR", timezone="Asia/Seoul", rows=rows, rule_names=names,
                         since=PERIOD - timedelta(days=1), until=PERIOD)


def test_grouped_by_rule_in_rule_order_then_one_entry_per_story_newest_first() -> None:
    result = content(
        row(1, story_id=7, source_id="yonhap", published_at=PERIOD - timedelta(hours=5)),
        row(2, story_id=7, source_id="thelec", published_at=PERIOD - timedelta(hours=4)),
        row(3, story_id=7, source_id="businesskorea", published_at=PERIOD - timedelta(hours=3)),
        row(4, published_at=PERIOD - timedelta(hours=1)),
        row(5, rule_id="export-controls"),
        row(6, rule_id="retired-rule"),
    )
    assert [section.rule_id for section in result.sections] == ["export-controls", "memory-hbm", "retired-rule"]
    memory = result.sections[1]
    assert memory.name == "Memory and HBM" and memory.match_count == 4
    assert [entry.item_id for entry in memory.entries] == [4, 1]  # story 7 is led by its first report
    assert memory.entries[1].also_reported_by == ("thelec", "businesskorea")
    assert result.sections[2].name == "retired-rule"
    assert (result.match_count, result.story_count, result.first_title) == (6, 4, "Title 5")


def test_entry_has_source_language_local_date_lead_link_and_reasons() -> None:
    entry = build_entry(row(1, summary="", body="  SK하이닉스가\nHBM4를   양산한다. " * 40,
                            published_at=datetime(2026, 3, 29, 15, 30, tzinfo=UTC)), SEOUL)
    assert (entry.source, entry.language, entry.date) == ("yonhap", "ko", "2026-03-30 00:30 KST")
    assert entry.lead.startswith("SK하이닉스가 HBM4를 양산한다.") and entry.lead.endswith("…")
    assert len(entry.lead) <= 320 and "\n" not in entry.lead
    assert entry.link == "https://example.org/1"
    (reason,) = entry.reasons
    assert (reason.term, reason.field, reason.snippet) == ("HBM", "body", "SK하이닉스 HBM 증산")
    assert [segment.hit for segment in reason.segments] == [False, True, False]


def test_summary_wins_over_body_for_the_lead() -> None:
    assert lead_of("Short summary.", "Long body") == "Short summary."
    assert lead_of("", "Long body") == "Long body"


@pytest.mark.parametrize("url", ["javascript:alert(1)", "data:text/html,x", "vbscript:x", "file:///etc/passwd",
                                 "/relative/path", "https://exa mple.org/", "https://example.org/\r\nX: y", ""])
def test_only_absolute_http_links_are_linked(url: str) -> None:
    assert safe_link(url) is None


@pytest.mark.parametrize("explained", ["{broken", "null", '{"hits": "no"}', '{"hits": [{"term": 1}]}', "[]",
                                       '{"hits": [{"field": "title"}]}'])
def test_a_broken_explanation_degrades_the_entry_only(explained: str, caplog: pytest.LogCaptureFixture) -> None:
    with caplog.at_level(logging.WARNING, logger="monitor.digests"):
        result = content(row(1, explanation=explained), row(2))
    first, second = sorted(result.sections[0].entries, key=lambda entry: entry.item_id)
    assert first.degraded and first.reasons == () and first.title == "Title 1" and first.link
    assert not second.degraded and second.reasons
    assert "match 1" in caplog.text


def test_absurd_fields_never_stop_a_digest(caplog: pytest.LogCaptureFixture) -> None:
    absurd = row(1, published_at=datetime(9999, 12, 31, 23, 59, tzinfo=UTC), title="x" * 100_000,
                 source_id=None, language="\x00" * 50)
    missing = row(2, title=None, summary=None, body=None, source_id=None, url=None, published_at=None)
    with caplog.at_level(logging.WARNING, logger="monitor.digests"):
        result = content(absurd, missing, row(3))
    entries = {entry.item_id: entry for entry in result.sections[0].entries}
    assert entries[1].degraded and len(entries[1].title) <= 300
    assert entries[2].title == "Item 2" and entries[2].date == "" and entries[2].link is None
    assert not entries[3].degraded


def test_long_sections_are_cut_with_a_count() -> None:
    rows = [row(number) for number in range(1, MAX_ENTRIES_PER_RULE + 6)]
    (section,) = content(*rows).sections
    assert len(section.entries) == MAX_ENTRIES_PER_RULE and section.more == 5 and section.match_count == len(rows)


def test_reasons_show_at_most_three_hits() -> None:
    hits = [{"term": f"t{n}", "field": "title", "snippet": f"**t{n}**"} for n in range(6)]
    assert [reason.term for reason in reasons_of(json.dumps({"hits": hits}))] == ["t0", "t1", "t2"]
