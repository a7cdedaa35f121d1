"""Every setting of the service: one table of named, validated, documented options read from the environment.

The README's settings table is generated from `SETTINGS` (``monitor settings``), so the two never drift apart.
"""

from __future__ import annotations

import os
import socket
from collections.abc import Mapping
from dataclasses import dataclass
from pathlib import Path

PROJECT_ROOT = Path(__file__).resolve().parents[2]


class ConfigError(ValueError):
    """A setting has a value the service cannot use; the message names the setting and the fix."""


@dataclass(frozen=True)
class SettingSpec:
    name: str
    default: str
    meaning: str


SETTINGS: tuple[SettingSpec, ...] = (
    SettingSpec("MONITOR_HOME", "var/ under the current directory",
                "Folder for the embedded SQLite database and other state the service writes."),
    SettingSpec("MONITOR_DATABASE_URL", "sqlite:///$MONITOR_HOME/monitor.db",
                "SQLAlchemy URL of the store. Use postgresql+psycopg://user@host/db for several nodes."),
    SettingSpec("MONITOR_SOURCES", "spiders/sources.toml",
                "The sources file: which sites are crawled, how and how often."),
    SettingSpec("MONITOR_ALERTS_DIR", "alerts/",
                "Folder with rules/, concepts/, channels.toml, digests.toml and templates/."),
    SettingSpec("MONITOR_USER_AGENT", "monitor-bot/0.1 (+$MONITOR_CONTACT_URL)",
                "User-Agent sent to every site; keep a contact URL in it."),
    SettingSpec("MONITOR_CONTACT_URL", "https://example.org/monitor-bot",
                "Contact page for site operators, put into the default User-Agent."),
    SettingSpec("MONITOR_ALLOW_PRIVATE_NETWORKS", "0",
                "1 lets crawls and webhooks reach loopback and private addresses (tests, intranet sources)."),
    SettingSpec("MONITOR_DOWNLOAD_TIMEOUT", "30", "Seconds before a single download is abandoned."),
    SettingSpec("MONITOR_MAX_RESPONSE_BYTES", "33554432",
                "Largest response body accepted (32 MiB); larger ones are cut off and the download fails."),
    SettingSpec("MONITOR_CONCURRENCY", "32", "Simultaneous downloads across all hosts."),
    SettingSpec("MONITOR_PER_HOST_DELAY", "1.0", "Minimum seconds between two requests to the same host."),
    SettingSpec("MONITOR_PER_HOST_CONCURRENCY", "2", "Simultaneous downloads from one host."),
    SettingSpec("MONITOR_ALLOWED_ADDRESSES", "(none)",
                "Comma-separated host names or IPs allowed even though private (an intranet source)."),
    SettingSpec("MONITOR_RETRY_TIMES", "3", "Retries for resets, timeouts and 5xx answers, with backoff."),
    SettingSpec("MONITOR_RETRY_BACKOFF", "2.0", "Base of the exponential backoff between retries, in seconds."),
    SettingSpec("MONITOR_MAX_RETRY_AFTER", "600",
                "Longest Retry-After (seconds) a crawl waits for; longer ones fail the run for that host."),
    SettingSpec("MONITOR_NEAR_DUPLICATE_DAYS", "7",
                "Window in days within which near-duplicate items are grouped into one story."),
    SettingSpec("MONITOR_LOG_LEVEL", "INFO", "DEBUG, INFO, WARNING or ERROR."),
    SettingSpec("MONITOR_LOG_FORMAT", "text",
                "Log lines of `monitor serve`: text (time, level, event and key=value pairs) or json (one object)."),
    SettingSpec("MONITOR_HTTP_HOST", "127.0.0.1",
                "Address `monitor serve` listens on for the feeds, /healthz and /metrics."),
    SettingSpec("MONITOR_HTTP_PORT", "8080", "Port of the service's HTTP app."),
    SettingSpec("MONITOR_NODE_NAME", "the host name",
                "Name of this node in the job claims (several nodes on one PostgreSQL)."),
    SettingSpec("MONITOR_CRAWL_TIMEZONE", "UTC",
                "Time zone of cron schedules in the sources file (a cron between 02:00 and 03:00 on a DST "
                "change is refused)."),
    SettingSpec("MONITOR_CRAWL_OFFSET_MAX", "60",
                "Largest per-source offset in seconds (at most a tenth of the interval) so hosts are not hit at once."),
    SettingSpec("MONITOR_MAX_CRAWLERS", "4",
                "Crawls `monitor serve` runs at once; ticks that come together share one crawler."),
    SettingSpec("MONITOR_SUBPROCESS_TIMEOUT", "1800",
                "Seconds before a source crawled as a subprocess (`subprocess = true`) is stopped."),
    SettingSpec("MONITOR_DISPATCH_INTERVAL", "5", "Seconds between two runs of the delivery dispatcher."),
    SettingSpec("MONITOR_STALE_FACTOR", "4",
                "A source is stale when its last new item is older than this many of its usual gaps …"),
    SettingSpec("MONITOR_STALE_FLOOR", "21600", "… and older than this many seconds."),
    SettingSpec("MONITOR_HEALTH_CONFIRM_RUNS", "2",
                "Runs in a row a bad health state must hold before the operator is alerted."),
    SettingSpec("MONITOR_BACKOFF_CAP", "21600",
                "Longest wait in seconds between crawls of a failing source (the wait doubles, it never stops)."),
    SettingSpec("MONITOR_SHUTDOWN_GRACE", "60",
                "Seconds SIGTERM waits for running crawls to finish before stopping them."),
)


def _flag(value: str, name: str) -> bool:
    lowered = value.strip().lower()
    if lowered in {"1", "true", "yes", "on"}:
        return True
    if lowered in {"0", "false", "no", "off", ""}:
        return False
    raise ConfigError(f"{name}={value!r}: expected 1/0, true/false, yes/no or on/off")


def _number(value: str, name: str, kind: type[int] | type[float]) -> int | float:
    try:
        number = kind(value)
    except ValueError:
        raise ConfigError(f"{name}={value!r}: expected a {'whole ' if kind is int else ''}number") from None
    if number < 0:
        raise ConfigError(f"{name}={value!r}: must not be negative")
    return number


@dataclass(frozen=True)
class Settings:
    home: Path
    database_url: str
    sources_path: Path
    alerts_dir: Path
    user_agent: str
    contact_url: str
    allow_private_networks: bool
    download_timeout: float
    max_response_bytes: int
    concurrency: int
    per_host_delay: float
    per_host_concurrency: int
    allowed_addresses: tuple[str, ...]
    retry_times: int
    retry_backoff: float
    max_retry_after: float
    near_duplicate_days: int
    log_level: str
    log_format: str = "text"
    http_host: str = "127.0.0.1"
    http_port: int = 8080
    node_name: str = "localhost"
    crawl_timezone: str = "UTC"
    crawl_offset_max: int = 60
    max_crawlers: int = 4
    subprocess_timeout: float = 1800.0
    dispatch_interval: float = 5.0
    stale_factor: float = 4.0
    stale_floor: float = 21600.0
    health_confirm_runs: int = 2
    backoff_cap: float = 21600.0
    shutdown_grace: float = 60.0

    @classmethod
    def from_env(cls, env: Mapping[str, str] | None = None) -> Settings:
        env = os.environ if env is None else env
        home = Path(env.get("MONITOR_HOME") or Path.cwd() / "var")
        contact = env.get("MONITOR_CONTACT_URL") or "https://example.org/monitor-bot"
        database_url = env.get("MONITOR_DATABASE_URL") or f"sqlite:///{home / 'monitor.db'}"
        max_bytes = int(_number(env.get("MONITOR_MAX_RESPONSE_BYTES", "33554432"),
                                "MONITOR_MAX_RESPONSE_BYTES", int))
        if max_bytes > 32 * 1024 * 1024 or max_bytes == 0:
            raise ConfigError("MONITOR_MAX_RESPONSE_BYTES must be between 1 and 33554432 (32 MiB)")
        level = env.get("MONITOR_LOG_LEVEL", "INFO").upper()
        if level not in {"DEBUG", "INFO", "WARNING", "ERROR"}:
            raise ConfigError(f"MONITOR_LOG_LEVEL={level!r}: expected DEBUG, INFO, WARNING or ERROR")
        return cls(
            home=home,
            database_url=database_url,
            sources_path=Path(env.get("MONITOR_SOURCES") or PROJECT_ROOT / "spiders" / "sources.toml"),
            alerts_dir=Path(env.get("MONITOR_ALERTS_DIR") or PROJECT_ROOT / "alerts"),
            user_agent=env.get("MONITOR_USER_AGENT") or f"monitor-bot/0.1 (+{contact})",
            contact_url=contact,
            allow_private_networks=_flag(env.get("MONITOR_ALLOW_PRIVATE_NETWORKS", "0"),
                                         "MONITOR_ALLOW_PRIVATE_NETWORKS"),
            download_timeout=float(_number(env.get("MONITOR_DOWNLOAD_TIMEOUT", "30"),
                                           "MONITOR_DOWNLOAD_TIMEOUT", float)),
            max_response_bytes=max_bytes,
            concurrency=int(_number(env.get("MONITOR_CONCURRENCY", "32"), "MONITOR_CONCURRENCY", int)) or 1,
            per_host_delay=float(_number(env.get("MONITOR_PER_HOST_DELAY", "1.0"),
                                         "MONITOR_PER_HOST_DELAY", float)),
            per_host_concurrency=int(_number(env.get("MONITOR_PER_HOST_CONCURRENCY", "2"),
                                             "MONITOR_PER_HOST_CONCURRENCY", int)) or 1,
            allowed_addresses=tuple(part.strip() for part in env.get("MONITOR_ALLOWED_ADDRESSES", "").split(",")
                                    if part.strip()),
            retry_times=int(_number(env.get("MONITOR_RETRY_TIMES", "3"), "MONITOR_RETRY_TIMES", int)),
            retry_backoff=float(_number(env.get("MONITOR_RETRY_BACKOFF", "2.0"),
                                        "MONITOR_RETRY_BACKOFF", float)),
            max_retry_after=float(_number(env.get("MONITOR_MAX_RETRY_AFTER", "600"),
                                          "MONITOR_MAX_RETRY_AFTER", float)),
            near_duplicate_days=int(_number(env.get("MONITOR_NEAR_DUPLICATE_DAYS", "7"),
                                            "MONITOR_NEAR_DUPLICATE_DAYS", int)),
            log_level=level,
            **_service_fields(env),
        )


def _service_fields(env: Mapping[str, str]) -> dict[str, object]:
    """The settings of `monitor serve` (see SETTINGS)."""
    log_format = env.get("MONITOR_LOG_FORMAT", "text").lower()
    if log_format not in {"text", "json"}:
        raise ConfigError(f"MONITOR_LOG_FORMAT={log_format!r}: expected text or json")
    port = int(_number(env.get("MONITOR_HTTP_PORT", "8080"), "MONITOR_HTTP_PORT", int))
    if port > 65535:
        raise ConfigError(f"MONITOR_HTTP_PORT={port}: expected a port number up to 65535")

    def number(name: str, default: str, kind: type[int] | type[float] = float) -> int | float:
        return _number(env.get(name, default), name, kind)

    return {
        "log_format": log_format,
        "http_host": env.get("MONITOR_HTTP_HOST") or "127.0.0.1",
        "http_port": port,
        "node_name": (env.get("MONITOR_NODE_NAME") or socket.gethostname() or "localhost")[:128],
        "crawl_timezone": env.get("MONITOR_CRAWL_TIMEZONE") or "UTC",
        "crawl_offset_max": int(number("MONITOR_CRAWL_OFFSET_MAX", "60", int)),
        "max_crawlers": int(number("MONITOR_MAX_CRAWLERS", "4", int)) or 1,
        "subprocess_timeout": float(number("MONITOR_SUBPROCESS_TIMEOUT", "1800")) or 1800.0,
        "dispatch_interval": max(float(number("MONITOR_DISPATCH_INTERVAL", "5")), 0.2),
        "stale_factor": float(number("MONITOR_STALE_FACTOR", "4")),
        "stale_floor": float(number("MONITOR_STALE_FLOOR", "21600")),
        "health_confirm_runs": int(number("MONITOR_HEALTH_CONFIRM_RUNS", "2", int)) or 1,
        "backoff_cap": float(number("MONITOR_BACKOFF_CAP", "21600")),
        "shutdown_grace": float(number("MONITOR_SHUTDOWN_GRACE", "60")),
    }
