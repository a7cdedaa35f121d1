"""Compiles a rule's syntax tree into a predicate over an `ItemScan`, interning its terms in a shared table.

Predicates are plain closures: evaluating a rule is a handful of dict look-ups on the term→fields map of the
item, so a thousand rules cost little once the automaton has run.
"""

from __future__ import annotations

from collections.abc import Callable, Mapping, Sequence
from dataclasses import dataclass, field
from fnmatch import fnmatchcase

from monitor.rules.errors import RuleSyntaxError
from monitor.rules.item_scan import FIELD_BITS, Hit, ItemScan
from monitor.rules.proximity import near_spans
from monitor.rules.query_ast import And, ConceptRef, Near, Node, Not, Or, Position, Scoped, Term
from monitor.rules.terms import TermTable, term_spec
from monitor.rules.triggers import trigger_terms

Predicate = Callable[[ItemScan], bool]
SpanSource = Callable[[ItemScan], list[Hit]]
ConceptLookup = Mapping[str, Sequence[Node]]


@dataclass
class CompiledQuery:
    """A rule's predicate, the terms that can trigger it and the (term, fields) pairs shown as explanation."""

    predicate: Predicate
    triggers: frozenset[int]
    shown: tuple[tuple[int, int], ...]


@dataclass
class _Context:
    table: TermTable
    concepts: ConceptLookup
    shown: list[tuple[int, int]] = field(default_factory=list)
    concept_stack: list[str] = field(default_factory=list)


def _error(pos: Position, message: str, hint: str = "") -> RuleSyntaxError:
    return RuleSyntaxError(message, pos.line, pos.column, hint=hint)


def compile_query(
    node: Node,
    table: TermTable,
    concepts: ConceptLookup,
    *,
    fields: Sequence[str] = ("title", "summary", "body"),
) -> CompiledQuery:
    """Compile one query; raises RuleSyntaxError for unknown concepts, misplaced filters and NEAR misuse."""
    context = _Context(table, concepts)
    mask = 0
    for name in fields:
        mask |= FIELD_BITS[name]
    predicate = _compile(node, context, mask, negated=False)
    triggers = trigger_terms(node, table, concepts)
    if not triggers:
        raise _error(
            node.pos,
            "the query can match items that contain none of its terms",
            "every alternative needs a term outside NOT: write a AND NOT b, not NOT b or a OR NOT b",
        )
    return CompiledQuery(predicate, triggers, tuple(dict.fromkeys(context.shown)))


def _compile(node: Node | _ExpandedConcept, context: _Context, mask: int, *, negated: bool) -> Predicate:
    if isinstance(node, Term):
        return _any_term([_intern(node, context, mask, negated)], mask)
    if isinstance(node, ConceptRef):
        expanded = _expand(node, context)
        context.concept_stack.append(node.name)
        try:
            return _compile(expanded, context, mask, negated=negated)
        finally:
            context.concept_stack.pop()
    if isinstance(node, Or | _ExpandedConcept):
        plain = [_intern(item, context, mask, negated) for item in node.items if isinstance(item, Term)]
        parts = [
            _compile(item, context, mask, negated=negated)
            for item in node.items
            if not isinstance(item, Term)
        ]
        return _combine(([_any_term(plain, mask)] if plain else []) + parts, conjunction=False)
    if isinstance(node, And):
        return _combine(
            [_compile(item, context, mask, negated=negated) for item in node.items], conjunction=True
        )
    if isinstance(node, Not):
        inner = _compile(node.item, context, mask, negated=not negated)
        return lambda state: not inner(state)
    if isinstance(node, Scoped):
        if node.field in FIELD_BITS:
            return _compile(node.item, context, FIELD_BITS[node.field], negated=negated)
        return _metadata_filter(node)
    spans = _spans(node, context, mask, negated)
    return lambda state: bool(spans(state))


def _intern(node: Term, context: _Context, mask: int, negated: bool) -> int:
    term_id = context.table.intern(term_spec(node))
    if not negated:
        context.shown.append((term_id, mask))
    return term_id


def _any_term(term_ids: list[int], mask: int) -> Predicate:
    if len(term_ids) == 1:
        only = term_ids[0]
        return lambda state: bool(state.tf.get(only, 0) & mask)
    wanted = frozenset(term_ids)

    def predicate(state: ItemScan) -> bool:
        found = state.tf
        return any(found[term_id] & mask for term_id in wanted.intersection(found))

    return predicate


def _combine(parts: list[Predicate], *, conjunction: bool) -> Predicate:
    if len(parts) == 1:
        return parts[0]
    if len(parts) == 2:
        first, second = parts
        if conjunction:
            return lambda state: first(state) and second(state)
        return lambda state: first(state) or second(state)
    if conjunction:
        return lambda state: all(part(state) for part in parts)
    return lambda state: any(part(state) for part in parts)


def _expand(node: ConceptRef, context: _Context) -> _ExpandedConcept:
    entries = context.concepts.get(node.name)
    if entries is None:
        known = ", ".join("@" + name for name in sorted(context.concepts)[:12]) or "none yet"
        raise _error(node.pos, f"unknown concept @{node.name}", f"known concepts: {known}")
    if node.name in context.concept_stack:
        raise _error(
            node.pos,
            f"concept @{node.name} refers to itself",
            " → ".join([*context.concept_stack, node.name]),
        )
    if not entries:
        raise _error(
            node.pos, f"concept @{node.name} has no terms", "add terms to its file in alerts/concepts/"
        )
    return _ExpandedConcept(node.name, tuple(entries), node.pos)


@dataclass(frozen=True)
class _ExpandedConcept:
    name: str
    items: tuple[Node, ...]
    pos: Position


def _metadata_filter(node: Scoped) -> Predicate:
    values = [term.text.lower() + ("*" if term.prefix else "") for term in _plain_terms(node)]
    if node.field == "lang":
        languages = frozenset(values)
        return lambda state: state.language in languages
    return lambda state: any(fnmatchcase(state.source_id, pattern) for pattern in values)


def _plain_terms(node: Scoped) -> list[Term]:
    items = node.item.items if isinstance(node.item, Or) else (node.item,)
    if not all(isinstance(item, Term) and not item.quoted for item in items):
        raise _error(
            node.pos,
            f"{node.field}: takes plain values",
            f"write {node.field}:nl or {node.field}:(nl OR en); source: takes globs like rijksoverheid*",
        )
    return [item for item in items if isinstance(item, Term)]


def _spans(node: Node | _ExpandedConcept, context: _Context, mask: int, negated: bool) -> SpanSource:
    """Where a term, phrase, concept, OR-group or proximity expression occurs (for NEAR)."""
    if isinstance(node, Term):
        term_id = _intern(node, context, mask, negated)
        return lambda state: [hit for hit in state.hits.get(term_id, ()) if hit[0] & mask]
    if isinstance(node, ConceptRef):
        expanded = _expand(node, context)
        context.concept_stack.append(node.name)
        try:
            return _spans(expanded, context, mask, negated)
        finally:
            context.concept_stack.pop()
    if isinstance(node, Or | _ExpandedConcept):
        sources = [_spans(item, context, mask, negated) for item in node.items]
        return lambda state: [hit for source in sources for hit in source(state)]
    if isinstance(node, Scoped) and node.field in FIELD_BITS:
        return _spans(node.item, context, FIELD_BITS[node.field], negated)
    if isinstance(node, Near):
        left = _spans(node.left, context, mask, negated)
        right = _spans(node.right, context, mask, negated)
        distance, ordered = node.distance, node.ordered
        return lambda state: near_spans(state, left(state), right(state), distance, ordered)
    raise _error(
        node.pos,
        "NEAR works between terms, phrases, @concepts, OR-groups and field scopes",
        "move AND, NOT and source:/lang: outside the NEAR: (a NEAR/5 b) AND NOT c",
    )
