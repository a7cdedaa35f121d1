"""Runs the real `monitor` command in a subprocess (one reactor per process) against a sources file of ours."""

from __future__ import annotations

import os
import subprocess
import sys
from pathlib import Path

from sqlalchemy import create_engine, text

MONITOR = [sys.executable, "-m", "monitor"]


def write_sources(path: Path, *tables: str) -> Path:
    path.write_text("\n".join(tables), encoding="utf-8")
    return path


def source_table(source_id: str, family: str, urls: list[str], language: str = "en", **params: object) -> str:
    lines = ["[[sources]]", f'id = "{source_id}"', f'family = "{family}"',
             "urls = [" + ", ".join(f'"{url}"' for url in urls) + "]", f'language = "{language}"',
             'schedule = "15m"']
    if params:
        rendered = ", ".join(f"{key} = {_toml(value)}" for key, value in params.items())
        lines.append(f"params = {{ {rendered} }}")
    return "\n".join(lines) + "\n"


def _toml(value: object) -> str:
    if isinstance(value, bool):
        return "true" if value else "false"
    if isinstance(value, str):
        return f'"{value}"'
    if isinstance(value, list):
        return "[" + ", ".join(_toml(v) for v in value) + "]"
    return str(value)


def run_monitor(args: list[str], database_url: str, sources: Path, timeout: float = 120,
                **extra_env: str) -> subprocess.CompletedProcess[str]:
    env = {**os.environ, "MONITOR_DATABASE_URL": database_url, "MONITOR_SOURCES": str(sources),
           "MONITOR_ALLOW_PRIVATE_NETWORKS": "1", "MONITOR_PER_HOST_DELAY": "0", "MONITOR_RETRY_BACKOFF": "0.1",
           "MONITOR_HOME": str(sources.parent / "home"), **extra_env}
    return subprocess.run([*MONITOR, *args], env=env, capture_output=True, text=True, timeout=timeout)


def query(database_url: str, sql: str, **params: object) -> list[tuple]:
    engine = create_engine(database_url)
    try:
        with engine.connect() as connection:
            return [tuple(row) for row in connection.execute(text(sql), params)]
    finally:
        engine.dispose()
