"""Running the `[[examples]]` of rules: each text must match (or not match) as the analyst wrote."""

from __future__ import annotations

from dataclasses import dataclass

from monitor.rules.item_scan import MatchItem
from monitor.rules.matcher import RuleMatcher
from monitor.rules.rulefile import Example, Rule
from monitor.rules.ruleset import RuleSet


@dataclass(frozen=True)
class ExampleOutcome:
    rule: Rule
    example: Example
    matched: bool

    @property
    def passed(self) -> bool:
        return self.matched == self.example.match

    def describe(self) -> str:
        where = f"{self.rule.path or self.rule.id}:{self.example.line or '?'}"
        expected = "match" if self.example.match else "no match"
        got = "matched" if self.matched else "did not match"
        return f"{where}: expected {expected} but the rule {got}: {self.example.text[:80]!r}"


def example_item(example: Example) -> MatchItem:
    return MatchItem(
        title=example.title,
        summary=example.summary,
        body=example.text,
        ministry=example.ministry,
        source_id=example.source,
        language=example.lang,
    )


def run_examples(rule_set: RuleSet) -> list[ExampleOutcome]:
    """The outcome of every example of every rule (disabled rules included), each rule compiled alone."""
    outcomes: list[ExampleOutcome] = []
    for rule in rule_set.rules:
        if not rule.examples:
            continue
        matcher = RuleMatcher([rule], rule_set.concept_entries)
        for example in rule.examples:
            matched = bool(matcher.match(example_item(example), explain_hits=False))
            outcomes.append(ExampleOutcome(rule, example, matched))
    return outcomes
