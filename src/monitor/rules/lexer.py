"""Tokens of the query language, each with the line and column where it starts."""

from __future__ import annotations

import re
from collections.abc import Iterator
from dataclasses import dataclass
from enum import Enum

from monitor.rules.errors import RuleSyntaxError
from monitor.rules.query_ast import SCOPES

MAX_DISTANCE = 1000
_SPECIAL = '()"'
_NEAR = re.compile(r"(O?NEAR)(?:/(\d+))?$")
_CONCEPT_NAME = re.compile(r"[A-Za-z0-9][A-Za-z0-9_-]*")


class Kind(Enum):
    TERM = "term"
    PHRASE = "phrase"
    CONCEPT = "@concept"
    FIELD = "field:"
    AND = "AND"
    OR = "OR"
    NOT = "NOT"
    NEAR = "NEAR/n"
    LPAREN = "("
    RPAREN = ")"
    END = "end of query"


@dataclass(frozen=True)
class Token:
    kind: Kind
    text: str
    line: int
    column: int
    distance: int = 0
    ordered: bool = False
    prefix: bool = False


class _Cursor:
    def __init__(self, query: str) -> None:
        self.query = query
        self.index = 0
        self.line = 1
        self.line_start = 0

    @property
    def column(self) -> int:
        return self.index - self.line_start + 1

    def error(
        self, message: str, hint: str = "", *, column: int | None = None, line: int | None = None
    ) -> RuleSyntaxError:
        return RuleSyntaxError(message, line or self.line, column or self.column, hint=hint)

    def advance(self, count: int = 1) -> None:
        for _ in range(count):
            if self.query[self.index] == "\n":
                self.line += 1
                self.line_start = self.index + 1
            self.index += 1


def tokenize(query: str) -> Iterator[Token]:
    """The tokens of `query`, ending with one END token; raises RuleSyntaxError with line and column."""
    cursor = _Cursor(query)
    while True:
        while cursor.index < len(query) and query[cursor.index].isspace():
            cursor.advance()
        if cursor.index >= len(query):
            yield Token(Kind.END, "", cursor.line, cursor.column)
            return
        char = query[cursor.index]
        if char in "()":
            yield Token(Kind.LPAREN if char == "(" else Kind.RPAREN, char, cursor.line, cursor.column)
            cursor.advance()
        elif char == '"':
            yield _phrase(cursor)
        elif char == "@":
            yield _concept(cursor)
        else:
            yield _word(cursor)


def _phrase(cursor: _Cursor) -> Token:
    line, column = cursor.line, cursor.column
    end = cursor.query.find('"', cursor.index + 1)
    if end < 0:
        raise cursor.error("this phrase is never closed", 'end the phrase with a second "')
    text = cursor.query[cursor.index + 1 : end]
    cursor.advance(end + 1 - cursor.index)
    prefix = text.rstrip().endswith("*")
    core = text.strip().removesuffix("*").strip()
    if "*" in core:
        raise cursor.error(
            "a * may only end the last word of a phrase", 'write "export contr*"', line=line, column=column
        )
    if not any(char.isalnum() for char in core):
        raise cursor.error(
            "this phrase has no letters or digits",
            "remove it or put words inside the quotes",
            line=line,
            column=column,
        )
    return Token(Kind.PHRASE, core, line, column, prefix=prefix)


def _concept(cursor: _Cursor) -> Token:
    line, column = cursor.line, cursor.column
    match = _CONCEPT_NAME.match(cursor.query, cursor.index + 1)
    if not match:
        raise cursor.error(
            "@ must be followed by a concept name", "write @semiconductors (see alerts/concepts/)"
        )
    cursor.advance(match.end() - cursor.index)
    return Token(Kind.CONCEPT, match.group(), line, column)


def _read_word(cursor: _Cursor) -> str:
    start = cursor.index
    query = cursor.query
    end = start
    while end < len(query) and not query[end].isspace() and query[end] not in _SPECIAL and query[end] != ":":
        end += 1
    if end < len(query) and query[end] == ":":
        end += 1
    return query[start:end]


def _word(cursor: _Cursor) -> Token:
    line, column = cursor.line, cursor.column
    word = _read_word(cursor)
    cursor.advance(len(word))
    if word.endswith(":"):
        return _field(cursor, word, line, column)
    if word in ("AND", "OR", "NOT"):
        return Token(Kind[word], word, line, column)
    near = _NEAR.match(word)
    if near:
        return _near(cursor, near, line, column)
    return _term(cursor, word, line, column)


def _field(cursor: _Cursor, word: str, line: int, column: int) -> Token:
    name = word[:-1].lower()
    if name not in SCOPES:
        raise cursor.error(
            f"unknown field {word!r}",
            f'fields are {", ".join(s + ":" for s in SCOPES)}; put a term with a colon in quotes ("12:30")',
            line=line,
            column=column,
        )
    if cursor.index >= len(cursor.query) or cursor.query[cursor.index].isspace():
        raise cursor.error(
            f"{word} needs something right after the colon",
            f"write {word}chip or {word}(a OR b)",
            line=line,
            column=column,
        )
    return Token(Kind.FIELD, name, line, column)


def _near(cursor: _Cursor, near: re.Match[str], line: int, column: int) -> Token:
    operator, number = near.group(1), near.group(2)
    if number is None:
        raise cursor.error(
            f"{operator} needs a distance in words", f"write {operator}/5", line=line, column=column
        )
    distance = int(number)
    if distance > MAX_DISTANCE:
        raise cursor.error(
            f"{operator} distance {distance} is too large",
            f"use at most {MAX_DISTANCE} words",
            line=line,
            column=column,
        )
    return Token(Kind.NEAR, operator, line, column, distance=distance, ordered=operator == "ONEAR")


def _term(cursor: _Cursor, word: str, line: int, column: int) -> Token:
    prefix = word.endswith("*")
    core = word.removesuffix("*")
    if "*" in core:
        hint = (
            "suffix wildcards are not supported; Hangul terms already match inside words"
            if core.startswith("*")
            else "a * may only end a term: halfgeleider*"
        )
        raise cursor.error(f"misplaced * in {word!r}", hint, line=line, column=column)
    if core.startswith("-") and len(core) > 1:
        raise cursor.error(
            f"{word!r} looks like an exclusion", f"write NOT {core[1:]}", line=line, column=column
        )
    if core.upper() in ("AND", "OR", "NOT"):
        raise cursor.error(
            f"{word!r} is not an operator",
            f'operators are upper case ({core.upper()}); to search the word itself, quote it: "{core}"',
            line=line,
            column=column,
        )
    if not any(char.isalnum() for char in core):
        raise cursor.error(
            f"{word!r} has no letters or digits", "remove it or quote a real word", line=line, column=column
        )
    return Token(Kind.TERM, core, line, column, prefix=prefix)
