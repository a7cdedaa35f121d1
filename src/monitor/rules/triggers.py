"""Which terms a rule needs: the matcher evaluates a rule only for items where one of them was found.

For `a AND (b OR c)` it is enough to look at items containing `a`; for `a OR b`, at items with either. A query
that could match with none of its terms present (`NOT x`, `a OR NOT b`, `lang:ko`) has no trigger set and is
refused when compiled: it would match nearly every item.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence

from monitor.rules.query_ast import And, ConceptRef, Near, Node, Not, Or, Scoped, Term
from monitor.rules.terms import TermTable, term_spec


def trigger_terms(
    node: Node, table: TermTable, concepts: Mapping[str, Sequence[Node]]
) -> frozenset[int] | None:
    """A set of term ids of which at least one occurs in every matching item; None if there is none."""
    if isinstance(node, Term):
        return frozenset((table.intern(term_spec(node)),))
    if isinstance(node, ConceptRef | Or):
        items = concepts.get(node.name, ()) if isinstance(node, ConceptRef) else node.items
        return _union([trigger_terms(item, table, concepts) for item in items])
    if isinstance(node, And):
        options = [
            found for item in node.items if (found := trigger_terms(item, table, concepts)) is not None
        ]
        return min(options, key=len) if options else None
    if isinstance(node, Near):
        sides = [trigger_terms(node.left, table, concepts), trigger_terms(node.right, table, concepts)]
        known = [side for side in sides if side is not None]
        return min(known, key=len) if known else None
    if isinstance(node, Scoped) and node.field not in ("lang", "source"):
        return trigger_terms(node.item, table, concepts)
    if isinstance(node, Not | Scoped):
        return None
    raise TypeError(f"not a query node: {node!r}")


def _union(parts: list[frozenset[int] | None]) -> frozenset[int] | None:
    if not parts or any(part is None for part in parts):
        return None
    return frozenset().union(*parts)
