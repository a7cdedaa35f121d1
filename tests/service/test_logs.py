"""Structured log lines: key=value (quoted where needed) or one JSON object per line."""

from __future__ import annotations

import json
import logging

from monitor.service.logs import JsonFormatter, KeyValueFormatter, event


def record(logger_name: str = "monitor.service.crawl") -> logging.LogRecord:
    captured: list[logging.LogRecord] = []
    logger = logging.getLogger(logger_name)

    class Keep(logging.Handler):
        def emit(self, item: logging.LogRecord) -> None:
            captured.append(item)

    handler = Keep()
    logger.addHandler(handler)
    logger.setLevel(logging.INFO)
    try:
        event(logger, "crawl.done", source="press", status="failed", new=0, error='HTTP 503 "down"', skipped=None)
    finally:
        logger.removeHandler(handler)
    return captured[0]


def test_key_value_lines_quote_values_with_spaces() -> None:
    line = KeyValueFormatter().format(record())
    assert " level=info logger=monitor.service.crawl event=crawl.done source=press status=failed new=0 " in line
    assert line.endswith('error="HTTP 503 \\"down\\""')
    assert "skipped" not in line


def test_json_lines_are_one_object() -> None:
    data = json.loads(JsonFormatter().format(record()))
    assert data["event"] == "crawl.done" and data["new"] == 0 and data["error"] == 'HTTP 503 "down"'


def test_library_lines_keep_their_message() -> None:
    item = logging.LogRecord("uvicorn.error", logging.INFO, __file__, 1, "Started server process [%d]", (42,), None)
    assert 'msg="Started server process [42]"' in KeyValueFormatter().format(item)
