"""Terms as the matcher sees them: the folded form of a word or phrase, shared by every rule that uses it."""

from __future__ import annotations

from dataclasses import dataclass, field

from monitor.rules.errors import RuleSyntaxError
from monitor.rules.query_ast import Term
from monitor.rules.textfold import case_view, fold_view, is_hangul, nfkc


@dataclass(frozen=True)
class TermSpec:
    """One distinct term: its match-view form, whether it is a prefix, and its exact form for `case:`."""

    view: str
    prefix: bool
    case_form: str | None
    display: str = field(compare=False)

    @property
    def starts_latin(self) -> bool:
        """Latin (non-Hangul) terms start on a word boundary; Hangul terms match inside words."""
        return not is_hangul(self.view[0])

    @property
    def ends_latin(self) -> bool:
        return not is_hangul(self.view[-1])

    @property
    def single_syllable(self) -> bool:
        """One Hangul syllable: guarded against matching inside unrelated words (칩 in 칩거)."""
        return len(self.view) == 1 and is_hangul(self.view)


def term_spec(term: Term) -> TermSpec:
    """The spec of a parsed term; raises RuleSyntaxError when nothing matchable is left after folding."""
    normal = nfkc(term.text)
    view = " ".join(fold_view(normal).split())
    if not view:
        raise RuleSyntaxError(
            f"{term.display()!r} has no letters or digits to match",
            term.pos.line,
            term.pos.column,
            hint="remove it or write a real word",
        )
    case_form = " ".join(case_view(normal).split()) if term.case_sensitive else None
    prefix = term.prefix and not is_hangul(view[-1])
    return TermSpec(view, prefix, case_form, term.display())


class TermTable:
    """Interns term specs across all rules so every distinct term goes into the automaton once."""

    def __init__(self) -> None:
        self.specs: list[TermSpec] = []
        self._ids: dict[TermSpec, int] = {}

    def intern(self, spec: TermSpec) -> int:
        known = self._ids.get(spec)
        if known is not None:
            return known
        self._ids[spec] = len(self.specs)
        self.specs.append(spec)
        return len(self.specs) - 1
