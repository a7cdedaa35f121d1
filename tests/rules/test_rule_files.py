"""Rule and concept files: the default pack loads, its examples hold, errors name file, line and field."""

from __future__ import annotations

from pathlib import Path

import pytest

from monitor.rules import (
    RuleSetError,
    compile_rules,
    load_rule_set,
    parse_query,
    read_rule_set,
    rule_from_query,
    run_examples,
)
from monitor.rules.query_ast import And, Or
from tests.rules.helpers import ALERTS_DIR, seed_item

DEFAULT_RULES = {
    "nl-kr-semiconductor-cooperation",
    "semiconductor-industry",
    "lithography-equipment",
    "memory-hbm",
    "export-controls",
    "materials-posco",
    "trade-fairs",
    "government-visits",
}
RULE_SET = load_rule_set(ALERTS_DIR)
OUTCOMES = run_examples(RULE_SET)


def test_default_pack_is_complete_and_every_rule_has_examples_in_three_languages() -> None:
    assert {rule.id for rule in RULE_SET.rules} == DEFAULT_RULES
    for rule in RULE_SET.rules:
        assert {example.lang for example in rule.examples} >= {"nl", "en", "ko"} or rule.id == "memory-hbm", (
            rule.id
        )
        assert any(not example.match for example in rule.examples), f"{rule.id} has no negative example"
        assert rule.deliver.feed is True


@pytest.mark.parametrize("outcome", OUTCOMES, ids=lambda o: f"{o.rule.id}:{o.example.line}")
def test_rule_example(outcome) -> None:  # type: ignore[no-untyped-def]
    assert outcome.passed, outcome.describe()


def test_seed_press_release_is_caught_by_cooperation_and_semiconductor_rules() -> None:
    matched = {match.rule_id for match in compile_rules(RULE_SET).match(seed_item())}
    assert {"nl-kr-semiconductor-cooperation", "semiconductor-industry"} <= matched
    assert "export-controls" not in matched


def write(folder: Path, name: str, text: str) -> Path:
    path = folder / name
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_text(text, encoding="utf-8")
    return path


@pytest.fixture
def alerts(tmp_path: Path) -> Path:
    write(tmp_path, "concepts/chips.toml", '[chips]\ndescription = "x"\nnl = ["chip*", "halfgeleider*"]\n')
    return tmp_path


def problems_of(alerts: Path) -> list[str]:
    return [str(problem) for problem in read_rule_set(alerts)[1]]


def test_query_error_is_reported_at_its_file_line_and_column(alerts: Path) -> None:
    write(alerts, "rules/bad.toml", 'id = "bad"\nname = "Bad"\nquery = """\nchip AND\n  (wafer OR\n"""\n')
    (problem,) = read_rule_set(alerts)[1]
    assert problem.file.endswith("bad.toml") and (problem.line, problem.column) == (5, 10)
    assert problem.field == "query" and "ends after 'OR'" in problem.message and problem.hint


def test_single_line_query_error_column_counts_from_the_file(alerts: Path) -> None:
    write(alerts, "rules/bad.toml", 'id = "bad"\nname = "Bad"\nquery = "chip OR OR wafer"\n')
    (problem,) = read_rule_set(alerts)[1]
    assert (problem.line, problem.column) == (3, 18)


@pytest.mark.parametrize(
    ("text", "fragment", "line"),
    [
        ('id = "x"\nname = "X"\nquery = "@unknown"\n', "unknown concept @unknown", 3),
        ('id = "x"\nname = "X"\n', "missing required field 'query'", None),
        ('id = "y"\nname = "X"\nquery = "chip"\n', "differs from the file name", 1),
        ('id = "x"\nname = "X"\nquery = "chip"\ncolour = 1\n', "unknown field 'colour'", 4),
        ('id = "x"\nname = "X"\nquery = "chip"\n[deliver]\ninstant = "slack"\n', "deliver.instant", 5),
        ('id = "x"\nname = "X"\nquery = "chip"\n[deliver]\nfeed = "yes"\n', "deliver.feed must be a bool", 5),
        ('id = "x"\nname = "X"\nquery = "chip"\n[filters]\nfields = ["headline"]\n', "unknown field", 5),
        ('id = "x"\nname = "X"\nquery = "chip"\n\n[[examples]]\ntext = "chip"\n', "examples[0].match", None),
        ('id = "x"\nname = "X"\nquery = "chip\n', "not valid TOML", 3),
        ('id = "x"\nname = "X"\nquery = "NOT chip"\n', "none of its terms", 3),
    ],
)
def test_rule_file_errors(alerts: Path, text: str, fragment: str, line: int | None) -> None:
    write(alerts, "rules/x.toml", text)
    (problem,) = read_rule_set(alerts)[1]
    assert fragment in str(problem) and problem.line == line, str(problem)


def test_concept_errors_name_file_field_and_line(alerts: Path) -> None:
    write(alerts, "concepts/more.toml", '[more]\ndescription = "m"\nnl = ["ok", "a AND b"]\n')
    write(alerts, "concepts/loop.toml", '[one]\nen = ["@two"]\n[two]\nen = ["@one"]\n')
    write(alerts, "concepts/dup.toml", '[chips]\nen = ["x"]\n')
    problems = problems_of(alerts)
    assert any(
        "more.toml:3 [more.nl[1]]" in problem and "not a single term" in problem for problem in problems
    )
    assert any("circle" in problem and "@one → @two → @one" in problem for problem in problems)
    assert any("also defined in chips.toml" in problem for problem in problems)


def test_valid_rule_loads_with_filters_delivery_and_examples(alerts: Path) -> None:
    write(
        alerts,
        "rules/chips.toml",
        """
id = "chips"
name = "Chips"
query = "@chips AND NOT potato"
enabled = true
[filters]
sources = ["rijks*"]
languages = ["NL"]
fields = ["title", "body"]
[deliver]
instant = ["team-slack"]
digests = ["nl-team"]
feed = false
[[examples]]
text = "De halfgeleiderindustrie groeit"
lang = "nl"
source = "rijksoverheid"
match = true
[[examples]]
text = "De halfgeleiderindustrie groeit"
lang = "en"
source = "rijksoverheid"
match = false
""",
    )
    rule_set = load_rule_set(alerts)
    (rule,) = rule_set.rules
    assert rule.languages == ("nl",) and rule.sources == ("rijks*",) and rule.fields == ("title", "body")
    assert rule.deliver.instant == ("team-slack",) and rule.deliver.feed is False
    assert [outcome.passed for outcome in run_examples(rule_set)] == [True, True]


def test_load_rule_set_raises_with_every_problem(alerts: Path) -> None:
    write(alerts, "rules/a.toml", 'id = "a"\nname = "A"\nquery = "("\n')
    write(alerts, "rules/b.toml", 'id = "b"\nquery = "chip"\n')
    with pytest.raises(RuleSetError) as caught:
        load_rule_set(alerts)
    assert len(caught.value.problems) == 2


def test_select_unknown_rule_id(alerts: Path) -> None:
    write(alerts, "rules/a.toml", 'id = "a"\nname = "A"\nquery = "chip"\nenabled = false\n')
    rule_set = load_rule_set(alerts)
    assert rule_set.select() == ()
    assert [rule.id for rule in rule_set.select(["a"])] == ["a"]
    with pytest.raises(KeyError):
        rule_set.select(["nope"])


def test_query_examples_in_the_analyst_readme_compile() -> None:
    readme = (ALERTS_DIR / "README.md").read_text(encoding="utf-8")
    block = readme.split("### Examples in three languages", 1)[1].split("```")[1]
    queries = [line for line in block.splitlines() if line.strip() and not line.startswith("#")]
    assert len(queries) == 5
    for query in queries:
        rule_from_query(query, RULE_SET.concept_entries)
    precedence = parse_query("asml euv OR wafer NOT chips NEAR/3 potato")
    assert isinstance(precedence, Or) and isinstance(precedence.items[1], And)
