"""alerts/digests.toml: who gets which digest, on what schedule, in which time zone (see alerts/DIGESTS.md)."""

from __future__ import annotations

import re
import tomllib
from dataclasses import dataclass
from functools import cached_property
from pathlib import Path
from typing import Any, NoReturn
from zoneinfo import ZoneInfo, ZoneInfoNotFoundError

from monitor.digests.schedule import schedule_problem

DIGEST_ID = re.compile(r"^[a-z0-9][a-z0-9_-]{0,63}$")
ADDRESS = re.compile(r"^[^\s@<>(),;:\"\[\]\\]+@[^\s@<>(),;:\"\[\]\\]+\.[^\s@<>(),;:\"\[\]\\]+$")
DIGEST_KEYS = (
    "name", "channel", "recipients", "rules", "schedule", "timezone", "send_when_empty", "subject_prefix",
)
ALL_RULES = "*"


class DigestConfigError(ValueError):
    """A digest that cannot be used: names the file, the digest, the field, and a hint."""

    def __init__(self, file: Path | str, message: str, *, digest: str = "", field: str = "", hint: str = ""):
        super().__init__(message)
        self.file = str(file)
        self.digest = digest
        self.field = field
        self.message = message
        self.hint = hint

    def __str__(self) -> str:
        where = self.file + (f" [digests.{self.digest}]" if self.digest else "")
        field = f" {self.field}:" if self.field else ":"
        hint = f" (hint: {self.hint})" if self.hint else ""
        return f"{where}{field} {self.message}{hint}"


class DigestSetError(ValueError):
    """Loading digests.toml found problems; `problems` holds every one of them."""

    def __init__(self, problems: list[DigestConfigError]) -> None:
        super().__init__("\n".join(str(problem) for problem in problems))
        self.problems = problems


@dataclass(frozen=True)
class Digest:
    """One digest: a schedule in a time zone, an email channel, recipients and the rules it follows."""

    id: str
    name: str
    channel: str
    recipients: tuple[str, ...]
    schedule: str
    timezone: str
    rules: tuple[str, ...] = ()
    send_when_empty: bool = False
    subject_prefix: str = ""

    @cached_property
    def zone(self) -> ZoneInfo:
        return ZoneInfo(self.timezone)

    @property
    def follows_all_rules(self) -> bool:
        return ALL_RULES in self.rules


def load_digests(path: Path) -> dict[str, Digest]:
    """The digests of a file, by id in file order; raises DigestSetError listing every problem."""
    digests, problems = read_digests(path)
    if problems:
        raise DigestSetError(problems)
    return digests


def read_digests(path: Path) -> tuple[dict[str, Digest], list[DigestConfigError]]:
    """Every digest that is valid, and every problem found. A missing file means no digests."""
    if not path.exists():
        return {}, []
    try:
        data = tomllib.loads(path.read_text(encoding="utf-8"))
    except (tomllib.TOMLDecodeError, UnicodeDecodeError) as error:
        return {}, [DigestConfigError(path, f"not valid TOML: {error}", hint="check quotes and brackets")]
    unknown = [key for key in data if key != "digests"]
    problems = [
        DigestConfigError(path, f"unknown top-level key {key!r}", hint="write [digests.<id>] tables")
        for key in unknown
    ]
    tables = data.get("digests", {})
    if not isinstance(tables, dict):
        return {}, [*problems, DigestConfigError(path, "digests must be a table of [digests.<id>] tables")]
    digests: dict[str, Digest] = {}
    for digest_id, table in tables.items():
        try:
            digests[digest_id] = parse_digest(path, digest_id, table)
        except DigestConfigError as problem:
            problems.append(problem)
    return digests, problems


def parse_digest(path: Path, digest_id: str, table: Any) -> Digest:
    """One `[digests.<id>]` table, validated; raises DigestConfigError naming the field."""
    fail = _Failer(path, digest_id)
    if not DIGEST_ID.match(digest_id):
        fail("", f"id {digest_id!r} is not allowed", "lower-case letters, digits, - and _, at most 64")
    if not isinstance(table, dict):
        fail("", "must be a table", f"write [digests.{digest_id}] followed by name = …")
    for key in table:
        if key not in DIGEST_KEYS:
            fail(key, f"unknown field {key!r}", f"allowed: {', '.join(DIGEST_KEYS)}")
    timezone = _string(fail, table, "timezone", required=True)
    _check_zone(fail, timezone)
    schedule = " ".join(_string(fail, table, "schedule", required=True).split())
    problem = schedule_problem(schedule, timezone)
    if problem:
        fail("schedule", *problem)
    return Digest(
        id=digest_id,
        name=_string(fail, table, "name", required=True),
        channel=_string(fail, table, "channel", required=True),
        recipients=_recipients(fail, table),
        schedule=schedule,
        timezone=timezone,
        rules=_string_list(fail, table, "rules"),
        send_when_empty=_bool(fail, table, "send_when_empty"),
        subject_prefix=_string(fail, table, "subject_prefix") or "",
    )


class _Failer:
    def __init__(self, path: Path, digest_id: str) -> None:
        self.path = path
        self.digest_id = digest_id

    def __call__(self, field: str, message: str, hint: str = "") -> NoReturn:
        raise DigestConfigError(self.path, message, digest=self.digest_id, field=field, hint=hint)


def _string(fail: _Failer, table: dict[str, Any], key: str, *, required: bool = False) -> str:
    value = table.get(key)
    if value is None:
        if required:
            fail(key, f"missing required field {key!r}", f"add {key} = \"…\"")
        return ""
    if not isinstance(value, str) or (required and not value.strip()):
        fail(key, f"{key} must be a non-empty string")
    if any(char in value for char in "\r\n\x00"):
        fail(key, f"{key} must be one line")
    return value.strip()


def _string_list(fail: _Failer, table: dict[str, Any], key: str) -> tuple[str, ...]:
    value = table.get(key, [])
    if not isinstance(value, list) or not all(isinstance(entry, str) and entry.strip() for entry in value):
        fail(key, f"{key} must be a list of non-empty strings", 'write ["a", "b"]')
    return tuple(dict.fromkeys(entry.strip() for entry in value))


def _bool(fail: _Failer, table: dict[str, Any], key: str) -> bool:
    value = table.get(key, False)
    if not isinstance(value, bool):
        fail(key, f"{key} must be true or false, not {type(value).__name__}")
    return value


def _recipients(fail: _Failer, table: dict[str, Any]) -> tuple[str, ...]:
    if "recipients" not in table:
        fail("recipients", "missing required field 'recipients'", 'add recipients = ["name@example.org"]')
    recipients = _string_list(fail, table, "recipients")
    if not recipients:
        fail("recipients", "recipients must name at least one address")
    for address in recipients:
        if not ADDRESS.match(address):
            fail("recipients", f"{address!r} is not an email address", "write plain addresses: name@example.org")
    return recipients


def _check_zone(fail: _Failer, timezone: str) -> None:
    try:
        ZoneInfo(timezone)
    except (ZoneInfoNotFoundError, ValueError):
        fail("timezone", f"unknown time zone {timezone!r}", "use an IANA name such as Europe/Amsterdam or Asia/Seoul")
