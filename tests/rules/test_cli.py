"""`monitor match`, `monitor rules check` and `monitor rules test` through click's test runner."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta
from pathlib import Path

import pytest
from click.testing import CliRunner

from monitor.cli import main
from monitor.store.database import open_store
from tests.rules.helpers import ALERTS_DIR
from tests.rules.store_items import insert_items, item_row


@pytest.fixture
def runner(sqlite_url: str) -> CliRunner:
    return CliRunner(env={"MONITOR_DATABASE_URL": sqlite_url, "MONITOR_ALERTS_DIR": str(ALERTS_DIR)})


@pytest.fixture
def stored(sqlite_url: str) -> None:
    engine = open_store(sqlite_url)
    yesterday = datetime.now(UTC) - timedelta(days=1)
    insert_items(
        engine,
        [
            item_row(1, "SK hynix starts HBM4 mass production.", source_id="news-en", published_at=yesterday),
            item_row(
                2,
                "삼성전자는 HBM 공급을 늘린다.",
                language="ko",
                source_id="korea-kr",
                published_at=yesterday,
            ),
            item_row(
                3, "Potato chips are getting more expensive.", source_id="news-en", published_at=yesterday
            ),
        ],
    )
    engine.dispose()


def test_rules_check_passes_on_the_default_pack(runner: CliRunner) -> None:
    result = runner.invoke(main, ["rules", "check"])
    assert result.exit_code == 0, result.output
    assert "8 rules" in result.output and "0 problems, 0 failing examples" in result.output


def test_rules_check_reports_file_line_and_fails(runner: CliRunner, tmp_path: Path) -> None:
    (tmp_path / "rules").mkdir()
    (tmp_path / "rules" / "bad.toml").write_text(
        'id = "bad"\nname = "Bad"\nquery = "chip OR"\n', encoding="utf-8"
    )
    result = runner.invoke(main, ["rules", "check"], env={"MONITOR_ALERTS_DIR": str(tmp_path)})
    assert result.exit_code == 1
    assert "bad.toml:3:15 [query]: the query ends after 'OR'" in result.output


def test_rules_test_one_text_shows_the_highlight(runner: CliRunner) -> None:
    result = runner.invoke(
        main, ["rules", "test", "semiconductor-industry", "--text", "De halfgeleiderindustrie groeit snel."]
    )
    assert result.exit_code == 0, result.output
    assert (
        "match" in result.output and "halfgeleider*" in result.output and "industrie groeit" in result.output
    )
    missed = runner.invoke(main, ["rules", "test", "semiconductor-industry", "--text", "Zak chips, 3 euro"])
    assert missed.exit_code == 1 and "no match" in missed.output


def test_rules_test_a_query_with_a_syntax_error_shows_where(runner: CliRunner) -> None:
    result = runner.invoke(main, ["rules", "test", "chip AND (wafer", "--text", "x"])
    assert result.exit_code == 2
    assert "never closed" in result.output and "^" in result.output and "hint" in result.output


def test_match_then_match_again_then_rematch(runner: CliRunner, stored: None) -> None:
    first = runner.invoke(main, ["match"])
    assert first.exit_code == 0, first.output
    assert "3 items × 8 rules" in first.output and "new" in first.output
    again = runner.invoke(main, ["match"])
    assert again.exit_code == 0 and again.output.startswith("0 items")
    backfill = runner.invoke(main, ["match", "--since", "30d", "--rule", "memory-hbm"])
    assert backfill.exit_code == 0, backfill.output
    assert "3 items × 1 rules: 2 matches, 0 new (backfill)" in backfill.output


def test_match_with_unknown_rule_or_bad_duration(runner: CliRunner, stored: None) -> None:
    unknown = runner.invoke(main, ["match", "--rule", "nope"])
    assert unknown.exit_code == 1 and "unknown rule id(s): nope" in unknown.output
    bad = runner.invoke(main, ["match", "--since", "soon"])
    assert bad.exit_code == 2 and "not a duration" in bad.output


def test_rules_test_over_stored_items_counts_per_source(runner: CliRunner, stored: None) -> None:
    result = runner.invoke(main, ["rules", "test", "memory-hbm", "--since", "30d"])
    assert result.exit_code == 0, result.output
    assert "2 of 3 items match" in result.output and "nothing was stored" in result.output
    assert "korea-kr" in result.output and "news-en" in result.output and "HBM" in result.output
    adhoc = runner.invoke(main, ["rules", "test", "chips NOT potato"])
    assert adhoc.exit_code == 0 and "0 of 3 items match" in adhoc.output
