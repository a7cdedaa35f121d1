"""The compiled form of a set of rules: one automaton for all their terms, one predicate per rule.

`RuleMatcher.match(item)` scans each field of the item once, then evaluates only the rules that one of the
found terms can trigger. It is pure: no database, no clock, safe to share between threads.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass
from fnmatch import fnmatchcase

from monitor.rules.automaton import TermAutomaton
from monitor.rules.compiler import Predicate, compile_query
from monitor.rules.errors import RuleSyntaxError
from monitor.rules.explain import RuleMatch
from monitor.rules.item_scan import ItemScan, MatchItem
from monitor.rules.query_ast import Node
from monitor.rules.rulefile import Rule
from monitor.rules.ruleset import RuleSet
from monitor.rules.terms import TermTable


@dataclass(frozen=True)
class _CompiledRule:
    rule_id: str
    predicate: Predicate
    shown: tuple[tuple[int, int], ...]


class RuleMatcher:
    """All given rules compiled together; raises RuleSyntaxError (naming the rule's file) if one fails."""

    def __init__(self, rules: Sequence[Rule], concepts: Mapping[str, Sequence[Node]]) -> None:
        table = TermTable()
        self.rules: list[_CompiledRule] = []
        triggers: list[list[int]] = []
        for rule in rules:
            try:
                compiled = compile_query(rule.tree, table, concepts, fields=rule.fields)
            except RuleSyntaxError as error:
                raise error.located(rule.path or rule.id) from None
            predicate = _with_filters(compiled.predicate, rule)
            self.rules.append(_CompiledRule(rule.id, predicate, compiled.shown))
            triggers.append(sorted(compiled.triggers))
        self.specs = table.specs
        self.automaton = TermAutomaton(table.specs)
        by_term: list[list[int]] = [[] for _ in table.specs]
        for index, term_ids in enumerate(triggers):
            for term_id in term_ids:
                by_term[term_id].append(index)
        self._rules_by_term = [tuple(indexes) for indexes in by_term]

    @property
    def rule_ids(self) -> list[str]:
        return [rule.rule_id for rule in self.rules]

    def scan(self, item: MatchItem) -> ItemScan:
        return self.automaton.scan(item)

    def match(self, item: MatchItem, *, explain_hits: bool = True) -> list[RuleMatch]:
        """The rules that match `item`, in rule order; each explains itself (hits, snippets) on first use."""
        state = self.automaton.scan(item)
        if not state.tf:
            return []
        candidates: set[int] = set()
        for term_id in state.tf:
            candidates.update(self._rules_by_term[term_id])
        matches: list[RuleMatch] = []
        for index in sorted(candidates):
            rule = self.rules[index]
            if rule.predicate(state):
                if explain_hits:
                    matches.append(RuleMatch(rule.rule_id, state=state, specs=self.specs, shown=rule.shown))
                else:
                    matches.append(RuleMatch(rule.rule_id))
        return matches


def _with_filters(predicate: Predicate, rule: Rule) -> Predicate:
    sources = tuple(pattern.lower() for pattern in rule.sources)
    languages = frozenset(rule.languages)
    if not sources and not languages:
        return predicate

    def filtered(state: ItemScan) -> bool:
        if languages and state.language not in languages:
            return False
        if sources and not any(fnmatchcase(state.source_id, pattern) for pattern in sources):
            return False
        return predicate(state)

    return filtered


def compile_rules(rule_set: RuleSet, rule_ids: Iterable[str] | None = None) -> RuleMatcher:
    """A matcher for the enabled rules of a set, or for exactly the named rules."""
    return RuleMatcher(rule_set.select(rule_ids), rule_set.concept_entries)
