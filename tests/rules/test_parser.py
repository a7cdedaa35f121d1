"""The query parser: precedence, implicit AND, scopes, and errors with line, column and hint."""

from __future__ import annotations

import pytest

from monitor.rules import RuleSyntaxError, parse_query
from monitor.rules.query_ast import And, ConceptRef, Near, Not, Or, Scoped, Term


def shape(node: object) -> object:
    """A compact form of a tree for comparisons."""
    if isinstance(node, Term):
        text = f'"{node.text}"' if node.quoted else node.text
        return ("case:" if node.case_sensitive else "") + text + ("*" if node.prefix else "")
    if isinstance(node, ConceptRef):
        return "@" + node.name
    if isinstance(node, And | Or):
        return (type(node).__name__, *map(shape, node.items))
    if isinstance(node, Not):
        return ("Not", shape(node.item))
    if isinstance(node, Near):
        return ("ONEAR" if node.ordered else "NEAR", node.distance, shape(node.left), shape(node.right))
    if isinstance(node, Scoped):
        return (node.field + ":", shape(node.item))
    raise AssertionError(node)


@pytest.mark.parametrize(
    ("query", "expected"),
    [
        ("a OR b AND c", ("Or", "a", ("And", "b", "c"))),
        ("a b OR c", ("Or", ("And", "a", "b"), "c")),
        ("NOT a AND b", ("And", ("Not", "a"), "b")),
        ("a AND NOT b OR c", ("Or", ("And", "a", ("Not", "b")), "c")),
        ("(a OR b) c", ("And", ("Or", "a", "b"), "c")),
        ("a NEAR/5 b AND c", ("And", ("NEAR", 5, "a", "b"), "c")),
        ("NOT a NEAR/3 b", ("Not", ("NEAR", 3, "a", "b"))),
        ("a ONEAR/2 b NEAR/4 c", ("NEAR", 4, ("ONEAR", 2, "a", "b"), "c")),
        (
            'title:"export controls" OR body:chip*',
            ("Or", ("title:", '"export controls"'), ("body:", "chip*")),
        ),
        ("title:(a OR b)", ("title:", ("Or", "a", "b"))),
        ("case:ASM @semiconductors", ("And", "case:ASM", "@semiconductors")),
        ('case:"SK hynix"', 'case:"SK hynix"'),
        ("lang:ko 반도체", ("And", ("lang:", "ko"), "반도체")),
        ("halfgeleider*", "halfgeleider*"),
        ('"export contr*"', '"export contr"*'),
        ("a\nAND\n  b", ("And", "a", "b")),
    ],
)
def test_precedence_and_shapes(query: str, expected: object) -> None:
    assert shape(parse_query(query)) == expected


@pytest.mark.parametrize(
    ("query", "line", "column", "fragment"),
    [
        ("a AND", 1, 3, "ends after 'AND'"),
        ("(a OR b", 1, 1, "never closed"),
        ("a OR b)", 1, 7, "unexpected ')'"),
        ("a\n  AND OR b", 2, 7, "found 'OR'"),
        ("a NEAR b", 1, 3, "NEAR needs a distance"),
        ('a "open', 1, 3, "phrase is never closed"),
        ("colour:red", 1, 1, "unknown field 'colour:'"),
        ("title: chip", 1, 1, "right after the colon"),
        ("*chip", 1, 1, "misplaced *"),
        ("chip and wafer", 1, 6, "not an operator"),
        ("-chips", 1, 1, "looks like an exclusion"),
        ("", 1, 1, "empty"),
        ("()", 1, 2, "empty parentheses"),
        ("case:(a OR b)", 1, 6, "case: must be followed"),
        ("@", 1, 1, "concept name"),
        ("a NEAR/5000 b", 1, 3, "too large"),
    ],
)
def test_errors_point_at_line_and_column(query: str, line: int, column: int, fragment: str) -> None:
    with pytest.raises(RuleSyntaxError) as caught:
        parse_query(query)
    error = caught.value
    assert (error.line, error.column) == (line, column), str(error)
    assert fragment in error.message
    assert error.hint, "every syntax error carries a hint"


def test_error_text_names_file_line_and_hint() -> None:
    error = RuleSyntaxError("unexpected ')'", 2, 5, hint="remove it").located("alerts/rules/x.toml", 3, 9)
    assert str(error) == "alerts/rules/x.toml:5:5: unexpected ')' (hint: remove it)"


def test_deep_nesting_is_an_error_not_a_crash() -> None:
    with pytest.raises(RuleSyntaxError, match="nests too deeply"):
        parse_query("(" * 500 + "a" + ")" * 500)
    with pytest.raises(RuleSyntaxError):
        parse_query("NOT " * 500 + "a")
