"""Loading and validating `spiders/sources.toml`: one `[[sources]]` table per source.

Errors name the file, the source id and the field, so an analyst editing the file knows what to fix.
"""

from __future__ import annotations

import re
import tomllib
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any
from urllib.parse import urlsplit

from monitor.families import FAMILY_PARAMS

_ID_PATTERN = re.compile(r"^[a-z0-9][a-z0-9_-]{0,63}$")
_INTERVAL_PATTERN = re.compile(r"^(\d+)\s*(s|m|h|d)$")
_UNIT_SECONDS = {"s": 1, "m": 60, "h": 3600, "d": 86400}
_KNOWN_FIELDS = {"id", "family", "name", "urls", "language", "schedule", "enabled", "params", "subprocess"}
LANGUAGES = {"nl", "en", "ko", "mixed"}


class SourceConfigError(ValueError):
    """The sources file is malformed; the message says where and what to fix."""

    def __init__(self, path: Path | str, source_id: str | None, field_name: str | None, problem: str):
        where = str(path)
        if source_id:
            where += f": source {source_id!r}"
        if field_name:
            where += f": field {field_name!r}"
        super().__init__(f"{where}: {problem}")
        self.path, self.source_id, self.field_name, self.problem = str(path), source_id, field_name, problem


@dataclass(frozen=True)
class Schedule:
    """Either every `interval_seconds` or on a 5-field `cron` expression (UTC unless the source says)."""

    interval_seconds: int | None = None
    cron: str | None = None

    def describe(self) -> str:
        return f"every {self.interval_seconds}s" if self.interval_seconds else f"cron {self.cron}"


@dataclass(frozen=True)
class SourceDefinition:
    id: str
    family: str
    name: str
    urls: tuple[str, ...]
    language: str
    schedule: Schedule
    enabled: bool = True
    subprocess: bool = False
    params: dict[str, Any] = field(default_factory=dict)


def parse_schedule(text: str) -> Schedule:
    """`15m`, `1h`, `90s`, `1d`, or `cron: */15 * * * *`. Raises ValueError with a hint."""
    value = text.strip()
    if value.startswith("cron:"):
        expression = value[5:].strip()
        if len(expression.split()) != 5:
            raise ValueError(f"cron schedule {expression!r} must have 5 fields (minute hour day month weekday)")
        from apscheduler.triggers.cron import CronTrigger

        CronTrigger.from_crontab(expression)  # raises ValueError on a bad field
        return Schedule(cron=expression)
    match = _INTERVAL_PATTERN.match(value)
    if not match:
        raise ValueError(f"{text!r} is not a schedule; write e.g. '15m', '1h', '1d' or 'cron: 0 * * * *'")
    seconds = int(match.group(1)) * _UNIT_SECONDS[match.group(2)]
    if seconds < 1:
        raise ValueError("the interval must be at least one second")
    return Schedule(interval_seconds=seconds)


def _valid_url(url: Any) -> bool:
    if not isinstance(url, str):
        return False
    parts = urlsplit(url)
    return parts.scheme in {"http", "https"} and bool(parts.hostname)


def _validate_params(path: Path, source_id: str, family: str, raw: Any) -> dict[str, Any]:
    if not isinstance(raw, dict):
        raise SourceConfigError(path, source_id, "params", "must be a table")
    specs = FAMILY_PARAMS[family]
    params: dict[str, Any] = {}
    for name, value in raw.items():
        spec = specs.get(name)
        if spec is None:
            known = ", ".join(sorted(specs)) or "none"
            raise SourceConfigError(path, source_id, f"params.{name}",
                                    f"unknown parameter for family {family!r} (known: {known})")
        if not isinstance(value, spec.kind) or (spec.kind is int and isinstance(value, bool)):
            raise SourceConfigError(path, source_id, f"params.{name}",
                                    f"must be a {spec.kind.__name__}, got {type(value).__name__}")
        if spec.choices and value not in spec.choices:
            raise SourceConfigError(path, source_id, f"params.{name}",
                                    f"must be one of {', '.join(spec.choices)}")
        params[name] = value
    for name, spec in specs.items():
        if name not in params:
            if spec.choices:
                raise SourceConfigError(path, source_id, f"params.{name}",
                                        f"is required: one of {', '.join(spec.choices)}")
            params[name] = spec.default
    return params


def _parse_source(path: Path, index: int, raw: Any, seen: set[str]) -> SourceDefinition:
    if not isinstance(raw, dict):
        raise SourceConfigError(path, None, f"sources[{index}]", "must be a table")
    source_id = raw.get("id")
    if not isinstance(source_id, str) or not _ID_PATTERN.match(source_id):
        raise SourceConfigError(path, None, f"sources[{index}].id",
                                "must be lower-case letters, digits, '-' or '_' (at most 64)")
    if source_id in seen:
        raise SourceConfigError(path, source_id, "id", "is used by an earlier source")
    unknown = set(raw) - _KNOWN_FIELDS
    if unknown:
        raise SourceConfigError(path, source_id, sorted(unknown)[0],
                                f"unknown field (known: {', '.join(sorted(_KNOWN_FIELDS))})")
    family = raw.get("family")
    if family not in FAMILY_PARAMS:
        raise SourceConfigError(path, source_id, "family", f"must be one of {', '.join(FAMILY_PARAMS)}")
    urls = raw.get("urls")
    if not isinstance(urls, list) or not urls:
        raise SourceConfigError(path, source_id, "urls", "must be a non-empty list of http(s) URLs")
    for position, url in enumerate(urls):
        if not _valid_url(url):
            raise SourceConfigError(path, source_id, f"urls[{position}]", f"{url!r} is not an http(s) URL")
    language = raw.get("language", "mixed")
    if language not in LANGUAGES:
        raise SourceConfigError(path, source_id, "language", f"must be one of {', '.join(sorted(LANGUAGES))}")
    try:
        schedule = parse_schedule(str(raw.get("schedule", "30m")))
    except ValueError as error:
        raise SourceConfigError(path, source_id, "schedule", str(error)) from None
    for flag in ("enabled", "subprocess"):
        if flag in raw and not isinstance(raw[flag], bool):
            raise SourceConfigError(path, source_id, flag, "must be true or false")
    name = raw.get("name", source_id)
    if not isinstance(name, str):
        raise SourceConfigError(path, source_id, "name", "must be a string")
    return SourceDefinition(
        id=source_id,
        family=family,
        name=name,
        urls=tuple(urls),
        language=language,
        schedule=schedule,
        enabled=raw.get("enabled", True),
        subprocess=raw.get("subprocess", False),
        params=_validate_params(path, source_id, family, raw.get("params", {})),
    )


def parse_sources(text: str, path: Path | str = "<sources>") -> list[SourceDefinition]:
    path = Path(path)
    try:
        document = tomllib.loads(text)
    except tomllib.TOMLDecodeError as error:
        raise SourceConfigError(path, None, None, f"not valid TOML: {error}") from None
    raw_sources = document.get("sources")
    if not isinstance(raw_sources, list):
        raise SourceConfigError(path, None, "sources", "expected one or more [[sources]] tables")
    seen: set[str] = set()
    sources = []
    for index, raw in enumerate(raw_sources):
        source = _parse_source(path, index, raw, seen)
        seen.add(source.id)
        sources.append(source)
    return sources


def load_sources(path: Path) -> list[SourceDefinition]:
    try:
        text = path.read_text(encoding="utf-8")
    except OSError as error:
        raise SourceConfigError(path, None, None, f"cannot read: {error.strerror}") from None
    return parse_sources(text, path)


def select_sources(sources: list[SourceDefinition], ids: list[str] | None) -> list[SourceDefinition]:
    """The sources named by `ids` (any state), or every enabled source when `ids` is empty."""
    if not ids:
        return [source for source in sources if source.enabled]
    by_id = {source.id: source for source in sources}
    missing = [source_id for source_id in ids if source_id not in by_id]
    if missing:
        raise KeyError(f"unknown source(s): {', '.join(missing)}; `monitor sources` lists them")
    return [by_id[source_id] for source_id in ids]
