"""Recursive-descent parser of the query language.

Precedence, loosest first: OR, AND (also implicit between two operands), NOT, NEAR/ONEAR, field scopes.
`a b OR NOT c NEAR/5 d` therefore reads `(a AND b) OR (NOT (c NEAR/5 d))`.
"""

from __future__ import annotations

from monitor.rules.errors import RuleSyntaxError
from monitor.rules.lexer import Kind, Token, tokenize
from monitor.rules.query_ast import And, ConceptRef, Near, Node, Not, Or, Position, Scoped, Term

MAX_DEPTH = 64
_OPERAND_START = {Kind.TERM, Kind.PHRASE, Kind.CONCEPT, Kind.FIELD, Kind.LPAREN, Kind.NOT}


def parse_query(query: str) -> Node:
    """The syntax tree of `query`; raises RuleSyntaxError (line, column and hint relative to the query)."""
    return _Parser(list(tokenize(query))).parse()


def _describe(token: Token) -> str:
    if token.kind is Kind.END:
        return "the end of the query"
    if token.kind is Kind.NEAR:
        return f"'{token.text}/{token.distance}'"
    if token.kind is Kind.FIELD:
        return f"'{token.text}:'"
    return f"'{token.text}'"


class _Parser:
    def __init__(self, tokens: list[Token]) -> None:
        self.tokens = tokens
        self.index = 0
        self.depth = 0

    @property
    def current(self) -> Token:
        return self.tokens[self.index]

    def take(self) -> Token:
        token = self.tokens[self.index]
        if token.kind is not Kind.END:
            self.index += 1
        return token

    def error(self, token: Token, message: str, hint: str = "") -> RuleSyntaxError:
        return RuleSyntaxError(message, token.line, token.column, hint=hint)

    def parse(self) -> Node:
        if self.current.kind is Kind.END:
            raise self.error(
                self.current, "the query is empty", "write at least one term, e.g. halfgeleider*"
            )
        node = self.parse_or()
        token = self.current
        if token.kind is Kind.RPAREN:
            raise self.error(token, "unexpected ')'", "remove it or add the '(' it closes")
        if token.kind is not Kind.END:
            raise self.error(token, f"unexpected {_describe(token)}", "join terms with AND, OR or NEAR/n")
        return node

    def parse_or(self) -> Node:
        first = self.current
        items = [self.parse_and()]
        while self.current.kind is Kind.OR:
            self.take()
            items.append(self.parse_and())
        return items[0] if len(items) == 1 else Or(tuple(items), Position(first.line, first.column))

    def parse_and(self) -> Node:
        first = self.current
        items = [self.parse_not()]
        while True:
            if self.current.kind is Kind.AND:
                self.take()
            elif self.current.kind not in _OPERAND_START:
                break
            items.append(self.parse_not())
        return items[0] if len(items) == 1 else And(tuple(items), Position(first.line, first.column))

    def parse_not(self) -> Node:
        if self.current.kind is Kind.NOT:
            token = self.take()
            return Not(self.nested(self.parse_not), Position(token.line, token.column))
        return self.parse_near()

    def parse_near(self) -> Node:
        node = self.parse_primary()
        while self.current.kind is Kind.NEAR:
            token = self.take()
            right = self.parse_primary()
            node = Near(node, right, token.distance, token.ordered, Position(token.line, token.column))
        return node

    def nested(self, parse: object) -> Node:
        self.depth += 1
        if self.depth > MAX_DEPTH:
            raise self.error(self.current, "the query nests too deeply", f"use at most {MAX_DEPTH} levels")
        try:
            return parse()  # type: ignore[operator,no-any-return]
        finally:
            self.depth -= 1

    def parse_primary(self) -> Node:
        token = self.take()
        position = Position(token.line, token.column)
        if token.kind is Kind.TERM:
            return Term(token.text, position, prefix=token.prefix)
        if token.kind is Kind.PHRASE:
            return Term(token.text, position, prefix=token.prefix, quoted=True)
        if token.kind is Kind.CONCEPT:
            return ConceptRef(token.text, position)
        if token.kind is Kind.LPAREN:
            return self.parse_group(token)
        if token.kind is Kind.FIELD:
            return self.parse_scope(token, position)
        raise self.missing_operand(token)

    def parse_group(self, opening: Token) -> Node:
        if self.current.kind is Kind.RPAREN:
            raise self.error(self.current, "empty parentheses", "put terms inside or remove them")
        node = self.nested(self.parse_or)
        if self.current.kind is not Kind.RPAREN:
            if self.current.kind is Kind.END:
                raise self.error(opening, "this '(' is never closed", "add a ')' at the end of the group")
            raise self.error(
                self.current,
                f"unexpected {_describe(self.current)} inside parentheses",
                "join terms with AND, OR or NEAR/n",
            )
        self.take()
        return node

    def parse_scope(self, token: Token, position: Position) -> Node:
        if token.text == "case":
            inner = self.take()
            if inner.kind not in (Kind.TERM, Kind.PHRASE):
                raise self.error(
                    inner, "case: must be followed by a term or a phrase", 'write case:ASM or case:"SK hynix"'
                )
            return Term(
                inner.text,
                Position(inner.line, inner.column),
                prefix=inner.prefix,
                quoted=inner.kind is Kind.PHRASE,
                case_sensitive=True,
            )
        if self.current.kind in (Kind.NOT, Kind.AND, Kind.OR, Kind.NEAR):
            raise self.error(
                self.current,
                f"{token.text}: cannot be followed by {_describe(self.current)}",
                f"write {token.text}:(…) around the whole expression, or NOT {token.text}:term",
            )
        return Scoped(token.text, self.nested(self.parse_primary), position)

    def missing_operand(self, token: Token) -> RuleSyntaxError:
        if token.kind is Kind.END:
            previous = self.tokens[self.index - 1] if self.index else token
            return self.error(
                previous,
                f"the query ends after {_describe(previous)}",
                f"add a term after {_describe(previous)} or remove it",
            )
        if token.kind is Kind.RPAREN:
            return self.error(token, "unexpected ')'", "a term, phrase or @concept is missing before it")
        return self.error(
            token,
            f"expected a term, phrase, @concept or '(' but found {_describe(token)}",
            "two operators in a row? remove one",
        )
