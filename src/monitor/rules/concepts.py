"""Concepts: named, reusable multilingual term groups in alerts/concepts/*.toml, referenced as @name.

A file holds one or more tables; each table is a concept with a description and term lists per language:

    [semiconductors]
    description = "Chips and the chip industry"
    nl = ["halfgeleider*", "chipindustrie"]
    en = ["semiconductor*", "chipmaker*"]
    ko = ["반도체"]

Every entry is one term, "phrase", case:TERM or @other_concept of the query language; an entry with spaces
and no quotes is a phrase (`"수출 통제"` and `수출 통제` are the same entry).
"""

from __future__ import annotations

import re
from collections.abc import Iterable
from dataclasses import dataclass
from pathlib import Path

from monitor.rules.errors import RuleFileError, RuleSyntaxError
from monitor.rules.parser import parse_query
from monitor.rules.query_ast import ConceptRef, Node, Term
from monitor.rules.tomlsource import TomlSource, read_toml, require_type, string_list

_NAME = re.compile(r"^[a-z0-9][a-z0-9_-]*$")
_LANGUAGE = re.compile(r"^[a-z]{2,3}$")


@dataclass(frozen=True)
class Concept:
    name: str
    description: str
    terms: dict[str, tuple[str, ...]]
    entries: tuple[Node, ...]
    path: Path


def load_concepts(folder: Path) -> tuple[dict[str, Concept], list[RuleFileError]]:
    """Every concept under `folder` and the problems found; a broken concept is left out, not fatal here."""
    concepts: dict[str, Concept] = {}
    problems: list[RuleFileError] = []
    for path in sorted(folder.glob("*.toml")) if folder.is_dir() else []:
        try:
            source = read_toml(path)
            for concept in _file_concepts(source):
                if concept.name in concepts:
                    raise RuleFileError(
                        path,
                        f"concept @{concept.name} is also defined in {concepts[concept.name].path.name}",
                        field=concept.name,
                        line=source.line_of(rf"^\s*\[{re.escape(concept.name)}\]"),
                    )
                concepts[concept.name] = concept
        except RuleFileError as problem:
            problems.append(problem)
    problems.extend(_cycles(concepts))
    return concepts, problems


def _file_concepts(source: TomlSource) -> Iterable[Concept]:
    for name, table in source.data.items():
        header = source.line_of(rf"^\s*\[{re.escape(name)}\]") or 0
        if not isinstance(table, dict):
            raise RuleFileError(
                source.path,
                f"{name!r} is not a concept table",
                line=source.key_line(name),
                field=name,
                hint=f"write [{name}] on its own line, then description and nl/en/ko",
            )
        if not _NAME.match(name):
            raise RuleFileError(
                source.path,
                f"concept name {name!r} is not allowed",
                line=header,
                field=name,
                hint="use lower-case letters, digits, - and _",
            )
        description = (
            require_type(source, table, "description", str, field=f"{name}.description", after=header) or ""
        )
        terms: dict[str, tuple[str, ...]] = {}
        entries: list[Node] = []
        for key in table:
            if key == "description":
                continue
            if not _LANGUAGE.match(key):
                raise RuleFileError(
                    source.path,
                    f"unknown field {key!r} in concept {name}",
                    field=f"{name}.{key}",
                    line=source.key_line(key, header),
                    hint="use description and language codes (nl, en, ko) with lists of terms",
                )
            terms[key] = string_list(source, table, key, field=f"{name}.{key}", after=header)
            entries.extend(
                _entry(source, name, key, index, text, header) for index, text in enumerate(terms[key])
            )
        yield Concept(name, description, terms, tuple(entries), source.path)


def _entry(source: TomlSource, name: str, language: str, index: int, text: str, header: int) -> Node:
    field = f"{name}.{language}[{index}]"
    line = source.line_of(re.escape(_quoted_fragment(text)), header) or source.key_line(language, header)
    try:
        node = parse_query(_as_phrase(text))
    except RuleSyntaxError as error:
        raise RuleFileError(
            source.path, f"{error.message} in {text!r}", line=line, field=field, hint=error.hint
        ) from None
    if not isinstance(node, Term | ConceptRef):
        raise RuleFileError(
            source.path,
            f"{text!r} is not a single term",
            line=line,
            field=field,
            hint='an entry is one term, "phrase", case:TERM or @concept; '
            "make several entries instead of AND/OR",
        )
    return node


def _as_phrase(text: str) -> str:
    """Entries with spaces are phrases unless they use quotes, @, case:, parentheses or operators."""
    words = text.split()
    operators = any(word in ("AND", "OR", "NOT") or word.startswith(("NEAR/", "ONEAR/")) for word in words)
    special = text.startswith(("@", "case:")) or any(char in text for char in '"()')
    return f'"{text}"' if len(words) > 1 and not operators and not special else text


def _quoted_fragment(text: str) -> str:
    return text.replace('"', '\\"')


def _cycles(concepts: dict[str, Concept]) -> list[RuleFileError]:
    problems: list[RuleFileError] = []
    for concept in concepts.values():
        path = _cycle_from(concept.name, concepts, [])
        if path:
            problems.append(
                RuleFileError(
                    concept.path,
                    "concepts refer to each other in a circle",
                    field=concept.name,
                    hint=" → ".join("@" + step for step in path),
                )
            )
    return problems


def _cycle_from(name: str, concepts: dict[str, Concept], trail: list[str]) -> list[str] | None:
    if name in trail:
        return [*trail, name] if trail[0] == name else None
    concept = concepts.get(name)
    if concept is None:
        return None
    for entry in concept.entries:
        if isinstance(entry, ConceptRef):
            found = _cycle_from(entry.name, concepts, [*trail, name])
            if found:
                return found
    return None
