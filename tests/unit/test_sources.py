"""The sources file: good definitions load, malformed ones name the file, source and field."""

from __future__ import annotations

from pathlib import Path

import pytest

from monitor.sources import SourceConfigError, load_sources, parse_schedule, parse_sources, select_sources

GOOD = """
[[sources]]
id = "eetimes"
family = "feed"
urls = ["https://www.eetimes.com/feed/"]
language = "en"
schedule = "30m"

[[sources]]
id = "motir-press-ko"
family = "korean_gov"
urls = ["https://www.motir.go.kr/kor/article/ATCL3f49a5a8c"]
language = "ko"
schedule = "cron: */30 * * * *"
enabled = false
params = { board = "motir_kor", pages = 2 }
"""


def test_good_file_loads_with_defaults() -> None:
    feed, board = parse_sources(GOOD, "sources.toml")
    assert feed.schedule.interval_seconds == 1800
    assert feed.params == {"follow_links": False, "browser_user_agent": False, "body_selector": ""}
    assert board.schedule.cron == "*/30 * * * *" and not board.enabled
    assert board.params["board"] == "motir_kor" and board.params["pages"] == 2


@pytest.mark.parametrize(("replace", "by", "field"), [
    ('family = "feed"', 'family = "rss"', "family"),
    ('urls = ["https://www.eetimes.com/feed/"]', 'urls = ["ftp://x"]', "urls[0]"),
    ('urls = ["https://www.eetimes.com/feed/"]', "urls = []", "urls"),
    ('schedule = "30m"', 'schedule = "often"', "schedule"),
    ('schedule = "30m"', 'schedule = "cron: 61 * * * *"', "schedule"),
    ('language = "en"', 'language = "fr"', "language"),
    ('pages = 2', 'pages = "two"', "params.pages"),
    ('board = "motir_kor"', 'board = "motie"', "params.board"),
    ('language = "en"', 'language = "en"\nenabeld = true', "enabeld"),
])
def test_malformed_field_is_named(replace: str, by: str, field: str) -> None:
    with pytest.raises(SourceConfigError) as raised:
        parse_sources(GOOD.replace(replace, by, 1), "spiders/sources.toml")
    assert raised.value.field_name == field
    assert str(raised.value).startswith("spiders/sources.toml: source ")
    assert f"field {field!r}" in str(raised.value)


def test_duplicate_id_and_bad_toml(tmp_path: Path) -> None:
    with pytest.raises(SourceConfigError, match="used by an earlier source"):
        parse_sources(GOOD + GOOD)
    path = tmp_path / "sources.toml"
    path.write_text("[[sources]\nid=", encoding="utf-8")
    with pytest.raises(SourceConfigError, match="not valid TOML"):
        load_sources(path)
    with pytest.raises(SourceConfigError, match="cannot read"):
        load_sources(tmp_path / "missing.toml")


def test_schedule_and_selection() -> None:
    assert parse_schedule("90s").interval_seconds == 90
    assert parse_schedule("1d").interval_seconds == 86400
    sources = parse_sources(GOOD)
    assert [s.id for s in select_sources(sources, [])] == ["eetimes"]
    assert [s.id for s in select_sources(sources, ["motir-press-ko"])] == ["motir-press-ko"]
    with pytest.raises(KeyError, match="nope"):
        select_sources(sources, ["nope"])
