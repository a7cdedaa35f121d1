"""alerts/digests.toml: the shipped file, and errors that name the file, the digest and the field."""

from __future__ import annotations

import os
from pathlib import Path

import pytest

from monitor.delivery.channel_config import load_channels
from monitor.digests.config import DigestSetError, load_digests, read_digests
from monitor.digests.references import check_references, digest_rule_ids
from tests.digests.seed import ALERTS_DIR, RULES, kr_digest

VALID = """
[digests.team]
name = "Team"
channel = "mail"
recipients = ["a@example.org"]
schedule = "0 8 * * 1-5"
timezone = "Europe/Amsterdam"
"""


def write(tmp_path: Path, text: str) -> Path:
    path = tmp_path / "digests.toml"
    path.write_text(text, encoding="utf-8")
    return path


def test_shipped_digests_load_and_resolve() -> None:
    path = ALERTS_DIR / "digests.toml"
    digests = load_digests(path)
    assert {digest.id: (digest.schedule, digest.timezone) for digest in digests.values()} == {
        "nl-team": ("0 8 * * *", "Europe/Amsterdam"), "kr-team": ("0 8 * * *", "Asia/Seoul")}
    channels = load_channels(ALERTS_DIR / "channels.toml", dict(os.environ))
    assert check_references(path, digests, RULES, channels) == []
    assert "memory-hbm" in digest_rule_ids(digests["kr-team"], RULES)
    assert "lithography-equipment" in digest_rule_ids(digests["nl-team"], RULES)


def test_a_valid_digest_has_defaults(tmp_path: Path) -> None:
    (digest,) = load_digests(write(tmp_path, VALID)).values()
    assert digest.rules == () and digest.send_when_empty is False and digest.subject_prefix == ""


@pytest.mark.parametrize(("change", "field", "words"), [
    (('timezone = "Europe/Amsterdam"', 'timezone = "Europe/Amsterdm"'), "timezone", "unknown time zone"),
    (('timezone = "Europe/Amsterdam"', 'timezone = "../../etc/passwd"'), "timezone", "unknown time zone"),
    (('schedule = "0 8 * * 1-5"', 'schedule = "30 2 * * *"'), "schedule", "between 02:00 and 03:00"),
    (('schedule = "0 8 * * 1-5"', 'schedule = "0 1-3 * * *"'), "schedule", "twice or never"),
    (('schedule = "0 8 * * 1-5"', 'schedule = "0 8 * *"'), "schedule", "5 fields"),
    (('schedule = "0 8 * * 1-5"', 'schedule = "0 25 * * *"'), "schedule", "not a valid cron"),
    (('recipients = ["a@example.org"]', 'recipients = ["not an address"]'), "recipients", "not an email"),
    (('recipients = ["a@example.org"]', 'recipients = ["a@example.org\\r\\nBcc: x@y.z"]'), "recipients", ""),
    (('recipients = ["a@example.org"]', "recipients = []"), "recipients", "at least one"),
    (('name = "Team"', 'name = "Team"\nsend_when_empty = "yes"'), "send_when_empty", "true or false"),
    (('name = "Team"', 'name = "Team"\nsubject_prefix = "a\\nBcc: x"'), "subject_prefix", "one line"),
    (('name = "Team"', 'name = "Team"\ncolour = "red"'), "colour", "unknown field"),
    (('name = "Team"', 'name = "Team"\nrules = "*"'), "rules", "list"),
    (('channel = "mail"\n', ""), "channel", "missing required field"),
])
def test_problems_name_file_digest_and_field(tmp_path: Path, change: tuple[str, str], field: str, words: str) -> None:
    path = write(tmp_path, VALID.replace(*change))
    with pytest.raises(DigestSetError) as raised:
        load_digests(path)
    (problem,) = raised.value.problems
    assert problem.digest == "team" and problem.field == field and problem.file == str(path)
    assert words in problem.message and str(path) in str(problem) and "[digests.team]" in str(problem)


def test_the_dst_hour_is_fine_where_clocks_never_change(tmp_path: Path) -> None:
    text = VALID.replace('schedule = "0 8 * * 1-5"', 'schedule = "30 2 * * *"').replace(
        "Europe/Amsterdam", "Asia/Seoul")
    assert load_digests(write(tmp_path, text))["team"].schedule == "30 2 * * *"


def test_hint_for_the_dst_hour(tmp_path: Path) -> None:
    path = write(tmp_path, VALID.replace('schedule = "0 8 * * 1-5"', 'schedule = "30 2 * * *"'))
    (problem,) = read_digests(path)[1]
    assert "pick another hour" in problem.hint


def test_every_problem_is_reported_and_valid_digests_still_load(tmp_path: Path) -> None:
    text = VALID + VALID.replace("[digests.team]", "[digests.Bad_Id]") + VALID.replace(
        "[digests.team]", "[digests.other]").replace("Europe/Amsterdam", "Mars/Olympus")
    digests, problems = read_digests(write(tmp_path, text))
    assert list(digests) == ["team"] and sorted(problem.digest for problem in problems) == ["Bad_Id", "other"]


def test_missing_file_means_no_digests(tmp_path: Path) -> None:
    assert load_digests(tmp_path / "absent.toml") == {}


def test_broken_toml_is_reported(tmp_path: Path) -> None:
    with pytest.raises(DigestSetError, match="not valid TOML"):
        load_digests(write(tmp_path, "[digests.team\nname = 1"))


def test_references_report_unknown_rules_channels_and_digests(tmp_path: Path) -> None:
    digests = {"kr-team": kr_digest(rules=("memory-hbm", "no-such-rule"), channel="team-slack")}
    problems = check_references(tmp_path / "digests.toml", digests, RULES, {"team-slack": object()})
    messages = [f"{problem.field}: {problem.message}" for problem in problems]
    assert "rules: unknown rule id 'no-such-rule'" in messages
    assert "channel: channel 'team-slack' is not an email channel" in messages
    assert any("unknown digest 'nl-team'" in message for message in messages)


def test_star_follows_every_enabled_rule() -> None:
    chosen = digest_rule_ids(kr_digest(rules=("*",)), RULES)
    assert set(chosen) == {rule.id for rule in RULES.rules if rule.enabled}
