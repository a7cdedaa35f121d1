"""Explanations: which terms of a rule hit, in which field, where, with a short highlighted snippet."""

from __future__ import annotations

from collections.abc import Sequence
from functools import lru_cache
from json.encoder import encode_basestring  # type: ignore[attr-defined]
from typing import NamedTuple

from monitor.rules.item_scan import FIELD_NAMES, ItemScan
from monitor.rules.terms import TermSpec

SNIPPET_CONTEXT = 60
MAX_HITS_SHOWN = 8


class TermHit(NamedTuple):
    """One occurrence of a rule's term; offsets index the (NFKC) text of the field."""

    term: str
    field: str
    start: int
    end: int
    snippet: str

    def describe(self) -> str:
        return f"matched `{self.term}` in {self.field}: {self.snippet}"


class RuleMatch:
    """A rule that matched an item, with its evidence; hits and snippets are built on first use."""

    __slots__ = ("_hits", "_shown", "_specs", "_state", "rule_id")

    def __init__(
        self,
        rule_id: str,
        hits: tuple[TermHit, ...] | None = None,
        *,
        state: ItemScan | None = None,
        specs: Sequence[TermSpec] = (),
        shown: Sequence[tuple[int, int]] = (),
    ) -> None:
        self.rule_id = rule_id
        self._hits = hits if hits is not None or state is not None else ()
        self._state = state
        self._specs = specs
        self._shown = shown

    @property
    def hits(self) -> tuple[TermHit, ...]:
        if self._hits is None and self._state is not None:
            self._hits = explain(self._state, self._specs, self._shown)
            self._state = None
        return self._hits or ()

    def explanation_json(self) -> str:
        """`{"hits": [{"term", "field", "start", "end", "snippet"}, …]}`, as stored with the match."""
        return '{"hits": [' + ", ".join(_hit_json(hit) for hit in self.hits) + "]}"

    def describe(self) -> str:
        return "; ".join(hit.describe() for hit in self.hits)

    def __repr__(self) -> str:
        return f"RuleMatch({self.rule_id!r}, {self.hits!r})"

    def __eq__(self, other: object) -> bool:
        return isinstance(other, RuleMatch) and (self.rule_id, self.hits) == (other.rule_id, other.hits)

    __hash__ = None  # type: ignore[assignment]


@lru_cache(maxsize=8192)
def _hit_json(hit: TermHit) -> str:
    """One hit as JSON; rules that share a term share the rendering."""
    quoted = encode_basestring
    return (f'{{"term": {quoted(hit.term)}, "field": {quoted(hit.field)}, "start": {hit.start}, '
            f'"end": {hit.end}, "snippet": {quoted(hit.snippet)}}}')


def snippet(text: str, start: int, end: int, context: int = SNIPPET_CONTEXT) -> str:
    """`…words before **the hit** words after…`, cut at word boundaries, whitespace collapsed."""
    before = text[max(0, start - context) : start]
    after = text[end : end + context]
    if start - context > 0 and " " in before:
        before = "…" + before[before.index(" ") + 1 :]
    if end + context < len(text) and " " in after:
        after = after[: after.rindex(" ")] + "…"
    return " ".join(f"{before}**{text[start:end]}**{after}".split())


def explain(
    state: ItemScan,
    specs: Sequence[TermSpec],
    shown: Sequence[tuple[int, int]],
    limit: int = MAX_HITS_SHOWN,
    per_term: int = 3,
) -> tuple[TermHit, ...]:
    """Hits of a rule's positive terms in their fields, in query order, a few per term, up to `limit`."""
    chosen: list[TermHit] = []
    for term_id, mask in shown:
        taken = 0
        for bit, start, end in state.hits.get(term_id, ()):
            if bit & mask and taken < per_term:
                chosen.append(_term_hit(state, specs, bit, start, end, term_id))
                taken += 1
        if len(chosen) >= limit:
            break
    return tuple(chosen[:limit])


def _term_hit(
    state: ItemScan, specs: Sequence[TermSpec], bit: int, start: int, end: int, term_id: int
) -> TermHit:
    """One explained hit, built once per item however many rules show it."""
    key = (bit, start, end, term_id)
    known = state.explained.get(key)
    if known is None:
        first, last = state.original_span(bit, start, end)
        text = state.texts[bit]
        known = TermHit(specs[term_id].display, FIELD_NAMES[bit], first, last, snippet(text, first, last))
        state.explained[key] = known
    return known
