"""Alert rules: a query language over nl/en/ko text, rule and concept files, and the compiled matcher.

The service calls `load_rule_set(alerts_dir)` once, `compile_rules(rule_set)` once per rule-set change, and
`RuleMatcher.match(MatchItem(...))` per item; `monitor.rules.stage.run_match_stage` does that over the store.
"""

from monitor.rules.errors import RuleFileError, RuleSetError, RuleSyntaxError
from monitor.rules.examples import ExampleOutcome, run_examples
from monitor.rules.explain import RuleMatch, TermHit
from monitor.rules.item_scan import MatchItem
from monitor.rules.matcher import RuleMatcher, compile_rules
from monitor.rules.parser import parse_query
from monitor.rules.rulefile import Delivery, Example, Rule, rule_from_query
from monitor.rules.ruleset import RuleSet, load_rule_set, read_rule_set

__all__ = [
    "Delivery",
    "Example",
    "ExampleOutcome",
    "MatchItem",
    "Rule",
    "RuleFileError",
    "RuleMatch",
    "RuleMatcher",
    "RuleSet",
    "RuleSetError",
    "RuleSyntaxError",
    "TermHit",
    "compile_rules",
    "load_rule_set",
    "parse_query",
    "read_rule_set",
    "rule_from_query",
    "run_examples",
]
