"""One alert rule per file in alerts/rules/*.toml: reading and validating it (see alerts/README.md)."""

from __future__ import annotations

import re
from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from monitor.rules.compiler import compile_query
from monitor.rules.errors import RuleFileError, RuleSyntaxError
from monitor.rules.parser import parse_query
from monitor.rules.query_ast import DEFAULT_FIELDS, TEXT_FIELDS, Node
from monitor.rules.terms import TermTable
from monitor.rules.tomlsource import TomlSource, read_toml, reject_unknown, require_type, string_list

RULE_ID = re.compile(r"^[a-z0-9][a-z0-9_-]{0,127}$")
RULE_KEYS = ("id", "name", "description", "query", "enabled", "filters", "deliver", "examples")
FILTER_KEYS = ("sources", "languages", "fields")
DELIVER_KEYS = ("instant", "digests", "feed")
EXAMPLE_KEYS = ("text", "title", "summary", "lang", "source", "ministry", "match", "note")


@dataclass(frozen=True)
class Delivery:
    """Where matches go: instant channels, digests and the feed (names are checked by the delivery layer)."""

    instant: tuple[str, ...] = ()
    digests: tuple[str, ...] = ()
    feed: bool = True


@dataclass(frozen=True)
class Example:
    """A text with the expected outcome; `rules check` and the tests run every one."""

    text: str
    match: bool
    title: str = ""
    summary: str = ""
    lang: str = ""
    source: str = "example"
    ministry: str = ""
    note: str = ""
    line: int | None = None


@dataclass(frozen=True)
class Rule:
    id: str
    name: str
    query: str
    tree: Node
    description: str = ""
    enabled: bool = True
    sources: tuple[str, ...] = ()
    languages: tuple[str, ...] = ()
    fields: tuple[str, ...] = DEFAULT_FIELDS
    deliver: Delivery = field(default_factory=Delivery)
    examples: tuple[Example, ...] = ()
    path: Path | None = None


def rule_from_query(query: str, concepts: Mapping[str, Sequence[Node]], rule_id: str = "query") -> Rule:
    """An unsaved rule made of one query (for `monitor rules test "…"`); raises RuleSyntaxError."""
    tree = parse_query(query)
    compile_query(tree, TermTable(), concepts)
    return Rule(rule_id, rule_id, query, tree)


def load_rule_file(path: Path, concepts: Mapping[str, Sequence[Node]]) -> Rule:
    """Read and validate one rule file; raises RuleFileError naming the file, line and field."""
    source = read_toml(path)
    data = source.data
    reject_unknown(source, data, RULE_KEYS, "the rule")
    rule_id = require_type(source, data, "id", str, required=True)
    if not RULE_ID.match(rule_id):
        raise RuleFileError(
            path,
            f"id {rule_id!r} is not allowed",
            line=source.key_line("id"),
            field="id",
            hint="lower-case letters, digits, - and _, at most 128 characters",
        )
    if rule_id != path.stem:
        raise RuleFileError(
            path,
            f"id {rule_id!r} differs from the file name",
            line=source.key_line("id"),
            field="id",
            hint=f"rename the file to {rule_id}.toml or change the id",
        )
    query = require_type(source, data, "query", str, required=True)
    tree = _query_tree(source, query, concepts, _fields(source, data))
    return Rule(
        id=rule_id,
        name=require_type(source, data, "name", str, required=True),
        query=query,
        tree=tree,
        description=require_type(source, data, "description", str) or "",
        enabled=require_type(source, data, "enabled", bool) is not False,
        sources=_filter_list(source, data, "sources"),
        languages=tuple(value.lower() for value in _filter_list(source, data, "languages")),
        fields=_fields(source, data),
        deliver=_delivery(source, data),
        examples=_examples(source, data),
        path=path,
    )


def _query_tree(
    source: TomlSource, query: str, concepts: Mapping[str, Sequence[Node]], fields: tuple[str, ...]
) -> Node:
    try:
        tree = parse_query(query)
        compile_query(tree, TermTable(), concepts, fields=fields)
    except RuleSyntaxError as error:
        raise source.syntax_error(error, "query") from None
    return tree


def _table(source: TomlSource, data: dict[str, Any], key: str, allowed: tuple[str, ...]) -> tuple[dict, int]:
    table = require_type(source, data, key, dict) or {}
    header = source.line_of(rf"^\s*\[{key}\]") or source.key_line(key) or 0
    reject_unknown(source, table, allowed, f"[{key}]", after=header)
    return table, header


def _filter_list(source: TomlSource, data: dict[str, Any], key: str) -> tuple[str, ...]:
    table, header = _table(source, data, "filters", FILTER_KEYS)
    return string_list(source, table, key, field=f"filters.{key}", after=header)


def _fields(source: TomlSource, data: dict[str, Any]) -> tuple[str, ...]:
    names = _filter_list(source, data, "fields") or DEFAULT_FIELDS
    for name in names:
        if name not in TEXT_FIELDS:
            _, header = _table(source, data, "filters", FILTER_KEYS)
            raise RuleFileError(
                source.path,
                f"unknown field {name!r}",
                line=source.key_line("fields", header),
                field="filters.fields",
                hint=f"choose from {', '.join(TEXT_FIELDS)}",
            )
    return names


def _delivery(source: TomlSource, data: dict[str, Any]) -> Delivery:
    table, header = _table(source, data, "deliver", DELIVER_KEYS)
    feed = require_type(source, table, "feed", bool, field="deliver.feed", after=header)
    return Delivery(
        instant=string_list(source, table, "instant", field="deliver.instant", after=header),
        digests=string_list(source, table, "digests", field="deliver.digests", after=header),
        feed=feed is not False,
    )


def _examples(source: TomlSource, data: dict[str, Any]) -> tuple[Example, ...]:
    entries = require_type(source, data, "examples", list) or []
    examples: list[Example] = []
    after = 0
    for index, entry in enumerate(entries):
        line = source.line_of(r"^\s*\[\[examples\]\]", after)
        after = line or after
        name = f"examples[{index}]"
        if not isinstance(entry, dict):
            raise RuleFileError(
                source.path,
                f"{name} must be a table",
                line=line,
                field=name,
                hint="write [[examples]] followed by text = … and match = true/false",
            )
        reject_unknown(source, entry, EXAMPLE_KEYS, name, after=after)
        values = {
            key: require_type(source, entry, key, str, field=f"{name}.{key}", after=after)
            for key in ("title", "summary", "lang", "source", "ministry", "note")
        }
        text = require_type(source, entry, "text", str, field=f"{name}.text", after=after)
        if not (text or values["title"] or values["summary"]):
            raise RuleFileError(
                source.path,
                f"{name} has no text",
                line=line,
                field=f"{name}.text",
                hint='add text = "…" (and optionally title, summary)',
            )
        match = require_type(source, entry, "match", bool, field=f"{name}.match", required=True, after=after)
        examples.append(
            Example(
                text=text or "",
                match=match,
                line=line,
                **{key: value for key, value in values.items() if value is not None},
            )
        )
    return tuple(examples)
