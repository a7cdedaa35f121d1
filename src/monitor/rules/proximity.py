"""NEAR/n and ONEAR/n: two occurrences in the same field with at most n words between them."""

from __future__ import annotations

from monitor.rules.item_scan import Hit, ItemScan

MAX_SPANS = 256
"""Occurrences per side considered; beyond this a text repeats a term so often that proximity is moot."""


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
            if state.words_between(first[0], first[2], second[1], distance) <= distance:
                found.append((one[0], min(one[1], other[1]), max(one[2], other[2])))
    return found
