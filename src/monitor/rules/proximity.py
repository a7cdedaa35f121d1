"""NEAR/n and ONEAR/n: two occurrences in the same field with at most n words between them."""

from __future__ import annotations

from monitor.rules.item_scan import Hit, ItemScan

MAX_SPANS = 256
"""Occurrences per side considered; beyond this a text repeats a term so often that proximity is moot."""


def words_between(state: ItemScan, first: Hit, second: Hit) -> int:
    """Words strictly between two occurrences of one field (0 when adjacent, overlapping or in one word)."""
    bit = first[0]
    gap = state.word_index(bit, second[1]) - state.word_index(bit, first[2] - 1) - 1
    return max(gap, 0)


def near_spans(state: ItemScan, left: list[Hit], right: list[Hit], distance: int, ordered: bool) -> list[Hit]:
    """The spans covering each left/right pair close enough; `ordered` requires the left one first."""
    found: list[Hit] = []
    for one in left[:MAX_SPANS]:
        for other in right[:MAX_SPANS]:
            if one[0] != other[0] or one == other:
                continue
            if one[1] <= other[1]:
                first, second = one, other
            elif ordered:
                continue
            else:
                first, second = other, one
            if words_between(state, first, second) <= distance:
                found.append((one[0], min(one[1], other[1]), max(one[2], other[2])))
    return found
