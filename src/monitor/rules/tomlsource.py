"""Reading the analyst's TOML files while keeping enough of the raw text to point at lines in errors."""

from __future__ import annotations

import re
import tomllib
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from monitor.rules.errors import RuleFileError, RuleSyntaxError

_DECODE_POSITION = re.compile(r"\(at line (\d+), column (\d+)\)")


@dataclass(frozen=True)
class TomlSource:
    path: Path
    data: dict[str, Any]
    lines: tuple[str, ...]

    def line_of(self, pattern: str, after: int = 0) -> int | None:
        """The first line (from 1) after line `after` whose text matches the regex `pattern`."""
        compiled = re.compile(pattern)
        for number, line in enumerate(self.lines[after:], start=after + 1):
            if compiled.search(line):
                return number
        return None

    def key_line(self, key: str, after: int = 0) -> int | None:
        return self.line_of(rf"^\s*{re.escape(key)}\s*=", after)

    def string_origin(self, key: str, after: int = 0) -> tuple[int, int]:
        """Line and column offsets of a string value: where query line 1, column 1 sits in the file."""
        line = self.key_line(key, after)
        if line is None:
            return 0, 0
        text = self.lines[line - 1]
        match = re.search(r'=\s*("""|\'\'\'|"|\')', text)
        if not match:
            return line - 1, 0
        quote_end = match.end()
        if match.group(1) in ('"""', "'''") and not text[quote_end:].strip():
            return line, 0  # a multi-line string starts on the next line
        return line - 1, quote_end

    def syntax_error(self, error: RuleSyntaxError, key: str, after: int = 0) -> RuleFileError:
        """A query error moved into file coordinates."""
        line_offset, column_offset = self.string_origin(key, after)
        moved = error.located(self.path, line_offset, column_offset)
        return RuleFileError(
            self.path, error.message, line=moved.line, column=moved.column, field=key, hint=error.hint
        )


def read_toml(path: Path) -> TomlSource:
    """Parse one file; a syntax error becomes a RuleFileError with the line and column TOML reports."""
    raw = path.read_text(encoding="utf-8")
    try:
        data = tomllib.loads(raw)
    except tomllib.TOMLDecodeError as error:
        found = _DECODE_POSITION.search(str(error))
        line, column = (int(found.group(1)), int(found.group(2))) if found else (None, None)
        message = _DECODE_POSITION.sub("", str(error)).strip()
        raise RuleFileError(
            path,
            f"not valid TOML: {message}",
            line=line,
            column=column,
            hint="check quotes, brackets and commas on that line",
        ) from None
    return TomlSource(path, data, tuple(raw.splitlines()))


def require_type(
    source: TomlSource,
    table: dict[str, Any],
    key: str,
    kind: type | tuple[type, ...],
    *,
    field: str | None = None,
    required: bool = False,
    after: int = 0,
) -> Any:
    """The value of `key` if it has the right type; raises RuleFileError naming the field and its line."""
    name = field or key
    if key not in table:
        if required:
            raise RuleFileError(
                source.path, f"missing required field {name!r}", field=name, hint=f"add {key} = … to the file"
            )
        return None
    value = table[key]
    if not isinstance(value, kind) or (kind is int and isinstance(value, bool)):
        expected = kind.__name__ if isinstance(kind, type) else " or ".join(k.__name__ for k in kind)
        raise RuleFileError(
            source.path,
            f"{name} must be a {expected}, not {type(value).__name__}",
            line=source.key_line(key, after),
            field=name,
        )
    return value


def string_list(
    source: TomlSource, table: dict[str, Any], key: str, *, field: str, after: int = 0
) -> tuple[str, ...]:
    value = require_type(source, table, key, list, field=field, after=after) or []
    if not all(isinstance(entry, str) and entry.strip() for entry in value):
        raise RuleFileError(
            source.path,
            f"{field} must be a list of non-empty strings",
            line=source.key_line(key, after),
            field=field,
            hint='write ["a", "b"]',
        )
    return tuple(entry.strip() for entry in value)


def reject_unknown(
    source: TomlSource, table: dict[str, Any], allowed: tuple[str, ...], where: str, after: int = 0
) -> None:
    for key in table:
        if key not in allowed:
            raise RuleFileError(
                source.path,
                f"unknown field {key!r} in {where}",
                line=source.key_line(key, after),
                field=key,
                hint=f"allowed: {', '.join(allowed)}",
            )
