"""Feed tokens never reach a log: a filter that rewrites `/feeds/<token>/` to `/feeds/[token]/`.

`install_log_redaction()` puts the filter on uvicorn's loggers (records are rewritten where they are made,
before any handler sees them); `uvicorn_log_config()` is uvicorn's own logging config with the same filter,
for `uvicorn.Config(log_config=...)`, which would otherwise be applied after the app is created.
"""

from __future__ import annotations

import copy
import logging
import re
from typing import Any

from uvicorn.config import LOGGING_CONFIG

TOKEN_IN_PATH = re.compile(r"(/feeds/)[^/\s?#\"']+")
REDACTED = r"\1[token]"
REDACTED_LOGGERS = ("uvicorn.access", "uvicorn.error", "uvicorn", "starlette", "monitor.web")


def redact(text: str) -> str:
    return TOKEN_IN_PATH.sub(REDACTED, text) if "/feeds/" in text else text


def _redact_value(value: Any) -> Any:
    return redact(value) if isinstance(value, str) else value


class RedactFeedTokens(logging.Filter):
    """Rewrites the arguments, the message and the traceback of every record it sees; drops none.

    String arguments are redacted one by one, so formatters that read `record.args` (uvicorn's access log)
    keep working; a message template that itself holds a feed path is formatted and redacted whole.
    """

    _traceback = logging.Formatter()

    def filter(self, record: logging.LogRecord) -> bool:
        if isinstance(record.args, tuple):
            record.args = tuple(_redact_value(value) for value in record.args)
        elif isinstance(record.args, dict):
            record.args = {key: _redact_value(value) for key, value in record.args.items()}
        if isinstance(record.msg, str) and "/feeds/" in record.msg:
            record.msg, record.args = redact(record.getMessage()), None
        if record.exc_info and not record.exc_text:
            record.exc_text = redact(self._traceback.formatException(record.exc_info))
        return True


def install_log_redaction(names: tuple[str, ...] = REDACTED_LOGGERS) -> None:
    """Add the filter to the named loggers (once each)."""
    for name in names:
        logger = logging.getLogger(name)
        if not any(isinstance(existing, RedactFeedTokens) for existing in logger.filters):
            logger.addFilter(RedactFeedTokens())


def uvicorn_log_config() -> dict[str, Any]:
    """uvicorn's default logging config with the redaction filter on its loggers and handlers."""
    config = copy.deepcopy(LOGGING_CONFIG)
    config.setdefault("filters", {})["redact_feed_tokens"] = {"()": RedactFeedTokens}
    for handler in config.get("handlers", {}).values():
        handler.setdefault("filters", []).append("redact_feed_tokens")
    for name in ("uvicorn.access", "uvicorn.error"):
        config["loggers"].setdefault(name, {}).setdefault("filters", []).append("redact_feed_tokens")
    return config
