"""The syntax tree of a query: small immutable nodes that know where they were written."""

from __future__ import annotations

from dataclasses import dataclass

TEXT_FIELDS = ("title", "summary", "body", "ministry")
META_FIELDS = ("source", "lang")
DEFAULT_FIELDS = ("title", "summary", "body")
SCOPES = (*TEXT_FIELDS, *META_FIELDS, "case")


@dataclass(frozen=True)
class Position:
    line: int
    column: int


@dataclass(frozen=True)
class Term:
    """A word or a quoted phrase; `prefix` for a trailing `*`, `case_sensitive` for the `case:` form."""

    text: str
    pos: Position
    prefix: bool = False
    quoted: bool = False
    case_sensitive: bool = False

    def display(self) -> str:
        body = f'"{self.text}"' if self.quoted else self.text
        if self.prefix:
            body = f'"{self.text}*"' if self.quoted else f"{self.text}*"
        return f"case:{body}" if self.case_sensitive else body


@dataclass(frozen=True)
class ConceptRef:
    name: str
    pos: Position


@dataclass(frozen=True)
class And:
    items: tuple[Node, ...]
    pos: Position


@dataclass(frozen=True)
class Or:
    items: tuple[Node, ...]
    pos: Position


@dataclass(frozen=True)
class Not:
    item: Node
    pos: Position


@dataclass(frozen=True)
class Near:
    """`left NEAR/n right` (either order) or `left ONEAR/n right` (left first): at most n words in between."""

    left: Node
    right: Node
    distance: int
    ordered: bool
    pos: Position


@dataclass(frozen=True)
class Scoped:
    """`field:item`: a text field (title, summary, body, ministry) or a metadata filter (source, lang)."""

    field: str
    item: Node
    pos: Position


Node = Term | ConceptRef | And | Or | Not | Near | Scoped
