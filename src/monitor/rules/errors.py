"""Errors of the rule language and of rule files: each says where (file, line, column, field) and a hint."""

from __future__ import annotations

from pathlib import Path


class RuleSyntaxError(ValueError):
    """A query that does not parse or compile; line and column count from 1 inside the file (or the query)."""

    def __init__(
        self,
        message: str,
        line: int,
        column: int,
        *,
        hint: str = "",
        file: Path | str | None = None,
        source_line: str = "",
    ) -> None:
        super().__init__(message)
        self.message = message
        self.line = line
        self.column = column
        self.hint = hint
        self.file = str(file) if file is not None else None
        self.source_line = source_line

    def located(
        self, file: Path | str | None, line_offset: int = 0, column_offset: int = 0, source_line: str = ""
    ) -> RuleSyntaxError:
        """The same error, moved from query coordinates to file coordinates."""
        return RuleSyntaxError(
            self.message,
            self.line + line_offset,
            self.column + (column_offset if self.line == 1 else 0),
            hint=self.hint,
            file=file,
            source_line=source_line or self.source_line,
        )

    def __str__(self) -> str:
        where = f"{self.file}:" if self.file else ""
        text = f"{where}{self.line}:{self.column}: {self.message}"
        return f"{text} (hint: {self.hint})" if self.hint else text


class RuleFileError(ValueError):
    """A rule or concept file that cannot be used: names the file, the line where known, and the field."""

    def __init__(
        self,
        file: Path | str,
        message: str,
        *,
        line: int | None = None,
        field: str = "",
        hint: str = "",
        column: int | None = None,
    ) -> None:
        super().__init__(message)
        self.file = str(file)
        self.message = message
        self.line = line
        self.column = column
        self.field = field
        self.hint = hint

    @classmethod
    def from_syntax(cls, error: RuleSyntaxError, field: str) -> RuleFileError:
        return cls(
            error.file or "<query>",
            error.message,
            line=error.line,
            column=error.column,
            field=field,
            hint=error.hint,
        )

    def __str__(self) -> str:
        where = self.file
        if self.line is not None:
            where += f":{self.line}"
            if self.column is not None:
                where += f":{self.column}"
        field = f" [{self.field}]" if self.field else ""
        hint = f" (hint: {self.hint})" if self.hint else ""
        return f"{where}{field}: {self.message}{hint}"


class RuleSetError(ValueError):
    """Loading the alerts folder found problems; `problems` holds every one of them."""

    def __init__(self, problems: list[RuleFileError]) -> None:
        super().__init__("\n".join(str(problem) for problem in problems))
        self.problems = problems
