"""One item as the matcher sees it: its fields, their match views, the term hits, and lazy word positions."""

from __future__ import annotations

from typing import Any, NamedTuple

from monitor.rules.textfold import case_view, fold_view, nfkc, offset_map

FIELD_BITS = {"title": 1, "summary": 2, "body": 4, "ministry": 8}
FIELD_NAMES = {bit: name for name, bit in FIELD_BITS.items()}

Hit = tuple[int, int, int]
"""(field bit, start, end) of one term occurrence, offsets in the field's match view."""


class MatchItem(NamedTuple):
    """The fields of an item that rules look at; `source_id` and `language` feed source: and lang:."""

    title: str = ""
    summary: str = ""
    body: str = ""
    ministry: str = ""
    source_id: str = ""
    language: str = ""


class ItemScan:
    """The state the rule predicates read: which terms hit in which fields (`tf`), and where (`hits`)."""

    __slots__ = ("_maps", "explained", "hits", "language", "source_id", "texts", "tf", "views")

    def __init__(self, item: MatchItem) -> None:
        self.texts: dict[int, str] = {}
        self.views: dict[int, str] = {}
        for name, bit in FIELD_BITS.items():
            text = getattr(item, name)
            if text:
                normal = nfkc(text)
                self.texts[bit] = normal
                self.views[bit] = fold_view(normal)
        self.source_id = item.source_id.lower()
        self.language = item.language.lower()
        self.hits: dict[int, list[Hit]] = {}
        self.tf: dict[int, int] = {}
        self._maps: dict[int, list[int] | None] = {}
        self.explained: dict[tuple[int, int, int, int], Any] = {}

    def words_between(self, bit: int, first_end: int, second_start: int, limit: int) -> int:
        """Whole words of a field between two view offsets; `limit + 1` once there are more than `limit`.

        The rest of a word a hit ends inside (a Hangul particle: 반도체**를**) is not a word of its own.
        """
        if second_start <= first_end:
            return 0
        gap = self.views[bit][first_end:second_start]
        parts = gap.split(None, limit + 2)
        if len(parts) > limit + 2:
            return limit + 1
        count = len(parts) - (gap[0] != " ") - (gap[-1] != " ")
        return max(count, 0)

    def original_span(self, bit: int, start: int, end: int) -> tuple[int, int]:
        """View offsets of a field mapped back to offsets in its (NFKC) text."""
        if bit not in self._maps:
            self._maps[bit] = offset_map(self.texts[bit], self.views[bit])
        positions = self._maps[bit]
        if positions is None:
            return start, end
        return positions[start], positions[end - 1] + 1 if end > start else positions[start]

    def exact_form_is(self, bit: int, start: int, end: int, case_form: str) -> bool:
        """Whether the original spelling at a hit is exactly `case_form` (case and accents included)."""
        first, last = self.original_span(bit, start, end)
        return " ".join(case_view(self.texts[bit][first:last]).split()) == case_form
