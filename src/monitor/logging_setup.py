"""Structured, readable logs for every command: one line per event, key=value context, Scrapy kept quiet."""

from __future__ import annotations

import logging
import sys

QUIET_LOGGERS = ("scrapy", "twisted", "trafilatura", "htmldate", "filelock", "alembic", "asyncio")


def configure_logging(level: str = "INFO", verbose: bool = False) -> None:
    handler = logging.StreamHandler(sys.stderr)
    handler.setFormatter(logging.Formatter("%(asctime)s %(levelname)s %(name)s: %(message)s", "%H:%M:%S"))
    root = logging.getLogger()
    root.handlers[:] = [handler]
    root.setLevel(level)
    for name in QUIET_LOGGERS:
        logging.getLogger(name).setLevel(logging.DEBUG if verbose else logging.ERROR)
