"""The alerts folder as a whole: concepts/ and rules/, loaded together and checked across files."""

from __future__ import annotations

from collections.abc import Iterable, Sequence
from dataclasses import dataclass, field
from pathlib import Path

from monitor.rules.concepts import Concept, load_concepts
from monitor.rules.errors import RuleFileError, RuleSetError
from monitor.rules.query_ast import Node
from monitor.rules.rulefile import Rule, load_rule_file


@dataclass(frozen=True)
class RuleSet:
    rules: tuple[Rule, ...]
    concepts: dict[str, Concept] = field(default_factory=dict)

    @property
    def concept_entries(self) -> dict[str, Sequence[Node]]:
        return {name: concept.entries for name, concept in self.concepts.items()}

    def get(self, rule_id: str) -> Rule | None:
        return next((rule for rule in self.rules if rule.id == rule_id), None)

    def select(self, rule_ids: Iterable[str] | None = None) -> tuple[Rule, ...]:
        """The enabled rules, or exactly the named ones (even disabled); KeyError for an unknown id."""
        if rule_ids is None:
            return tuple(rule for rule in self.rules if rule.enabled)
        wanted = list(dict.fromkeys(rule_ids))
        unknown = [rule_id for rule_id in wanted if self.get(rule_id) is None]
        if unknown:
            raise KeyError(f"unknown rule id(s): {', '.join(unknown)}")
        return tuple(rule for rule in self.rules if rule.id in wanted)


def read_rule_set(alerts_dir: Path) -> tuple[RuleSet, list[RuleFileError]]:
    """Everything that loads, and every problem found (for `monitor rules check`)."""
    concepts, problems = load_concepts(alerts_dir / "concepts")
    entries = {name: concept.entries for name, concept in concepts.items()}
    rules: list[Rule] = []
    rules_dir = alerts_dir / "rules"
    if not rules_dir.is_dir():
        problems.append(
            RuleFileError(
                rules_dir,
                "the rules folder does not exist",
                hint="create alerts/rules/ or point MONITOR_ALERTS_DIR at your alerts folder",
            )
        )
    for path in sorted(rules_dir.glob("*.toml")) if rules_dir.is_dir() else []:
        try:
            rules.append(load_rule_file(path, entries))
        except RuleFileError as problem:
            problems.append(problem)
    return RuleSet(tuple(rules), concepts), problems


def load_rule_set(alerts_dir: Path) -> RuleSet:
    """The rule set of an alerts folder; raises RuleSetError listing every problem if there is any."""
    rule_set, problems = read_rule_set(alerts_dir)
    if problems:
        raise RuleSetError(problems)
    return rule_set
