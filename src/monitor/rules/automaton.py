"""All terms of all rules in one Aho-Corasick automaton, run once per item field.

Latin terms are stored with a leading space and the view turns every non-word character into a space, so
a hit already starts on a word boundary; the end boundary is checked per hit (a Hangul letter after a Latin
word is a boundary: `ASML의`). Hangul terms are stored without boundaries (they match inside words, before
particles) and in every spacing of their compounds (`수출통제` / `수출 통제`).
"""

from __future__ import annotations

from collections.abc import Iterable, Sequence
from itertools import combinations

import ahocorasick

from monitor.rules.item_scan import ItemScan, MatchItem
from monitor.rules.terms import TermSpec
from monitor.rules.textfold import is_hangul

CHECK_END = 1
CHECK_SYLLABLE = 2
CHECK_CASE = 4
MAX_SPACING_JOINTS = 7

# Particles that may follow a one-syllable Hangul term (칩을, 칩의); anything else makes it another word.
_PARTICLE_LIST = (
    "이 가 을 를 은 는 의 에 에서 에게 께 께서 로 으로 와 과 도 만 까지 부터 보다 처럼 이나 나 랑 이랑 "
    "과의 와의 에는 에도 으로는 로는 에서는 에서도 이다 이며 이고 입니다 이라 라는 이라는 "
    "들 들이 들을 들의 들은 들과 들도"
)
PARTICLES = frozenset(_PARTICLE_LIST.split())

Entry = tuple[int, int, int]
"""(term id, length of the term in the view, checks to run on a hit)."""


def spacing_variants(view: str) -> set[str]:
    """The ways a Hangul compound may be spaced: joints between syllables with or without one space.

    Only splits that leave pieces of two or more syllables are generated (`반도체` never becomes `반 도체`),
    plus the spelling the analyst wrote.
    """
    compact_chars: list[str] = []
    joints: list[int] = []
    for index, char in enumerate(view):
        if (
            char == " "
            and 0 < index < len(view) - 1
            and is_hangul(view[index - 1])
            and is_hangul(view[index + 1])
        ):
            continue
        if compact_chars and is_hangul(char) and is_hangul(compact_chars[-1]):
            joints.append(len(compact_chars))
        compact_chars.append(char)
    compact = "".join(compact_chars)
    variants = {view, compact}
    if not joints or len(joints) > MAX_SPACING_JOINTS:
        return variants
    for size in range(1, len(joints) + 1):
        for chosen in combinations(joints, size):
            spaced = _insert_spaces(compact, chosen)
            if all(len(piece) >= 2 for piece in spaced.split(" ") if piece and is_hangul(piece[-1])):
                variants.add(spaced)
    return variants


def _insert_spaces(text: str, positions: Iterable[int]) -> str:
    pieces: list[str] = []
    previous = 0
    for position in positions:
        pieces.append(text[previous:position])
        previous = position
    pieces.append(text[previous:])
    return " ".join(pieces)


def _checks(spec: TermSpec) -> int:
    checks = CHECK_END if spec.ends_latin and not spec.prefix else 0
    if spec.single_syllable:
        checks |= CHECK_SYLLABLE
    if spec.case_form is not None:
        checks |= CHECK_CASE
    return checks


class TermAutomaton:
    """The compiled automaton over a list of term specs (index = term id)."""

    def __init__(self, specs: Sequence[TermSpec]) -> None:
        self.specs = list(specs)
        patterns: dict[str, list[Entry]] = {}
        for term_id, spec in enumerate(self.specs):
            checks = _checks(spec)
            for variant in spacing_variants(spec.view):
                pattern = " " + variant if spec.starts_latin else variant
                patterns.setdefault(pattern, []).append((term_id, len(variant), checks))
        self._automaton = ahocorasick.Automaton()
        for pattern, entries in patterns.items():
            self._automaton.add_word(pattern, tuple(entries))
        self.empty = not patterns
        if not self.empty:
            self._automaton.make_automaton()

    def scan(self, item: MatchItem) -> ItemScan:
        """Every valid hit of every term in every field of `item`."""
        state = ItemScan(item)
        if self.empty:
            return state
        for bit, view in state.views.items():
            self._scan_field(state, bit, " " + view + " ")
        return state

    def _scan_field(self, state: ItemScan, bit: int, padded: str) -> None:
        hits = state.hits
        found = state.tf
        specs = self.specs
        for end, entries in self._automaton.iter(padded):
            for term_id, length, checks in entries:
                if checks:
                    if checks & CHECK_END:
                        after = padded[end + 1]
                        if after != " " and not ("가" <= after <= "힣"):
                            continue
                    if checks & CHECK_SYLLABLE and not _syllable_stands_alone(padded, end):
                        continue
                    case_form = specs[term_id].case_form
                    if case_form is not None and not state.exact_form_is(bit, end - length, end, case_form):
                        continue
                found[term_id] = found.get(term_id, 0) | bit
                term_hits = hits.get(term_id)
                if term_hits is None:
                    hits[term_id] = [(bit, end - length, end)]
                else:
                    term_hits.append((bit, end - length, end))


def _syllable_stands_alone(padded: str, end: int) -> bool:
    """A one-syllable Hangul hit counts only as a word of its own, optionally followed by a particle."""
    before = padded[end - 1]
    if "가" <= before <= "힣":
        return False
    word_end = padded.find(" ", end + 1)
    rest = padded[end + 1 : word_end]
    return not rest or rest in PARTICLES
