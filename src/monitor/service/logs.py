"""Structured logs for `monitor serve`: one line per event, as `key=value` pairs or as one JSON object.

Service code logs with `event(logger, "crawl.done", source=…, status=…)`; lines from libraries (Scrapy,
APScheduler, uvicorn) keep their message as `msg=`. Secrets never reach these calls (channel configs hide them).
"""

from __future__ import annotations

import json
import logging
import sys
from datetime import UTC, datetime
from typing import Any

QUIET_LOGGERS = ("scrapy", "twisted", "trafilatura", "htmldate", "filelock", "alembic", "asyncio", "apscheduler",
                 "uvicorn.access", "httpx", "httpcore")
_FIELDS = "monitor_fields"


def event(logger: logging.Logger, name: str, level: int = logging.INFO, *, exc_info: bool = False,
          **fields: Any) -> None:
    """Log the event `name` with its fields (None values are left out); `exc_info` adds the current traceback."""
    if logger.isEnabledFor(level):
        logger.log(level, name, exc_info=exc_info,
                   extra={_FIELDS: {key: value for key, value in fields.items() if value is not None}})


def _value(value: Any) -> str:
    text = value.isoformat() if isinstance(value, datetime) else str(value)
    if text == "" or any(character in text for character in ' "=\n\t'):
        return json.dumps(text, ensure_ascii=False)
    return text


class KeyValueFormatter(logging.Formatter):
    def format(self, record: logging.LogRecord) -> str:
        fields: dict[str, Any] = getattr(record, _FIELDS, None) or {}
        stamp = datetime.fromtimestamp(record.created, UTC).isoformat(timespec="milliseconds")
        parts = [f"ts={stamp}", f"level={record.levelname.lower()}", f"logger={record.name}"]
        if fields or record.name.startswith("monitor"):
            parts.append(f"event={_value(record.getMessage())}")
        else:
            parts.append(f"msg={_value(record.getMessage())}")
        parts.extend(f"{key}={_value(value)}" for key, value in fields.items())
        if record.exc_info:
            parts.append(f"error={_value(self.formatException(record.exc_info))}")
        return " ".join(parts)


class JsonFormatter(logging.Formatter):
    def format(self, record: logging.LogRecord) -> str:
        fields: dict[str, Any] = getattr(record, _FIELDS, None) or {}
        data: dict[str, Any] = {"ts": datetime.fromtimestamp(record.created, UTC).isoformat(timespec="milliseconds"),
                                "level": record.levelname.lower(), "logger": record.name,
                                "event" if fields else "msg": record.getMessage()}
        data.update({key: value if isinstance(value, int | float | bool) else str(value)
                     for key, value in fields.items()})
        if record.exc_info:
            data["error"] = self.formatException(record.exc_info)
        return json.dumps(data, ensure_ascii=False)


def configure_service_logging(level: str = "INFO", log_format: str = "text", verbose: bool = False) -> None:
    """Route every logger to stderr in the chosen format; library chatter only with --verbose."""
    handler = logging.StreamHandler(sys.stderr)
    handler.setFormatter(JsonFormatter() if log_format == "json" else KeyValueFormatter())
    root = logging.getLogger()
    root.handlers[:] = [handler]
    root.setLevel(level)
    for name in QUIET_LOGGERS:
        logging.getLogger(name).setLevel(logging.DEBUG if verbose else logging.ERROR)
